"""Names as people type them: suggestions for unknown functions, letter forms, subscripts.

The cases measured in issue 15 first (SIN, relu, log1p, mod), then a table of other
tools' spellings; then µ, ϕ, ħ and subscript digits in expressions, points and --wrt.
"""

from __future__ import annotations

import pytest
import sympy

import derivcli
from derivcli.errors import ParseError
from derivcli.expr.names import OTHER_TOOLS
from derivcli.expr.parse import (
    canonical_name,
    is_identifier,
    parse_components,
    parse_point,
    parse_tree,
)


def _error(text: str) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_tree(text)
    return caught.value


# (text, the whole message, caret column)
SUGGESTIONS = [
    # measured in issue 15
    ("SIN(x)", "unknown function 'SIN': did you mean 'sin'?", 0),
    ("mod(x, 2)", "unknown function 'mod': derivcli has no mod (it jumps at each", 0),
    # case-insensitive first: MATLAB's and Mathematica's capitals
    ("Sqrt(x)", "unknown function 'Sqrt': did you mean 'sqrt'?", 0),
    ("x + ArcTan(x)", "unknown function 'ArcTan': did you mean 'arctan'?", 4),
    ("Exp(x)", "did you mean 'exp'?", 0),
    ("LOG(x)", "did you mean 'log'?", 0),
    ("LogGamma(x)", "did you mean 'loggamma'?", 0),
    ("Erf(x)", "did you mean 'erf'?", 0),
    ("ABS(x)", "did you mean 'abs'?", 0),
    # other tools' names, with what to write
    ("Mod(x, 3)", "derivcli has no mod", 0),
    ("fmod(x, 3)", "write x - 3*sign(x/3)*floor(abs(x/3))", 0),
    ("pow(x, 2)", "unknown function 'pow': write x^2 (or x**2)", 0),
    ("power(x, 2)", "write x^2", 0),
    ("round(x)", "derivcli has no round", 0),
    ("trunc(x)", "write sign(x)*floor(abs(x))", 0),
    ("fabs(x)", "write abs(x) or |x|", 0),
    ("signum(x)", "write sign(x)", 0),
    ("UnitStep(x)", "write heaviside(x)", 0),
    ("maximum(x, y)", "write max(x, y)", 0),
    ("fmin(x, y)", "write min(x, y)", 0),
    ("clip(x, 0, 1)", "write min(max(x, 0), 1)", 0),
    ("factorial(x)", "write gamma(x + 1)", 0),
    ("gammaln(x)", "write loggamma(x)", 0),
    ("expit(x)", "write sigmoid(x)", 0),
    ("logit(x)", "write log(x/(1 - x))", 0),
    ("sind(x)", "radians", 0),
    ("nthroot(x, 3)", "write root(x, 3)", 0),
    ("exp2(x)", "write 2^x", 0),
    ("ProductLog(x)", "write lambertw(x)", 0),
    ("BesselJ(0, x)", "order 0: write j0(x) or j1(x); orders n >= 2 are not supported", 0),
    ("besselk(1, x^2)", "order 1: write k0(x^2) or k1(x^2)", 0),
    ("jv(2, t)", "orders n >= 2 are not supported", 0),
    ("besseli1(t + 1)", "unknown function 'besseli1': write i1(t + 1)", 0),
    ("k0e(x)", "write k0(x)*exp(x)", 0),
    ("gelu(x)", "write x*(1 + erf(x/sqrt(2)))/2", 0),
    # the rewrite with the call's own arguments, as typed, parenthesised where needed
    ("pow(t,2)", "unknown function 'pow': write t^2 (or t**2)", 0),
    ("pow(x + 1, -y)", "write (x + 1)^(-y) (or (x + 1)**(-y))", 0),
    ("pow(2*t, u^2)", "write (2*t)^(u^2)", 0),
    ("mod(t, 2*pi)", "write t - 2*pi*floor(t/(2*pi)), whose jumps", 0),
    ("mod(a + b, c)", "write a + b - c*floor((a + b)/c)", 0),
    (
        "fmod(theta, a + b)",
        "write theta - (a + b)*sign(theta/(a + b))*floor(abs(theta/(a + b)))",
        0,
    ),
    ("square(sin(t))", "write sin(t)^2", 0),
    ("clip(u, -1, 2*v)", "write min(max(u, -1), 2*v)", 0),
    ("binomial(n, k + 1)", "gamma(n - (k + 1) + 1)", 0),
    ("sind(2*theta)", "write sin(2*theta*pi/180)", 0),
    ("logit(p/2)", "write log(p/2/(1 - p/2))", 0),
    ("2 + pow(rate, 3)", "write rate^3", 4),
    # not the call's own: a count that does not fit, arguments that do not parse
    ("pow(t)", "write x^y (or x**y)", 0),
    ("mod(t, foo(2))", "write x - y*floor(x/y)", 0),
    # rows now, found by case: numpy's and Mathematica's spellings
    ("LOG1P(x)", "did you mean 'log1p'?", 0),
    ("Relu(x)", "did you mean 'relu'?", 0),
    ("Erfinv(x)", "did you mean 'erfinv'?", 0),
    ("Beta(x, y)", "did you mean 'beta'?", 0),
    # close spellings, for names that do not read as variables
    ("sine(x)", "unknown function 'sine': did you mean 'sin'?", 0),
    ("asinn(x)", "did you mean 'asin'?", 0),
    ("sigmod(x)", "did you mean 'sigmoid'?", 0),
    ("hypott(x, y)", "did you mean 'hypot'?", 0),
    # a name that reads as a variable: a product
    ("f(x)", "unknown function 'f': for a product write f*(...)", 0),
    ("x(y + 1)", "unknown function 'x': for a product write x*(...)", 0),
    ("k2(x)", "for a product write k2*(...)", 0),
    ("x_1(y)", "for a product write x_1*(...)", 0),
    ("theta(t)", "unknown function 'theta': for a product write theta*(...)", 0),
    ("eta(t)", "for a product write eta*(...)", 0),  # not 'beta'
    # nothing close: the list, and the product
    ("frobnicate(x)", "unknown function 'frobnicate': not a derivcli function", 0),
    ("foo(x)", "not a derivcli function", 0),  # not 'floor'
]


