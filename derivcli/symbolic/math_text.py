"""sympy expressions as one-line math for people, which derivcli parses back.

`x²·sin(y)`, `2x/3`, `√(x + 1)`, `e^x` stays `exp(x)`, `π`, `x^(1/3)`, `1/√x`: powers
with superscripts for positive integer exponents and `^` otherwise, a number written
next to the symbol it multiplies (`2x`) and `·` between other factors, one division
with the denominator in brackets where it has more than one factor. Numbers exact and
short (`3e600`, `cos(3.141592653589793)`, `1/e`: numbers.rational_text), functions by
the names of derivcli's rows (`heaviside`, `lambertw`, `max`). Every form here is
one the parser reads as the same expression (tests/render/test_math_text.py parses the
display of many derivatives back). JSON keeps exact.to_text's form (the contract).
"""

from __future__ import annotations

import re
from typing import NamedTuple

import mpmath
import sympy
from sympy.printing.str import StrPrinter

from derivcli import recursion
from derivcli.symbolic.numbers import rational_text
from derivcli.symbolic.sympy_functions import name_of

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
MAX_SUPERSCRIPT = 99  # larger exponents read better as ^123


def math_text(expr: sympy.Basic) -> str:
    """expr as one-line math (see the module); exact.to_text's form where it cannot be
    printed so (an expression too extreme to order, an integer too long to print)."""
    from derivcli.check.precision import too_extreme
    from derivcli.symbolic.exact import to_text

    saved = mpmath.mp.prec
    try:
        if not isinstance(expr, sympy.Basic) or too_extreme(expr):
            return to_text(expr)
        with recursion.room_for([expr]):
            return _MathPrinter().doprint(expr)
    except (ValueError, OverflowError, KeyError, ZeroDivisionError, RecursionError, TypeError):
        mpmath.mp.prec = saved
        return to_text(expr)


def python_to_math(text: str) -> str:
    """A printed expression (exact.to_text's or another backend's Python syntax) in
    this module's notation by its text alone, where printing it again would cost too
    much: `^` for `**` (superscripts for small integer exponents), `·` for `*`."""
    text = re.sub(r"\*\*(\d{1,2})(?![\d.])", lambda m: m[1].translate(_SUPERSCRIPTS), text)
    text = text.replace("**", "^")
    # a number next to the name it multiplies (400*x1: 400x1; not 2*e1, nor 2*sin(x))
    text = re.sub(r"(?<![\w.])(\d+)\*(?=[A-DF-Za-df-z_]\w*(?![\w(]))", r"\1", text)
    return text.replace("*", "·")


_ASCII_MATH = str.maketrans({"·": "*", "π": "pi", "≈": "~"})
_FROM_SUPERSCRIPTS = str.maketrans(_SUPERSCRIPT_DIGITS, "0123456789")


def superscript(number: int) -> str:
    """number in superscript digits: 12 as ¹²."""
    return str(number).translate(_SUPERSCRIPTS)


def ascii_math(text: str) -> str:
    """This module's notation in ASCII that derivcli parses the same (`x^2*sqrt(y)` for
    `x²·√y`), for a console that cannot encode it."""
    text = re.sub(
        f"[{_SUPERSCRIPT_DIGITS}]+", lambda m: "^" + m[0].translate(_FROM_SUPERSCRIPTS), text
    )
    text = re.sub(r"√([\w.]+)", r"sqrt(\1)", text)
    return text.replace("√", "sqrt").translate(_ASCII_MATH)


