"""derivcli plot: f and its derivatives as a picture, with the points where they do not
exist marked; two variables as contours of f with its gradient field.

    >>> import derivcli
    >>> figure = derivcli.plot("abs(x) + sin(2x)", "x=-3:3", output="plot.png")  # doctest: +SKIP

The modules: `ranges` (what --range and --at give, checked first), `breaks` (where a
derivative does not exist, by derivcli's verdicts), `sampling` (the numbers, from
derivcli's engines), `figure` (a png, svg or pdf through matplotlib, the optional
extra `plot`) and `terminal` (braille curves, no matplotlib).
"""

from __future__ import annotations

from derivcli import budget
from derivcli.errors import InputError
from derivcli.plotting.ranges import check_variables, parse_ranges

MAX_ORDER = 3
DEFAULT_ORDER = 2


def sample(
    expression: str, ranges, *, order: int | None = None, at=None, timeout=budget.DEFAULT_TIMEOUT
):
    """What a plot draws: a sampling.Curves (one variable) or a sampling.Field (two), after
    checking every argument (without importing torch)."""
    spans, fixed = check(expression, ranges, order, at, timeout)
    order = DEFAULT_ORDER if order is None else order
    from derivcli.plotting import sampling

    with budget.time_budget(timeout):
        if len(spans) == 1:
            return sampling.curves(expression, spans[0], order, fixed, timeout)
        return sampling.field(expression, spans, fixed, timeout)


def check(expression: str, ranges, order, at, timeout) -> tuple[list, dict]:
    """The ranges and the other variables' values, every argument checked (an
    InputError naming what is wrong and what to do)."""
    from derivcli.api import check_timeout

    if order is not None and (
        isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= MAX_ORDER
    ):
        raise InputError.about(
            "order", "{opt} is the highest derivative drawn: 0 to 3, not {value}", value=order
        )
    check_timeout(timeout)
    spans = parse_ranges(ranges)
    if order is not None and len(spans) == 2:
        raise InputError.about(
            "order",
            "{opt} is for one variable: with two, derivcli plot draws f's contours and its "
            "gradient; leave {opt} out",
        )
    return spans, check_variables(expression, spans, at)


def plot(
    expression: str,
    ranges,
    *,
    order: int | None = None,
    at=None,
    output: str | None = None,
    format: str | None = None,  # noqa: A002 - as --format
    timeout=budget.DEFAULT_TIMEOUT,
):
    """The plot of expression as a matplotlib Figure; written to output (a .png, .svg or
    .pdf path) when given, as derivcli writes every output.

    ranges: "x=-3:3" (one variable: f and its derivatives up to order, 0 to 3, default 2) or
        "x=-3:3,y=-1:1" (two: contours of f with its gradient), or {"x": (-3, 3)}.
    at: values for the expression's other variables ("a=1" or {"a": 1}).
    format: "png", "svg" or "pdf"; default: output's suffix ("-" is stdout).
    """
    from derivcli.plotting import figure

    if output is not None:
        check_output(output, format)
    check(expression, ranges, order, at, timeout)
    figure.pyplot()  # the missing extra is said before any work
    drawn = figure.draw(sample(expression, ranges, order=order, at=at, timeout=timeout))
    if output is not None:
        figure.write(drawn, output, format)
    return drawn


def check_output(path: str, form: str | None = None) -> None:
    """Refuse an unusable output path (its suffix, its folder, what it is) before any work."""
    from derivcli.io.sinks import output_target
    from derivcli.plotting.figure import format_of

    output_target(path)
    format_of(path, form)
