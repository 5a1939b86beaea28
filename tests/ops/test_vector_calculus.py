"""Laplacian, divergence and curl against mpmath's numerical derivatives at 40 digits,
on every row of the function table (table-driven: a new row is tested here without
touching this file), on closed forms in three variables, and at hard points.

The truth: mpmath.diff of the row's own sympy construction (its builder in
derivcli.symbolic.sympy_functions) evaluated by mpmath, which differentiates
numerically and knows nothing of derivcli's derivatives or of torch.
"""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy

import derivcli
from derivcli.errors import InputError
from derivcli.expr.functions import FUNCTIONS
from derivcli.symbolic.sympy_functions import BUILDERS

x, y, z = sympy.symbols("x y z", real=True)
ROWS = [spec for spec in FUNCTIONS if spec.listed]
STATIC_VALUES = {"root": 3, "polygamma": 1, "zetaderiv": 1}
Y0 = 0.75


def _row(spec, inner_text: str, inner):
    """The row applied to an inner expression (its second argument, where it takes
    two, is y + 1): text for derivcli, the sympy expression for the truth."""
    texts, exprs = [], []
    for index in range(max(spec.arity[0], 1)):
        if index in spec.static_args:
            texts.append(str(STATIC_VALUES[spec.name]))
            exprs.append(sympy.Integer(STATIC_VALUES[spec.name]))
        elif inner_text not in texts:
            texts.append(inner_text)
            exprs.append(inner)
        else:
            texts.append("y + 1")
            exprs.append(y + 1)
    return f"{spec.name}({', '.join(texts)})", BUILDERS[spec.name](*exprs)


def _point(spec) -> dict[str, float]:
    """Where x*y + 1 lands 37% of the way into the row's domain, with y = 0.75: away
    from 0 (sinc's 0/0), ties (min, max: y + 1 = 1.75) and integers (floor, ceil)."""
    low, high = spec.domain
    target = low + 0.37 * (high - low)
    return {"x": (target - 1) / Y0, "y": Y0}


# derivcli's own sympy functions that lambdify does not know
MPMATH_ONLY = {
    "softplus": lambda t: mpmath.log1p(mpmath.exp(t)),
    "logsumexp": lambda *ts: mpmath.log(mpmath.fsum(mpmath.exp(t) for t in ts)),
    **{
        f"{kind}{n}": lambda t, kind=kind, n=n: getattr(mpmath, f"bessel{kind}")(n, t)
        for kind in "jyik"
        for n in (0, 1)
    },
    "zetaderiv": lambda n, s: mpmath.zeta(s, 1, int(n)),
}


def _diff(expr, point: dict, orders: tuple[int, ...]) -> float:
    symbols = [x, y, z][: len(orders)]
    f = sympy.lambdify(symbols, expr, modules=[MPMATH_ONLY, "mpmath"])
    with mpmath.workdps(40):
        at = [mpmath.mpf(point[s.name]) for s in symbols]
        return float(mpmath.diff(f, at, orders))


def _close(got: float, want: float, rtol: float = 1e-9) -> bool:
    return abs(got - want) <= rtol * max(1.0, abs(want))


def field_of_row(spec):
    """(point, text and sympy form of the row's F(x*y + 1), and of a second component
    that is not its multiple by a constant, x*F(x*y + 1))."""
    text, f = _row(spec, "x*y + 1", x * y + 1)
    return _point(spec), text, f, f"x*{text}", x * f


def _checked(kind: str, text, point: dict, wrt: str, engine: str):
    result = derivcli.compute(kind, text, at=point, wrt=wrt, engine=engine)
    (found,) = result.results
    return found


