"""The function table: one row per supported function.

A row names the function (and its aliases), says how many arguments it takes,
builds the sympy expression, lowers the sympy class it builds to torch, and gives
an interval on which the function is smooth, which the tests sample. Rows without
a lowering build their expression from other rows (``sec`` is ``1/cos`` in torch,
``hypot`` is a square root of a sum).

The lowerings receive the torch module as their first argument so that this
module can be imported without importing torch.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import sympy

from derivcli import limits, special


@dataclass(frozen=True)
class FunctionSpec:
    """One supported function."""

    name: str
    arity: tuple[int, int | None]
    build: Callable[..., sympy.Expr]
    doc: str
    aliases: tuple[str, ...] = ()
    sympy_class: type | None = None
    lower: Callable | None = None
    domain: tuple[float, float] = (-2.0, 2.0)
    static_args: tuple[int, ...] = ()
    listed: bool = True
    # Where the function is not smooth: "zero" (its argument is 0), "integer" (its
    # argument is an integer), "tie" (two arguments are equal) or "cut" (atan2's
    # branch cut, y = 0 with x <= 0); and what happens
    # there: "kink" (continuous, the slope jumps), "jump" or "spike".
    breaks: str | None = None
    break_kind: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _reciprocal(torch_fn_name: str) -> Callable:
    return lambda torch, x: 1 / getattr(torch, torch_fn_name)(x)


def _special(name: str) -> Callable:
    # torch_special imports torch, so it is imported when a lowering first runs.
    def lower(torch, *args):
        from derivcli import torch_special

        return getattr(torch_special, name)(*args)

    return lower


def _root(torch, x, n):
    return torch.sign(x) * torch.abs(x) ** (1.0 / n)


def _dirac_delta(torch, x, order=0):
    return torch.where(x == 0, torch.full_like(x, float("nan")), torch.zeros_like(x))


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


FUNCTIONS: tuple[FunctionSpec, ...] = (
    # trigonometric
    FunctionSpec(
        "sin", (1, 1), sympy.sin, "sine", sympy_class=sympy.sin, lower=lambda t, x: t.sin(x)
    ),
    FunctionSpec(
        "cos", (1, 1), sympy.cos, "cosine", sympy_class=sympy.cos, lower=lambda t, x: t.cos(x)
    ),
    FunctionSpec(
        "tan",
        (1, 1),
        sympy.tan,
        "tangent",
        sympy_class=sympy.tan,
        lower=lambda t, x: t.tan(x),
        domain=(-1.4, 1.4),
    ),
    FunctionSpec(
        "cot",
        (1, 1),
        sympy.cot,
        "cotangent",
        sympy_class=sympy.cot,
        lower=_special("cot"),
        domain=(0.2, 3.0),
    ),
    FunctionSpec(
        "sec",
        (1, 1),
        sympy.sec,
        "secant",
        sympy_class=sympy.sec,
        lower=_reciprocal("cos"),
        domain=(-1.4, 1.4),
    ),
    FunctionSpec(
        "csc",
        (1, 1),
        sympy.csc,
        "cosecant",
        sympy_class=sympy.csc,
        lower=_special("csc"),
        domain=(0.2, 3.0),
    ),
    FunctionSpec(
        "asin",
        (1, 1),
        sympy.asin,
        "inverse sine",
        aliases=("arcsin",),
        sympy_class=sympy.asin,
        lower=_special("asin"),
        domain=(-0.9, 0.9),
    ),
    FunctionSpec(
        "acos",
        (1, 1),
        sympy.acos,
        "inverse cosine",
        aliases=("arccos",),
        sympy_class=sympy.acos,
        lower=_special("acos"),
        domain=(-0.9, 0.9),
    ),
    FunctionSpec(
        "atan",
        (1, 1),
        sympy.atan,
        "inverse tangent",
        aliases=("arctan",),
        sympy_class=sympy.atan,
        lower=_special("atan"),
    ),
    FunctionSpec(
        "acot",
        (1, 1),
        sympy.acot,
        "inverse cotangent",
        aliases=("arccot",),
        sympy_class=sympy.acot,
        lower=_special("acot"),
        domain=(0.2, 3.0),
        breaks="zero",  # sympy's acot(0) is pi/2; from the left it tends to -pi/2
        break_kind="jump",
    ),
    FunctionSpec(
        "asec",
        (1, 1),
        sympy.asec,
        "inverse secant",
        aliases=("arcsec",),
        sympy_class=sympy.asec,
        lower=lambda t, x: t.acos(1 / x),
        domain=(1.2, 3.0),
    ),
    FunctionSpec(
        "acsc",
        (1, 1),
        sympy.acsc,
        "inverse cosecant",
        aliases=("arccsc",),
        sympy_class=sympy.acsc,
        lower=lambda t, x: t.asin(1 / x),
        domain=(1.2, 3.0),
    ),
    FunctionSpec(
        "atan2",
        (2, 2),
        sympy.atan2,
        "atan2(y, x), the angle of the point (x, y)",
        aliases=("arctan2",),
        sympy_class=sympy.atan2,
        lower=_special("atan2"),
        domain=(0.3, 2.0),
        breaks="cut",  # y = 0 with x <= 0: pi above, -pi below
        break_kind="jump",
    ),
    # hyperbolic
    FunctionSpec(
        "sinh",
        (1, 1),
        sympy.sinh,
        "hyperbolic sine",
        sympy_class=sympy.sinh,
        lower=lambda t, x: t.sinh(x),
    ),
    FunctionSpec(
        "cosh",
        (1, 1),
        sympy.cosh,
        "hyperbolic cosine",
        sympy_class=sympy.cosh,
        lower=lambda t, x: t.cosh(x),
    ),
    FunctionSpec(
        "tanh",
        (1, 1),
        sympy.tanh,
        "hyperbolic tangent",
        sympy_class=sympy.tanh,
        lower=_special("tanh"),
    ),
    FunctionSpec(
        "coth",
        (1, 1),
        sympy.coth,
        "hyperbolic cotangent",
        sympy_class=sympy.coth,
        lower=_special("coth"),
        domain=(0.2, 3.0),
    ),
    FunctionSpec(
        "sech",
        (1, 1),
        sympy.sech,
        "hyperbolic secant",
        sympy_class=sympy.sech,
        lower=_special("sech"),
    ),
    FunctionSpec(
        "csch",
        (1, 1),
        sympy.csch,
        "hyperbolic cosecant",
        sympy_class=sympy.csch,
        lower=_special("csch"),
        domain=(0.2, 3.0),
    ),
    FunctionSpec(
        "asinh",
        (1, 1),
        sympy.asinh,
        "inverse hyperbolic sine",
        aliases=("arsinh", "arcsinh"),
        sympy_class=sympy.asinh,
        lower=lambda t, x: t.asinh(x),
    ),
    FunctionSpec(
        "acosh",
        (1, 1),
        sympy.acosh,
        "inverse hyperbolic cosine",
        aliases=("arcosh", "arccosh"),
        sympy_class=sympy.acosh,
        lower=_special("acosh"),
        domain=(1.2, 3.0),
    ),
    FunctionSpec(
        "atanh",
        (1, 1),
        sympy.atanh,
        "inverse hyperbolic tangent",
        aliases=("artanh", "arctanh"),
        sympy_class=sympy.atanh,
        lower=_special("atanh"),
        domain=(-0.9, 0.9),
    ),
    FunctionSpec(
        "acoth",
        (1, 1),
        sympy.acoth,
        "inverse hyperbolic cotangent",
        aliases=("arcoth", "arccoth"),
        sympy_class=sympy.acoth,
        lower=lambda t, x: t.atanh(1 / x),
        domain=(1.2, 3.0),
    ),
    # exponentials, logarithms, roots
    FunctionSpec(
        "exp", (1, 1), sympy.exp, "exponential", sympy_class=sympy.exp, lower=lambda t, x: t.exp(x)
    ),
    FunctionSpec(
        "log",
        (1, 2),
        _log_base,
        "natural logarithm; log(x, b) in base b",
        aliases=("ln",),
        sympy_class=sympy.log,
        lower=lambda t, x: t.log(x),
        domain=(0.2, 3.0),
    ),
    FunctionSpec("log2", (1, 1), lambda x: _log_base(x, 2), "base-2 logarithm", domain=(0.2, 3.0)),
    FunctionSpec(
        "log10", (1, 1), lambda x: _log_base(x, 10), "base-10 logarithm", domain=(0.2, 3.0)
    ),
    FunctionSpec("sqrt", (1, 1), _sqrt, "square root (also √x)", domain=(0.2, 3.0)),
    FunctionSpec("cbrt", (1, 1), special.cbrt, "real cube root: cbrt(-8) = -2", domain=(0.2, 3.0)),
    FunctionSpec(
        "root",
        (2, 2),
        lambda x, n: _build_root(x, n),
        "root(x, n), the real n-th root (negative x allowed for odd n)",
        sympy_class=special.root,
        lower=_root,
        domain=(0.2, 3.0),
        static_args=(1,),
    ),
    # piecewise
    FunctionSpec(
        "abs",
        (1, 1),
        sympy.Abs,
        "absolute value (also |x|)",
        aliases=("Abs",),
        sympy_class=sympy.Abs,
        lower=lambda t, x: t.abs(x),
        domain=(0.2, 3.0),
        breaks="zero",
        break_kind="kink",
    ),
    FunctionSpec(
        "sign",
        (1, 1),
        sympy.sign,
        "sign: -1, 0 or 1",
        aliases=("sgn",),
        sympy_class=sympy.sign,
        lower=lambda t, x: t.sign(x),
        domain=(0.2, 3.0),
        breaks="zero",
        break_kind="jump",
    ),
    FunctionSpec(
        "floor",
        (1, 1),
        special.floor,
        "largest integer not above x",
        sympy_class=sympy.floor,
        lower=lambda t, x: t.floor(x),
        domain=(0.2, 0.8),
        breaks="integer",
        break_kind="jump",
    ),
    FunctionSpec(
        "ceil",
        (1, 1),
        special.ceiling,
        "smallest integer not below x",
        aliases=("ceiling",),
        sympy_class=sympy.ceiling,
        lower=lambda t, x: t.ceil(x),
        domain=(0.2, 0.8),
        breaks="integer",
        break_kind="jump",
    ),
    FunctionSpec(
        "min",
        (2, None),
        _n_ary(sympy.Min),
        "smallest of two or more arguments",
        aliases=("Min",),
        sympy_class=sympy.Min,
        lower=lambda t, *xs: functools.reduce(t.minimum, xs),
        breaks="tie",
        break_kind="kink",
    ),
    FunctionSpec(
        "max",
        (2, None),
        _n_ary(sympy.Max),
        "largest of two or more arguments",
        aliases=("Max",),
        sympy_class=sympy.Max,
        lower=lambda t, *xs: functools.reduce(t.maximum, xs),
        breaks="tie",
        break_kind="kink",
    ),
    FunctionSpec(
        "heaviside",
        (1, 1),
        sympy.Heaviside,
        "unit step, 1/2 at 0",
        aliases=("Heaviside", "step"),
        sympy_class=sympy.Heaviside,
        # sympy keeps its value at 0 (1/2 here) as a second argument.
        lower=lambda t, x, at_zero: t.where(x == 0, at_zero, (t.sign(x) + 1) / 2),
        domain=(0.2, 3.0),
        breaks="zero",
        break_kind="jump",
    ),
    # special functions
    FunctionSpec(
        "erf",
        (1, 1),
        sympy.erf,
        "error function",
        sympy_class=sympy.erf,
        lower=lambda t, x: t.erf(x),
    ),
    FunctionSpec(
        "erfc",
        (1, 1),
        sympy.erfc,
        "complementary error function",
        sympy_class=sympy.erfc,
        lower=lambda t, x: t.erfc(x),
    ),
    FunctionSpec(
        "gamma",
        (1, 1),
        lambda x: _bounded_gamma(sympy.gamma, x),
        "Gamma function (also for negative non-integers)",
        sympy_class=sympy.gamma,
        lower=_special("gamma"),
        domain=(0.3, 3.0),
    ),
    FunctionSpec(
        "loggamma",
        (1, 1),
        lambda x: _bounded_gamma(sympy.loggamma, x),
        "log of the Gamma function",
        aliases=("lgamma",),
        sympy_class=sympy.loggamma,
        lower=_special("lgamma"),
        domain=(0.3, 3.0),
    ),
    FunctionSpec(
        "digamma",
        (1, 1),
        lambda x: build_polygamma(sympy.S.Zero, x),
        "digamma, the derivative of loggamma",
        domain=(0.3, 3.0),
    ),
    FunctionSpec(
        "polygamma",
        (2, 2),
        lambda n, x: build_polygamma(n, x),
        "polygamma(n, x), the n-th derivative of digamma",
        sympy_class=sympy.polygamma,
        lower=_special("polygamma"),
        domain=(0.3, 3.0),
        static_args=(0,),
    ),
    FunctionSpec(
        "sigmoid",
        (1, 1),
        special.sigmoid,
        "logistic function 1/(1 + exp(-x))",
        sympy_class=special.sigmoid,
        lower=_special("sigmoid"),
    ),
    FunctionSpec(
        "softplus",
        (1, 1),
        special.softplus,
        "log(1 + exp(x))",
        sympy_class=special.softplus,
        lower=_special("softplus"),
    ),
    FunctionSpec(
        "sinc",
        (1, 1),
        sympy.sinc,
        "sin(x)/x, 1 at 0",
        sympy_class=sympy.sinc,
        lower=_special("sinc"),
    ),
    FunctionSpec(
        "hypot",
        (2, 2),
        lambda x, y: _sqrt(limits.checked_pow(x, _TWO) + limits.checked_pow(y, _TWO)),
        "sqrt(x^2 + y^2)",
        domain=(0.3, 2.0),
    ),
    # not for users to type, but derivatives contain it and printed results must parse back
    FunctionSpec(
        "DiracDelta",
        (1, 2),
        sympy.DiracDelta,
        "Dirac delta (appears in derivatives)",
        sympy_class=sympy.DiracDelta,
        lower=_dirac_delta,
        static_args=(1,),
        listed=False,
        breaks="zero",
        break_kind="spike",
    ),
    # derivatives of expressions that sympy cannot prove real (Abs(x**x)) contain these;
    # at real points where they are defined, the values are real
    FunctionSpec(
        "re",
        (1, 1),
        sympy.re,
        "real part (appears in derivatives)",
        sympy_class=sympy.re,
        lower=lambda t, x: x,
        listed=False,
    ),
    FunctionSpec(
        "im",
        (1, 1),
        sympy.im,
        "imaginary part (appears in derivatives)",
        sympy_class=sympy.im,
        lower=lambda t, x: t.zeros_like(x),
        listed=False,
    ),
    FunctionSpec(
        "arg",
        (1, 1),
        sympy.arg,
        "complex argument (appears in derivatives)",
        sympy_class=sympy.arg,
        lower=lambda t, x: t.where(x < 0, t.full_like(x, 3.141592653589793), t.zeros_like(x)),
        listed=False,
    ),
    # exact values contain it: polygamma(2, 1) is -2*zeta(3)
    FunctionSpec(
        "zeta",
        (1, 1),
        lambda s: _number_only("zeta", sympy.zeta(s, evaluate=False), s),
        "Riemann zeta function of a number (appears in exact values)",
        listed=False,
    ),
)

MAX_POLYGAMMA_ORDER = 100
MAX_POLYGAMMA_EXPANSION = 1_000
MAX_GAMMA_INTEGER = 10_000


def _build_root(x, n):
    from derivcli.errors import InputError

    if not n.is_Integer or n < 2:
        raise InputError(f"root(x, n) needs an integer n >= 2, not {n}")
    if n % 2 == 1:
        return special.root(x, n)
    return limits.checked_pow(x, sympy.Rational(1, n))


def build_polygamma(n, x):
    """polygamma(n, x), kept unevaluated where sympy's expansion would be costly."""
    from derivcli.errors import InputError, LimitError

    if not n.is_Integer or n < 0:
        raise InputError(f"polygamma(n, x) needs a non-negative integer order n, not {n}")
    if n > MAX_POLYGAMMA_ORDER:
        raise LimitError(f"polygamma order {n} is above the limit of {MAX_POLYGAMMA_ORDER}")
    # sympy expands polygamma at a rational into harmonic sums, whose cost grows with
    # n and x (polygamma(100, 3000) takes minutes): keep such values as they are.
    costly = x.is_Rational and (n + 1) * abs(x) > MAX_POLYGAMMA_EXPANSION
    return sympy.polygamma(n, x, evaluate=not costly)


