"""Time budgets: the work stops with LimitError when it runs longer than it may.

    with budget.time_budget(2.0) as deadline:
        ...  # LimitError after 2 s of work
        work(deadline=deadline)  # which calls deadline.check() between its units

In the main thread an alarm (SIGALRM, a repeating interval timer) interrupts Python
code, where sympy spends its time. In other threads there is no alarm: the work checks
the Deadline it was handed between units (entries, chunks, partial derivatives), which
raises once the budget is spent. A Deadline is an object, so it holds in whichever
thread the work runs (the Derivatives, the verdicts, the display forms and the
streamed chunks take one; where none is handed, they take current(), the innermost
budget of their own thread). Under the console script a supervising process
(derivcli.cli.watchdog) also ends the work shortly after the outermost budget runs
out, when C code does not return.

What a host program can rely on:
- Budgets nest, and an inner one never outlasts the outer ones. The alarm raises
  BudgetExpired, a BaseException (like KeyboardInterrupt) that the budget it belongs to
  turns into LimitError, so that library code's ``except Exception`` cannot swallow it
  and an inner budget's ``except LimitError`` cannot swallow an outer one's.
- The alarm never raises inside an import (a half-imported torch crashed the process
  at its next use), nor inside the budget's own bookkeeping: it looks at the frames it
  interrupts and, where it may not raise, comes back 0.1 s later.
- Leaving the outermost budget leaves no timer: the host's SIGALRM handler is back,
  and an alarm the host had pending (signal.alarm, setitimer) fires when it was due —
  inside a budget, the host's handler is called at that time.
- Time inside unbudgeted() (imports) does not count.
"""

from __future__ import annotations

import importlib
import math
import numbers
import os
import signal
import sys
import threading
import time
from contextvars import ContextVar

from derivcli.errors import InputError, LimitError

DEFAULT_TIMEOUT = 20.0
_REPEAT_SECONDS = 0.1  # how soon the alarm comes back where it could not raise
_LONGEST_DELAY = 86_400.0  # a longer budget re-arms the alarm when it wakes early
_SIGNALS = hasattr(signal, "setitimer")

# How a message tells the user to raise the budget: the command line words it in its
# own flags (cli sets this while it runs a command).
timeout_hint: ContextVar[str] = ContextVar(
    "timeout_hint", default="pass a larger timeout= (seconds; None for no limit)"
)


def check_timeout(seconds, name: str = "timeout") -> float | None:
    """seconds as a float, or None for no limit (None, 0 or inf); refuse anything else."""
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real):
        raise InputError(
            f"{name} must be a number of seconds (0 or None for no limit), "
            f"not {type(seconds).__name__}"
        )
    value = float(seconds)
    if math.isnan(value) or value < 0:
        raise InputError(f"{name} must be a number of seconds, 0 or more, not {seconds}")
    return value if 0 < value < math.inf else None


def timeout_message(seconds: float, what: str = "the computation") -> str:
    """The message for a time budget that ran out."""
    return (
        f"{what} took longer than the time budget of {seconds:g} s; "
        f"{timeout_hint.get()}, or simplify the expression"
    )


class BudgetExpired(BaseException):
    """A time budget ran out; the budget it belongs to turns it into LimitError."""

    def __init__(self, budget: Deadline):
        super().__init__(budget.message)
        self.budget = budget


class Deadline:
    """When a budget runs out: what ``with time_budget(s) as deadline`` gives the work it
    covers, and what that work hands down to the functions it calls, in any thread.

    A deadline knows those it is nested in (outers: this thread's enclosing budget, and
    a caller's deadline from another thread), and an inner one never outlasts them:
    check() and remaining() look at the whole chain.
    """

    __slots__ = ("at", "message", "outers")

    def __init__(self, seconds: float, message: str, *outers: Deadline):
        self.at = time.monotonic() + seconds
        self.message = message
        self.outers = tuple(outer for outer in outers if outer is not None)

    @property
    def outer(self) -> Deadline | None:
        """The deadline this one is nested in first (None for an outermost one)."""
        return self.outers[0] if self.outers else None

    def chain(self) -> list[Deadline]:
        """This deadline and those it is nested in, outermost first, each once."""
        chain: list[Deadline] = []
        for outer in self.outers:
            chain.extend(d for d in outer.chain() if not any(d is c for c in chain))
        chain.append(self)
        return chain

    def check(self) -> None:
        """Stop here once this deadline or one it is nested in has passed; work calls it
        between units.

        For a deadline of a budget open in this thread: BudgetExpired, which that budget
        turns into LimitError (so that an inner budget's ``except LimitError`` cannot
        swallow an outer one's). For any other (a caller's, handed to a worker thread,
        or one whose budget has ended): LimitError at once.
        """
        if _thread.paused:
            return
        now = time.monotonic()
        for deadline in self.chain():  # outermost first: an inner one cannot swallow it
            if now >= deadline.at:
                if any(deadline is b for b in _thread.budgets):
                    raise BudgetExpired(deadline)
                raise LimitError(deadline.message)

    def remaining(self) -> float | None:
        """Seconds left (None: no limit), so that optional work (simplifying for display)
        can fit in what is left."""
        if _thread.paused:
            return None
        return max(0.0, min(d.at for d in self.chain()) - time.monotonic())


