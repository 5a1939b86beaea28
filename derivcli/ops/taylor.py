"""The multivariate Taylor polynomial to a total order: its coefficients
d^a f / a! at the point, one entry per term (x-p)^a of total degree at most the order.

Each coefficient is a partial derivative (the expression itself for the constant
term) times the exact 1/a!, so it gets an exact value and a verdict as any other
entry; the polynomial itself (derivcli.ops.taylor_polynomial) is stated only where
every one of its coefficients exists.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

from derivcli.errors import InputError
from derivcli.ops.base import Entry, Op, Partial

DEFAULT_ORDER = 2
MAX_ORDER = 16  # as diff's: each order differentiates the one below
MAX_TERMS = 1_000_000  # as many entries as a 1000-variable Hessian


class Taylor(Op):
    name = "taylor"
    title = "Taylor coefficients"
    summary = (
        "The Taylor polynomial of one expression at the point, to total order --order "
        "(default 2): the coefficient d^a f/a! of each term (x-x0)^a, exact and from torch, "
        "and the polynomial where every coefficient exists."
    )
    examples = (
        'derivcli taylor "exp(x)*sin(y)" --at x=0,y=0 --order 3',
        'derivcli taylor "log(x)" --at x=1 --order 4 --format json',
        'derivcli taylor "sqrt(1+x+y)" --at x=0,y=0             (order 2)',
        'derivcli taylor "abs(x)*y" --at x=0,y=1                 (a kink: no polynomial)',
    )
    options = ("order",)

    def __init__(self, order: int | None = None):
        self.order = order  # None as registered: DEFAULT_ORDER

    def config(self) -> tuple:
        return () if self.order is None else (self.order,)

    def configure(self, wrt, order=None, **settings):
        self.refuse_others(settings)
        return Taylor(DEFAULT_ORDER if order is None else _checked_order(order)), wrt

    @property
    def total(self) -> int:
        """The total order (the default for the operation as registered)."""
        return DEFAULT_ORDER if self.order is None else self.order

    def powers(self, variables: int) -> list[tuple[int, ...]]:
        """Each term's powers, one per variable: by total degree, then the first
        variable's power highest ((0,0), (1,0), (0,1), (2,0), (1,1), (0,2) for two)."""
        count = math.comb(variables + self.total, self.total)
        if count > MAX_TERMS:
            raise InputError.about(
                "order",
                "a Taylor polynomial of order {k} in {n} variables has {count:,} terms, more "
                "than {most:,}: lower {opt} or name fewer variables with --wrt",
                k=self.total,
                n=variables,
                count=count,
                most=MAX_TERMS,
            )
        found = []
        for degree in range(self.total + 1):
            for chosen in itertools.combinations_with_replacement(range(variables), degree):
                power = [0] * variables
                for index in chosen:
                    power[index] += 1
                found.append(tuple(power))
        return found

    def entries(self, components, variables):
        return [
            Entry(
                f"c[{monomial(power, variables)}]", (Partial(0, _sequence(power), _inverse(power)),)
            )
            for power in self.powers(len(variables))
        ]

    def shape(self, components, variables):
        return (math.comb(variables + self.total, self.total),)

    def autograd(self, outputs, inputs):
        import torch

        from derivcli.numeric import autodiff

        found = autodiff.partials_to_order(outputs[0], inputs, self.total)
        return torch.stack(
            [
                found[_sequence(power)] * float(_inverse(power))
                for power in self.powers(len(inputs))
            ],
            dim=-1,
        )

    def passes(self, components, variables):
        # a backward pass per partial derivative below the top order
        return 2 * math.comb(variables + self.total - 1, max(self.total - 1, 0)) + 1

    def point_fields(self, variables, point, checks, numbers) -> dict:
        """The polynomial (None where a coefficient does not exist, or its exact value is
        unknown) and the terms, for JSON's results[]."""
        from derivcli.ops.taylor_polynomial import fields

        return fields(self.powers(len(variables)), variables, point, checks, numbers)

    def notes(self, point) -> list[str]:
        """The polynomial, or why there is none."""
        from derivcli.ops.taylor_polynomial import reason

        polynomial = point.extra.get("polynomial")
        return [
            f"Taylor polynomial: {polynomial}" if polynomial is not None else reason(point.extra)
        ]


def monomial(power: tuple[int, ...], variables) -> str:
    """A term's powers as text: x^2*y for (2, 1); 1 for the constant term. Its entry's
    label is c[x^2*y], the coefficient (which a CSV column cannot mistake for x's)."""
    parts = [
        name if count == 1 else f"{name}^{count}"
        for name, count in zip(variables, power, strict=True)
        if count
    ]
    return "*".join(parts) or "1"


def _sequence(power: tuple[int, ...]) -> tuple[int, ...]:
    """The variables' indices to differentiate by, ascending: (0, 0, 1) for (2, 1)."""
    return tuple(index for index, count in enumerate(power) for _ in range(count))


def _inverse(power: tuple[int, ...]) -> int | Fraction:
    """1/a! for the powers a: the coefficient of the partial derivative."""
    factorial = math.prod(math.factorial(count) for count in power)
    return 1 if factorial == 1 else Fraction(1, factorial)


def _checked_order(order) -> int:
    if isinstance(order, str) and order.strip().isdigit():
        order = int(order)
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= MAX_ORDER:
        raise InputError.about(
            "order",
            "{opt} is the total order of the Taylor polynomial, a whole number from 0 to "
            "{most}, not {given}",
            most=MAX_ORDER,
            given=repr(order),
        )
    return order
