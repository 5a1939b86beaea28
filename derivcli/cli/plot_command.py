"""`derivcli plot`: f and its derivatives as a picture, in the terminal or in a file."""

from __future__ import annotations

from typing import Annotated

import typer

PLOT_HELP = (
    "Plot f and its derivatives over a range, with the points where a derivative does "
    "not exist marked (kinks, jumps, poles, domain ends), as derivcli's verdicts find them.\n\n"
    "One variable: f, f′, f″ (up to --order) one above the other. Two variables: contours "
    "of f with its gradient field. Without --output, drawn in the terminal (sized to it); "
    "with it, a .png, .svg or .pdf file, which needs matplotlib "
    "(pip install 'derivcli[plot]').\n\n"
    "\b\nExamples:\n"
    '  derivcli plot "abs(x) + sin(2x)" --range x=-3:3\n'
    '  derivcli plot "tan(x)" --range x=-3:3 --order 1 -o tan.png\n'
    '  derivcli plot "x*y + sin(y)" --range x=-2:2,y=-2:2 -o field.svg'
)

Expression = Annotated[
    str, typer.Argument(help='The expression, e.g. "abs(x) + sin(2x)" (quote it for the shell).')
]
Ranges = Annotated[
    list[str] | None,
    typer.Option(
        "--range",
        "-r",
        metavar="NAME=START:STOP,...",
        show_default=False,
        help="The interval of each variable plotted, one or two: x=-3:3 or x=-2:2,y=-1:1 "
        "(exact values: x=-pi:pi).",
    ),
]
Order = Annotated[
    int | None,
    typer.Option(
        "--order",
        "-k",
        metavar="K",
        show_default=False,
        help="The highest derivative drawn (one variable only): 0 to 3. Default: 2.",
    ),
]
At = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="NAME=VALUE,...",
        show_default=False,
        help="Values for the expression's other variables (parameters), e.g. a=2.",
    ),
]
Output = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        show_default=False,
        help="Write the plot to FILE: its suffix names the format (.png, .svg or .pdf). "
        "Written as every derivcli output: a file appears only once complete.",
    ),
]
Format = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        metavar="png|svg|pdf",
        show_default=False,
        help="The format of --output's file. Default: its suffix's (needed for -, stdout, "
        "or a FILE without one, e.g. /dev/fd/3).",
    ),
]
Width = Annotated[
    int | None,
    typer.Option(
        min=30,
        metavar="COLUMNS",
        show_default=False,
        help="The terminal plot's width. Default: the terminal's (COLUMNS).",
    ),
]
Height = Annotated[
    int | None,
    typer.Option(
        min=10,
        metavar="LINES",
        show_default=False,
        help="The terminal plot's height. Default: the terminal's (LINES).",
    ),
]
Timeout = Annotated[
    float | None,
    typer.Option(
        metavar="SECONDS",
        show_default=False,
        help="Time budget for the work (the derivatives, the breaks, the numbers); past it, "
        "exit 4. Default: 20 s. 0: no limit.",
    ),
]


def plot(
    expression: Expression,
    range: Ranges = None,  # noqa: A002 - the option is --range
    order: Order = None,
    at: At = None,
    output: Output = None,
    format: Format = None,  # noqa: A002 - the option is --format
    width: Width = None,
    height: Height = None,
    timeout: Timeout = None,
) -> None:
    """Plot f and its derivatives (PLOT_HELP)."""
    from derivcli.cli.app import report

    size = (width, height)
    report(lambda: _plot(expression, range, order, at, (output, format), size, timeout))


def _plot(expression, ranges, order, at, written, size, timeout) -> int:
    from derivcli import budget, plotting
    from derivcli.errors import ExitStatus
    from derivcli.limits import allow_long_integers

    allow_long_integers()
    output, form = written
    if form is not None and output is None:
        from derivcli.errors import InputError

        raise InputError("--format names the format of --output's file: give -o FILE as well")
    if timeout is None:
        timeout = budget.DEFAULT_TIMEOUT
    elif timeout == 0:
        timeout = None
    try:
        if output is not None:
            plotting.plot(
                expression, ranges, order=order, at=at, output=output, format=form, timeout=timeout
            )
            return ExitStatus.OK
        import sys

        from derivcli.plotting import terminal

        terminal.check_console(sys.stdout)
        drawn = plotting.sample(expression, ranges, order=order, at=at, timeout=timeout)
        terminal.show(drawn, *size)
    except BrokenPipeError:  # the reader went away (| head): quietly, as SIGPIPE would
        return ExitStatus.CLOSED_OUTPUT
    return ExitStatus.OK
