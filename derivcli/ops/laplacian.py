"""The Laplacian of one expression: the sum of its second partial derivatives by each
variable twice, a scalar."""

from __future__ import annotations

from derivcli.ops.base import Entry, Op, Partial, sum_label


class Laplacian(Op):
    name = "laplacian"
    title = "Laplacian"
    summary = "Laplacian of one expression: the sum of d2/dx2 over its variables."
    examples = (
        'derivcli laplacian "x^2*y + sin(y)" --at x=1,y=0',
        'derivcli laplacian "1/sqrt(x^2+y^2+z^2)" --at x=1,y=2,z=2 --format json',
        'derivcli laplacian "exp(-(x^2+y^2))" --grid x=-2:2:41,y=-2:2:41 --format csv',
    )

    def entries(self, components, variables):
        label = sum_label([f"d2/d{v}2" for v in variables])
        return Entry(label, tuple(Partial(0, (i, i)) for i in range(len(variables))))

    def shape(self, components, variables):
        return ()

    def autograd(self, outputs, inputs):
        from derivcli.numeric import autodiff

        return autodiff.laplacian(outputs[0], inputs)

    def passes(self, components, variables):
        return 2 + 2 * variables  # a gradient, then a backward pass per variable