class _NoDeadline(Deadline):
    """No limit: what time_budget(None) gives outside any budget."""

    def __init__(self) -> None:
        self.at, self.message, self.outers = math.inf, "", ()

    def check(self) -> None:
        return None

    def remaining(self) -> None:
        return None


NO_DEADLINE = _NoDeadline()


def current() -> Deadline:
    """The innermost deadline of this thread's budgets (NO_DEADLINE outside any): where
    work that is handed no deadline takes its own from."""
    return _thread.budgets[-1] if _thread.budgets else NO_DEADLINE


class _Thread(threading.local):
    def __init__(self) -> None:
        self.budgets: list[Deadline] = []  # outermost first
        self.paused = 0


_thread = _Thread()


class _Host:
    """What the host had set for SIGALRM before the outermost budget."""

    handler = signal.SIG_DFL
    due: float | None = None  # when its pending alarm is due, on the monotonic clock
    interval = 0.0


_host = _Host()
_previous_hook = None


def _alarmed() -> bool:
    """Whether budgets in this thread use the alarm (the main thread, where it exists)."""
    return _SIGNALS and threading.current_thread() is threading.main_thread()


class time_budget:  # noqa: N801 - used like a function: with time_budget(2):
    """Raise LimitError when the block runs longer than seconds (None, 0 or inf: no limit).

    ``with time_budget(2) as deadline:`` gives the block's Deadline, to hand down.
    within: a deadline from another thread to nest in as well (a worker's budget then
    ends no later than its caller's, checked between units; the alarm, in the main
    thread, keeps this thread's own budgets)."""

    def __init__(
        self, seconds: float | None, what: str = "the computation", within: Deadline | None = None
    ):
        self.seconds = check_timeout(seconds)
        self.what = what
        self.within = within  # the deadline to nest in, where it is not this thread's
        self._budget: Deadline | None = None

    def __enter__(self) -> Deadline:
        """The block's deadline (with no seconds, the one it runs within)."""
        enclosing = _thread.budgets[-1] if _thread.budgets else None
        if self.seconds is None:
            if self.within is not None and enclosing is not None:
                return Deadline(math.inf, "", enclosing, self.within)
            return self.within or enclosing or NO_DEADLINE
        message = timeout_message(self.seconds, self.what)
        budget = Deadline(self.seconds, message, enclosing, self.within)
        if not _alarmed():
            _thread.budgets.append(budget)
            self._budget = budget
            return budget
        if not _thread.budgets:
            _install(self.seconds, budget.message)
        _thread.budgets.append(budget)
        self._budget = budget
        _arm()
        return budget

    def __exit__(self, kind, error, traceback) -> bool:
        budget, self._budget = self._budget, None
        if budget is None:
            return False
        _remove(budget)
        if _alarmed():
            if _thread.budgets:
                _arm()
            else:
                _uninstall()
        if isinstance(error, BudgetExpired) and error.budget is budget:
            raise LimitError(budget.message) from None
        return False


def checkpoint() -> None:
    """current().check(): for work that was handed no deadline.

    Work that can run in a worker thread checks its deadline between units; in the main
    thread the alarm does the same between any two bytecodes.
    """
    current().check()


def remaining() -> float | None:
    """current().remaining()."""
    return current().remaining()


class unbudgeted:  # noqa: N801
    """Within the block, no budget of this thread runs out, and the time does not count."""

    def __enter__(self) -> unbudgeted:
        self._start = time.monotonic()
        _thread.paused += 1
        if _thread.budgets and _alarmed():
            _tell_watchdog("stop")
        return self

    def __exit__(self, *exc) -> bool:
        _thread.paused -= 1
        spent = time.monotonic() - self._start
        if not _thread.budgets or _thread.paused:
            return False
        # every deadline this thread's work is held to, a caller's in another thread too
        # (the work waited here for all of them), each once
        held: dict[int, Deadline] = {}
        for budget in _thread.budgets:
            held.update((id(d), d) for d in budget.chain())
        for deadline in held.values():
            deadline.at += spent
        if _alarmed():
            _arm()
            outermost = _thread.budgets[0]
            left = max(outermost.at - time.monotonic(), 1e-3)
            _tell_watchdog(f"start {left!r} {outermost.message}")
        return False


def unbudgeted_import(name: str):
    """importlib.import_module(name), outside any budget (torch's import takes 2 s)."""
    with unbudgeted():
        return importlib.import_module(name)


# --- the alarm (main thread) ------------------------------------------------------


