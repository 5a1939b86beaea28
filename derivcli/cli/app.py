"""The command line: a thin typer layer over derivcli.api.

Each command calls the API, renders the result and prints it. Every error ends in
one place (on_error): one message on stderr and an exit status from the contract.
Heavy imports (sympy, torch) happen inside the commands, so --help stays fast.
"""

from __future__ import annotations

import errno
import functools
import gc
import os
import re
import sys
from contextlib import contextmanager
from typing import Annotated

import typer
import typer.core

from derivcli import ops
from derivcli.errors import DerivcliError, ExitStatus
from derivcli.run.request import (
    DEFAULT_CHUNK_SIZE,
    DEVICES,
    DTYPES,
    ENGINES,
    FORMATS,
    SYMBOLIC_BACKENDS,
)

# click's UsageError, which typer re-exports only through its subclass BadParameter
# (recent typer releases vendor click).
_UsageError = typer.BadParameter.__mro__[1]


# rich's markup tags (rich.markup.escape's pattern): help text is literal, never markup,
# so that [points, variables] and "[atan2(y, x), hypot(x, y)]" show as written
_MARKUP_TAG = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def _literal(text: str | None) -> str | None:
    """text escaped for rich's markup, which typer's help reads it as."""
    if not text:
        return text
    text = _MARKUP_TAG.sub(lambda m: f"{m[1]}{m[1]}\\{m[2]}", text)
    return text + "\\" if text.endswith("\\") and not text.endswith("\\\\") else text


def _literal_help(command) -> None:
    """A click command's help and its parameters' help shown as written (once)."""
    if getattr(command, "rich_markup_mode", None) != "rich" or hasattr(command, "_literal"):
        return
    command._literal = True
    command.help = _literal(command.help)
    for param in command.params:
        if hasattr(param, "help"):
            param.help = _literal(param.help)


class _Command(typer.core.TyperCommand):
    """A command whose usage errors name it, and that reads an expression beginning with
    '-' as the expression (arguments.expression_last)."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if any(param.name == "expression" for param in self.params):
            from derivcli.cli.arguments import expression_last

            args = expression_last(args, _takes_value(self.get_params(ctx)))
        try:
            return super().parse_args(ctx, args)
        except _UsageError as error:
            if error.ctx is None:  # click's parser leaves it out: then 'derivcli --help'
                error.ctx, error.cmd = ctx, self
            raise


def _takes_value(params) -> dict[str, bool]:
    """Each option name of params (-f, --format, --no-strict) and whether a value follows it."""
    return {
        name: not (param.is_flag or param.count)
        for param in params
        if hasattr(param, "is_flag")  # an option, not an argument
        for name in (*param.opts, *param.secondary_opts)
    }


class _Group(typer.core.TyperGroup):
    """Usage errors as one line on stderr with exit status 2, the same in tests and in use;
    help text shown as written."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _literal_help(self)

    def get_command(self, ctx, cmd_name: str):
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _literal_help(command)
        return command

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            status = super().main(
                args, prog_name or "derivcli", complete_var, standalone_mode=False, **extra
            )
        except _UsageError as error:
            if error.format_message():  # empty after printing the help for no arguments
                command = error.ctx.command_path if error.ctx else "derivcli"
                _error_line(f"{error.format_message()} (see '{command} --help')")
            status = ExitStatus.INPUT
        except (typer.Abort, KeyboardInterrupt):  # Ctrl-C outside a command's own code
            status = _interrupted()
        if standalone_mode:
            sys.exit(status or 0)
        return status


