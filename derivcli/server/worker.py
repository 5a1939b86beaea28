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
WARM_UP = ["hessian", "sin(x)*y + exp(x)/y"]  # symbolic only: sympy, the parser, rich

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
            command.main(WARM_UP, prog_name="derivcli", standalone_mode=False)
        finally:
            sys.stdout = saved
    from derivcli.run import session

    session.current().clear()  # a command's answer never comes from the warm-up
    gc.collect()
    gc.freeze()  # a child's collections skip the warm objects (and leave their pages shared)


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
        os.umask(request["umask"])
        _standard_streams(request["streams"])
        sys.argv = ["derivcli", *request["run"]]
        from derivcli.cli.app import main

        try:
            main()
            status = 0
        except SystemExit as exit:
            status = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    except BaseException as error:  # noqa: BLE001 - a child must never return into the server
        try:
            sys.stderr.write(f"derivcli: error: the server could not run the command: {error}\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001
            pass
    finally:
        os._exit(status)


def _standard_streams(streams: list[dict]) -> None:
    """sys.stdin, stdout and stderr on fds 0, 1 and 2, set up as the client's Python set
    up its own (encoding, errors; line buffering on a terminal, stderr always)."""
    _kept.extend([sys.stdin, sys.stdout, sys.stderr, sys.__stdin__, sys.__stdout__])
    _kept.append(sys.__stderr__)
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
