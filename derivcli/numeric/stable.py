"""Stable forms: sympy expressions rewritten, or given operations, that torch evaluates
accurately where their plain lowering does not.

sympy writes derivatives in forms that torch evaluates with cancellation, overflow or
0/0 at arguments where the value itself is an ordinary double; these rules recognise
such subexpressions and compute them another way. Each is exact algebra, so the value
is the same function. derivcli.numeric.lower consults them for every node it lowers.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from fractions import Fraction

import sympy
import torch


def stable_form(node: sympy.Basic) -> sympy.Basic | None:
    """An equal expression that lowers more accurately, or None."""
    if node.is_Add:
        return _together_over_hypot(node)
    if node.is_Mul:
        return _ratio_form(node)
    return None


# cosh(u)*sinh(u)^-3, in coth'', overflows to 0 from u = 237 (true 2e-260 at 300):
# as coth(u)*sinh(u)^-2 it does not. The same for the other quotient pairs.
_RATIOS = (
    (sympy.cosh, sympy.sinh, sympy.coth),
    (sympy.sinh, sympy.cosh, sympy.tanh),
    (sympy.cos, sympy.sin, sympy.cot),
    (sympy.sin, sympy.cos, sympy.tan),
)


def _ratio_form(node: sympy.Expr):
    powers = {}
    for f in node.args:
        base, j = (f.base, f.exp) if f.is_Pow else (f, sympy.S.One)
        if j.is_Integer:
            powers[base] = (f, int(j))
    for top, bottom, ratio in _RATIOS:
        for base, (factor, a) in powers.items():
            if not (isinstance(base, top) and a > 0):
                continue
            other = powers.get(bottom(base.args[0]))
            if other is None or other[1] >= 0:
                continue
            m = min(a, -other[1])
            rest = [f for f in node.args if f is not factor and f is not other[0]]
            u = base.args[0]
            return sympy.Mul(
                *rest,
                ratio(u) ** m,
                sympy.Pow(base, a - m),
                sympy.Pow(bottom(u), other[1] + m),
                evaluate=False,
            )
    return None


def stable_operation(node: sympy.Basic) -> tuple[Callable, tuple[sympy.Basic, ...]] | None:
    """An accurate operation for node where its plain lowering loses accuracy, or None."""
    if node.is_Add:
        return _removable_sum(node) or _difference_of_squares(node)
    if node.is_Mul:
        return _removable_product(node) or _scaled_hypot_product(node)
    if node.is_Pow:
        return _hypot_power(node)
    return None


# sin(u)/u and its derivatives: sums of c*u^k*sin(u) and c*u^k*cos(u) with k < 0 that
# are finite at u = 0 (cos(u)/u - sin(u)/u^2 is sinc'(u)); the same for the Bessel
# functions J0, J1, I0, I1 (J1' = J0 - J1/u). They are 0/0 at u = 0 and
# lose digits to cancellation near it (sinc'' at 1e-6 gave -0.33325). Such a group is
# evaluated by its Taylor series for |u| < 1, where terms to u^40 leave a truncation
# error below 1e-40, and by its formula above, where it loses at most a few ulp.
_SERIES_RADIUS = 1.0
_SERIES_DEGREE = 40


def _series_terms(cls, m: int) -> tuple[int, Fraction]:
    """The m-th term of the power series of cls (sin, cos, or a Bessel function of order
    0 or 1): its power of u and coefficient."""
    if cls in (sympy.sin, sympy.cos):
        power = 2 * m + (cls is sympy.sin)
        return power, Fraction((-1) ** m, math.factorial(power))
    # J_n(u) = sum (-1)^m (u/2)^(2m+n)/(m!(m+n)!), I_n the same without the signs
    n = cls.order
    sign = -1 if cls.family is sympy.besselj else 1
    return 2 * m + n, Fraction(
        sign**m, 2 ** (2 * m + n) * math.factorial(m) * math.factorial(m + n)
    )


@functools.cache
def _series_classes() -> tuple:
    from derivcli.symbolic import bessel

    return (sympy.sin, sympy.cos, bessel.j0, bessel.j1, bessel.i0, bessel.i1)


def _torch_of(cls) -> Callable:
    if cls in (sympy.sin, sympy.cos):
        return getattr(torch, cls.__name__)
    from derivcli.numeric import torch_bessel

    return getattr(torch_bessel, cls.__name__)


def _trig_term(term: sympy.Expr):
    """(u, rest, c, k, cls) when term = c*rest*u^k*f(u), f sin, cos, j0, j1, i0 or i1
    (cls its class), else None."""
    coefficient, factors = term.as_coeff_mul()
    if not coefficient.is_Rational:
        return None
    trig = [f for f in factors if type(f) in _series_classes()]
    if len(trig) != 1:
        return None
    u = trig[0].args[0]
    k, rest = _powers_of(u, factors, trig[0])
    return (
        u,
        sympy.Mul(*rest),
        Fraction(int(coefficient.p), int(coefficient.q)),
        k,
        type(trig[0]),
    )


def _powers_of(u, factors, skip) -> tuple[int, list]:
    """The integer power of u among factors (skip left out), and the other factors."""
    k, rest = 0, []
    for f in factors:
        if f is skip:
            continue
        if f == u:
            k += 1
        elif f.is_Pow and f.base == u and f.exp.is_Integer:
            k += int(f.exp)
        else:
            rest.append(f)
    return k, rest


def _laurent(terms: list[tuple[Fraction, int, type]], shift: int = 0) -> dict[int, Fraction]:
    """Coefficients of sum c*u^(k + shift)*f(u), to u^_SERIES_DEGREE."""
    series: dict[int, Fraction] = {}
    for c, k, cls in terms:
        m = 0
        while True:
            power, coefficient = _series_terms(cls, m)
            power += k + shift
            if power > _SERIES_DEGREE:
                break
            series[power] = series.get(power, Fraction(0)) + c * coefficient
            m += 1
    return {p: a for p, a in series.items() if a != 0}


def _series_or_formula(terms, shift: int = 0):
    """A torch function of u: the group's series near 0, its formula elsewhere; None
    when the group has a pole at 0."""
    series = _laurent(terms, shift)
    if any(p < 0 for p in series):
        return None
    degree = max(series, default=0)
    coefficients = [float(series.get(p, 0)) for p in range(degree + 1)]

    def evaluate(u):
        small = torch.abs(u) < _SERIES_RADIUS
        # The double where keeps the formula's inf and nan at 0 out of gradients.
        safe = torch.where(small, torch.full_like(u, 2.0), u)
        values = {cls: _torch_of(cls)(safe) for cls in {cls for _, _, cls in terms}}
        formula = 0
        for c, k, cls in terms:
            formula = formula + float(c) * safe ** (k + shift) * values[cls]
        polynomial = torch.full_like(u, coefficients[-1])
        for a in reversed(coefficients[:-1]):
            polynomial = polynomial * u + a
        return torch.where(small, polynomial, formula)

    return evaluate


def _trig_groups(node: sympy.Expr):
    """The terms of a sum grouped by (u, rest), and the terms that are no such term."""
    groups: dict[tuple, list] = {}
    others = []
    for term in node.args:
        parsed = _trig_term(term)
        if parsed is None:
            others.append(term)
            continue
        u, rest, c, k, cls = parsed
        groups.setdefault((u, rest), []).append((term, (c, k, cls)))
    return groups, others


def _distributed(node: sympy.Expr) -> sympy.Expr:
    """The sum with each product of a sum of series terms distributed over that sum:
    J1'' = -J1 - (J0 - J1/u)/u + J1/u^2, whose poles at 0 cancel only across all its
    terms (sinc's derivatives hold no such products)."""
    terms, changed = [], False
    for term in node.args:
        if term.is_Mul and any(_holds_bessel_terms(f) for f in term.args):
            expanded = sympy.Add.make_args(sympy.expand_mul(term))
            if all(_trig_term(t) is not None for t in expanded):
                term, changed = sympy.Add(*expanded), True
        terms.append(term)
    return sympy.Add(*terms) if changed else node


def _holds_bessel_terms(factor: sympy.Expr) -> bool:
    """Whether factor is a sum with a Bessel function among its terms' factors: a look
    one level down, not sympy's has(), which would walk every subtree of every sum
    lowered (all that _distributed can expand has them there)."""
    bessel = _series_classes()[2:]
    return factor.is_Add and any(
        isinstance(f, bessel) for t in factor.args for f in sympy.Mul.make_args(t)
    )


def _removable_sum(node: sympy.Expr):
    node = _distributed(node)
    groups, others = _trig_groups(node)
    for (u, rest), members in groups.items():
        terms = [t for _, t in members]
        if not any(k < 0 for _, k, _ in terms) or u.is_number:
            continue
        evaluate = _series_or_formula(terms)
        if evaluate is None:
            continue
        remainder = sympy.Add(*[t for t in node.args if t not in {m for m, _ in members}])
        return (lambda u_, rest_, other, f=evaluate: f(u_) * rest_ + other), (u, rest, remainder)
    return None


def _removable_product(node: sympy.Expr):
    # u^-k times a removable sum of trig terms in u: sinc''(u) is
    # (-sin(u) - 2*cos(u)/u + 2*sin(u)/u^2)/u, 0/0 at 0 as a product too.
    for factor in node.args:
        if not factor.is_Add:
            continue
        groups, others = _trig_groups(_distributed(factor))
        if others or len(groups) != 1:
            continue
        ((u, rest), members) = next(iter(groups.items()))
        if rest != 1:
            continue
        shift, outside = _powers_of(u, node.args, factor)
        if shift >= 0:
            continue
        evaluate = _series_or_formula([t for _, t in members], shift)
        if evaluate is None:
            continue
        return (lambda u_, outside_, f=evaluate: f(u_) * outside_), (u, sympy.Mul(*outside))
    return None


# 1 - u^2 as (1 - u)*(1 + u), which is exact to an ulp where 1 - u^2 cancels
# (asin' at 1 - 1e-10 lost 6 digits); 1 - tanh(u)^2 as 1/cosh(u)^2, which keeps its
# relative accuracy where tanh(u) rounds to 1 (tanh' at 40 was 0, true 7e-35).


def _difference_of_squares(node: sympy.Expr):
    if len(node.args) != 2:
        return None
    constant, other = sorted(node.args, key=lambda a: not a.is_Number)
    if not constant.is_Number or constant == 0:
        return None
    ratio = other / constant
    if not (ratio.is_Mul and ratio.as_coeff_mul()[0] == -1):
        return None
    square = -ratio
    if not (square.is_Pow and square.exp == 2):
        return None
    c, u = float(constant), square.base
    if isinstance(u, sympy.tanh):
        return (lambda v: c / torch.cosh(v) ** 2), (u.args[0],)
    if isinstance(u, sympy.coth):
        return (lambda v: -c / torch.sinh(v) ** 2), (u.args[0],)
    if u.is_Pow and u.exp == -1:
        # 1 - 1/v^2 = ((v - 1)/v)*((v + 1)/v), which overflows nowhere
        return (lambda v: c * ((v - 1) / v) * ((v + 1) / v)), (u.base,)
    return (lambda v: c * (1 - v) * (1 + v)), (u,)


# sqrt(a^2 + b^2) and its powers through torch.hypot: a^2 overflows from 1.3e154 and
# underflows below 1.5e-154 (hypot's gradient at 1e200 was 0, true 0.7071).


def _two_squares(node: sympy.Expr):
    """(a, b) when node is a^2 + b^2, else None."""
    if not node.is_Add or len(node.args) != 2:
        return None
    squares = [t for t in node.args if t.is_Pow and t.exp == 2]
    if len(squares) == 2:
        return squares[0].base, squares[1].base
    constants = [t for t in node.args if t.is_Number and t.is_positive]
    if len(squares) == 1 and len(constants) == 1:
        # x^2 + c is hypot(x, sqrt(c)): atan's derivatives (1 + x^2)^-k overflow too
        return squares[0].base, sympy.sqrt(constants[0])
    return None


def _hypot_power(node: sympy.Expr):
    pair = _two_squares(node.base)
    exponent = node.exp
    if pair is None or not (exponent.is_Rational and (2 * exponent).is_Integer):
        return None
    n = int(2 * exponent)
    return (lambda a, b: _hypot(a, b) ** n), pair


def _scaled_hypot_product(node: sympy.Expr):
    # x*y/(x^2 + y^2)^(3/2) as (x/h)*(y/h)/h: the plain product overflows at 1e200.
    for factor in node.args:
        if not (factor.is_Pow and factor.exp.is_Rational and factor.exp < 0):
            continue
        pair = _two_squares(factor.base)
        if pair is None or not (2 * factor.exp).is_Integer:
            continue
        remaining = -int(2 * factor.exp)
        powers = {pair[0]: 0, pair[1]: 0}
        outside = []
        for f in node.args:
            if f is factor:
                continue
            base, j = (f.base, f.exp) if f.is_Pow else (f, sympy.S.One)
            if base in powers and j.is_Integer and j > 0 and remaining > 0:
                used = min(int(j), remaining)
                powers[base] += used
                remaining -= used
                outside.append(base ** (j - used))
            else:
                outside.append(f)
        if not any(powers.values()):
            continue
        pa, pb = powers[pair[0]], powers[pair[1]]

        def evaluate(a, b, rest, pa=pa, pb=pb, remaining=remaining):
            h = _hypot(a, b)
            return (a / h) ** pa * (b / h) ** pb * h ** (-remaining) * rest

        return evaluate, (*pair, sympy.Mul(*outside))
    return None


def _together_over_hypot(node: sympy.Expr):
    # 1 - x^2/(x^2 + y^2), in hypot's second derivative, is y^2/(x^2 + y^2) over a
    # common denominator: no cancellation where y is small against x.
    if not any(
        f.is_Pow and f.exp.is_negative and _two_squares(f.base) is not None
        for term in node.args
        for f in sympy.Mul.make_args(term)
    ):
        return None
    if len(node.args) > 4:
        return None
    combined = sympy.together(node)
    numerator, _ = combined.as_numer_denom()
    return combined if len(sympy.Add.make_args(numerator)) < len(node.args) else None


def _hypot(a, b):
    from derivcli.numeric import torch_special

    return torch_special.hypot(a, b)