@pytest.mark.parametrize(
    ("text", "message", "column"), SUGGESTIONS, ids=[s[0] for s in SUGGESTIONS]
)
def test_unknown_functions_get_a_suggestion_that_helps(text, message, column):
    error = _error(text)
    assert error.message.startswith(message) or message in error.message, error.message
    assert "\n" not in error.message
    assert error.position == column


def test_the_measured_suggestions_are_gone():
    assert "product" not in _error("SIN(x)").message
    assert "sigmoid" not in _error("mod(x, 2)").message
    # relu, log1p, expm1, logaddexp, lambertw are rows now (tests/numeric/test_new_functions.py)
    parse_tree("relu(x) + log1p(x) + expm1(x) + logaddexp(x, y) + LambertW(x)")


def test_other_tools_names_are_not_derivcli_names():
    from derivcli.expr.functions import BY_NAME

    lowered = {name.lower() for name in BY_NAME}
    assert not [name for name in OTHER_TOOLS if name.lower() in lowered]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SIN(x)", "unknown function 'SIN': did you mean 'sin'?"),
    ],
)
def test_the_command_line_shows_the_message_with_its_caret(cli, text, message):
    done = cli("grad", text, "--at", "x=2")
    assert done.exit_code == 2
    assert done.stderr.splitlines() == [f"derivcli: error: {message}", f"  {text}", "  ^"]


def test_zeta_of_a_variable_is_a_row_not_a_refusal(cli):
    # it was refused ("accepted for numbers only"); zeta'(2) from mpmath at 40 digits
    import mpmath

    done = cli("grad", "zeta(x)", "--at", "x=2", "--format", "plain")
    assert done.exit_code == 0, done.output
    with mpmath.workdps(40):
        assert float(done.stdout) == pytest.approx(float(mpmath.zeta(2, 1, 1)), rel=1e-13)


