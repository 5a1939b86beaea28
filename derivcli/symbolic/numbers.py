"""Numbers for people: points as typed or as short decimals, exact values with a
certified decimal beside them, never a 300-digit integer or a 34-digit rational.

Every exact form here parses back in derivcli to the same number (`1e300`, `0.1`,
`2/3`); an approximation is marked `≈` and its digits are those of the certified
evaluation (check/precision.py), rounded once.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal

import mpmath
import sympy

SHORT = 24  # characters: a longer exact number is shown as its decimal
INTEGER_DIGITS = 16  # an integer up to this long is written out, a longer one as 1e300
POINT_DIGITS = 17
MAX_BINARY_EXPONENT = 3_000_000  # beyond 2^this (10^903090): written as 10^(its log10)
SHORT_FRACTION = 12  # characters: a fraction up to this long stays a fraction inside math


def short_rational(value: sympy.Rational) -> str | None:
    """The exact text of a rational as a person would write it (`0.1`, `1/3`, `1e300`,
    `2.5e-7`, a decimal unless the fraction is much shorter), or None where every
    exact text is longer than SHORT."""
    fraction = str(value.p) if value.q == 1 else f"{value.p}/{value.q}"
    if value.q == 1 and len(fraction) <= INTEGER_DIGITS:
        return fraction
    decimal = _terminating(value)
    decimals = []
    if decimal is not None:
        decimals.append(_scientific(decimal))
        if abs(decimal.adjusted()) <= SHORT:
            decimals.append(format(_normal(decimal), "f"))
    best = min(decimals, key=len, default=None)
    if best is not None and len(best) <= min(len(fraction) + 2, SHORT):
        return best
    return fraction if len(fraction) <= SHORT else best if best and len(best) <= SHORT else None


def rational_text(value: sympy.Rational) -> str:
    """A rational inside one-line math, exact and parseable back: `2/3`, `1/4`, `1e300`,
    `3.141592653589793`; p/q where it is short, else short_rational's decimal, else p/q
    (a long fraction, which the table replaces by its decimal: display.ExactForms)."""
    fraction = str(value.p) if value.q == 1 else f"{value.p}/{value.q}"
    if len(fraction) <= max(SHORT_FRACTION, INTEGER_DIGITS if value.q == 1 else 0):
        return fraction
    return short_rational(value) or fraction


def _terminating(value: sympy.Rational) -> Decimal | None:
    """value as an exact Decimal where its denominator is 2^a·5^b (and short)."""
    q, twos, fives = int(value.q), 0, 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    places = max(twos, fives)
    if q != 1 or places > 400:
        return None
    scaled = int(value.p) * 2 ** (places - twos) * 5 ** (places - fives)
    return Decimal(scaled).scaleb(-places, Context(prec=len(str(abs(scaled))) + 2))


def _normal(number: Decimal) -> Decimal:
    """number without trailing zeros, exactly (Decimal.normalize rounds to the context's
    28 digits: 10^300 + 2 became 1e300)."""
    return number.normalize(Context(prec=max(len(number.as_tuple().digits), 1)))


def _scientific(number: Decimal) -> str:
    sign, digits, exponent = _normal(number).as_tuple()
    mantissa = "".join(map(str, digits))
    power = exponent + len(mantissa) - 1
    shown = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    return f"{'-' if sign else ''}{shown}e{power}"


def decimal_text(value: mpmath.mpf, digits: int) -> str:
    """value rounded once to digits significant digits, written as %g writes a float."""
    if mpmath.isinf(value) or mpmath.isnan(value):
        return str(float(value))
    if value != 0 and abs(mpmath.mag(value)) > MAX_BINARY_EXPONENT:
        return power_of_ten(value, digits)
    exact = Decimal(mpmath.nstr(value, max(digits + 10, 25), strip_zeros=False))
    number = Context(prec=digits, rounding=ROUND_HALF_EVEN).plus(exact)
    if number == 0:
        return "0"
    power = number.adjusted()
    if -4 <= power < digits:
        text = format(number, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    sign, mantissa, _ = number.normalize().as_tuple()
    shown = "".join(map(str, mantissa))
    shown = shown[0] + ("." + shown[1:] if len(shown) > 1 else "")
    return f"{'-' if sign else ''}{shown}e{'-' if power < 0 else '+'}{abs(power):02d}"


def power_of_ten(value: mpmath.mpf, digits: int) -> str:
    """A number beyond 10^(±10^6) as `10^(4.34294e+299)` (`-10^(…)` below zero): its
    log10 to digits significant digits; a mantissa beside an exponent so long would
    say nothing the exponent's own rounding does not swamp."""
    with mpmath.workprec(max(mpmath.mp.prec, 64)):
        exponent = mpmath.log10(abs(value))
    sign = "-" if value < 0 else ""
    return f"{sign}10^({decimal_text(exponent, digits)})"


def point_text(value: sympy.Expr) -> str:
    """A point's value for headers and warnings: as typed where that is short (`pi/4`,
    `0.1`, `1e300`), else a 17-digit decimal marked `≈`."""
    from derivcli.symbolic.math_text import math_text

    if value.is_Rational:
        exact = short_rational(value)
        if exact is not None:
            return exact
    else:
        shown = math_text(value)
        if len(shown) <= SHORT:
            return shown
    real = _real(value)
    return "?" if real is None else "≈ " + decimal_text(real, POINT_DIGITS)


def approximation(value: sympy.Expr, digits: int) -> str | None:
    """`≈ 8.11771` for an exact value that is not already a short decimal or an
    integer: from the certified evaluation; None where none is needed or known."""
    if value.is_Integer or not value.is_number:
        return None
    if value.is_Rational:
        exact = short_rational(value)
        if exact is not None and (value.q == 1 or "/" not in exact):
            return None
        decimal = _terminating(value)
        if decimal is not None and len(_normal(decimal).as_tuple().digits) <= digits:
            return "= " + decimal_text(mpmath.mpf(str(decimal)), digits)
    return certified_decimal(value, digits)


def certified_decimal(value: sympy.Expr, digits: int) -> str | None:
    """`≈ 2.67873e+300`: value's certified decimal, None where it has none."""
    real = _real(value)
    return None if real is None else "≈ " + decimal_text(real, digits)


def _real(value: sympy.Expr) -> mpmath.mpf | None:
    from derivcli.check.precision import real_value

    real = real_value(value)
    if real is None or not real.certified or mpmath.isnan(real.value):
        return None
    return real.value
