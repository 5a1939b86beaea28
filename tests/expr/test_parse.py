"""The parser, table-driven: each syntax form gives the expected sympy expression, each error
its message with the caret under the right column.

The expected expressions are built here with sympy's own constructors (and derivcli's
real-calculus functions where that is the documented meaning, as for cbrt), never by
parsing text.
"""

from __future__ import annotations

import pytest
import sympy
from sympy import Abs, E, Integer, Mul, Rational, oo, pi

from derivcli.errors import InputError, LimitError, ParseError, excerpt
from derivcli.expr.functions import BY_NAME, FUNCTIONS
from derivcli.expr.parse import (
    is_identifier,
    parse_components,
    parse_expression,
    parse_point,
    parse_value,
    split_top_level,
    tokenize,
)
from derivcli.symbolic import special


def S(name: str) -> sympy.Symbol:  # noqa: N802 - reads like sympy's Symbol
    return sympy.Symbol(name, real=True)


x, y, z, a, b, t = (S(n) for n in "x y z a b t".split())

SYNTAX = [
    # numbers are exact
    ("2", Integer(2)),
    ("0.5", Rational(1, 2)),
    ("0.1", Rational(1, 10)),
    (".25", Rational(1, 4)),
    ("5.", Integer(5)),
    ("1e-3", Rational(1, 1000)),
    ("1.5E+2", Integer(150)),
    ("2.5e3", Integer(2500)),
    # operators
    ("x + y - 2", x + y - 2),
    ("x - y - z", x - y - z),
    ("x*y/2", x * y / 2),
    ("x/y/z", x / (y * z)),
    ("x^2", x**2),
    ("x**2", x**2),
    ("2^3^2", Integer(512)),
    ("x^y^z", x ** (y**z)),
    ("x**y**z", x ** (y**z)),
    ("-x^2", -(x**2)),
    ("-2^2", Integer(-4)),
    ("2^-1", Rational(1, 2)),
    ("x^-y", x ** (-y)),
    ("(x + 1)^2", (x + 1) ** 2),
    ("--x", x),
    ("+x", x),
    ("((x))", x),
    # implicit multiplication
    ("2x", 2 * x),
    ("2(x + 1)", Mul(2, x + 1, evaluate=False)),
    ("(a + b)(a - b)", (a + b) * (a - b)),
    ("2 sin(x)", 2 * sympy.sin(x)),
    ("x sin(x)", x * sympy.sin(x)),
    ("sin(x)cos(x)", sympy.sin(x) * sympy.cos(x)),
    ("2x^2", 2 * x**2),
    ("x y", x * y),
    ("2π", 2 * pi),
    # implicit multiplication binds like *, left to right: 1/2x is (1/2)*x
    ("1/2x", x / 2),
    # absolute value
    ("|x|", Abs(x)),
    ("|x - 1| + |y|", Abs(x - 1) + Abs(y)),
    ("|x||y|", Abs(x) * Abs(y)),
    ("2|x|", 2 * Abs(x)),
    ("|x*|y||", Abs(x * Abs(y))),
    ("sin(|x|)", sympy.sin(Abs(x))),
    # Unicode as pasted
    ("π", pi),
    ("πx", pi * x),
    ("x·y", x * y),
    ("x×y", x * y),
    ("x ÷ 2", x / 2),
    ("x−y", x - y),
    ("x²", x**2),
    ("x³ + y²", x**3 + y**2),
    ("(x + 1)²", (x + 1) ** 2),
    ("x⁻¹", 1 / x),
    ("√x", sympy.sqrt(x)),
    ("√(x + 1)", sympy.sqrt(x + 1)),
    ("2√x", 2 * sympy.sqrt(x)),
    ("√x^2", sympy.sqrt(x**2)),  # the root binds like a minus sign: √(x^2)
    ("√2x", sympy.sqrt(2) * x),
    ("∛x", special.root(x, Integer(3))),
    ("x\u00a0+\ty", x + y),
    # names: letters, digits, underscores, one symbol each
    ("rate*x", S("rate") * x),
    ("x1*x2", S("x1") * S("x2")),
    ("x_1 + x_2", S("x_1") + S("x_2")),
    ("alpha", S("alpha")),
    ("sinx", S("sinx")),
    ("αβ + θ", S("αβ") + S("θ")),
    # constants
    ("pi", pi),
    ("e", E),
    ("E", E),
    ("e^x", sympy.exp(x)),
    ("2e", 2 * E),
    ("oo", oo),
    ("inf", oo),
    ("∞", oo),
    ("EulerGamma", sympy.EulerGamma),
    # Greek names are symbols unless called
    ("gamma(x)", sympy.gamma(x)),
    ("gamma*x", S("gamma") * x),
    ("gamma", S("gamma")),
    ("lambda*x", S("lambda") * x),
    ("zeta + beta", S("zeta") + S("beta")),
    # names of functions that only appear in results are free for variables
    ("re*arg + im", S("re") * S("arg") + S("im")),
    # what was typed, not simplified
    ("sin(x)^2 + cos(x)^2", sympy.sin(x) ** 2 + sympy.cos(x) ** 2),
    ("exp(log(x)) - x", sympy.exp(sympy.log(x)) - x),
]


