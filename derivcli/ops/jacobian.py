"""The Jacobian of m expressions: [m][n] first partial derivatives."""

from __future__ import annotations

from derivcli.ops.base import Op, partial


class Jacobian(Op):
    name = "jacobian"
    title = "Jacobian"
    summary = "Jacobian of one or more expressions, separated by commas or in brackets."
    examples = (
        'derivcli jacobian "r*cos(t), r*sin(t)" --wrt r,t --at r=2,t=pi/2',
        'derivcli jacobian "[x*y, x+y, exp(x)]" --at x=0,y=1 --format json',
    )
    many_expressions = True
    layout = "matrix"

    def entries(self, components, variables):
        return [
            [partial(f"df{k + 1}/d{v}", k, i) for i, v in enumerate(variables)]
            for k in range(components)
        ]

    def shape(self, components, variables):
        return (components, variables)

    def autograd(self, outputs, inputs):
        from derivcli.numeric import autodiff

        return autodiff.jacobian(outputs, inputs)

    def matrix_labels(self, expressions, variables):
        return "d/d·", [f"f{k + 1} = {expr}" for k, expr in enumerate(expressions)]
