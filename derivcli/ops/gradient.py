"""The gradient of one expression: [n] first partial derivatives."""

from __future__ import annotations

from derivcli.ops.base import Op, partial


class Gradient(Op):
    name = "grad"
    title = "gradient"
    summary = "Gradient of one expression."
    examples = (
        'derivcli grad "x^2*y + exp(x*y)" --at x=1,y=0',
        'derivcli grad "x^2*y" --wrt y --at x=3,y=1 --format plain',
        'derivcli grad "sin(x)*cos(y)"            (symbolic only)',
        'derivcli grad "x^2*y" --points samples.csv --format jsonl',
    )

    def entries(self, components, variables):
        return [partial(f"d/d{v}", 0, i) for i, v in enumerate(variables)]

    def shape(self, components, variables):
        return (variables,)

    def autograd(self, outputs, inputs):
        from derivcli.numeric import autodiff

        return autodiff.gradient(outputs[0], inputs)
