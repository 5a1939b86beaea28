"""--timeout: exit 4 with a message that says what to do, in Python code and inside C code."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from derivcli import limits, watchdog
from derivcli.errors import LimitError

# Legitimately slow: 3,600 Hessian entries, each a product of 60 factors (about 40 s here).
SLOW = "*".join(f"sin(x{i})" for i in range(60))

# The command line, with the symbolic work stuck first in C code that does not look at
# signals (CPython's big-integer arithmetic does; OpenSSL's key derivation does not):
# a billion rounds take minutes.
STUCK_IN_C = """
import hashlib, sys
from derivcli import symbolic
original = symbolic.derivative_matrix

def stuck(*args):
    hashlib.pbkdf2_hmac("sha256", b"x", b"y", 10**9)
    return original(*args)

symbolic.derivative_matrix = stuck
from derivcli.cli import main
sys.argv = ["derivcli", *sys.argv[1:]]
main()
"""


def _run(args: list[str], timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    return done, time.monotonic() - start


def _assert_timed_out(done: subprocess.CompletedProcess, seconds: str) -> None:
    assert done.returncode == 4, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("derivcli: error: ")
    assert f"time budget of {seconds} s" in done.stderr
    assert "--timeout" in done.stderr  # says what to do
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1


def test_console_script_stops_a_slow_input():
    done, elapsed = _run([sys.executable, "-m", "derivcli", "hessian", SLOW, "--timeout", "1"])
    _assert_timed_out(done, "1")
    assert elapsed < 15


def test_console_script_stops_c_code_that_ignores_the_alarm():
    done, elapsed = _run([sys.executable, "-c", STUCK_IN_C, "grad", "x^2", "--timeout", "1"])
    _assert_timed_out(done, "1")
    assert elapsed < 15


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


def test_alarm_stops_python_code_in_process(cli):
    start = time.monotonic()
    result = cli("hessian", SLOW, "--timeout", "0.5")
    assert result.exit_code == 4
    assert "time budget of 0.5 s" in result.stderr and "--timeout" in result.stderr
    assert time.monotonic() - start < 10


def test_zero_timeout_means_no_budget():
    with limits.time_budget(0):
        time.sleep(0.01)
    with limits.time_budget(None):
        time.sleep(0.01)


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_inner_budget_does_not_cancel_the_outer_one():
    start = time.monotonic()
    with pytest.raises(LimitError, match="outer"):
        with limits.time_budget(0.3, "outer"):
            with limits.time_budget(5, "inner"):
                pass
            _spin(5)
    assert time.monotonic() - start < 2


def test_inner_budget_never_outlasts_the_outer_one():
    start = time.monotonic()
    with pytest.raises(LimitError, match="outer"):
        with limits.time_budget(0.3, "outer"):
            for _ in range(1000):
                try:
                    with limits.time_budget(0.1, "inner"):
                        _spin(5)
                except LimitError:  # code that swallows the inner budget's error
                    pass
            _spin(5)
    assert time.monotonic() - start < 2


def test_alarm_repeats_when_an_error_is_swallowed():
    start = time.monotonic()
    with pytest.raises(LimitError):
        with limits.time_budget(0.2):
            for _ in range(1000):
                try:
                    _spin(5)
                except LimitError:  # swallowed once (as in a gc callback)
                    break
            _spin(5)
    assert time.monotonic() - start < 2


def test_budget_messages_reach_the_watchdog_protocol():
    deadline, message = watchdog._update("start 2.5 it took too long", None, "")
    assert message == "it took too long"
    assert 2.5 < deadline - time.monotonic() <= 2.5 + watchdog.GRACE_SECONDS
    assert watchdog._update("stop", deadline, message) == (None, message)


def test_watchdog_ignores_reports_it_cannot_read():
    for line in ("start nan x", "start inf x", "start abc x", "start", "hello"):
        assert watchdog._update(line, None, "kept") == (None, "kept")


@pytest.mark.parametrize("seconds", ["1e308", "inf", "nan", "0", "-1"])
def test_any_timeout_value_is_handled(seconds):
    args = ["grad", "x^2", "--format", "plain", "--timeout", seconds]
    done, _ = _run([sys.executable, "-m", "derivcli", *args])
    assert (done.returncode, done.stdout, done.stderr) == (0, "2*x\n", "")


def test_the_supervising_process_imports_neither_sympy_nor_torch():
    probe = (
        "import sys; from derivcli import cli, watchdog; "
        "print(sorted({'sympy', 'torch'} & set(sys.modules)))"
    )
    done, _ = _run([sys.executable, "-c", probe])
    assert done.stdout.strip() == "[]"
