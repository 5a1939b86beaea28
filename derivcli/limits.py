"""Cost bounds, checked from the values before sympy builds a number that would be too large.

Python's integers (sympy's numbers, without gmpy2) are built in C: a signal cannot
interrupt ``3**10**9`` or a square root of a 10,000-digit integer, so their cost is
bounded here beforehand. The time budget (derivcli.budget, and derivcli.cli.watchdog for
the console script) catches what remains.
"""

from __future__ import annotations

import math
import sys
from contextlib import contextmanager
from contextvars import ContextVar

from derivcli.errors import LimitError

# An expression's length: a 1,000-variable Rosenbrock function is 38,630 characters,
# and Linux passes one argument of up to 131,072 bytes. Its cost beyond parsing is held
# by the time budget (SymEngine differentiates such an expression in seconds).
MAX_INPUT_LENGTH = 100_000
MAX_POINT_LENGTH = 10_000  # a point's text, and each of its values
MAX_DEPTH = 200
MAX_LITERAL_DIGITS = 1_000
MAX_NUMBER_DIGITS = 100_000
MAX_ROOT_DIGITS = 1_000
MAX_ROOT_DIGITS_TOTAL = 10_000

# Printing a result converts integers to decimal text; Python refuses more than 4,300
# digits by default (a guard against slow conversions). The bounds above keep numbers
# far below this; the command line raises Python's limit to it (allow_long_integers),
# and a library caller's process keeps its own setting (symbolic.to_text falls back to
# 30 digits there).
_STR_DIGITS = 1_000_000


def allow_long_integers() -> None:
    """Let this process print the integers the bounds admit (for the command line)."""
    if hasattr(sys, "get_int_max_str_digits") and 0 < sys.get_int_max_str_digits() < _STR_DIGITS:
        sys.set_int_max_str_digits(_STR_DIGITS)


class _NumberBudget:
    """Digits spent on the numbers one expression builds, and on the roots it takes."""

    def __init__(self) -> None:
        self.digits = 0.0
        self.root_digits = 0.0


_number_budget: ContextVar[_NumberBudget | None] = ContextVar("number_budget", default=None)


@contextmanager
def number_budget():
    """Within the block, the numbers built (spend_digits, checked_pow) share one budget.

    Products and sums of numbers have at most as many digits as the numbers they
    combine, so bounding the digits of the literals, powers and function values an
    expression introduces bounds every number in it.
    """
    token = _number_budget.set(_NumberBudget())
    try:
        yield
    finally:
        _number_budget.reset(token)


def spend_digits(digits: float) -> None:
    """Count a new number's digits against the budget of the expression being built."""
    budget = _number_budget.get()
    if budget is None or digits <= 0:
        return
    budget.digits += digits
    if budget.digits > MAX_NUMBER_DIGITS:
        raise LimitError(
            f"the numbers in the expression would have more than {MAX_NUMBER_DIGITS:,} "
            "digits in all"
        )


def rational_digits(number) -> float:
    """Decimal digits of a rational's numerator and denominator together (0 for ±1)."""
    p, q = abs(int(number.p)), int(number.q)
    return (math.log10(p) if p > 1 else 0.0) + (math.log10(q) if q > 1 else 0.0)


def number_digits(expr) -> float:
    """Digits of the distinct rationals in expr, added up."""
    from sympy import Rational  # sympy is imported lazily: the CLI's --help stays fast

    if expr.is_Rational:
        return rational_digits(expr)
    return sum(rational_digits(atom) for atom in expr.atoms(Rational))


def exact_part_digits(expr) -> float | None:
    """Digits of the exact number that a power of expr would raise, or None if it has none.

    sympy raises rationals, powers of rationals (sqrt(2)) and the numeric factors of a
    product ((2*x)**n is 2**n*x**n) exactly; other bases (pi, x + 2, exp(1)) stay
    unevaluated.
    """
    if expr.is_Rational:
        return rational_digits(expr)
    if expr.is_Pow and expr.base.is_Rational and expr.exp.is_Rational:
        return rational_digits(expr.base) * abs(float(expr.exp))
    if expr.is_Mul:
        parts = [exact_part_digits(arg) for arg in expr.args]
        parts = [part for part in parts if part is not None]
        return sum(parts) if parts else None
    return None


