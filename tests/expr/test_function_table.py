"""Every row of the function table, lowered to torch, differentiates correctly to second order.

Driven by the table itself: a new row is tested without touching this file. The truth
is sympy's derivative of the row's own sympy construction (its builder in
derivcli.symbolic.sympy_functions), evaluated by mpmath.
"""

from __future__ import annotations

import pytest
import sympy
from helpers import cuda_available, sympy_truth
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import derivcli
from derivcli.expr.functions import FUNCTIONS
from derivcli.symbolic.sympy_functions import BUILDERS

x, y = sympy.symbols("x y", real=True)
ROWS = [spec for spec in FUNCTIONS if spec.listed]
STATIC_VALUES = {"root": 3, "polygamma": 1, "zetaderiv": 1}
TOLERANCE = {"float64": 1e-9, "float32": 1e-4}


def _call(spec, inner_text, inner_expr, second_text="y + 1", second_expr=y + 1):
    """The row applied to an inner expression (and a second argument where it takes two)."""
    texts, exprs = [], []
    for index in range(max(spec.arity[0], 1)):
        if index in spec.static_args:
            value = STATIC_VALUES[spec.name]
            texts.append(str(value))
            exprs.append(sympy.Integer(value))
        elif not any(t == inner_text for t in texts):
            texts.append(inner_text)
            exprs.append(inner_expr)
        else:
            texts.append(second_text)
            exprs.append(second_expr)
    return f"{spec.name}({', '.join(texts)})", BUILDERS[spec.name](*exprs)


def _forms(spec):
    """(text, sympy expression, how to pick x and y so the argument lands in the domain)."""
    inner_text, inner = _call(spec, "x*y + 1", x * y + 1)
    squared_text, squared = _call(spec, "x", x)
    return [
        (inner_text, inner, "product"),
        (f"{squared_text}^2 * y", squared**2 * y, "direct"),
    ]


def _point(data, spec, how):
    low, high = spec.domain
    margin = (high - low) * 0.05
    # Away from 0, where sinc's formula is 0/0 (tests/check/test_verdicts.py covers that point).
    target = data.draw(
        st.floats(low + margin, high - margin).filter(lambda t: abs(t) > 0.05), label="argument"
    )
    y_values = st.floats(0.5, 1.0)
    if spec.breaks == "tie":
        # The second argument is y + 1: away from a tie, where max and min have a kink.
        y_values = y_values.filter(lambda v: abs(target - (v + 1)) > 0.05)
    y_value = data.draw(y_values, label="y")
    x_value = (target - 1) / y_value if how == "product" else target
    return {"x": round(x_value, 9), "y": round(y_value, 9)}


def _close(got, want, rtol):
    if isinstance(want, list):
        return all(_close(g, w, rtol) for g, w in zip(got, want, strict=True))
    return abs(got - want) <= rtol * max(1.0, abs(want))


DEVICES = [
    ("cpu", "float64"),
    ("cpu", "float32"),
    pytest.param(
        "cuda",
        "float64",
        marks=pytest.mark.skipif(not cuda_available(), reason="CUDA is not available"),
    ),
    pytest.param(
        "cuda",
        "float32",
        marks=pytest.mark.skipif(not cuda_available(), reason="CUDA is not available"),
    ),
]


@pytest.mark.parametrize(("device", "dtype"), DEVICES)
@pytest.mark.parametrize("spec", ROWS, ids=[spec.name for spec in ROWS])
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_row_gradient_and_hessian_match_sympy(spec, device, dtype, data):
    for text, expr, how in _forms(spec):
        point = _point(data, spec, how)
        for kind in ("grad", "hessian"):
            want = sympy_truth(kind, [expr], [x, y], point)
            result = derivcli.compute(kind, text, at=point, wrt="x,y", device=device, dtype=dtype)
            got = result.results[0].numeric
            assert _close(got, want, TOLERANCE[dtype]), (text, kind, point, got, want)


def test_every_row_has_a_lowering_or_builds_from_others():
    from derivcli.numeric.lower import lower

    for spec in ROWS:
        text, expr = _call(spec, "x", x)
        lower([expr], [x, y])  # raises InputError naming the function if a row cannot lower