app = typer.Typer(
    cls=_Group,
    name="derivcli",
    help=(
        "Gradients, Jacobians, Hessians, partials of any order, HVPs, Laplacians, divergence, "
        "curl and Taylor polynomials of expressions: "
        "symbolic (sympy) and numeric "
        "(torch autograd) side by side, checked against each other.\n\n"
        'Example: derivcli hessian "sin(x)*y" --at x=0,y=1'
    ),
    no_args_is_help=True,
    add_completion=True,  # --install-completion, --show-completion (entry.py runs it here)
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

Expression = Annotated[
    str,
    typer.Argument(
        metavar="EXPRESSION",
        help='The expression, e.g. "sin(x)*y" (quote it for the shell); - reads it from '
        "stdin, @FILE from a file (line breaks are spaces).",
        show_default=False,
    ),
]
At = Annotated[
    list[str] | None,
    typer.Option(
        "--at",
        metavar="NAME=VALUE,...",
        help="A point, e.g. x=pi/4,y=1; repeat for several points. Without it: symbolic only.",
    ),
]
Wrt = Annotated[
    str | None,
    typer.Option(
        metavar="NAMES",
        help="Variables to differentiate by, in order (x,y); others are parameters. "
        "Default: every variable, in natural order.",
    ),
]


def _choices(names: tuple[str, ...]) -> dict:
    """An option's metavar and completions: the names the request checks against."""
    return {
        "metavar": f"[{'|'.join(names)}]",
        "autocompletion": lambda incomplete: [n for n in names if n.startswith(incomplete)],
    }


Device = Annotated[
    str, typer.Option(help="The device to compute on (cuda:N: the Nth GPU).", **_choices(DEVICES))
]
Dtype = Annotated[str, typer.Option(help="The floating-point type.", **_choices(DTYPES))]
Points = Annotated[
    str | None,
    typer.Option(
        "--points",
        metavar="FILE",
        help="Many points: a CSV file whose header names the variables ('-' for stdin), "
        "or a .npy array [points, variables] whose columns follow --wrt.",
    ),
]
Grid = Annotated[
    str | None,
    typer.Option(
        "--grid",
        metavar="NAME=START:STOP:COUNT,...",
        help="Many points: the cartesian product of evenly spaced values "
        "(e.g. x=0:1:101,y=-1:1:51).",
    ),
]
Format = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        **_choices(FORMATS),
        help="table (for people), json (one document), plain (numbers only, one line per point), "
        "csv (variables then one column per entry), jsonl (one object per point), npy "
        "(one array, points by entries; needs --output) or latex (the symbolic result and "
        "the exact values at --at's points, for amsmath).",
    ),
]
Output = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write to FILE instead of stdout. A file (or a symbolic link's target) appears "
        "only once complete, with the mode of the one it replaces; a FIFO, device or "
        "/dev/fd/N is written as it goes.",
    ),
]
Engine = Annotated[
    str,
    typer.Option(
        help="auto, symbolic (the symbolic derivatives lowered to torch) or autograd "
        "(torch.autograd). auto: symbolic for --points/--grid and the csv, jsonl and npy "
        "formats, autograd where each point is checked against exact values.",
        **_choices(ENGINES),
    ),
]
Symbolic = Annotated[
    str,
    typer.Option(
        "--symbolic",
        help="The symbolic backend: auto, sympy or symengine. auto: SymEngine (50 to 500 "
        "times faster) for large expressions whose functions it has, sympy otherwise; exact "
        "values and verdicts are the same (use sympy or symengine to compare them).",
        **_choices(SYMBOLIC_BACKENDS),
    ),
]
ChunkSize = Annotated[
    int,
    typer.Option(
        min=1, metavar="POINTS", help="Points computed at once; bounds memory for large inputs."
    ),
]
Precision = Annotated[
    int,
    typer.Option(
        min=1, max=17, help="Significant digits in the table (json and plain round-trip)."
    ),
]
Strict = Annotated[
    bool,
    typer.Option(
        help="Exit 3 when an entry's verdict is not agree (undefined, infinite, not "
        "differentiable, overflow, underflow, imprecise, disagree); with --points or --grid "
        "streamed, when a number is not finite."
    ),
]


