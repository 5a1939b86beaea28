"""How long past its time budget the work stops: main thread, worker thread, command line.

    .venv/bin/python bench/budgets.py

Prints the median and the worst overshoot (seconds past the budget until LimitError,
or until the command exits with status 4) over a few runs of a legitimately slow input
(a 60-variable Hessian, 3,600 entries: about 40 s of sympy work).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import threading
import time

import derivcli
from derivcli.errors import LimitError

SLOW = "*".join(f"sin(x{i})" for i in range(60))
RUNS = 5


def in_process(seconds: float) -> float:
    start = time.monotonic()
    try:
        derivcli.hessian(SLOW, timeout=seconds)
    except LimitError:
        return time.monotonic() - start - seconds
    raise AssertionError("the budget did not hold")


def in_thread(seconds: float) -> float:
    result = []
    thread = threading.Thread(target=lambda: result.append(in_process(seconds)))
    thread.start()
    thread.join()
    return result[0]


def command(seconds: float) -> float:
    args = [sys.executable, "-m", "derivcli", "hessian", SLOW, "--timeout", str(seconds)]
    start = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 4, done.stderr
    # the command's own start (imports: sympy, typer, rich) is outside the budget
    return time.monotonic() - start - seconds


def main() -> None:
    derivcli.grad("x")  # the API's modules imported
    for name, run in (("main thread", in_process), ("worker thread", in_thread)):
        for seconds in (0.05, 0.5, 2.0):
            over = [run(seconds) for _ in range(RUNS)]
            median = statistics.median(over)
            print(
                f"{name:14} budget {seconds:4} s: overshoot median {median:.3f} s, "
                f"worst {max(over):.3f} s"
            )
    over = [command(1.0) for _ in range(RUNS)]
    print(
        f"{'command':14} budget  1.0 s: whole run minus budget, median "
        f"{statistics.median(over):.3f} s, worst {max(over):.3f} s (includes start-up)"
    )


if __name__ == "__main__":
    main()
