"""Hard points: each entry's verdict, against what calculus says of it."""

from __future__ import annotations

import json
import math

import pytest

import derivcli
from derivcli import render

A, D, N, U, INF = "agree", "disagree", "not differentiable", "undefined", "infinite"
IMPRECISE, OVERFLOW, UNDERFLOW = "imprecise", "overflow", "underflow"

# (kind, expression, point, expected verdicts in the result's shape, why)
HARD_CASES = [
    ("grad", "sqrt(x)", "x=0", [INF], "vertical tangent"),
    ("grad", "sqrt(x^2+y^2)", "x=0,y=0", [U, U], "a cone's tip: no limit"),
    ("grad", "abs(x)", "x=0", [N], "kink; torch's subgradient is 0"),
    ("grad", "max(x, 0)", "x=0", [N], "kink; torch splits the tie"),
    ("grad", "x^x", "x=0", [INF], "the slope tends to -oo; torch says 0"),
    ("hessian", "x^(3/2)*y", "x=0,y=1", [[INF, A], [A, A]], "an infinite entry beside finite ones"),
    ("grad", "sin(x)/x", "x=0", [D], "the limit 0 exists; torch gives nan"),
    ("hessian", "sin(x)/x", "x=0", [[D]], "the limit -1/3 exists; torch gives nan"),
    ("grad", "exp(x)/exp(x)", "x=1000", [A], "cancels exactly"),
    ("grad", "log(x)", "x=-1", [U], "outside the domain, though torch's 1/x is finite"),
    ("grad", "(1+x)^(1/x)", "x=1e-8", [IMPRECISE], "cancellation in float64"),
    ("grad", "cbrt(x)", "x=-8", [A], "the real cube root"),
    ("grad", "cbrt(x)", "x=0", [INF], "vertical tangent"),
    ("grad", "heaviside(x)", "x=0", [N], "jump"),
    ("grad", "floor(x)", "x=2", [N], "jump"),
    ("grad", "sign(x)", "x=0", [N], "jump"),
    ("grad", "min(x, y)", "x=1,y=1", [N, N], "a tie of min"),
    ("grad", "abs(x)^3", "x=0", [A], "differentiable although abs is not"),
    ("hessian", "abs(x)^3", "x=0", [[A]], "twice differentiable"),
    ("hessian", "abs(x)", "x=0", [[N]], "the first derivative jumps"),
    ("hessian", "abs(x) + y^2", "x=0,y=1", [[N, N], [A, A]], "only x has a kink"),
    ("grad", "1/x", "x=0", [U], "a pole of the expression itself"),
    ("hessian", "abs(x^x)", "x=2", [[A]], "abs of an argument sympy cannot tell is real"),
    ("hessian", "abs(x^x) * sign(x*y)", "x=2,y=1", [[A, A], [A, A]], "sign likewise"),
    # the same at ordinary points, where all agree
    ("grad", "sqrt(x)", "x=4", [A], ""),
    ("grad", "sqrt(x^2+y^2)", "x=3,y=4", [A, A], ""),
    ("grad", "abs(x)", "x=-1", [A], ""),
    ("grad", "max(x, 0)", "x=1", [A], ""),
    ("grad", "x^x", "x=1", [A], ""),
    ("hessian", "x^(3/2)*y", "x=4,y=1", [[A, A], [A, A]], ""),
    ("grad", "sin(x)/x", "x=1", [A], ""),
    ("grad", "log(x)", "x=2", [A], ""),
    ("grad", "(1+x)^(1/x)", "x=1", [A], ""),
    ("grad", "heaviside(x)", "x=1", [A], ""),
    ("grad", "floor(x)", "x=2.5", [A], ""),
    ("grad", "min(x, y)", "x=1,y=2", [A, A], ""),
]


@pytest.mark.parametrize(
    ("kind", "text", "point", "expected", "why"),
    HARD_CASES,
    ids=[f"{c[1]}@{c[2]}" for c in HARD_CASES],
)
def test_verdicts(kind, text, point, expected, why):
    result = derivcli.compute(kind, text, at=point).results[0]
    assert result.verdicts == expected, (why, result.warnings)
    assert result.agree == all(v == A for v in _flat(expected))
    flagged = [v for v in _flat(expected) if v != A]
    assert len([f for f in result.findings if not f.agree]) == len(flagged)


def test_limits_are_used_and_labelled():
    result = derivcli.grad("sin(x)/x", at="x=0").results[0]
    assert result.exact == ["0"]
    assert "limit as x → 0" in result.warnings[0]
    hessian = derivcli.hessian("sin(x)/x", at="x=0").results[0]
    assert hessian.exact == [["-1/3"]]


