"""Results as nested lists in their shape (a scalar is a bare leaf)."""

from __future__ import annotations


def map_nested(fn, nested):
    """Apply fn to every leaf of a nested list."""
    if isinstance(nested, list):
        return [map_nested(fn, item) for item in nested]
    return fn(nested)


def flatten(nested) -> list:
    """Leaves of a nested list, row-major."""
    if isinstance(nested, list):
        return [leaf for item in nested for leaf in flatten(item)]
    return [nested]


def nested_shape(nested) -> tuple[int, ...]:
    """The shape of a nested list: () for a leaf, (n,), (m, n)..."""
    shape = []
    while isinstance(nested, list):
        shape.append(len(nested))
        nested = nested[0] if nested else None
    return tuple(shape)
