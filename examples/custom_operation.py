"""A new operation in a few lines: the sum of the gradient's entries, Σ ∂f/∂xᵢ.

An operation names its entries, each a sum of partial derivatives; derivcli builds
the symbolic result, checks each entry exactly (kinks included), and takes torch's
numbers from the operation's own torch.autograd computation. Registered, it works in
compute, evaluate and write, in every format, with both engines.
"""

import numpy as np

import derivcli
from derivcli import ops


class GradientSum(ops.Op):
    name = "gradsum"
    title = "sum of the gradient"
    summary = "The sum of the gradient's entries."

    def entries(self, components, variables):
        # One entry (a scalar): the sum of the first partials by each variable.
        return ops.Entry("sum d/d·", tuple(ops.Partial(0, (i,)) for i in range(len(variables))))

    def autograd(self, outputs, inputs):
        # torch's number, independently of the symbolic side: the gradient at each
        # point by torch.autograd ([points, n]), summed.
        from derivcli.numeric import autodiff

        return autodiff.gradient(outputs[0], inputs).sum(dim=-1)


ops.register(GradientSum())

result = derivcli.compute("gradsum", "sin(x)*y + x^2", at={"x": 0, "y": 2})
print("symbolic:", result.symbolic)
print("exact:", result.results[0].exact, "torch:", result.results[0].numeric)
print("verdict:", result.results[0].verdicts)

# At a kink the check still holds: |x| + y has no derivative by x at 0.
kink = derivcli.compute("gradsum", "abs(x) + y", at={"x": 0, "y": 1}).results[0]
print("at the kink:", kink.verdicts)

# Many points, with the symbolic engine, as an array.
values = derivcli.evaluate("gradsum", "x*y", {"x": np.arange(3.0), "y": np.ones(3)})
print("x*y at (0..2, 1):", values.tolist())
