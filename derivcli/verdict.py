"""Verdicts: what torch's number at a point means, judged against exact sympy values.

Each entry gets one verdict:

- agree: torch's number matches the exact value (or the limit that stands in for it);
- not differentiable: the point sits on a kink or a jump (abs, sign, min/max,
  floor/ceil, heaviside), so torch's number is a subgradient convention;
- undefined: the expression or its derivative is not a real number here;
- infinite: the derivative diverges here (a pole, a vertical tangent);
- disagree: both engines give finite numbers, and they differ.

Where direct substitution gives nan or zoo and a finite one-sided-equal limit exists
along the entry's variable, the limit is used and labelled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy

from derivcli import limits
from derivcli.errors import LimitError
from derivcli.functions import LOWERING
from derivcli.symbolic import exact_at, to_float, to_text

AGREE = "agree"
DISAGREE = "disagree"
NOT_DIFFERENTIABLE = "not differentiable"
UNDEFINED = "undefined"
INFINITE = "infinite"

LIMIT_SECONDS = 5.0


@dataclass
class EntryCheck:
    """The verdict on one entry and the value torch was compared with."""

    verdict: str
    exact: sympy.Expr | None
    note: str | None = None  # how the exact value was found, when not by substitution
    reason: str | None = None  # why the verdict is not agree

    @property
    def agree(self) -> bool:
        return self.verdict == AGREE


@dataclass(frozen=True)
class _Break:
    node: sympy.Basic
    kind: str  # kink, jump or spike
    symbols: frozenset

    def describe(self) -> str:
        return f"the point is on a {self.kind} of {to_text(self.node)}"


def check_entries(
    components: list[sympy.Expr],
    entries: list[tuple[int, tuple[sympy.Symbol, ...], sympy.Expr]],
    values: dict[sympy.Symbol, sympy.Expr],
    numbers: list[float],
    tolerance: float,
) -> list[EntryCheck]:
    """Judge each entry (component index, differentiation variables, expression) at a point.

    numbers are torch's values of the entries, in the same order.
    """
    context = [_component_context(f, values) for f in components]
    checks = []
    for (k, sequence, expr), number in zip(entries, numbers, strict=True):
        problem, breaks = context[k]
        if problem is not None:
            checks.append(problem)
            continue
        relevant = [b for b in breaks if b.symbols & set(sequence)]
        if relevant:
            check = _across_breaks(components[k], sequence, values, relevant)
        else:
            check = _value(expr, sequence[-1], values)
        checks.append(_compare(check, number, tolerance))
    return checks


def _component_context(f: sympy.Expr, values) -> tuple[EntryCheck | None, list[_Break]]:
    value, note = evaluate(f, values)
    if _is_undefined(value):
        limit = _limit_of(f, values)
        if limit is None:
            return EntryCheck(UNDEFINED, value, reason=_undefined_reason(value, "expression")), []
    elif to_float(value) is None or not math.isfinite(to_float(value)):
        return EntryCheck(UNDEFINED, value, note, _undefined_reason(value, "expression")), []
    return None, _active_breaks(f, values)


def evaluate(expr: sympy.Expr, values) -> tuple[sympy.Expr, str | None]:
    """The exact value at the point, or a 30-digit float where building it is too costly."""
    try:
        return exact_at(expr, values), None
    except LimitError:
        approximate = expr.evalf(30, subs=values)
        return approximate, "a 30-digit float evaluation (the exact number is too costly)"


def _value(expr: sympy.Expr, variable: sympy.Symbol, values) -> EntryCheck:
    value, note = evaluate(expr, values)
    if _is_undefined(value):
        limit = _one_sided_limits(expr, variable, values)
        if limit is not None and limit[0] == limit[1] and _finite(limit[0]):
            point = to_text(values[variable])
            return EntryCheck(
                AGREE, limit[0], f"the limit as {variable} → {point}, as substitution gives {value}"
            )
        if limit is not None and limit[0] == limit[1] and limit[0].is_infinite:
            return EntryCheck(INFINITE, limit[0], reason="the derivative diverges here")
    return _classify(value, note)


def _classify(value: sympy.Expr, note: str | None) -> EntryCheck:
    if value.has(sympy.zoo) or value.is_infinite:
        return EntryCheck(INFINITE, value, note, f"the derivative is infinite here ({value})")
    number = to_float(value)
    if number is None:
        return EntryCheck(UNDEFINED, value, note, _undefined_reason(value, "derivative"))
    if math.isinf(number):
        return EntryCheck(INFINITE, value, note, "the derivative is infinite here")
    return EntryCheck(AGREE, value, note)


def _undefined_reason(value: sympy.Expr, what: str) -> str:
    if value.has(sympy.zoo) or value.is_infinite:
        return f"the {what} is infinite here ({to_text(value)})"
    if value.has(sympy.nan):
        return f"the {what} is undefined here (nan), and no limit was found"
    return f"the {what} is not a real number here ({to_text(value)}): outside its domain"


def _compare(check: EntryCheck, number: float, tolerance: float) -> EntryCheck:
    if check.verdict != AGREE:
        return check
    expected = to_float(check.exact)
    if not math.isfinite(number) or abs(number - expected) > tolerance * max(1.0, abs(expected)):
        return EntryCheck(
            DISAGREE,
            check.exact,
            check.note,
            f"the exact value is {to_text(check.exact)} = {expected!r}"
            + (f", {check.note}" if check.note else ""),
        )
    return check


# --- kinks and jumps ---------------------------------------------------------------


def _active_breaks(f: sympy.Expr, values) -> list[_Break]:
    breaks = []
    for node in sympy.preorder_traversal(f):
        spec = _spec(node)
        if spec is None or spec.breaks is None or not node.free_symbols:
            continue
        args = [a for a in node.args if a.free_symbols] if spec.breaks == "tie" else node.args[:1]
        try:
            active = _is_active(spec.breaks, node, values)
        except LimitError:
            active = True  # too costly to tell: assume the worst
        if active:
            symbols = frozenset().union(*(a.free_symbols for a in args))
            breaks.append(_Break(node, spec.break_kind, symbols))
    return breaks


def _spec(node):
    for cls in type(node).__mro__:
        if cls in LOWERING:
            return LOWERING[cls]
    return None


def _is_active(rule: str, node: sympy.Basic, values) -> bool:
    if rule == "zero":
        return _equal(exact_at(node.args[0], values), sympy.S.Zero)
    if rule == "integer":
        value = exact_at(node.args[0], values)
        number = to_float(value)
        return number is not None and _equal(value, sympy.Integer(round(number)))
    args = [exact_at(arg, values) for arg in node.args]
    numbers = [to_float(a) for a in args]
    if any(n is None for n in numbers):
        return False
    best = max(numbers) if isinstance(node, sympy.Max) else min(numbers)
    winners = [
        a for a, n in zip(args, numbers, strict=True) if abs(n - best) <= 1e-12 * max(1, abs(n))
    ]
    return len(winners) >= 2 and all(_equal(w, winners[0]) for w in winners[1:])


def _equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    difference = a - b
    if difference.is_zero is not None:
        return bool(difference.is_zero)
    number = to_float(difference)
    return number is not None and abs(number) < 1e-15 and bool(difference.equals(0))


def _across_breaks(f, sequence, values, breaks: list[_Break]) -> EntryCheck:
    """Differentiate f along sequence at a point where some of its pieces switch."""
    expr = f
    value, _ = evaluate(f, values)
    if _is_undefined(value):
        value = _limit_of(f, values)
    for variable in sequence:
        named = next((b for b in breaks if variable in b.symbols), breaks[0])
        sides = _one_sided_limits(expr, variable, values)
        if sides is None:
            return EntryCheck(NOT_DIFFERENTIABLE, None, reason=f"may not be: {named.describe()}")
        if not (sides[0] == sides[1] and _finite(sides[0]) and value is not None):
            return EntryCheck(NOT_DIFFERENTIABLE, None, reason=named.describe())
        if not _equal(sides[0], value):
            return EntryCheck(NOT_DIFFERENTIABLE, None, reason=named.describe())
        expr = sympy.diff(expr, variable)
        slopes = _one_sided_limits(expr, variable, values)
        if slopes is None or slopes[0] != slopes[1]:
            return EntryCheck(NOT_DIFFERENTIABLE, None, reason=named.describe())
        if not _finite(slopes[0]):
            return EntryCheck(INFINITE, slopes[0], reason="the derivative diverges here")
        value = slopes[0]
    return EntryCheck(
        AGREE, value, f"the common value of the one-sided limits ({breaks[0].describe()})"
    )


# --- limits -----------------------------------------------------------------------


def _limit_of(f: sympy.Expr, values) -> sympy.Expr | None:
    """A finite two-sided limit of f along one of its variables, the others fixed."""
    for variable in sorted(f.free_symbols, key=lambda s: s.name):
        sides = _one_sided_limits(f, variable, values)
        if sides is not None and sides[0] == sides[1] and _finite(sides[0]):
            return sides[0]
    return None


def _one_sided_limits(expr, variable, values) -> tuple[sympy.Expr, sympy.Expr] | None:
    others = {s: v for s, v in values.items() if s != variable}
    try:
        with limits.time_budget(LIMIT_SECONDS, "a limit"):
            g = exact_at(expr, others)
            if _is_undefined(g):
                return None
            target = values[variable]
            right = sympy.limit(g, variable, target, "+")
            left = sympy.limit(g, variable, target, "-")
    except (LimitError, NotImplementedError, ValueError, TypeError, RecursionError):
        return None
    if not _is_number(left) or not _is_number(right):
        return None
    return right, left


def _is_number(value) -> bool:
    return (
        isinstance(value, sympy.Expr)
        and not value.free_symbols
        and not value.has(sympy.Limit, sympy.AccumBounds, sympy.nan)
    )


def _is_undefined(value: sympy.Expr) -> bool:
    return value.has(sympy.nan, sympy.zoo)


def _finite(value: sympy.Expr) -> bool:
    number = to_float(value)
    return number is not None and math.isfinite(number)
