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
    text = lennard_jones(3, " + exp(x0_0*x1_1) + log(x2_2)*x0_1^3")
    at = _point(NAMES3, values)
    sympy_result, symengine_result = _both("hessian", text, at=at)
    a, b = sympy_result.results[0], symengine_result.results[0]
    assert a.verdicts == b.verdicts
    assert all(v == "agree" for row in a.verdicts for v in row)
    assert a.exact == b.exact  # the same text, irrational values (exp, log) included
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


# --- found in review: where SymEngine would not do what sympy does -----------------------

ROSENBROCK = " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, 30))
ROSENBROCK_NAMES = [f"x{i}" for i in range(1, 31)]


def _heavy_at(**values):
    """A point of the 30-variable Rosenbrock function: 1 but where values say."""
    return _point(ROSENBROCK_NAMES, [values.get(name, 1) for name in ROSENBROCK_NAMES])


def test_a_power_of_a_reciprocal_keeps_sympys_value():
    # SymEngine makes (1/x)^(1/2) x^(-1/2): at x = -4 another number. With principal
    # square roots, sqrt(1/x)/sqrt(x) is -1/x for x < 0, whose derivative is 1/x^2.
    from derivcli.symbolic import backend as backends

    with pytest.raises(InputError, match="root of a product of powers"):
        derivcli.grad("sqrt(1/x)/sqrt(x)", at="x=-4", symbolic="symengine")
    engine = backends.get("symengine")  # its build refuses too, whoever asks
    for text in ("sqrt(1/x)", "(1/x)^(1/3)", "(x^-2)^y", "sqrt(exp(x))"):
        with pytest.raises(InputError, match="rewrite a power of a power"):
            engine.build(parse_tree(text).components)
    with mpmath.workdps(40):
        truth = mpmath.diff(lambda t: mpmath.sqrt(1 / t) / mpmath.sqrt(t), -4)
    assert abs(truth - mpmath.mpf(1) / 16) < 1e-30
    text = ROSENBROCK + " + sqrt(1/x1)/sqrt(x1)"
    auto = derivcli.grad(text, at=_heavy_at(x1=-4), wrt=ROSENBROCK_NAMES).results[0]
    reference = derivcli.grad(
        text, at=_heavy_at(x1=-4), wrt=ROSENBROCK_NAMES, symbolic="sympy"
    ).results[0]
    assert auto.exact == reference.exact and auto.verdicts == reference.verdicts
    rosenbrock_part = 400 * (-4) ** 3 - 400 * (-4) * 1 + 2 * (-4) - 2  # d/dx1 of its terms
    assert parse_result(auto.exact[0]) == rosenbrock_part + sympy.Rational(1, 16)


@pytest.mark.parametrize(
    "extra, different",
    [
        ("sin(x1)/x1", "sin()"),
        ("coth(x2)", "coth()"),
        ("sqrt(x1^2 + x2^2)", "hypot"),
        ("(x1^2 + x2^2)^(5/2)", "hypot"),
        ("1/(x1 + x2)", "hypot"),
        ("log(exp(x1))", "log()"),
        ("exp(2*log(x1))", "exp()"),  # sympy: x1^2, defined at x1 < 0
        ("exp(x1 + log(x2))", "exp()"),  # sympy: x2*exp(x1)
        ("(x1^2*x2)^(1/2)", "root of a product"),  # sympy: |x1|*sqrt(x2)
        ("sqrt(x1/x2)", "root of a product"),
        ("0^(x1^2 + 1)", "variable power"),
    ],
)
def test_forms_sympy_gives_torch_otherwise_stay_with_sympy(extra, different):
    # sympy's expressions reach torch in stable forms (sin(x)/x's series at 0, hypot,
    # coth's quotients) or simplified (log(exp(x)) is x): SymEngine's would give torch
    # other numbers (nan for -1/3, 0 for 2e-260).
    trees = list(parse_tree(ROSENBROCK + " + " + extra).components)
    assert choice.choose("auto", trees, 900).name == "sympy"
    with pytest.raises(InputError, match=f"symengine backend would not give torch.*{different}"):
        choice.choose("symengine", trees, 900)
    assert choice.choose("auto", list(parse_tree(ROSENBROCK).components), 900).name == "symengine"


