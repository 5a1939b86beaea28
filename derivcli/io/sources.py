"""Where many points come from: --at, --grid, --points FILE (CSV or .npy), read in chunks.

Each source yields [count, k] float64 arrays whose columns follow the order the
caller asks for, never holding more than about one chunk in memory (a CSV file is
parsed in blocks, by worker processes when it is large). Every problem in the input
is an InputError that names the line (CSV), the row (.npy) or the option. Nothing
here imports torch.
"""

from __future__ import annotations

import io
import math
import os
import re
import sys
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from derivcli.errors import InputError


@dataclass
class Chunk:
    """Points [count, k] in the requested column order, and the progress they represent."""

    values: np.ndarray
    progress: int  # units of Source.total consumed so far (points, or bytes of a file)


class Source:
    """A stream of points with named columns."""

    names: list[str]
    total: int | None = None  # progress units in all (None: unknown, as for stdin)
    count: int | None = None  # number of points, when known before reading them

    def start(self, columns: Sequence[str], chunk_size: int) -> None:
        """Check the columns against the ones needed, in order, and start reading ahead."""
        self._order = _column_order(self.names, columns, self.label)
        self._chunk_size = chunk_size

    def chunks(self) -> Iterator[Chunk]:
        raise NotImplementedError

    def close(self) -> None:
        """Stop reading; release files and worker processes."""

    label = "the points"


def _column_order(names: Sequence[str], columns: Sequence[str], label: str) -> list[int]:
    missing = [name for name in columns if name not in names]
    if missing:
        first = missing[0]
        raise InputError(
            f"{label} has no column for {', '.join(missing)} "
            f"(its columns: {', '.join(names) or 'none'}); add a column named {first}"
        )
    extra = [name for name in names if name not in columns]
    if extra:
        raise InputError(
            f"{label} has a column {', '.join(extra)}, which the expression lacks "
            f"(its variables: {', '.join(columns)})"
        )
    return [list(names).index(name) for name in columns]


def rechunk(blocks: Iterator[tuple[np.ndarray, int]], size: int) -> Iterator[Chunk]:
    """Blocks of any length to chunks of exactly size points (the last one shorter)."""
    pending: deque[np.ndarray] = deque()
    held = 0
    progress = 0
    for block, block_progress in blocks:
        pending.append(block)
        held += len(block)
        progress = block_progress
        while held >= size:
            yield Chunk(_take(pending, size), progress)
            held -= size
    if held:
        yield Chunk(_take(pending, held), progress)


def _take(pending: deque[np.ndarray], size: int) -> np.ndarray:
    parts, needed = [], size
    while needed:
        block = pending.popleft()
        if len(block) > needed:
            parts.append(block[:needed])
            pending.appendleft(block[needed:])
            needed = 0
        else:
            parts.append(block)
            needed -= len(block)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


class PointList(Source):
    """Points given one by one (--at, or the Python API)."""

    label = "--at"

    def __init__(self, points: Sequence[dict[str, float]], names: Sequence[str]):
        self.names = list(names)
        self._points = points
        self.count = self.total = len(points)

    def start(self, columns, chunk_size):
        self._columns = list(columns)
        self._chunk_size = chunk_size

    def chunks(self):
        size = self._chunk_size
        for begin in range(0, len(self._points), size):
            part = self._points[begin : begin + size]
            values = np.array([[p[name] for name in self._columns] for p in part], dtype=float)
            yield Chunk(values.reshape(len(part), len(self._columns)), begin + len(part))