def test_float_fallback_is_labelled_and_close_to_the_closed_form():
    # d/dx (1+x)^(1/x) -> -e/2 as x -> 0; at 1e-8 it is within 1e-7 of it.
    result = derivcli.grad("(1+x)^(1/x)", at="x=1e-8").results[0]
    assert abs(float(result.exact[0]) + math.e / 2) < 1e-7
    assert "30-digit float" in result.warnings[0]


def test_subgradient_value_is_reported_not_presented_as_the_answer():
    result = derivcli.grad("max(x, 0)", at="x=0").results[0]
    assert result.exact == [None]
    assert result.numeric == [0.5]
    assert "kink of max(0, x)" in result.warnings[0] and "torch gave 0.5" in result.warnings[0]


def test_undefined_names_the_reason():
    result = derivcli.grad("log(x)", at="x=-1").results[0]
    assert "not a real number" in result.warnings[0]
    result = derivcli.grad("x^x", at="x=0").results[0]
    assert "diverges" in result.warnings[0] and result.numeric == [0.0]


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["grad", "abs(x)", "--at", "x=1"], 0),
        (["grad", "abs(x)", "--at", "x=0"], 3),
        (["grad", "sqrt(x)", "--at", "x=0"], 3),
        (["grad", "log(x)", "--at", "x=-1"], 3),
        (["grad", "sin(x)/x", "--at", "x=0"], 3),
        (["grad", "sin(x)/x", "--at", "x=1", "--at", "x=0"], 3),
        (["grad", "abs(x)^3", "--at", "x=0"], 0),
    ],
)
def test_strict_exit_status(cli, args, status):
    assert cli(*args).exit_code == 0
    result = cli(*args, "--strict")
    assert result.exit_code == status
    if status == 3:
        assert "--strict" in result.stderr


def test_json_with_nulls_verdicts_and_warnings(cli):
    result = cli("hessian", "x^(3/2)*y", "--at", "x=0,y=1", "--format", "json")
    doc = json.loads(result.stdout)
    point = doc["results"][0]
    assert point["numeric"] == [[None, 0.0], [0.0, 0.0]]
    assert point["exact"] == [["zoo", "0"], ["0", "0"]]
    assert point["verdicts"] == [[INF, A], [A, A]]
    assert point["agree"] is False
    assert any(w.startswith("d2/dx2: infinite") for w in point["warnings"])
    # torch's nan where the exact value is a limit: null, and a disagreement.
    result = cli("hessian", "x^(3/2)*y + sin(y)/y", "--at", "x=0,y=0", "--format", "json")
    point = json.loads(result.stdout)["results"][0]
    assert point["numeric"][0] == [None, 0.0] and point["exact"][0] == ["0", "0"]
    assert point["verdicts"][0] == [D, A] and point["agree"] is False
    assert any(w.startswith("d2/dx2: disagree") for w in point["warnings"])


def test_table_shows_verdicts(cli):
    out = cli("grad", "abs(x)", "--at", "x=0").stdout
    assert "not differentiable" in out and "kink of abs(x)" in out


def _flat(nested):
    if isinstance(nested, list):
        return [leaf for item in nested for leaf in _flat(item)]
    return [nested]


@pytest.mark.parametrize(("text", "x"), [("atan(tan(x))", 1e109), ("acsc(sec(x))", 1e110)])
def test_angles_sympy_cannot_reduce_get_a_verdict(text, x):
    # sympy reduces atan(tan(a)) by comparing a - k*pi with pi/2, which it cannot decide
    # at 1e109; its cache then fails on the TypeError (found by the property test).
    (point,) = derivcli.grad(text, at={"x": x}).results
    assert point.verdicts[0] in ("agree", "unverified"), point.warnings
    # Wherever both are defined, |d/dx| is 1: atan(tan(x)) and acsc(sec(x)) are x up to
    # a sign and a multiple of pi.
    assert abs(point.numeric[0]) == pytest.approx(1.0, rel=1e-12)


def test_reasons_write_expressions_as_the_table_does():
    (kink,) = derivcli.grad("abs(x)*y", at="x=0,y=2").results[0].warnings
    assert "kink of abs(x)" in kink
    (pole,) = derivcli.grad("1/x", at="x=0").results[0].warnings
    assert "infinite here (complex infinity)" in pole
    (limit,) = derivcli.grad("sin(x)/x", at="x=0").results[0].warnings
    assert "as substitution gives nan: not a number" in limit


def test_a_value_beyond_the_range_reads_as_the_table_has_it():
    result = derivcli.grad("x^3", at="x=1e300")
    (warning,) = result.results[0].warnings
    assert "the exact value 3e600 is beyond float64's range" in warning
    assert "│ 3e600 │" in render.table_text(result)


def test_a_value_past_10_to_the_million_moves_without_two_equal_texts():
    (warning,) = derivcli.grad("exp(-x^2)", at="x=1e155").results[0].warnings
    assert "underflow: the exact value -10^(-4.3429448190325183e+309) is below" in warning
    assert "moves by 1.0 (relative)" in warning and "from " not in warning
