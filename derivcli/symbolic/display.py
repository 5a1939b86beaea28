"""Display forms: the table's entries simplified where that is shorter and in time."""

from __future__ import annotations

import time

import sympy

from derivcli import budget, recursion
from derivcli.nested import flatten, map_nested
from derivcli.symbolic.exact import to_text

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
        return map_nested(_shortened, printed)

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
        if shown is not expr or text is None:
            text = to_text(shown)
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
        return map_nested(_shortened, printed)


DISPLAY_GRACE = 1.0  # seconds beyond DISPLAY_SECONDS for counting and printing


def _shortened(text: str) -> str:
    if len(text) <= 4 * SHORTEN_OPS:
        return text
    return f"{text[:60]}… ({len(text):,} characters; --format json shows it in full)"