class Grid(Source):
    """--grid x=0:1:101,y=-1:1:51: the cartesian product, the first variable slowest."""

    label = "--grid"

    def __init__(self, spec: str):
        from derivcli.expr.parse import canonical_name, is_identifier, split_top_level

        self.names, self.axes = [], []
        if not spec.strip():
            raise InputError.about(
                "grid", "{opt} is empty: give name=start:stop:count, e.g. x=0:1:101"
            )
        for _, part in split_top_level(spec):
            name, equals, axis = (s.strip() for s in part.partition("="))
            name = canonical_name(name)
            if not equals or not is_identifier(name):
                raise InputError.about(
                    "grid", "'{part}' in {opt} is not name=start:stop:count", part=part.strip()
                )
            if name in self.names:
                raise InputError.about("grid", "{opt} gives {name} twice", name=name)
            self.names.append(name)
            self.axes.append(_axis(name, axis))
        self.count = self.total = math.prod(len(axis) for axis in self.axes)

    def start(self, columns, chunk_size):
        order = _column_order(self.names, columns, self.label)
        self._axes = [self.axes[i] for i in order]
        self._strides = [math.prod(len(a) for a in self.axes[i + 1 :]) for i in order]
        self._chunk_size = chunk_size

    def chunks(self):
        for begin in range(0, self.count, self._chunk_size):
            index = np.arange(begin, min(begin + self._chunk_size, self.count))
            values = np.empty((len(index), len(self._axes)))
            for j, (axis, stride) in enumerate(zip(self._axes, self._strides, strict=True)):
                values[:, j] = axis[(index // stride) % len(axis)]
            yield Chunk(values, begin + len(index))


def _axis(name: str, text: str) -> np.ndarray:
    from derivcli.expr.parse import parse_value

    parts = text.split(":")
    if len(parts) != 3:
        raise InputError.about(
            "grid",
            "{opt_value}: give start:stop:count, e.g. {name}=0:1:101",
            value=f"{name}={text}",
            name=name,
        )
    start, stop = (parse_value(p) for p in parts[:2])
    count_text = parts[2].strip()
    if not count_text.isdigit() or int(count_text) < 1:
        raise InputError.about(
            "grid",
            "{opt_value}: the count '{count}' must be a whole number >= 1",
            value=f"{name}={text}",
            count=count_text,
        )
    return grid_axis(start, stop, int(count_text))


def grid_axis(start, stop, count: int) -> np.ndarray:
    """count points from start to stop (exact values), evenly spaced: each the float
    nearest its exact value start + i·(stop - start)/(count - 1) where start and stop
    are rational (x=0:0.3:4 gives 0.1, not linspace's 0.09999999999999999)."""
    if count == 1 or not (start.is_Rational and stop.is_Rational):
        return np.linspace(float(start.evalf(20)), float(stop.evalf(20)), count)
    # point i = (a·(n - i) + b·i) / (d·n), n = count - 1: integers, exact in float64 below
    # 2^53, whose quotient IEEE division rounds correctly.
    n, d = count - 1, math.lcm(int(start.q), int(stop.q))
    a, b = int(start * d), int(stop * d)
    if max(abs(a), abs(b)) * n < 2**53 and d * n < 2**53:
        i = np.arange(count, dtype=np.int64)
        return (a * (n - i) + b * i).astype(np.float64) / float(d * n)
    return np.array([float(Fraction(a * (n - k) + b * k, d * n)) for k in range(count)])


class NpyFile(Source):
    """A .npy array [points, k] (or [points] for one column); --wrt names the columns."""

    def __init__(self, path: str, names: Sequence[str] | None):
        self.label = path
        try:
            self._array = np.load(path, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as error:
            raise InputError(f"cannot read {path} as a .npy array: {error}") from None
        array = self._array
        if array.dtype.kind not in "fiub" or array.ndim not in (1, 2):
            raise InputError(
                f"{path} holds a {array.dtype} array of shape {array.shape}; "
                "give a numeric array [points, variables]"
            )
        width = 1 if array.ndim == 1 else array.shape[1]
        if names is None:
            raise InputError(
                f"{path} does not name its columns: give --wrt with the variables in column order"
            )
        if len(names) != width:
            raise InputError(
                f"{path} has {width} column(s) and the expression {len(names)} variable(s) "
                f"({', '.join(names)}): the columns are the --wrt variables, then any others "
                "in natural order"
            )
        self.names = list(names)
        self.count = self.total = len(array)

    def chunks(self):
        array = self._array
        for begin in range(0, self.count, self._chunk_size):
            block = np.asarray(array[begin : begin + self._chunk_size], dtype=np.float64)
            block = block.reshape(len(block), -1)[:, self._order]
            _check_finite(block, self.names_in_order(), lambda i, b=begin: f"row {b + i}")
            yield Chunk(block, begin + len(block))

    def names_in_order(self) -> list[str]:
        return [self.names[i] for i in self._order]


def _check_finite(values: np.ndarray, names: Sequence[str], where) -> None:
    finite = np.isfinite(values)
    if finite.all():
        return
    row, column = np.argwhere(~finite)[0]
    raise InputError(
        f"{where(int(row))}: the value of {names[column]}, {float(values[row, column])!r}, "
        "is not a finite number"
    )


# A CSV file is parsed in blocks of about this many bytes, by worker processes when
# it is larger than PARALLEL_BYTES and the machine has more than one core, up to
# READ_AHEAD blocks ahead of the computation (they parse while torch is imported;
# a parsed block of 4 MiB of text takes 1.5 to 2 MiB).
BLOCK_BYTES = 1 << 22
PARALLEL_BYTES = 1 << 24
READ_AHEAD = 48


class CsvFile(Source):
    """A CSV file (or '-' for stdin) whose header names the variables."""

    def __init__(self, path: str):
        self.label = "stdin" if path == "-" else path
        self._path = path
        self._pool = None
        self._reader = None
        try:
            self._file = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
        except OSError as error:
            raise InputError(f"cannot read {path}: {error.strerror}") from None
        header = self._file.readline()
        if not header.strip():
            self.close()
            raise InputError(
                f"{self.label} is empty: it needs a header line naming the variables, "
                "such as x,y, then one point per line"
            )
        self._data_start = len(header)
        if path != "-":
            self.total = os.fstat(self._file.fileno()).st_size
        try:
            self.names = _header_names(header, self.label)
            self.prefetch()
            _check_names(self.names, self.label)  # imports the parser (and sympy): after the fork
        except BaseException:
            self.close()
            raise

    def prefetch(self) -> None:
        """Start parsing in the background (the constructor does), before the columns are checked.

        The worker processes are forked while the process is small and has no
        threads, before sympy and torch load, and parse while they do.
        """
        if self._reader is not None:
            return
        large = self.total is None or self.total > PARALLEL_BYTES
        if large and (os.cpu_count() or 1) > 1:
            import multiprocessing

            self._pool = multiprocessing.get_context("fork").Pool(
                min(os.cpu_count() or 1, 4), initializer=_ignore_interrupts
            )
            tasks = self._range_tasks() if self.total is not None else self._text_tasks()
            self._reader = _ReadAhead(tasks, self._pool)
        else:
            self._reader = ((parse_csv_text(*task[1]), task[2]) for task in self._text_tasks())

    def chunks(self):
        order = self._order
        identity = order == list(range(len(self.names)))
        blocks = (
            (values if identity else values[:, order], consumed)
            for values, consumed in self._numbered(self._reader)
        )
        return rechunk(blocks, self._chunk_size)

    def _numbered(self, parsed):
        """Blocks in order, with a parser's complaint turned into the line's number."""
        line = 2  # the first line after the header
        iterator = iter(parsed)
        while True:
            try:
                (values, lines), consumed = next(iterator)
            except StopIteration:
                return
            except LineError as error:
                raise InputError(
                    f"{self.label}, line {line + error.offset}: {error.reason}"
                ) from None
            line += lines
            yield values, consumed

    def close(self):
        if isinstance(self._reader, _ReadAhead):
            self._reader.stop()
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None
        if self._file is not sys.stdin.buffer:
            self._file.close()

    def _parse_args(self):
        return (len(self.names), self.names)

    def _text_tasks(self):
        """(function, arguments, bytes consumed) for blocks of whole lines read here."""
        rest = b""
        consumed = self._data_start
        while True:
            data = self._file.read(BLOCK_BYTES)
            if not data:
                break
            data = rest + data
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                rest = data
                continue
            block, rest = data[:cut], data[cut:]
            consumed += len(block)
            yield parse_csv_text, (block, *self._parse_args()), consumed
        if rest:
            consumed += len(rest)
            yield parse_csv_text, (rest, *self._parse_args()), consumed

    def _range_tasks(self):
        """(function, arguments, bytes consumed) for byte ranges that the workers read.

        Only the line ends between blocks are read here; the text itself never
        passes through this process.
        """
        start = self._data_start
        while start < self.total:
            end = self._line_end(start + BLOCK_BYTES)
            yield parse_csv_range, (self._path, start, end, *self._parse_args()), end
            start = end

    def _line_end(self, position: int) -> int:
        """The position just after the first line end at or after position (or the end)."""
        if position >= self.total:
            return self.total
        self._file.seek(position)
        while True:
            piece = self._file.read(1 << 16)
            if not piece:
                return self.total
            newline = piece.find(b"\n")
            if newline >= 0:
                return position + newline + 1
            position += len(piece)


def _ignore_interrupts() -> None:
    """In a parser process: signals are for the main process, which stops the parsers.

    A parser sits in its own process group, so that a signal to the whole group
    (Ctrl-C, timeout's SIGTERM, SIGHUP from a closed terminal) reaches only the main
    process: a parser killed while it held the pool's task queue lock made the main
    process's Pool.terminate() wait for that lock forever (seen here). Pool.terminate's
    own SIGTERM ends a parser at once (not through the command line's handlers,
    inherited through the fork, which would print a traceback), and so does the main
    process's death (a SIGKILL of the watchdog), where Linux can tell.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) != signal.SIG_IGN:
            signal.signal(number, signal.SIG_DFL)
    try:
        os.setpgid(0, 0)
    except (AttributeError, OSError):
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


class LineError(Exception):
    """A bad line in a block of CSV text: offset is its index in the block."""

    def __init__(self, offset: int, reason: str):
        super().__init__(offset, reason)
        self.offset, self.reason = offset, reason


def parse_csv_range(path: str, start: int, end: int, width: int, names: list[str]):
    """parse_csv_text of the bytes start:end of a file (in a worker process)."""
    with open(path, "rb") as f:
        f.seek(start)
        return parse_csv_text(f.read(end - start), width, names)


class _ReadAhead:
    """A thread that hands blocks to the parser pool, a bounded distance ahead.

    At most two blocks per worker are being parsed, and at most READ_AHEAD parsed
    blocks wait to be used. Iterating yields (result, bytes consumed) in file order;
    a parser's exception is raised there.
    """

    def __init__(self, tasks, pool):
        import queue
        import threading

        self._queue = queue.Queue()
        self._stopped = threading.Event()
        self._parsing = threading.BoundedSemaphore(2 * pool._processes)  # noqa: SLF001
        self._waiting = threading.BoundedSemaphore(READ_AHEAD)
        self._tasks, self._pool = tasks, pool
        self._thread = threading.Thread(target=self._feed, name="derivcli-csv", daemon=True)
        self._thread.start()

    def _feed(self) -> None:
        try:
            for function, args, consumed in self._tasks:
                if not (self._acquire(self._waiting) and self._acquire(self._parsing)):
                    return
                task = self._pool.apply_async(
                    function, args, callback=self._parsed, error_callback=self._parsed
                )
                self._queue.put((task, consumed))
        except BaseException as error:  # noqa: BLE001 - handed to the consumer
            self._queue.put((error, None))
            return
        self._queue.put((None, None))

    def _parsed(self, _result) -> None:
        self._parsing.release()

    def _acquire(self, semaphore) -> bool:
        while not self._stopped.is_set():
            if semaphore.acquire(timeout=0.1):
                return True
        return False

    def __iter__(self):
        while True:
            task, consumed = self._queue.get()
            if task is None:
                return
            if consumed is None:
                raise task
            result = task.get()
            self._waiting.release()
            yield result, consumed

    def stop(self) -> None:
        self._stopped.set()


def _header_names(header: bytes, label: str) -> list[str]:
    try:
        text = header.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{label}, line 1: the header is not UTF-8 text") from None
    from derivcli.expr.names import canonical  # x₁ is x_1, as in the expression

    return [canonical(cell.strip().strip('"').strip()) for cell in text.strip().split(",")]


def _check_names(names: list[str], label: str) -> None:
    from derivcli.expr.parse import is_identifier

    for name in names:
        if not is_identifier(name):
            raise InputError(
                f"{label}, line 1: the header names the variables, and '{name}' is not a "
                "variable name (is the header line missing?)"
            )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InputError(f"{label}, line 1: the header names {', '.join(repeated)} twice")


def parse_csv_text(block: bytes, width: int, names: list[str]) -> tuple[np.ndarray, int]:
    """Lines of CSV text to ([rows, width] floats, number of lines); LineError for a bad line."""
    lines = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
    if not block.strip():
        return np.empty((0, width)), lines
    try:
        values = np.loadtxt(
            io.BytesIO(block),
            delimiter=",",
            dtype=np.float64,
            ndmin=2,
            comments=None,
            quotechar='"',
        )
    except ValueError:
        values = None
    if values is None or values.shape[1] != width:
        _raise_bad_line(block, width, names)
    finite = np.isfinite(values)
    if not finite.all():
        row, column = np.argwhere(~finite)[0]
        offsets = [n for n, line in enumerate(block.split(b"\n")) if line.strip()]
        raise LineError(
            offsets[row],
            f"the value of {names[column]}, {float(values[row, column])!r}, is not a finite number",
        )
    return values, lines


_NUMBER = re.compile(
    r"\s*\"?\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|nan|inf|infinity)\s*\"?\s*",
    re.IGNORECASE,
)


def _raise_bad_line(block: bytes, width: int, names):
    """Find the first line that does not parse, and say why."""
    lines = block.split(b"\n")
    for offset, raw in enumerate(lines):
        if not raw.strip():
            continue
        try:
            cells = raw.decode("utf-8").strip().split(",")
        except UnicodeDecodeError:
            raise LineError(offset, "not UTF-8 text") from None
        if len(cells) != width:
            raise LineError(
                offset,
                f"{len(cells)} value(s), and the header names {width} ({', '.join(names)})",
            )
        for name, cell in zip(names, cells, strict=True):
            if not _NUMBER.fullmatch(cell):
                raise LineError(offset, f"'{cell.strip()}' in column {name} is not a number")
    raise LineError(0, f"the {len(lines)} lines from here do not parse as numbers")
