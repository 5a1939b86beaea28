"""How the sympy backend builds each function of the table, keyed by the row's name.

``BUILDERS`` turns a row's arguments (sympy expressions) into its sympy expression;
``SYMPY_CLASSES`` names the sympy class that a row's builder makes, where there is one
(rows without one build their expression from other rows: ``sec`` is a ``sec`` node,
but ``hypot`` is a square root of a sum), and ``name_of`` finds the row of a sympy node
from its class. The metadata of each row (arity, domain, breaks) is in
``derivcli.expr.functions``; the torch lowering of each class is in
``derivcli.numeric.torch_functions``.

Also here: the bounds that keep sympy's own evaluation cheap while building
(``MAX_*``), and ``exact_value_builder``, which exact evaluation uses to rebuild a node at
numeric arguments.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy
from sympy.codegen import cfunctions

from derivcli import limits
from derivcli.symbolic import bessel, special, zeta

MAX_POLYGAMMA_ORDER = 100
MAX_POLYGAMMA_EXPANSION = 1_000
MAX_GAMMA_INTEGER = 10_000


def _log_base(x, base=None):
    if base is None:
        return sympy.log(x)
    if isinstance(base, int):
        base = sympy.Integer(base)
    if base.is_number and (base.is_extended_positive is False or base == 1):
        from derivcli.errors import InputError

        raise InputError(f"log(x, b) needs a base b > 0 other than 1, not {limits.describe(base)}")
    return sympy.log(x) / sympy.log(base)


_TWO = sympy.Integer(2)


def _sqrt(x):
    return limits.checked_pow(x, sympy.S.Half)


def _n_ary(cls):
    return lambda *args: cls(*args)


def _build_root(x, n):
    from derivcli.errors import InputError

    if not n.is_Integer or n < 2:
        raise InputError(f"root(x, n) needs an integer n >= 2, not {n}")
    if n % 2 == 1:
        return special.root(x, n)
    return limits.checked_pow(x, sympy.Rational(1, n))


def build_polygamma(n, x, cls=sympy.polygamma):
    """polygamma(n, x), kept unevaluated where sympy's expansion would be costly (cls:
    sympy's class, or derivcli's with cached values that beta's derivatives hold)."""
    from derivcli.errors import InputError, LimitError

    if not n.is_Integer or n < 0:
        raise InputError(f"polygamma(n, x) needs a non-negative integer order n, not {n}")
    if n > MAX_POLYGAMMA_ORDER:
        raise LimitError(f"polygamma order {n} is above the limit of {MAX_POLYGAMMA_ORDER}")
    # sympy expands polygamma at a rational into harmonic sums, whose cost grows with
    # n and x (polygamma(100, 3000) takes minutes): keep such values as they are.
    costly = x.is_Rational and (n + 1) * abs(x) > MAX_POLYGAMMA_EXPANSION
    return cls(n, x, evaluate=not costly)


def _bounded_gamma(build, x):
    from derivcli.errors import LimitError

    if x.is_number and x.is_Rational and abs(x) > MAX_GAMMA_INTEGER:
        raise LimitError(
            f"{build.__name__}({limits.describe(x)}) would build a number too large; "
            f"the limit is {MAX_GAMMA_INTEGER} for a numeric argument"
        )
    return build(x)


# The sympy class that a row's builder makes, for the rows whose node derivcli lowers
# and judges as that row (derivcli.numeric.torch_functions.LOWERINGS has the same names).
SYMPY_CLASSES: dict[str, type] = {
    # trigonometric
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "cot": sympy.cot,
    "sec": sympy.sec,
    "csc": sympy.csc,
    "asin": sympy.asin,
    "acos": sympy.acos,
    "atan": sympy.atan,
    "acot": sympy.acot,
    "asec": sympy.asec,
    "acsc": sympy.acsc,
    "atan2": sympy.atan2,
    # hyperbolic
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "coth": sympy.coth,
    "sech": sympy.sech,
    "csch": sympy.csch,
    "asinh": sympy.asinh,
    "acosh": sympy.acosh,
    "atanh": sympy.atanh,
    "acoth": sympy.acoth,
    # exponentials, logarithms, roots
    "exp": sympy.exp,
    "log": sympy.log,
    "log1p": cfunctions.log1p,
    "expm1": cfunctions.expm1,
    "logsumexp": special.logsumexp,
    "root": special.root,
    # piecewise
    "abs": sympy.Abs,
    "sign": sympy.sign,
    "floor": sympy.floor,
    "ceil": sympy.ceiling,
    "min": sympy.Min,
    "max": sympy.Max,
    "heaviside": sympy.Heaviside,
    # special functions
    "erf": sympy.erf,
    "erfc": sympy.erfc,
    "erfinv": sympy.erfinv,
    "beta": sympy.beta,
    "lambertw": sympy.LambertW,
    "gamma": sympy.gamma,
    "loggamma": sympy.loggamma,
    "polygamma": sympy.polygamma,
    "zeta": sympy.zeta,
    "zetaderiv": zeta.zetaderiv,
    "sigmoid": special.sigmoid,
    "softplus": special.softplus,
    "sinc": sympy.sinc,
    # not for users to type, but derivatives contain it and printed results must parse back
    "DiracDelta": sympy.DiracDelta,
    # derivatives of expressions that sympy cannot prove real (Abs(x**x)) contain these;
    # at real points where they are defined, the values are real
    "re": sympy.re,
    "im": sympy.im,
    "arg": sympy.arg,
    # Bessel functions of orders 0 and 1: j0, j1, y0, y1, i0, i1, k0, k1
    **bessel.CLASSES,
}

