"""Names as people type them: letter forms, subscript digits, and other tools' functions.

``LETTER_FORMS`` maps a letter that has a second code point (the micro sign µ, the
symbol ϕ) to derivcli's one, character for character, so that columns stay where they
were typed. ``canonical`` spells a name with subscript digits as derivcli writes it
(``x₁₂`` is ``x_12``). ``unknown_function_hint`` is what to say about a call of a name
that is not in the function table: a spelling in another case, the name another tool
gives a function (numpy, torch, MATLAB, Mathematica) and what to write in derivcli, a
close spelling, or, for a name that reads as a variable, how to write a product.

Unicode is not normalised wholesale (NFKC): it would read ``x²`` as ``x2`` and ``x₁``
as ``x1``.
"""

from __future__ import annotations

import difflib
import re

# One code point to another, never to several: a column in the text stays a column.
LETTER_FORMS = str.maketrans(
    {
        "\u00b5": "\u03bc",  # µ MICRO SIGN → μ
        "\u03d5": "\u03c6",  # ϕ GREEK PHI SYMBOL → φ
        "\u03d1": "\u03b8",  # ϑ GREEK THETA SYMBOL → θ
        "\u03f5": "\u03b5",  # ϵ GREEK LUNATE EPSILON SYMBOL → ε
        "\u03f1": "\u03c1",  # ϱ GREEK RHO SYMBOL → ρ
        "\u03c2": "\u03c3",  # ς GREEK SMALL LETTER FINAL SIGMA → σ
        "\u2126": "\u03a9",  # Ω OHM SIGN → Ω
        "\u210f": "\u0127",  # ℏ PLANCK CONSTANT OVER TWO PI → ħ
        "\u212a": "K",  # K KELVIN SIGN → K
    }
)
SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉"
_SUBSCRIPTS = re.compile(f"_?([{SUBSCRIPT_DIGITS}]+)")
_FROM_SUBSCRIPT = str.maketrans(SUBSCRIPT_DIGITS, "0123456789")


def canonical(name: str) -> str:
    """name as derivcli writes it: its letters in their one form, and each run of
    subscript digits as an underscore and digits (x₁₂ and x_₁₂ are x_12)."""
    name = name.translate(LETTER_FORMS)
    return _SUBSCRIPTS.sub(lambda m: "_" + m.group(1).translate(_FROM_SUBSCRIPT), name)


