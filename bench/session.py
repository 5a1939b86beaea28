"""The session cache: the same request twice in one process (a warm server, a REPL, a
Python loop), first and second time, and the points-then-check path of --points.

    .venv/bin/python bench/session.py
"""

from __future__ import annotations

import statistics
import time

import derivcli
from derivcli.run import session

# A Lennard-Jones cluster of 4 atoms: a 12-variable Hessian (78 distinct entries).
ATOMS = 4
TERMS = []
for i in range(ATOMS):
    for j in range(i + 1, ATOMS):
        r2 = "+".join(f"(x{i}{k}-x{j}{k})^2" for k in range(3))
        TERMS.append(f"4*(({r2})^(-6) - ({r2})^(-3))")
EXPRESSION = " + ".join(TERMS)
POINT = {f"x{i}{k}": 1.1 * i + 0.3 * k for i in range(ATOMS) for k in range(3)}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    derivcli.grad("x^2", at={"x": 1})  # imports and first-call paths, not timed
    cold, warm = [], []
    for _ in range(3):
        session.current().clear()
        cold.append(timed(lambda: derivcli.hessian(EXPRESSION, at=POINT, timeout=None)))
        warm.append(timed(lambda: derivcli.hessian(EXPRESSION, at=POINT, timeout=None)))
    first, second = statistics.median(cold), statistics.median(warm)
    print(f"LJ {ATOMS} atoms, Hessian at a point, in-process (median of 3):")
    print(f"  first call  {first:6.2f} s")
    print(f"  second call {second:6.2f} s   ({first / second:.1f}x; the point's check remains)")


if __name__ == "__main__":
    main()