@pytest.mark.parametrize(("text", "expected"), SYNTAX, ids=[t for t, _ in SYNTAX])
def test_syntax_form(text, expected):
    assert parse_expression(text) == expected


def test_typed_expression_is_not_simplified():
    parsed = parse_expression("sin(x)^2 + cos(x)^2")
    assert parsed != 1
    assert parsed.has(sympy.sin) and parsed.has(sympy.cos)
    assert sympy.simplify(parsed) == 1  # the check above can fail: they are equal


# (text, expected) for every function name and alias the issue lists
FUNCTION_FORMS = [
    ("sin(x)", sympy.sin(x)),
    ("cos(x)", sympy.cos(x)),
    ("tan(x)", sympy.tan(x)),
    ("cot(x)", sympy.cot(x)),
    ("sec(x)", sympy.sec(x)),
    ("csc(x)", sympy.csc(x)),
    ("asin(x)", sympy.asin(x)),
    ("arcsin(x)", sympy.asin(x)),
    ("acos(x)", sympy.acos(x)),
    ("arccos(x)", sympy.acos(x)),
    ("atan(x)", sympy.atan(x)),
    ("arctan(x)", sympy.atan(x)),
    ("acot(x)", sympy.acot(x)),
    ("asec(x)", sympy.asec(x)),
    ("acsc(x)", sympy.acsc(x)),
    ("atan2(y, x)", sympy.atan2(y, x)),
    ("sinh(x)", sympy.sinh(x)),
    ("cosh(x)", sympy.cosh(x)),
    ("tanh(x)", sympy.tanh(x)),
    ("coth(x)", sympy.coth(x)),
    ("sech(x)", sympy.sech(x)),
    ("csch(x)", sympy.csch(x)),
    ("asinh(x)", sympy.asinh(x)),
    ("arsinh(x)", sympy.asinh(x)),
    ("acosh(x)", sympy.acosh(x)),
    ("atanh(x)", sympy.atanh(x)),
    ("exp(x)", sympy.exp(x)),
    ("log(x)", sympy.log(x)),
    ("ln(x)", sympy.log(x)),
    ("log(x, 3)", sympy.log(x) / sympy.log(3)),
    ("log(x, b)", sympy.log(x) / sympy.log(b)),
    ("log2(x)", sympy.log(x) / sympy.log(2)),
    ("log10(x)", sympy.log(x) / sympy.log(10)),
    ("sqrt(x)", sympy.sqrt(x)),
    ("sqrt(4)", Integer(2)),
    ("cbrt(x)", special.root(x, Integer(3))),
    ("cbrt(-8)", Integer(-2)),
    ("root(x, 4)", x ** Rational(1, 4)),
    ("root(-27, 3)", Integer(-3)),
    ("abs(x)", Abs(x)),
    ("sign(x)", sympy.sign(x)),
    ("floor(x)", special.floor(x)),
    ("ceil(x)", special.ceiling(x)),
    ("floor(7/2)", Integer(3)),
    ("ceil(7/2)", Integer(4)),
    ("min(x, y)", sympy.Min(x, y)),
    ("min(x, y, 1)", sympy.Min(x, y, 1)),
    ("max(x, y, z)", sympy.Max(x, y, z)),
    ("heaviside(x)", sympy.Heaviside(x)),
    ("erf(x)", sympy.erf(x)),
    ("erfc(x)", sympy.erfc(x)),
    ("gamma(x)", sympy.gamma(x)),
    ("gamma(5)", Integer(24)),
    ("loggamma(x)", sympy.loggamma(x)),
    ("lgamma(x)", sympy.loggamma(x)),
    ("digamma(x)", sympy.polygamma(0, x)),
    ("polygamma(2, x)", sympy.polygamma(2, x)),
    ("sigmoid(x)", special.sigmoid(x)),
    ("softplus(x)", special.softplus(x)),
    ("sinc(x)", sympy.sinc(x)),
    ("sinc(0)", Integer(1)),
    ("hypot(x, y)", sympy.sqrt(x**2 + y**2)),
    ("hypot(3, 4)", Integer(5)),
]


