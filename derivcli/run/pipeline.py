"""The run of a request: points from a source, numbers from an engine, the exact check
where the format asks for it, and the output in its format.

Two ways through it, by format:
- checked (table, json, latex; and every format for --at): every point is checked against
  exact values (derivcli.api.compute), at most CHECKED_POINTS_LIMIT points;
- streamed (csv, jsonl, npy, and plain for --points and --grid): numbers only, chunk
  by chunk from the source to the sink (derivcli.batch.stream), memory bounded by the
  chunk size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from derivcli import budget
from derivcli.errors import LimitError
from derivcli.run.request import Request

CHECKED_POINTS_LIMIT = 10_000


@dataclass
class Outcome:
    """What a run found, for its front end to report.

    findings: the warnings (a verdict's, or the points whose numbers are not finite);
    failed: whether a verdict is not agree, or a streamed number not finite (what
    --strict turns into exit status 3); on_stderr: whether the output itself did not
    show the findings (numbers-only formats), so that they belong on stderr.
    """

    findings: list[str] = field(default_factory=list)
    failed: bool = False
    on_stderr: bool = True


def write(op: str, expression, **options) -> Outcome:
    """Compute and write in a format, to output (a file) or stdout, as the command does.

        >>> derivcli.write("hessian", "sin(x)*y", grid="x=0:1:101,y=-1:1:51",
        ...                format="csv", output="hessians.csv")

    options: the fields of Request (at, points, grid, wrt, device, dtype, format,
    output, engine, symbolic, chunk_size, precision, timeout). csv, jsonl and npy with points or
    grid stream chunk by chunk in bounded memory; the other formats check every point
    exactly. timeout None is the command's default (20 s; for streamed points, the
    symbolic work only), 0 no limit. Returns the Outcome: the warnings, and whether any
    verdict failed (what the command's --strict turns into exit status 3).
    """
    return run(Request(op, expression, **options))


def run(request: Request) -> Outcome:
    """Check the request, compute, write the output; what it found."""
    request.check()
    if request.streamed:
        return _streamed(request)
    return _checked(request)


def _checked(request: Request) -> Outcome:
    from derivcli import render
    from derivcli.api import compute
    from derivcli.io.sinks import write_text

    timeout = budget.DEFAULT_TIMEOUT if request.timeout is None else request.timeout
    with budget.time_budget(timeout):
        at = read_points(request) if request.many else request.at
        result = compute(
            request.op,
            request.expression,
            at,
            wrt=request.wrt,
            device=request.device,
            dtype=request.dtype,
            timeout=None,  # the budget above holds
            # The check is worth something only if torch's numbers do not come from the
            # symbolic derivative they are checked against.
            engine="autograd" if request.engine == "auto" else request.engine,
            symbolic=request.symbolic,
            **request.settings,
        )
        if request.format == "table":
            result.shown  # noqa: B018 - the table's display forms, within the budget
    if request.format == "json":
        write_text(request.output, render.render_json(result))
    elif request.format == "latex":
        from derivcli.io.latex import render_latex

        write_text(request.output, render_latex(result, request.precision))
    elif request.format == "plain" and not result.results:
        write_text(request.output, render.render_symbolic_plain(result))
    elif request.format in ("plain", "csv", "jsonl", "npy"):
        _write_checked_stream(result, request)
    elif request.output is None:
        console = render.console()  # a closed pipe: BrokenPipeError
        for renderable in render.render_table(result, request.precision):
            console.print(renderable)
    else:
        write_text(request.output, render.table_text(result, request.precision))
    findings = [
        f"at {_point_words(point)}: {warning}" if len(result.results) > 1 else warning
        for point in result.results
        for warning in point.warnings
    ]
    return Outcome(findings, not result.agree, request.format not in ("table", "json", "latex"))


def _point_words(point) -> str:
    return ", ".join(f"{name} = {value}" for name, value in point.point_text.items())


def _write_checked_stream(result, request: Request) -> None:
    """plain, csv, jsonl or npy of checked points, written by the same sinks as a stream."""
    import numpy as np

    from derivcli.io.sinks import open_sink
    from derivcli.nested import flatten

    op = result.op
    columns = list(result.results[0].point)
    points = np.array([[p.point[name] for name in columns] for p in result.results])
    shape = op.shape(len(result.expressions), len(result.variables))
    values = np.array([p.numeric for p in result.results], dtype=np.float64)
    labels = flatten(op.labels(result.variables, len(result.expressions)))
    sink = open_sink(
        request.format, request.output, columns, labels, shape, result.dtype, len(points)
    )
    try:
        sink.write(points, values.reshape(len(points), *shape))
        sink.close()
    except BaseException:
        sink.abort()
        raise


def read_points(request: Request) -> list[dict]:
    """The points of request.points or request.grid, for a format that checks each one
    exactly (at most CHECKED_POINTS_LIMIT)."""
    from derivcli.batch import plan, source_for

    chosen = plan(
        request.op,
        request.expression,
        wrt=request.wrt,
        timeout=None,
        symbolic=request.symbolic,
        **request.settings,
    )
    source = source_for(chosen, points=request.points, grid=request.grid, wrt=request.wrt)
    if source.count is not None and source.count > CHECKED_POINTS_LIMIT:
        _too_many(request.format, source.count)
    rows = []
    try:
        source.start(chosen.columns, request.chunk_size)
        for chunk in source.chunks():
            rows.extend(chunk.values.tolist())
            if len(rows) > CHECKED_POINTS_LIMIT:
                _too_many(request.format, len(rows))
    finally:
        source.close()
    return [dict(zip(chosen.columns, row, strict=True)) for row in rows]


def _too_many(format: str, count: int):
    raise LimitError(
        f"--format {format} checks every point against its exact value, which is for at most "
        f"{CHECKED_POINTS_LIMIT:,} points, and this input has more ({count:,} read); "
        "for many points use --format csv, jsonl, npy or plain"
    )


def _streamed(request: Request) -> Outcome:
    from derivcli.io.sources import CsvFile

    # A CSV file starts parsing (in worker processes) before sympy and torch load.
    csv_file = request.points and not request.points.endswith(".npy")
    early = CsvFile(request.points) if csv_file else None
    # A budget given covers the points too; the default one, the symbolic work only
    # (the points' cost grows with their number, which the user chose).
    with budget.time_budget(request.timeout) as deadline:
        return _stream_points(request, early, deadline)


def _stream_points(request: Request, early, deadline: budget.Deadline) -> Outcome:
    try:
        from derivcli import batch

        chosen = batch.plan(
            request.op,
            request.expression,
            wrt=request.wrt,
            device=request.device,
            dtype=request.dtype,
            engine=request.engine,
            symbolic=request.symbolic,
            timeout=budget.DEFAULT_TIMEOUT if request.timeout is None else None,
            **request.settings,
        )
        source = early or batch.source_for(
            chosen, at=request.at, points=request.points, grid=request.grid, wrt=request.wrt
        )
    except BaseException:
        if early is not None:
            early.close()
        raise
    from derivcli.io.progress import ProgressBar
    from derivcli.io.sinks import open_sink

    def sink_factory(plan):
        return open_sink(
            request.format,
            request.output,
            plan.columns,
            plan.labels,
            plan.shape,
            plan.dtype,
            source.count,
        )

    with ProgressBar(source) as progress:
        summary = batch.stream(
            chosen,
            source,
            sink_factory,
            chunk_size=request.chunk_size,
            progress=progress,
            deadline=deadline,
        )
    if not summary.non_finite:
        return Outcome()
    where = ", ".join(f"{k}={v!r}" for k, v in summary.first_non_finite.items())
    finding = (
        f"{summary.non_finite:,} of {summary.count:,} points have an entry that is not a "
        f"finite number (nan or inf), the first at {where}"
    )
    return Outcome([finding], failed=True)
