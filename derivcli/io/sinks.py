"""Where streamed results go: csv, jsonl, plain text or a .npy array, chunk by chunk.

Each sink writes a chunk as soon as it is computed. Where --output goes
(output_target):

- a regular file, or a new name: written to a hidden temporary file beside it and
  renamed into place only when every point is written, so an error, Ctrl-C or a
  termination signal never leaves a partial file under the output name. The file
  keeps the mode of the one it replaces (a new one gets 0666 less the umask).
- a symbolic link: followed; the link stays, and its final target is replaced as
  above, in the target's folder.
- anything else (a terminal or other device, a FIFO, /dev/stdout, /dev/fd/N,
  /proc/self/fd/N): opened and written directly, as it goes; never renamed over.
  /dev/fd/N (and /dev/stdout, /dev/stderr) write to the open descriptor N itself,
  as a shell's redirection does.

Under the console script the temporary file's name is told to the supervising
process (derivcli.cli.watchdog), which removes it if the worker is killed. Nothing here
imports torch.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Sequence

import numpy as np

from derivcli.errors import InputError

# Where a name is an open file descriptor: /dev/fd is a link to /proc/self/fd, which
# realpath turns into /proc/<pid>/fd (or /proc/<pid>/task/<tid>/fd).
_PROC_FD = re.compile(r"/proc/(\d+)(?:/task/\d+)?/fd")
_MAX_LINKS = 40  # as the kernel's limit on symbolic links in one lookup


def output_target(path: str | None) -> tuple[str, str | int | None]:
    """Where --output path writes, checked without opening anything.

    ("stdout", None) for no path or "-"; ("fd", N) for /dev/fd/N, /dev/stdout and
    the like; ("device", path) for an existing file that is not a regular file (a
    FIFO, a terminal, /dev/null); ("file", final path) for a regular file, a new
    name, or a symbolic link's final target. An empty or unusable path is an
    InputError that says what to do. (Opening a FIFO to check it, then closing it,
    would give its reader an early end of file.)
    """
    if path is None or path == "-":
        return "stdout", None
    if not path:
        raise InputError.about("output", "{opt} is empty: give a file name (or - for stdout)")
    hop = os.path.join(os.getcwd(), path)
    for _ in range(_MAX_LINKS):
        pid, fd = _descriptor(hop)
        if fd is not None and pid == os.getpid():
            return "fd", _check_descriptor(path, fd)
        if fd is not None:  # another process's descriptor: opened as a device
            return "device", hop
        try:
            hop = os.path.join(os.path.dirname(hop), os.readlink(hop))
        except OSError:  # not a link (or not there)
            break
    final = os.path.realpath(path)
    try:
        mode = os.stat(final).st_mode
    except FileNotFoundError:
        return "file", _check_new_file(path, final)
    except OSError as error:
        raise _bad_output(path, ": {error.strerror}", error=error) from None
    if stat.S_ISDIR(mode):
        raise _bad_output(path, " is a directory; give a file name")
    if stat.S_ISSOCK(mode):
        raise _bad_output(path, " is a socket, which derivcli cannot write to")
    if not os.access(final, os.W_OK):
        raise _bad_output(path, ": permission denied (it is not writable)")
    if not stat.S_ISREG(mode):
        return "device", final
    folder = os.path.dirname(final)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _bad_output(
            path,
            ": no permission to create files in {folder} (derivcli writes a temporary file "
            "beside the output and renames it when complete)",
            folder=folder,
        )
    return "file", final


def _bad_output(path: str, problem: str, **values) -> InputError:
    """An InputError about the output path (--output on the command line, output= in
    Python): problem follows the option and its value, with values filled in."""
    return InputError.about("output", "{opt_value}" + problem, value=path, **values)


def _descriptor(path: str) -> tuple[int | None, int | None]:
    """(pid, N) when path names process pid's file descriptor N (/proc/self/fd/N)."""
    name = os.path.basename(path)
    if not name.isdigit() or not name.isascii():
        return None, None
    folder = _PROC_FD.fullmatch(os.path.realpath(os.path.dirname(path)))
    return (None, None) if folder is None else (int(folder.group(1)), int(name))


def _check_descriptor(path: str, fd: int) -> int:
    import fcntl

    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    except OSError:
        raise _bad_output(path, ": file descriptor {fd} is not open", fd=fd) from None
    if flags & os.O_ACCMODE == os.O_RDONLY:
        raise _bad_output(path, ": file descriptor {fd} is open for reading only", fd=fd)
    return fd


