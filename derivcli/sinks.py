"""Where streamed results go: csv, jsonl, plain text or a .npy array, chunk by chunk.

Each sink writes a chunk as soon as it is computed. A sink that writes to a file
writes to a hidden temporary file beside it and renames it into place only when
every point is written, so an error or Ctrl-C never leaves a partial file under the
output name. Nothing here imports torch.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence

import numpy as np

from derivcli.errors import InputError

STREAM_FORMATS = ("csv", "jsonl", "plain", "npy")


class Output:
    """A file written atomically (temporary file, then rename), or stdout."""

    def __init__(self, path: str | None, *, binary: bool = False):
        self.path = path
        self._temp = None
        if path is None or path == "-":
            self.stream = sys.stdout.buffer if binary else sys.stdout
            return
        directory = os.path.dirname(os.path.abspath(path))
        if os.path.isdir(path):
            raise InputError(f"--output {path} is a directory; give a file name")
        if not os.path.isdir(directory):
            raise InputError(f"--output {path}: the folder {directory} does not exist")
        try:
            fd, self._temp = tempfile.mkstemp(
                prefix=f".{os.path.basename(path)}.", suffix=".partial", dir=directory
            )
        except OSError as error:
            raise InputError(f"--output {path}: {error.strerror}") from None
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self._temp, 0o666 & ~umask)  # mkstemp's file is private; a result is not
        self.stream = os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8")

    def commit(self) -> None:
        """Everything is written: put the file in place (or flush stdout)."""
        if self._temp is None:
            self.stream.flush()
            return
        self.stream.close()
        os.replace(self._temp, self.path)
        self._temp = None

    def abort(self) -> None:
        """Something failed: remove the temporary file, leave no output behind."""
        if self._temp is None:
            return
        try:
            self.stream.close()
        finally:
            os.unlink(self._temp)
            self._temp = None


def write_text(path: str | None, text: str) -> None:
    """Write a whole rendered document to path (atomically) or to stdout."""
    output = Output(path)
    try:
        output.stream.write(text if text.endswith("\n") else text + "\n")
        output.commit()
    except BaseException:
        output.abort()
        raise


class Sink:
    """Receives (points [c, k], values [c, *shape]) chunks; close() or abort() at the end."""

    binary = False
    PIECE_ROWS = 4096  # rows formatted at a time: cancel() takes effect within one piece

    def __init__(self, output: Output, names: Sequence[str], labels: Sequence[str], shape, dtype):
        self.output = output
        self.names = list(names)
        self.labels = list(labels)
        self.shape = tuple(shape)
        self.dtype = dtype  # of the values: "float64" or "float32"
        self.count = 0
        self.cancelled = False

    def write(self, points: np.ndarray, values: np.ndarray) -> None:
        for start in range(0, len(points), self.PIECE_ROWS):
            if self.cancelled:
                return
            piece = slice(start, start + self.PIECE_ROWS)
            self.output.stream.write(self.format(points[piece], values[piece]))
            self.count += len(points[piece])

    def cancel(self) -> None:
        """Stop a write in progress (from another thread) at the next piece; abort() follows."""
        self.cancelled = True

    def format(self, points, values):
        raise NotImplementedError

    def close(self) -> None:
        self.output.commit()

    def abort(self) -> None:
        self.output.abort()


def _rows(points: np.ndarray, values: np.ndarray) -> list[list[float]]:
    flat = values.reshape(len(values), -1).astype(np.float64, copy=False)
    return np.concatenate([points, flat], axis=1).tolist()


class CsvSink(Sink):
    """The variables, then one column per entry (d/dx, d2/dxdy, df1/dx); repr round-trips."""

    def __init__(self, output, names, labels, shape, dtype):
        super().__init__(output, names, labels, shape, dtype)
        self._header = ",".join([*self.names, *self.labels]) + "\n"
        self._row = ",".join(["%r"] * (len(self.names) + len(self.labels))) + "\n"

    def format(self, points, values):
        # The header goes out with the first rows, so that an error in the first
        # chunk leaves stdout empty.
        header, self._header = self._header, ""
        row = self._row
        return header + "".join([row % tuple(r) for r in _rows(points, values)])

    def close(self):
        self.output.stream.write(self._header)
        super().close()


class PlainSink(Sink):
    """Numbers only: one line per point, the entries row-major, separated by one space."""

    def __init__(self, output, names, labels, shape, dtype):
        super().__init__(output, names, labels, shape, dtype)
        self._line = " ".join(["%r"] * len(self.labels)) + "\n"

    def format(self, points, values):
        line = self._line
        flat = values.reshape(len(values), -1).astype(np.float64, copy=False).tolist()
        return "".join([line % tuple(r) for r in flat])


class JsonlSink(Sink):
    """One JSON object per line: {"point": {...}, "numeric": [...]}; non-finite is null."""

    def __init__(self, output, names, labels, shape, dtype):
        super().__init__(output, names, labels, shape, dtype)
        point = ", ".join(f'"{name}": %s' for name in self.names)
        self._template = '{"point": {' + point + '}, "numeric": ' + _nested(self.shape) + "}\n"

    def format(self, points, values):
        template = self._template
        flat = values.reshape(len(values), -1)
        if np.isfinite(flat).all():
            return "".join([template % tuple(r) for r in _rows(points, values)])
        return "".join(
            [template % tuple(_json_number(v) for v in r) for r in _rows(points, values)]
        )


def _nested(shape: tuple[int, ...]) -> str:
    if not shape:
        return "%s"
    inner = _nested(shape[1:])
    return "[" + ", ".join([inner] * shape[0]) + "]"


def _json_number(value: float) -> str:
    return repr(value) if value - value == 0 else "null"


class NpySink(Sink):
    """A .npy array [points, *shape], its header rewritten with the count at the end."""

    binary = True
    HEADER_BYTES = 128

    def __init__(self, output, names, labels, shape, dtype):
        super().__init__(output, names, labels, shape, dtype)
        if output.path is None or output.path == "-":
            raise InputError("--format npy writes a binary file: give --output FILE.npy")
        self._descr = np.dtype(dtype).str
        output.stream.write(self._header(0))

    def _header(self, count: int) -> bytes:
        text = repr({"descr": self._descr, "fortran_order": False, "shape": (count, *self.shape)})
        size = self.HEADER_BYTES - 10
        text = text.ljust(size - 1) + "\n"
        return b"\x93NUMPY\x01\x00" + size.to_bytes(2, "little") + text.encode("latin1")

    def write(self, points, values):
        self.output.stream.write(np.ascontiguousarray(values, dtype=self._descr).data)
        self.count += len(points)

    def close(self):
        stream = self.output.stream
        stream.flush()
        stream.seek(0)
        stream.write(self._header(self.count))
        super().close()


SINKS = {"csv": CsvSink, "plain": PlainSink, "jsonl": JsonlSink, "npy": NpySink}


def open_sink(format: str, path: str | None, names, labels, shape, dtype) -> Sink:
    """The sink of a format, writing to path (atomically) or to stdout when None."""
    sink_class = SINKS[format]
    target = Output(path, binary=sink_class.binary)
    try:
        return sink_class(target, names, labels, shape, dtype)
    except BaseException:
        target.abort()
        raise
