"""The parser's tree: what the text says, free of any backend; and the checks the
backend's build makes, which still point at the text."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import pytest

from derivcli.errors import LimitError, ParseError
from derivcli.expr import tree
from derivcli.expr.parse import parse_components, parse_tree, parse_value_tree

N, V, C = tree.Number, tree.Variable, tree.Constant


def test_a_product_a_power_and_a_call_in_written_order():
    (node,) = parse_tree("2x^2 - sin(y)/3").components
    assert node == tree.Sum(
        (
            tree.Product(
                (N(Fraction(2), 0), tree.Power(V("x", 1), N(Fraction(2), 3), 2, "'^'")),
                1,
                "the product",
            ),
            tree.Negative(
                tree.Product(
                    (
                        tree.Call("sin", (V("y", 11),), 7, "sin()"),
                        tree.Reciprocal(N(Fraction(3), 14), 13),
                    ),
                    13,
                    "'/'",
                ),
                5,
            ),
        ),
        5,
        "'-'",
    )


def test_aliases_signs_and_bars_become_the_rows_names():
    parsed = parse_tree("ln(x), √x, ∛x, |x|, x²")
    ln, sqrt, cbrt, bars, square = parsed.components
    assert ln == tree.Call("log", (V("x", 3),), 0, "ln()")
    assert sqrt == tree.Call("sqrt", (V("x", 8),), 7, "√")
    assert cbrt == tree.Call("root", (V("x", 12), N(Fraction(3), 11, False)), 11, "∛")
    assert bars == tree.Call("abs", (V("x", 16),), 15, None)
    assert square == tree.Power(V("x", 20), N(Fraction(2), 21, False), 21, "'²'")
    assert parsed.names == ("x",)


def test_numbers_are_exact_and_constants_named():
    assert parse_value_tree("1e-3") == N(Fraction(1, 1000), 0)
    assert parse_value_tree("0.1") == N(Fraction(1, 10), 0)
    assert parse_value_tree("e") == C("E", 0)
    assert parse_value_tree("inf") == C("oo", 0)
    assert parse_value_tree("π") == C("pi", 0)


def test_names_in_order_of_first_use_even_when_they_cancel():
    assert parse_tree("y + x - x + z*y").names == ("y", "x", "z")


def test_depth_counts_levels_without_recursion():
    (node,) = parse_tree("sin(" * 200 + "x" + ")" * 200).components
    assert tree.depth(node) == 201
    assert tree.depth(V("x", 0)) == 1


@pytest.mark.parametrize(
    "text, message, column",
    [
        ("1/(x - x)", "division by zero", 1),
        ("x + 0^(-1)", "division by zero: 0 to a negative power", 5),
        ("2 + log(0)", "log() gives an undefined value here (zoo", 4),
        ("x*sin(oo)", "sin() has no single value here", 2),
        ("x + 0*oo", "'*' gives an undefined value here (nan", 5),
    ],
)
def test_what_only_evaluation_shows_points_at_its_column(text, message, column):
    parse_tree(text)  # the syntax is right
    with pytest.raises(ParseError) as caught:
        parse_components(text)
    assert message in caught.value.message
    assert caught.value.position == column


@pytest.mark.slow
def test_the_tree_needs_neither_sympy_nor_torch():
    probe = (
        "import sys\n"
        "from derivcli.expr.parse import parse_tree\n"
        "parse_tree('sin(x)^2 + atan2(y, x)/3 - |x| + √(2x)')\n"
        "print(sorted(m for m in ('sympy', 'torch', 'mpmath', 'numpy') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_only_digits_typed_count_against_the_digit_budget():
    # as before the tree: 10^99992 fits in the 100,000 digits, and the 2 of x² is no
    # number the user typed (x^2 spends its digit, and goes over)
    (expr,) = parse_components("10^99992*x²")
    assert expr.as_coeff_Mul()[0] == 10**99992
    with pytest.raises(LimitError, match="digits"):
        parse_components("10^99992*x^2")
