"""The command line: a thin typer layer over derivcli.api.

Each command calls the API, renders the result and prints it. Every error ends in
one place (on_error): one message on stderr and an exit status from the contract.
Heavy imports (sympy, torch) happen inside the commands, so --help stays fast.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import contextmanager
from typing import Annotated

import typer
import typer.core

from derivcli.budget import DEFAULT_TIMEOUT
from derivcli.errors import DerivcliError, ExitStatus

DEFAULT_CHUNK_SIZE = 1 << 16  # derivcli.batch.DEFAULT_CHUNK_SIZE, without importing it

# click's UsageError, which typer re-exports only through its subclass BadParameter
# (recent typer releases vendor click).
_UsageError = typer.BadParameter.__mro__[1]


class _Group(typer.core.TyperGroup):
    """Usage errors as one line on stderr with exit status 2, the same in tests and in use."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            status = super().main(
                args, prog_name or "derivcli", complete_var, standalone_mode=False, **extra
            )
        except _UsageError as error:
            if error.format_message():  # empty after printing the help for no arguments
                command = error.ctx.command_path if error.ctx else "derivcli"
                _error_line(f"{error.format_message()} (see '{command} --help')")
            status = ExitStatus.INPUT
        except (typer.Abort, KeyboardInterrupt):  # Ctrl-C outside a command's own code
            status = _interrupted()
        if standalone_mode:
            sys.exit(status or 0)
        return status


app = typer.Typer(
    cls=_Group,
    name="derivcli",
    help=(
        "Gradients, Jacobians and Hessians of expressions: symbolic (sympy) and numeric "
        "(torch autograd) side by side, checked against each other.\n\n"
        'Example: derivcli hessian "sin(x)*y" --at x=0,y=1'
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

Expression = Annotated[
    str, typer.Argument(help='The expression, e.g. "sin(x)*y" (quote it for the shell).')
]
At = Annotated[
    list[str] | None,
    typer.Option(
        "--at",
        metavar="NAME=VALUE,...",
        help="A point, e.g. x=pi/4,y=1; repeat for several points. Without it: symbolic only.",
    ),
]
Wrt = Annotated[
    str | None,
    typer.Option(
        metavar="NAMES",
        help="Variables to differentiate by, in order (x,y); others are parameters. "
        "Default: every variable, in natural order.",
    ),
]
Device = Annotated[str, typer.Option(help="cpu, cuda, cuda:N or mps.")]
Dtype = Annotated[str, typer.Option(help="float64 or float32.")]
Points = Annotated[
    str | None,
    typer.Option(
        "--points",
        metavar="FILE",
        help="Many points: a CSV file whose header names the variables ('-' for stdin), "
        "or a .npy array [points, variables] whose columns follow --wrt.",
    ),
]
Grid = Annotated[
    str | None,
    typer.Option(
        "--grid",
        metavar="NAME=START:STOP:COUNT,...",
        help="Many points: the cartesian product of evenly spaced values "
        "(e.g. x=0:1:101,y=-1:1:51).",
    ),
]
Format = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="table (for people), json (one document), plain (numbers only, one line per point), "
        "csv (variables then one column per entry), jsonl (one object per point) or npy "
        "(one array, points by entries; needs --output).",
    ),
]
Output = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write to FILE instead of stdout. A file (or a symbolic link's target) appears "
        "only once complete, with the mode of the one it replaces; a FIFO, device or "
        "/dev/fd/N is written as it goes.",
    ),
]
Engine = Annotated[
    str,
    typer.Option(
        help="auto, symbolic (sympy's derivatives lowered to torch) or autograd (torch.func). "
        "auto: symbolic for --points/--grid and the csv, jsonl and npy formats, autograd where "
        "each point is checked against exact values.",
    ),
]
ChunkSize = Annotated[
    int,
    typer.Option(
        min=1, metavar="POINTS", help="Points computed at once; bounds memory for large inputs."
    ),
]
Precision = Annotated[
    int,
    typer.Option(
        min=1, max=17, help="Significant digits in the table (json and plain round-trip)."
    ),
]
Strict = Annotated[
    bool,
    typer.Option(
        help="Exit 3 when an entry's verdict is not agree (undefined, infinite, not "
        "differentiable, overflow, underflow, imprecise, disagree); with --points or --grid "
        "streamed, when a number is not finite."
    ),
]