@pytest.mark.parametrize("engine", ["autograd", "symbolic"])
@pytest.mark.parametrize("spec", ROWS, ids=[spec.name for spec in ROWS])
def test_row_laplacian_divergence_and_curl_match_mpmath(spec, engine):
    point, text, f, text2, f2 = field_of_row(spec)
    laplacian = _diff(f, point, (2, 0)) + _diff(f, point, (0, 2))
    found = _checked("laplacian", text, point, "x,y", engine)
    assert _close(found.numeric, laplacian), (text, found.numeric, laplacian)
    assert found.verdicts == "agree", (text, found.verdicts, found.warnings)

    divergence = _diff(f, point, (1, 0)) + _diff(f2, point, (0, 1))
    found = _checked("divergence", [text, text2], point, "x,y", engine)
    assert _close(found.numeric, divergence), (text, found.numeric, divergence)
    assert found.verdicts == "agree", (text, found.verdicts, found.warnings)

    curl = _diff(f2, point, (1, 0)) - _diff(f, point, (0, 1))
    found = _checked("curl", [text, text2], point, "x,y", engine)
    assert _close(found.numeric, curl), (text, found.numeric, curl)
    assert found.verdicts == "agree", (text, found.verdicts, found.warnings)


FIELD_3 = ("sin(y*z)", "exp(x*z)", "x^2*y")
FIELD_3_SYMPY = (sympy.sin(y * z), sympy.exp(x * z), x**2 * y)


@pytest.mark.parametrize("engine", ["autograd", "symbolic"])
def test_curl_and_divergence_in_three_variables_match_mpmath(engine):
    point = {"x": 0.5, "y": -1.25, "z": 2.0}
    f1, f2, f3 = FIELD_3_SYMPY
    want = [
        _diff(f3, point, (0, 1, 0)) - _diff(f2, point, (0, 0, 1)),
        _diff(f1, point, (0, 0, 1)) - _diff(f3, point, (1, 0, 0)),
        _diff(f2, point, (1, 0, 0)) - _diff(f1, point, (0, 1, 0)),
    ]
    result = derivcli.curl(", ".join(FIELD_3), point, engine=engine)
    assert result.variables == ["x", "y", "z"]
    (found,) = result.results
    assert all(_close(g, w) for g, w in zip(found.numeric, want, strict=True)), found.numeric
    assert found.verdicts == ["agree"] * 3 and found.agree
    divergence = sum(_diff(f, point, o) for f, o in zip(FIELD_3_SYMPY, _UNIT, strict=True))
    found = derivcli.divergence(list(FIELD_3), point, engine=engine).results[0]
    assert _close(found.numeric, divergence) and found.verdicts == "agree"


_UNIT = ((1, 0, 0), (0, 1, 0), (0, 0, 1))


def test_a_gradient_field_has_no_curl_and_the_curl_has_no_divergence():
    # exact identities: curl(grad f) = 0 and div(curl F) = 0, symbolically
    f = "x^2*sin(y)*exp(z)"
    gradient = derivcli.grad(f).symbolic
    assert derivcli.curl(gradient).symbolic == ["0", "0", "0"]
    assert derivcli.divergence(derivcli.curl(", ".join(FIELD_3)).symbolic).symbolic == "0"


def test_the_newtonian_potential_is_harmonic_away_from_its_pole():
    result = derivcli.laplacian("1/sqrt(x^2+y^2+z^2)", {"x": 1, "y": 2, "z": 2})
    assert result.symbolic == "0" or sympy.simplify(sympy.sympify(result.symbolic)) == 0
    (found,) = result.results
    assert found.exact == "0" and abs(found.numeric) < 1e-15 and found.verdicts == "agree"


def test_the_laplacian_of_a_long_sum_labels_its_terms_briefly():
    result = derivcli.laplacian(
        " + ".join(f"x{i}^3" for i in range(6)), {f"x{i}": 1 for i in range(6)}
    )
    (found,) = result.results
    assert found.exact == "36" and found.numeric == 36.0
    document = result.to_json()
    assert '"kind": "laplacian"' in document


# --- hard points: the verdicts of the existing commands, for the new ones ------------


def test_a_laplacian_at_a_kink_does_not_exist():
    (found,) = derivcli.laplacian("abs(x) + y^2", {"x": 0, "y": 1}).results
    hessian = derivcli.hessian("abs(x) + y^2", {"x": 0, "y": 1}).results[0]
    assert found.verdicts == hessian.verdicts[0][0] != "agree"
    assert found.exact is None and not found.agree