@pytest.mark.parametrize(("text", "expected"), FUNCTION_FORMS, ids=[t for t, _ in FUNCTION_FORMS])
def test_function_form(text, expected):
    assert parse_expression(text) == expected


def test_every_name_the_issue_lists_is_in_the_table_and_tested_here():
    names = (
        "sin cos tan cot sec csc asin arcsin acos arccos atan arctan acot asec acsc atan2 "
        "sinh cosh tanh coth sech csch asinh arsinh acosh atanh exp log ln log2 log10 sqrt "
        "cbrt root abs sign floor ceil min max heaviside erf erfc gamma loggamma lgamma "
        "digamma polygamma sigmoid softplus sinc hypot"
    ).split()
    tested = {text.partition("(")[0] for text, _ in FUNCTION_FORMS}
    for name in names:
        assert name in BY_NAME and BY_NAME[name].listed, name
        assert name in tested, name


def test_real_functions_evaluate_as_real_calculus():
    # independent numeric checks of derivcli's own sympy classes
    assert special.sigmoid(Integer(0)) == Rational(1, 2)
    assert abs(float(special.softplus(Integer(1))) - 1.3132616875182228) < 1e-15
    assert sympy.diff(special.floor(x), x) == 0
    assert (
        abs(float(special.root(Rational(-1, 8), Integer(5)).evalf()) + 0.6597539553864471) < 1e-15
    )


COMPONENTS = [
    ("x, y", [x, y]),
    ("[x, y]", [x, y]),
    ("r*cos(t), r*sin(t)", [S("r") * sympy.cos(t), S("r") * sympy.sin(t)]),
    ("atan2(y, x), hypot(x, y)", [sympy.atan2(y, x), sympy.sqrt(x**2 + y**2)]),
    ("[max(x, y, 1), x]", [sympy.Max(x, y, 1), x]),
    ("  x  ", [x]),
]


@pytest.mark.parametrize(("text", "expected"), COMPONENTS, ids=[t for t, _ in COMPONENTS])
def test_components(text, expected):
    assert parse_components(text) == expected


