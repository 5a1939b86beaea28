"""Devices other than cpu: exercised where present, skipped (with the reason) where not."""

from __future__ import annotations

import pytest
import sympy
from helpers import cuda_available

import derivcli

torch = pytest.importorskip("torch")

needs_cuda = pytest.mark.skipif(
    not cuda_available(), reason="CUDA is not available on this machine"
)


@needs_cuda
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cuda_matches_exact_values(dtype):
    result = derivcli.hessian(
        "sin(x)*y + exp(x*y) + gamma(x + 2)", at="x=0.3,y=1.2", device="cuda", dtype=dtype
    )
    assert result.device == "cuda"
    x, y = sympy.symbols("x y", real=True)
    f = sympy.sin(x) * y + sympy.exp(x * y) + sympy.gamma(x + 2)
    values = {x: sympy.Rational(3, 10), y: sympy.Rational(6, 5)}
    want = [[float(sympy.diff(f, a, b).subs(values).evalf(30)) for b in (x, y)] for a in (x, y)]
    tolerance = 1e-10 if dtype == "float64" else 1e-4
    for got_row, want_row in zip(result.results[0].numeric, want, strict=True):
        for got, expected in zip(got_row, want_row, strict=True):
            assert abs(got - expected) <= tolerance * max(1, abs(expected))


@needs_cuda
def test_cuda_index_out_of_range_is_an_input_error():
    from derivcli.errors import InputError

    with pytest.raises(InputError, match="CUDA device"):
        derivcli.grad("x", at={"x": 1}, device=f"cuda:{torch.cuda.device_count()}")


def _exact_hessians(points):
    """sympy's Hessian of sin(x)*exp(y) + x^3*y at each point, evaluated with 30 digits."""
    x, y = sympy.symbols("x y", real=True)
    f = sympy.sin(x) * sympy.exp(y) + x**3 * y
    entries = [[sympy.diff(f, a, b) for b in (x, y)] for a in (x, y)]
    return [
        [[float(e.evalf(30, subs={x: px, y: py})) for e in row] for row in entries]
        for px, py in points
    ]


@needs_cuda
@pytest.mark.parametrize("engine", ["symbolic", "autograd"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cuda_batch_matches_exact_values(engine, dtype):
    import numpy as np

    rng = np.random.default_rng(5)
    points = rng.uniform(-2, 2, size=(1000, 2))
    got = derivcli.evaluate(
        "hessian",
        "sin(x)*exp(y) + x^3*y",
        points,
        device="cuda",
        dtype=dtype,
        engine=engine,
        chunk_size=333,
    )
    assert got.shape == (1000, 2, 2)
    sample = list(range(0, 1000, 97))
    want = np.array(_exact_hessians(points[sample]))
    tolerance = 1e-10 if dtype == "float64" else 1e-4
    np.testing.assert_allclose(got[sample], want, rtol=tolerance, atol=tolerance)


@needs_cuda
def test_cuda_stream_equals_cpu_stream(tmp_path, cli):
    import numpy as np

    outputs = {}
    for device in ("cpu", "cuda"):
        target = tmp_path / f"{device}.npy"
        result = cli(
            "hessian", "sin(x)*exp(y) + x^3*y", "--grid", "x=-2:2:301,y=-1:1:201",
            "--format", "npy", "--output", str(target), "--device", device,
            "--chunk-size", "10007",
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        outputs[device] = np.load(target)
    assert outputs["cuda"].shape == (301 * 201, 2, 2)
    np.testing.assert_allclose(outputs["cuda"], outputs["cpu"], rtol=1e-12, atol=1e-12)
