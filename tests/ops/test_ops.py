"""Operations as objects: the registry drives the command line, the API and the checks.

A toy operation defined here alone (the sum of the gradient's entries, a scalar) works
through the command line, the Python API, every output format and both engines, and
its entries are checked exactly, kinks included. Truth: closed forms with mpmath.
"""

from __future__ import annotations

import csv
import io
import json

import mpmath
import numpy as np
import pytest
import sympy

import derivcli
from derivcli import ops
from derivcli.cli import app as command_line
from derivcli.errors import InputError
from derivcli.expr.parse import parse_result
from derivcli.numeric import autodiff


class GradientSum(ops.Op):
    """Σ ∂f/∂xᵢ: a scalar whose one entry sums n partial derivatives."""

    name = "gradsum"
    title = "sum of the gradient"
    summary = "The sum of the gradient's entries."
    examples = ('derivcli gradsum "sin(x)*y" --at x=0,y=1',)

    def entries(self, components, variables):
        terms = tuple(ops.Partial(0, (i,)) for i in range(len(variables)))
        return ops.Entry("sum d/d·", terms)

    def autograd(self, outputs, inputs):
        return autodiff.gradient(outputs[0], inputs).sum(dim=-1)


@pytest.fixture
def gradsum():
    op = ops.register(GradientSum())
    command_line.add_command(op)
    yield op
    command_line.remove_command(op.name)
    ops.unregister(op.name)


EXPRESSION = "sin(x)*y + x^2"
POINTS = [(0.5, 2.0), (-1.25, 0.75), (3.0, -0.5)]


def _truth(x: float, y: float) -> float:
    """d/dx + d/dy of sin(x)*y + x^2, in closed form: cos(x)*y + 2x + sin(x)."""
    with mpmath.workdps(30):
        x, y = mpmath.mpf(x), mpmath.mpf(y)
        return float(mpmath.cos(x) * y + 2 * x + mpmath.sin(x))


def _is_truth(text: str) -> bool:
    """Whether text is the sum of the gradient of EXPRESSION, cos(x)*y + 2x + sin(x)."""
    x, y = sympy.symbols("x y", real=True)
    return sympy.simplify(parse_result(text) - (sympy.cos(x) * y + 2 * x + sympy.sin(x))) == 0


def _close(got, want, rtol=1e-12):
    assert abs(got - want) <= rtol * max(1.0, abs(want)), (got, want)


def _at(x: float, y: float) -> str:
    return f"x={x!r},y={y!r}"


# --- the toy operation, everywhere ----------------------------------------------------


@pytest.mark.parametrize("engine", ["autograd", "symbolic"])
def test_toy_operation_through_the_api(gradsum, engine):
    points = [{"x": x, "y": y} for x, y in POINTS]
    result = derivcli.compute("gradsum", EXPRESSION, points, engine=engine)
    assert result.kind == "gradsum"
    assert _is_truth(result.symbolic)  # a scalar: a bare entry
    for (x, y), point in zip(POINTS, result.results, strict=True):
        _close(point.numeric, _truth(x, y))
        assert point.verdicts == "agree" and point.agree
    assert json.loads(result.to_json())["results"][0]["verdicts"] == "agree"


@pytest.mark.parametrize("engine", ["autograd", "symbolic"])
def test_toy_operation_streamed_through_the_api(gradsum, engine):
    xs, ys = np.array(POINTS).T
    values = derivcli.evaluate("gradsum", EXPRESSION, {"x": xs, "y": ys}, engine=engine)
    assert values.shape == (len(POINTS),)
    for (x, y), value in zip(POINTS, values, strict=True):
        _close(float(value), _truth(x, y))


def test_toy_operation_table(gradsum, cli_json):
    result = _invoke("gradsum", EXPRESSION, "--at", _at(*POINTS[0]))
    assert result.exit_code == 0, result.output
    assert "sum of the gradient" in result.stdout and "sum d/d·" in result.stdout
    assert "✓ torch agrees with the exact values" in result.stdout
    document = cli_json("gradsum", EXPRESSION, "--at", _at(*POINTS[0]))
    assert document["kind"] == "gradsum" and _is_truth(document["symbolic"])
    _close(document["results"][0]["numeric"], _truth(*POINTS[0]))


def test_toy_operation_has_a_python_function(gradsum):
    result = derivcli.gradsum(EXPRESSION, {"x": 0.5, "y": 2.0})
    _close(result.results[0].numeric, _truth(0.5, 2.0))
    assert derivcli.gradsum.__doc__.startswith("The sum of the gradient's entries.")


def test_toy_operation_help_comes_from_the_operation(gradsum):
    result = _invoke("gradsum", "--help")
    assert result.exit_code == 0
    assert "The sum of the gradient's entries." in result.stdout
    assert "derivcli gradsum" in result.stdout and "--points" in result.stdout


