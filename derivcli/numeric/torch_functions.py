"""The torch lowering of each function of the table, keyed by the row's name.

``LOWERINGS[name](torch, *args)`` computes the row's function on tensors; it receives
the torch module first so that importing this module does not import torch. Every row
has one: sympy builds some rows from others (``hypot`` is a square root of a sum, so
a sympy expression never holds a ``hypot`` node), but a backend may keep each call as
its row (tests/symbolic/test_backend.py lowers such a backend). Arguments that
the metadata lists as static (``derivcli.expr.functions``: root's n, polygamma's order) arrive
as Python ints, the others as tensors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable


def _torch(name: str) -> Callable:
    """torch's own function of that name."""
    return lambda torch, *args: getattr(torch, name)(*args)


def _reciprocal(torch_fn_name: str) -> Callable:
    return lambda torch, x: 1 / getattr(torch, torch_fn_name)(x)


def _special(name: str, module: str = "torch_special") -> Callable:
    """The function of that name in derivcli.numeric.<module> (torch_special,
    torch_bessel, torch_zeta): each imports torch, so it is imported when a lowering
    first runs."""

    def lower(torch, *args):
        import importlib

        return getattr(importlib.import_module(f"derivcli.numeric.{module}"), name)(*args)

    return lower


def _root(torch, x, n):
    return torch.sign(x) * torch.abs(x) ** (1.0 / n)


def _dirac_delta(torch, x, order=0):
    return torch.where(x == 0, torch.full_like(x, float("nan")), torch.zeros_like(x))


LOWERINGS: dict[str, Callable] = {
    # trigonometric
    "sin": _torch("sin"),
    "cos": _torch("cos"),
    "tan": _torch("tan"),
    "cot": _special("cot"),
    "sec": _reciprocal("cos"),
    "csc": _special("csc"),
    "asin": _special("asin"),
    "acos": _special("acos"),
    "atan": _special("atan"),
    "acot": _special("acot"),
    "asec": lambda t, x: t.acos(1 / x),
    "acsc": lambda t, x: t.asin(1 / x),
    "atan2": _special("atan2"),
    # hyperbolic
    "sinh": _torch("sinh"),
    "cosh": _torch("cosh"),
    "tanh": _special("tanh"),
    "coth": _special("coth"),
    "sech": _special("sech"),
    "csch": _special("csch"),
    "asinh": _torch("asinh"),
    "acosh": _special("acosh"),
    "atanh": _special("atanh"),
    "acoth": lambda t, x: t.atanh(1 / x),
    # exponentials, logarithms, roots
    "exp": _torch("exp"),
    "log": _torch("log"),
    "root": _root,
    "log1p": _torch("log1p"),
    "expm1": _special("expm1"),
    "logsumexp": _special("logsumexp"),
    "log2": _torch("log2"),
    "log10": _torch("log10"),
    "sqrt": _torch("sqrt"),
    "cbrt": lambda t, x: _root(t, x, 3),
    "hypot": _torch("hypot"),
    # piecewise
    "abs": _torch("abs"),
    "sign": _torch("sign"),
    "floor": _torch("floor"),
    "ceil": _torch("ceil"),
    "relu": _torch("relu"),
    "min": lambda t, *xs: functools.reduce(t.minimum, xs),
    "max": lambda t, *xs: functools.reduce(t.maximum, xs),
    # sympy keeps its value at 0 (1/2 here) as a second argument.
    "heaviside": lambda t, x, at_zero: t.where(x == 0, at_zero, (t.sign(x) + 1) / 2),
    # special functions
    "erf": _torch("erf"),
    "erfc": _torch("erfc"),
    "erfinv": _torch("erfinv"),
    "beta": _special("beta"),
    "lambertw": _special("lambertw"),
    "gamma": _special("gamma"),
    "loggamma": _special("lgamma"),
    "polygamma": _special("polygamma"),
    "digamma": lambda t, x: _special("polygamma")(t, 0, x),
    "zeta": _special("zeta", "torch_zeta"),
    "zetaderiv": _special("zeta_derivative", "torch_zeta"),
    "sigmoid": _special("sigmoid"),
    "softplus": _special("softplus"),
    "sinc": _special("sinc"),
    # not for users to type, but derivatives contain it and printed results must parse back
    "DiracDelta": _dirac_delta,
    # derivatives of expressions that sympy cannot prove real (Abs(x**x)) contain these;
    # at real points where they are defined, the values are real
    "re": lambda t, x: x,
    "im": _torch("zeros_like"),
    "arg": lambda t, x: t.where(x < 0, t.full_like(x, 3.141592653589793), t.zeros_like(x)),
    # Bessel functions of orders 0 and 1 (derivcli.numeric.torch_bessel)
    **{
        name: _special(name, "torch_bessel")
        for name in ("j0", "j1", "y0", "y1", "i0", "i1", "k0", "k1")
    },
}