def _check_timeout(seconds: float | None) -> float | None:
    if seconds is not None and not seconds >= 0:  # negative, or nan
        raise typer.BadParameter(f"{seconds} is not a number of seconds (0 or more; 0: no limit)")
    return seconds


Timeout = Annotated[
    float | None,
    typer.Option(
        metavar="SECONDS",
        callback=_check_timeout,
        show_default=False,
        help="Time budget for the work (parsing, derivatives, exact values, torch's numbers; "
        "not Python's imports), held even inside C code; past it, exit 4. Default: 20 s, "
        "which for --points/--grid streamed covers the symbolic work only; a budget you "
        "give covers the points too. 0: no limit.",
    ),
]
Traceback = Annotated[
    bool, typer.Option(help="Show the Python traceback of an error (for bug reports).")
]


def _command(
    ctx: typer.Context,
    expression: Expression,
    at: At = None,
    points: Points = None,
    grid: Grid = None,
    wrt: Wrt = None,
    device: Device = "cpu",
    dtype: Dtype = "float64",
    format: Format = "table",
    output: Output = None,
    engine: Engine = "auto",
    symbolic: Symbolic = "auto",
    chunk_size: ChunkSize = DEFAULT_CHUNK_SIZE,
    precision: Precision = 6,
    strict: Strict = False,
    timeout: Timeout = None,
    traceback: Traceback = False,
) -> None:
    """Every operation's command: the operation is the command's name."""
    options = dict(locals())
    del options["ctx"]
    _run(ctx.command.name, **options)


Vector = Annotated[
    str | None,
    typer.Option(
        "--vector",
        metavar="VALUES",
        show_default=False,
        help="The vector, one exact value per variable (jvp, hvp, directional) or per "
        "expression (vjp), separated by commas: 1,2 or 1/3,sqrt(2). directional makes it "
        "a unit vector.",
    ),
]


Order = Annotated[
    int | None,
    typer.Option(
        "--order",
        "-k",
        min=0,
        metavar="K",
        show_default=False,
        help="The Taylor polynomial's total order: every term x^a*y^b... with a+b+... <= K. "
        "Default: 2.",
    ),
]

# the options an operation takes beyond _command's (its Op.options), after the expression
EXTRA_OPTIONS = {"vector": Vector, "order": Order}


def _configured_command(ctx: typer.Context, expression: Expression, **options):
    """The command of an operation configured by options of its own (--vector, --order):
    _command's options and those."""
    _run(ctx.command.name, expression=expression, **options)


def _with_options(names: tuple[str, ...]):
    """A command with _command's signature and the options named (EXTRA_OPTIONS) after
    the expression (typer reads the options from the signature, with their annotations
    resolved)."""
    import functools
    import inspect
    import typing

    hints = typing.get_type_hints(_command, include_extras=True)
    signature = inspect.signature(_command)
    ctx, expression, *rest = (
        p.replace(annotation=hints[p.name]) for p in signature.parameters.values()
    )
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    extra = [
        inspect.Parameter(name, kind, default=None, annotation=EXTRA_OPTIONS[name])
        for name in names
    ]
    command = functools.wraps(_configured_command)(functools.partial(_configured_command))
    command.__signature__ = signature.replace(parameters=[ctx, expression, *extra, *rest])
    command.__annotations__ = {**hints, **{name: EXTRA_OPTIONS[name] for name in names}}
    return command


def add_command(op) -> None:
    """Give an operation (derivcli.ops.Op) its command; each registered one has one."""
    command = _with_options(op.options) if op.options else _command
    app.command(op.name, help=op.help(), cls=_Command)(command)
    click_command.cache_clear()


def remove_command(name: str) -> None:
    """Take an operation's command away again (for tests)."""
    app.registered_commands[:] = [c for c in app.registered_commands if c.name != name]
    click_command.cache_clear()


@functools.cache
def click_command():
    """The app as a click command, built once per process: typer builds it from the
    signatures on every call (55 ms in a warm server's child, measured)."""
    return typer.main.get_command(app)