# The bookkeeping does not block SIGALRM: in a process with other threads (torch has
# a pool) the kernel then hands the alarm to another thread, whose handler trips
# Python's flag later, possibly once the host's handler is back (seen as a stray call
# of it under load). Unblocked, Linux gives the alarm to the main thread, at once; the
# handler, seeing bookkeeping in the frames it interrupts, does nothing there.


def _install(seconds: float, message: str) -> None:
    """Take SIGALRM for the outermost budget, keeping what the host had set."""
    global _previous_hook
    delay, interval = signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        _drain()  # a host alarm that fired just now reaches the host's handler
    except BaseException:
        if delay > 0 or interval > 0:
            signal.setitimer(signal.ITIMER_REAL, delay or interval, interval)
        raise
    _host.handler = signal.signal(signal.SIGALRM, _on_alarm)
    _host.due = time.monotonic() + delay if delay > 0 else None
    _host.interval = interval
    _previous_hook, sys.unraisablehook = sys.unraisablehook, _quiet_hook(sys.unraisablehook)
    _tell_watchdog(f"start {seconds!r} {message}")


def _uninstall() -> None:
    """The outermost budget is left: no timer of ours, the host's handler and alarm back."""
    signal.setitimer(signal.ITIMER_REAL, 0)
    _drain()  # an alarm already tripped runs _on_alarm now, not the host's handler later
    signal.signal(signal.SIGALRM, signal.SIG_DFL if _host.handler is None else _host.handler)
    if _host.due is not None:
        signal.setitimer(
            signal.ITIMER_REAL, max(_host.due - time.monotonic(), 1e-6), _host.interval
        )
    _host.due, _host.interval = None, 0.0
    sys.unraisablehook = _previous_hook
    _tell_watchdog("stop")


def _drain() -> None:
    """Nothing: calling a Python function runs any signal handler already due."""


def _remove(budget: Deadline) -> None:
    budgets = _thread.budgets
    for i in range(len(budgets) - 1, -1, -1):
        if budgets[i] is budget:
            del budgets[i]
            return


def _arm() -> None:
    times = [budget.at for budget in _thread.budgets]
    if _host.due is not None:
        times.append(_host.due)
    # A deadline already past fires at once (setitimer needs a positive delay). The
    # alarm repeats until it is re-armed or the budget is left: where it could not
    # raise (an import, a gc callback), it comes back.
    delay = min(max(min(times) - time.monotonic(), 1e-4), _LONGEST_DELAY)
    signal.setitimer(signal.ITIMER_REAL, delay, _REPEAT_SECONDS)


def _on_alarm(signum, frame) -> None:
    if not _thread.budgets or _thread.paused or _unsafe(frame):
        return  # the repeating alarm comes back
    now = time.monotonic()
    if _host.due is not None and now >= _host.due:
        _host.due = now + _host.interval if _host.interval > 0 else None
        _arm()
        _call_host(signum, frame)
    for budget in _thread.budgets:  # outermost first: an inner one cannot swallow it
        if now >= budget.at:
            raise BudgetExpired(budget)
    _arm()  # woke early (clock granularity), or for the host: wait for the deadline


def _call_host(signum, frame) -> None:
    handler = _host.handler
    if callable(handler):
        handler(signum, frame)
    elif handler == signal.SIG_DFL:  # the host's alarm ends the process, as it would have
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.raise_signal(signal.SIGALRM)


def _unsafe(frame) -> bool:
    """Whether the interrupted code is an import or this module's bookkeeping."""
    while frame is not None:
        code = frame.f_code
        if code in _BOOKKEEPING or code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


_BOOKKEEPING = {
    function.__code__
    for function in (
        time_budget.__enter__,
        time_budget.__exit__,
        unbudgeted.__enter__,
        unbudgeted.__exit__,
        checkpoint,
        Deadline.check,
        Deadline.chain,
        Deadline.remaining,
        _install,
        _uninstall,
        _drain,
        _remove,
        _arm,
        _on_alarm,
        _call_host,
    )
}


def _quiet_hook(previous):
    # An alarm that lands in a gc or weakref callback cannot stop the work there; Python
    # would print it as an ignored exception. Drop it quietly: the alarm repeats.
    def hook(unraisable):
        if not isinstance(unraisable.exc_value, BudgetExpired | LimitError):
            previous(unraisable)

    return hook


# --- the watchdog (console script) ------------------------------------------------

# The write end of the pipe to derivcli.cli.watchdog's supervisor, in the worker process of
# the console script; None elsewhere (the Python API, typer's CliRunner).
_watchdog_fd: int | None = None


def connect_watchdog(fd: int | None) -> None:
    """Report time budgets to a supervising process through the pipe fd (None: stop)."""
    global _watchdog_fd
    _watchdog_fd = fd


def _tell_watchdog(line: str) -> None:
    if _watchdog_fd is None:
        return
    try:
        os.write(_watchdog_fd, (line.replace("\n", " ") + "\n").encode())
    except OSError:
        pass  # the supervisor is gone; the alarm still holds for Python code
