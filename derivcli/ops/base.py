"""What an operation is: the quantity a command computes, described once.

An operation names its entries, each a sum of partial derivatives of the input
expressions (a gradient's entry is one first partial, a Laplacian's would be a sum of
second partials). From that description alone derivcli builds the symbolic result
(partials shared between entries are differentiated once), the result's shape and
labels, and the exact check of each entry, kinks included. The numbers torch gives
come from the operation's own torch.autograd computation (derivcli.numeric.autodiff),
which never sees the symbolic derivative: that independence is what the check is worth.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple

from derivcli.nested import map_nested, nested_shape

if TYPE_CHECKING:
    import torch


# Partial and Entry are immutable named tuples, not frozen dataclasses: a 1000-variable
# Hessian makes a million of each, and a frozen dataclass's __init__ took 0.8 us against
# 0.45 (measured).
class _PartialFields(NamedTuple):
    component: int
    variables: tuple
    coefficient: int | Fraction


class Partial(_PartialFields):
    """coefficient × the partial derivative of one expression (its component index)
    by the variables at these indices of wrt, in order; by none, the expression itself
    (a Taylor polynomial's constant term). The coefficient is exact: an int or
    Fraction, or a sympy number (a --vector's sqrt(2))."""

    __slots__ = ()

    def __new__(cls, component: int, variables: tuple[int, ...], coefficient: int | Fraction = 1):
        if not (type(coefficient) is int and coefficient):  # nearly every one
            exact = isinstance(coefficient, int | Fraction) or _exact_number(coefficient)
            if not exact or isinstance(coefficient, bool) or coefficient == 0:
                raise ValueError(
                    "a coefficient is a non-zero int, Fraction or sympy number (exact), "
                    f"not {coefficient!r}"
                )
        return tuple.__new__(cls, (component, variables, coefficient))


def _exact_number(value) -> bool:
    """Whether value is a real sympy number (not a float's approximation)."""
    import sympy

    if not (isinstance(value, sympy.Expr) and value.is_number):
        return False
    return value.is_real is True and not value.has(sympy.Float)


class _EntryFields(NamedTuple):
    label: str
    terms: tuple


class Entry(_EntryFields):
    """One entry of a result: its label and the partial derivatives it sums."""

    __slots__ = ()

    def __new__(cls, label: str, terms: tuple[Partial, ...]):
        if not terms:
            raise ValueError(f"the entry {label!r} has no terms")
        return tuple.__new__(cls, (label, terms))


class SecondPartialsAlong(Sequence):
    """An entry's terms c_j × d2 f/dx_first dx_j (f the expression at index component),
    one for each (j, c_j) of along: made when read. A 1000-variable Hessian-vector
    product's entries sum 857,000 such terms, 3,000 of them not structurally zero:
    symbolic.Derivatives finds those without making the others (the plan 2.4 s against
    0.6, measured)."""

    __slots__ = ("along", "component", "first")

    def __init__(self, component: int, first: int, along: Sequence[tuple[int, object]]):
        self.component, self.first, self.along = component, first, along

    def __len__(self) -> int:
        return len(self.along)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        j, coefficient = self.along[index]
        return tuple.__new__(Partial, (self.component, (self.first, j), coefficient))


def partial(label: str, component: int, *variables: int) -> Entry:
    """An entry that is a single partial derivative."""
    if not variables:
        raise ValueError("a partial derivative differentiates by at least one variable")
    # made without Entry's and Partial's checks, which hold here: a 1000-variable
    # Hessian's million entries in 0.6 s against 1.0 (measured)
    return tuple.__new__(Entry, (label, (tuple.__new__(Partial, (component, variables, 1)),)))


def sum_label(parts: list[str], shown: int = 4) -> str:
    """The label of an entry that sums parts: them all, or the first, the last and how
    many for more than shown."""
    if len(parts) <= shown:
        return " + ".join(parts)
    return f"{parts[0]} + ... + {parts[-1]} ({len(parts)} terms)"


@functools.lru_cache(maxsize=64)
def _shape(op, components: int, variables: int) -> tuple[int, ...]:
    # 0.07 s for a 100-variable Hessian's 10,000 entries, asked for several times a run
    return nested_shape(op.entries(components, [""] * variables))


class Op:
    """One quantity: name, help, entries, and torch's way of computing it.

    Subclasses set the class attributes and define entries and autograd; the rest has
    defaults that follow from the entries.
    """

    name: str = ""  # the command, the Python function and JSON's "kind"
    title: str = ""  # the table's header
    summary: str = ""  # the command's help, first paragraph
    examples: Sequence[str] = ()  # the command's help, one command line each
    many_expressions: bool = False  # more than one expression (components) allowed
    layout: str = "list"  # table layout: "list" (a row per entry) or "matrix"
    # the variables are a field's coordinates: --wrt may name one no component has
    coordinates: bool = False
    # what --vector has an entry for ("variables" or "components"); None: takes none
    vector_of: str | None = None
    # the settings a request configures it with beyond wrt ("vector", "order")
    options: tuple[str, ...] = ()

    def entries(self, components: int, variables: Sequence[str]):
        """The entries, nested in the result's shape (a single Entry for a scalar)."""
        raise NotImplementedError

    def configure(self, wrt, **settings):
        """(the operation as a request asks for it, the wrt that picks its variables):
        itself and wrt, unless the request configures it (diff reads the order of
        differentiation from wrt; hvp and the others along a vector take vector, taylor
        its order). settings: each of the options a request can give (None where it
        gives none); one this operation does not take is an InputError. A configured
        operation equals another configured the same way, so caches keyed on it hold."""
        self.refuse_others(settings)
        return self, wrt

    def refuse_others(self, settings: dict) -> None:
        """An InputError for a setting given (not None) that is not among options,
        naming the operations that take it."""
        for name, value in settings.items():
            if value is None or name in self.options:
                continue
            from derivcli import ops
            from derivcli.errors import InputError

            takers = [op.name for op in ops.registered() if name in op.options]
            listed = ", ".join(takers[:-1]) + " and " + takers[-1] if len(takers) > 1 else ""
            raise InputError.about(
                name,
                f"{self.name} takes no {{opt}}"
                + (
                    f"; {listed or takers[0]} {'do' if len(takers) > 1 else 'does'}"
                    if takers
                    else ""
                ),
            )

    def config(self) -> tuple:
        """What configure set (hashable): () for an operation as registered."""
        return ()

    # An operation as registered is itself alone (one with state of its own but no
    # config stays distinct from another instance); configured copies are equal when
    # their type and config are.
    def __eq__(self, other) -> bool:
        if self is other:
            return True
        config = self.config()
        return bool(config) and type(self) is type(other) and config == other.config()

    def __hash__(self) -> int:
        config = self.config()
        return hash((type(self), config)) if config else object.__hash__(self)

    def autograd(self, outputs: list[torch.Tensor], inputs: list[torch.Tensor]) -> torch.Tensor:
        """torch's value of the result at each point, [points, *shape], from the
        expressions' values (outputs, one tensor [points] per component) and the
        variables (inputs, one tensor [points] each, requiring grad): with
        derivcli.numeric.autodiff's grad, gradient, jacobian and hessian."""
        raise NotImplementedError

    def passes(self, components: int, variables: int) -> int:
        """About how many forward or backward passes autograd makes (the engine choice)."""
        return 2 * math.prod(self.shape(components, variables))

    def point_fields(self, variables: Sequence[str], point: dict, checks: list, numbers) -> dict:
        """Fields of the operation's own in each point's JSON (results[]), from the exact
        point ({symbol: value}), each entry's check (derivcli.check.verdict's EntryCheck)
        and torch's number, flat: none by default; taylor's polynomial and terms."""
        return {}

    def notes(self, point) -> list[str]:
        """Lines the table prints under a point's entries (point: a PointResult)."""
        return []

    def matrix_labels(self, expressions: Sequence[str], variables: Sequence[str]):
        """For the matrix layout: the corner's text and the rows' labels."""
        raise NotImplementedError

    # Derived from the entries.

    def shape(self, components: int, variables: int) -> tuple[int, ...]:
        """The result's shape: () for a scalar, (n,), (m, n)..."""
        return _shape(self, components, variables)

    def labels(self, variables: Sequence[str], components: int = 1):
        """Each entry's label, nested in the result's shape."""
        return map_nested(lambda entry: entry.label, self.entries(components, variables))

    def help(self) -> str:
        """The command's help text: the summary, then the examples."""
        lines = "\n".join(f"  {example}" for example in self.examples)
        return f"{self.summary}\n\n\b\nExamples:\n{lines}" if lines else self.summary