for _op in ops.registered():
    add_command(_op)


def _add_warm_commands() -> None:
    from derivcli.cli import server_commands

    for info in server_commands.server_app.registered_commands:
        if info.cls in (None, typer.core.TyperCommand):
            info.cls = _Command
    app.add_typer(server_commands.server_app, cls=_Group)
    app.command("repl", help=server_commands.REPL_HELP, cls=_Command)(server_commands.repl)


_add_warm_commands()


def _show_version(show: bool) -> None:
    if show:
        from derivcli import __version__

        typer.echo(f"derivcli {__version__}")
        raise typer.Exit()


@app.callback()
def _top_level(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            is_eager=True,
            callback=_show_version,
            help="Print derivcli's version and exit.",
        ),
    ] = False,
) -> None:
    """The options before the command (--version; typer adds the completion's)."""


def _add_plot_command() -> None:
    from derivcli.cli import plot_command

    app.command("plot", help=plot_command.PLOT_HELP)(plot_command.plot)


_add_plot_command()


def report(work) -> None:
    """Run a command's work (returning an exit status) with errors reported as every
    command reports them: one line on stderr and a status from the contract."""
    try:
        status = work()
    except KeyboardInterrupt:
        status = _interrupted()
    except Exception as error:  # noqa: BLE001 - mapped in one place, on_error
        status = on_error(error)
    if status:
        raise typer.Exit(int(status))


def _run(kind: str, *, traceback: bool, **options) -> None:
    try:
        with _termination_signals():
            status = _compute_and_print(kind, **options)
    except _Terminated as stop:
        status = _terminated(stop.signum)
    except KeyboardInterrupt:  # caught here, before click adds a blank line to stderr
        status = _interrupted()
    except BrokenPipeError:  # the reader went away (| head -1): quietly, as SIGPIPE would
        status = ExitStatus.CLOSED_OUTPUT
    except Exception as error:  # noqa: BLE001 - the single place errors become statuses
        status = on_error(error, show_traceback=traceback)
    if status:
        raise typer.Exit(int(status))


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the work is, so that it cleans up as Ctrl-C does."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _termination_signals():
    """While a command runs, SIGTERM and SIGHUP raise _Terminated; the host's handlers
    are back when it returns (typer's CliRunner runs commands in the host's process).
    A signal the host ignores (nohup) stays ignored."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    numbers = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {number: signal.getsignal(number) for number in numbers}
    taken = [number for number in numbers if previous[number] != signal.SIG_IGN]

    def stop(signum, frame):
        for number in taken:  # once: a second one (timeout signals the whole group, and
            signal.signal(number, signal.SIG_IGN)  # the watchdog passes it on) waits
        raise _Terminated(signum)

    for number in taken:
        signal.signal(number, stop)
    try:
        yield
    finally:
        for number in taken:
            handler = previous[number]
            signal.signal(number, signal.SIG_DFL if handler is None else handler)


def _terminated(signum: int) -> ExitStatus:
    """SIGTERM or SIGHUP: one line (if stderr is still there), exit status 128 + signal."""
    import signal

    if signum == getattr(signal, "SIGHUP", None):
        _error_line("terminated (SIGHUP: the terminal was closed)")
        return ExitStatus.HANGUP
    _error_line("terminated (SIGTERM)")
    return ExitStatus.TERMINATED


def _compute_and_print(kind: str, **options) -> ExitStatus:
    """Run the command's request through the pipeline and report what it found."""
    from derivcli.budget import timeout_hint
    from derivcli.cli.arguments import read_expression, say_where
    from derivcli.errors import ParseError
    from derivcli.limits import allow_long_integers
    from derivcli.run import pipeline
    from derivcli.run.request import Request

    allow_long_integers()  # a process-wide setting: the command's, never a host program's
    expression, where = read_expression(options.pop("expression"), points=options["points"])
    request = Request(kind, expression=expression, **options)
    token = timeout_hint.set("raise it with --timeout SECONDS (0 for none)")
    try:
        outcome = pipeline.run(request)
    except ParseError as error:
        if where:
            say_where(error, expression, where)
        raise
    finally:
        timeout_hint.reset(token)
    if request.strict and outcome.failed:
        for finding in outcome.findings:
            _error_line(f"--strict: {finding}")
        return ExitStatus.STRICT
    if outcome.on_stderr:  # numbers only on stdout: say the rest on stderr
        for finding in outcome.findings:
            typer.echo(f"derivcli: warning: {finding}", err=True)
    return ExitStatus.OK


