"""Reverse-mode derivatives of a batch of points, with torch.autograd alone.

Every input and output is a tensor of one value per point, and each point's outputs
depend on that point's inputs only (the lowered programs are element-wise). So the
gradient of one output summed over the points is, at each point, that point's
gradient: one backward pass gives a row of derivatives at every point at once, with
no vmap. A Hessian is a backward pass per row over the gradient's own graph
(reverse over reverse: every lowering has a double backward, not all have forward
mode).

Measured (bench/scale.py's functions, 2 cores): torch.func's vmap(jacrev(jacrev(f)))
took 32 s for a 39-variable Hessian at 10^4 points, this 0.54 s, with identical
numbers; at one point both take 0.02 to 0.06 s. And torch.func's transforms import
torch._dynamo on first use, 1.2 s of every command's start-up; torch.autograd does
not.
"""

from __future__ import annotations

import torch


def grad(output: torch.Tensor, inputs: list[torch.Tensor], *, create_graph: bool = False):
    """d output / d input at each point, for each input (zeros where output does not
    depend on it). create_graph: the result can be differentiated again."""
    if not output.requires_grad:
        return [torch.zeros_like(x) for x in inputs]
    return list(
        torch.autograd.grad(
            output,
            inputs,
            torch.ones_like(output),
            retain_graph=True,
            create_graph=create_graph,
            allow_unused=True,
            materialize_grads=True,
        )
    )


def partial(output: torch.Tensor, variable: torch.Tensor) -> torch.Tensor:
    """d output / d variable at each point: one backward pass."""
    return grad(output, [variable])[0]


def gradient(output: torch.Tensor, inputs: list[torch.Tensor]) -> torch.Tensor:
    """The gradient at each point: [points, n]."""
    return torch.stack(grad(output, inputs), dim=-1)


def jacobian(outputs: list[torch.Tensor], inputs: list[torch.Tensor]) -> torch.Tensor:
    """The Jacobian at each point, a backward pass per output: [points, m, n]."""
    return torch.stack([gradient(output, inputs) for output in outputs], dim=-2)


def hessian(output: torch.Tensor, inputs: list[torch.Tensor]) -> torch.Tensor:
    """The Hessian at each point, a backward pass per row: [points, n, n]."""
    first = grad(output, inputs, create_graph=True)
    return torch.stack([gradient(row, inputs) for row in first], dim=-2)


def laplacian(output: torch.Tensor, inputs: list[torch.Tensor]) -> torch.Tensor:
    """The sum of d2 output / d input2 over the inputs at each point: a backward pass
    per input over the gradient's graph, each to its own input only (memory O(n))."""
    first = grad(output, inputs, create_graph=True)
    total = torch.zeros_like(output)
    for row, x in zip(first, inputs, strict=True):
        total = total + partial(row, x)
    return total


def vjp(outputs: list[torch.Tensor], inputs: list[torch.Tensor], u: list[float]):
    """u . J at each point, one entry per input: a backward pass of sum(u_k output_k)."""
    weighted = sum(value * output for value, output in zip(u, outputs, strict=True))
    return grad(weighted, inputs)


def jvp(outputs: list[torch.Tensor], inputs: list[torch.Tensor], v: list[float]):
    """J . v at each point, one entry per output, in reverse mode alone: with w a
    placeholder per output, g(w) = w . J is linear in w, and d(g(w) . v)/dw = J . v.
    Two backward passes (every lowering has a double backward; not all have forward
    mode), memory O(n + m) per point."""
    placeholders = [torch.zeros_like(out, requires_grad=True) for out in outputs]
    weighted = sum(w * out for w, out in zip(placeholders, outputs, strict=True))
    rows = grad(weighted, inputs, create_graph=True)
    along = sum(value * row for value, row in zip(v, rows, strict=True))
    return grad(along, placeholders)


def hvp(output: torch.Tensor, inputs: list[torch.Tensor], v: list[float]):
    """H . v at each point, one entry per input, without the Hessian: the gradient of
    (gradient . v), reverse over reverse, memory O(n) per point."""
    first = grad(output, inputs, create_graph=True)
    along = sum(value * row for value, row in zip(v, first, strict=True))
    return grad(along, inputs)


def partials_to_order(output: torch.Tensor, inputs: list[torch.Tensor], order: int) -> dict:
    """Every partial derivative of total order at most order at each point, keyed by
    the inputs' indices in ascending order (() for output itself, (0, 0, 1) for
    d3/dx0^2 dx1): each of order m is one backward pass of one of order m - 1, to the
    inputs from its last index on, so no partial is made twice."""
    found = {(): output}
    below = [()]
    for m in range(1, order + 1):
        made = []
        for sequence in below:
            start = sequence[-1] if sequence else 0
            rows = grad(found[sequence], inputs[start:], create_graph=m < order)
            for offset, row in enumerate(rows):
                key = (*sequence, start + offset)
                found[key] = row
                made.append(key)
        below = made
    return found
