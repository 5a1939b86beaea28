"""A supervising process that holds the time budget even when C code does not return.

The alarm of budget.time_budget interrupts Python code only: a signal handler runs
between bytecodes, so a long computation inside C (a huge integer, a C extension)
keeps running, and so would a watchdog thread, which needs the interpreter lock.

run_supervised forks: the child runs the command and tells the parent, through a
pipe, when a time budget starts and stops (budget.time_budget does this). If the
child is still inside a budget GRACE_SECONDS after it ran out, the parent kills it,
prints the budget's message and exits with status 4. Otherwise the parent exits
with the child's status. The child inherits stdin, stdout and stderr, so output is
unchanged. Where os.fork is missing (Windows) the command runs unsupervised.

The child also reports the temporary files of --output ('partial HEX' when one is
created, 'done HEX' when it is renamed or removed; HEX is the name's bytes), and the
parent removes any that are left when the child ends: a SIGKILL for the budget, or
a crash, leaves no partial file.
"""

from __future__ import annotations

import math
import os
import select
import signal
import sys
import time
from collections.abc import Callable

from derivcli import budget
from derivcli.errors import ExitStatus

GRACE_SECONDS = 1.0
DISABLE_VARIABLE = "DERIVCLI_NO_WATCHDOG"

# In the child: the write end of the pipe to the supervisor (None elsewhere).
_child_fd: int | None = None


def run_supervised(command: Callable[[], object]) -> None:
    """Run command() in a supervised child process; exit with its status (or 4 on timeout)."""
    if not hasattr(os, "fork") or os.environ.get(DISABLE_VARIABLE):
        command()
        return
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: run the command as usual, reporting its budgets
        global _child_fd
        os.close(read_fd)
        budget.connect_watchdog(write_fd)
        _child_fd = write_fd
        command()
        return
    os.close(write_fd)
    status = _supervise(pid, read_fd)
    os.close(read_fd)
    sys.exit(status)


def _supervise(pid: int, read_fd: int) -> int:
    # Ctrl-C reaches the child too (same process group), which reports it; a
    # termination request to the parent is passed on (unless ignored, as under nohup).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None and signal.getsignal(signum) != signal.SIG_IGN:
            signal.signal(signum, lambda number, frame: _kill(pid, number))
    deadline: float | None = None
    message = ""
    pending = b""
    partials: set[str] = set()  # the child's temporary files, removed if it leaves them
    while True:
        wait = None if deadline is None else min(max(deadline - time.monotonic(), 0.0), 3600.0)
        ready, _, _ = select.select([read_fd], [], [], wait)
        if not ready and deadline is not None and time.monotonic() >= deadline:
            _kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            _remove_partials(partials, pending, read_fd)
            try:
                sys.stderr.write(f"derivcli: error: {message}\n")
                sys.stderr.flush()
            except (OSError, ValueError):
                pass  # no terminal any more
            return int(ExitStatus.LIMIT)
        if not ready:
            continue
        chunk = os.read(read_fd, 4096)
        if not chunk:  # the child closed the pipe: it has finished
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            text = line.decode(errors="replace")
            if not _track(text, partials):
                deadline, message = _update(text, deadline, message)
    _, wait_status = os.waitpid(pid, 0)
    _remove_partials(partials, pending, read_fd)
    code = os.waitstatus_to_exitcode(wait_status)
    return code if code >= 0 else 128 - code


def _update(line: str, deadline: float | None, message: str) -> tuple[float | None, str]:
    """Apply one report from the child: 'start SECONDS MESSAGE' or 'stop'."""
    if line.startswith("start "):
        _, seconds, text = (line + " ").split(" ", 2)
        try:
            value = float(seconds)
        except ValueError:
            return deadline, message
        if not math.isfinite(value):
            return deadline, message
        return time.monotonic() + value + GRACE_SECONDS, text.strip()
    if line == "stop":
        return None, message
    return deadline, message


def report_partial(path: str) -> None:
    """In the child: path is a temporary file that the supervisor removes if the child dies."""
    _report("partial", path)


def report_done(path: str) -> None:
    """In the child: the temporary file path is gone (renamed into place, or removed)."""
    _report("done", path)


def _report(word: str, path: str) -> None:
    if _child_fd is None:
        return
    # The name in hex: any bytes, even a line break, fit on one line.
    line = f"{word} {os.fsencode(os.path.abspath(path)).hex()}\n"
    try:
        os.write(_child_fd, line.encode("ascii"))
    except OSError:
        pass  # the supervisor is gone


def _track(line: str, partials: set[str]) -> bool:
    """Apply a report about temporary files ('partial HEX', 'done HEX'); whether it was one."""
    word, _, name = line.partition(" ")
    if word == "partial":
        partials.add(name)
    elif word == "done":
        partials.discard(name)
    else:
        return False
    return True


def _remove_partials(partials: set[str], pending: bytes, read_fd: int) -> None:
    """Remove the temporary files the child left (it was killed, or crashed)."""
    while select.select([read_fd], [], [], 0)[0]:  # reports not read yet
        chunk = os.read(read_fd, 4096)
        if not chunk:
            break
        pending += chunk
    for line in pending.split(b"\n"):
        _track(line.decode(errors="replace"), partials)
    for name in partials:
        try:
            path = bytes.fromhex(name)
        except ValueError:
            continue
        base = os.path.basename(path)
        if base.startswith(b".") and base.endswith(b".partial"):  # only sinks.Output's
            try:
                os.unlink(path)
            except OSError:
                pass
    partials.clear()


def _kill(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
