"""Display forms: the table's entries simplified where that is shorter and in time."""

from __future__ import annotations

import re
import time

import mpmath
import sympy

from derivcli import budget, recursion
from derivcli.nested import flatten, map_nested
from derivcli.symbolic.exact import to_text
from derivcli.symbolic.math_text import math_text, python_to_math

DISPLAY_SECONDS = 2.0  # simplification for display, all entries together
# ... and at most this share of what is left of the caller's budget: display forms are
# optional, and a table must not run out of time where json would not.
DISPLAY_SHARE = 0.5
SIMPLIFY_MIN_OPS = 12  # smaller entries are shown as they are
SHORTEN_OPS = 400  # larger entries are shown shortened in the table


def display_forms(matrix, printed=None, deadline=None) -> list:
    """Texts for the table: simplified where that is shorter and fits the time budget,
    shortened (with their size) where they are too large to read.

    printed: the entries as to_text printed them, in the matrix's shape (they are not
    printed again); entries of a backend other than sympy are shown as printed,
    shortened by length. All of it is held to DISPLAY_SECONDS and a grace: past that, the
    printed entries stand, shortened by length, whatever called for the table (a
    Python program's result.shown runs under no budget of the caller's). deadline: the
    one the table is made within (by default, that of the budget this runs in, when
    the table is asked for).
    """
    deadline = deadline or budget.current()
    from derivcli.errors import LimitError
    from derivcli.symbolic import backend

    entries = flatten(matrix)
    if printed is not None and entries and backend.of(entries[0]).name != "sympy":
        # Another backend's entries are those of a large problem (symbolic.choice), where
        # sympy's simplification would spend the whole display budget (one
        # Lennard-Jones entry ran past 60 s): printed forms, shortened.
        return map_nested(lambda text: _shortened(python_to_math(text)), printed)

    left = deadline.remaining()
    seconds = DISPLAY_SECONDS if left is None else min(DISPLAY_SECONDS, DISPLAY_SHARE * left)
    until = time.monotonic() + seconds
    done: dict[sympy.Basic, str] = {}

    def display(expr: sympy.Expr, text: str | None) -> str:
        if expr in done:
            return done[expr]
        forms.check()
        shown, ops = expr, sympy.count_ops(expr)
        remaining = until - time.monotonic()
        if SIMPLIFY_MIN_OPS < ops <= SHORTEN_OPS and remaining > 0:
            try:
                with budget.time_budget(min(remaining, 0.5), "simplification"):
                    simpler = sympy.simplify(expr)
                if sympy.count_ops(simpler) < ops:
                    shown, ops = simpler, sympy.count_ops(simpler)
            except LimitError:
                pass
        text = math_text(shown) if ops <= SHORTEN_OPS or text is None else python_to_math(text)
        if ops > SHORTEN_OPS:
            text = f"{text[:60]}… ({ops:,} operations; --format json shows it in full)"
        done[expr] = text
        return text

    texts = flatten(printed) if printed is not None else [None] * len(flatten(matrix))
    pairs = iter(zip(flatten(matrix), texts, strict=True))
    try:
        budgeted = budget.time_budget(seconds + DISPLAY_GRACE, "the display forms", deadline)
        with budgeted as forms:
            with recursion.room_for(flatten(matrix), refuse=True):
                return map_nested(lambda _: display(*next(pairs)), matrix)
    except LimitError:
        if printed is None:
            raise
        return map_nested(lambda text: _shortened(python_to_math(text)), printed)


DISPLAY_GRACE = 1.0  # seconds beyond DISPLAY_SECONDS for counting and printing


def _shortened(text: str) -> str:
    if len(text) <= 4 * SHORTEN_OPS:
        return text
    return f"{text[:60]}… ({len(text):,} characters; --format json shows it in full)"


EXACT_SECONDS = 2.0  # simplifying exact values for the table, all points together
# ... and at most this for one value: simplify(expand_log(-2*log(8)/log(2)**2)) takes
# 0.20 s the first time here (2 ms once sympy's cache holds it), more on a loaded machine.
EXACT_EACH = 1.0
EXACT_MAX_OPS = 100  # larger exact values are shown as they are
LONG_NUMBER = 160  # characters: a longer exact value is shown by its decimal and size
# ... as is one with a number longer than this in it (a 40-digit fraction does not read)
LONG_RATIONAL = 30
_NUMBER = re.compile(r"\d[\d.]*(?:e-?\d+)?(?:/\d+)?")


# The JSON's zoo (complex infinity: 1/(2*sqrt(0))) has no sign; the reason beside it
# says "complex infinity".
_INFINITIES = {sympy.zoo: "±∞", sympy.oo: "∞", -sympy.oo: "-∞"}


class ExactForms:
    """The table's exact values: simplified within EXACT_SECONDS for all the points of
    a result together (each value once), printed as one-line math, a certified
    decimal beside the ones that are not integers or short decimals."""

    def __init__(self):
        self.until: float | None = None
        self.simplified: dict = {}

    def texts(self, values: list, digits: int) -> list:
        """The flat list of values (sympy numbers, None for none) as the table shows them."""
        if self.until is None:
            self.until = time.monotonic() + EXACT_SECONDS
        return [None if value is None else self.text(value, digits) for value in values]

    def text(self, value, digits: int) -> str:
        """One exact value: `-6/log(2) ≈ -8.65617`, `1e300`, `2/3 ≈ 0.666667`; as the
        JSON has it where it is too extreme to evaluate (exp(exp(exp(exp(700)))))."""
        from derivcli.check.precision import too_extreme

        if not isinstance(value, sympy.Basic):
            return str(value)
        if value in _INFINITIES:
            return _INFINITIES[value]
        saved = mpmath.mp.prec
        try:
            if not too_extreme(value):
                return self._text(value, digits)
        except (OverflowError, KeyError, ValueError, TypeError, RecursionError, MemoryError):
            mpmath.mp.prec = saved  # sympy's assumptions evaluate in mpmath (exact.py)
        return to_text(value)

    def _text(self, value, digits: int) -> str:
        from derivcli.symbolic.numbers import approximation, certified_decimal, short_rational

        value = self.simpler(value)
        beside = approximation(value, digits)
        if value.is_Rational:
            shown = short_rational(value) or math_text(value)
        else:
            shown = math_text(value)
        longest = max(map(len, _NUMBER.findall(shown)), default=0)
        if len(shown) > LONG_NUMBER or longest > LONG_RATIONAL:
            beside = beside or certified_decimal(value, digits)  # a 301-digit integer's
            if beside is not None:
                return f"{beside} ({len(shown):,} characters exact; --format json shows it)"
        return shown if beside is None else f"{shown} {beside}"

    def simpler(self, value: sympy.Expr) -> sympy.Expr:
        """value simplified where that is shorter and time is left."""
        from derivcli.errors import LimitError

        if value in self.simplified:
            return self.simplified[value]
        simpler, ops = value, sympy.count_ops(value)
        remaining = self.until - time.monotonic()
        if 2 < ops <= EXACT_MAX_OPS and remaining > 0 and value.is_number:
            try:
                with budget.time_budget(min(remaining, EXACT_EACH), "simplification"):
                    found = sympy.simplify(sympy.expand_log(value))
                if sympy.count_ops(found) < ops and not found.has(sympy.I):
                    simpler = found
            except (LimitError, ArithmeticError, ValueError, TypeError, RecursionError):
                pass
        self.simplified[value] = simpler
        return simpler