# (text, message fragment, caret column)
ERRORS = [
    ("sine(x)", "unknown function 'sine': did you mean 'sin'?", 0),
    ("x + sine(x)", "did you mean 'sin'?", 4),
    ("arcsinh(x) + asinn(x)", "did you mean 'asin'?", 13),
    ("f(x)", "unknown function 'f': for a product write f*(...)", 0),
    ("x(y + 1)", "unknown function 'x'", 0),
    ("pi(x)", "'pi' is a constant, not a function", 0),
    ("sin(x, y)", "sin() takes 1 argument, not 2", 0),
    ("1 + atan2(x)", "atan2() takes 2 arguments, not 1", 4),
    ("min(x)", "min() takes 2 or more arguments, not 1", 0),
    ("log(x, 2, 3)", "log() takes 1 to 2 arguments, not 3", 0),
    ("sin()", "sin() takes 1 argument, not 0", 0),
    ("root(x, 1)", "root(x, n) needs an integer n >= 2", 0),
    ("polygamma(x, y)", "non-negative integer order", 0),
    ("log(x, 1)", "base b > 0 other than 1", 0),
    ("(x + 1", "'(' is never closed: add ')'", 0),
    ("2*sin(x", "'(' is never closed", 5),
    ("x + 1)", "unbalanced ')': there is no '(' to close", 5),
    ("[x, y", "'[' is never closed: add ']'", 0),
    ("[x, y]]", "unbalanced ']'", 6),
    ("|x", "'|' is never closed", 0),
    ("x +", "'+' has nothing after it", 2),
    ("x * * y", "'*' has nothing before it", 4),
    ("* x", "'*' has nothing before it", 0),
    ("x^", "'^' has nothing after it", 1),
    ("x,", "',' has nothing after it", 1),
    ("²", "'²' has nothing before it", 0),
    ("", "empty expression", 0),
    ("   ", "empty expression", 0),
    ("()", "empty parentheses", 0),
    ("(x, y)", "a comma inside parentheses", 2),
    ("2 3", "missing operator before the number '3'", 2),
    ("gamma(x) * gamma", "used both as a function and as a variable", 11),
    ("x*gamma + gamma(y)", "used both as a function and as a variable", 10),
    ("sin x", "'sin' is a function: call it with parentheses", 0),
    ("sin^2(x)", "write sin(x)^2, not sin^2(x)", 0),
    ("x/0", "division by zero", 1),
    ("0^-1", "division by zero", 1),
    ("0x1F", "numbers are decimal", 0),
    # outside the syntax: refused, never run
    ("x.__class__", "only numbers may contain a dot", 1),
    ("__import__('os')", "a name starts with a letter", 0),
    ("'x'", "strings are not part of the syntax", 0),
    ('sin("x")', "strings are not part of the syntax", 4),
    ("x[0]", "there are no subscripts", 1),
    ("sin(x=1)", "'=': an expression is not an equation or assignment", 5),
    ("x = 1", "not an equation or assignment", 2),
    ("x == y", "not an equation or assignment", 2),
    ("x < y", "comparisons are not part of the syntax", 2),
    ("lambda x: x", "lambdas, slices and dictionaries", 8),
    ("[x for x in y]", "'for' is a reserved word", 3),
    ("x if y else z", "'if' is a reserved word", 2),
    ("not x", "'not' is a reserved word", 0),
    ("x; y", "';': give one expression", 1),
    ("x\ny", "line break", 1),
    ("x @ y", "character '@'", 2),
    ("x!", "there is no factorial", 1),
    ("{x}", "'{'", 0),
    ("x # comment", "there are no comments", 2),
    ("x + 𝐲", "U+1D432", 4),  # a mathematical bold y, which Python would fold to y
    ("ｘ", "U+FF58", 0),  # a fullwidth x
]


@pytest.mark.parametrize(("text", "fragment", "column"), ERRORS, ids=[e[0] for e in ERRORS])
def test_error_message_and_caret(text, fragment, column):
    with pytest.raises(ParseError) as caught:
        parse_components(text)
    error = caught.value
    assert error.exit_status == 2
    assert fragment in error.message
    assert error.position == column
    message, shown, caret = str(error).split("\n")
    assert message == error.message
    if text.isascii() and text.isprintable():
        assert shown == "  " + text.strip()
        assert caret == "  " + " " * column + "^"
    assert caret.rstrip().endswith("^") and set(caret.strip()) == {"^"}