# The rows whose builder is not their sympy class itself: bounds on costly values,
# bases, n-ary forms, and the rows that build from others (hypot is a root of a sum).
_BUILT: dict[str, Callable[..., sympy.Expr]] = {
    "log": _log_base,
    "log2": lambda x: _log_base(x, 2),
    "log10": lambda x: _log_base(x, 10),
    "sqrt": _sqrt,
    "cbrt": special.cbrt,
    "root": lambda x, n: _build_root(x, n),
    "floor": special.floor,
    "ceil": special.ceiling,
    "relu": lambda x: sympy.Max(x, sympy.S.Zero),  # a max: its kink at 0 is max's tie
    "min": _n_ary(sympy.Min),
    "max": _n_ary(sympy.Max),
    "log1p": special.log1p,
    "expm1": special.expm1,
    "erfinv": special.erfinv,
    "lambertw": special.LambertW,
    "beta": special.beta,
    "gamma": lambda x: _bounded_gamma(sympy.gamma, x),
    "loggamma": lambda x: _bounded_gamma(sympy.loggamma, x),
    "digamma": lambda x: build_polygamma(sympy.S.Zero, x),
    "polygamma": lambda n, x: build_polygamma(n, x),
    "hypot": lambda x, y: _sqrt(limits.checked_pow(x, _TWO) + limits.checked_pow(y, _TWO)),
    "zeta": zeta.build_zeta,
    "zetaderiv": zeta.build_zetaderiv,
}

# How each row's expression is built from its arguments (sympy expressions).
BUILDERS: dict[str, Callable[..., sympy.Expr]] = {**SYMPY_CLASSES, **_BUILT}

_NAME_OF_CLASS: dict[type, str] = {cls: name for name, cls in SYMPY_CLASSES.items()}


def name_of(node: sympy.Basic) -> str | None:
    """The name of the table's row whose sympy class the node is an instance of (the
    nearest in the node's class hierarchy), or None for any other node."""
    for cls in type(node).__mro__:
        name = _NAME_OF_CLASS.get(cls)
        if name is not None:
            return name
    return None


def exact_value_builder(node) -> Callable | None:
    """How exact evaluation rebuilds a node of this class at numeric arguments, where
    sympy's own evaluation would be costly: None for the ordinary node.func."""
    if isinstance(node, sympy.polygamma):
        return lambda n, x: build_polygamma(n, x, special.polygamma)
    if isinstance(node, sympy.exp) and isinstance(node.args[0], special.LambertW):
        return _exp_of_lambertw
    exact = special.EXACT_CLASSES.get(type(node))
    if exact is not None:
        return exact
    if isinstance(node, sympy.gamma | sympy.loggamma):
        # gamma(10^5) is a 456,570-digit integer (3 s), gamma(10^300) recurses past
        # Python's limit: such values stay unevaluated, for evalf.
        cls = type(node)
        return lambda x: cls(x, evaluate=not (x.is_Rational and abs(x) > MAX_GAMMA_INTEGER))
    return None


def _exp_of_lambertw(w):
    # W's derivatives hold exp(W(x)); at a number c other than 0 it is c/W(c), whose
    # value costs one W (the exp of it cost a Taylor polynomial of order 4 20 s more).
    if isinstance(w, special.LambertW) and w.args[0].is_nonzero:
        return w.args[0] / w
    return sympy.exp(w)
