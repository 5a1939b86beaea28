"""torch's derivatives equal sympy's exact derivatives at random points.

The truth here is computed independently of derivcli's symbolic module: sympy's diff
of an expression built with sympy's own constructors, evaluated with mpmath at 30
digits (evalf with subs, so no huge exact numbers are built).
"""

from __future__ import annotations

import random
import zlib

import pytest
import sympy
from helpers import sympy_truth

import derivcli

x, y, z, u, v, w = sympy.symbols("x y z u v w", real=True)

# (text for derivcli, the same expression built with sympy)
EXPRESSIONS = [
    ("sin(x)", sympy.sin(x)),
    ("x^x", x**x),
    ("exp(-x^2)*cos(3x)", sympy.exp(-(x**2)) * sympy.cos(3 * x)),
    ("sin(x)*y", sympy.sin(x) * y),
    ("x^2*y + exp(x*y)", x**2 * y + sympy.exp(x * y)),
    ("log(x^2 + y^2) + atan2(y, x)", sympy.log(x**2 + y**2) + sympy.atan2(y, x)),
    ("sqrt(x*y*z) + tanh(x - z)/y", sympy.sqrt(x * y * z) + sympy.tanh(x - z) / y),
    ("x*y*z*u + cosh(u)/(1 + x^2)", x * y * z * u + sympy.cosh(u) / (1 + x**2)),
    (
        "erf(x*y) + gamma(z + 1) + sigmoid(u - v)",
        sympy.erf(x * y) + sympy.gamma(z + 1) + 1 / (1 + sympy.exp(-(u - v))),
    ),
    (
        "(x + 2y - z)^3 * exp(u*v - w) + log(1 + w^2) * asin(x/4)",
        (x + 2 * y - z) ** 3 * sympy.exp(u * v - w) + sympy.log(1 + w**2) * sympy.asin(x / 4),
    ),
    (
        "100*(y - x^2)^2 + (1 - x)^2 + 100*(z - y^2)^2 + (1 - y)^2",
        100 * (y - x**2) ** 2 + (1 - x) ** 2 + 100 * (z - y**2) ** 2 + (1 - y) ** 2,
    ),
]

VECTORS = [
    (
        "r*cos(t), r*sin(t)",
        [
            sympy.Symbol("r", real=True) * sympy.cos(sympy.Symbol("t", real=True)),
            sympy.Symbol("r", real=True) * sympy.sin(sympy.Symbol("t", real=True)),
        ],
    ),
    ("x*y, y*z, z*x, exp(x - y + z)", [x * y, y * z, z * x, sympy.exp(x - y + z)]),
    (
        "[sin(u)*v, cbrt(w)*u, x^2 + y^2 + z^2]",
        [sympy.sin(u) * v, sympy.cbrt(w) * u, x**2 + y**2 + z**2],
    ),
]

TOLERANCE = {"float64": 1e-10, "float32": 1e-4}


def _variables(exprs):
    symbols = set().union(*(e.free_symbols for e in exprs))
    return sorted(symbols, key=lambda s: s.name)


def _random_points(symbols, count, seed):
    rng = random.Random(seed)
    # (0.3, 1.7) keeps every expression above inside its real domain.
    return [{s.name: round(rng.uniform(0.3, 1.7), 6) for s in symbols} for _ in range(count)]


def _assert_close(got, want, rtol):
    if isinstance(want, list):
        assert len(got) == len(want)
        for g, w_ in zip(got, want, strict=True):
            _assert_close(g, w_, rtol)
        return
    assert abs(got - want) <= rtol * max(1.0, abs(want)), (got, want)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind", ["grad", "hessian"])
@pytest.mark.parametrize(("text", "expr"), EXPRESSIONS, ids=[t for t, _ in EXPRESSIONS])
def test_scalar_derivatives_match_exact_values(kind, text, expr, dtype):
    symbols = _variables([expr])
    points = _random_points(symbols, 3, seed=zlib.crc32(f"{kind} {text}".encode()))
    result = derivcli.compute(kind, text, at=points, dtype=dtype)
    assert result.variables == [s.name for s in symbols]
    for point, got in zip(points, result.results, strict=True):
        _assert_close(got.numeric, sympy_truth(kind, [expr], symbols, point), TOLERANCE[dtype])
        if dtype == "float64":
            assert got.agree, got.warnings


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("text", "exprs"), VECTORS, ids=[t for t, _ in VECTORS])
def test_jacobians_match_exact_values(text, exprs, dtype):
    symbols = _variables(exprs)
    points = _random_points(symbols, 3, seed=len(text))
    result = derivcli.jacobian(text, at=points, dtype=dtype)
    for point, got in zip(points, result.results, strict=True):
        _assert_close(got.numeric, sympy_truth("jacobian", exprs, symbols, point), TOLERANCE[dtype])


def test_exact_values_are_exact():
    result = derivcli.hessian("sin(x)*y", at="x=pi/6,y=2")
    assert result.results[0].exact == [["-1", "sqrt(3)/2"], ["sqrt(3)/2", "0"]]
    result = derivcli.grad("x^3", at={"x": 0.1})
    assert result.results[0].exact == ["3/100"]


def test_symbolic_entries_parse_back():
    from derivcli.expr.parse import parse_expression

    result = derivcli.hessian("x^2*y + exp(x*y) + atan2(y, x) + cbrt(x)*sign(y)")
    for row in result.symbolic:
        for entry in row:
            assert symbolic_equal(parse_expression(entry), entry)


def symbolic_equal(parsed, text):
    return derivcli_text(parsed) == text


def derivcli_text(expr):
    from derivcli.symbolic import to_text

    return to_text(expr)


def test_hessian_is_symmetric_and_second_order():
    # The recipe that calls backward() and then grad() returns the first derivative.
    result = derivcli.hessian("x^3*y^2", at={"x": 2, "y": 3})
    numeric = result.results[0].numeric
    assert numeric == [[6 * 2 * 9, 6 * 4 * 3], [6 * 4 * 3, 2 * 8]]
