"""Time budgets: exit 4 with a message that says what to do, in Python code and inside C
code, and never a trace left in the host program (handler, timer, pending alarm)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import derivcli
import derivcli.cli.app
from derivcli import budget
from derivcli.budget import time_budget, unbudgeted
from derivcli.cli import watchdog
from derivcli.errors import InputError, LimitError

# Legitimately slow: 3,600 Hessian entries, each a product of 60 factors (about 40 s here).
SLOW = "*".join(f"sin(x{i})" for i in range(60))
# SLOW is slow in sympy (92 s for its Hessian); SymEngine, which "auto" takes for it,
# makes the Hessian in 0.2 s. These tests are of the budget: they pin sympy.
SYMPY = ("--symbolic", "sympy")

# The command line, with the symbolic work stuck first in C code that does not look at
# signals (CPython's big-integer arithmetic does; OpenSSL's key derivation does not):
# a billion rounds take minutes.
STUCK_IN_C = """
import hashlib, sys
from derivcli import symbolic
original = symbolic.Derivatives.__init__

def stuck(*args, **options):
    hashlib.pbkdf2_hmac("sha256", b"x", b"y", 10**9)
    return original(*args, **options)

symbolic.Derivatives.__init__ = stuck
from derivcli.cli.app import main
sys.argv = ["derivcli", *sys.argv[1:]]
main()
"""


def _run(args: list[str], timeout: float = 60, **kwargs):
    start = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    return done, time.monotonic() - start


def _python(code: str, timeout: float = 60):
    return _run([sys.executable, "-c", textwrap.dedent(code)], timeout=timeout)


def _assert_timed_out(done: subprocess.CompletedProcess, seconds: str) -> None:
    assert done.returncode == 4, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("derivcli: error: ")
    assert f"time budget of {seconds} s" in done.stderr
    assert "--timeout" in done.stderr  # says what to do
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


@pytest.fixture
def host_alarm():
    """A host program's SIGALRM handler, counting its calls; restored after the test."""
    calls = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: calls.append(time.monotonic()))
    yield calls
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def _assert_clean(handler) -> None:
    assert budget._thread.budgets == []
    assert signal.getsignal(signal.SIGALRM) is handler
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# --- the console script -----------------------------------------------------------


@pytest.mark.slow
def test_console_script_stops_a_slow_input():
    done, elapsed = _run(
        [sys.executable, "-m", "derivcli", "hessian", SLOW, *SYMPY, "--timeout", "1"]
    )
    _assert_timed_out(done, "1")
    assert elapsed < 15


@pytest.mark.slow
def test_console_script_stops_c_code_that_ignores_the_alarm():
    done, elapsed = _run([sys.executable, "-c", STUCK_IN_C, "grad", "x^2", "--timeout", "1"])
    _assert_timed_out(done, "1")
    assert elapsed < 15


@pytest.mark.slow
def test_without_the_watchdog_c_code_outlasts_the_alarm():
    # the test above can fail: the alarm alone does not stop C code
    env = {**os.environ, "DERIVCLI_NO_WATCHDOG": "1"}
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run(
            [sys.executable, "-c", STUCK_IN_C, "grad", "x^2", "--timeout", "1"],
            capture_output=True,
            timeout=4,
            env=env,
        )


@pytest.mark.slow
def test_the_budget_does_not_count_the_import_of_torch():
    # importing torch takes about 2 s here, the work a few tenths
    args = ["grad", "x^2", "--at", "x=1", "--format", "plain", "--timeout", "1.5"]
    done, _ = _run([sys.executable, "-m", "derivcli", *args])
    assert (done.returncode, done.stdout, done.stderr) == (0, "2.0\n", "")


@pytest.mark.slow
def test_a_given_budget_covers_streamed_points():
    # 36 million points as csv: a minute of work
    args = ["grad", "sin(x)*y", "--grid", "x=0:1:6000,y=0:1:6000", "-f", "csv", "--timeout", "1"]
    command = [sys.executable, "-m", "derivcli", *args]
    start = time.monotonic()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.monotonic() - start
    assert done.returncode == 4, done.stderr
    assert "time budget of 1 s" in done.stderr and "--timeout" in done.stderr
    assert elapsed < 20


@pytest.mark.slow
def test_a_given_budget_covers_streamed_points_written_to_a_file(tmp_path):
    target = tmp_path / "big.npy"
    args = ["hessian", "sin(x)*y", "--grid", "x=0:1:6000,y=0:1:6000", "-f", "npy", "-o"]
    done, _ = _run([sys.executable, "-m", "derivcli", *args, str(target), "--timeout", "0.5"])
    assert done.returncode == 4, done.stderr
    assert list(tmp_path.iterdir()) == []  # neither the file nor a partial one