def test_a_divergence_at_a_pole_is_not_a_number_with_a_check_mark():
    (found,) = derivcli.divergence("x/(x^2+y^2), y/(x^2+y^2)", {"x": 0, "y": 0}).results
    assert found.verdicts != "agree" and not found.agree


def test_the_vortex_has_no_curl_but_at_its_pole():
    vortex = "-y/(x^2+y^2), x/(x^2+y^2)"
    (found,) = derivcli.curl(vortex, {"x": 1, "y": 2}).results
    # 2/r^2 - 2x^2/r^4 - 2y^2/r^4 cancels: torch's 3e-17 is within float64's rounding
    assert found.exact == "0" and abs(found.numeric) < 1e-15
    assert found.verdicts in ("agree", "imprecise")
    (found,) = derivcli.curl(vortex, {"x": 0, "y": 0}).results
    assert found.verdicts != "agree" and not found.agree


def test_a_removable_singularity_is_settled_by_its_limit():
    # sinc''(0) = -1/3: the limit, where the formula is 0/0
    (found,) = derivcli.laplacian("sinc(x) + y", {"x": 0, "y": 1}).results
    assert found.exact == "-1/3"
    assert math.isclose(found.numeric, -1 / 3, rel_tol=1e-12) and found.verdicts == "agree"


# --- the shapes the operations take, and what they refuse ----------------------------


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("divergence", "x, 2*x", "as many components as variables: 2 components, 1 variable"),
        ("divergence", "x, y, x*y", "as many components as variables: 3 components, 2 variables"),
        ("curl", "x, y, 2*x*y", "or two of two: here 3 components of 2 variables"),
        ("curl", "x*y*z, y", "or two of two: here 2 components of 3 variables"),
    ],
)
@pytest.mark.parametrize("at", [None, "point"])
def test_a_field_of_the_wrong_size_is_an_input_error(kind, fields, message, at):
    point = {name: 1 for name in "xyz" if name in fields} if at else None
    with pytest.raises(InputError) as error:
        derivcli.compute(kind, fields, point)
    assert message in str(error.value) and "--wrt" in str(error.value), str(error.value)


# --- the command line -----------------------------------------------------------------


def _examples():
    from derivcli import ops

    for op in ops.registered():
        for example in op.examples:
            if "samples.csv" not in example:  # those need a file of points
                yield pytest.param(example.split("  (")[0], id=f"{op.name}: {example[9:50]}")


@pytest.mark.parametrize("example", list(_examples()))
def test_every_example_in_the_help_runs(example, tmp_path, monkeypatch):
    import shlex

    from typer.testing import CliRunner

    from derivcli.cli import app

    monkeypatch.chdir(tmp_path)
    args = shlex.split(example)
    assert args[0] == "derivcli"
    result = CliRunner().invoke(app.app, args[1:])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()


@pytest.mark.parametrize("kind", ["laplacian", "divergence", "curl"])
def test_the_help_shows_the_examples(kind):
    from typer.testing import CliRunner

    from derivcli import ops
    from derivcli.cli import app

    result = CliRunner().invoke(app.app, [kind, "--help"])
    assert result.exit_code == 0
    for example in ops.get(kind).examples:
        assert example[:60] in result.stdout  # rich may wrap the rest of a long line


def test_a_fields_coordinates_may_include_a_variable_no_component_has():
    (found,) = derivcli.curl("[-y, x, 0]", "x=1,y=2,z=0", wrt="x,y,z").results
    assert found.numeric == [0.0, 0.0, 2.0] and found.exact == ["0", "0", "2"]
    (found,) = derivcli.divergence("x*y, 3", "x=2,y=5", wrt="x,y").results
    assert found.numeric == 5.0 and found.verdicts == "agree"
    # elsewhere such a name is still a typo's symptom, and refused
    with pytest.raises(InputError, match="names z, which the expression lacks"):
        derivcli.grad("x", "x=1,z=0", wrt="x,z")
