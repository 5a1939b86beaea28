"""The Hessian of one expression: [n][n] second partial derivatives."""

from __future__ import annotations

from derivcli.ops.base import Op, partial


class Hessian(Op):
    name = "hessian"
    title = "Hessian"
    summary = "Hessian (matrix of second derivatives) of one expression."
    examples = (
        'derivcli hessian "sin(x)*y" --at x=0,y=1',
        'derivcli hessian "sin(x)" --at x=0 --format plain',
        'derivcli hessian "x^2*y^3" --at x=1,y=2 --at x=0,y=0 --format json',
        'derivcli hessian "sin(x)*y" --grid x=0:1:101,y=-1:1:51 --format csv',
        'derivcli hessian "exp(-x^2-y^2)" --points samples.csv -f npy -o hessians.npy',
    )
    layout = "matrix"

    def entries(self, components, variables):
        return [
            [
                partial(f"d2/d{a}2" if i == j else f"d2/d{a}d{b}", 0, i, j)
                for j, b in enumerate(variables)
            ]
            for i, a in enumerate(variables)
        ]

    def shape(self, components, variables):
        return (variables, variables)  # without making the n^2 entries

    def autograd(self, outputs, inputs):
        from derivcli.numeric import autodiff

        return autodiff.hessian(outputs[0], inputs)

    def passes(self, components, variables):
        return 4 * variables  # a gradient, then a reverse pass per row

    def matrix_labels(self, expressions, variables):
        return "d2/d·d·", list(variables)
