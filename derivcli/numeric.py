"""Derivatives with torch.func: vectorized over points, on the requested device and dtype."""

from __future__ import annotations

import sympy
import torch

from derivcli.errors import InputError
from derivcli.lower import lower

DTYPES = {"float64": torch.float64, "float32": torch.float32}


def resolve_device(name: str) -> torch.device:
    """The torch device for name; an InputError when this machine lacks it."""
    device = torch.device(name)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise InputError("--device cuda: CUDA is not available on this machine; use cpu")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise InputError(
                f"--device {name}: this machine has {torch.cuda.device_count()} CUDA device(s)"
            )
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise InputError("--device mps: MPS is not available on this machine; use cpu")
    return device


def derivatives(
    kind: str,
    exprs: list[sympy.Expr],
    wrt: list[sympy.Symbol],
    parameters: list[sympy.Symbol],
    points: list[list[float]],
    *,
    device: str = "cpu",
    dtype: str = "float64",
) -> list:
    """torch's gradient, Jacobian or Hessian at each point, as nested lists of floats.

    Each point lists the values of wrt then of parameters, in order.
    """
    torch_device = resolve_device(device)
    torch_dtype = DTYPES[dtype]
    program = lower(exprs, [*wrt, *parameters], dtype=torch_dtype, device=torch_device)
    n = len(wrt)

    def function(variables: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        inputs = [variables[i] for i in range(n)] + [params[j] for j in range(len(parameters))]
        outputs = [_depend_on(out, variables) for out in program(inputs)]
        return torch.stack(outputs) if kind == "jacobian" else outputs[0]

    transform = {
        "grad": torch.func.grad,
        "jacobian": torch.func.jacrev,
        "hessian": _hessian,
    }[kind](function)
    values = torch.tensor(points, dtype=torch_dtype, device=torch_device).reshape(len(points), -1)
    result = torch.func.vmap(transform)(values[:, :n], values[:, n:])
    return result.detach().to("cpu", torch.float64).tolist()


def _hessian(function):
    # Reverse over reverse: every lowering has a double backward, not all have forward AD.
    return torch.func.jacrev(torch.func.jacrev(function))


def _depend_on(output: torch.Tensor, variables: torch.Tensor) -> torch.Tensor:
    # A constant output must still be a function of the inputs for vmap and grad.
    return output + 0 * variables.sum()