def test_caret_stays_aligned_for_line_breaks_and_wide_characters():
    with pytest.raises(ParseError) as caught:
        parse_components("x\ny")
    _, shown, caret = str(caught.value).split("\n")
    assert (shown, caret) == ("  x␤y", "   ^")
    # a wide character takes two columns on a terminal; invisible ones show as '?'
    assert excerpt("中x!", 2) == ("中x!", 3)
    assert excerpt("x\u202e!", 2) == ("x?!", 2)
    assert excerpt("a\tb", 2) == ("a b", 2)


def test_long_input_is_cut_around_the_caret():
    text = "x + " * 500 + "y $ z"
    with pytest.raises(ParseError) as caught:
        parse_components(text)
    _, shown, caret = str(caught.value).split("\n")
    assert len(shown) < 90 and shown.startswith("  …")
    assert shown[caret.index("^")] == "$"


# (text, fragment of the LimitError message)
LIMITS = [
    ("9^9^9^9", "the limit is 100,000"),
    ("10^10^8", "would have about 100,000,000 digits"),
    ("2^2^2^2^2^2^2", "digits"),
    ("(2x)^(10^7)", "digits"),
    ("(x/3)^(10^6)", "digits"),
    ("(sqrt(2)*x)^(10^7)", "digits"),
    ("1" * 1001, "has 1,001 digits; the limit is 1,000"),
    ("1e1001", "the exponent 1001"),
    ("*".join(["10^99999"] * 3), "100,000 digits in all"),
    ("*".join(["9^50000"] * 3), "100,000 digits in all"),
    ("gamma(10000)*gamma(10000)*gamma(10000)", "100,000 digits in all"),
    ("gamma(10^9)", "the limit is 10000"),
    ("polygamma(101, x)", "above the limit of 100"),
    ("sqrt(10^5000 + 1)", "a root of a number with about 5,000 digits"),
    ("root(10^5000 + 1, 3)", "the limit is 1,000 digits"),
    ("hypot(10^3000, 1)", "a root of a number"),
    ("x" * 100_001, "100,001 characters long; the limit is 100,000"),
    ("(" * 300 + "x" + ")" * 300, "nests deeper than 200 levels"),
    ("sin(" * 300 + "x" + ")" * 300, "nests deeper than 200 levels"),
    ("-" * 500 + "x", "nests deeper"),
    ("^".join(["x"] * 500), "nests deeper"),
]


@pytest.mark.parametrize(("text", "fragment"), LIMITS, ids=[t[:30] for t, _ in LIMITS])
def test_cost_limits_refuse_before_building(text, fragment):
    with pytest.raises(LimitError) as caught:
        parse_components(text)
    assert caught.value.exit_status == 4
    assert fragment in str(caught.value)
    assert len(str(caught.value)) < 300


def test_numbers_within_the_limits_are_built_exactly():
    assert parse_expression("2^2^2^2^2") == Integer(2) ** 65536  # 19,729 digits
    assert parse_expression("10^99000") == Integer(10) ** 99000
    assert parse_expression("gamma(101)") == sympy.factorial(100)
    assert parse_expression("x^(10^1000)") == x ** (Integer(10) ** 1000)
    assert parse_expression("sqrt(10^998)") == Integer(10) ** 499


def test_costly_polygamma_values_stay_unevaluated():
    assert parse_expression("polygamma(1, 1)") == pi**2 / 6
    big = parse_expression("polygamma(100, 3000)")  # sympy's expansion takes minutes
    assert big.func == sympy.polygamma and big.args == (Integer(100), Integer(3000))


# points: (spec, expected values in order)
POINTS = [
    ("x=1", {"x": Integer(1)}),
    ("x=pi/4,y=1", {"x": pi / 4, "y": Integer(1)}),
    (" x = -1/3 , y = 1e-3 ", {"x": Rational(-1, 3), "y": Rational(1, 1000)}),
    ("x=sqrt(2),y=atan2(1, 1)", {"x": sympy.sqrt(2), "y": pi / 4}),
    ("t=2π,x=e", {"t": 2 * pi, "x": E}),
    ("y=2,x=1", {"y": Integer(2), "x": Integer(1)}),
    ("x=0.1", {"x": Rational(1, 10)}),
    ("x=max(1, 2)", {"x": Integer(2)}),
]