def _number_only(name: str, value, *args):
    if any(arg.free_symbols for arg in args):
        from derivcli.errors import InputError

        raise InputError(f"{name}() is accepted for numbers only (it appears in exact values)")
    return value


def exact_value_builder(node) -> Callable | None:
    """How exact evaluation rebuilds a node of this class at numeric arguments, where
    sympy's own evaluation would be costly: None for the ordinary node.func."""
    if isinstance(node, sympy.polygamma):
        return build_polygamma
    exact = special.EXACT_CLASSES.get(type(node))
    if exact is not None:
        return exact
    if isinstance(node, sympy.gamma | sympy.loggamma):
        # gamma(10^5) is a 456,570-digit integer (3 s), gamma(10^300) recurses past
        # Python's limit: such values stay unevaluated, for evalf.
        cls = type(node)
        return lambda x: cls(x, evaluate=not (x.is_Rational and abs(x) > MAX_GAMMA_INTEGER))
    return None


def _bounded_gamma(build, x):
    from derivcli.errors import LimitError

    if x.is_number and x.is_Rational and abs(x) > MAX_GAMMA_INTEGER:
        raise LimitError(
            f"{build.__name__}({limits.describe(x)}) would build a number too large; "
            f"the limit is {MAX_GAMMA_INTEGER} for a numeric argument"
        )
    return build(x)


BY_NAME: dict[str, FunctionSpec] = {name: spec for spec in FUNCTIONS for name in spec.names}
LOWERING: dict[type, FunctionSpec] = {
    spec.sympy_class: spec for spec in FUNCTIONS if spec.sympy_class is not None
}


def function_list_markdown() -> str:
    """The README's function list: one row per listed function, generated from FUNCTIONS."""
    lines = ["| function | also | arguments | meaning |", "|---|---|---|---|"]
    for spec in FUNCTIONS:
        if spec.listed:
            aliases = ", ".join(f"`{alias}`" for alias in spec.aliases)
            doc = spec.doc.replace("|", "\\|")  # a bar would end the table cell
            lines.append(f"| `{spec.name}` | {aliases} | {_arity_words(spec.arity)} | {doc} |")
    return "\n".join(lines)


def _arity_words(arity: tuple[int, int | None]) -> str:
    low, high = arity
    if high == low:
        return str(low)
    if high is None:
        return f"{low} or more"
    return f"{low} or {high}" if high == low + 1 else f"{low} to {high}"
