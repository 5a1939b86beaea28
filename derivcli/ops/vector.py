"""Operations along a vector given with --vector: the directional derivative, the
Jacobian-vector and vector-Jacobian products and the Hessian-vector product.

The vector's entries are exact, as point values are (1/3, sqrt(2)), and are the
entries' coefficients, so each entry is checked against its exact value as any other.
torch's numbers never form the Jacobian or the Hessian: a backward pass or two over
the whole batch (numeric/autodiff.py), memory O(n) per point.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from derivcli.errors import InputError
from derivcli.ops.base import Entry, Op, Partial, SecondPartialsAlong


class _AlongVector(Op):
    """An operation configured with a vector: its exact entries and their floats."""

    vector_of = "variables"  # what the vector has an entry for: "variables" or "components"
    options = ("vector",)

    def __init__(self, vector: tuple = ()):
        self.vector = vector  # exact sympy numbers

    def config(self) -> tuple:
        return self.vector

    def configure(self, wrt, vector=None, **settings):
        self.refuse_others(settings)
        if vector is None:
            raise InputError.about(
                "vector",
                f"{self.name} needs {{opt}}: one exact value per {self.vector_of[:-1]}, "
                "e.g. {opt_value}",
                value="1,2",
            )
        return type(self)(parse_vector(vector)), wrt

    @property
    def floats(self) -> list[float]:
        return [float(value) for value in self.vector]

    @property
    def coefficients(self) -> list[tuple[int, object]]:
        """(index, coefficient) of each non-zero entry: an int or Fraction where the
        entry is rational (a 1000-variable HVP makes 857,000 terms: with sympy numbers
        they took 7 s, measured), else the sympy number."""
        found = []
        for index, value in enumerate(self.vector):
            if value.is_Rational:
                if value != 0:
                    number = Fraction(int(value.p), int(value.q))
                    found.append((index, int(number) if number.denominator == 1 else number))
            else:
                found.append((index, value))
        return found

    def _checked(self, count: int, names=None) -> None:
        if not self.vector:
            raise InputError.about("vector", f"{self.name} needs {{opt}}", value="1,2")
        if len(self.vector) != count:
            listed = f" ({', '.join(names)})" if names else ""
            raise InputError.about(
                "vector",
                "{opt} has {k} entr{ies} and there {are} {n} {what}{listed}: give one per "
                "{one}, in order",
                k=len(self.vector),
                ies="y" if len(self.vector) == 1 else "ies",
                are="is" if count == 1 else "are",
                n=count,
                what=self.vector_of if count != 1 else self.vector_of[:-1],
                listed=listed,
                one=self.vector_of[:-1],
            )
        if all(value == 0 for value in self.vector):
            raise InputError.about(
                "vector", "{opt} is the zero vector: give one with a non-zero entry"
            )


class Directional(_AlongVector):
    name = "directional"
    title = "directional derivative"
    summary = (
        "Directional derivative of one expression along --vector, made a unit vector: "
        "grad f . v/|v| (a scalar)."
    )
    examples = (
        'derivcli directional "x^2*y" --vector 1,2 --at x=1,y=1',
        'derivcli directional "exp(x)*sin(y)" --vector 1,-1 --at x=0,y=pi/4 --format json',
    )

    def entries(self, components, variables):
        import sympy

        self._checked(len(variables), variables)
        norm = sympy.sqrt(sum((value**2 for value in self.vector), sympy.Integer(0)))
        terms = tuple(
            Partial(0, (j,), value / norm) for j, value in enumerate(self.vector) if value != 0
        )
        return Entry("D_v f", terms)

    def shape(self, components, variables):
        self._checked(variables)
        return ()

    def autograd(self, outputs, inputs):
        from derivcli.numeric import autodiff

        floats = self.floats
        norm = sum(value * value for value in floats) ** 0.5
        rows = autodiff.grad(outputs[0], inputs)
        return sum(row * (value / norm) for row, value in zip(rows, floats, strict=True))


class JVP(_AlongVector):
    name = "jvp"
    title = "Jacobian-vector product"
    summary = "Jacobian-vector product J.v of one or more expressions (one entry each)."
    examples = (
        'derivcli jvp "x*y, x+y^2" --vector 1,0 --at x=2,y=3',
        'derivcli jvp "r*cos(t), r*sin(t)" --wrt r,t --vector 0,1 --at r=2,t=pi/2 -f json',
    )
    many_expressions = True

    def entries(self, components, variables):
        self._checked(len(variables), variables)
        along = self.coefficients
        return [
            Entry(f"(J v)[{k + 1}]", tuple(Partial(k, (j,), v) for j, v in along))
            for k in range(components)
        ]

    def shape(self, components, variables):
        self._checked(variables)
        return (components,)

    def autograd(self, outputs, inputs):
        import torch

        from derivcli.numeric import autodiff

        return torch.stack(autodiff.jvp(outputs, inputs, self.floats), dim=-1)

    def passes(self, components, variables):
        return 4


class VJP(_AlongVector):
    name = "vjp"
    title = "vector-Jacobian product"
    summary = "Vector-Jacobian product u.J of one or more expressions (one entry per variable)."
    examples = (
        'derivcli vjp "x*y, x+y^2" --vector 1,1 --at x=2,y=3',
        'derivcli vjp "[sin(x)*y, x*y^2]" --vector 1/2,-1 --at x=0,y=2 --format json',
    )
    many_expressions = True
    vector_of = "components"

    def entries(self, components, variables):
        self._checked(components)
        along = self.coefficients
        return [
            Entry(f"(u J)[{name}]", tuple(Partial(k, (j,), u) for k, u in along))
            for j, name in enumerate(variables)
        ]

    def shape(self, components, variables):
        self._checked(components)
        return (variables,)

    def autograd(self, outputs, inputs):
        import torch

        from derivcli.numeric import autodiff

        return torch.stack(autodiff.vjp(outputs, inputs, self.floats), dim=-1)

    def passes(self, components, variables):
        return 2


class HVP(_AlongVector):
    name = "hvp"
    title = "Hessian-vector product"
    summary = "Hessian-vector product H.v of one expression, without forming the Hessian."
    examples = (
        'derivcli hvp "x^2*y + y^3" --vector 1,0 --at x=1,y=2',
        'derivcli hvp "sin(x)*y" --vector 1,1 --at x=0,y=1 --format json',
    )

    def entries(self, components, variables):
        self._checked(len(variables), variables)
        along = self.coefficients
        return [
            Entry(f"(H v)[{name}]", SecondPartialsAlong(0, i, along))
            for i, name in enumerate(variables)
        ]

    def shape(self, components, variables):
        self._checked(variables)
        return (variables,)

    def autograd(self, outputs, inputs):
        import torch

        from derivcli.numeric import autodiff

        return torch.stack(autodiff.hvp(outputs[0], inputs, self.floats), dim=-1)

    def passes(self, components, variables):
        return 4


def parse_vector(vector) -> tuple:
    """--vector's text ("1,2", "1/3,sqrt(2)") or a sequence of numbers or texts, as exact
    sympy numbers (an InputError naming the entry that is not one)."""
    from derivcli import api
    from derivcli.expr.parse import parse_value, split_top_level

    if isinstance(vector, str):
        parts = split_top_level(vector)
        texts = [text for _, text in parts]
        if not vector.strip() or any(not text.strip() for text in texts):
            raise InputError.about(
                "vector", "{opt} needs numbers separated by commas, e.g. {opt_value}", value="1,2"
            )
        return tuple(
            _integer(text) or parse_value(text, context=vector, offset=offset)
            for offset, text in parts
        )
    if isinstance(vector, Mapping | bytes) or not hasattr(vector, "__iter__"):
        raise InputError.about(
            "vector",
            "{opt} takes numbers, as '1,2' or [1, 2], not {kind}",
            kind=type(vector).__name__,
        )
    values = list(vector)
    if not values:
        raise InputError.about("vector", "{opt} is empty: give one number per entry")
    return tuple(
        api.exact_value(f"entry {i + 1}", value, "vector") for i, value in enumerate(values)
    )


def _integer(text: str):
    """A plain integer entry, without the parser (a 1000-entry --vector: 0.3 s against
    0.005, measured); None for anything else (0 too: the parser gives it)."""
    import re

    if re.fullmatch(r"\s*[+-]?\d{1,30}\s*", text) is None:
        return None
    import sympy

    return sympy.Integer(int(text)) or None
