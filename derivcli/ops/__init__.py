"""The operations derivcli computes, one object each, and their registry.

The command line, the Python API and the tests iterate the registry: adding an
operation is one module here (or a register call) and its tests.
"""

from __future__ import annotations

from derivcli.errors import InputError
from derivcli.ops.base import Entry, Op, Partial, partial
from derivcli.ops.curl import Curl
from derivcli.ops.diff import Diff
from derivcli.ops.divergence import Divergence
from derivcli.ops.gradient import Gradient
from derivcli.ops.hessian import Hessian
from derivcli.ops.jacobian import Jacobian
from derivcli.ops.laplacian import Laplacian
from derivcli.ops.taylor import Taylor
from derivcli.ops.vector import HVP, JVP, VJP, Directional

__all__ = [
    "Entry",
    "Op",
    "Partial",
    "get",
    "names",
    "partial",
    "register",
    "registered",
    "unregister",
]

_REGISTRY: dict[str, Op] = {}


def register(op: Op) -> Op:
    """Add an operation (its name must be new); returns it."""
    if not op.name or op.name in _REGISTRY:
        raise ValueError(f"an operation needs a new name, not {op.name!r}")
    _REGISTRY[op.name] = op
    return op


def unregister(name: str) -> None:
    """Remove an operation that register added (for tests)."""
    _REGISTRY.pop(name, None)


def registered() -> list[Op]:
    """Every operation, in the order registered."""
    return list(_REGISTRY.values())


def names() -> tuple[str, ...]:
    """The operations' names, in the order registered."""
    return tuple(_REGISTRY)


def get(op) -> Op:
    """The operation called op (or op itself); an InputError for an unknown name."""
    if isinstance(op, Op):
        return op
    found = _REGISTRY.get(op) if isinstance(op, str) else None
    if found is None:
        raise InputError(f"unknown kind {op!r}: use one of {', '.join(_REGISTRY)}", "kind")
    return found


for _op in (
    Gradient(),
    Jacobian(),
    Hessian(),
    Diff(),
    Directional(),
    JVP(),
    VJP(),
    HVP(),
    Laplacian(),
    Divergence(),
    Curl(),
    Taylor(),
):
    register(_op)
