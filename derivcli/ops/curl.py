"""The curl of a vector field: three components of three variables give a vector of
three entries; two of two, the scalar dF2/dx - dF1/dy."""

from __future__ import annotations

from derivcli.errors import InputError
from derivcli.ops.base import Entry, Op, Partial

# (entry's component, the variable it is by) minus (component, variable), per entry
_CURL_3 = (((2, 1), (1, 2)), ((0, 2), (2, 0)), ((1, 0), (0, 1)))
_CURL_2 = ((1, 0), (0, 1))


class Curl(Op):
    name = "curl"
    title = "curl"
    summary = "Curl of a vector field: 3 components of 3 variables, or 2 of 2 (a scalar)."
    examples = (
        'derivcli curl "[-y, x, 0]" --wrt x,y,z --at x=1,y=2,z=0',
        'derivcli curl "y*z, x*z, x*y" --at x=1,y=2,z=3 --format json',
        'derivcli curl "[-y/(x^2+y^2), x/(x^2+y^2)]" --at x=1,y=1',
    )
    many_expressions = True
    coordinates = True

    def entries(self, components, variables):
        names = list(variables)
        if self.shape(components, len(names)) == ():
            return _difference(names, *_CURL_2)
        return [_difference(names, *pair) for pair in _CURL_3]

    def shape(self, components, variables):
        if (components, variables) == (3, 3):
            return (3,)
        if (components, variables) == (2, 2):
            return ()
        raise InputError(
            "curl takes three components of three variables, or two of two: here "
            f"{components} component{'s' * (components != 1)} of {variables} "
            f"variable{'s' * (variables != 1)}; name the variables with --wrt (e.g. --wrt x,y,z)",
            "wrt",
        )

    def autograd(self, outputs, inputs):
        import torch

        from derivcli.numeric import autodiff

        def difference(plus, minus):
            return autodiff.partial(outputs[plus[0]], inputs[plus[1]]) - autodiff.partial(
                outputs[minus[0]], inputs[minus[1]]
            )

        if len(outputs) == 2:
            return difference(*_CURL_2)
        return torch.stack([difference(*pair) for pair in _CURL_3], dim=-1)

    def passes(self, components, variables):
        return 4 * components


def _difference(names: list[str], plus: tuple[int, int], minus: tuple[int, int]) -> Entry:
    label = f"dF{plus[0] + 1}/d{names[plus[1]]} - dF{minus[0] + 1}/d{names[minus[1]]}"
    return Entry(label, (Partial(plus[0], (plus[1],)), Partial(minus[0], (minus[1],), -1)))
