"""A supervising process that holds the time budget even when C code does not return.

The alarm of limits.time_budget interrupts Python code only: a signal handler runs
between bytecodes, so a long computation inside C (a huge integer, a C extension)
keeps running, and so would a watchdog thread, which needs the interpreter lock.

run_supervised forks: the child runs the command and tells the parent, through a
pipe, when a time budget starts and stops (limits.time_budget does this). If the
child is still inside a budget GRACE_SECONDS after it ran out, the parent kills it,
prints the budget's message and exits with status 4. Otherwise the parent exits
with the child's status. The child inherits stdin, stdout and stderr, so output is
unchanged. Where os.fork is missing (Windows) the command runs unsupervised.
"""

from __future__ import annotations

import math
import os
import select
import signal
import sys
import time
from collections.abc import Callable

from derivcli import limits
from derivcli.errors import ExitStatus

GRACE_SECONDS = 1.0
DISABLE_VARIABLE = "DERIVCLI_NO_WATCHDOG"


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
        os.close(read_fd)
        limits.connect_watchdog(write_fd)
        command()
        return
    os.close(write_fd)
    status = _supervise(pid, read_fd)
    os.close(read_fd)
    sys.exit(status)


def _supervise(pid: int, read_fd: int) -> int:
    # Ctrl-C reaches the child too (same process group), which reports it; a
    # termination request to the parent is passed on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            signal.signal(signum, lambda number, frame: _kill(pid, number))
    deadline: float | None = None
    message = ""
    pending = b""
    while True:
        wait = None if deadline is None else min(max(deadline - time.monotonic(), 0.0), 3600.0)
        ready, _, _ = select.select([read_fd], [], [], wait)
        if not ready and deadline is not None and time.monotonic() >= deadline:
            _kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.stderr.write(f"derivcli: error: {message}\n")
            sys.stderr.flush()
            return int(ExitStatus.LIMIT)
        if not ready:
            continue
        chunk = os.read(read_fd, 4096)
        if not chunk:  # the child closed the pipe: it has finished
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            deadline, message = _update(line.decode(errors="replace"), deadline, message)
    _, wait_status = os.waitpid(pid, 0)
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


def _kill(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
