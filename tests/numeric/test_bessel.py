"""The Bessel rows (j0, j1, y0, y1, i0, i1, k0, k1) against mpmath at 40 digits: values,
derivatives to order 4 at 0, tiny, ordinary, large and near-overflow arguments, in
float64 and float32; the verdicts where they are not numbers (Y's and K's end at 0,
outside the domain, I's overflow, K's underflow).

The truths are mpmath's besselj/bessely/besseli/besselk and their derivatives in
closed form from orders 0 and 1 (checked against mpmath.diff below), never derivcli's
symbolic work.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import torch

import derivcli
from derivcli.numeric.torch_functions import LOWERINGS


@pytest.fixture(autouse=True)
def _digits():
    with mpmath.workdps(40):
        yield


KINDS = {"j": mpmath.besselj, "y": mpmath.bessely, "i": mpmath.besseli, "k": mpmath.besselk}
ROWS = ["j0", "j1", "y0", "y1", "i0", "i1", "k0", "k1"]


def _truth(row: str, x, order: int = 0):
    """The row's order-th derivative at x, by mpmath's functions of other orders (DLMF
    10.6.7, 10.29.5): C^(k)_n = 2^-k sum_m (-1)^m C(k, m) C_(n-k+2m) for J and Y,
    I^(k)_n = 2^-k sum_m C(k, m) I_(n-k+2m), (-1)^k K^(k)_n the same in K.
    (mpmath's own derivative= hangs for besseli at 1e-300 and ignores besselk's.)"""
    kind, n = KINDS[row[0]], int(row[1])
    alternating = row[0] in "jy"

    def of_order(nu: int):  # C_(-n) = (-1)^n C_n for J and Y, I_(-n) = I_n, K_(-n) = K_n
        return (-1) ** (-nu if alternating and nu < 0 else 0) * kind(abs(nu), x)

    terms = (
        (-1) ** (m if alternating else 0) * mpmath.binomial(order, m) * of_order(n - order + 2 * m)
        for m in range(order + 1)
    )
    value = mpmath.fsum(terms) / 2**order * (-1) ** (order if row[0] == "k" else 0)
    return value.real if isinstance(value, mpmath.mpc) else value


def test_the_truths_are_mpmaths_derivatives():
    for row in ROWS:
        for order in (1, 2):
            want = mpmath.diff(lambda t, row=row: _truth(row, t), mpmath.mpf("0.7"), order)
            assert mpmath.almosteq(_truth(row, mpmath.mpf("0.7"), order), want, 1e-25), row


FIRST_ZERO = 2.404825557695773  # J0's first zero, as a float
POINTS = [1e-300, 1e-8, 1e-3, 0.5, FIRST_ZERO, 3.8317, 7.0, 10.0, 19.99, 20.01, 100.0, 1e4]
SIGNED = {"j", "i"}  # defined for negative x too


def _cases():
    for row in ROWS:
        for x in POINTS:
            if row[0] == "i" and x > 700:
                continue  # beyond float64: the overflow test below
            if row[0] == "k" and x > 700:
                continue
            yield row, x
            if row[0] in SIGNED:
                yield row, -x


CASES = list(_cases())


def _relative(got: float, want) -> float:
    return float(abs(mpmath.mpf(got) - want) / max(abs(want), mpmath.mpf(1e-300)))


@pytest.mark.parametrize(("row", "x"), CASES, ids=[f"{r}({x})" for r, x in CASES])
def test_values_and_two_derivatives_match_mpmath_in_float64(row, x):
    t = torch.tensor([x], dtype=torch.float64, requires_grad=True)
    value = LOWERINGS[row](torch, t)
    (first,) = torch.autograd.grad(value.sum(), t, create_graph=True)
    (second,) = torch.autograd.grad(first.sum(), t)
    for order, got in enumerate((value, first, second)):
        want = _truth(row, mpmath.mpf(x), order)
        if abs(want) > 1.7e308:
            assert torch.isinf(got).all(), (row, x, order)
            continue
        # near a zero of the value, its absolute error is that of its neighbours
        scale = max(abs(want), abs(_truth(row, mpmath.mpf(x), order + 1)) * 1e-16 * abs(x))
        assert abs(got.item() - want) <= 2e-15 * scale + 1e-300, (row, x, order, got, want)


@pytest.mark.parametrize("row", ROWS)
def test_float32(row):
    for x in (1e-3, 0.5, FIRST_ZERO, 10.0, 30.0):
        t = torch.tensor(x, dtype=torch.float32)
        got = LOWERINGS[row](torch, t)
        assert got.dtype == torch.float32
        assert _relative(got.item(), _truth(row, mpmath.mpf(float(t)))) <= 3e-7, (row, x)
    result = derivcli.hessian(f"{row}(x)", at="x=0.75", dtype="float32").results[0]
    assert result.verdicts == [["agree"]]
    assert _relative(result.numeric[0][0], _truth(row, mpmath.mpf(0.75), 2)) <= 1e-5


@pytest.mark.parametrize("row", ["j0", "j1", "i0", "i1"])
def test_taylor_of_order_4_at_zero_and_near_it(row):
    # J1/x and I1/x are 0/0 at 0: the derivatives' exact values are limits, torch's
    # come from L_n = J_n/x^n, which are entire
    for x, point in (("0", 0), ("1e-8", 1e-8), ("1/1000", 1e-3), (str(FIRST_ZERO), FIRST_ZERO)):
        result = derivcli.taylor(f"{row}(x)", at=f"x={x}", order=4).results[0]
        assert set(result.verdicts) == {"agree"}, (row, x, result.warnings)
        point = mpmath.mpf(point)
        for k, got in enumerate(result.numeric):
            want = _truth(row, point, k) / mpmath.factorial(k)
            assert abs(got - want) <= 1e-14 * max(abs(want), 1e-3), (row, x, k, got, want)


def test_the_0_over_0_values_at_zero_are_exact():
    # J1'(0) = I1'(0) = 1/2, J0''(0) = -1/2, I0''(0) = 1/2, J1'''(0) = -3/8
    cases = [("j1(x)", 1, "1/2"), ("i1(x)", 1, "1/2"), ("j0(x)", 2, "-1/2"), ("i0(x)", 2, "1/2")]
    cases.append(("j1(x)", 3, "-3/8"))
    for text, order, exact in cases:
        result = derivcli.diff(text, at="x=0", wrt=",".join("x" * order)).results[0]
        assert result.verdicts == "agree" and result.exact == exact, (text, result.exact)
        assert result.numeric == float(mpmath.mpf(mpmath.fraction(*map(int, exact.split("/")))))


@pytest.mark.parametrize(
    ("text", "point"),
    [("j1(x*y)", "x=0.5,y=1.25"), ("j0(x)^2 + y0(x)^2", "x=0.5"), ("k1(x)*i0(y)", "x=2,y=-3")],
)
def test_composites(text, point):
    result = derivcli.hessian(text, at=point).results[0]
    assert {v for row in result.verdicts for v in row} == {"agree"}, result.warnings
    values = {k: mpmath.mpf(v) for k, v in (p.split("=") for p in point.split(","))}
    names = sorted(values)

    def f(*args):
        env = dict(zip(names, args, strict=True))
        return {
            "j1(x*y)": lambda: mpmath.besselj(1, env.get("x", 0) * env.get("y", 0)),
            "j0(x)^2 + y0(x)^2": lambda: (
                mpmath.besselj(0, env["x"]) ** 2 + mpmath.bessely(0, env["x"]) ** 2
            ),
            "k1(x)*i0(y)": lambda: mpmath.besselk(1, env["x"]) * mpmath.besseli(0, env["y"]),
        }[text]()

    for i in range(len(names)):
        for j in range(len(names)):
            orders = [0] * len(names)
            orders[i] += 1
            orders[j] += 1
            want = mpmath.diff(f, [values[n] for n in names], tuple(orders))
            assert _relative(result.numeric[i][j], want) <= 1e-12, (i, j)


@pytest.mark.parametrize(
    ("text", "point", "verdict"),
    [
        ("y0(x)", "x=0", "infinite"),
        ("k0(x)", "x=0", "infinite"),
        # Y1' = Y0 - Y1/x is oo - oo at 0 by substitution: not decided, never a number
        ("y1(x)", "x=0", "not differentiable"),
        ("k1(x)", "x=0", "not differentiable"),
        ("y0(x)", "x=-1", "undefined"),
        ("y1(x)", "x=-2", "undefined"),
        ("k0(x)", "x=-1", "undefined"),
        ("k1(x)", "x=-0.5", "undefined"),
        ("i0(x)", "x=714", "overflow"),
        ("i1(x)", "x=-714", "overflow"),
        ("k0(x)", "x=750", "underflow"),
        ("k1(x)", "x=800", "underflow"),
        ("i0(x)", "x=100", "overflow"),  # float32 below
    ],
)
def test_verdicts_where_the_number_is_not_an_ordinary_double(text, point, verdict):
    dtype = "float32" if point == "x=100" else "float64"
    result = derivcli.grad(text, at=point, dtype=dtype).results[0]
    assert result.verdicts == [verdict], result.warnings


def test_i0_just_below_its_overflow_and_k0_just_above_its_underflow_agree():
    for text, x in (("i0(x)", 713), ("k0(x)", 700)):
        result = derivcli.grad(text, at=f"x={x}").results[0]
        assert result.verdicts == ["agree"]
        assert _relative(result.numeric[0], _truth(text[:2], mpmath.mpf(x), 1)) <= 1e-13


def test_derivatives_stay_in_orders_0_and_1_and_print_under_derivcli_names():
    text = derivcli.hessian("j1(x) + y1(x) + i1(x) + k1(x)").symbolic[0][0]
    assert "bessel" not in text
    for name in ("j0", "j1", "y0", "y1", "i0", "i1", "k0", "k1"):
        assert f"{name}(x)" in text
    # the printed result parses back to the same derivative
    again = derivcli.hessian(text, at="x=0.5").results[0]
    assert again.verdicts == [["agree"]]


def test_symengine_refuses_the_rows_by_name_and_auto_takes_sympy():
    from derivcli.symbolic.backend import Unsupported

    for row in ROWS:
        with pytest.raises(Unsupported, match="symengine backend has no"):
            derivcli.grad(f"{row}(x)", symbolic="symengine")
        assert derivcli.grad(f"{row}(x)", at="x=0.25", symbolic="auto").results[0].agree


def test_the_symbolic_engine_is_finite_at_zero():
    # the symbolic derivative j0(x) - j1(x)/x is 0/0 at 0; the engine's value is its limit
    result = derivcli.hessian("j1(x) + i1(x) + j0(x)", at="x=0", engine="symbolic").results[0]
    assert result.numeric == [[-0.5]]
    near = derivcli.hessian("j1(x)", at="x=1e-6", engine="symbolic").results[0]
    assert _relative(near.numeric[0][0], _truth("j1", mpmath.mpf(1e-6), 2)) <= 1e-12


def test_array_inputs_keep_their_shape():
    t = torch.tensor([[0.0, 1.0], [25.0, -3.0]], dtype=torch.float64)
    for row in ("j0", "j1", "i0", "i1"):
        got = LOWERINGS[row](torch, t)
        want = np.array([[float(_truth(row, mpmath.mpf(v))) for v in r] for r in t.tolist()])
        assert got.shape == t.shape and np.allclose(got.numpy(), want, rtol=1e-15, atol=0)
