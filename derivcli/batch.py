"""Many points: derivatives streamed in chunks from a source to a sink, or to an array.

    >>> import numpy as np, derivcli
    >>> derivcli.evaluate("hessian", "sin(x)*y", {"x": np.zeros(3), "y": np.ones(3)}).shape
    (3, 2, 2)

Everything about the input is checked before torch is imported. Memory is bounded
by the chunk size, not by the number of points: a chunk is read, computed and
written before the next one is read (a CSV file's parser runs ahead by a few blocks).
Unlike compute, no exact value is computed per point; the symbolic derivative is
evaluated numerically (the symbolic engine) or torch differentiates (autograd).
"""

from __future__ import annotations

import numbers
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from derivcli import api, budget, ops, symbolic
from derivcli.errors import InputError
from derivcli.io.sinks import Sink
from derivcli.io.sources import PointList, Source
from derivcli.nested import flatten
from derivcli.run.request import DEFAULT_CHUNK_SIZE

# plan's keyword symbolic (the backend's name) hides the module there
_derivative_matrix = symbolic.derivative_matrix


@dataclass
class Plan:
    """The derivatives to compute, parsed and checked."""

    kind: str
    exprs: list
    variables: list
    parameters: list
    matrix: list
    device: str
    dtype: str
    engine: str

    @property
    def columns(self) -> list[str]:
        """Point columns: the variables, then the parameters."""
        return [s.name for s in self.variables + self.parameters]

    operation: ops.Op | None = None  # as the request configured it; None: ops.get(kind)

    @property
    def op(self) -> ops.Op:
        """The operation (kind is its name), as the request configured it."""
        return self.operation or ops.get(self.kind)

    @property
    def labels(self) -> list[str]:
        """Each entry's label, row-major."""
        return flatten(self.op.labels([v.name for v in self.variables], len(self.exprs)))

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the result at one point."""
        return self.op.shape(len(self.exprs), len(self.variables))


def plan(
    kind: str,
    expression,
    *,
    wrt=None,
    device: str = "cpu",
    dtype: str = "float64",
    engine: str = "auto",
    timeout: float | None = budget.DEFAULT_TIMEOUT,
    symbolic: str = "auto",
    vector=None,
    order=None,
) -> Plan:
    """Parse and differentiate symbolically; check every option. Does not import torch.

    symbolic: the symbolic backend, as for derivcli.compute."""
    op, wrt = ops.get(kind).configure(wrt, vector=vector, order=order)
    api.check_dtype(dtype)
    api.check_device(device)
    api.check_engine(engine)
    with budget.time_budget(timeout) as deadline:
        exprs, variables, parameters = api.prepare(op, expression, wrt, symbolic)
        matrix = _derivative_matrix(op, exprs, variables, deadline=deadline)
    return Plan(op.name, exprs, variables, parameters, matrix, device, dtype, engine, op)


@dataclass
class Summary:
    """What a stream did: points written, engine used, and the points with non-finite entries."""

    count: int = 0
    engine: str = ""
    non_finite: int = 0
    first_non_finite: dict[str, float] | None = None
    seconds: float = 0.0


Progress = Callable[[int, int], None]  # (points done, progress units done)


def stream(
    plan: Plan,
    source: Source,
    sink_factory: Callable[[Plan], Sink],
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
    deadline: budget.Deadline | None = None,
) -> Summary:
    """Read points from source in chunks, compute, and write each chunk to the sink.

    deadline: checked between chunks (by default, that of the budget this runs in).
    """
    deadline = deadline or budget.current()
    if chunk_size < 1:
        raise InputError.about("chunk_size", "{opt} must be at least 1, not {n}", n=chunk_size)
    started = time.perf_counter()
    summary = Summary()
    sink = None
    try:
        source.start(plan.columns, chunk_size)
        sink = sink_factory(plan)
        numeric = budget.unbudgeted_import(
            "derivcli.numeric.engines"
        )  # torch, once the input is good

        with _engine(plan, numeric) as engine, ThreadPoolExecutor(1) as writer:
            summary.engine = engine.name
            # Chunk i is written and checked for non-finite numbers by the writer
            # thread (both release the GIL) while chunk i + 1 is computed, into the
            # other of two reused output buffers.
            buffers: list = [None, None]
            writes: deque = deque()

            def write(points, values):
                sink.write(points, values)
                return _non_finite(points, values)

            def written(future) -> None:
                count, first = future.result()
                if count and summary.first_non_finite is None:
                    summary.first_non_finite = dict(zip(plan.columns, first, strict=True))
                summary.non_finite += count

            try:
                for i, chunk in enumerate(source.chunks()):
                    deadline.check()
                    if len(writes) == 2:
                        written(writes.popleft())  # frees buffers[i % 2]
                    values = engine(chunk.values, out=buffers[i % 2])
                    if len(values) == chunk_size:
                        buffers[i % 2] = values
                    writes.append(writer.submit(write, chunk.values, values))
                    summary.count += len(chunk.values)
                    if progress is not None:
                        progress(summary.count, chunk.progress)
            except BaseException:
                sink.cancel()  # Ctrl-C or an error: the writer stops within a few rows
                raise
            finally:
                for future in writes:
                    future.exception()  # wait, so that the sink is idle before it is aborted
            for future in writes:
                written(future)
        sink.close()
    except BaseException:
        if sink is not None:
            sink.abort()
        raise
    finally:
        source.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _engine(plan: Plan, numeric):
    return numeric.make_engine(
        plan.engine,
        plan.op,
        plan.exprs,
        plan.variables,
        plan.parameters,
        device=plan.device,
        dtype=plan.dtype,
        matrix=plan.matrix,
    )


def _non_finite(points: np.ndarray, values: np.ndarray) -> tuple[int, list | None]:
    """How many points have a non-finite entry, and the first such point."""
    flat = values.reshape(len(values), -1)
    # A row's sum is finite when all its entries are (one pass, no boolean array the
    # size of the chunk); only rows whose sum is not are looked at entry by entry.
    suspects = np.flatnonzero(~np.isfinite(flat.sum(axis=1)))
    if not len(suspects):
        return 0, None
    bad = suspects[~np.isfinite(flat[suspects]).all(axis=1)]
    return len(bad), (points[bad[0]].tolist() if len(bad) else None)


def evaluate(
    kind: str,
    expression,
    points,
    *,
    wrt=None,
    device: str = "cpu",
    dtype: str = "float64",
    engine: str = "auto",
    chunk_size: int | None = None,
    timeout: float | None = budget.DEFAULT_TIMEOUT,
    vector=None,
    order=None,
) -> np.ndarray:
    """Derivatives at many points at once, as an array [points, *shape].

    points: a mapping from each variable's name to a 1-D array (or a number, shared by
        every point), a list of such mappings, one per point, or an array [points, k]
        whose columns are the variables (wrt's order, else natural order) then any
        parameters in natural order.
    engine: "symbolic", "autograd" or "auto" (the faster one, normally symbolic).
    chunk_size: points per chunk (all at once when None).
    timeout: seconds for the symbolic work (parsing and derivatives), None for
        no limit; the points' cost grows with their number, which the caller chose.
    """
    api.check_timeout(timeout)
    whole = isinstance(chunk_size, numbers.Integral) and not isinstance(chunk_size, bool)
    if chunk_size is not None and not (whole and chunk_size >= 1):
        raise InputError(
            f"chunk_size must be a whole number of points, 1 or more (None: all at once), "
            f"not {chunk_size!r}",
            "chunk_size",
        )
    chosen = plan(
        kind,
        expression,
        wrt=wrt,
        device=device,
        dtype=dtype,
        engine=engine,
        timeout=timeout,
        vector=vector,
        order=order,
    )
    values = _point_array(points, chosen.columns)
    numeric = budget.unbudgeted_import("derivcli.numeric.engines")  # torch

    with _engine(chosen, numeric) as run:
        if chunk_size is None or chunk_size >= len(values):
            return run(values)
        parts = [run(values[i : i + chunk_size]) for i in range(0, len(values), chunk_size)]
    return np.concatenate(parts)


def _point_array(points, columns: Sequence[str]) -> np.ndarray:
    """points (see evaluate) as a float64 array [points, columns]; InputError naming
    what is wrong and what to pass instead."""
    if _is_point_list(points):
        points = _columns_of(points, columns)
    if isinstance(points, Mapping):
        _check_columns(points, columns, "points need")
        arrays = [_column(name, points[name]) for name in columns]
        lengths = {name: len(a) for name, a in zip(columns, arrays, strict=True) if a.ndim}
        if len(set(lengths.values())) > 1:
            listed = ", ".join(f"{name} has {length:,}" for name, length in lengths.items())
            raise InputError(
                f"points: the arrays have different lengths ({listed}); give arrays of one "
                "length, one value per point, or a number for a value every point shares",
                "points",
            )
        arrays = np.broadcast_arrays(*arrays)
        values = np.stack([a.reshape(-1) for a in arrays], axis=1)
    else:
        values = _numbers(points, "points")
        if values.ndim == 1 and len(columns) == 1:
            values = values[:, None]
        if values.ndim != 2 or values.shape[1] != len(columns):
            raise InputError(
                f"points must be an array [points, {len(columns)}] with the columns "
                f"{', '.join(columns)} (or a mapping from each name to its values), "
                f"not shape {values.shape}",
                "points",
            )
    if not np.isfinite(values).all():
        row = int(np.argmax(~np.isfinite(values).all(axis=1)))
        raise InputError(
            f"point {row} has a value that is not a finite number: {values[row].tolist()}",
            "points",
        )
    return values


def _check_columns(given: Mapping, columns: Sequence[str], what: str) -> None:
    extra = [name for name in given if name not in columns]
    missing = [name for name in columns if name not in given]
    if missing or extra:
        raise InputError(
            f"{what} exactly the columns {', '.join(columns)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; not used: {', '.join(map(str, extra))}" if extra else ""),
            "points",
        )


def _is_point_list(points) -> bool:
    """A list of mappings, one per point ([{"x": 1, "y": 2}, ...])."""
    return (
        isinstance(points, Sequence)
        and not isinstance(points, str | bytes)
        and len(points) > 0
        and all(isinstance(point, Mapping) for point in points)
    )


def _columns_of(rows: Sequence[Mapping], columns: Sequence[str]) -> dict[str, list]:
    """A list of points as one list of values per column."""
    for index, row in enumerate(rows):
        _check_columns(row, columns, f"points[{index}] needs")
    return {name: [row[name] for row in rows] for name in columns}


def _column(name: str, values) -> np.ndarray:
    column = _numbers(values, f"points[{name!r}]")
    if column.ndim > 1:
        raise InputError(
            f"points[{name!r}] has shape {column.shape}: give one value per point "
            "(a 1-D array) or a number that every point shares",
            "points",
        )
    return column


def _numbers(values, shown: str) -> np.ndarray:
    """values as a float64 array; InputError for text, booleans, complex or ragged lists."""
    try:
        array = np.asarray(values)
        if array.dtype.kind in "bcUSV" or (array.dtype.kind == "O" and _has_text(array)):
            raise TypeError(f"not {_kind(array)}")
        return array.astype(np.float64)
    except (TypeError, ValueError) as error:
        if str(error).startswith("not "):
            detail = str(error)
        elif "inhomogeneous" in str(error):
            detail = "not rows of different lengths"
        else:
            detail = f"not {type(values).__name__}"
        wanted = (
            "an array [points, variables], or a mapping from each name to its values"
            if shown == "points"
            else "an array, a list of numbers, or a number"
        )
        raise InputError(f"{shown} must be numbers ({wanted}), {detail}", "points") from None


def _has_text(array: np.ndarray) -> bool:
    return any(isinstance(item, str | bytes | bool) for item in array.flat)


def _kind(array: np.ndarray) -> str:
    return {"b": "booleans", "c": "complex numbers", "U": "text", "S": "bytes"}.get(
        array.dtype.kind, "text or booleans"
    )


def source_for(
    plan: Plan, *, at=None, points: str | None = None, grid: str | None = None, wrt=None
):
    """The points of --at specs, a --grid spec, or a --points file (CSV, or .npy by its name)."""
    from derivcli.io.sources import CsvFile, Grid, NpyFile

    if at:
        return PointList(api.float_points(list(at), plan.variables + plan.parameters), plan.columns)
    if grid:
        return Grid(grid)
    if points.endswith(".npy"):
        # Its columns are the --wrt variables then the parameters: named only by --wrt
        # (or by there being one variable).
        named = wrt is not None or len(plan.columns) == 1
        return NpyFile(points, plan.columns if named else None)
    return CsvFile(points)
