"""Problems of a real size: Hessians of Rosenbrock and Lennard-Jones functions, with the
default symbolic backend ("auto": SymEngine at this size) and with sympy alone.

    .venv/bin/python bench/scale.py [--sympy-timeout SECONDS] [--others PYTHON]

Whole command: `derivcli hessian EXPR --at POINT -f json` (every entry checked against
its exact value), median of 3 runs, cold (a new process each, imports included); the
two largest Rosenbrock functions symbolic only (no --at: their Hessians have 90,000
and 1,000,000 entries). In-process: the same work through derivcli.hessian, after a
first call has paid for the imports. With --others, a Python that has JAX and CasADi
(not derivcli's dependencies: python -m venv /tmp/others && /tmp/others/bin/pip install
jax casadi) runs bench/others.py: the same Hessian at the same point, whole process and
the work alone (JAX: jit(hessian), its compilation included; CasADi: SX hessian and a
Function). Then the 8-atom Hessian in the default table, against the seed's 2x2
Hessian (start-up alone). Last, the 13-atom Hessian at 10^5 points: derivcli streaming --points to
npy against JAX's jit(vmap(hessian)).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from backends import lennard_jones, rosenbrock

DERIVCLI = str(Path(sys.executable).parent / "derivcli")


def point(names: list[str]) -> str:
    return ",".join(f"{name}={(k * 7) % 11 + 1}/{(k * 3) % 5 + 2}" for k, name in enumerate(names))


def problems() -> list[tuple[str, str, list[str], bool]]:
    """(label, expression, variables, checked at a point)"""
    found = []
    for n in (10, 100, 300, 1000):
        found.append((f"Rosenbrock {n}", rosenbrock(n), [f"x{i}" for i in range(n)], n <= 100))
    for atoms in (4, 8, 13, 20):
        names = [f"x{i}_{k}" for i in range(atoms) for k in range(3)]
        found.append((f"Lennard-Jones {atoms}", lennard_jones(atoms), names, True))
    return found


def whole(expression: str, at: str | None, symbolic: str, timeout: float, fmt: str = "json") -> str:
    runs = []
    for _ in range(3):
        command = [DERIVCLI, "hessian", expression, "-f", fmt, "--symbolic", symbolic]
        command += ["--at", at] if at else []
        command += ["--timeout", str(timeout)]
        start = time.perf_counter()
        env = dict(os.environ, COLUMNS="80")  # the table's width, as in a terminal
        done = subprocess.run(command, capture_output=True, check=False, env=env)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            return f"exit {done.returncode} ({seconds:.1f} s)"
        runs.append(seconds)
        if seconds > 10:  # once is enough to see it
            break
    return f"{statistics.median(runs):.2f} s"


def others(python: str | None, library: str, problem: str, size: int, points: int = 0) -> str:
    if python is None:
        return "-"
    command = [python, str(Path(__file__).with_name("others.py")), library, problem, str(size)]
    command += [str(points)] if points else []
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        return "over 120 s"
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        return f"failed ({done.stderr.strip().splitlines()[-1][:60]})"
    return f"{seconds:.2f} s ({float(done.stdout):.2f} s)"


def in_process(expression: str, at: str | None) -> str:
    import derivcli

    start = time.perf_counter()
    derivcli.hessian(expression, at=at, timeout=0)
    return f"{time.perf_counter() - start:.2f} s"


def many_points() -> str:
    """The 13-atom Hessian at 10^5 points near a lattice, streamed to an npy file."""
    import tempfile

    import numpy as np

    names = [f"x{i}_{k}" for i in range(13) for k in range(3)]
    rng = np.random.default_rng(0)
    x0 = np.array([((k * 7) % 11 + 1) / ((k * 3) % 5 + 2) for k in range(39)])
    with tempfile.TemporaryDirectory() as folder:
        points, output = Path(folder, "points.npy"), Path(folder, "hessians.npy")
        np.save(points, x0 + 0.05 * rng.standard_normal((100_000, 39)))
        command = [DERIVCLI, "hessian", lennard_jones(13), "--wrt", ",".join(names)]
        command += ["--points", str(points), "-f", "npy", "-o", str(output)]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        return f"derivcli: {time.perf_counter() - start:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sympy-timeout", type=float, default=30)
    parser.add_argument("--others", metavar="PYTHON", help="a Python with jax and casadi")
    options = parser.parse_args()
    import derivcli

    derivcli.hessian("sin(x)*y", at="x=0,y=1")  # imports, torch's first calls
    print(
        "problem | variables | derivcli (auto) | derivcli --symbolic sympy | in-process (auto)"
        " | JAX, whole (work) | CasADi, whole (work)"
    )
    for label, expression, names, checked in problems():
        at = point(names) if checked else None
        what = "" if checked else " (symbolic only)"
        kind, size = ("lj", int(label.split()[-1])) if "Lennard" in label else ("rb", len(names))
        print(
            f"{label}{what} | {len(names)} | {whole(expression, at, 'auto', 60)} | "
            f"{whole(expression, at, 'sympy', options.sympy_timeout)} | "
            f"{in_process(expression, at)} | {others(options.others, 'jax', kind, size)} | "
            f"{others(options.others, 'casadi', kind, size)}",
            flush=True,
        )
    table = whole(
        lennard_jones(8),
        point([f"x{i}_{k}" for i in range(8) for k in range(3)]),
        "auto",
        60,
        "table",
    )
    seed = whole("sin(x)*y", "x=0,y=1", "auto", 60, "table")
    print(
        f"Lennard-Jones 8, the default table at 80 columns | {table} | "
        f"start-up (the 2x2 Hessian): {seed}"
    )
    jax = others(options.others, "jax", "lj", 13, 100_000)
    print(f"Lennard-Jones 13 at 10^5 points | {many_points()} | JAX jit(vmap(hessian)): {jax}")


if __name__ == "__main__":
    main()
