"""Verdicts from a fast backend's exact values, where they settle an entry.

At an ordinary point of a large problem nearly every entry of a Hessian is a finite
real number that torch matches: what the verdict needs there is the exact value, and
SymEngine substitutes a point into 1,521 Lennard-Jones entries in a fraction of the
time sympy takes (issue 12). So the backend that made the derivatives substitutes the
point (as given and as torch's float point), and an entry is settled here when its
expression and its value are finite real numbers and torch's number agrees, overflows
or underflows as the dtype says (the same rules as derivcli.check.verdict, the same
code for the comparison).

Everything else goes to sympy's verdicts, entry by entry, with sympy's own derivatives
(made only for those entries): a pole, a value outside the domain, a kink or a cut
(a function row with breaks), a number too costly to build, and any number torch gets
wrong, where only the rounding-error bound tells imprecise from disagree.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from fractions import Fraction

from derivcli import budget, limits
from derivcli.check import precision, verdict
from derivcli.errors import InputError, LimitError
from derivcli.expr import tree
from derivcli.expr.functions import BY_NAME
from derivcli.nested import flatten
from derivcli.symbolic import backend as backends

SETTLED = (verdict.AGREE, verdict.OVERFLOW, verdict.UNDERFLOW)

# What SymEngine's calls raise on a value they cannot make
_FAILURES = (RuntimeError, ValueError, ArithmeticError, TypeError, InputError, LimitError)

Reference = Callable[[], tuple[list, object]]
"""sympy's components and a lazy Derivatives of them (derivcli.symbolic), when needed."""


def check_entries(
    derivatives,
    reference: Reference,
    values: dict,
    numbers: list[float],
    dtype: str = "float64",
    *,
    deadline: budget.Deadline | None = None,
) -> list[verdict.EntryCheck]:
    """Judge each entry of derivatives (a Derivatives in a fast backend) at a point, as
    derivcli.check.verdict.check_entries does; values: the point as given, exact sympy
    numbers by sympy symbol. The entries the backend's values do not settle are judged
    by check_entries on reference()'s sympy derivatives."""
    deadline = deadline or budget.current()
    specs = flatten(derivatives.entries)
    binary = precision.binary_point(precision.float_point(values, dtype))
    rounded = binary != values
    judge = _Judge(derivatives, values, binary if rounded else None)
    checks: list[verdict.EntryCheck | None] = []
    for spec, expr, number in zip(specs, flatten(derivatives.matrix), numbers, strict=True):
        deadline.check()  # in a worker thread, where no alarm interrupts
        checks.append(judge.settle(spec, expr, number, dtype))
    left = [k for k, check in enumerate(checks) if check is None]
    if left:
        components, sympy_derivatives = reference()
        entries = [verdict.entry_of(sympy_derivatives, specs[k]) for k in left]
        judged = verdict.check_entries(
            components, entries, values, [numbers[k] for k in left], dtype, deadline=deadline
        )
        for k, check in zip(left, judged, strict=True):
            checks[k] = check
    return checks


# The digits all the powers of the point in an expression may raise together before its
# substitution is left to sympy. Measured (SymEngine 0.15, 2 cores): the derivative of a
# product of powers x_i^1000 at 9^99 took 0.05 s at a bound of 0.96 million digits, 0.4 s
# at 2.9 million, 3.8 s at 9.6 million.
TOTAL_DIGITS = 1_000_000


