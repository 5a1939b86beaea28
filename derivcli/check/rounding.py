"""How much rounding error float arithmetic can make in evaluating an expression.

A first-order running error bound (Higham, Accuracy and Stability of Numerical
Algorithms, ch. 3): walking the expression bottom-up, each operation's result carries
an absolute error bound, in units of the unit roundoff u, from its arguments' bounds
(through the operation's partial derivatives) plus its own rounding. The bound tells
a wrong number from an honest one that float arithmetic cannot resolve: the second
derivative of cos(x)^2 at float64's pi/4 is 2*sin(x)^2 - 2*cos(x)^2, about -1e-16,
the difference of two terms near 1, and any float64 evaluation is off by about 1e-16.
"""

from __future__ import annotations

import math

import mpmath
import sympy

from derivcli.check.precision import to_mpf
from derivcli.expr.functions import BY_NAME
from derivcli.symbolic.sympy_functions import name_of

WORKING_DIGITS = 30
LIBRARY_ULPS = 2  # a library function (sin, exp, lgamma ...) is within about 2 ulp


def error_bound(expr: sympy.Expr, values: dict[sympy.Symbol, sympy.Expr]) -> mpmath.mpf | None:
    """A bound, in units of the unit roundoff, on the absolute error of evaluating expr
    in float arithmetic at values (exact floats, so the inputs carry no error).

    None where the walk meets a value that is not a finite real number.
    """
    cache: dict[sympy.Basic, tuple[mpmath.mpf, mpmath.mpf] | None] = {}

    def walk(node: sympy.Basic):
        if node in cache:
            return cache[node]
        cache[node] = result = _bound(node, walk, values)
        return result

    saved = mpmath.mp.prec  # evalf leaves it raised when it fails inside its workprec
    try:
        with mpmath.workdps(WORKING_DIGITS):
            result = walk(expr)
    finally:
        mpmath.mp.prec = saved
    return None if result is None else result[1]


def _bound(node, walk, values):
    if node.is_Symbol:
        return _real(values.get(node)), mpmath.mpf(0)
    if node.is_Integer:
        return _real(node), mpmath.mpf(0)
    if not node.args:  # a rational, float or constant such as pi: rounded once
        value = _real(node)
        return None if value is None else (value, abs(value))
    children = [walk(arg) for arg in node.args]
    if any(child is None or child[0] is None for child in children):
        return None
    values_, errors = zip(*children, strict=True)
    if node.is_Add:
        value = mpmath.fsum(values_)
        magnitude = mpmath.fsum(abs(v) for v in values_)
        return value, mpmath.fsum(errors) + (len(values_) - 1) * magnitude
    if node.is_Mul:
        value = mpmath.fprod(values_)
        spread = mpmath.fsum(
            e * mpmath.fprod(abs(v) for j, v in enumerate(values_) if j != i)
            for i, e in enumerate(errors)
        )
        return value, spread + (len(values_) - 1) * abs(value)
    if node.is_Pow:
        (base, exponent), (base_error, exponent_error) = values_, errors
        try:
            value = mpmath.power(base, exponent)
        except (ValueError, ZeroDivisionError):
            return None
        if not _finite_real(value) or (base == 0 and exponent < 1):
            return None
        through_base = abs(exponent * value / base) * base_error if base != 0 else 0
        through_exponent = abs(value * mpmath.log(abs(base))) * exponent_error if base else 0
        steps = 1 + (math.log2(abs(int(exponent))) if exponent == int(exponent) and exponent else 0)
        return value, through_base + through_exponent + steps * abs(value)
    return _function(node, values_, errors)


def _function(node, values_, errors):
    """A function of the table: its rounding, and its arguments' errors through its slopes."""
    # Arguments known exactly keep their own form: DiracDelta's order and polygamma's n
    # must stay integers.
    arguments = [
        arg
        if error == 0 and arg.is_Integer
        else sympy.Float(mpmath.nstr(v, WORKING_DIGITS), WORKING_DIGITS)
        for arg, v, error in zip(node.args, values_, errors, strict=True)
    ]
    try:
        value = _real(node.func(*arguments))
        if value is None:
            return None
        total = LIBRARY_ULPS * abs(value)
        dummies = [sympy.Dummy(real=True) for _ in values_]
        for i, error in enumerate(errors):
            error = max(error, _argument_ulps(node) * abs(values_[i]))
            if error == 0:
                continue
            slope = sympy.diff(node.func(*dummies), dummies[i])
            slope_value = _real(slope.subs(dict(zip(dummies, arguments, strict=True))))
            if slope_value is None:
                return None
            total += abs(slope_value) * error
    except (ValueError, TypeError, AttributeError, RecursionError, ArithmeticError):
        return None  # no bound: the entry is judged without the imprecise verdict
    return value, total


def _argument_ulps(node) -> int:
    """The ulps of its argument a row's lowering may be off by (FunctionSpec.argument_ulps)."""
    name = name_of(node)
    return 0 if name is None else BY_NAME[name].argument_ulps


def _real(value: sympy.Basic | None) -> mpmath.mpf | None:
    if value is None:
        return None
    try:
        number = value.evalf(WORKING_DIGITS)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
        return None
    if not (number.is_Float or number.is_Rational):
        return None
    result = to_mpf(number)
    return result if mpmath.isfinite(result) else None


def _finite_real(value) -> bool:
    return isinstance(value, mpmath.mpf) and mpmath.isfinite(value)