def test_exp_of_a_multiple_of_log_keeps_sympys_number_where_the_log_is_complex():
    # exp(2*log(x)) is x^2 in sympy (d/dx = 2x, -2 at -1); SymEngine's form gave torch nan.
    text = ROSENBROCK + " + exp(2*log(x1))"
    at = _heavy_at(x1=-1)
    (auto,) = derivcli.grad(text, at=at, wrt=ROSENBROCK_NAMES).results
    (reference,) = derivcli.grad(text, at=at, wrt=ROSENBROCK_NAMES, symbolic="sympy").results
    assert auto.numeric == reference.numeric and auto.verdicts == reference.verdicts
    rosenbrock_part = 400 * (-1) ** 3 - 400 * (-1) * 1 + 2 * (-1) - 2
    assert auto.numeric[0] == rosenbrock_part + 2 * (-1) and auto.verdicts[0] == "agree"


def test_a_heavy_sum_of_sinc_terms_streams_sympys_stable_numbers():
    import numpy as np

    text = " + ".join(f"sin(x{i})/x{i}" for i in range(1, 11))
    names = [f"x{i}" for i in range(1, 11)]
    points = {name: np.array([0.0, 1e-6, 1.0]) for name in names}
    values = derivcli.evaluate("hessian", text, points, wrt=names)
    # (sin(x)/x)'' = -1/3 at 0; at 1: (2 - 1)*sin(1)/1 - 2*cos(1) ... in closed form:
    # d2/dx2 sin(x)/x = -sin(x)/x - 2cos(x)/x^2 + 2sin(x)/x^3.
    for k, x in enumerate([0.0, 1e-6, 1.0]):
        with mpmath.workdps(40):
            x = mpmath.mpf(x)
            s, c = mpmath.sin(x), mpmath.cos(x)
            truth = -mpmath.mpf(1) / 3 if x == 0 else -s / x - 2 * c / x**2 + 2 * s / x**3
        assert abs(values[k][0][0] - float(truth)) <= 1e-9 * abs(float(truth)), (x, values[k][0][0])


def test_a_number_beyond_the_float_range_overflows_as_in_sympy():
    for backend in ("sympy", "symengine"):
        (point,) = derivcli.grad("x*10^400 + y", at="x=1,y=1", symbolic=backend).results
        assert point.verdicts == ["overflow", "agree"] and point.exact[0] == str(10**400)
    heavy = ROSENBROCK.replace("100*", "1e400*")  # torch's inf*0 at the minimum: nan
    at = _heavy_at(x1=2)
    (auto,) = derivcli.grad(heavy, at=at, wrt=ROSENBROCK_NAMES).results
    (reference,) = derivcli.grad(heavy, at=at, wrt=ROSENBROCK_NAMES, symbolic="sympy").results
    assert auto.exact == reference.exact and auto.verdicts == reference.verdicts
    assert parse_result(auto.exact[1]) == 2 * 10**400 * (1 - 4)  # d/dx2 at x1 = 2, x2 = 1


def test_a_build_symengine_refuses_falls_back_to_sympy_under_auto():
    text = ROSENBROCK + " + sqrt(x1^2) + log(x2, 2)"  # sympy builds |x1|, which it lacks
    at = _heavy_at(x1=2, x2=2)
    auto = derivcli.grad(text, at=at, wrt=ROSENBROCK_NAMES).results[0]
    reference = derivcli.grad(text, at=at, wrt=ROSENBROCK_NAMES, symbolic="sympy").results[0]
    assert auto.exact == reference.exact and auto.verdicts == reference.verdicts
    assert parse_result(auto.exact[1]) == 200 * (2 - 4) + 1 / (2 * sympy.log(2)) - 400 * 2 * (
        1 - 4
    ) + 2 * (2 - 1)


def test_powers_of_many_variables_at_large_numbers_are_left_to_sympys_budget():
    # 30 powers x_i^1000 at 9^99: each has 95,000 digits, their product 2.9 million;
    # only the largest power counted, SymEngine built it in C++, past any alarm.
    from derivcli.check import fast

    text = "*".join(f"x{i}^1000" for i in range(1, 31))
    engine = choice.choose("symengine", list(parse_tree(text).components), 30)
    (expr,) = engine.build(parse_tree(text).components)
    largest, total, breaks = fast._facts(engine, expr)
    assert (largest, total, breaks) == (1000, 30 * 1001, False)
    assert (total + 2) * (95 + 1) > fast.TOTAL_DIGITS  # 9^99 has 95 digits: unsafe