def power_digits(base, exponent) -> float:
    """About how many digits the exact number in base**exponent has (0 when none is built)."""
    if not exponent.is_Rational or abs(exponent) <= 1:
        return 0.0
    digits = exact_part_digits(base)
    return 0.0 if digits is None else digits * abs(float(exponent))


# For a fractional exponent p/q sympy collects perfect powers from the base's prime
# factors, building prime**((e*p mod q)/g) for each: numbers of up to min(|p|, q) times
# the base's digits. At a float point, x**x at 0.429469 as a binary fraction (p and q
# near 2^54) built one of 10^17 digits, in C where no alarm reaches (seen as a hang).
# Typed decimals (q = 10^k) stay far below this.
MAX_FRACTION_TERMS = 10**9


def check_fraction_power(base, exponent) -> None:
    """Refuse a power of a number to a fraction whose numerator and denominator are huge."""
    if not (exponent.is_Rational and not exponent.is_Integer):
        return
    if min(abs(int(exponent.p)), int(exponent.q)) > MAX_FRACTION_TERMS and exact_part_digits(base):
        raise LimitError(
            f"the power {describe(base)}^{describe(exponent)} is too costly to build exactly"
        )


def checked_pow(base, exponent):
    """base**exponent, refused when the exact number it builds would be too large.

    Also refused: a fractional power (a root) of a rational with more than
    MAX_ROOT_DIGITS digits, which sympy tries to factor (see check_root).
    """
    base, exponent = _integer(base), _integer(exponent)
    digits = power_digits(base, exponent)
    if digits > MAX_NUMBER_DIGITS:
        raise LimitError(
            f"the power {describe(base)}^{describe(exponent)} would have about "
            f"{_readable(digits)} digits; the limit is {MAX_NUMBER_DIGITS:,}"
        )
    check_root(base, exponent)
    check_fraction_power(base, exponent)
    spend_digits(digits)
    return base**exponent


def _integer(value):
    from sympy import Integer

    return Integer(value) if isinstance(value, int) else value


def check_root(base, exponent) -> None:
    """Refuse a fractional power of a rational too large for sympy to simplify quickly.

    sympy factors the number (a square root of a 1,000-digit integer takes 0.1 s, of
    a 3,000-digit one 3 s), so each root is bounded, and so are all of an
    expression's roots together.
    """
    if not (exponent.is_Rational and not exponent.is_Integer):
        return
    digits = exact_part_digits(base) or 0.0
    if digits > MAX_ROOT_DIGITS:
        raise LimitError(
            f"a root of a number with about {_readable(digits)} digits; "
            f"the limit is {MAX_ROOT_DIGITS:,} digits"
        )
    budget = _number_budget.get()
    if budget is not None and digits > 0:
        budget.root_digits += digits
        if budget.root_digits > MAX_ROOT_DIGITS_TOTAL:
            raise LimitError(
                f"the roots in the expression are of numbers with more than "
                f"{MAX_ROOT_DIGITS_TOTAL:,} digits in all"
            )


def describe(expr) -> str:
    """Short text for a number in a message: large numbers by their size, not their digits."""
    if expr.is_Rational and rational_digits(expr) > 40:
        return f"(a {_readable(rational_digits(expr))}-digit number)"
    if expr.is_Atom and not (expr.is_Number and expr.is_negative):
        return str(expr)
    digits = exact_part_digits(expr)
    if digits is not None and digits > 40:
        return f"(a number with {_readable(digits)} digits)"
    return f"({expr})"


def _readable(digits: float) -> str:
    return f"{digits:,.0f}" if digits < 1e15 else f"{digits:.1e}"
