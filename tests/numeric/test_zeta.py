"""Riemann's zeta of a variable against mpmath at 40 digits: torch's values and
derivatives (numeric/torch_zeta.py), derivcli's verdicts on them (gradient, Hessian,
taylor to order 4, both engines, float64 and float32), the pole at 1, composites, and
the exact values that hold zeta(3).

The truth is mpmath's zeta(s, 1, k) (its k-th derivative) at the float torch was given:
nothing of derivcli's symbolic work is the truth.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import torch
from helpers import lennard_jones

import derivcli
from derivcli.numeric.torch_zeta import zeta, zeta_derivative


@pytest.fixture(autouse=True)
def _digits():
    with mpmath.workdps(40):
        yield


def _truth(s: float, k: int = 0) -> mpmath.mpf:
    return mpmath.zeta(mpmath.mpf(s), 1, k)


# The acceptance points: ordinary, the trivial zeros, beside the pole, large s
POINTS = [2.0, 3.0, 0.5, 0.0, -0.5, -2.0, -10.5, -30.0, 1 + 1e-8, 1 - 1e-8, 10.0, 50.0, 1e3]
ORDERS = range(6)


@pytest.mark.parametrize("s", POINTS)
def test_every_order_to_5_is_right_to_1e_12(s):
    got = [float(zeta_derivative(k, torch.tensor(s, dtype=torch.float64))) for k in ORDERS]
    for k, number in zip(ORDERS, got, strict=True):
        truth = _truth(s, k)
        if truth == 0:  # the trivial zeros: exactly 0
            assert number == 0.0, (s, k, number)
        else:
            assert abs(number - truth) <= 1e-12 * abs(truth), (s, k, number, truth)


@pytest.mark.parametrize("s", [2.0, 0.5, -0.5, -5.5, -30.0, 20.0])
def test_order_30_keeps_ten_digits(s):
    # 21! and C(30, 15) beyond int64 once stopped it; the reflected side loses digits
    # with the order (order 50 at -30: 2e-9, which the verdicts then call disagree)
    number = float(zeta_derivative(30, torch.tensor(s, dtype=torch.float64)))
    truth = _truth(s, 30)
    assert abs(number - truth) <= 1e-10 * abs(truth), (number, truth)


def test_autograd_differentiates_it_to_order_4():
    s = torch.tensor([2.0, -0.5, -10.5, 1 + 1e-8], dtype=torch.float64, requires_grad=True)
    value = zeta(s)
    for k in range(1, 5):
        (value,) = torch.autograd.grad(value.sum(), s, create_graph=True)
        for point, number in zip(s.tolist(), value.tolist(), strict=True):
            truth = _truth(point, k)
            assert abs(number - truth) <= 1e-12 * abs(truth), (point, k, number)


def _functional_equation(t):
    # zeta(t) = 2^t pi^(t-1) sin(pi t/2) Gamma(1 - t) zeta(1 - t)
    return (
        2**t * mpmath.pi ** (t - 1) * mpmath.sinpi(t / 2) * mpmath.gamma(1 - t) * mpmath.zeta(1 - t)
    )


@pytest.mark.parametrize("s", [-400.5, -12345.5, -1e300])
def test_beyond_float64_the_derivatives_overflow_with_their_sign_not_nan(s):
    for k in (1, 2):
        number = float(zeta_derivative(k, torch.tensor(s, dtype=torch.float64)))
        with mpmath.workprec(200 + mpmath.mag(s)):  # s ± h distinct at -1e300
            truth = mpmath.diff(_functional_equation, mpmath.mpf(s), k)
        assert abs(truth) > 1e308
        assert math.isinf(number) and math.copysign(1, number) == mpmath.sign(truth)


def test_float32_is_computed_in_float64_and_rounded():
    s = torch.tensor([2.0, 0.5, -2.0, -10.5, 10.0], dtype=torch.float32)
    got = zeta_derivative(1, s)
    assert got.dtype == torch.float32
    for point, number in zip(s.tolist(), got.tolist(), strict=True):
        assert number == float(np.float32(float(_truth(point, 1))))


def _checked(kind, text, point, **options):
    return derivcli.compute(kind, text, at=point, **options).results[0]


@pytest.mark.parametrize("engine", ["autograd", "symbolic"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    "typed", ["2", "3", "1/2", "0", "-1/2", "-2", "-10.5", "-30", "1+1e-8", "1-1e-8", "10", "50"]
)
def test_taylor_to_order_4_agrees_and_is_right(typed, dtype, engine):
    result = _checked("taylor", "zeta(s)", {"s": typed}, order=4, dtype=dtype, engine=engine)
    given = result.point["s"]  # the float torch was given
    if dtype == "float32" and float(np.float32(given)) == 1.0:  # 1 ± 1e-8 rounds to the pole
        assert "agree" not in result.verdicts
        return
    tolerance = 1e-9 if dtype == "float64" else 1e-4
    for k, (verdict, number) in enumerate(zip(result.verdicts, result.numeric, strict=True)):
        truth = _truth(float(np.float32(given)) if dtype == "float32" else given, k)
        truth /= math.factorial(k)
        assert verdict == "agree", (k, result.warnings)
        assert abs(number - truth) <= tolerance * abs(truth) or truth == number == 0


@pytest.mark.parametrize("kind", ["grad", "hessian", "taylor"])
def test_the_pole_is_not_a_number(kind):
    result = _checked(kind, "zeta(s)", {"s": "1"}, **({"order": 4} if kind == "taylor" else {}))
    verdicts = np.ravel(np.array(result.verdicts, dtype=object)).tolist()
    assert set(verdicts) == {"undefined"}, result.warnings
    assert "infinite" in result.warnings[0]


def test_large_s_keeps_relative_accuracy():
    result = _checked("hessian", "zeta(s)", {"s": "1e3"})
    (number,) = np.ravel(result.numeric)
    truth = _truth(1e3, 2)
    assert result.verdicts == [["agree"]]
    assert abs(number - truth) <= 1e-12 * truth  # 4.5e-302, not 0


def test_the_trivial_zero_has_value_0_and_a_derivative():
    result = _checked("taylor", "zeta(s)", {"s": "-2"}, order=1)
    assert result.exact[0] == "0" and result.numeric[0] == 0.0
    assert abs(result.numeric[1] - _truth(-2, 1)) <= 1e-13 * abs(_truth(-2, 1))


def test_composites_agree_with_mpmath():
    x, y = 1.5, 2.0
    h = _checked("hessian", "zeta(x*y)", {"x": "1.5", "y": "2"}).numeric
    z1, z2 = _truth(x * y, 1), _truth(x * y, 2)
    truth = [[y * y * z2, z1 + x * y * z2], [z1 + x * y * z2, x * x * z2]]
    for row, want in zip(h, truth, strict=True):
        for number, w in zip(row, want, strict=True):
            assert abs(number - w) <= 1e-12 * abs(w)
    square = _checked("hessian", "zeta(x)^2", {"x": "-0.5"})
    z0, z1, z2 = (_truth(-0.5, k) for k in range(3))
    (number,) = np.ravel(square.numeric)
    assert square.verdicts == [["agree"]]
    assert abs(number - 2 * (z1 * z1 + z0 * z2)) <= 1e-12 * abs(2 * (z1 * z1 + z0 * z2))


def test_zetaderiv_is_a_row_that_reads_back():
    from derivcli.expr.parse import parse_expression

    result = _checked("grad", "zetaderiv(2, s)", {"s": "2"})
    assert result.verdicts == ["agree"]
    assert abs(result.numeric[0] - _truth(2, 3)) <= 1e-13 * abs(_truth(2, 3))
    (entry,) = derivcli.hessian("zeta(s)").symbolic[0]
    assert entry == "zetaderiv(2, s)"
    assert str(parse_expression(entry)) == entry


def test_polygamma_exact_values_still_hold_zeta_3_and_read_back():
    from derivcli.expr.parse import parse_expression

    result = _checked("grad", "polygamma(1, x)", {"x": "1"})
    assert result.exact == ["-2*zeta(3)"]
    back = parse_expression(result.exact[0])
    assert float(back) == pytest.approx(float(-2 * mpmath.zeta(3)), rel=1e-15)
    assert str(back) == "-2*zeta(3)"


@pytest.mark.parametrize("text", ["zetaderiv(-1, s)", "zetaderiv(1/2, s)", "zetaderiv(s, s)"])
def test_zetaderiv_needs_a_non_negative_integer_order(text):
    from derivcli.errors import InputError

    with pytest.raises(InputError, match="non-negative integer order"):
        derivcli.grad(text, at="s=2")


def test_symengine_refuses_zeta_by_name_and_auto_keeps_a_large_problem_on_sympy():
    from derivcli.expr.parse import parse_tree
    from derivcli.symbolic import choice
    from derivcli.symbolic.backend import Unsupported

    pytest.importorskip("symengine")
    with pytest.raises(Unsupported, match=r"no zeta\(\)"):
        derivcli.grad("zeta(s)", at="s=2", symbolic="symengine")
    heavy = lennard_jones(3)
    entries = 9 * 9
    assert choice.choose("auto", parse_tree(heavy).components, entries).name == "symengine"
    text = heavy + " + zeta(x0_0)"
    assert choice.choose("auto", parse_tree(text).components, entries).name == "sympy"
    point = {f"x{i}_{k}": str(i + 0.5 * k + 2.25 * (i == k)) for i in range(3) for k in range(3)}
    with_zeta = derivcli.hessian(text, at=point).results[0]
    without = derivcli.hessian(heavy, at=point, symbolic="symengine").results[0]
    assert with_zeta.agree and without.agree
    zeta_part = with_zeta.numeric[0][0] - without.numeric[0][0]
    truth = _truth(float(point["x0_0"]), 2)
    assert abs(zeta_part - truth) <= 1e-9 * abs(truth)
