"""What a plot spans: --range NAME=START:STOP for one or two variables, checked strictly.

Imports neither sympy's heavy parts nor torch nor matplotlib: a bad range is an input
error at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from derivcli.errors import InputError
from derivcli.expr.parse import is_identifier, parse_point, parse_tree, parse_value, split_top_level

MAX_VARIABLES = 2


@dataclass(frozen=True)
class Range:
    """A variable's interval: exact bounds (sympy numbers) and their floats."""

    name: str
    start: object
    stop: object

    @property
    def floats(self) -> tuple[float, float]:
        """The bounds as floats, for sampling."""
        return float(self.start), float(self.stop)


def _error(template: str, **values) -> InputError:
    """An error about the ranges: {opt} is --range on the command line, ranges= in Python."""
    return InputError(
        template.format(opt="ranges=", **values),
        "ranges",
        template.format(opt="--range", **values),
    )


def parse_ranges(ranges) -> list[Range]:
    """Ranges from text ("x=-3:3", "x=-3:3,y=0:pi", or a list of such) or a mapping
    ({"x": (-3, 3)}), in the order given."""
    if isinstance(ranges, str):
        ranges = [ranges]
    if isinstance(ranges, Mapping):
        items = [(str(name), bounds) for name, bounds in ranges.items()]
        return [_checked(name, *_pair(name, bounds)) for name, bounds in items]
    if ranges is None:
        return []
    if not isinstance(ranges, Sequence):
        raise _error("{opt} takes NAME=START:STOP text (x=-3:3) or {{'x': (-3, 3)}}")
    parsed: list[Range] = []
    for spec in ranges:
        for _, part in split_top_level(str(spec)):
            parsed.append(_parse_one(part.strip()))
    names = [r.name for r in parsed]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise _error("{opt} gives {name} twice: give each variable one range", name=twice[0])
    return parsed


def _parse_one(part: str) -> Range:
    name, equals, bounds = part.partition("=")
    name = name.strip()
    if not equals or not name:
        raise _error("{opt} '{part}' is not NAME=START:STOP (e.g. x=-3:3)", part=part)
    if not is_identifier(name):
        raise _error("'{name}' in {opt} is not a variable name", name=name)
    pieces = bounds.split(":")
    if len(pieces) != 2 or not all(p.strip() for p in pieces):
        raise _error(
            "{opt} {part}: give START:STOP, two values (e.g. {name}=-3:3)", part=part, name=name
        )
    offset = len(part) - len(bounds)
    start = parse_value(pieces[0], context=part, offset=offset)
    stop = parse_value(pieces[1], context=part, offset=offset + len(pieces[0]) + 1)
    return _checked(name, start, stop)


def _pair(name: str, bounds) -> tuple:
    from derivcli.api import exact_value

    if isinstance(bounds, str):
        parsed = _parse_one(f"{name}={bounds}")
        return parsed.start, parsed.stop
    if not isinstance(bounds, Sequence) or len(bounds) != 2:
        raise _error(
            "{opt} takes (start, stop) for {name}, not {bounds!r}", name=name, bounds=bounds
        )
    return tuple(exact_value(name, b, "ranges") for b in bounds)


def _checked(name: str, start, stop) -> Range:
    import math

    low, high = float(start), float(stop)
    if not (math.isfinite(low) and math.isfinite(high)):
        raise _error("{opt} {name}: the bounds must be finite numbers", name=name)
    if not low < high:
        raise _error(
            "{opt} {name}={start}:{stop}: the start must be below the stop",
            name=name,
            start=start,
            stop=stop,
        )
    return Range(name, start, stop)


def check_variables(expression: str, ranges: list[Range], at) -> dict:
    """The values --at gives the expression's other variables, after checking that every
    variable has a range or a value, that no range or value names a variable the
    expression lacks, and that one or two variables are plotted."""
    parsed = parse_tree(expression)
    if len(parsed.components) != 1:
        raise InputError(
            f"derivcli plot draws one expression; this one has {len(parsed.components)} "
            "(separated by commas): plot each on its own",
            "expression",
        )
    names = list(parsed.names)
    fixed = _fixed(at)
    plotted = [r.name for r in ranges]
    given = plotted + list(fixed)
    unknown = [n for n in given if n not in names]
    if unknown and not names:
        raise InputError(
            f"{expression} is a constant (no variables): its derivatives are all 0, and "
            "derivcli plot draws a function of one or two variables",
            "expression",
        )
    if unknown:
        which = "--at" if unknown[0] in fixed else "--range"
        raise InputError(
            f"{which} names {unknown[0]}, which the expression lacks "
            f"(its variables: {', '.join(names) or 'none'})",
            "ranges",
        )
    both = [n for n in plotted if n in fixed]
    if both:
        raise _error("{name} has a range and a value in --at: give it one of them", name=both[0])
    if len(ranges) > MAX_VARIABLES:
        raise _error(
            "derivcli plot draws one or two variables, and {opt} gives {count}: give a "
            "range to one or two of them and values to the others with --at, e.g. --at {name}=1",
            count=len(ranges),
            name=plotted[-1],
        )
    missing = [n for n in names if n not in given]
    if missing and len(plotted) + len(missing) > MAX_VARIABLES:
        raise _error(
            "the expression has {count} variables ({names}) and derivcli plot draws one or "
            "two: give the others values with --at, e.g. --at {name}=1",
            count=len(names),
            names=", ".join(names),
            name=missing[-1],
        )
    if missing:
        raise _error(
            "no range for {name}: add {opt} {name}=START:STOP (or a value with --at {name}=1)",
            name=missing[0],
        )
    return fixed


def _fixed(at) -> dict:
    """The values of the variables that are not plotted: text as --at takes it
    ("a=1,b=pi"), a mapping as the Python API's at, or None."""
    if not at:
        return {}
    if isinstance(at, Mapping):
        from derivcli.api import exact_value

        return {str(name): exact_value(str(name), value, "at") for name, value in at.items()}
    return parse_point(at)
