"""Numbers for people: points as typed or short decimals, grid points the decimals a
person expects, exact values simplified with a certified decimal beside, float32 at
float32's precision; the JSON document as it was."""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import derivcli
from derivcli import render
from derivcli.expr.parse import parse_value
from derivcli.io.sources import Grid
from derivcli.symbolic.display import ExactForms
from derivcli.symbolic.numbers import (
    SHORT,
    approximation,
    decimal_text,
    point_text,
    rational_text,
    short_rational,
)


def _rounded(value: mpmath.mpf, digits: int) -> str:
    """The independent truth: value (at 50 digits) rounded once by Python's Decimal."""
    with mpmath.workdps(50):
        text = mpmath.nstr(value, 50, strip_zeros=False)
    return format(Context(prec=digits, rounding=ROUND_HALF_EVEN).plus(Decimal(text)), "g")


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("1e300", "1e300"),
        ("0.1", "0.1"),
        ("3/5", "0.6"),
        ("2/3", "2/3"),
        ("-2.5e-7", "-2.5e-7"),
        ("1e-300", "1e-300"),
        ("123", "123"),
        ("pi/4", "π/4"),
        ("0.30000000000000004", "0.30000000000000004"),
    ],
)
def test_points_are_printed_as_typed_or_as_short_decimals(typed, shown):
    assert point_text(parse_value(typed)) == shown
    assert parse_value(shown.replace("π", "pi")) == parse_value(typed)  # exact: reads back


def test_a_point_with_no_short_exact_form_is_a_marked_decimal():
    value = parse_value("123456789012345678901234567")
    assert point_text(value) == "≈ 1.2345678901234568e+26"


def test_a_huge_point_in_the_header_and_the_warnings():
    result = derivcli.grad("x^3", at=[{"x": "1e300"}, {"x": 1}])
    text = render.table_text(result)
    assert "at x = 1e300" in text and "0" * 20 not in text
    assert result.results[0].point_text == {"x": "1e300"}


def test_grid_points_are_the_floats_nearest_their_exact_decimals():
    (axis,) = Grid("x=0:0.3:4").axes
    assert axis.tolist() == [0.0, 0.1, 0.2, 0.3]  # linspace gave 0.09999999999999999
    (axis,) = Grid("x=-1:2.5:1001").axes
    truth = [float(Fraction(-1) + Fraction(7, 2) * Fraction(k, 1000)) for k in range(1001)]
    assert axis.tolist() == truth
    (axis,) = Grid("x=0:pi:3").axes  # irrational ends: evenly spaced floats
    assert axis[-1] == float(mpmath.pi) and axis[1] == float(mpmath.pi / 2)


def test_the_table_at_grid_points_shows_their_decimals(cli):
    run = cli("grad", "x^2", "--grid", "x=0:0.3:4")
    assert run.exit_code == 0, run.output
    assert "at x = 0.1\n" in run.stdout and "at x = 0.2\n" in run.stdout
    assert "9999" not in run.stdout and "│ 0.2   │" in run.stdout  # 2x at 0.1, exactly


def test_the_decimal_beside_an_exact_value_is_certified_not_float_rounded():
    # just above the tie 0.1234565: float arithmetic rounds it down (0.1234565 is the
    # float nearest), the certified evaluation up.
    value = sympy.Rational(1234565, 10**7) + sympy.Rational(1, 10**25)
    assert f"{float(value):.6g}" == "0.123456"
    assert approximation(value, 6) == "≈ 0.123457"
    for expr, truth in [
        (sympy.exp(2) * sympy.log(3), mpmath.e**2 * mpmath.log(3)),
        (-6 / sympy.log(2), -6 / mpmath.log(2)),
        (sympy.pi**20, mpmath.pi**20),
        (sympy.exp(-50), mpmath.exp(-50)),
    ]:
        with mpmath.workdps(50):
            expected = _rounded(truth, 6)
        assert Decimal(approximation(expr, 6)[2:]) == Decimal(expected)


