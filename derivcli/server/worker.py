"""The warm process (imports done, first-call paths taken) and the child that runs one
command in it, as the console script would have run it.

A warm process never computes with torch: a fork is safe only from a parent whose
thread pools have not started (measured: ARCHITECTURE.md, "Pitfalls"). Each command
runs in a child forked from it, so that nothing one command does reaches the next.
"""

from __future__ import annotations

import gc
import io
import os
import signal
import sys

from derivcli.server.protocol import FORWARDED

# Loaded by a command after the warm-up's symbolic run; imported here once. What each
# saves a child (measured with cProfile in a child of a warm process): torch's autograd
# imports torch.fx.experimental.symbolic_shapes on its first call, 73 ms.
MODULES = (
    "numpy",
    "mpmath",
    "torch",
    "torch.fx.experimental.symbolic_shapes",
    "symengine",
    "derivcli.api",
    "derivcli.batch",
    "derivcli.render",
    "derivcli.io.sinks",
    "derivcli.io.sources",
    "derivcli.io.progress",
    "derivcli.numeric.engines",
    "derivcli.numeric.lower",
    "derivcli.numeric.autodiff",
    "derivcli.numeric.stable",
    "derivcli.numeric.torch_functions",
    "derivcli.numeric.torch_special",
    "derivcli.check.verdict",
    "derivcli.check.fast",
    "derivcli.check.precision",
    "derivcli.symbolic.symengine_backend",
    "rich.progress",
)
# Symbolic only (no torch): the parser, both backends, the table.
WARM_UP = (
    ["hessian", "sin(x)*y + exp(x)/y"],
    ["jacobian", "x*y^2, exp(x)/y", "--symbolic", "symengine", "--format", "json"],
)

_kept: list = []  # the streams a child replaced, kept: collecting one would close its fd


def warm() -> None:
    """Import everything a command needs and take the first-call paths that do not
    compute with torch (typer's command tree, a symbolic-only command)."""
    import importlib

    from derivcli.cli import app

    for name in MODULES:
        importlib.import_module(name)
    command = app.click_command()
    with open(os.devnull, "w") as devnull:
        saved = sys.stdout
        sys.stdout = devnull
        try:
            for args in WARM_UP:
                command.main(args, prog_name="derivcli", standalone_mode=False)
        finally:
            sys.stdout = saved
    from derivcli.run import session

    session.current().clear()  # a command's answer never comes from the warm-up
    gc.collect()
    gc.freeze()  # a child's collections skip the warm objects (and leave their pages shared)


def fork_blocked() -> int:
    """os.fork() with FORWARDED blocked in the child until run_command has made it the
    client's process (until then it has its parent's handlers); unblocked in the parent."""
    signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED)
    try:
        pid = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
        raise
    if pid:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
    return pid


def run_command(request: dict, fds: list[int], *, own_group: bool) -> None:
    """In a freshly forked child: become the client's process (streams, working
    directory, environment, umask, arguments), run the command, and exit with its
    status. Never returns."""
    status = 1
    try:
        if own_group:
            os.setpgid(0, 0)  # the client signals this group
        for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in set(fds) - {0, 1, 2}:
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        _settings_from_environment()
        os.umask(request["umask"])
        _standard_streams(request["streams"])
        _limits(request.get("limits", {}))
        sys.argv = ["derivcli", *request["run"]]
        from derivcli.cli.app import main

        signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)  # a pending Ctrl-C lands here
        try:
            main()
            status = 0
        except SystemExit as exit:
            status = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    except KeyboardInterrupt:  # before the command's own handling began
        status = 130
        _say("interrupted")
    except BaseException as error:  # noqa: BLE001 - a child must never return into the server
        _say(f"the server could not run the command: {type(error).__name__}: {error}")
    finally:
        os._exit(status)


def _say(message: str) -> None:
    try:
        sys.stderr.write(f"derivcli: error: {message}\n")
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - no stderr left: the status still tells
        pass


def _limits(wanted: dict) -> None:
    """Take the client's resource limits, priority and CPUs where this process may
    (a limit above the server's own hard limit, a higher priority: kept as they are)."""
    import resource

    for name, (soft, hard) in wanted.get("rlimits", {}).items():
        number = getattr(resource, name, None)
        if number is None:
            continue
        for pair in ((soft, hard), (soft, resource.getrlimit(number)[1])):
            try:
                resource.setrlimit(number, pair)
                break
            except (ValueError, OSError):
                continue
    if "nice" in wanted:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, int(wanted["nice"]))
        except OSError:
            pass
    if wanted.get("cpus") and hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, wanted["cpus"])
        except OSError:
            pass


def _settings_from_environment() -> None:
    """What Python takes from the environment at start-up and a child can take again:
    the character type's locale (LANG, LC_ALL, LC_CTYPE) and the time zone (TZ)."""
    import locale
    import time

    try:
        locale.setlocale(locale.LC_CTYPE, "")
    except locale.Error:
        pass  # a locale this system lacks: Python's start-up also keeps going
    time.tzset()


def _standard_streams(streams: list[dict]) -> None:
    """sys.stdin, stdout and stderr on fds 0, 1 and 2, set up as the client's Python set
    up its own (encoding, errors; line buffering on a terminal, stderr always)."""
    _kept.extend([sys.stdin, sys.stdout, sys.stderr, sys.__stdin__, sys.__stdout__, sys.__stderr__])
    made = []
    for fd, spec in enumerate(streams[:3]):
        binary = open(fd, "rb" if fd == 0 else "wb", closefd=False)
        made.append(
            io.TextIOWrapper(
                binary,
                encoding=spec.get("encoding") or "utf-8",
                errors=spec.get("errors") or "strict",
                line_buffering=fd == 2 or (fd == 1 and os.isatty(1)),
            )
        )
    sys.stdin, sys.stdout, sys.stderr = made
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = made