@pytest.mark.parametrize("engine", ["auto", "autograd", "symbolic"])
@pytest.mark.parametrize("many", ["--at", "--points"])
def test_toy_operation_every_format(gradsum, tmp_path, engine, many):
    source = tmp_path / "points.csv"
    source.write_text("x,y\n" + "".join(f"{x!r},{y!r}\n" for x, y in POINTS))
    where = (
        [arg for x, y in POINTS for arg in ("--at", _at(x, y))]
        if many == "--at"
        else ["--points", str(source)]
    )
    want = [_truth(x, y) for x, y in POINTS]
    common = ["gradsum", EXPRESSION, *where, "--engine", engine]

    plain = _invoke(*common, "--format", "plain")
    assert plain.exit_code == 0, plain.output
    for line, value in zip(plain.stdout.splitlines(), want, strict=True):
        _close(float(line), value)

    rows = list(csv.reader(io.StringIO(_invoke(*common, "--format", "csv").stdout)))
    assert rows[0] == ["x", "y", "sum d/d·"]
    for row, value in zip(rows[1:], want, strict=True):
        _close(float(row[2]), value)

    lines = _invoke(*common, "--format", "jsonl").stdout.splitlines()
    for line, value in zip(lines, want, strict=True):
        _close(json.loads(line)["numeric"], value)

    target = tmp_path / "out.npy"
    assert _invoke(*common, "--format", "npy", "--output", str(target)).exit_code == 0
    array = np.load(target)
    assert array.shape == (len(POINTS),)  # points by entries, and a scalar has one
    for row, value in zip(array, want, strict=True):
        _close(float(row), value)

    document = json.loads(_invoke(*common, "--format", "json").stdout)
    for point, value in zip(document["results"], want, strict=True):
        _close(point["numeric"], value)


def test_toy_operation_is_checked_exactly_across_a_kink(gradsum):
    # x*|x| is differentiable at 0 (its derivative 2|x| is 0 there), which the check
    # finds from the one-sided limits; the sum's other term is 1.
    smooth = derivcli.compute("gradsum", "x*abs(x) + y", {"x": 0, "y": 5})
    point = smooth.results[0]
    assert point.verdicts == "agree" and point.exact == "1" and point.numeric == 1.0
    assert any("one-sided limits" in warning for warning in point.warnings)
    # |x| is not: the sum is not differentiable either, whatever torch says.
    kink = derivcli.compute("gradsum", "abs(x) + y", {"x": 0, "y": 5}).results[0]
    assert kink.verdicts == "not differentiable" and not kink.agree


def test_a_sum_is_judged_as_a_whole_where_its_terms_fail(gradsum):
    # log(x) + y at x = -1 is not real: the entry, 1/x + 1, is shown at its value, 0.
    outside = derivcli.compute("gradsum", "log(x) + y", {"x": -1, "y": 1}).results[0]
    assert outside.verdicts == "undefined" and outside.exact == "0"
    # 1/(2 sqrt(x)) - 1/(2 sqrt(y)) at (0, 0) is oo - oo: undefined, not infinite.
    poles = derivcli.compute("gradsum", "sqrt(x) - sqrt(y)", {"x": 0, "y": 0}).results[0]
    assert poles.verdicts == "undefined"
    # The reason names the term that is not differentiable.
    kink = derivcli.compute("gradsum", "abs(x) + y", {"x": 0, "y": 1}).results[0]
    assert "the term d/dx: the point is on a kink of abs(x)" in kink.findings[0].reason


class Negated(ops.Op):
    """-∇f: one term per entry, with coefficient -1."""

    name = "negated"
    title = summary = "the gradient, negated"

    def entries(self, components, variables):
        return [ops.Entry(f"-d/d{v}", (ops.Partial(0, (i,), -1),)) for i, v in enumerate(variables)]

    def autograd(self, outputs, inputs):
        return -autodiff.gradient(outputs[0], inputs)


