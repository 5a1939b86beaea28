"""Where f or a derivative does not exist on a plotted interval, and what derivcli's
verdicts say there.

Candidates come from two places: the function table's breaks (derivcli.expr.functions:
an argument at 0, at an integer, a tie of min/max, atan2's cut), solved for the plotted
variable, and sympy's continuous domain of f and each derivative (poles, domain ends).
Each candidate is then judged as `derivcli taylor --at` judges a point
(derivcli.check.verdict): a candidate where every order agrees is no break and is
dropped (max(x, x^3) at x = -1, where the tied pieces also agree in slope, is not:
their second derivatives differ), the others are marked with their verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from derivcli import budget
from derivcli.errors import LimitError
from derivcli.expr.functions import BY_NAME
from derivcli.symbolic.sympy_functions import name_of

# Rows with poles at the non-positive integers (their argument's), which sympy's
# continuous domain cannot find.
POLES_AT_NONPOSITIVE_INTEGERS = {"gamma": 0, "digamma": 0, "polygamma": 1}
# Rows with a pole where their argument (by index) is 1: Riemann zeta and its derivatives.
POLES_AT_ONE = {"zeta": 0, "zetaderiv": 1}
# Rows with poles where another function of their argument is 0, which sympy's continuous
# domain finds too, but slowly for many (tan(50x) on [-3, 3]: 84 s, solveset 0.2 s).
POLES_WHERE_ZERO = {
    "tan": sympy.cos,
    "sec": sympy.cos,
    "cot": sympy.sin,
    "csc": sympy.sin,
    "coth": sympy.sinh,
    "csch": sympy.sinh,
}
# The verdicts that say a derivative does not exist there; the others (imprecise,
# overflow, unverified, ...) are about torch's number for a value that exists.
MISSING = frozenset({"not differentiable", "undefined", "infinite"})
MAX_BREAKS = 100  # candidates judged at most; beyond, the curves still break, unmarked
SOLVE_SECONDS = 2.0  # for each equation sympy solves


@dataclass(frozen=True)
class Mark:
    """A point of the interval where derivatives of some orders do not exist."""

    at: object  # the exact point (a sympy number)
    verdicts: tuple[str, ...]  # derivcli's verdict for f, f', f'', ... there
    reason: str  # the lowest failing order's reason, in derivcli's words
    values: tuple[float | None, ...]  # each order's exact value there, as a float

    @property
    def x(self) -> float:
        return float(self.at)

    def exists(self, order: int) -> bool:
        """Whether the order's derivative has a value here."""
        return self.verdicts[order] not in MISSING

    @property
    def kind(self) -> str:
        """kink, jump, spike, pole or end (of the domain): what the picture shows here."""
        for word in ("kink", "jump", "spike"):
            if f" {word} of " in self.reason:
                return word
        return "end" if self.exists(0) else "pole"


def candidates(exprs: list, variable: sympy.Symbol, start, stop) -> list:
    """Exact points of [start, stop] where one of exprs (f and its derivatives, sympy
    expressions of variable alone) may break, in order: floor(x) on [-2, 2] jumps at 2."""
    inside = sympy.Interval(start, stop)
    found = _domain_ends(exprs[0], variable, inside)  # a derivative's are f's, or breaks
    for expr in exprs:
        for node in sympy.preorder_traversal(expr):
            found |= _table_breaks(node, variable, inside)
    points = [p for p in found if p.is_real and p.is_finite]
    return sorted(points, key=float)[: MAX_BREAKS + 1]  # one more: to tell it was capped


def _domain_ends(expr, variable, inside) -> set:
    from sympy.calculus.util import continuous_domain

    try:
        with budget.time_budget(SOLVE_SECONDS, "finding the breaks"):
            domain = continuous_domain(expr, variable, inside)
            ends = domain.boundary
    except NotImplementedError:  # a function sympy cannot tell (floor, gamma): its poles
        try:
            with budget.time_budget(SOLVE_SECONDS, "finding the breaks"):
                ends = sympy.singularities(expr, variable, inside)
        except (LimitError, NotImplementedError, ValueError, TypeError):
            return set()
    except (LimitError, ValueError, TypeError):
        return set()
    return _finite_inside(ends, inside)


