"""diff: one partial derivative of any order, against mpmath.diff at 40 digits on every
row of the function table (both engines), at hard points, and through every way in."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy
from test_vector_calculus import ROWS, _close, _diff, _point, _row, x, y

import derivcli
from derivcli.errors import InputError
from derivcli.expr.parse import parse_result

# (--wrt, mpmath's orders in x and y)
ORDERS = [
    ("x", (1, 0)),
    ("y,x", (1, 1)),
    ("x,x,x", (3, 0)),
    ("x,y,x,y", (2, 2)),
    ("y,y,y,y", (0, 4)),
]


@pytest.mark.parametrize("engine", ["autograd", "symbolic"])
@pytest.mark.parametrize("spec", ROWS, ids=[spec.name for spec in ROWS])
def test_row_partials_to_order_4_match_mpmath(spec, engine):
    point = _point(spec)
    text, f = _row(spec, "x*y + 1", x * y + 1)
    for wrt, orders in ORDERS:
        want = _diff(f, point, orders)
        found = derivcli.diff(text, point, wrt=wrt, engine=engine).results[0]
        # order 4 of a function of x*y: mpmath's own steps limit it near 1e-12
        assert _close(found.numeric, want, 1e-8), (text, wrt, found.numeric, want)
        assert found.verdicts == "agree", (text, wrt, found.verdicts, found.warnings)


def test_the_order_of_differentiation_is_kept_and_mixed_partials_commute():
    result = derivcli.diff("x^3*y^2*z", "x=1,y=2,z=3", wrt="x,x,y")
    assert result.variables == ["x", "y"]  # z is a parameter
    z = sympy.Symbol("z", real=True)
    assert sympy.simplify(parse_result(result.symbolic) - 12 * x * y * z) == 0
    (found,) = result.results
    assert found.exact == "72" and found.numeric == 72.0  # 12*x*y*z at (1, 2, 3)
    for wrt in ("x,y,x", "y,x,x"):
        assert derivcli.diff("x^3*y^2*z", "x=1,y=2,z=3", wrt=wrt).results[0].exact == "72"


def test_one_variable_needs_no_wrt_and_its_label_reads_as_calculus():
    result = derivcli.diff("log(x)", "x=2")
    assert result.symbolic == "1/x" and result.results[0].exact == "1/2"
    document = derivcli.diff("x^5*y", "x=1,y=1", wrt="x,x,x,y").to_dict()
    assert document["kind"] == "diff" and document["results"][0]["exact"] == "60"


def test_a_high_order_derivative_of_sin_cycles():
    for order in range(1, 9):
        found = derivcli.diff("sin(x)", "x=pi/3", wrt=",".join("x" * order)).results[0]
        want = float(mpmath.diff(mpmath.sin, mpmath.pi / 3, order))
        assert math.isclose(found.numeric, want, rel_tol=1e-14, abs_tol=1e-15), order
        assert found.verdicts == "agree"


# --- hard points ------------------------------------------------------------------------


def test_a_second_derivative_at_a_kink_does_not_exist():
    (found,) = derivcli.diff("abs(x)*y", "x=0,y=1", wrt="x,x").results
    hessian = derivcli.hessian("abs(x)*y", "x=0,y=1").results[0]
    assert found.verdicts == hessian.verdicts[0][0] != "agree" and found.exact is None


def test_a_derivative_at_a_pole_is_not_a_number_with_a_check_mark():
    (found,) = derivcli.diff("1/x", "x=0", wrt="x,x,x").results
    assert found.verdicts != "agree" and not found.agree


def test_a_removable_singularity_gives_its_limit_to_order_4():
    # sinc(x) = 1 - x^2/6 + x^4/120 - ...: d4/dx4 at 0 is 24/120
    (found,) = derivcli.diff("sinc(x)", "x=0", wrt="x,x,x,x").results
    assert found.exact == "1/5"
    assert math.isclose(found.numeric, 0.2, rel_tol=1e-9), found.numeric


# --- every way in ---------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["autograd", "symbolic"])
def test_many_points_stream_the_same_numbers(engine):
    xs = np.linspace(0.5, 2.0, 7)
    values = derivcli.evaluate("diff", "x^3*y^2", {"x": xs, "y": 2.0}, wrt="x,x,y", engine=engine)
    assert values.shape == (7,)
    np.testing.assert_allclose(values, 6 * xs * 2 * 2.0, rtol=1e-13)  # 6x * 2y


def test_the_command_line_prints_the_order_in_its_label(cli, cli_json):
    result = cli("diff", "x^3*y^2", "--wrt", "x,x,y", "--at", "x=1,y=2")
    assert result.exit_code == 0 and "d3/dx2dy" in result.stdout and "24" in result.stdout
    document = cli_json("diff", "x^3*y^2", "--wrt", "x,x,y", "--at", "x=1,y=2")
    assert document["variables"] == ["x", "y"] and document["results"][0]["numeric"] == 24.0
    csv = cli("diff", "x*y^2", "--wrt", "y,y", "--grid", "x=1:2:2,y=0:0:1", "-f", "csv")
    # the variable, then the parameter: d2/dy2 of x*y^2 is 2x
    assert csv.stdout.splitlines() == ["y,x,d2/dy2", "0.0,1.0,2.0", "0.0,2.0,4.0"]


@pytest.mark.parametrize(
    ("wrt", "message"),
    [
        (None, "diff needs wrt= with more than one variable"),
        ("", "'' in wrt= is not a variable name"),
        ([], "wrt= is empty"),
        ("x,,y", "'' in wrt= is not a variable name"),
        ("x,z", "names z, which the expression lacks"),
        (",".join("x" * 17), "order 17; diff goes up to order 16"),
        (5, "wrt= takes variable names"),
    ],
)
def test_a_bad_order_is_an_input_error(wrt, message):
    with pytest.raises(InputError) as error:
        derivcli.diff("x*y", "x=1,y=1", wrt=wrt)
    assert message in str(error.value), str(error.value)


def test_the_command_line_names_the_option(cli):
    result = cli("diff", "x*y", "--at", "x=1,y=1")
    assert result.exit_code == 2
    assert "--wrt x,x,y for d3/dx2dy" in result.stderr
