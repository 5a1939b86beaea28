"""Devices other than cpu: exercised where present, skipped (with the reason) where not."""

from __future__ import annotations

import pytest
import sympy

import derivcli

torch = pytest.importorskip("torch")

needs_cuda = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="CUDA is not available on this machine"
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