class _MathPrinter(StrPrinter):
    """sympy's str printer with the forms above for numbers, products and powers."""

    def _print_Exp1(self, expr) -> str:
        return "e"

    def _print_Pi(self, expr) -> str:
        return "π"

    def _print_Rational(self, expr) -> str:
        return rational_text(expr)

    _print_Integer = _print_Rational

    def _print_Function(self, expr) -> str:
        """A function by the name of derivcli's row (`heaviside`, `lambertw`, `max`)."""
        name = name_of(expr) or type(expr).__name__
        args = expr.pargs if isinstance(expr, sympy.Heaviside) else expr.args
        return f"{name}({self.stringify(args, ', ')})"

    _print_Heaviside = _print_MinMaxBase = _print_Function  # sympy's own printers

    def _print_exp(self, expr) -> str:
        return "1/e" if expr == _ONE_OVER_E else self._print_Function(expr)

    def _as_ordered_terms(self, expr, order=None) -> list:
        """A sum's terms in sympy's order, its number last (`e - 1`, not `-1 + e`)."""
        terms = super()._as_ordered_terms(expr, order)
        return [t for t in terms if not t.is_Number] + [t for t in terms if t.is_Number]

    def _print_Mul(self, expr) -> str:
        coefficient, _ = expr.as_coeff_mul()
        factors = [f for f in expr.as_ordered_factors() if not f.is_Rational]
        if not coefficient.is_Rational:  # a Float coefficient: sympy's own form
            return super()._print_Mul(expr)
        sign = "-" if coefficient < 0 else ""
        numerator: list = [_integer(abs(coefficient.p))] if abs(coefficient.p) != 1 else []
        denominator: list = [_integer(coefficient.q)] if coefficient.q != 1 else []
        if denominator and "/" not in (shown := rational_text(abs(coefficient))):
            numerator, denominator = [shown], []  # a decimal: 3.1415926535897932·x
        for factor in factors:
            base, exponent = factor.as_base_exp()
            if factor == _ONE_OVER_E:
                denominator.append(sympy.E)
            elif factor.is_Pow and exponent.could_extract_minus_sign() and base is not sympy.E:
                denominator.append(base if exponent == -1 else _Power(base, -exponent))
            else:
                numerator.append(factor)
        text = sign + (self._product(numerator) if numerator else "1")
        if denominator:
            below = self._product(denominator)
            if len(denominator) > 1:  # a single sum is in brackets already
                below = f"({below})"
            text += "/" + below
        return text

    def _product(self, factors: list) -> str:
        """The factors joined: a number or a superscript next to a name or its power or
        root (`2x`, `3√x`, `x²y`), `·` elsewhere (`2·sin(y)`, `x·y`)."""
        text = ""
        for factor in factors:
            if isinstance(factor, str):
                part = factor
            elif isinstance(factor, _Power):
                part = self._power(factor.base, factor.exponent)
            elif _is_sum(factor) or (factor.is_Mul and factor.could_extract_minus_sign()):
                part = f"({self._print(factor)})"
            else:
                part = self._print(factor)
            if text:
                text += "" if _adjacent(text, factor, part) else "·"
            text += part
        return text

    def _print_Pow(self, expr, rational=False) -> str:
        base, exponent = expr.as_base_exp()
        if exponent.could_extract_minus_sign():
            if exponent == -1:
                below = self._print(base)
                return f"1/({below})" if _is_sum(base) or base.is_Mul else f"1/{below}"
            return "1/" + self._power(base, -exponent)
        return self._power(base, exponent)

    def _power(self, base, exponent) -> str:
        """base^exponent, whatever exponent's sign (which sympy may normalise again)."""
        if exponent is sympy.S.Half:
            return "√" + self._atom(base)
        shown = self._atom(base)
        if exponent.is_Integer and 1 < exponent <= MAX_SUPERSCRIPT:
            return shown + str(exponent).translate(_SUPERSCRIPTS)
        power = self._print(exponent)
        if not (exponent.is_Symbol or (exponent.is_Integer and exponent > 0)):
            power = f"({power})"
        return f"{shown}^{power}"

    def _atom(self, expr) -> str:
        """expr as the base of a power or a root: in brackets unless it is one token."""
        text = self._print(expr)
        single = (
            expr.is_Symbol
            or (expr.is_Integer and expr > 0 and text.isdigit())
            or expr in (sympy.E, sympy.pi)
            or (isinstance(expr, sympy.Function) and not expr.is_Pow)
        )
        return text if single and not text.startswith("-") and "/" not in text else f"({text})"


_ONE_OVER_E = sympy.exp(-1)


class _Power(NamedTuple):
    """A power of a denominator, kept apart from sympy, which would normalise it."""

    base: sympy.Expr
    exponent: sympy.Expr

    is_Add = is_Mul = is_Symbol = False
    is_Pow = True


def _integer(number: int) -> str:
    """An integer of a product's coefficient, as rational_text writes it (`3e600`)."""
    return rational_text(sympy.Integer(number))


def _is_sum(expr) -> bool:
    return isinstance(expr, sympy.Basic) and expr.is_Add


def _adjacent(before: str, factor, after: str) -> bool:
    """Whether after (factor's text) may follow before with no `·`: a number or a
    superscript, then a name, its power or its root (not a name starting with e after a
    number, which would read as the number's exponent)."""
    if isinstance(factor, str) or not (factor.is_Symbol or factor.is_Pow):
        return False
    if factor.is_Pow and not factor.base.is_Symbol:
        return False
    if before[-1] in _SUPERSCRIPT_DIGITS:
        return True
    return before.lstrip("-").isdigit() and after[0] not in "eE"