def _check_new_file(path: str, final: str) -> str:
    folder = os.path.dirname(final)
    link = f" (where the symbolic link {path} points)" if os.path.islink(path) else ""
    if not os.path.isdir(folder):
        raise _bad_output(
            path,
            ": the folder {folder}{link} does not exist; create it first",
            folder=folder,
            link=link,
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _bad_output(
            path, ": no permission to create a file in {folder}{link}", folder=folder, link=link
        )
    return final


def check_output(path: str | None, format: str, count_known: bool) -> None:
    """Refuse an unusable --output before any work (output_target, and npy's needs)."""
    kind, target = output_target(path)
    if format != "npy" or count_known or kind in ("stdout", "file"):
        return
    if kind == "fd":
        seekable = _seekable(target)
    else:
        seekable = not stat.S_ISFIFO(os.stat(target).st_mode)  # a device: seen once open
    if not seekable:
        raise InputError(NPY_NEEDS_FILE.format(path=path), "output")


NPY_NEEDS_FILE = (
    "--format npy writes the number of points into its header at the end, which --output "
    "{path} (a pipe, FIFO, terminal or file opened to append) cannot take back when the "
    "points come from a CSV file (their number is not known in advance); give a file "
    "name, or use --format csv or jsonl"
)


def _seekable(fd: int) -> bool:
    """Whether writes to fd can go back (not a pipe or terminal, not opened to append)."""
    try:
        import fcntl
    except ImportError:  # Windows
        fcntl = None
    if fcntl is not None and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_APPEND:
        return False
    try:
        os.lseek(fd, 0, os.SEEK_CUR)
    except OSError:
        return False
    return not os.isatty(fd)


class Output:
    """Where --output writes (see output_target): a file written atomically, a device,
    FIFO or descriptor written directly, or stdout."""

    def __init__(self, path: str | None, *, binary: bool = False):
        self.path = path
        self.seekable = False  # whether a sink may go back and rewrite (npy's header)
        self.start = 0  # where this output's bytes begin
        self._temp = None
        self._kind, target = output_target(path)
        if self._kind == "stdout":
            self.stream = sys.stdout.buffer if binary else sys.stdout
            return
        self._final = target
        fd = None
        try:
            fd = self._create_beside(target) if self._kind == "file" else self._open(target)
            mode, encoding = ("wb", None) if binary else ("w", "utf-8")
            self.stream = os.fdopen(fd, mode, encoding=encoding)
        except BaseException:  # an error, or a signal's exception: nothing left behind
            if fd is not None:
                os.close(fd)
            self._remove_temp()
            raise

    def _open(self, target) -> int:
        """A device, FIFO or descriptor, written as it is: never truncated or renamed."""
        try:
            if self._kind == "fd":
                fd = os.dup(target)
            else:  # a FIFO waits here for its reader, as a shell's redirection does
                fd = os.open(target, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
        except OSError as error:
            raise _bad_output(self.path, ": {error.strerror}", error=error) from None
        self.seekable = _seekable(fd)
        self.start = os.lseek(fd, 0, os.SEEK_CUR) if self.seekable else 0
        return fd

    def _create_beside(self, final: str) -> int:
        """The temporary file in final's folder, with the mode final has (or would get)."""
        from derivcli.cli import watchdog

        directory, name = os.path.split(final)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        while True:
            # The name is known (to abort, and to the watchdog) before the file exists:
            # an exception from a signal handler between any two steps leaves none.
            self._temp = os.path.join(directory, f".{name}.{os.urandom(6).hex()}.partial")
            watchdog.report_partial(self._temp)
            try:
                fd = os.open(self._temp, flags, 0o600)
                break
            except OSError as error:
                watchdog.report_done(self._temp)  # not ours to remove
                self._temp = None
                if not isinstance(error, FileExistsError):  # (a name taken: rarely)
                    raise _bad_output(self.path, ": {error.strerror}", error=error) from None
        self.seekable = True
        try:
            _keep_mode(fd, final)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def commit(self) -> None:
        """Everything is written: put the file in place, or flush stdout."""
        if self._kind == "stdout":
            self.stream.flush()
            return
        self.stream.close()
        if self._temp is not None:
            from derivcli.cli import watchdog

            temp = self._temp
            os.replace(temp, self._final)
            self._temp = None
            watchdog.report_done(temp)

    def abort(self) -> None:
        """Something failed: remove the temporary file, leave no output behind."""
        if self._kind == "stdout":
            return
        try:
            self.stream.close()
        except OSError:
            pass  # a pipe whose reader is gone: its descriptor is closed all the same
        finally:
            self._remove_temp()

    def _remove_temp(self) -> None:
        if self._temp is None:
            return
        from derivcli.cli import watchdog

        temp = self._temp
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass  # never created, or already renamed into place
        self._temp = None
        watchdog.report_done(temp)


def _keep_mode(fd: int, final: str) -> None:
    """Give the file fd the mode (and, as far as allowed, the owner) of final, if it exists."""
    try:
        existing = os.stat(final)
    except OSError:
        os.fchmod(fd, 0o666 & ~_umask())  # a new file: as the shell's > would make it
        return
    if (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
        try:  # root: the owner; others: a group of theirs
            os.fchown(fd, existing.st_uid, existing.st_gid)
        except OSError:
            pass
    os.fchmod(fd, stat.S_IMODE(existing.st_mode))


def _umask() -> int:
    try:  # read without changing it (os.umask sets it, racing other threads)
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def write_text(path: str | None, text: str) -> None:
    """Write a whole rendered document to path (see Output) or to stdout."""
    write_with(path, lambda stream: stream.write(text if text.endswith("\n") else text + "\n"))


def write_with(path: str | None, write, *, binary: bool = False) -> None:
    """Write a whole document to path (see Output) or to stdout with write(stream):
    the file appears only once write returns; after an error nothing is left."""
    output = Output(path, binary=binary)
    try:
        write(output.stream)
        output.commit()
    except BaseException:
        output.abort()
        raise


class Sink:
    """Receives (points [c, k], values [c, *shape]) chunks; close() or abort() at the end."""

    binary = False
    PIECE_ROWS = 4096  # rows formatted at a time: cancel() takes effect within one piece

    def __init__(
        self,
        output: Output,
        names: Sequence[str],
        labels: Sequence[str],
        shape,
        dtype,
        count: int | None = None,
    ):
        self.output = output
        self.expected = count  # the number of points, when known before they are read
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
    """The variables, then one column per entry (d/dx, d2/dxdy, df1/dx); each number the
    shortest text that round-trips in its dtype (the points float64; float32 values as
    0.6666667, like plain's)."""

    def __init__(self, output, names, labels, shape, dtype, count=None):
        super().__init__(output, names, labels, shape, dtype, count)
        self._header = ",".join([*self.names, *self.labels]) + "\n"
        self._row = ",".join(["%r"] * (len(self.names) + len(self.labels))) + "\n"

    def format(self, points, values):
        # The header goes out with the first rows, so that an error in the first
        # chunk leaves stdout empty.
        header, self._header = self._header, ""
        if self.dtype == "float32":
            flat32 = values.reshape(len(values), -1).astype(np.float32)
            return header + "".join(
                [
                    ",".join([*map(repr, point), *map(str, row)]) + "\n"
                    for point, row in zip(points.tolist(), flat32, strict=True)
                ]
            )
        row = self._row
        return header + "".join([row % tuple(r) for r in _rows(points, values)])

    def close(self):
        self.output.stream.write(self._header)
        super().close()


class PlainSink(Sink):
    """Numbers only: one line per point, the entries row-major, separated by one space;
    each number the shortest text that round-trips in the dtype (float32: 0.6666667)."""

    def __init__(self, output, names, labels, shape, dtype, count=None):
        super().__init__(output, names, labels, shape, dtype, count)
        self._line = " ".join(["%r"] * len(self.labels)) + "\n"

    def format(self, points, values):
        if self.dtype == "float32":
            flat32 = values.reshape(len(values), -1).astype(np.float32)
            return "".join([" ".join(map(str, row)) + "\n" for row in flat32])
        line = self._line
        flat = values.reshape(len(values), -1).astype(np.float64, copy=False).tolist()
        return "".join([line % tuple(r) for r in flat])


class JsonlSink(Sink):
    """One JSON object per line: {"point": {...}, "numeric": [...]}; non-finite is null."""

    def __init__(self, output, names, labels, shape, dtype, count=None):
        super().__init__(output, names, labels, shape, dtype, count)
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
    """A .npy array [points, *shape], its header rewritten with the count at the end.

    Where the output cannot go back (a pipe, a FIFO), the header is written once, with
    the count known in advance (--at, --grid, a .npy input); without it, InputError.
    """

    binary = True
    HEADER_BYTES = 128

    def __init__(self, output, names, labels, shape, dtype, count=None):
        super().__init__(output, names, labels, shape, dtype, count)
        if output.path is None or output.path == "-":
            raise InputError("--format npy writes a binary file: give --output FILE.npy", "output")
        self._descr = np.dtype(dtype).str
        if not output.seekable and self.expected is None:
            raise InputError(NPY_NEEDS_FILE.format(path=output.path), "output")
        output.stream.write(self._header(0 if output.seekable else self.expected))

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
        if self.output.seekable:
            end = stream.tell()
            stream.seek(self.output.start)
            stream.write(self._header(self.count))
            stream.seek(end)  # a descriptor shared with the shell stays at the end
        elif self.count != self.expected:
            raise RuntimeError(f"{self.count} points written to a .npy of {self.expected}")
        super().close()


SINKS = {"csv": CsvSink, "plain": PlainSink, "jsonl": JsonlSink, "npy": NpySink}


def open_sink(
    format: str, path: str | None, names, labels, shape, dtype, count: int | None = None
) -> Sink:
    """The sink of a format, writing to path (see Output) or to stdout when None.

    count: the number of points, when known in advance (npy to a pipe needs it).
    """
    sink_class = SINKS[format]
    target = Output(path, binary=sink_class.binary)
    try:
        return sink_class(target, names, labels, shape, dtype, count)
    except BaseException:
        target.abort()
        raise