def test_no_decimal_beside_integers_and_short_decimals():
    assert approximation(sympy.Integer(12), 6) is None
    assert approximation(sympy.Rational(1, 4), 6) is None  # shown as 0.25
    assert approximation(sympy.Rational(2, 3), 6) == "≈ 0.666667"


def test_decimal_text_writes_like_percent_g():
    for value in ["8.117713", "2e300", "1.23e-7", "123456.7", "-0.000123456789", "1e-5"]:
        assert decimal_text(mpmath.mpf(value), 6) == f"{float(value):.6g}"


def test_exact_values_are_simplified_with_a_decimal_and_json_keeps_its_text():
    result = derivcli.grad("x^2*log(y)/log(2)^2", at={"x": 1, "y": "1/8"})
    shown = result.results[0].exact_shown(6)
    truth = _rounded(-6 / mpmath.log(2), 6)
    assert shown[0] == f"-6/log(2) ≈ {truth}"
    document = json.loads(result.to_json())
    assert document["results"][0]["exact"] == result.results[0].exact
    assert not any(mark in result.to_json() for mark in "≈·²√")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("sqrt(x)", "±∞"),  # 1/(2*sqrt(0)): sympy's unsigned complex infinity
        ("lambertw(x)", "±∞"),
    ],
)
def test_an_infinite_derivative_is_shown_as_infinity_not_zoo(text, shown):
    at = "x=-1/e" if "lambertw" in text else "x=0"
    result = derivcli.grad(text, at=at)
    assert result.results[0].exact_shown(6) == [shown]
    assert "zoo" not in render.table_text(result)
    assert json.loads(result.to_json())["results"][0]["exact"] == ["zoo"]  # unchanged


def test_the_header_shows_the_expression_as_typed():
    result = derivcli.grad("x^2  *  sin(y)", at={"x": 1, "y": 2})
    text = render.table_text(result)
    assert text.splitlines()[0].split(maxsplit=1)[1].strip() == "x^2 * sin(y)"
    assert result.expressions == ["x**2*sin(y)"]  # the JSON's form


def test_float32_numbers_at_float32_precision(cli):
    run = cli("grad", "2/3*x", "--at", "x=1", "--dtype", "float32", "--format", "plain")
    assert run.stdout.strip() == str(np.float32(2 / 3)) == "0.6666667"
    run = cli("grad", "2/3*x", "--at", "x=1", "--dtype", "float32", "--precision", "17")
    assert "0.6666667 " in run.stdout and "0.66666668" not in run.stdout.split("≈")[-1]
    document = json.loads(
        cli("grad", "2/3*x", "--at", "x=1", "--dtype", "float32", "--format", "json").stdout
    )
    assert document["results"][0]["numeric"] == [float(np.float32(2 / 3))]  # exact, as it was


def test_float32_csv_has_float32s_shortest_text_and_float64_points(cli):
    args = ["grad", "2/3*x + x^2*y", "--at", "x=1,y=1e-3", "--at", "x=0.1,y=3"]
    run = cli(*args, "--dtype", "float32", "--format", "csv")
    header, *rows = run.stdout.splitlines()
    assert header == "x,y,d/dx,d/dy"
    for (x, y), row in zip([(1, 1e-3), (0.1, 3.0)], rows, strict=True):
        cells = row.split(",")
        assert cells[:2] == [repr(x * 1.0), repr(y)]  # the points as given, float64
        # each value the float32 torch computed (2/3 + 2xy, x^2), in its shortest text
        for text, want in zip(cells[2:], [2 / 3 + 2 * x * y, x * x], strict=True):
            assert np.float32(text) == np.float32(want) or abs(float(text) / want - 1) < 1e-6
            assert text == str(np.float32(text))
    float64 = cli(*args, "--format", "csv").stdout.splitlines()[1].split(",")
    assert float64[2] == repr(2 / 3 + 2e-3)  # float64 unchanged: repr round-trips