def test_the_command_line_rewrites_the_call_with_its_own_arguments(cli):
    done = cli("grad", "1 + mod(t, 2*pi)", "--at", "t=1")
    assert done.exit_code == 2
    message, shown, caret = done.stderr.splitlines()
    assert message.endswith("write t - 2*pi*floor(t/(2*pi)), whose jumps the verdicts report")
    assert (shown, caret) == ("  1 + mod(t, 2*pi)", "      ^")


# --- letters and subscripts -----------------------------------------------------------


def S(name: str) -> sympy.Symbol:  # noqa: N802 - reads like sympy's Symbol
    return sympy.Symbol(name, real=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("µ*x", S("μ") * S("x")),  # U+00B5 MICRO SIGN is μ (U+03BC)
        ("μ*x", S("μ") * S("x")),
        ("ϕ^2", S("φ") ** 2),  # U+03D5 is φ (U+03C6)
        ("ϑ + θ", 2 * S("θ")),
        ("ħ*ω", S("ħ") * S("ω")),
        ("ℏ - ħ", sympy.Integer(0)),
        ("x₁ + x_1", 2 * S("x_1")),
        ("x₁₂", S("x_12")),
        ("x_₁", S("x_1")),
        ("x₁²", S("x_1") ** 2),  # a subscript, then a power
        ("a₀x₁", S("a_0") * S("x_1")),
        ("α₂", S("α_2")),
        ("x²", S("x") ** 2),  # superscripts stay powers
    ],
)
def test_letter_forms_and_subscripts(text, expected):
    assert parse_components(text) == [expected]


def test_a_subscript_after_no_name_is_refused_at_its_column():
    error = _error("2 + ₁")
    assert error.position == 4 and "subscript digits follow a name" in error.message
    assert _error("x + ¹").position == 4  # superscripts are unchanged


def test_columns_stay_where_they_were_typed():
    # µ and ϕ become one character each: the caret is under the typed column
    assert _error("µ + ϕ + x₁₂ + sine(x)").position == 14


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [("x₁", "x_1"), (" x₁₂ ", "x_12"), ("µ", "μ"), ("ϕ", "φ"), ("x_1", "x_1"), ("ħ", "ħ")],
)
def test_canonical_names(typed, canonical):
    assert canonical_name(typed) == canonical and is_identifier(canonical)


def test_points_take_either_spelling():
    assert parse_point("x₁=1,µ=2") == {"x_1": 1, "μ": 2}
    assert parse_point("x_1=1,μ=2") == {"x_1": 1, "μ": 2}


def test_at_and_wrt_agree_in_either_spelling():
    typed = derivcli.grad("x₁^2*µ", at="x₁=3,µ=2", wrt="x₁,µ")
    canonical = derivcli.grad("x_1^2*μ", at="x_1=3,μ=2", wrt="x_1,μ")
    assert typed.variables == canonical.variables == ["x_1", "μ"]
    assert typed.symbolic == canonical.symbolic
    assert typed.results[0].numeric == canonical.results[0].numeric == [12.0, 9.0]
    mapping = derivcli.grad("x_1*x_2", at={"x₁": 2, "x₂": 5})
    assert mapping.results[0].numeric == [5.0, 2.0]


def test_points_files_grids_and_repeats_take_subscripts(cli, tmp_path):
    points = tmp_path / "points.csv"
    points.write_text("x₁,x_2\n1,2\n3,4\n", encoding="utf-8")
    done = cli("grad", "x_1^2*x₂", "--points", str(points), "--format", "csv")
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines() == [
        "x_1,x_2,d/dx_1,d/dx_2",
        "1.0,2.0,4.0,1.0",  # 2*x1*x2, x1^2
        "3.0,4.0,24.0,9.0",
    ]
    grid = cli("grad", "x₁*x₂", "--grid", "x₁=0:1:2,x_2=1:1:1", "--format", "csv")
    assert grid.exit_code == 0, grid.output
    assert grid.stdout.splitlines() == [
        "x_1,x_2,d/dx_1,d/dx_2",
        "0.0,1.0,1.0,0.0",
        "1.0,1.0,1.0,1.0",
    ]
    twice = cli("grad", "x₁", "--at", "x₁=1,x_1=2")
    assert twice.exit_code == 2 and "'x_1' is given twice" in twice.stderr