def _table_breaks(node, variable, inside) -> set:
    """Where the row of the table at node switches piece (its breaks rule)."""
    name = name_of(node)
    spec = None if name is None else BY_NAME.get(name)
    if spec is None or variable not in node.free_symbols:
        return set()
    args = node.args
    if name in POLES_WHERE_ZERO:
        return _zeros(POLES_WHERE_ZERO[name](args[0]), variable, inside)
    if name in POLES_AT_NONPOSITIVE_INTEGERS:
        arg = args[POLES_AT_NONPOSITIVE_INTEGERS[name]]
        reached = _integers_reached(arg, variable, inside)
        return set().union(*(_zeros(arg - n, variable, inside) for n in reached if n <= 0))
    if name in POLES_AT_ONE:
        return _zeros(args[POLES_AT_ONE[name]] - 1, variable, inside)
    if spec.breaks is None:
        return set()
    if spec.breaks == "zero":
        equations = [args[0]]
    elif spec.breaks == "integer":
        equations = [args[0] - n for n in _integers_reached(args[0], variable, inside)]
    elif spec.breaks == "cut":  # atan2(y, x): y = 0 (the verdicts tell where x <= 0)
        equations = [args[0]]
    elif spec.breaks == "branch":  # lambertw: its branch point, the end of its domain
        equations = [args[0] + sympy.exp(-1)]
    else:  # a tie of two of min/max's arguments
        equations = [a - b for i, a in enumerate(args) for b in args[i + 1 :]]
    found: set = set()
    for equation in equations:
        found |= _zeros(equation, variable, inside)
    return found


def _integers_reached(expr, variable, inside, samples: int = 201) -> range:
    """The integers expr takes on the interval (between its sampled extremes)."""
    start, stop = float(inside.start), float(inside.end)
    values = []
    for i in range(samples):
        value = expr.subs(variable, start + (stop - start) * i / (samples - 1)).evalf()
        if value.is_real and value.is_finite:
            values.append(float(value))
    if not values:
        return range(0)
    import math

    low, high = math.floor(min(values)), math.ceil(max(values))
    return range(low, min(high, low + MAX_BREAKS) + 1)


def _zeros(expr, variable, inside) -> set:
    try:
        with budget.time_budget(SOLVE_SECONDS, "finding the breaks"):
            return _finite_inside(sympy.solveset(expr, variable, inside), inside)
    except (LimitError, NotImplementedError, ValueError, TypeError):
        return set()


def _finite_inside(found, inside) -> set:
    if not isinstance(found, sympy.FiniteSet):
        return set()
    return {p for p in found if p.is_number and inside.contains(p) is sympy.true}


def judge(expression: str, name: str, points: list, order: int, fixed: dict) -> list[Mark]:
    """derivcli's verdicts for f and its derivatives up to order at each point (exact),
    the other variables at fixed's values; the points where any order fails."""
    if not points:
        return []
    from derivcli.api import taylor

    at = [{name: point, **fixed} for point in points]
    result = taylor(expression, at=at, order=order, wrt=[name], symbolic="sympy")
    marks = []
    for point, found in zip(points, result.results, strict=True):
        if not MISSING.intersection(found.verdicts):
            continue
        failing = next(f for f in found.findings if f.verdict in MISSING)
        marks.append(
            Mark(
                point,
                tuple(found.verdicts),
                _plain_reason(failing.reason or failing.verdict),
                tuple(_scaled(found.expected, order)),
            )
        )
    return marks


def _scaled(expected: list, order: int):
    """taylor's coefficients f^(k)/k! as the derivatives f^(k)."""
    import math

    for k, value in enumerate(expected[: order + 1]):
        yield None if value is None else value * math.factorial(k)


def _plain_reason(reason: str) -> str:
    """A verdict's reason without taylor's prefix for a term ('the term 1/2·d2/dx2: ')."""
    return reason.split(": ", 1)[1] if reason.startswith("the term ") else reason
