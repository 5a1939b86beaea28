"""The commands that keep derivcli warm: `server start|stop|status` and `repl`."""

from __future__ import annotations

import functools
import time
from typing import Annotated

import typer


def _help(*paragraphs: str, examples: tuple[str, ...]) -> str:
    """A command's help: paragraphs (rich rewraps each), then examples kept as lines."""
    lines = "\n".join(f"  {example}" for example in examples)
    return "\n\n".join(paragraphs) + f"\n\n\b\nExamples:\n{lines}"


server_app = typer.Typer(
    name="server",
    help=_help(
        "A warm background server that answers every derivcli command at once (0.1 s "
        "instead of 2 to 3 s): start it once, then use derivcli as usual.",
        examples=("derivcli server start", 'derivcli hessian "sin(x)*y" --at x=0,y=1'),
    ),
    no_args_is_help=True,
)

Idle = Annotated[
    float,
    typer.Option(
        "--idle",
        min=0,
        metavar="MINUTES",
        help="Stop after this many minutes without a command (0: never).",
    ),
]


def _reported(work):
    """A command whose body returns its exit status, errors reported as every command's
    are (cli.app.report); typer reads the body's signature."""

    @functools.wraps(work)
    def command(*args, **kwargs) -> None:
        from derivcli.cli.app import report

        report(lambda: work(*args, **kwargs))

    return command


@server_app.command(
    "start",
    help=_help(
        "Start this user's server, unless it runs.",
        "One server per user and installation of derivcli. It imports sympy and torch "
        "once and answers each command in a fresh process of its own, which writes "
        "straight to your terminal, pipe or file: the output, the exit status, Ctrl-C and "
        "--timeout are as without it. A server of another version (or of changed code) "
        "is replaced. Only you can reach it (a Unix socket in a directory of mode 700, "
        "and each caller's uid checked). DERIVCLI_NO_SERVER=1 runs a command without it.",
        examples=("derivcli server start", "derivcli server start --idle 120"),
    ),
)
@_reported
def start(idle: Idle = 30.0) -> int:
    """Start the server (the help above)."""
    from derivcli.server import control

    info, started = control.start(idle)
    if started:
        typer.echo(f"derivcli server started: pid {info['pid']}, {_idle_words(info)}")
    else:
        typer.echo(f"derivcli server already running: pid {info['pid']}")
    return 0


@server_app.command(
    "stop",
    help=_help(
        "Stop this user's server, after the commands it is running.",
        "Nothing to stop is not an error.",
        examples=("derivcli server stop",),
    ),
)
@_reported
def stop() -> int:
    """Stop the server."""
    from derivcli.server import control

    info = None if control.directory() is None else control.stop()
    if info is None:
        typer.echo("no derivcli server is running")
    else:
        typer.echo(f"derivcli server stopped: pid {info['pid']}")
    return 0


@server_app.command(
    "status",
    help=_help(
        "Whether this user's server runs: exit status 0 if it does, 1 if not.",
        "1 also when the server that runs is of another version or of changed code, "
        "which 'server start' replaces.",
        examples=("derivcli server status", "derivcli server status >/dev/null && echo warm"),
    ),
)
@_reported
def status() -> int:
    """Say whether the server runs."""
    from derivcli.server import control

    info = control.ask("status") if control.directory() is not None else None
    if info is None:
        typer.echo("no derivcli server is running")
        return 1
    if not control.current(info):
        typer.echo(
            f"a derivcli server of another version or of changed code is running "
            f"(pid {info['pid']}); 'derivcli server start' replaces it"
        )
        return 1
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info["started"]))
    rows = [
        ("running", f"pid {info['pid']}, derivcli {info['version']}"),
        ("started", started),
        ("stops", _idle_words(info)),
        ("answered", f"{info['served']} commands ({info['running']} running now)"),
        ("socket", info["socket"]),
    ]
    for name, value in rows:
        typer.echo(f"{name:<9} {value}")
    return 0


def _idle_words(info: dict) -> str:
    minutes = info["idle_minutes"]
    return "never on its own" if not minutes else f"after {minutes:g} idle minutes"


REPL_HELP = _help(
    "An interactive prompt: each line a command, answered at once.",
    "Each line is a derivcli command without 'derivcli' in front, answered from a warm "
    "process. 'help' lists the commands, 'help CMD' explains one; quit, exit or Ctrl-D "
    "leaves; Ctrl-C cancels the running line. Line editing, Tab completion and a history "
    "(~/.local/state/derivcli/history). Lines read from a pipe or a file run one by one; "
    "the exit status is the last command's.",
    examples=("derivcli repl", "derivcli repl < commands.txt"),
)


@_reported
def repl() -> int:
    """The prompt (REPL_HELP)."""
    from derivcli.server import repl as prompt

    return prompt.run()