def test_a_coefficient_scales_the_entry_and_its_exact_value():
    ops.register(Negated())
    try:
        (point,) = derivcli.compute("negated", "x^3 + log(y)", "x=2,y=1/4").results
        assert point.exact == ["-12", "-4"] and point.verdicts == ["agree", "agree"]
        assert point.numeric == [-12.0, -4.0]
        # Outside the domain, the entry's own value: -1/x at x = -2 is 1/2.
        (outside,) = derivcli.compute("negated", "log(x)", "x=-2").results
        assert outside.verdicts == ["undefined"] and outside.exact == ["1/2"]
    finally:
        ops.unregister("negated")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ops.partial("f", 0), "at least one variable"),
        (lambda: ops.Partial(0, (0,), 0.5), "int, Fraction or sympy number"),
        (lambda: ops.Partial(0, (0,), 0), "non-zero"),
        (lambda: ops.Partial(0, (0,), True), "int, Fraction or sympy number"),
        (lambda: ops.Partial(0, (0,), sympy.Float(0.5)), "int, Fraction or sympy number"),
        (lambda: ops.Partial(0, (0,), sympy.Symbol("a")), "int, Fraction or sympy number"),
        (lambda: ops.Partial(0, (0,), sympy.I), "int, Fraction or sympy number"),
        (lambda: ops.Entry("empty", ()), "no terms"),
    ],
)
def test_an_operation_is_checked_as_it_is_defined(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_toy_operation_judges_torch_at_the_float_point(gradsum):
    # exp(x) + exp(y) at 1/3: the exact sum, 2 e^(1/3), against torch's number.
    point = derivcli.compute("gradsum", "exp(x) + exp(y)", "x=1/3,y=1/3").results[0]
    assert point.verdicts == "agree"
    with mpmath.workdps(30):
        _close(point.numeric, float(2 * mpmath.exp(mpmath.mpf(1) / 3)), 1e-15)


def _invoke(*args: str):
    from typer.testing import CliRunner

    return CliRunner().invoke(command_line.app, list(args))


# --- the registry ------------------------------------------------------------------


@pytest.mark.parametrize("op", ops.registered(), ids=lambda op: op.name)
def test_every_operation_has_a_command_and_a_function(op):
    result = _invoke(op.name, "--help")
    assert result.exit_code == 0 and op.summary.split()[0] in result.stdout
    assert callable(getattr(derivcli, op.name))


REQUESTED = {
    "diff": {"wrt": "x,y,x"},
    "directional": {"vector": "3,-4"},
    "jvp": {"vector": "1/3,2"},
    "vjp": {"vector": "1/2,-3,2"},
    "hvp": {"vector": "2,sqrt(2)"},
    "taylor": {"order": 3},
}


@pytest.mark.parametrize("op", ops.registered(), ids=lambda op: op.name)
@pytest.mark.parametrize("engine", ["autograd", "symbolic"])
def test_every_operation_shape_labels_and_engines_agree(op, engine):
    expression = "x*y, x+y^2, exp(x)" if op.many_expressions else "x^2*y + exp(x*y)"
    components = 3 if op.many_expressions else 1
    if op.coordinates:  # a field: as many components as variables
        expression, components = "x*y, x+y^2", 2
    # what the operation needs configured: diff its order, the others along a vector one
    options = REQUESTED.get(op.name, {})
    if "vector" in options and op.vector_of == "components":
        options = {"vector": ",".join(["1/2", "-3", "2"][:components])}
    settings = {name: value for name, value in options.items() if name != "wrt"}
    configured, wrt = op.configure(options.get("wrt"), **settings)
    assert wrt in (None, ["x", "y"])
    shape = configured.shape(components, 2)
    labels = np.array(configured.labels(["x", "y"], components), dtype=object)
    assert labels.shape == shape and len(set(labels.ravel())) == labels.size
    values = derivcli.evaluate(
        op.name, expression, np.array([[0.5, -2.0]]), engine=engine, **options
    )
    assert values.shape == (1, *shape)
    result = derivcli.compute(op.name, expression, "x=1/2,y=-2", engine=engine, **options)
    assert np.array(result.results[0].numeric).shape == shape
    assert result.agree, result.results[0].warnings
    np.testing.assert_allclose(values[0], result.results[0].numeric, rtol=1e-12)


def test_an_unknown_operation_is_refused_not_defaulted():
    with pytest.raises(InputError, match="unknown kind 'nosuch': use one of grad"):
        derivcli.compute("nosuch", "x^2", "x=1")
    with pytest.raises(InputError, match="unknown kind"):
        derivcli.evaluate("nosuch", "x^2", {"x": np.ones(2)})


def test_a_name_is_registered_once():
    with pytest.raises(ValueError, match="new name"):
        ops.register(ops.get("grad"))


@pytest.mark.parametrize(
    "nested", [7, [], [1, 2, 3], [[1, 2], [3, 4], [5, 6]], [[[1], [2]], [[3], [4]]]]
)
def test_map_rows_maps_each_innermost_list_as_map_nested_maps_each_leaf(nested):
    from derivcli.nested import map_nested, map_rows

    seen = []

    def rows(row):
        seen.append(list(row))
        return [10 * leaf for leaf in row]

    assert map_rows(rows, nested) == map_nested(lambda leaf: 10 * leaf, nested)
    assert all(not isinstance(leaf, list) for row in seen for leaf in row)