def test_a_value_past_10_to_the_million_is_written_by_its_log10():
    # the independent truth: log10(exp(10^300)) = 10^300·log10(e), from mpmath at 60 digits
    with mpmath.workdps(60):
        truth = mpmath.mpf(10) ** 300 * mpmath.log10(mpmath.e)
        value = mpmath.exp(mpmath.mpf(10) ** 300)
    for digits in (6, 17):
        text = decimal_text(value, digits)
        assert re.fullmatch(r"10\^\(\d\.\d+e\+299\)", text), text
        assert text == f"10^({_rounded(truth, digits)})"
    assert decimal_text(-1 / value, 6) == f"-10^(-{_rounded(truth, 6)})"


def test_exp_of_1e300_in_the_table_and_the_warning():
    result = derivcli.grad("exp(x)", at="x=1e300")
    text = render.table_text(result)
    assert "exp(1e300) ≈ 10^(4.34294e+299)" in text
    (warning,) = result.results[0].warnings
    assert "the exact value 10^(4.3429448190325183e+299) is beyond" in warning
    assert not re.search(r"\d{30}", text + warning)


@given(
    st.integers(-(10**80), 10**80),
    st.integers(0, 60),
    st.integers(0, 60),
    st.integers(0, 320),
)
def test_the_exact_text_of_a_rational_is_exactly_it(numerator, twos, fives, zeros):
    # huge integers with trailing zeros, decimals, fractions: Python's Fraction reads back
    for value in (
        sympy.Rational(numerator, 2**twos * 5**fives),
        sympy.Integer(numerator) * 10**zeros,
        sympy.Rational(numerator, 3**twos),
    ):
        for text in (rational_text(value), short_rational(value)):
            if text is not None:
                assert Fraction(text) == Fraction(int(value.p), int(value.q)), text
                assert len(text) <= max(SHORT, len(f"{value.p}/{value.q}")), text


def test_a_decimal_of_pi_is_exact_so_no_approximation_is_beside_it():
    # 7853981633974483/2500000000000000 (the JSON's exact) is 3.1415926535897932 exactly
    assert Fraction("3.1415926535897932") == Fraction(7853981633974483, 2500000000000000)
    result = derivcli.grad("x^2", at="x=1.5707963267948966")
    assert result.results[0].exact == ["7853981633974483/2500000000000000"]  # the contract
    assert "│ 3.1415926535897932 │" in render.table_text(result)
    forms = ExactForms()
    cosine = parse_value("cos(3.141592653589793)")
    assert forms.texts([cosine], 6) == ["cos(3.141592653589793) ≈ -1"]


def test_a_long_fraction_is_shown_by_its_certified_decimal():
    value = sympy.Rational(2, 3 * 10**30 + 1)
    (text,) = ExactForms().texts([value], 6)
    truth = _rounded(mpmath.mpf(2) / (3 * 10**30 + 1), 6)
    assert text == f"≈ {truth} (33 characters exact; --format json shows it)"
    (text,) = ExactForms().texts([sympy.Integer(2) ** 999], 6)  # 301 digits, no zeros
    truth = _rounded(mpmath.mpf(2) ** 999, 6)
    assert text == f"≈ {truth} (301 characters exact; --format json shows it)"
    assert ExactForms().texts([sympy.Integer(3) * 10**600], 6) == ["3e600"]
    inside = sympy.cos(value)
    (text,) = ExactForms().texts([inside], 6)
    assert text.startswith("≈ 1 (") and "json" in text


def test_a_point_of_e_is_written_as_typed():
    assert point_text(parse_value("-1/e")) == "-1/e"
    assert point_text(parse_value("2/e")) == "2/e"
    assert point_text(parse_value("1/8")) == "0.125"


def test_a_point_beyond_the_range_is_named_as_typed_not_cut(cli):
    run = cli("grad", "x", "--at", "x=1e400")  # cut at 40 characters, it read as 10^39
    assert run.exit_code == 2
    assert "the value of x (1e400) is beyond float64's range" in run.stderr
