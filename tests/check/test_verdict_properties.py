"""A property of the verdicts: random expressions from the function table at random
points, extreme and near-singular ones included, never give agree where mpmath (60
digits) differs from torch by more than the tolerance, and never give disagree where
torch matches mpmath at the float point torch was given.

The truth is mpmath's numerical derivative (mpmath.diff at 80 digits) of the same
expression written with mpmath's functions, at that float point: independent of
derivcli's parser, of sympy's derivatives and of derivcli's exact evaluation.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import derivcli
from derivcli.errors import DerivcliError
from derivcli.expr.functions import BY_NAME

mp = mpmath.mp


def _real_root(x, n):
    return mpmath.sign(x) * abs(x) ** (mpmath.mpf(1) / n)


def _lambertw(x):
    w = mpmath.lambertw(x)
    return w.real if x >= -mpmath.exp(-1) else w  # complex below -1/e


# name -> (mpmath function, points near which it is singular or switches branch)
UNARY = {
    "sin": (mpmath.sin, []),
    "cos": (mpmath.cos, []),
    "tan": (mpmath.tan, [math.pi / 2, -math.pi / 2]),
    "cot": (mpmath.cot, [0.0, math.pi]),
    "sec": (mpmath.sec, [math.pi / 2]),
    "csc": (mpmath.csc, [0.0]),
    "asin": (mpmath.asin, [1.0, -1.0]),
    "acos": (mpmath.acos, [1.0, -1.0]),
    "atan": (mpmath.atan, []),
    "asec": (mpmath.asec, [1.0, -1.0]),
    "acsc": (mpmath.acsc, [1.0, -1.0]),
    "sinh": (mpmath.sinh, []),
    "cosh": (mpmath.cosh, []),
    "tanh": (mpmath.tanh, []),
    "coth": (mpmath.coth, [0.0]),
    "sech": (mpmath.sech, []),
    "csch": (mpmath.csch, [0.0]),
    "asinh": (mpmath.asinh, []),
    "acosh": (mpmath.acosh, [1.0]),
    "atanh": (mpmath.atanh, [1.0, -1.0]),
    "acoth": (mpmath.acoth, [1.0, -1.0]),
    "exp": (mpmath.exp, []),
    "log": (mpmath.log, [0.0]),
    "sqrt": (mpmath.sqrt, [0.0]),
    "cbrt": (lambda x: _real_root(x, 3), [0.0]),
    "erf": (mpmath.erf, []),
    "erfc": (mpmath.erfc, []),
    "gamma": (mpmath.gamma, [0.0, -1.0, -2.0]),
    "loggamma": (mpmath.loggamma, [0.0]),
    "digamma": (mpmath.digamma, [0.0, -1.0]),
    "sigmoid": (lambda x: 1 / (1 + mpmath.exp(-x)), []),
    "softplus": (lambda x: mpmath.log1p(mpmath.exp(x)), []),
    "sinc": (mpmath.sinc, []),
    "log1p": (mpmath.log1p, [-1.0]),
    "expm1": (mpmath.expm1, []),
    "erfinv": (mpmath.erfinv, [1.0, -1.0]),  # ValueError outside [-1, 1]: no truth
    "lambertw": (lambda x: _lambertw(x), [-math.exp(-1)]),
    **{
        f"{kind}{n}": (lambda x, kind=kind, n=n: getattr(mpmath, f"bessel{kind}")(n, x), ends)
        for kind, ends in (("j", []), ("i", []), ("y", [0.0]), ("k", [0.0]))
        for n in (0, 1)
    },
    "zeta": (mpmath.zeta, [1.0]),  # its pole; the trivial zeros are ordinary points
}
NAMES = sorted(UNARY)
TOLERANCE = {"float64": 1e-9, "float32": 1e-4}


def test_every_smooth_unary_row_is_sampled():
    """A new unary row without breaks should join the property (or say why not)."""
    smooth = {
        spec.name
        for spec in BY_NAME.values()
        if spec.listed and spec.arity == (1, 1) and spec.breaks is None
    }
    assert smooth - set(UNARY) <= {"log2", "log10"}, smooth - set(UNARY)


def _extreme(draw) -> float:
    sign = draw(st.sampled_from([1.0, -1.0]))
    return sign * 10.0 ** draw(st.floats(-300, 300))


@st.composite
def cases(draw):
    shape = draw(st.sampled_from(["f", "f", "f", "f*g", "f(g)"]))
    f = draw(st.sampled_from(NAMES))
    g = draw(st.sampled_from(NAMES))
    if shape == "f":
        text, fn = f"{f}(x)", UNARY[f][0]
    elif shape == "f*g":
        text, fn = f"{f}(x)*{g}(x)", (lambda x: UNARY[f][0](x) * UNARY[g][0](x))
    else:
        text, fn = f"{f}({g}(x))", (lambda x: UNARY[f][0](_bounded(UNARY[g][0](x))))
    where = draw(st.sampled_from(["ordinary", "extreme", "near"]))
    singular = UNARY[f][1] if shape == "f" else []
    if where == "near" and singular:
        offset = 10.0 ** draw(st.floats(-15, -1)) * draw(st.sampled_from([1.0, -1.0]))
        x = draw(st.sampled_from(singular)) + offset
    elif where == "extreme":
        x = _extreme(draw)
    else:
        x = draw(st.floats(-3, 3))
    kind = draw(st.sampled_from(["grad", "hessian"]))
    dtype = draw(st.sampled_from(["float64", "float64", "float64", "float32"]))
    return kind, text, fn, float(x), dtype


class _Astronomical(ArithmeticError):
    """An inner value beyond 2^MAX_MAGNITUDE, where mpmath's outer function would need
    pi or ln 2 to as many bits (cot(exp(1e300)) did not return in minutes)."""


MAX_MAGNITUDE = 10_000


def _bounded(value):
    if isinstance(value, mpmath.mpf) and mpmath.isfinite(value) and value:
        if mpmath.mag(value) > MAX_MAGNITUDE:
            raise _Astronomical
    return value


def _truth(fn, x: mpmath.mpf, order: int):
    """mpmath's derivative of fn at x, or None where it is not a reliable real number."""
    # x ± h must be distinct at the working precision, and f(x ± h) must differ in
    # digits that survive: 10^-27 relative steps, so about 27 * order + 60 digits
    # beyond the magnitude of x.
    digits = 60 + 27 * order + int(abs(mpmath.log10(abs(x)))) if x else 120
    with mpmath.workdps(digits):
        scale = min(abs(x), mpmath.mpf(1)) if x != 0 else mpmath.mpf(1)
        try:
            values = [
                mpmath.diff(fn, x, order, h=scale * mpmath.mpf(10) ** -exponent)
                for exponent in (22, 27)
            ]
            value = fn(x)
        except (ValueError, ZeroDivisionError, OverflowError, TypeError, _Astronomical):
            return None
        if any(not isinstance(v, mpmath.mpf) or not mpmath.isfinite(v) for v in values):
            return None
        if not isinstance(value, mpmath.mpf):  # outside the real domain
            return "complex"
        a, b = values
        if abs(a - b) > mpmath.mpf(10) ** -30 * max(abs(a), abs(b), mpmath.mpf(10) ** -300):
            return None  # the step still matters: too close to a singularity to trust
        return +b


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(cases())
def test_agree_and_disagree_are_never_wrong(case):
    kind, text, fn, x, dtype = case
    try:
        result = derivcli.compute(kind, text, at={"x": x}, dtype=dtype, timeout=60)
    except DerivcliError:
        # Out of the dtype's range: not this property. (The budget is far above any
        # example's time, so that a loaded machine cannot make an example flaky.)
        assume(False)
    point = result.results[0]
    (number,) = np.ravel(point.numeric)
    (verdict,) = np.ravel(np.array(point.verdicts, dtype=object))
    given_x = float(np.float32(x)) if dtype == "float32" else x
    truth = _truth(fn, mpmath.mpf(given_x), 1 if kind == "grad" else 2)
    if truth == "complex":
        assert verdict != "agree", (text, x, point.warnings)
        return
    assume(truth is not None)
    tiny = float(np.finfo(dtype).tiny)
    within = abs(mpmath.mpf(number) - truth) <= TOLERANCE[dtype] * (abs(truth) + tiny)
    if verdict == "agree":
        assert within, (text, x, dtype, number, truth)
    if verdict == "disagree":
        assert not within, (text, x, dtype, number, truth, point.warnings)
    if verdict == "overflow":
        assert abs(truth) > float(np.finfo(dtype).max) and math.isinf(number)
    if verdict == "underflow":
        assert abs(truth) < tiny and number == 0


@pytest.mark.parametrize(
    ("text", "x"),
    [("sin(x)", 1234567890.1), ("log(1+x) - x", 1e-17), ("exp(x)", 1000.0)],
)
def test_the_property_sees_the_measured_cases(text, x):
    """Control: the truth above reproduces what tests/check/test_trust.py knows in closed form."""
    fn = {
        "sin(x)": mpmath.sin,
        "log(1+x) - x": lambda t: mpmath.log(1 + t) - t,
        "exp(x)": mpmath.exp,
    }[text]
    closed = {"sin(x)": mpmath.cos, "log(1+x) - x": lambda t: 1 / (1 + t) - 1}
    truth = _truth(fn, mpmath.mpf(x), 1)
    if text in closed:
        with mpmath.workdps(60):
            want = closed[text](mpmath.mpf(x))
        assert abs(truth - want) <= mpmath.mpf(10) ** -25 * abs(want)
    else:
        assert truth > 10**400
