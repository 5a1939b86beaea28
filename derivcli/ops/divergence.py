"""The divergence of a vector field: as many components as variables, the sum of each
component's partial derivative by its own variable, a scalar."""

from __future__ import annotations

from derivcli.errors import InputError
from derivcli.ops.base import Entry, Op, Partial, sum_label


class Divergence(Op):
    name = "divergence"
    title = "divergence"
    summary = "Divergence of a vector field, as many components as variables (a scalar)."
    examples = (
        'derivcli divergence "x*y, y*z, z*x" --at x=1,y=2,z=3',
        'derivcli divergence "[-y, x]" --at x=1,y=2 --format json',
        'derivcli divergence "u^2, v^2" --wrt u,v --grid u=0:1:11,v=0:1:11 --format csv',
    )
    many_expressions = True
    coordinates = True

    def entries(self, components, variables):
        self.shape(components, len(variables))
        label = sum_label([f"dF{i + 1}/d{v}" for i, v in enumerate(variables)])
        return Entry(label, tuple(Partial(i, (i,)) for i in range(len(variables))))

    def shape(self, components, variables):
        if components != variables:
            raise InputError(
                f"divergence takes as many components as variables: {_count(components)}, "
                f"{variables} variable{'s' * (variables != 1)}; name the variables with "
                "--wrt (e.g. --wrt x,y,z)",
                "wrt",
            )
        return ()

    def autograd(self, outputs, inputs):
        from derivcli.numeric import autodiff

        return sum(autodiff.partial(output, x) for output, x in zip(outputs, inputs, strict=True))

    def passes(self, components, variables):
        return 2 * components


def _count(components: int) -> str:
    return f"{components} component{'s' * (components != 1)}"
