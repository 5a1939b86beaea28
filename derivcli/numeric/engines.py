"""Numbers for derivatives, vectorized over points, on the requested device and dtype.

Two engines compute the same numbers:

- autograd: torch.autograd differentiates the lowered expression itself, a backward
  pass per row at every point of a tile at once (numeric/autodiff.py). It never sees
  the symbolic derivative, so it is the independent check of sympy's.
- symbolic: sympy's derivative entries, lowered to one straight-line program of
  element-wise torch operations (each distinct subexpression once) and evaluated
  over the whole batch. On the CPU the batch is cut into tiles that stay in cache,
  shared by a pool of threads: torch releases the GIL inside its kernels.

Both take points as a [count, k] float64 array (the variables, then the parameters)
and return a [count, *shape] array in the engine's dtype. No Python loop runs over
points.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import sympy
import torch

from derivcli import ops, symbolic
from derivcli.errors import InputError
from derivcli.nested import flatten
from derivcli.numeric.lower import lower

DTYPES = {"float64": torch.float64, "float32": torch.float32}
ENGINES = ("auto", "autograd", "symbolic")

# Points per tile of the symbolic engine on the CPU. Each tile costs Python a few
# microseconds per step, and its values stay in cache while the steps run (256 KiB
# per value in float64). Measured on 2 cores at 10^6 points: 32768 and 65536 are
# within noise of each other, 16384 is up to 25% slower on cheap expressions.
TILE = 32768
# Up to this many entries per point, one torch.stack writes a tile's results; wider
# results are written as a block of constants, then column by column (measured:
# 1.5 against 5 ns per point for a 2x2 Hessian, 62 against 100 for a 10x10 one).
STACK_ENTRIES = 16
WRITE_RUN = 32  # neighbouring wide-result columns written as one block (measured: 8-64)
# Points per pass of the autograd engine: its graph holds every step's values for the
# whole tile. Measured, a 39-variable Hessian at 32,768 points: 300 MB beyond the output
# per tile of 8,192; tiles of 2,048 took 2.3 times as long, of 32,768 no less and 750 MB.
AUTOGRAD_TILE = 8192
# A tile's graph takes about 36 bytes per step of the program per point (measured: the
# 39-variable Hessian, 974 steps, 300 MB per tile of 8,192; a 1000-variable Rosenbrock
# HVP, 7,995 steps, 2.2 GB): long programs get tiles that hold it near this.
AUTOGRAD_TILE_BYTES = 300 << 20
GRAPH_BYTES_PER_STEP = 36


def resolve_device(name: str) -> torch.device:
    """The torch device for name; an InputError when this machine lacks it."""
    device = torch.device(name)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise InputError.about(
                "device",
                "{opt_value}: CUDA is not available on this machine; use cpu",
                value="cuda",
            )
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise InputError.about(
                "device",
                "{opt_value}: this machine has {count} CUDA device(s)",
                value=name,
                count=torch.cuda.device_count(),
            )
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise InputError.about(
            "device", "{opt_value}: MPS is not available on this machine; use cpu", value="mps"
        )
    return device


def derivatives(
    op,
    exprs: list[sympy.Expr],
    wrt: list[sympy.Symbol],
    parameters: list[sympy.Symbol],
    points: list[list[float]],
    *,
    device: str = "cpu",
    dtype: str = "float64",
    engine: str = "autograd",
) -> list:
    """torch's values of the operation (an ops.Op) at each point, as nested lists of floats.

    Each point lists the values of wrt then of parameters, in order.
    """
    values = np.asarray(points, dtype=np.float64).reshape(len(points), -1)
    with make_engine(engine, op, exprs, wrt, parameters, device=device, dtype=dtype) as run:
        return run(values).astype(np.float64).tolist()


def make_engine(
    name: str,
    op,
    exprs: list[sympy.Expr],
    wrt: list[sympy.Symbol],
    parameters: list[sympy.Symbol],
    *,
    device: str = "cpu",
    dtype: str = "float64",
    matrix: list | None = None,
):
    """The engine called name ("auto" picks one; see choose_engine) for op (an ops.Op
    or its name)."""
    op = ops.get(op)
    if name not in ENGINES:
        raise InputError(f"unknown engine '{name}': use {', '.join(ENGINES)}", "engine")
    if name == "auto":
        name = choose_engine(op, exprs, wrt, matrix)
    if name == "autograd":
        return AutogradEngine(op, exprs, wrt, parameters, device=device, dtype=dtype)
    if matrix is None:
        matrix = symbolic.derivative_matrix(op, exprs, wrt)
    shape = op.shape(len(exprs), len(wrt))
    return SymbolicEngine(matrix, shape, wrt, parameters, device=device, dtype=dtype)


def choose_engine(op, exprs, wrt, matrix) -> str:
    """The engine that is faster for these derivatives.

    The symbolic engine evaluates every distinct subexpression of the derivative
    entries once per point; the autograd engine runs the expression forward and
    backward once per row (and a gradient first for a Hessian). The symbolic engine
    wins (measured: 3 to 6 times on bench/bench.py's functions at 10^5 points) unless
    the symbolic derivatives have grown far beyond the expression itself.
    """
    if matrix is None:
        return "autograd"
    forward = _operation_count(exprs)
    entries = _operation_count(flatten(matrix))
    passes = op.passes(len(exprs), len(wrt))
    return "symbolic" if entries <= 8 * passes * max(forward, 1) else "autograd"


def _operation_count(exprs) -> int:
    """Distinct operations (nodes with arguments) in the expressions' shared DAG."""
    seen, stack = set(), list(exprs)
    while stack:
        node = stack.pop()
        if node.args and node not in seen:
            seen.add(node)
            stack.extend(node.args)
    return len(seen)


def _lowered(exprs, inputs, **options):
    """lower's Program, from the session's cache when it has it."""
    from derivcli.run import session

    key = (tuple(exprs), tuple(inputs), *sorted(options.items()))
    return session.current().cached("lowered", key, lambda: lower(exprs, inputs, **options))


class _Engine:
    """Shared parts: device, dtype, shape, and use as a context manager."""

    name = "?"

    def __init__(self, shape: tuple[int, ...], device: str, dtype: str):
        self.shape = shape
        self.device = resolve_device(device)
        self.dtype = DTYPES[dtype]
        self.numpy_dtype = np.float64 if dtype == "float64" else np.float32

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        """Release threads and buffers."""

    def _empty_output(self, count: int) -> np.ndarray:
        # numpy asks the kernel for huge pages on large arrays; torch does not, and
        # filling 800 MB of fresh 4 KiB pages costs ten times as long (measured).
        return np.empty((count, *self.shape), dtype=self.numpy_dtype)


class AutogradEngine(_Engine):
    """torch.autograd's derivatives of the lowered expression (numeric/autodiff.py),
    every point of a tile at once."""

    name = "autograd"

    def __init__(self, op, exprs, wrt, parameters, *, device="cpu", dtype="float64"):
        self._op = ops.get(op)
        self._n = len(wrt)
        super().__init__(self._op.shape(len(exprs), self._n), device, dtype)
        self._program = _lowered(exprs, [*wrt, *parameters], dtype=self.dtype, device=self.device)
        per_point = GRAPH_BYTES_PER_STEP * max(len(self._program.steps), 1)
        self.tile = max(256, min(AUTOGRAD_TILE, AUTOGRAD_TILE_BYTES // per_point))

    def __call__(self, points: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        count = len(points)
        if out is None or out.shape != (count, *self.shape) or out.dtype != self.numpy_dtype:
            out = self._empty_output(count)
        values = torch.as_tensor(points)
        for start in range(0, count, self.tile):
            stop = min(start + self.tile, count)
            tile = values[start:stop].to(self.device, self.dtype)
            out[start:stop] = self._tile(tile).to("cpu").numpy()
        return out

    def _tile(self, values: torch.Tensor) -> torch.Tensor:
        count = len(values)
        inputs = [values[:, i].clone().requires_grad_() for i in range(self._n)]
        parameters = [values[:, j] for j in range(self._n, values.shape[1])]
        with torch.enable_grad():
            outputs = [
                output if output.dim() else output.expand(count)
                for output in self._program(inputs + parameters)
            ]
            # + 0.0: a zero without a sign (-sin(0)*y is -0.0 in a backward pass)
            return self._op.autograd(outputs, inputs).detach() + 0.0


def _runs(computed: list[tuple[int, int]]) -> list[tuple[int, list[int]]]:
    """(first column, program outputs) for each run of neighbouring computed columns,
    at most WRITE_RUN long."""
    runs: list[tuple[int, list[int]]] = []
    for k, i in computed:
        if runs and runs[-1][0] + len(runs[-1][1]) == k and len(runs[-1][1]) < WRITE_RUN:
            runs[-1][1].append(i)
        else:
            runs.append((k, [i]))
    return runs


class SymbolicEngine(_Engine):
    """sympy's derivative entries as one straight-line torch program over the batch.

    Each distinct entry is computed once (a Hessian's mirrored entries and repeated
    entries share a step, as do subexpressions shared between entries); constant
    entries are never computed per point.
    """

    name = "symbolic"

    def __init__(
        self, matrix, shape, wrt, parameters, *, device="cpu", dtype="float64", threads=None
    ):
        super().__init__(shape, device, dtype)
        entries = flatten(matrix)
        distinct: dict[sympy.Expr, int] = {}
        self._source = [distinct.setdefault(entry, len(distinct)) for entry in entries]
        self._program = _lowered(
            list(distinct),
            [*wrt, *parameters],
            dtype=self.dtype,
            device=self.device,
            values_only=True,
        )
        constants = self._program.constant_outputs
        self._constants = {k: constants[i] for k, i in enumerate(self._source) if i in constants}
        self._computed = [(k, i) for k, i in enumerate(self._source) if i not in constants]
        self._runs = _runs(self._computed)
        self._template = torch.zeros(len(self._source), dtype=self.dtype)
        for k, value in self._constants.items():
            self._template[k] = value
        self._threads = threads or torch.get_num_threads()
        self._pool: ThreadPoolExecutor | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __call__(self, points: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Derivatives at points [count, k], into out [count, *shape] when given."""
        count = len(points)
        if out is None or out.shape != (count, *self.shape) or out.dtype != self.numpy_dtype:
            out = self._empty_output(count)
        if count == 0:
            return out
        if self.device.type != "cpu":
            self._whole(points, out)
            return out
        data = torch.from_numpy(np.ascontiguousarray(points, dtype=np.float64))
        flat = torch.from_numpy(out).view(count, -1)
        # Equal tiles, as many as a multiple of the threads: no thread waits for
        # another's last tile.
        tiles = self._threads * max(1, math.ceil(count / (TILE * self._threads)))
        tile = max(1024, math.ceil(count / tiles))
        starts = range(0, count, tile)
        if count < 2048:
            for start in starts:
                self._tile(data, flat, start, min(start + tile, count))
            return out
        # Even one tile goes to a worker: there torch runs single-threaded, while in
        # the main thread its OpenMP threads would spin between kernels, on a core
        # the other tiles need (measured: 30 times slower on a busy 2-core machine).
        pool = self._executor()
        futures = [
            pool.submit(self._tile, data, flat, start, min(start + tile, count)) for start in starts
        ]
        try:
            for future in futures:
                future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return out

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            # One torch thread per worker: the workers are the parallelism.
            self._pool = ThreadPoolExecutor(
                self._threads,
                thread_name_prefix="derivcli",
                initializer=torch.set_num_threads,
                initargs=(1,),
            )
        return self._pool

    def _tile(self, data, flat, start: int, stop: int) -> None:
        """Evaluate points start:stop into rows start:stop of flat ([count, entries])."""
        size = stop - start
        # Column views, not a transposed copy: torch's transpose of a [tile, 2] block
        # costs more than sin and cos of it (measured); element-wise kernels read
        # strided inputs about as fast as contiguous ones.
        block = data[start:stop]
        columns = [block[:, i].to(self.dtype) for i in range(block.shape[1])]
        with torch.no_grad():  # values only: special functions skip their autograd nodes
            values = self._program(columns)
        rows = flat[start:stop]
        if len(self._source) <= STACK_ENTRIES:
            # One kernel writes every entry of every point, constants included.
            entries = [
                values[i] if values[i].dim() else values[i].expand(size) for i in self._source
            ]
            torch.stack(entries, dim=1, out=rows)
        else:
            # Wide results (a Hessian of many variables) are often mostly constants:
            # write them as one block, then the entries that vary, each run of
            # neighbouring columns stacked into a small block first (a column at a time
            # wrote a cache line per point and entry: 3.5 s against 3.0 s for a
            # 39-variable Hessian at 10^5 points, measured).
            if self._constants:
                rows.copy_(self._template.expand(size, -1))
            for first, indices in self._runs:
                if len(indices) == 1:
                    rows[:, first].copy_(values[indices[0]])
                else:
                    block = torch.stack([values[i].expand(size) for i in indices], dim=1)
                    rows[:, first : first + len(indices)].copy_(block)

    def _whole(self, points: np.ndarray, out: np.ndarray) -> None:
        """On an accelerator: the whole chunk at once, one kernel per step."""
        data = torch.as_tensor(points).to(self.device, self.dtype)
        with torch.no_grad():
            values = self._program(list(data.t().unbind(0)))
        count = len(points)
        columns = [
            values[i].expand(count) if values[i].dim() == 0 else values[i] for i in self._source
        ]
        torch.from_numpy(out).view(count, -1).copy_(torch.stack(columns, dim=1))
