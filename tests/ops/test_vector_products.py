"""Directional derivatives and Jacobian-, vector-Jacobian and Hessian-vector products
against mpmath.diff at 40 digits, on every row of the function table (both engines),
with exact vectors (sqrt(2) included), at hard points, and the vectors they refuse."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from test_vector_calculus import ROWS, _close, _diff, field_of_row

import derivcli
from derivcli import api, ops
from derivcli.errors import InputError
from derivcli.expr.parse import parse_result
from derivcli.symbolic import Derivatives


def _hessian(f, point):
    return [
        [_diff(f, point, (2, 0)), _diff(f, point, (1, 1))],
        [_diff(f, point, (1, 1)), _diff(f, point, (0, 2))],
    ]


@pytest.mark.parametrize("engine", ["autograd", "symbolic"])
@pytest.mark.parametrize("spec", ROWS, ids=[spec.name for spec in ROWS])
def test_row_products_along_a_vector_match_mpmath(spec, engine):
    point, text, f, text2, f2 = field_of_row(spec)
    gradient = [_diff(f, point, (1, 0)), _diff(f, point, (0, 1))]
    jacobian = [gradient, [_diff(f2, point, (1, 0)), _diff(f2, point, (0, 1))]]
    v, u = (1 / 3, -2.0), (0.5, 3.0)

    found = derivcli.hvp(text, point, vector="1/3,-2", engine=engine).results[0]
    want = [sum(h * vj for h, vj in zip(row, v, strict=True)) for row in _hessian(f, point)]
    assert all(_close(g, w) for g, w in zip(found.numeric, want, strict=True)), (text, found)
    assert found.verdicts == ["agree", "agree"], (text, found.warnings)

    found = derivcli.directional(text, point, vector="3,4", engine=engine).results[0]
    want = 0.6 * gradient[0] + 0.8 * gradient[1]  # along (3, 4)/5
    assert _close(found.numeric, want) and found.verdicts == "agree", (text, found)

    found = derivcli.jvp([text, text2], point, vector="1/3,-2", engine=engine).results[0]
    want = [sum(j * vj for j, vj in zip(row, v, strict=True)) for row in jacobian]
    assert all(_close(g, w) for g, w in zip(found.numeric, want, strict=True)), (text, found)
    assert found.verdicts == ["agree", "agree"], (text, found.warnings)

    found = derivcli.vjp([text, text2], point, vector="1/2,3", engine=engine).results[0]
    want = [sum(u[k] * jacobian[k][j] for k in range(2)) for j in range(2)]
    assert all(_close(g, w) for g, w in zip(found.numeric, want, strict=True)), (text, found)
    assert found.verdicts == ["agree", "agree"], (text, found.warnings)


def test_an_irrational_vector_stays_exact():
    # H of y*sin(x) at (0, 1) is [[0, 1], [1, 0]]: H.(1, sqrt(2)) = (sqrt(2), 1)
    result = derivcli.hvp("y*sin(x)", "x=0,y=1", vector="1,sqrt(2)")
    (found,) = result.results
    assert found.exact == ["sqrt(2)", "1"] and found.numeric == [math.sqrt(2), 1.0]
    assert found.verdicts == ["agree", "agree"]
    # the direction (1, 2) made a unit vector: 4/sqrt(5) for grad (2, 1)
    (found,) = derivcli.directional("x^2*y", "x=1,y=1", vector=[1, 2]).results
    assert sympy.simplify(parse_result(found.exact) - 4 / sympy.sqrt(5)) == 0
    assert math.isclose(found.numeric, 4 / math.sqrt(5), rel_tol=1e-15)


def test_the_vector_is_taken_exactly_from_python_numbers_and_text():
    texts = derivcli.jvp("x*y, x+y^2", "x=2,y=3", vector="1/3,2").results[0]
    numbers = derivcli.jvp("x*y, x+y^2", "x=2,y=3", vector=[sympy.Rational(1, 3), 2]).results[0]
    assert texts.exact == numbers.exact == ["5", "37/3"]  # J = [[3, 2], [1, 6]]


@pytest.mark.parametrize("engine", ["autograd", "symbolic"])
def test_many_points_stream_the_same_products(engine):
    xs = np.linspace(-1.0, 1.0, 9)
    values = derivcli.evaluate("hvp", "x^3*y", {"x": xs, "y": 2.0}, vector="1,-1", engine=engine)
    # H = [[6xy, 3x^2], [3x^2, 0]]: H.(1, -1) = (6xy - 3x^2, 3x^2)
    want = np.stack([6 * xs * 2.0 - 3 * xs**2, 3 * xs**2], axis=-1)
    np.testing.assert_allclose(values, want, rtol=1e-13, atol=1e-15)


# --- hard points ------------------------------------------------------------------------


def test_a_hessian_vector_product_at_a_kink_says_which_entry_does_not_exist():
    (found,) = derivcli.hvp("abs(x)*y", "x=0,y=1", vector="1,0").results
    assert found.verdicts[0] != "agree" and found.exact[0] is None and not found.agree


def test_a_directional_derivative_across_a_kink_does_not_exist():
    (found,) = derivcli.directional("abs(x) + y", "x=0,y=0", vector="1,1").results
    assert found.verdicts != "agree" and not found.agree


def test_a_product_at_a_pole_is_not_a_number_with_a_check_mark():
    (found,) = derivcli.jvp("1/x, y", "x=0,y=1", vector="1,1").results
    assert found.verdicts[0] != "agree" and found.verdicts[1] == "agree"


# --- what they refuse -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "vector", "message"),
    [
        ("hvp", None, "hvp needs vector=: one exact value per variable"),
        ("hvp", "1,2,3", "vector= has 3 entries and there are 2 variables (x, y)"),
        ("vjp", "1,2", "vector= has 2 entries and there is 1 component"),
        ("directional", "0,0", "vector= is the zero vector"),
        ("jvp", "1,,2", "vector= needs numbers separated by commas"),
        ("hvp", [1, "x"], "not a number"),
        ("hvp", [1, math.nan], "must be finite"),
        ("hvp", {"x": 1}, "vector= takes numbers"),
        ("grad", "1,2", "grad takes no vector=; directional, jvp, vjp and hvp do"),
    ],
)
def test_a_bad_vector_is_an_input_error(kind, vector, message):
    with pytest.raises(InputError) as error:
        derivcli.compute(kind, "x*y", "x=1,y=2", vector=vector)
    assert message in str(error.value), str(error.value)


def test_the_command_line_takes_the_vector(cli, cli_json):
    document = cli_json("hvp", "x^2*y + y^3", "--vector", "1,0", "--at", "x=1,y=2")
    assert document["kind"] == "hvp" and document["results"][0]["exact"] == ["4", "2"]
    result = cli("hvp", "x*y", "--vector", "1,2,3", "--at", "x=1,y=2")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "derivcli: error: --vector has 3 entries and there are 2 variables (x, y): "
        "give one per variable, in order"
    )
    result = cli("grad", "x*y", "--vector", "1,2")
    assert result.exit_code == 2 and "No such option: --vector" in result.stderr


@pytest.mark.parametrize("symbolic", ["sympy", "symengine"])
def test_an_irrational_vector_is_exact_on_both_backends(symbolic):
    # H of x^2*y^3 at (1, 1) is [[2, 6], [6, 6]]: H.(1, sqrt(2)) = (2 + 6 sqrt 2, 6 + 6 sqrt 2)
    (found,) = derivcli.hvp("x^2*y^3", "x=1,y=1", vector="1,sqrt(2)", symbolic=symbolic).results
    assert found.exact == ["2 + 6*sqrt(2)", "6 + 6*sqrt(2)"]
    want = [2 + 6 * math.sqrt(2), 6 + 6 * math.sqrt(2)]
    assert all(math.isclose(g, w, rel_tol=1e-15) for g, w in zip(found.numeric, want, strict=True))
    assert found.verdicts == ["agree", "agree"]


@pytest.mark.parametrize("symbolic", ["sympy", "symengine"])
def test_hvp_keeps_exactly_the_terms_whose_second_partial_is_not_a_structural_zero(symbolic):
    # x1 meets x2 and x4 but not x3; x3's only partner is x4 (through exp), x5 none
    text = "x1*x2 + x4^2*x1 + exp(x3*x4) + x5^3"
    names = [f"x{i}" for i in range(1, 6)]
    vector = "1,0,-2,1/3,5"  # x2's coefficient is 0: its terms are none
    op, wrt = ops.get("hvp").configure(",".join(names), vector=vector)
    exprs, variables, _ = api.prepare(op, text, wrt, symbolic)
    found = Derivatives(op, exprs, variables)
    f = parse_result(text)
    symbols = [sympy.Symbol(name, real=True) for name in names]
    coefficients = dict(enumerate(parse_result(v) for v in vector.split(",")))
    for i, entry in enumerate(found.entries):
        kept = [(term.variables, term.coefficient) for term in found.nonzero_terms(entry)]
        want = [
            ((i, j), c)
            for j, c in coefficients.items()
            if c != 0 and sympy.diff(f, symbols[i], symbols[j]) != 0
        ]
        assert [(v, parse_result(str(c))) for v, c in kept] == want, (i, kept)
        hv = sum(c * sympy.diff(f, symbols[i], symbols[j]) for (_, j), c in want)
        assert sympy.simplify(parse_result(found.backend.to_text(found.matrix[i])) - hv) == 0