# Other tools' names for what derivcli writes otherwise: the name (looked up as typed,
# then in lower case) and what to write. Names derivcli has as rows or aliases are not
# here; a case-insensitive spelling of a row (Sqrt, ArcTan, Erf) finds the row first.
_JUMPS = "it jumps at {where}, where no derivative exists"
OTHER_TOOLS: dict[str, str] = {
    "mod": (
        f"derivcli has no mod ({_JUMPS.format(where='each multiple of y')}); "
        "write {x} - {y*}*floor({x*}/{y/}), whose jumps the verdicts report"
    ),
    "fmod": (
        f"derivcli has no fmod ({_JUMPS.format(where='each multiple of y')}); "
        "write {x} - {y*}*sign({x*}/{y/})*floor(abs({x*}/{y/}))"
    ),
    "rem": "derivcli has no rem; write {x} - {y*}*sign({x*}/{y/})*floor(abs({x*}/{y/}))",
    "round": (
        f"derivcli has no round ({_JUMPS.format(where='each half-integer')}); "
        "write floor({x} + 1/2)"
    ),
    "rint": "derivcli has no rint; write floor({x} + 1/2)",
    "trunc": "derivcli has no trunc; write sign({x})*floor(abs({x}))",
    "fix": "derivcli has no fix; write sign({x})*floor(abs({x}))",
    "pow": "write {x^}^{y^} (or {x^}**{y^})",
    "power": "write {x^}^{y^} (or {x^}**{y^})",
    "square": "write {x^}^2",
    "sqr": "write {x^}^2",
    "exp2": "write 2^{x^}",
    "exp10": "write 10^{x^}",
    "nthroot": "write root({x}, {n})",
    "surd": "write root({x}, {n})",
    "fabs": "write abs({x}) or |{x}|",
    "absolute": "write abs({x}) or |{x}|",
    "signum": "write sign({x})",
    "unitstep": "write heaviside({x})",
    "maximum": "write max({x}, {y})",
    "fmax": "write max({x}, {y})",
    "amax": "write max(x, y, ...)",
    "minimum": "write min({x}, {y})",
    "fmin": "write min({x}, {y})",
    "amin": "write min(x, y, ...)",
    "clip": "write min(max({x}, {a}), {b})",
    "clamp": "write min(max({x}, {a}), {b})",
    "factorial": "write gamma({n} + 1)",
    "binomial": "write gamma({n} + 1)/(gamma({k} + 1)*gamma({n} - {k*} + 1))",
    "nchoosek": "write gamma({n} + 1)/(gamma({k} + 1)*gamma({n} - {k*} + 1))",
    "comb": "write gamma({n} + 1)/(gamma({k} + 1)*gamma({n} - {k*} + 1))",
    "gammaln": "write loggamma({x})",
    "logistic": "write sigmoid({x})",
    "expit": "write sigmoid({x})",
    "logit": "write log({x*}/(1 - {x*}))",
    "silu": "write {x*}*sigmoid({x})",
    "swish": "write {x*}*sigmoid({x})",
    "softmax": "derivcli has no softmax; write each component, as exp(x)/(exp(x) + exp(y))",
    "sinpi": "write sin(pi*{x/})",
    "cospi": "write cos(pi*{x/})",
    "sind": "write sin({x*}*pi/180) (derivcli's angles are in radians)",
    "cosd": "write cos({x*}*pi/180) (derivcli's angles are in radians)",
    "tand": "write tan({x*}*pi/180) (derivcli's angles are in radians)",
    "deg2rad": "write {x*}*pi/180",
    "radians": "write {x*}*pi/180",
    "rad2deg": "write {x*}*180/pi",
    "degrees": "write {x*}*180/pi",
    "norm": "write sqrt(x^2 + y^2 + ...) or hypot(x, y)",
    "sum": "write the terms with +",
    "prod": "write the factors with *",
    "real": "derivcli's variables are real: write {x}",
    "conj": "derivcli's variables are real: write {x}",
    "productlog": "write lambertw({x})",
    "erfcinv": "write erfinv(1 - {x*})",
    "log1pexp": "write softplus({x})",
    "leaky_relu": "write max(x, a*x) for a slope a < 1 below 0",
    "gelu": "write {x*}*(1 + erf({x*}/sqrt(2)))/2",
    # Bessel functions: derivcli has orders 0 and 1, by scipy's names
    **{
        name: f"order {{n}}: write {kind}0({{x}}) or {kind}1({{x}}); orders n >= 2 are not "
        "supported"
        for kind in "jyik"
        for name in (f"bessel{kind}", f"{kind}v", f"{kind}n")
    },
    **{f"bessel{kind}{n}": f"write {kind}{n}({{x}})" for kind in "jyik" for n in (0, 1)},
    "i0e": "write i0({x})*exp(-abs({x}))",
    "i1e": "write i1({x})*exp(-abs({x}))",
    "k0e": "write k0({x})*exp({x})",
    "k1e": "write k1({x})*exp({x})",
    "diff": "write the function itself: the command differentiates it",
    "derivative": "write the function itself: the command differentiates it",
}


# In OTHER_TOOLS' texts, {x} stands for the call's first argument (each new name in a
# text for the next argument), as the user typed it where the call has as many
# arguments, else the name itself; a mark after the name parenthesises a compound
# argument: {x*} a sum (a factor), {x/} a sum or product (a divisor), {x^} anything
# but a name, number or call (a base or an exponent).
_PLACEHOLDER = re.compile(r"\{([a-z])([*/^]?)\}")
# How tightly an argument's text binds (BINDING[kind]): the least each mark allows.
SUM, PRODUCT, POWER, ATOM = range(4)
_NEEDS = {"": SUM, "*": PRODUCT, "/": POWER, "^": ATOM}


def with_arguments(text: str, arguments: list[tuple[str, int]] | None) -> str:
    """text with its placeholders filled: by arguments ((typed text, how tightly it
    binds: SUM ... ATOM), one per distinct placeholder name) or by the names themselves."""
    placeholders = list(dict.fromkeys(m.group(1) for m in _PLACEHOLDER.finditer(text)))
    given = arguments if arguments is not None and len(arguments) == len(placeholders) else None

    def fill(match: re.Match) -> str:
        if given is None:
            return match.group(1)
        typed, binding = given[placeholders.index(match.group(1))]
        return typed if binding >= _NEEDS[match.group(2)] else f"({typed})"

    return _PLACEHOLDER.sub(fill, text)


def unknown_function_hint(
    name: str, known: list[str], variable_like: bool, arguments: list[tuple[str, int]] | None = None
) -> str:
    """What to tell someone who called name, which is not a function (known: the names
    derivcli lists, rows and aliases; variable_like: whether name reads as a variable;
    arguments: the call's, as with_arguments takes them, where they parse).
    """
    by_case = {}
    for known_name in known:
        by_case.setdefault(known_name.lower(), known_name)
    if name.lower() in by_case:
        return f"did you mean '{by_case[name.lower()]}'?"
    other = OTHER_TOOLS.get(name, OTHER_TOOLS.get(name.lower()))
    if other is not None:
        return with_arguments(other, arguments)
    product = f"for a product write {name}*(...)"
    if variable_like:
        return product
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"not a derivcli function (the README lists them); {product}"
