"""Wide results from the symbolic engine: columns of constants and runs of computed
columns, written in blocks (derivcli.numeric.engines), against closed forms."""

from __future__ import annotations

import numpy as np
import pytest

import derivcli

N = 20


def _hessians(expression: str, points: np.ndarray, tmp_path, symbolic: str) -> np.ndarray:
    source, output = tmp_path / "points.npy", tmp_path / "hessians.npy"
    np.save(source, points)
    derivcli.write(
        "hessian",
        expression,
        points=str(source),
        wrt=[f"x{i}" for i in range(N)],
        format="npy",
        output=str(output),
        engine="symbolic",
        symbolic=symbolic,
    )
    return np.load(output)


@pytest.mark.parametrize("symbolic", ["sympy", "symengine"])
def test_a_sparse_hessian_has_its_constants_and_its_varying_entries(tmp_path, symbolic):
    expression = " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(N - 1))
    x = np.random.default_rng(1).uniform(-2, 2, (5000, N))
    truth = np.zeros((len(x), N, N))
    for i in range(N - 1):  # the Rosenbrock function's Hessian, in closed form
        truth[:, i, i] += 1200 * x[:, i] ** 2 - 400 * x[:, i + 1] + 2
        truth[:, i + 1, i + 1] += 200
        truth[:, i, i + 1] = truth[:, i + 1, i] = -400 * x[:, i]
    got = _hessians(expression, x, tmp_path, symbolic)
    # cancellation in 1200 x_i^2 - 400 x_(i+1) + 202 near 0: float64's rounding, relative
    np.testing.assert_allclose(got, truth, rtol=1e-12, atol=1e-12 * np.abs(truth).max())


@pytest.mark.parametrize("symbolic", ["sympy", "symengine"])
def test_a_dense_hessian_has_every_entry_in_its_place(tmp_path, symbolic):
    a = np.arange(1, N + 1) / 10  # distinct weights: a misplaced column cannot hide
    expression = "exp(" + " + ".join(f"{w:g}*x{i}" for i, w in enumerate(a)) + ")"
    x = np.random.default_rng(2).uniform(-0.2, 0.2, (5000, N))
    f = np.exp(x @ a)
    truth = f[:, None, None] * np.outer(a, a)[None]
    np.testing.assert_allclose(_hessians(expression, x, tmp_path, symbolic), truth, rtol=1e-12)


def test_a_long_programs_autograd_tiles_are_smaller_and_their_seams_exact():
    from derivcli.numeric import engines

    # 600 terms, each its own steps: tiles below the 8,192 points of a short program
    expression = " + ".join(f"sin({k}*x)*y" for k in range(1, 601))
    from derivcli import api

    exprs, wrt, parameters = api.prepare("grad", expression, None, "auto")
    engine = engines.AutogradEngine("grad", exprs, wrt, parameters)
    assert 256 <= engine.tile < engines.AUTOGRAD_TILE
    x = np.linspace(-1, 1, engine.tile * 2 + 7)  # three tiles, the last a short one
    got = derivcli.evaluate("grad", expression, {"x": x, "y": 2.0}, engine="autograd")
    k = np.arange(1, 601)
    want_x = 2.0 * (k * np.cos(np.outer(x, k))).sum(axis=1)  # d/dx of sum sin(kx)*y
    want_y = np.sin(np.outer(x, k)).sum(axis=1)
    np.testing.assert_allclose(got[:, 0], want_x, rtol=1e-11, atol=1e-9)
    np.testing.assert_allclose(got[:, 1], want_y, rtol=1e-11, atol=1e-11)
