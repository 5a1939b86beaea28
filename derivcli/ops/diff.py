"""One partial derivative of any order: --wrt names the variables to differentiate by,
in order, repeated for higher order (x,x,y is d3/dx2dy); a scalar."""

from __future__ import annotations

from derivcli.errors import InputError
from derivcli.ops.base import Entry, Op, Partial

MAX_ORDER = 16  # each order differentiates the one below: beyond this, say what to do


class Diff(Op):
    name = "diff"
    title = "partial derivative"
    summary = (
        "One partial derivative of any order: --wrt names the variables in order, "
        "repeated for higher order (a scalar)."
    )
    examples = (
        'derivcli diff "x^3*y^2" --wrt x,x,y --at x=1,y=2',
        'derivcli diff "sin(x)" --wrt x,x,x,x --at x=pi/3 --format json',
        'derivcli diff "exp(x*y)" --wrt x,y --grid x=0:1:3,y=0:1:3 --format csv',
        'derivcli diff "log(x)" --at x=2                         (one variable: d/dx)',
    )

    def __init__(self, order: tuple[str, ...] = ()):
        self.order = order  # the variables' names, in the order of differentiation

    def config(self) -> tuple:
        return self.order

    def configure(self, wrt, **settings):
        self.refuse_others(settings)
        if wrt is None:
            return self, None  # one variable: its first derivative (entries says)
        names = _names(wrt)
        if len(names) > MAX_ORDER:
            raise InputError.about(
                "wrt",
                "{opt} asks for a derivative of order {n}; diff goes up to order {most}",
                n=len(names),
                most=MAX_ORDER,
            )
        return Diff(tuple(names)), list(dict.fromkeys(names))

    def entries(self, components, variables):
        order = self.order or _only(variables)
        return Entry(_label(order), (Partial(0, _indices(order)),))

    def shape(self, components, variables):
        return ()

    def autograd(self, outputs, inputs):
        from derivcli.numeric import autodiff

        indices = _indices(self.order) if self.order else (0,)  # one variable: d/dx
        value = outputs[0]
        for k, index in enumerate(indices):
            last = k == len(indices) - 1
            value = autodiff.grad(value, [inputs[index]], create_graph=not last)[0]
        return value

    def passes(self, components, variables):
        return 2 * max(len(self.order), 1)


def _names(wrt) -> list[str]:
    """wrt's names, repeats allowed (an InputError naming what is wrong)."""
    from derivcli.api import _names as names_of

    names = names_of(wrt, repeats=True)
    if not names:
        raise InputError.about(
            "wrt", "{opt} is empty: name the variables to differentiate by, in order"
        )
    return names


def _indices(order) -> tuple[int, ...]:
    """Each name's index among the distinct names, in first appearance (the variables
    configure gives): x, x, y is 0, 0, 1."""
    distinct = list(dict.fromkeys(order))
    return tuple(distinct.index(name) for name in order)


def _only(variables) -> tuple[str]:
    if len(variables) == 1:
        return (variables[0],)
    raise InputError.about(
        "wrt",
        "diff needs {opt} with more than one variable: the variables to differentiate by, "
        "in order, repeated for higher order (e.g. {opt_value} for d3/d{first}2d{second})",
        value=f"{variables[0]},{variables[0]},{variables[1]}" if variables else "x,x,y",
        first=variables[0] if variables else "x",
        second=variables[1] if len(variables) > 1 else "y",
    )


def _label(order) -> str:
    """d3/dx2dy for x, x, y: each run of one variable as a power."""
    runs: list[list] = []
    for name in order:
        if runs and runs[-1][0] == name:
            runs[-1][1] += 1
        else:
            runs.append([name, 1])
    n = len(order)
    below = "".join(f"d{name}{count if count > 1 else ''}" for name, count in runs)
    return f"d{n if n > 1 else ''}/{below}"