def test_the_default_budget_does_not_limit_streamed_points(cli, monkeypatch):
    # api and batch take the constant as their default argument when first imported:
    # imported here, with 0.3 they would keep it for every later test
    import derivcli.api
    import derivcli.batch  # noqa: F401

    monkeypatch.setattr(derivcli.budget, "DEFAULT_TIMEOUT", 0.3)  # the pipeline reads it
    start = time.monotonic()
    result = cli("hessian", "sin(x)*exp(y)", "--grid", "x=0:1:700,y=0:1:700", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\n") == 1 + 700 * 700
    assert time.monotonic() - start > 0.6  # the test can fail: the points outlast 0.3 s


def test_points_checked_exactly_are_under_the_given_budget(cli, tmp_path):
    points = tmp_path / "points.csv"
    points.write_text(",".join(f"x{i}" for i in range(60)) + "\n" + ",".join(["1"] * 60) + "\n")
    start = time.monotonic()
    result = cli("hessian", SLOW, *SYMPY, "--points", str(points), "-f", "json", "--timeout", "0.5")
    assert result.exit_code == 4, result.stderr
    assert "time budget of 0.5 s" in result.stderr
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("seconds", ["1e308", "inf", "0"])
def test_large_or_zero_budgets_mean_no_limit(cli, seconds):
    result = cli("grad", "x^2", "--format", "plain", "--timeout", seconds)
    assert (result.exit_code, result.stdout) == (0, "2*x\n")


@pytest.mark.parametrize("seconds", ["-1", "nan", "-inf"])
def test_a_negative_or_nan_budget_is_an_input_error(cli, seconds):
    result = cli("grad", "x^2", "--format", "plain", "--timeout", seconds)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--timeout" in result.stderr and result.stderr.count("\n") == 1


def test_alarm_stops_python_code_in_process(cli):
    start = time.monotonic()
    result = cli("hessian", SLOW, *SYMPY, "--timeout", "0.5")
    assert result.exit_code == 4
    assert "time budget of 0.5 s" in result.stderr and "--timeout" in result.stderr
    assert time.monotonic() - start < 10


@pytest.mark.slow
def test_the_supervising_process_imports_neither_sympy_nor_torch():
    probe = (
        "import sys; from derivcli.cli import app, watchdog; "
        "print(sorted({'sympy', 'torch'} & set(sys.modules)))"
    )
    done, _ = _run([sys.executable, "-c", probe])
    assert done.stdout.strip() == "[]"


def test_budget_messages_reach_the_watchdog_protocol():
    deadline, message = watchdog._update("start 2.5 it took too long", None, "")
    assert message == "it took too long"
    assert 2.5 < deadline - time.monotonic() <= 2.5 + watchdog.GRACE_SECONDS
    assert watchdog._update("stop", deadline, message) == (None, message)


def test_watchdog_ignores_reports_it_cannot_read():
    for line in ("start nan x", "start inf x", "start abc x", "start", "hello"):
        assert watchdog._update(line, None, "kept") == (None, "kept")


# --- the Python API ---------------------------------------------------------------


@pytest.mark.slow
def test_a_first_call_with_a_short_budget_does_not_break_torch():
    # The budget ran out inside torch's import; the next call crashed the interpreter.
    done, _ = _python(
        """
        import derivcli
        for _ in range(3):
            print(derivcli.grad("x^2", at={"x": 1}, timeout=0.5).results[0].numeric)
        import torch
        print(torch.ones(2).sum().item())
        """
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "[2.0]\n" * 3 + "2.0\n", "")


def test_the_api_says_timeout_not_the_flag():
    with pytest.raises(LimitError, match="timeout=") as caught:
        derivcli.hessian(SLOW, timeout=0.2, symbolic="sympy")
    assert "--timeout" not in str(caught.value)


@pytest.mark.parametrize("seconds", [-1, float("nan"), "5", True])
def test_a_bad_budget_is_an_input_error_naming_timeout(seconds):
    with pytest.raises(InputError, match="timeout"):
        derivcli.grad("x^2", timeout=seconds)


def test_the_hosts_pending_alarm_still_fires(host_alarm):
    handler = signal.getsignal(signal.SIGALRM)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    start = time.monotonic()
    assert derivcli.grad("x^2").symbolic == ["2*x"]  # the default budget of 20 s
    assert 0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 1.0
    assert signal.getsignal(signal.SIGALRM) is handler
    _spin(1.5)
    assert len(host_alarm) == 1 and 0.8 < host_alarm[0] - start < 1.5


def test_the_hosts_alarm_due_inside_a_budget_reaches_its_handler(host_alarm):
    handler = signal.getsignal(signal.SIGALRM)
    start = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    with time_budget(5):
        _spin(0.6)
    assert len(host_alarm) == 1 and 0.15 < host_alarm[0] - start < 0.5
    _assert_clean(handler)


def test_the_hosts_repeating_timer_keeps_repeating(host_alarm):
    signal.setitimer(signal.ITIMER_REAL, 0.1, 0.1)
    with time_budget(5):
        _spin(0.55)
    inside = len(host_alarm)
    _spin(0.5)
    assert inside >= 3 and len(host_alarm) >= inside + 3


def test_a_host_handler_that_raises_ends_the_budget(host_alarm):
    def timeout_handler(signum, frame):
        raise TimeoutError("the host's own timeout")

    signal.signal(signal.SIGALRM, timeout_handler)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    with pytest.raises(TimeoutError, match="host"):
        with time_budget(5):
            _spin(3)
    _assert_clean(timeout_handler)


def test_a_budget_in_a_worker_thread_stops_the_work():
    outcome = []

    def work():
        start = time.monotonic()
        try:
            derivcli.hessian(SLOW, timeout=1, symbolic="sympy")
            outcome.append("finished")
        except LimitError:
            outcome.append(time.monotonic() - start)

    handler = signal.getsignal(signal.SIGALRM)
    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    assert outcome and outcome[0] != "finished" and outcome[0] < 5
    assert signal.getsignal(signal.SIGALRM) is handler  # no signal used off the main thread


def test_overshoot_is_a_few_tenths_of_a_second():
    derivcli.grad("x")  # the API's modules imported
    start = time.monotonic()
    with pytest.raises(LimitError):
        derivcli.hessian(SLOW, timeout=0.3, symbolic="sympy")
    assert time.monotonic() - start < 1.5


# --- the budget itself ------------------------------------------------------------


def test_zero_none_and_inf_mean_no_budget():
    for seconds in (0, None, float("inf")):
        with time_budget(seconds):
            _spin(0.01)
        assert budget._thread.budgets == []


def test_code_that_catches_exception_cannot_swallow_the_budget():
    start = time.monotonic()
    with pytest.raises(LimitError):
        with time_budget(0.2):
            for _ in range(1000):
                try:
                    _spin(5)
                except Exception:  # noqa: BLE001 - as sympy does in many places
                    pass
    assert time.monotonic() - start < 2


def test_inner_budget_does_not_cancel_the_outer_one():
    start = time.monotonic()
    with pytest.raises(LimitError, match="outer"):
        with time_budget(0.3, "outer"):
            with time_budget(5, "inner"):
                pass
            _spin(5)
    assert time.monotonic() - start < 2


def test_an_inner_budget_cannot_swallow_the_outer_ones():
    start = time.monotonic()
    with pytest.raises(LimitError, match="outer"):
        with time_budget(0.3, "outer"):
            for _ in range(1000):
                try:
                    with time_budget(0.1, "inner"):
                        _spin(5)
                except LimitError as error:  # code that swallows the inner budget's error
                    assert "inner" in str(error)
    assert time.monotonic() - start < 2


def test_alarm_repeats_when_it_is_swallowed():
    start = time.monotonic()
    with pytest.raises(LimitError):
        with time_budget(0.2):
            try:
                _spin(5)
            except BaseException:  # noqa: BLE001 - swallowed once (as in a gc callback)
                pass
            _spin(5)
    assert time.monotonic() - start < 2


def test_no_budget_runs_out_inside_an_import(tmp_path, monkeypatch):
    (tmp_path / "slow_module.py").write_text(
        "import time\nend = time.monotonic() + 0.5\n"
        "while time.monotonic() < end:\n    pass\nDONE = True\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(LimitError):
        with time_budget(0.05):
            import slow_module  # noqa: F401

            _spin(5)
    assert sys.modules["slow_module"].DONE  # imported whole
    del sys.modules["slow_module"]


def test_time_unbudgeted_does_not_count():
    with time_budget(0.4):
        with unbudgeted():
            _spin(0.8)
        _spin(0.2)
    with pytest.raises(LimitError):
        with time_budget(0.4):
            with unbudgeted():
                _spin(0.5)
            _spin(5)


def test_checkpoints_hold_a_budget_in_a_worker_thread():
    raised = []

    def work():
        try:
            with time_budget(0.1):
                _spin(0.3)
                budget.checkpoint()
        except LimitError:
            raised.append(True)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert raised == [True]


def test_thousands_of_budgets_leave_no_alarm_behind(host_alarm):
    """Budgets entered and left with alarms landing everywhere: in their own bookkeeping,
    in nested budgets, in unbudgeted blocks. Afterwards nothing is left, and the host's
    handler is back and is never called."""
    handler = signal.getsignal(signal.SIGALRM)
    rng = random.Random(10)
    expired = 0
    for _ in range(2000):
        try:
            with time_budget(rng.choice([1e-5, 1e-4, 5e-4, 2e-3, 1.0]), "outer"):
                _spin(rng.random() * 2e-4)
                try:
                    with time_budget(rng.choice([1e-5, 1e-4, 1e-3]), "inner"):
                        if rng.random() < 0.3:
                            with unbudgeted():
                                _spin(rng.random() * 1e-4)
                        _spin(rng.random() * 1e-3)
                except LimitError:
                    pass
                _spin(rng.random() * 1e-3)
        except LimitError:
            expired += 1
        assert budget._thread.budgets == []
    assert expired > 100  # alarms did land
    _assert_clean(handler)
    _spin(3)  # a stray alarm would raise here, or call the host's handler
    assert host_alarm == []
