"""Exact numbers as reals to certified precision, and the floats torch is given.

sympy's evalf can lose every digit to cancellation without saying so: the second
derivative of log(1 + exp(x)) at 400 is exp(400)/(1 + exp(400)) - exp(800)/(1 +
exp(400))**2, whose 20-digit evaluation gives 1.3e-138 where the value is 1.9e-174
(measured). real_value raises the working precision until two evaluations agree.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
import sympy
from sympy.core.evalf import PrecisionExhausted

from derivcli import recursion

# Significant digits two evaluations must share; a float64 needs 17 to round-trip.
DIGITS = 20
FIRST_PRECISION = 30
# Beyond this many digits a value is reported as not certified. Floats span 10^-324
# to 10^308, so a cancellation that float arithmetic could even represent loses
# fewer than about 650 digits.
MAX_PRECISION = 1000

_UNRESOLVED = mpmath.mpf("nan")  # evalf could not reach the digits asked for
_HUGE = mpmath.mpf("inf")  # too large for evalf: its sign is not known

FLOAT_DTYPES = {"float64": np.float64, "float32": np.float32}


@dataclass(frozen=True)
class Real:
    """A real number evaluated from an exact value (mpmath, enough digits for a float)."""

    value: mpmath.mpf
    # False: the digits still moved at MAX_PRECISION (value is the last evaluation),
    # or the value could not be evaluated at all (value is nan).
    certified: bool = True

    def __float__(self) -> float:
        return float(self.value)


def real_value(value: sympy.Expr, subs: dict | None = None) -> Real | None:
    """value as a real number whose first DIGITS digits are stable; None if it is not real.

    Infinities are real here (mpf('inf')); nan, zoo and complex values are not. A value
    that is not certified (Real.certified False) has value nan where nothing could be
    told of it. subs: values for value's symbols, substituted by evalf (where building
    the exact number is too costly).
    """
    if subs:
        return _real_value(value, subs)
    return _cached_real_value(value)


@functools.lru_cache(maxsize=4096)
def _cached_real_value(value: sympy.Expr) -> Real | None:
    return _real_value(value, None)


def _real_value(value: sympy.Expr, subs: dict | None) -> Real | None:
    with recursion.room_for([value]):  # evalf recurses through the tree
        return _certified(value, subs)


def _certified(value: sympy.Expr, subs: dict | None) -> Real | None:
    if value.has(sympy.nan, sympy.zoo):
        return None
    if value is sympy.oo or value is sympy.S.NegativeInfinity:
        return Real(mpmath.mpf("inf") if value is sympy.oo else mpmath.mpf("-inf"))
    if value.is_Rational and not subs:
        with mpmath.workdps(DIGITS + 10):
            return Real(to_mpf(value))
    if not subs and too_extreme(value):
        return Real(mpmath.mpf("nan"), certified=False)
    previous = None
    precision = FIRST_PRECISION
    while True:
        number = _evaluate(value, precision, subs)
        if number is None:
            return None
        if number is _HUGE:
            return Real(mpmath.mpf("nan"), certified=False)
        if previous is not None and _stable(previous, number):
            return Real(number)
        if precision >= MAX_PRECISION:
            return Real(number, certified=False)
        previous, precision = number, min(2 * precision, MAX_PRECISION)


# A function of an argument beyond this magnitude is not evaluated: exp(-exp(x)) at
# x = 1e5 made mpmath work with 10^43429-digit reductions past any time budget, and
# no float is near such a value.
EXTREME_ARGUMENT = mpmath.mpf(10) ** 1000


@functools.lru_cache(maxsize=4096)
def too_extreme(value: sympy.Basic) -> bool:
    """Whether a function in the number value has an argument, or a power an exponent,
    too large to evaluate in time (2^exp(exp(exp(1))) needs ln 2 to millions of
    digits). False for an expression with symbols."""
    if value.free_symbols:
        return False
    bounds: dict = {}  # node -> an upper bound of log10|node|, where one is known
    for node in _distinct_postorder(value):
        bounds[node] = _log10_bound(node, bounds)
        if not node.args:
            continue
        if node.is_Function:
            args = node.args
        elif node.is_Pow:
            args = node.args[1:]
        else:
            continue
        for arg in args:
            bound = bounds.get(arg)
            if bound is not None and bound <= 1000:  # sin(sin(...)): nothing to evaluate
                continue
            number = _evaluate_once(arg, 15, None)
            if number is _HUGE or (
                isinstance(number, mpmath.mpf)
                and mpmath.isfinite(number)
                and abs(number) > EXTREME_ARGUMENT
            ):
                return True
    return False


# Functions whose values are bounded (by 4) on the reals, whatever their arguments.
_BOUNDED = (
    sympy.sin,
    sympy.cos,
    sympy.tanh,
    sympy.atan,
    sympy.acot,
    sympy.atan2,
    sympy.asin,
    sympy.acos,
    sympy.erf,
    sympy.erfc,
    sympy.sech,
    sympy.sign,
    sympy.Heaviside,
    sympy.sinc,
)


def _log10_bound(node: sympy.Basic, bounds: dict) -> float | None:
    """An upper bound of log10|node| from its arguments' bounds, or None where none is
    known cheaply (a bound is what spares evaluating an argument in too_extreme)."""
    if node.is_Rational:
        p = abs(int(node.p))
        return math.log10(p) + 1e-9 if p else -math.inf
    if node.is_NumberSymbol:
        return 1.0
    if isinstance(node, _BOUNDED) or type(node).__name__ == "sigmoid":
        return 1.0
    args = [bounds.get(arg) for arg in node.args]
    if not args or any(bound is None for bound in args):
        return None
    if node.is_Add:
        return max(args) + math.log10(len(args))
    if node.is_Mul:
        return sum(args)
    if isinstance(node, sympy.Abs):
        return args[0]
    if node.is_Pow and node.exp.is_Rational and node.exp > 0:
        return max(args[0], 0.0) * float(node.exp)
    return None


def _distinct_postorder(expr: sympy.Basic) -> list[sympy.Basic]:
    """Each distinct subexpression once, arguments before the node (no recursion:
    derivatives share subtrees, and nest as deep as the expression)."""
    order, done, stack = [], set(), [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if node in done:
            continue
        if expanded:
            done.add(node)
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((arg, False) for arg in reversed(node.args) if arg not in done)
    return order


def _evaluate(value: sympy.Expr, digits: int, subs: dict | None = None) -> mpmath.mpf | None:
    """value at digits, through evalf; _UNRESOLVED where evalf cannot tell it from 0."""
    return _evaluate_once(value, digits, subs, strict=True)


def _evaluate_once(value, digits: int, subs, strict: bool = False):
    saved = mpmath.mp.prec  # evalf leaves it raised when it fails inside its workprec
    try:
        # strict: sympy tracks the digits that cancellation costs and raises where it
        # cannot reach the target within maxn (its default of 100 bits gives a bare 0
        # for the log(1 + exp(x)) example above). Where an exact zero inside the value
        # makes strict evaluation give up, the plain evaluation is taken, and the
        # comparison of two precisions certifies it.
        try:
            number = value.evalf(digits, subs=subs, strict=strict, maxn=4 * digits)
        except PrecisionExhausted:
            number = value.evalf(digits, subs=subs, maxn=4 * digits)
    except OverflowError:  # an exponent beyond mpmath's: sinh(sinh(x)) at -2.5e294
        return _HUGE
    except ZeroDivisionError:  # mpmath's, inside sinc'(u) at u = 3.7e-44: more digits
        return _UNRESOLVED
    except (RecursionError, MemoryError):
        # Precisions beyond any machine: mpmath's binary splitting for e at 2^1000 bits
        # (the sign of exp(exp(exp(exp(x)))) at 700), a 10^11-bit division for
        # exp(exp(sinh(x))) at 3e11 (measured). Beyond evalf, like an overflow.
        return _HUGE
    except (TypeError, ValueError, AttributeError):
        return None
    finally:
        mpmath.mp.prec = saved
    if number.is_infinite:
        return mpmath.mpf("inf") if number.is_extended_positive else mpmath.mpf("-inf")
    if not (number.is_Float or number.is_Rational):
        real, imaginary = number.as_real_imag()
        if not (imaginary == 0 and (real.is_Float or real.is_Rational)):
            return None  # complex, or a function sympy cannot evaluate
        number = real
    if number.is_Float and number == 0 and number._prec != -1 and not _exact_zero(number):
        return _UNRESOLVED  # a zero that only says "below 10^-n"
    with mpmath.workdps(digits + 10):
        return to_mpf(number)


def _exact_zero(number: sympy.Float) -> bool:
    return number._mpf_ == mpmath.libmp.fzero


def to_mpf(number: sympy.Expr) -> mpmath.mpf:
    """A sympy Float or Rational as an mpmath number, at the working precision."""
    if number.is_Float:
        return mpmath.mpf(number._mpf_)
    return mpmath.mpf(int(number.p)) / int(number.q)


def _stable(a: mpmath.mpf, b: mpmath.mpf) -> bool:
    if a == b:
        return True
    if not (mpmath.isfinite(a) and mpmath.isfinite(b)):
        return False
    return abs(a - b) <= mpmath.mpf(10) ** (-DIGITS) * abs(b)


def nearest_float(value: sympy.Expr, dtype: str = "float64") -> float:
    """The float torch is given for an exact real value: the nearest float64, then (for
    float32) that float64 rounded to float32, as torch's own conversion does.

    Out-of-range values give ±inf.
    """
    if value.is_Rational:
        try:
            number = float(Fraction(int(value.p), int(value.q)))  # correctly rounded
        except OverflowError:
            number = float("inf") if value > 0 else float("-inf")
    else:
        real = real_value(value)
        number = float("nan") if real is None else float(real.value)
    return _in_dtype(number, dtype)


def _in_dtype(number: float, dtype: str) -> float:
    """A float64 rounded to dtype (±inf beyond its range)."""
    if dtype == "float32":
        with np.errstate(over="ignore"):
            return float(np.float32(number))
    return number


def float_point(values: dict, dtype: str = "float64") -> dict:
    """Each exact value of a point as the float torch is given (see nearest_float)."""
    return {symbol: nearest_float(value, dtype) for symbol, value in values.items()}


def binary_point(floats: dict) -> dict:
    """The floats of a point as exact rationals (every float is one, exactly)."""
    return {symbol: sympy.Rational(number) for symbol, number in floats.items()}


def float_limits(dtype: str) -> tuple[float, float, float]:
    """(unit roundoff, smallest normal number, largest finite number) of the dtype."""
    info = np.finfo(FLOAT_DTYPES[dtype])
    return float(info.eps) / 2, float(info.tiny), float(info.max)


def rounded(real: Real, dtype: str = "float64") -> float:
    """The real number rounded to the dtype (±inf beyond its range)."""
    return _in_dtype(float(real.value), dtype)
