"""The function table's metadata: one row per supported function, free of sympy and torch.

A row names the function (and its aliases), says how many arguments it takes, which
of them must be integers known in advance, where the function is not smooth, and
gives an interval on which it is smooth, which the tests sample. How a backend builds
or computes a function lives elsewhere, keyed by the row's name:
``derivcli.symbolic.sympy_functions`` (the sympy builders and classes) and
``derivcli.numeric.torch_functions`` (the torch lowerings). This module imports neither sympy
nor torch, so that a second symbolic backend can share it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FunctionSpec:
    """One supported function: what it is called, and what holds for any backend."""

    name: str
    arity: tuple[int, int | None]
    doc: str
    aliases: tuple[str, ...] = ()
    domain: tuple[float, float] = (-2.0, 2.0)
    # Arguments that must be integers, passed to the lowering as Python ints (root's n).
    static_args: tuple[int, ...] = ()
    listed: bool = True
    # Where the function is not smooth: "zero" (its argument is 0), "integer" (its
    # argument is an integer), "tie" (two arguments are equal), "cut" (atan2's
    # branch cut, y = 0 with x <= 0) or "branch" (lambertw's branch point, its argument
    # is -1/e); and what happens there: "kink" (continuous, the slope jumps), "jump",
    # "spike" or "end" (the domain ends and the derivative is infinite, as sqrt's at 0).
    breaks: str | None = None
    break_kind: str | None = None
    # How many ulps of its argument the lowering may be off by: an iteration that solves
    # for its value (lambertw's) is exact at a nearby argument, which moves the value far
    # where its derivative is huge (near lambertw's branch point). The verdicts' rounding
    # bound counts it.
    argument_ulps: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        """The name and its aliases, each of which the parser accepts."""
        return (self.name, *self.aliases)


_FIRST_KIND = "Bessel function of the first kind"
_SECOND_KIND = "Bessel function of the second kind"

FUNCTIONS: tuple[FunctionSpec, ...] = (
    # trigonometric
    FunctionSpec("sin", (1, 1), "sine"),
    FunctionSpec("cos", (1, 1), "cosine"),
    FunctionSpec("tan", (1, 1), "tangent", domain=(-1.4, 1.4)),
    FunctionSpec("cot", (1, 1), "cotangent", domain=(0.2, 3.0)),
    FunctionSpec("sec", (1, 1), "secant", domain=(-1.4, 1.4)),
    FunctionSpec("csc", (1, 1), "cosecant", domain=(0.2, 3.0)),
    FunctionSpec("asin", (1, 1), "inverse sine", aliases=("arcsin",), domain=(-0.9, 0.9)),
    FunctionSpec("acos", (1, 1), "inverse cosine", aliases=("arccos",), domain=(-0.9, 0.9)),
    FunctionSpec("atan", (1, 1), "inverse tangent", aliases=("arctan",)),
    FunctionSpec(
        "acot",
        (1, 1),
        "inverse cotangent",
        aliases=("arccot",),
        domain=(0.2, 3.0),
        breaks="zero",  # sympy's acot(0) is pi/2; from the left it tends to -pi/2
        break_kind="jump",
    ),
    FunctionSpec("asec", (1, 1), "inverse secant", aliases=("arcsec",), domain=(1.2, 3.0)),
    FunctionSpec("acsc", (1, 1), "inverse cosecant", aliases=("arccsc",), domain=(1.2, 3.0)),
    FunctionSpec(
        "atan2",
        (2, 2),
        "atan2(y, x), the angle of the point (x, y)",
        aliases=("arctan2",),
        domain=(0.3, 2.0),
        breaks="cut",  # y = 0 with x <= 0: pi above, -pi below
        break_kind="jump",
    ),
    # hyperbolic
    FunctionSpec("sinh", (1, 1), "hyperbolic sine"),
    FunctionSpec("cosh", (1, 1), "hyperbolic cosine"),
    FunctionSpec("tanh", (1, 1), "hyperbolic tangent"),
    FunctionSpec("coth", (1, 1), "hyperbolic cotangent", domain=(0.2, 3.0)),
    FunctionSpec("sech", (1, 1), "hyperbolic secant"),
    FunctionSpec("csch", (1, 1), "hyperbolic cosecant", domain=(0.2, 3.0)),
    FunctionSpec("asinh", (1, 1), "inverse hyperbolic sine", aliases=("arsinh", "arcsinh")),
    FunctionSpec(
        "acosh",
        (1, 1),
        "inverse hyperbolic cosine",
        aliases=("arcosh", "arccosh"),
        domain=(1.2, 3.0),
    ),
    FunctionSpec(
        "atanh",
        (1, 1),
        "inverse hyperbolic tangent",
        aliases=("artanh", "arctanh"),
        domain=(-0.9, 0.9),
    ),
    FunctionSpec(
        "acoth",
        (1, 1),
        "inverse hyperbolic cotangent",
        aliases=("arcoth", "arccoth"),
        domain=(1.2, 3.0),
    ),
    # exponentials, logarithms, roots
    FunctionSpec("exp", (1, 1), "exponential"),
    FunctionSpec(
        "log", (1, 2), "natural logarithm; log(x, b) in base b", aliases=("ln",), domain=(0.2, 3.0)
    ),
    FunctionSpec("log1p", (1, 1), "log(1 + x), accurate for tiny x", domain=(-0.8, 3.0)),
    FunctionSpec("expm1", (1, 1), "exp(x) - 1, accurate for tiny x"),
    FunctionSpec(
        "logsumexp",
        (2, None),
        "log(exp(x) + exp(y) + ...), without overflow",
        aliases=("logaddexp",),
    ),
    FunctionSpec("log2", (1, 1), "base-2 logarithm", domain=(0.2, 3.0)),
    FunctionSpec("log10", (1, 1), "base-10 logarithm", domain=(0.2, 3.0)),
    FunctionSpec("sqrt", (1, 1), "square root (also √x)", domain=(0.2, 3.0)),
    FunctionSpec("cbrt", (1, 1), "real cube root: cbrt(-8) = -2", domain=(0.2, 3.0)),
    FunctionSpec(
        "root",
        (2, 2),
        "root(x, n), the real n-th root (negative x allowed for odd n)",
        domain=(0.2, 3.0),
        static_args=(1,),
    ),
    # piecewise
    FunctionSpec(
        "abs",
        (1, 1),
        "absolute value (also |x|)",
        aliases=("Abs",),
        domain=(0.2, 3.0),
        breaks="zero",
        break_kind="kink",
    ),
    FunctionSpec(
        "sign",
        (1, 1),
        "sign: -1, 0 or 1",
        aliases=("sgn",),
        domain=(0.2, 3.0),
        breaks="zero",
        break_kind="jump",
    ),
    FunctionSpec(
        "floor",
        (1, 1),
        "largest integer not above x",
        domain=(0.2, 0.8),
        breaks="integer",
        break_kind="jump",
    ),
    FunctionSpec(
        "ceil",
        (1, 1),
        "smallest integer not below x",
        aliases=("ceiling",),
        domain=(0.2, 0.8),
        breaks="integer",
        break_kind="jump",
    ),
    FunctionSpec(
        "relu",
        (1, 1),
        "max(x, 0), the rectifier",
        domain=(0.2, 3.0),
        breaks="zero",
        break_kind="kink",
    ),
    FunctionSpec(
        "min",
        (2, None),
        "smallest of two or more arguments",
        aliases=("Min",),
        breaks="tie",
        break_kind="kink",
    ),
    FunctionSpec(
        "max",
        (2, None),
        "largest of two or more arguments",
        aliases=("Max",),
        breaks="tie",
        break_kind="kink",
    ),
    FunctionSpec(
        "heaviside",
        (1, 1),
        "unit step, 1/2 at 0",
        aliases=("Heaviside", "step"),
        domain=(0.2, 3.0),
        breaks="zero",
        break_kind="jump",
    ),
    # special functions
    FunctionSpec("erf", (1, 1), "error function"),
    FunctionSpec("erfc", (1, 1), "complementary error function"),
    FunctionSpec("erfinv", (1, 1), "inverse error function, for -1 < x < 1", domain=(-0.9, 0.9)),
    FunctionSpec(
        "gamma", (1, 1), "Gamma function (also for negative non-integers)", domain=(0.3, 3.0)
    ),
    FunctionSpec(
        "loggamma", (1, 1), "log of the Gamma function", aliases=("lgamma",), domain=(0.3, 3.0)
    ),
    FunctionSpec("digamma", (1, 1), "digamma, the derivative of loggamma", domain=(0.3, 3.0)),
    FunctionSpec(
        "polygamma",
        (2, 2),
        "polygamma(n, x), the n-th derivative of digamma",
        domain=(0.3, 3.0),
        static_args=(0,),
    ),
    FunctionSpec(
        "zeta", (1, 1), "Riemann zeta function, for real s other than 1", domain=(1.5, 4.0)
    ),
    FunctionSpec(
        "zetaderiv",
        (2, 2),
        "zetaderiv(n, s), the n-th derivative of zeta",
        domain=(1.5, 4.0),
        static_args=(0,),
    ),
    FunctionSpec("beta", (2, 2), "Beta function gamma(x)*gamma(y)/gamma(x + y)", domain=(0.3, 3.0)),
    FunctionSpec(
        "lambertw",
        (1, 1),
        "Lambert W, principal branch: w*exp(w) = x, for x >= -1/e",
        aliases=("LambertW",),
        domain=(-0.3, 3.0),
        breaks="branch",  # W' = 1/(x + exp(W)) is +oo at -1/e; sympy's limit there is finite
        break_kind="end",
        argument_ulps=1,
    ),
    # Bessel functions of orders 0 and 1 (scipy's names)
    *(
        FunctionSpec(name, (1, 1), f"{kind} {name[0].upper()}{name[1]}")
        for name, kind in (
            ("j0", _FIRST_KIND),
            ("j1", _FIRST_KIND),
            ("i0", f"modified {_FIRST_KIND}"),
            ("i1", f"modified {_FIRST_KIND}"),
        )
    ),
    *(
        FunctionSpec(
            name,
            (1, 1),
            f"{kind} {name[0].upper()}{name[1]}, for x > 0",
            domain=(0.3, 3.0),
            breaks="zero",  # a logarithm's end at 0: the derivative is infinite there
            break_kind="end",
        )
        for name, kind in (
            ("y0", _SECOND_KIND),
            ("y1", _SECOND_KIND),
            ("k0", f"modified {_SECOND_KIND}"),
            ("k1", f"modified {_SECOND_KIND}"),
        )
    ),
    FunctionSpec("sigmoid", (1, 1), "logistic function 1/(1 + exp(-x))"),
    FunctionSpec("softplus", (1, 1), "log(1 + exp(x))"),
    FunctionSpec("sinc", (1, 1), "sin(x)/x, 1 at 0"),
    FunctionSpec("hypot", (2, 2), "sqrt(x^2 + y^2)", domain=(0.3, 2.0)),
    # not for users to type, but derivatives contain it and printed results must parse back
    FunctionSpec(
        "DiracDelta",
        (1, 2),
        "Dirac delta (appears in derivatives)",
        static_args=(1,),
        listed=False,
        breaks="zero",
        break_kind="spike",
    ),
    # derivatives of expressions that sympy cannot prove real (Abs(x**x)) contain these;
    # at real points where they are defined, the values are real
    FunctionSpec("re", (1, 1), "real part (appears in derivatives)", listed=False),
    FunctionSpec("im", (1, 1), "imaginary part (appears in derivatives)", listed=False),
    FunctionSpec("arg", (1, 1), "complex argument (appears in derivatives)", listed=False),
)

BY_NAME: dict[str, FunctionSpec] = {name: spec for spec in FUNCTIONS for name in spec.names}


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
