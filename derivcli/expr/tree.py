"""The expression tree the parser builds: plain data, free of any symbolic backend.

A tree says what the user wrote, not what it means: ``2*(x + 1)`` is a product of a
number and a sum. A backend (``derivcli.symbolic``) builds its own expression from it,
checking what only evaluation can tell (a division by zero in ``1/(x - x)``, a value
such as ``log(0)`` that is undefined); each node keeps the column of its token so that
such an error still points at the text.

Nodes are immutable and compare by value; a tree from the same text is the same tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class Number:
    """A number, exactly (``1e-3`` is 1/1000).

    written: typed as digits (which count against the digit budget of
    derivcli.limits), not implied by a sign (the 2 of ``x²``, the 3 of ``∛x``)."""

    value: Fraction
    pos: int
    written: bool = True


@dataclass(frozen=True, slots=True)
class Constant:
    """A named constant: ``pi``, ``e``, ``oo``, ``EulerGamma``, ``Catalan`` (and ``nan``
    and ``zoo`` where a result is read back)."""

    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Variable:
    """A variable, by name; variables are real."""

    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Call:
    """A function of the table applied to its arguments.

    name is the row's name (``ln(x)`` is ``log``); shown is how an error refers to
    the call (``ln()``, ``√``), or None for the bars of ``|x|``, which cannot fail.
    """

    name: str
    args: tuple[Node, ...]
    pos: int
    shown: str | None


@dataclass(frozen=True, slots=True)
class Sum:
    """terms added, in the order written (a subtraction is a Negative term)."""

    terms: tuple[Node, ...]
    pos: int
    shown: str  # how an undefined result refers to it: "'+'", "the product"


@dataclass(frozen=True, slots=True)
class Product:
    """factors multiplied, in the order written (a division is a Reciprocal factor).

    pos is the first operator's column, or the second factor's for an implicit
    product (``2x``)."""

    factors: tuple[Node, ...]
    pos: int
    shown: str  # how an undefined result refers to it: "'+'", "the product"


@dataclass(frozen=True, slots=True)
class Negative:
    """-arg."""

    arg: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Reciprocal:
    """1/arg, written as a division whose '/' is at pos."""

    arg: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Power:
    """base^exponent (also ``x²``); pos is the operator's column."""

    base: Node
    exponent: Node
    pos: int
    shown: str  # how an undefined result refers to it: "'+'", "the product"


Node = Number | Constant | Variable | Call | Sum | Product | Negative | Reciprocal | Power


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed text: its components and the variable names it uses, in order of first
    appearance (also those that cancel, as in ``x - x``)."""

    components: tuple[Node, ...]
    names: tuple[str, ...]


def children(node: Node) -> tuple[Node, ...]:
    """The nodes directly below node."""
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Sum):
        return node.terms
    if isinstance(node, Product):
        return node.factors
    if isinstance(node, Negative | Reciprocal):
        return (node.arg,)
    if isinstance(node, Power):
        return (node.base, node.exponent)
    return ()


def depth(node: Node) -> int:
    """How many levels the tree has (a leaf is 1), without recursion."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(current))
    return deepest
