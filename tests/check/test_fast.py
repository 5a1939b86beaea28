"""Verdicts from SymEngine's exact values (derivcli.check.fast), and the backend choice.

Each test compares the SymEngine path with sympy's verdicts on the same problem, and
with a truth computed here (mpmath, closed forms) where one is needed.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy

import derivcli
from derivcli import ops
from derivcli.errors import InputError
from derivcli.expr.parse import parse_result, parse_tree
from derivcli.symbolic import choice

pytest.importorskip("symengine")


def lennard_jones(atoms: int, extra: str = "") -> str:
    terms = []
    for i in range(atoms):
        for j in range(i + 1, atoms):
            r2 = "+".join(f"(x{i}_{k}-x{j}_{k})^2" for k in range(3))
            terms.append(f"4*(({r2})^(-6) - ({r2})^(-3))")
    return " + ".join(terms) + extra


def _point(names, values):
    return ",".join(f"{name}={value}" for name, value in zip(names, values, strict=True))


NAMES3 = [f"x{i}_{k}" for i in range(3) for k in range(3)]


def _both(kind, text, **options):
    return [derivcli.compute(kind, text, symbolic=b, **options) for b in ("sympy", "symengine")]


def _same_number(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a == b
    x, y = parse_result(a), parse_result(b)
    if x.is_Rational and y.is_Rational:
        return x == y
    with mpmath.workdps(60):
        return abs(sympy.N(x - y, 50)) <= 10**-45 * (1 + abs(sympy.N(x, 50)))


@pytest.mark.parametrize(
    "values",
    [
        [Fraction(k + 3, k + 7) for k in range(9)],  # rational: every exact value a rational
        [0.1 * k + 0.05 for k in range(9)],  # decimals, rounded to float64 for torch
    ],
    ids=["rational", "decimal"],
)
def test_symengine_verdicts_and_exact_values_are_sympys(values):
    text = lennard_jones(3, " + atan(x0_0*x1_1) + exp(x2_2)*sin(x0_1)")
    at = _point(NAMES3, values)
    sympy_result, symengine_result = _both("hessian", text, at=at)
    a, b = sympy_result.results[0], symengine_result.results[0]
    assert a.verdicts == b.verdicts
    assert all(v == "agree" for row in a.verdicts for v in row)
    for row_a, row_b in zip(a.exact, b.exact, strict=True):
        for x, y in zip(row_a, row_b, strict=True):
            assert _same_number(x, y), (x, y)
    assert a.expected == b.expected  # the same rounded truth torch is compared with


def test_auto_takes_symengine_for_a_heavy_problem_and_sympy_for_a_small_one():
    heavy = parse_tree(lennard_jones(4)).components
    entries = 12 * 12
    assert choice.choose("auto", list(heavy), entries).name == "symengine"
    small = parse_tree("sin(x)*y").components
    assert choice.choose("auto", list(small), 4).name == "sympy"
    with_abs = parse_tree(lennard_jones(4, " + abs(x0_0)")).components
    assert choice.choose("auto", list(with_abs), entries).name == "sympy"  # a row it lacks
    assert choice.choose("sympy", list(heavy), entries).name == "sympy"


def test_a_coincident_pair_is_left_to_sympy_and_judged_as_sympy_judges_it():
    # Atoms 0 and 1 at the same place: every entry of that pair is infinite or undefined.
    values = [1, 2, 3, 1, 2, 3, 0, 5, 7]
    sympy_result, symengine_result = _both("hessian", lennard_jones(3), at=_point(NAMES3, values))
    a, b = sympy_result.results[0], symengine_result.results[0]
    assert a.verdicts == b.verdicts and a.exact == b.exact
    assert {v for row in b.verdicts for v in row} == {"undefined"}


def test_a_power_too_large_to_substitute_in_cpp_is_left_to_sympys_bounded_evaluation():
    # 3^(10^9) would be built in C++, where no alarm reaches: sympy's bounds decide.
    text = lennard_jones(2, " + x0_0^(10^9)")
    names = [f"x{i}_{k}" for i in range(2) for k in range(3)]
    at = _point(names, [3, 1, 2, 5, 4, 6])
    sympy_result, symengine_result = _both("grad", text, at=at, timeout=20)
    a, b = sympy_result.results[0], symengine_result.results[0]
    assert a.verdicts == b.verdicts and a.verdicts[0] == "overflow"
    assert a.exact == b.exact


def test_torch_numbers_that_are_off_go_to_sympys_rounding_bound():
    from derivcli.check import fast
    from derivcli.symbolic import Derivatives
    from derivcli.symbolic import backend as backends

    # log(1+x) - x at 1e-17: torch's 0 for d/dx is within the rounding error (imprecise);
    # 0.5 is wrong (disagree). Neither is settled without sympy.
    text = "log(1+x) - x"
    engine = backends.get("symengine")
    (expr,) = engine.build(parse_tree(text).components)
    derivatives = Derivatives(ops.get("grad"), [expr], [engine.symbol("x")], engine)
    (reference_expr,) = backends.default().build(parse_tree(text).components)
    x = sympy.Symbol("x", real=True)
    lazy = Derivatives(ops.get("grad"), [reference_expr], [x], lazy=True)
    point = {x: sympy.Rational(1, 10**17)}
    asked = []

    def reference():
        asked.append(True)
        return [reference_expr], lazy

    (imprecise,) = fast.check_entries(derivatives, reference, point, [0.0])
    (wrong,) = fast.check_entries(derivatives, reference, point, [0.5])
    (right,) = fast.check_entries(derivatives, reference, point, [-1e-17])
    assert (imprecise.verdict, wrong.verdict, right.verdict) == ("imprecise", "disagree", "agree")
    assert len(asked) == 2  # the agreeing number was settled by SymEngine alone


def test_an_unknown_backend_and_a_missing_row_are_input_errors(cli):
    result = cli("grad", "x^2", "--at", "x=1", "--symbolic", "maple")
    assert result.exit_code == 2 and "unknown symbolic backend 'maple'" in result.stderr
    assert result.stderr.count("\n") == 1
    result = cli("grad", "abs(x)", "--at", "x=1", "--symbolic", "symengine")
    assert result.exit_code == 2 and "symengine backend has no abs()" in result.stderr
    with pytest.raises(InputError, match="unknown symbolic backend"):
        derivcli.grad("x", symbolic="maple")


def test_the_same_problem_gives_the_same_json_shape_on_both_backends(cli_json):
    text = lennard_jones(3)
    at = _point(NAMES3, [Fraction(k + 3, k + 7) for k in range(9)])
    a = cli_json("hessian", text, "--at", at, "--symbolic", "sympy")
    b = cli_json("hessian", text, "--at", at, "--symbolic", "symengine")
    assert a.keys() == b.keys() and a["variables"] == b["variables"]
    assert a["results"][0]["verdicts"] == b["results"][0]["verdicts"]
    assert a["results"][0]["exact"] == b["results"][0]["exact"]  # rationals: the same text
    for x, y in zip(a["symbolic"][0], b["symbolic"][0], strict=True):  # the same derivative
        assert sympy.simplify(parse_result(x) - parse_result(y)) == 0