@pytest.mark.parametrize(("spec", "expected"), POINTS, ids=[p for p, _ in POINTS])
def test_point(spec, expected):
    point = parse_point(spec)
    assert point == expected
    assert list(point) == list(expected)


# (spec, error class, fragment, caret column or None)
POINT_ERRORS = [
    ("x", InputError, "is not name=value", None),
    ("", InputError, "an empty point", None),
    ("x=1,x=2", InputError, "'x' is given twice", None),
    ("1x=2", InputError, "is not a variable name", None),
    ("pi=3", InputError, "is a constant, not a variable", None),
    ("if=3", InputError, "is not a variable name", None),
    ("x=", InputError, "'x' has no value", None),
    ("x=y", ParseError, "'y' is not a number", 2),
    ("x=oo", InputError, "not a finite number", None),
    ("x=zoo", InputError, "not a finite number", None),
    ("x=1/0", ParseError, "division by zero", 3),
    ("x=log(-1)", InputError, "not a real number", None),
    ("x=sqrt(-2)", InputError, "not a real number", None),
    ("x=sqrt(2 - sqrt(5))", InputError, "not a real number", None),
    ("x=1,y=__import__('os')", ParseError, "a name starts with a letter", 6),
    ("x=1;y=2", ParseError, "';'", 3),
    ("x=1, 2", InputError, "is not name=value", None),
    ("x=9^9^9^9", LimitError, "digits", None),
    ("x=" + "1" * 20_000, LimitError, "characters long", None),
]


@pytest.mark.parametrize(
    ("spec", "error", "fragment", "column"), POINT_ERRORS, ids=[p[0][:20] for p in POINT_ERRORS]
)
def test_point_error(spec, error, fragment, column):
    with pytest.raises(error) as caught:
        parse_point(spec)
    assert fragment in str(caught.value)
    if column is not None:
        assert caught.value.position == column
        _, shown, caret = str(caught.value).split("\n")
        assert shown == "  " + spec  # the whole --at spec, caret under the value's fault
        assert caret == "  " + " " * column + "^"


def test_parse_value():
    assert parse_value("pi/4") == pi / 4
    assert parse_value(" -1e-3 ") == Rational(-1, 1000)
    with pytest.raises(InputError, match="several values"):
        parse_value("1, 2")


def test_split_top_level_keeps_offsets():
    assert split_top_level("x=max(1,2),y=[3,4]") == [(0, "x=max(1,2)"), (11, "y=[3,4]")]


def test_is_identifier():
    assert is_identifier("x") and is_identifier("x_1") and is_identifier("alpha")
    for name in ["1x", "pi", "e", "if", "x.y", "", "_x", "x-y"]:
        assert not is_identifier(name), name


def test_tokens_carry_columns():
    tokens = tokenize("2x^2 + sin(y)")
    assert [(t.kind, t.text, t.pos) for t in tokens] == [
        ("num", "2", 0),
        ("name", "x", 1),
        ("op", "^", 2),
        ("num", "2", 3),
        ("op", "+", 5),
        ("name", "sin", 7),
        ("op", "(", 10),
        ("name", "y", 11),
        ("op", ")", 12),
        ("end", "", 13),
    ]


def test_every_table_name_parses_when_called():
    # driven by the table: a new row needs no edit here
    for spec in FUNCTIONS:
        # inside the row's domain, away from 0 (arg(0) is undefined): erfinv(2) is refused
        inside = str(spec.domain[0] + 0.6 * (spec.domain[1] - spec.domain[0]))
        for name in spec.names:
            args = ", ".join("2" if i in spec.static_args else inside for i in range(spec.arity[0]))
            parse_expression(f"{name}({args})")
