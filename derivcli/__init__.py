"""derivcli: gradients, Jacobians and Hessians, symbolic (sympy) and numeric (torch).

    >>> import derivcli
    >>> derivcli.grad("x^2*y + exp(x*y)", at={"x": 1, "y": 0}).results[0].numeric
    [0.0, 2.0]

The names are loaded on first use, so that importing the package (and running
``derivcli --help``) stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["grad", "jacobian", "hessian", "compute", "evaluate", "Result", "PointResult"]

_API = {"grad", "jacobian", "hessian", "compute"}
_BATCH = {"evaluate"}
_RESULT = {"Result", "PointResult"}


def __getattr__(name: str):
    if name in _API:
        from derivcli import api

        return getattr(api, name)
    if name in _BATCH:
        from derivcli import batch

        return getattr(batch, name)
    if name in _RESULT:
        from derivcli import result

        return getattr(result, name)
    raise AttributeError(f"module 'derivcli' has no attribute {name!r}")