def _check_timeout(seconds: float | None) -> float | None:
    if seconds is not None and not seconds >= 0:  # negative, or nan
        raise typer.BadParameter(f"{seconds} is not a number of seconds (0 or more; 0: no limit)")
    return seconds


Timeout = Annotated[
    float | None,
    typer.Option(
        metavar="SECONDS",
        callback=_check_timeout,
        show_default=False,
        help="Time budget for the work (parsing, derivatives, exact values, torch's numbers; "
        "not Python's imports), held even inside C code; past it, exit 4. Default: 20 s, "
        "which for --points/--grid streamed covers the symbolic work only; a budget you "
        "give covers the points too. 0: no limit.",
    ),
]
Traceback = Annotated[
    bool, typer.Option(help="Show the Python traceback of an error (for bug reports).")
]


@app.command()
def grad(
    expression: Expression,
    at: At = None,
    points: Points = None,
    grid: Grid = None,
    wrt: Wrt = None,
    device: Device = "cpu",
    dtype: Dtype = "float64",
    format: Format = "table",
    output: Output = None,
    engine: Engine = "auto",
    chunk_size: ChunkSize = DEFAULT_CHUNK_SIZE,
    precision: Precision = 6,
    strict: Strict = False,
    timeout: Timeout = None,
    traceback: Traceback = False,
) -> None:
    """Gradient of one expression.

    \b
    Examples:
      derivcli grad "x^2*y + exp(x*y)" --at x=1,y=0
      derivcli grad "x^2*y" --wrt y --at x=3,y=1 --format plain
      derivcli grad "sin(x)*cos(y)"            (symbolic only)
      derivcli grad "x^2*y" --points samples.csv --format jsonl
    """
    _run("grad", **locals())


@app.command()
def jacobian(
    expression: Expression,
    at: At = None,
    points: Points = None,
    grid: Grid = None,
    wrt: Wrt = None,
    device: Device = "cpu",
    dtype: Dtype = "float64",
    format: Format = "table",
    output: Output = None,
    engine: Engine = "auto",
    chunk_size: ChunkSize = DEFAULT_CHUNK_SIZE,
    precision: Precision = 6,
    strict: Strict = False,
    timeout: Timeout = None,
    traceback: Traceback = False,
) -> None:
    """Jacobian of one or more expressions, separated by commas or in brackets.

    \b
    Examples:
      derivcli jacobian "r*cos(t), r*sin(t)" --wrt r,t --at r=2,t=pi/2
      derivcli jacobian "[x*y, x+y, exp(x)]" --at x=0,y=1 --format json
    """
    _run("jacobian", **locals())


@app.command()
def hessian(
    expression: Expression,
    at: At = None,
    points: Points = None,
    grid: Grid = None,
    wrt: Wrt = None,
    device: Device = "cpu",
    dtype: Dtype = "float64",
    format: Format = "table",
    output: Output = None,
    engine: Engine = "auto",
    chunk_size: ChunkSize = DEFAULT_CHUNK_SIZE,
    precision: Precision = 6,
    strict: Strict = False,
    timeout: Timeout = None,
    traceback: Traceback = False,
) -> None:
    """Hessian (matrix of second derivatives) of one expression.

    \b
    Examples:
      derivcli hessian "sin(x)*y" --at x=0,y=1
      derivcli hessian "sin(x)" --at x=0 --format plain
      derivcli hessian "x^2*y^3" --at x=1,y=2 --at x=0,y=0 --format json
      derivcli hessian "sin(x)*y" --grid x=0:1:101,y=-1:1:51 --format csv
      derivcli hessian "exp(-x^2-y^2)" --points samples.csv -f npy -o hessians.npy
    """
    _run("hessian", **locals())