class _Judge:
    """The backend's exact values at one point (and at torch's float point)."""

    def __init__(self, derivatives, values: dict, binary: dict | None):
        self.backend = derivatives.backend
        self.derivatives = derivatives
        self.values, self.binary = values, binary
        facts = [_facts(self.backend, c) for c in derivatives.prepared]
        self._breaks = [breaks for _, _, breaks in facts]
        largest = max((largest for largest, _, _ in facts), default=0)
        total = sum(total for _, total, _ in facts)
        points = [values, *([binary] if binary else [])]
        digits = max((_digits(v) for p in points for v in p.values()), default=0) + 1
        # Substitution runs in C++, where no alarm reaches: where the exact numbers could
        # grow too long (x^(10^9) at 3; a product of 300 powers x_i^1000 at 9^99, 30 s in
        # C++ through a 5 s budget, found in review), the entries are left to sympy's
        # bounded evaluation. One power is held to the digit limit, all of them together
        # (the digits of a product are at most the sum of its factors') to TOTAL_DIGITS.
        self.safe = (largest + 2) * digits <= limits.MAX_NUMBER_DIGITS and (
            (total + 2) * digits <= TOTAL_DIGITS
        )
        self.points = {False: self._converted(values)}
        if binary is not None:
            self.points[True] = self._converted(binary)
        self._components: dict[tuple[int, bool], bool] = {}
        self._values: dict[tuple, verdict.EntryCheck | None] = {}
        self._compared: dict[tuple, verdict.EntryCheck | None] = {}

    def settle(self, spec, expr, number: float, dtype: str) -> verdict.EntryCheck | None:
        """The entry's check, or None where sympy must judge it."""
        if not self.safe or self.points[False] is None or len(spec.terms) != 1:
            return None
        term = spec.terms[0]
        if term.coefficient != 1 or not self._plain(term.component):
            return None
        check = self._value(expr, False)
        if check is None:
            return None
        at_float = check if self.binary is None else self._value(expr, True)
        if at_float is None:
            return None
        key = (expr, number)  # mirrored entries, and the many zeros of a sparse Hessian
        if key not in self._compared:
            rounded = self.binary is not None
            point = self.binary if rounded else self.values
            result = verdict.compare(check, at_float, number, dtype, point, rounded, None)
            self._compared[key] = result if result.verdict in SETTLED else None
        return self._compared[key]

    def _plain(self, component: int) -> bool:
        """Whether the component has no function with breaks and a finite real value at
        the point (and at the float point)."""
        for rounded in self.points:
            key = (component, rounded)
            if key not in self._components:
                expr = self.derivatives.prepared[component]
                self._components[key] = not self._breaks[component] and self._finite(
                    expr, self.points[rounded]
                )
            if not self._components[key]:
                return False
        return True

    def _value(self, expr, rounded: bool) -> verdict.EntryCheck | None:
        """The exact value, as an agree check (sympy's number), or None where it is not
        a finite real number or cannot be had here."""
        key = (expr, rounded)
        if key not in self._values:
            self._values[key] = self._evaluated(expr, self.points[rounded])
        return self._values[key]

    def _finite(self, expr, point) -> bool:
        """Whether expr's value at point is a finite real number."""
        try:
            value = _to_sympy(self.backend, self.backend.substitute(expr, point))
        except _FAILURES:
            return False
        if value is None or verdict.is_undefined(value):
            return False
        return verdict.classify(value, None).verdict == verdict.AGREE

    def _evaluated(self, expr, point) -> verdict.EntryCheck | None:
        try:
            rational = self.backend.rational(self.backend.substitute(expr, point))
        except _FAILURES:
            return None
        # Only a rational value: an irrational one is equal to sympy's but written
        # otherwise (-2*(1 - sqrt(2)) for -2 + 2*sqrt(2); found in review), and the
        # exact values are the same text on both backends.
        if rational is None:
            return None
        import sympy

        exact = sympy.Rational(rational.numerator, rational.denominator)
        return verdict.EntryCheck(verdict.AGREE, exact)

    def _converted(self, values: dict) -> dict | None:
        """The point in the backend: its symbols, and its numbers built from trees."""
        try:
            return self.backend.point(
                {
                    self.backend.symbol(symbol.name): self.backend.build([_number_tree(value)])[0]
                    for symbol, value in values.items()
                }
            )
        except _FAILURES:
            return None


def _number_tree(value) -> tree.Node:
    """A sympy number as a tree (a rational directly, any other through its text)."""
    if value.is_Rational:
        return tree.Number(Fraction(int(value.p), int(value.q)), 0, written=False)
    from derivcli.expr.parse import parse_value_tree
    from derivcli.symbolic import to_text

    return parse_value_tree(to_text(value))


def _to_sympy(backend, value):
    """A number of the backend as sympy's, through derivcli's parser (None where it is
    too long to read back)."""
    import sympy

    rational = backend.rational(value)
    if rational is not None:
        return sympy.Rational(rational.numerator, rational.denominator)
    text = backend.to_text(value)
    if len(text) > limits.MAX_INPUT_LENGTH:
        return None
    from derivcli.expr.parse import parse_result

    return parse_result(text)


def _digits(value) -> float:
    """Decimal digits of a sympy number's rationals, at least 1."""
    return max(1.0, limits.number_digits(value))


def _walk(backend, expr):
    """Each distinct node of expr, once."""
    seen, stack = set(), [expr]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        yield node
        stack.extend(backend.arguments(node))


@functools.lru_cache(maxsize=64)
def _facts(backend, expr) -> tuple[float, float, bool]:
    """For expr's distinct powers with rational exponents, the largest exponent's
    |numerator| or denominator and the sum of their |numerator| + denominator (both inf
    where a power's exponent depends on the point and its base could be a rational: x^y,
    2^x); and whether expr calls a function row with breaks (acot, atan2) or a node the
    table does not know."""
    largest, total, breaks = 0, 0, False
    for node in _walk(backend, expr):
        view = backend.view(node)
        if view.kind == backends.POWER and view.rational is not None:
            largest = max(largest, abs(view.rational.numerator), view.rational.denominator)
            total += abs(view.rational.numerator) + view.rational.denominator
        elif view.kind == backends.POWER and backend.free_symbols(view.args[1]):
            base = view.args[0]
            if (
                backend.arguments(base)
                or backend.rational(base) is not None
                or (backend.free_symbols(base))
            ):
                largest = total = math.inf  # E^x stays symbolic at any x; 2^x at 10^9 not
        elif view.kind == backends.CALL:
            breaks |= BY_NAME[view.name].breaks is not None
        elif view.kind == "unknown":
            breaks = True
    return largest, total, breaks