def _interrupted() -> ExitStatus:
    """Ctrl-C: one line; any output file being written was already removed."""
    _error_line("interrupted")
    return ExitStatus.INTERRUPTED


_NO_ROOM = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def on_error(error: BaseException, *, show_traceback: bool = False) -> ExitStatus:
    """Print an error (one message on stderr) and return its exit status."""
    if show_traceback:
        import traceback as tb

        tb.print_exception(error, file=sys.stderr)
    if isinstance(error, DerivcliError):
        # An input error words its argument as this command's option (--at, not at=).
        _error_line(getattr(error, "command_line", None) or str(error))
        return error.exit_status
    if isinstance(error, MemoryError):
        _error_line("out of memory; try fewer points or a smaller expression")
        return ExitStatus.LIMIT
    if isinstance(error, RecursionError):
        _error_line("the expression is too deeply nested to process")
        return ExitStatus.LIMIT
    if isinstance(error, OSError) and error.errno in _NO_ROOM:
        _error_line(f"cannot write the output: {error.strerror}; free space or write elsewhere")
        return ExitStatus.ERROR
    _error_line(
        f"internal error (a bug in derivcli): {type(error).__name__}: {error}. "
        "Rerun with --traceback and report it."
    )
    return ExitStatus.ERROR


def _error_line(message: str) -> None:
    from derivcli.render import printable

    try:
        typer.echo(printable(f"derivcli: error: {message}", sys.stderr), err=True)
    except (OSError, ValueError):
        pass  # stderr is gone (a closed terminal, a closed pipe): the status still tells


def main() -> None:
    """Entry point of the derivcli console script: the app, under a watchdog process.

    The watchdog holds --timeout even where the alarm cannot interrupt C code; typer's
    CliRunner calls app directly and relies on the alarm alone.
    """
    from derivcli.cli.watchdog import run_supervised

    # sympy and torch create hundreds of thousands of objects while they load, and
    # the cycle collector walks them again and again (5% of a whole run, measured
    # with perf). A short-lived command can collect rarely.
    gc.set_threshold(100_000, 50, 100)
    run_supervised(_run_app)


def _run_app() -> None:
    from derivcli.render import can_encode, register_ascii_fallback

    for stream in (sys.stdout, sys.stderr):  # in any locale: never a UnicodeEncodeError
        if not can_encode(stream) and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=register_ascii_fallback())  # ✓ as ok, → as ->
    try:
        click_command()(prog_name="derivcli")
        status = 0
    except SystemExit as exit:
        status = exit.code
    if status == ExitStatus.CLOSED_OUTPUT:
        # What is left in stdout's buffer goes nowhere, not into an error at exit
        # ("Exception ignored ... BrokenPipeError"), as the Python documentation advises.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass
    # Everything is written and closed by now. Python's teardown after torch (its
    # modules and C++ objects freed one by one) takes 0.35 to 0.7 s here, after a
    # 1000-variable Hessian's million entries 1.0 s (measured), longer than many whole
    # runs: skip it. After an import of torch that Ctrl-C cut short, the teardown can
    # hang in torch's C++ destructors (seen here).
    if isinstance(status, str):
        print(status, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    except OSError:  # a full disk under a redirected stdout: the output is incomplete
        status = status or ExitStatus.ERROR
    os._exit(status or 0)
