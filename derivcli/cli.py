"""The command line: a thin typer layer over derivcli.api.

Each command calls the API, renders the result and prints it. Every error ends in
one place (on_error): one message on stderr and an exit status from the contract.
Heavy imports (sympy, torch) happen inside the commands, so --help stays fast.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
import typer.core

from derivcli.errors import DerivcliError, ExitStatus
from derivcli.limits import DEFAULT_TIMEOUT

# click's UsageError, which typer re-exports only through its subclass BadParameter
# (recent typer releases vendor click).
_UsageError = typer.BadParameter.__mro__[1]


class _Group(typer.core.TyperGroup):
    """Usage errors as one line on stderr with exit status 2, the same in tests and in use."""

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
        except typer.Abort:
            _error_line("interrupted")
            status = 130
        if standalone_mode:
            sys.exit(status or 0)
        return status


app = typer.Typer(
    cls=_Group,
    name="derivcli",
    help=(
        "Gradients, Jacobians and Hessians of expressions: symbolic (sympy) and numeric "
        "(torch autograd) side by side, checked against each other.\n\n"
        'Example: derivcli hessian "sin(x)*y" --at x=0,y=1'
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

Expression = Annotated[
    str, typer.Argument(help='The expression, e.g. "sin(x)*y" (quote it for the shell).')
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
Device = Annotated[str, typer.Option(help="cpu, cuda, cuda:N or mps.")]
Dtype = Annotated[str, typer.Option(help="float64 or float32.")]
Format = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="table (for people), json (one document) or plain (numbers only, one line per point).",
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
        help="Exit 3 when a result is undefined, non-finite, or torch and sympy disagree."
    ),
]
Timeout = Annotated[
    float,
    typer.Option(
        metavar="SECONDS",
        help="Time budget for the computation: parsing, derivatives, exact values and torch's "
        "numbers, held even inside C code; past it, exit 4 (0: none).",
    ),
]
Traceback = Annotated[
    bool, typer.Option(help="Show the Python traceback of an error (for bug reports).")
]


@app.command()
def grad(
    expression: Expression,
    at: At = None,
    wrt: Wrt = None,
    device: Device = "cpu",
    dtype: Dtype = "float64",
    format: Format = "table",
    precision: Precision = 6,
    strict: Strict = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
    traceback: Traceback = False,
) -> None:
    """Gradient of one expression.

    \b
    Examples:
      derivcli grad "x^2*y + exp(x*y)" --at x=1,y=0
      derivcli grad "x^2*y" --wrt y --at x=3,y=1 --format plain
      derivcli grad "sin(x)*cos(y)"            (symbolic only)
    """
    _run("grad", **locals())


@app.command()
def jacobian(
    expression: Expression,
    at: At = None,
    wrt: Wrt = None,
    device: Device = "cpu",
    dtype: Dtype = "float64",
    format: Format = "table",
    precision: Precision = 6,
    strict: Strict = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
    traceback: Traceback = False,
) -> None:
    """Jacobian of one or more expressions, separated by commas or in brackets.

    \b
    Examples:
      derivcli jacobian "r*cos(t), r*sin(t)" --wrt r,t --at r=2,t=pi/2
      derivcli jacobian "[x*y, x+y, exp(x)]" --at x=0,y=1 --format json
    """
    _run("jacobian", **locals())


@app.command()
def hessian(
    expression: Expression,
    at: At = None,
    wrt: Wrt = None,
    device: Device = "cpu",
    dtype: Dtype = "float64",
    format: Format = "table",
    precision: Precision = 6,
    strict: Strict = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
    traceback: Traceback = False,
) -> None:
    """Hessian (matrix of second derivatives) of one expression.

    \b
    Examples:
      derivcli hessian "sin(x)*y" --at x=0,y=1
      derivcli hessian "sin(x)" --at x=0 --format plain
      derivcli hessian "x^2*y^3" --at x=1,y=2 --at x=0,y=0 --format json
    """
    _run("hessian", **locals())


def _run(
    kind: str, *, expression, at, wrt, device, dtype, format, precision, strict, timeout, traceback
) -> None:
    try:
        status = _compute_and_print(
            kind, expression, at, wrt, device, dtype, format, precision, strict, timeout
        )
    except Exception as error:  # noqa: BLE001 - the single place errors become statuses
        status = on_error(error, show_traceback=traceback)
    if status:
        raise typer.Exit(int(status))


def _compute_and_print(
    kind, expression, at, wrt, device, dtype, format, precision, strict, timeout
) -> ExitStatus:
    from derivcli import render
    from derivcli.errors import InputError
    from derivcli.limits import allow_long_integers

    allow_long_integers()

    if format not in render.FORMATS:
        raise InputError(f"unknown format '{format}': use {', '.join(render.FORMATS)}")
    from derivcli.api import compute

    result = compute(
        kind, expression, at, wrt=wrt, device=device, dtype=dtype, timeout=timeout or None
    )
    if format == "json":
        typer.echo(render.render_json(result))
    elif format == "plain":
        typer.echo(render.render_plain(result))
    else:
        from rich.console import Console

        console = Console()
        for renderable in render.render_table(result, precision):
            console.print(renderable)
    if strict and not result.agree:
        for point in result.results:
            for warning in point.warnings:
                _error_line(f"--strict: {warning}")
        return ExitStatus.STRICT
    return ExitStatus.OK


def on_error(error: BaseException, *, show_traceback: bool = False) -> ExitStatus:
    """Print an error (one message on stderr) and return its exit status."""
    if show_traceback:
        import traceback as tb

        tb.print_exception(error, file=sys.stderr)
    if isinstance(error, DerivcliError):
        _error_line(str(error))
        return error.exit_status
    if isinstance(error, MemoryError):
        _error_line("out of memory; try fewer points or a smaller expression")
        return ExitStatus.LIMIT
    if isinstance(error, RecursionError):
        _error_line("the expression is too deeply nested to process")
        return ExitStatus.LIMIT
    _error_line(
        f"internal error (a bug in derivcli): {type(error).__name__}: {error}. "
        "Rerun with --traceback and report it."
    )
    return ExitStatus.ERROR


def _error_line(message: str) -> None:
    typer.echo(f"derivcli: error: {message}", err=True)


def main() -> None:
    """Entry point of the derivcli console script: the app, under a watchdog process.

    The watchdog holds --timeout even where the alarm cannot interrupt C code; typer's
    CliRunner calls app directly and relies on the alarm alone.
    """
    from derivcli.watchdog import run_supervised

    run_supervised(app)
