"""Cost bounds: checked before sympy builds a number that would be too large."""

from __future__ import annotations

import math
import signal
import threading
from contextlib import contextmanager

from derivcli.errors import LimitError

MAX_INPUT_LENGTH = 10_000
MAX_DEPTH = 200
MAX_LITERAL_DIGITS = 1_000
MAX_NUMBER_DIGITS = 100_000


def checked_pow(base, exponent):
    """base**exponent, refused when the exact number it builds would be too large."""
    if base.is_number and exponent.is_Rational and abs(exponent) > 1:
        digits = _digits_estimate(base, exponent)
        if digits > MAX_NUMBER_DIGITS:
            raise LimitError(
                f"the power ({base})^({exponent}) would have about {_readable(digits)} digits; "
                f"the limit is {MAX_NUMBER_DIGITS:,}"
            )
    return base**exponent


def _digits_estimate(base, exponent) -> float:
    if base.is_Rational:
        size = max(abs(base.p), abs(base.q))
        log10_size = (size.bit_length() - 1) * math.log10(2) if size > 1 else 0.0
    else:
        magnitude = abs(complex(base.evalf(15)))
        if magnitude == 0 or not math.isfinite(magnitude):
            return 0.0
        log10_size = abs(math.log10(magnitude))
    return float(abs(exponent)) * log10_size


def _readable(digits: float) -> str:
    return f"{digits:,.0f}" if digits < 1e15 else f"{digits:.1e}"


DEFAULT_TIMEOUT = 20.0


@contextmanager
def time_budget(seconds: float | None, what: str = "the symbolic work"):
    """Raise LimitError when the block runs longer than seconds (main thread only).

    The alarm interrupts Python code, which is where sympy spends its time; the
    numbers that C code would take too long to build are refused beforehand by
    checked_pow and the parser's bounds.
    """
    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise LimitError(
            f"{what} took longer than the time budget of {seconds:g} s; "
            "raise it with --timeout, or simplify the expression"
        )

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
