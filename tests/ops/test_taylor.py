"""taylor: the Taylor polynomial's coefficients against mpmath.diff at 40 digits on every
row of the function table (both engines), the polynomial against sympy's own series in
one variable and products of known series in two, hard points, and every way in."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from test_vector_calculus import ROWS, _close, _diff, _point, _row, x, y

import derivcli
from derivcli.errors import InputError
from derivcli.expr.parse import parse_result

POWERS_2_TO_4 = [(a, d - a) for d in range(5) for a in range(d, -1, -1)]


@pytest.mark.parametrize("engine", ["autograd", "symbolic"])
@pytest.mark.parametrize("spec", ROWS, ids=[spec.name for spec in ROWS])
def test_row_coefficients_to_order_4_match_mpmath(spec, engine):
    point = _point(spec)
    text, f = _row(spec, "x*y + 1", x * y + 1)
    # lambertw's and beta's order 4 take 11-18 s on a loaded 2-core machine: more room
    # than the default budget, so that the test measures the numbers, not the load
    result = derivcli.taylor(text, point, order=4, wrt="x,y", engine=engine, timeout=120)
    (found,) = result.results
    terms = found.extra["terms"]
    assert [(t["powers"].get("x", 0), t["powers"].get("y", 0)) for t in terms] == POWERS_2_TO_4
    for (a, b), number, term in zip(POWERS_2_TO_4, found.numeric, terms, strict=True):
        want = _diff(f, point, (a, b)) / (math.factorial(a) * math.factorial(b))
        # order 4 of a function of x*y: mpmath's own steps limit it near 1e-12
        assert _close(number, want, 1e-8), (text, a, b, number, want)
        assert term["numeric"] == number and term["verdict"] == "agree", (text, a, b, term)
    assert found.agree, found.warnings
    # the polynomial is the sum of its exact coefficients times the shifted powers
    assert found.extra["polynomial"] is not None
    _assert_polynomial(found, ["x", "y"])


def _assert_polynomial(found, names):
    symbols = [sympy.Symbol(name, real=True) for name in names]
    centre = [parse_result(found.point_text[name]) for name in names]
    want = sum(
        parse_result(term["exact"])
        * math.prod(
            (s - c) ** term["powers"].get(name, 0)
            for s, c, name in zip(symbols, centre, names, strict=True)
        )
        for term in found.extra["terms"]
    )
    got = parse_result(found.extra["polynomial"])
    assert sympy.expand(got - want) == 0, (found.extra["polynomial"], want)


@pytest.mark.parametrize(
    ("text", "at", "order"),
    [
        ("exp(x)", "x=0", 6),
        ("log(1+x)", "x=0", 5),
        ("1/(1-x)", "x=0", 4),
        ("cos(x)", "x=pi/3", 5),
        ("atan(x)", "x=1", 4),
        ("x^(1/3)", "x=8", 3),
    ],
)
def test_one_variable_is_sympys_series(text, at, order):
    (found,) = derivcli.taylor(text, at, order=order).results
    f, point = parse_result(text), parse_result(at.split("=")[1])
    truth = sympy.series(f, x, point, order + 1).removeO()
    got = parse_result(found.extra["polynomial"])
    assert sympy.simplify(got - truth) == 0, (found.extra["polynomial"], truth)
    assert len(found.numeric) == order + 1
    # the 4th derivative of atan at 1 is exactly 0, torch's 1.9e-17 its rounding error
    assert set(found.verdicts) <= {"agree", "imprecise"}, found.warnings


def test_two_variables_are_the_product_of_known_series():
    # exp(x)*sin(y) at 0: (1 + x + x^2/2 + x^3/6)(y - y^3/6), to total order 3
    (found,) = derivcli.taylor("exp(x)*sin(y)", "x=0,y=0", order=3).results
    got = parse_result(found.extra["polynomial"])
    want = y + x * y + x**2 * y / 2 - y**3 / 6
    assert sympy.expand(got - want) == 0, found.extra["polynomial"]
    assert found.exact[7] == "1/2" and found.numeric[7] == 0.5  # x^2*y


def test_away_from_the_origin_the_powers_are_shifted():
    (found,) = derivcli.taylor("x^2*a", "x=-1/2,a=3", wrt="x").results
    assert found.extra["polynomial"] == "3/4 - 3*(x + 1/2) + 3*(x + 1/2)^2"
    (found,) = derivcli.taylor("exp(x)*cos(y)", "x=1,y=pi/3", order=2).results
    _assert_polynomial(found, ["x", "y"])


def test_order_0_is_the_value_and_the_labels_are_the_monomials():
    result = derivcli.taylor("exp(x)", "x=1", order=0)
    (found,) = result.results
    assert result.symbolic == ["exp(x)"] and found.exact == ["E"]
    assert found.extra["polynomial"] == "E" and parse_result("E") == sympy.E
    labels = derivcli.taylor("x*y*z", order=2).op.labels(["x", "y", "z"])
    assert labels == [
        f"c[{m}]" for m in ["1", "x", "y", "z", "x^2", "x*y", "x*z", "y^2", "y*z", "z^2"]
    ]


# --- hard points ------------------------------------------------------------------------


def test_at_a_kink_the_missing_coefficients_are_marked_and_there_is_no_polynomial():
    (found,) = derivcli.taylor("abs(x)*y", "x=0,y=1").results
    terms = {tuple(sorted(t["powers"].items())): t for t in found.extra["terms"]}
    for powers in ((("x", 1),), (("x", 2),), (("x", 1), ("y", 1))):
        assert not terms[powers]["exists"] and terms[powers]["exact"] is None
        assert terms[powers]["verdict"] == "not differentiable"
    assert terms[()]["exists"] and terms[(("y", 1),)]["exact"] == "0"
    assert found.extra["polynomial"] is None and not found.agree


def test_a_function_smooth_to_order_1_only():
    # x*|x| = sign(x) x^2: f'(0) = 0 exists, f''(0) does not
    (first,) = derivcli.taylor("x*abs(x)", "x=0", order=1).results
    assert first.extra["polynomial"] == "0" and first.agree
    (second,) = derivcli.taylor("x*abs(x)", "x=0", order=2).results
    assert second.extra["polynomial"] is None
    assert [t["exists"] for t in second.extra["terms"]] == [True, True, False]


@pytest.mark.parametrize(
    ("text", "at", "verdict"),
    [("1/x", "x=0", "undefined"), ("log(x)", "x=-1", "undefined"), ("sqrt(x)", "x=0", "infinite")],
)
def test_at_a_pole_or_outside_the_domain_there_is_no_polynomial(text, at, verdict):
    (found,) = derivcli.taylor(text, at).results
    assert found.extra["polynomial"] is None and not found.agree
    assert verdict in [t["verdict"] for t in found.extra["terms"]]


def test_a_removable_singularity_has_the_limits_series():
    (found,) = derivcli.taylor("sinc(x)", "x=0", order=4).results
    assert found.exact == ["1", "0", "-1/6", "0", "1/120"]
    assert found.extra["polynomial"] == "1 - 1/6*x^2 + 1/120*x^4"


def test_float32_coefficients_agree_at_float32s_tolerance():
    (found,) = derivcli.taylor("exp(x)*sin(y)", "x=1/3,y=2", order=3, dtype="float32").results
    assert found.agree, found.warnings
    (wide,) = derivcli.taylor("exp(x)*sin(y)", "x=1/3,y=2", order=3).results
    np.testing.assert_allclose(found.numeric, wide.numeric, rtol=1e-5)


# --- every way in ---------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["autograd", "symbolic"])
def test_many_points_stream_the_coefficients(engine):
    xs = np.linspace(-1.0, 1.0, 5)
    values = derivcli.evaluate("taylor", "exp(2*x)", {"x": xs}, order=3, engine=engine)
    assert values.shape == (5, 4)
    want = np.stack([np.exp(2 * xs) * 2**k / math.factorial(k) for k in range(4)], axis=-1)
    np.testing.assert_allclose(values, want, rtol=1e-13)


def test_the_command_line_prints_the_polynomial_and_json_has_its_fields(cli, cli_json):
    result = cli("taylor", "log(x)", "--at", "x=1", "--order", "3")
    assert result.exit_code == 0
    assert "Taylor polynomial: (x - 1) - 1/2*(x - 1)^2 + 1/3*(x - 1)^3" in result.stdout
    document = cli_json("taylor", "exp(x)*sin(y)", "--at", "x=0,y=0", "-k", "2")
    point = document["results"][0]
    assert document["kind"] == "taylor" and point["polynomial"] == "y + x*y"
    every = {"point", "exact", "expected", "numeric", "agree", "verdicts", "warnings"}
    assert set(point) == every | {"polynomial", "terms"}
    hessian = cli_json("hessian", "x*y", "--at", "x=0,y=0")["results"][0]
    assert set(hessian) == every  # the other kinds' points are as they were
    assert point["terms"][4] == {
        "powers": {"x": 1, "y": 1},
        "exact": "1",
        "numeric": 1.0,
        "exists": True,
        "verdict": "agree",
    }
    kink = cli("taylor", "abs(x)", "--at", "x=0")
    assert kink.exit_code == 0 and "no Taylor polynomial here" in kink.stdout
    csv = cli("taylor", "x^3", "--grid", "x=1:2:2", "-k", "2", "-f", "csv")
    assert csv.stdout.splitlines() == [
        "x,c[1],c[x],c[x^2]",
        "1.0,1.0,3.0,3.0",
        "2.0,8.0,12.0,6.0",
    ]


@pytest.mark.parametrize(
    ("order", "message"),
    [
        (17, "a whole number from 0 to 16, not 17"),
        (-1, "not -1"),
        (1.5, "not 1.5"),
        (True, "not True"),
        ("two", "not 'two'"),
    ],
)
def test_a_bad_order_is_an_input_error(order, message):
    with pytest.raises(InputError) as error:
        derivcli.taylor("x*y", "x=1,y=1", order=order)
    assert message in str(error.value) and "order=" in str(error.value)


def test_too_many_terms_and_the_options_of_other_commands_are_refused(cli):
    names = ",".join(f"x{i}" for i in range(40))
    with pytest.raises(InputError, match="40 variables has 1,221,759 terms"):
        derivcli.taylor("+".join(names.split(",")), order=5)
    with pytest.raises(InputError, match="hessian takes no order=; taylor does"):
        derivcli.hessian("x*y", order=2)
    with pytest.raises(InputError, match="taylor takes no vector=; directional, jvp, vjp and hvp"):
        derivcli.compute("taylor", "x*y", vector="1,2")
    result = cli("taylor", "x", "--order", "17", "--at", "x=1")
    assert result.exit_code == 2 and "--order is the total order" in result.stderr
