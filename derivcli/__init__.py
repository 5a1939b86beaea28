"""derivcli: derivatives (gradients to curls), symbolic (sympy) and numeric (torch), checked.

    >>> import derivcli
    >>> derivcli.grad("x^2*y + exp(x*y)", at={"x": 1, "y": 0}).results[0].numeric
    [0.0, 2.0]

The names are loaded on first use, so that importing the package (and running
``derivcli --help``) stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = [
    "grad",
    "jacobian",
    "hessian",
    "diff",
    "laplacian",
    "divergence",
    "curl",
    "taylor",
    "compute",
    "evaluate",
    "plot",
    "write",
    "Request",
    "Outcome",
    "Result",
    "PointResult",
]

_API = {
    "grad",
    "jacobian",
    "hessian",
    "diff",
    "laplacian",
    "divergence",
    "curl",
    "taylor",
    "compute",
}
_BATCH = {"evaluate"}
_RESULT = {"Result", "PointResult"}
_PIPELINE = {"write", "Outcome"}


def __getattr__(name: str):
    if name in _API:
        from derivcli import api

        return getattr(api, name)
    if name in _BATCH:
        from derivcli import batch

        return getattr(batch, name)
    if name in _PIPELINE:
        from derivcli.run import pipeline

        return getattr(pipeline, name)
    if name == "plot":
        from derivcli.plotting import plot

        return plot
    if name == "Request":
        from derivcli.run.request import Request

        return Request
    if name in _RESULT:
        from derivcli import result

        return getattr(result, name)
    if name.startswith("__"):  # a module attribute Python looks for (__path__, __wrapped__)
        raise AttributeError(f"module 'derivcli' has no attribute {name!r}")
    import importlib

    ops = importlib.import_module("derivcli.ops")  # not "from derivcli import": that asks here
    if name in ops.names():  # a registered operation: derivcli.<name>(expression, at, ...)
        from derivcli import api

        return api.function_for(ops.get(name))
    raise AttributeError(f"module 'derivcli' has no attribute {name!r}")