def _run(kind: str, *, traceback: bool, **options) -> None:
    try:
        with _termination_signals():
            status = _compute_and_print(kind, **options)
    except _Terminated as stop:
        status = _terminated(stop.signum)
    except KeyboardInterrupt:  # caught here, before click adds a blank line to stderr
        status = _interrupted()
    except BrokenPipeError:  # the reader went away (| head -1): quietly, as SIGPIPE would
        status = ExitStatus.CLOSED_OUTPUT
    except Exception as error:  # noqa: BLE001 - the single place errors become statuses
        status = on_error(error, show_traceback=traceback)
    if status:
        raise typer.Exit(int(status))


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the work is, so that it cleans up as Ctrl-C does."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _termination_signals():
    """While a command runs, SIGTERM and SIGHUP raise _Terminated; the host's handlers
    are back when it returns (typer's CliRunner runs commands in the host's process).
    A signal the host ignores (nohup) stays ignored."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    numbers = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {number: signal.getsignal(number) for number in numbers}
    taken = [number for number in numbers if previous[number] != signal.SIG_IGN]

    def stop(signum, frame):
        for number in taken:  # once: a second one (timeout signals the whole group, and
            signal.signal(number, signal.SIG_IGN)  # the watchdog passes it on) waits
        raise _Terminated(signum)

    for number in taken:
        signal.signal(number, stop)
    try:
        yield
    finally:
        for number in taken:
            handler = previous[number]
            signal.signal(number, signal.SIG_DFL if handler is None else handler)


def _terminated(signum: int) -> ExitStatus:
    """SIGTERM or SIGHUP: one line (if stderr is still there), exit status 128 + signal."""
    import signal

    if signum == getattr(signal, "SIGHUP", None):
        _error_line("terminated (SIGHUP: the terminal was closed)")
        return ExitStatus.HANGUP
    _error_line("terminated (SIGTERM)")
    return ExitStatus.TERMINATED


STREAMED = ("csv", "jsonl", "npy")
CHECKED_POINTS_LIMIT = 10_000


def _compute_and_print(kind: str, **options) -> ExitStatus:
    from types import SimpleNamespace

    from derivcli import render
    from derivcli.errors import InputError
    from derivcli.limits import allow_long_integers
    from derivcli.sinks import STREAM_FORMATS

    allow_long_integers()

    o = SimpleNamespace(**options)
    if o.format not in render.FORMATS + STREAM_FORMATS:
        formats = ", ".join(dict.fromkeys(render.FORMATS + STREAM_FORMATS))
        raise InputError(f"unknown format '{o.format}': use {formats}")
    given = [name for name in ("at", "points", "grid") if options[name]]
    if len(given) > 1:
        both = " and ".join("--" + name for name in given)
        raise InputError(f"give points with one of --at, --points or --grid, not {both}")
    many = bool(o.points or o.grid)
    if o.format in STREAMED and not given:
        raise InputError(f"--format {o.format} needs points: give --at, --points or --grid")
    if o.format == "npy" and o.output in (None, "-"):
        raise InputError("--format npy writes a binary file: give --output FILE.npy")
    if o.output is not None:  # before any work: an unusable --output is bad input
        from derivcli.sinks import check_output

        csv_points = bool(o.points) and not o.points.endswith(".npy")
        check_output(o.output, o.format, count_known=not csv_points)
    if many and (o.format in STREAMED or o.format == "plain"):
        return _stream(kind, o)
    return _checked(kind, o)


def _checked(kind: str, o) -> ExitStatus:
    """Each point checked against exact values: every format for --at, and table and
    json for --points and --grid."""
    from derivcli import render
    from derivcli.api import compute
    from derivcli.sinks import write_text

    with _time_budget(DEFAULT_TIMEOUT if o.timeout is None else o.timeout):
        at = _read_all(kind, o) if o.points or o.grid else o.at
        result = compute(
            kind,
            o.expression,
            at,
            wrt=o.wrt,
            device=o.device,
            dtype=o.dtype,
            timeout=None,  # the budget above holds
            engine="autograd" if o.engine == "auto" else o.engine,
        )
    if o.format == "json":
        write_text(o.output, render.render_json(result))
    elif o.format == "plain":
        write_text(o.output, render.render_plain(result))
    elif o.format in STREAMED:
        _write_checked_stream(result, o)
    elif o.output is None:
        console = render.console()  # a closed pipe: BrokenPipeError, exit status 141
        for renderable in render.render_table(result, o.precision):
            console.print(renderable)
    else:
        write_text(o.output, render.table_text(result, o.precision))
    findings = [
        f"at {_point_words(point)}: {warning}" if len(result.results) > 1 else warning
        for point in result.results
        for warning in point.warnings
    ]
    if o.strict and not result.agree:
        for finding in findings:
            _error_line(f"--strict: {finding}")
        return ExitStatus.STRICT
    if o.format not in ("table", "json"):  # numbers only on stdout: say the rest on stderr
        for finding in findings:
            typer.echo(f"derivcli: warning: {finding}", err=True)
    return ExitStatus.OK


def _point_words(point) -> str:
    return ", ".join(f"{name} = {value}" for name, value in point.point_text.items())


def _write_checked_stream(result, o) -> None:
    """csv, jsonl or npy of checked points, written by the same sinks as a stream."""
    import numpy as np

    from derivcli.result import entry_labels
    from derivcli.sinks import open_sink
    from derivcli.symbolic import flatten, result_shape

    columns = list(result.results[0].point)
    points = np.array([[p.point[name] for name in columns] for p in result.results])
    shape = result_shape(result.kind, len(result.expressions), len(result.variables))
    values = np.array([p.numeric for p in result.results], dtype=np.float64)
    labels = flatten(entry_labels(result.kind, result.variables, len(result.expressions)))
    sink = open_sink(o.format, o.output, columns, labels, shape, result.dtype, len(points))
    try:
        sink.write(points, values.reshape(len(points), *shape))
        sink.close()
    except BaseException:
        sink.abort()
        raise


def _read_all(kind: str, o) -> list[dict]:
    """The points of --points or --grid, for a format that checks each one exactly."""
    from derivcli.batch import plan, source_for

    chosen = plan(kind, o.expression, wrt=o.wrt, timeout=None)  # the caller's budget holds
    source = source_for(chosen, points=o.points, grid=o.grid, wrt=o.wrt)
    if source.count is not None and source.count > CHECKED_POINTS_LIMIT:
        _too_many(o.format, source.count)
    rows = []
    try:
        source.start(chosen.columns, o.chunk_size)
        for chunk in source.chunks():
            rows.extend(chunk.values.tolist())
            if len(rows) > CHECKED_POINTS_LIMIT:
                _too_many(o.format, len(rows))
    finally:
        source.close()
    return [dict(zip(chosen.columns, row, strict=True)) for row in rows]


def _too_many(format: str, count: int):
    from derivcli.errors import LimitError

    raise LimitError(
        f"--format {format} checks every point against its exact value, which is for at most "
        f"{CHECKED_POINTS_LIMIT:,} points, and this input has more ({count:,} read); "
        "for many points use --format csv, jsonl, npy or plain"
    )


def _stream(kind: str, o) -> ExitStatus:
    """Numbers only, chunk by chunk: csv, jsonl, npy, and plain for --points and --grid."""
    from derivcli.sources import CsvFile

    # A CSV file starts parsing (in worker processes) before sympy and torch load.
    early = CsvFile(o.points) if o.points and not o.points.endswith(".npy") else None
    # A budget given covers the points too; the default one, the symbolic work only
    # (the points' cost grows with their number, which the user chose).
    with _time_budget(o.timeout):
        return _stream_points(kind, o, early)


def _stream_points(kind: str, o, early) -> ExitStatus:
    try:
        from derivcli import batch

        chosen = batch.plan(
            kind,
            o.expression,
            wrt=o.wrt,
            device=o.device,
            dtype=o.dtype,
            engine=o.engine,
            timeout=DEFAULT_TIMEOUT if o.timeout is None else None,
        )
        source = early or batch.source_for(chosen, at=o.at, points=o.points, grid=o.grid, wrt=o.wrt)
    except BaseException:
        if early is not None:
            early.close()
        raise
    from derivcli.sinks import open_sink

    def sink_factory(plan):
        return open_sink(
            o.format, o.output, plan.columns, plan.labels, plan.shape, plan.dtype, source.count
        )

    from derivcli.progress import ProgressBar

    with ProgressBar(source) as progress:
        summary = batch.stream(
            chosen, source, sink_factory, chunk_size=o.chunk_size, progress=progress
        )
    if summary.non_finite:
        where = ", ".join(f"{k}={v!r}" for k, v in summary.first_non_finite.items())
        message = (
            f"{summary.non_finite:,} of {summary.count:,} points have an entry that is not a "
            f"finite number (nan or inf), the first at {where}"
        )
        if o.strict:
            _error_line(f"--strict: {message}")
            return ExitStatus.STRICT
        typer.echo(f"derivcli: warning: {message}", err=True)
    return ExitStatus.OK


@contextmanager
def _time_budget(seconds: float | None):
    """A time budget whose message names --timeout."""
    from derivcli.budget import time_budget, timeout_hint

    token = timeout_hint.set("raise it with --timeout SECONDS (0 for none)")
    try:
        with time_budget(seconds):
            yield
    finally:
        timeout_hint.reset(token)


def _interrupted() -> ExitStatus:
    """Ctrl-C: one line; any output file being written was already removed."""
    _error_line("interrupted")
    return ExitStatus.INTERRUPTED


def on_error(error: BaseException, *, show_traceback: bool = False) -> ExitStatus:
    """Print an error (one message on stderr) and return its exit status."""
    if show_traceback:
        import traceback as tb

        tb.print_exception(error, file=sys.stderr)
    if isinstance(error, DerivcliError):
        # An input error words its argument as this command's option (--at, not at=).
        _error_line(getattr(error, "command_line", None) or str(error))
        return error.exit_status
    if isinstance(error, MemoryError):
        _error_line("out of memory; try fewer points or a smaller expression")
        return ExitStatus.LIMIT
    if isinstance(error, RecursionError):
        _error_line("the expression is too deeply nested to process")
        return ExitStatus.LIMIT
    _error_line(
        f"internal error (a bug in derivcli): {type(error).__name__}: {error}. "
        "Rerun with --traceback and report it."
    )
    return ExitStatus.ERROR


def _error_line(message: str) -> None:
    from derivcli.render import printable

    try:
        typer.echo(printable(f"derivcli: error: {message}", sys.stderr), err=True)
    except (OSError, ValueError):
        pass  # stderr is gone (a closed terminal, a closed pipe): the status still tells


def main() -> None:
    """Entry point of the derivcli console script: the app, under a watchdog process.

    The watchdog holds --timeout even where the alarm cannot interrupt C code; typer's
    CliRunner calls app directly and relies on the alarm alone.
    """
    from derivcli.watchdog import run_supervised

    # sympy and torch create hundreds of thousands of objects while they load, and
    # the cycle collector walks them again and again (5% of a whole run, measured
    # with perf). A short-lived command can collect rarely.
    gc.set_threshold(100_000, 50, 100)
    run_supervised(_run_app)


def _run_app() -> None:
    from derivcli.render import can_encode, register_ascii_fallback

    for stream in (sys.stdout, sys.stderr):  # in any locale: never a UnicodeEncodeError
        if not can_encode(stream) and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=register_ascii_fallback())  # ✓ as ok, → as ->
    try:
        app()
        status = 0
    except SystemExit as exit:
        status = exit.code
    if status == ExitStatus.CLOSED_OUTPUT:
        # What is left in stdout's buffer goes nowhere, not into an error at exit
        # ("Exception ignored ... BrokenPipeError"), as the Python documentation advises.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass
    if not any(name.partition(".")[0] == "torch" for name in sys.modules):
        sys.exit(status)
    # Everything is written and closed by now. Python's teardown after torch (its
    # modules and C++ objects freed one by one) takes 0.35 to 0.7 s here (measured),
    # longer than many whole runs: skip it. After an import of torch that Ctrl-C cut
    # short, the teardown can hang in torch's C++ destructors (seen here).
    if isinstance(status, str):
        print(status, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(status or 0)
