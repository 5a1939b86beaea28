"""The symbolic backends side by side: build, Hessian, exact values at a rational point,
and printing every entry, per backend, in one process.

    .venv/bin/python bench/backends.py

Each backend's build starts from the same parsed tree (SymEngine's through sympy's
build, which holds the cost bounds: derivcli.symbolic.symengine_backend).
"""

from __future__ import annotations

import time

from derivcli import ops
from derivcli.expr.parse import parse_tree
from derivcli.symbolic import Derivatives
from derivcli.symbolic import backend as backends


def lennard_jones(atoms: int) -> str:
    terms = []
    for i in range(atoms):
        for j in range(i + 1, atoms):
            r2 = "+".join(f"(x{i}_{k}-x{j}_{k})^2" for k in range(3))
            terms.append(f"4*(({r2})^(-6) - ({r2})^(-3))")
    return " + ".join(terms)


def rosenbrock(n: int) -> str:
    return " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(n - 1))


PROBLEMS = {
    "Lennard-Jones, 4 atoms": lennard_jones(4),
    "Lennard-Jones, 6 atoms": lennard_jones(6),
    "Rosenbrock, 30 variables": rosenbrock(30),
}


def stages(backend, text: str) -> dict[str, float]:
    times = {}
    start = time.perf_counter()
    (expr,) = backend.build(parse_tree(text).components)
    times["build"] = time.perf_counter() - start
    names = sorted({n for n in parse_tree(text).names})
    variables = [backend.symbol(n) for n in names]
    start = time.perf_counter()
    entries = [
        e for row in Derivatives(ops.get("hessian"), [expr], variables, backend).matrix for e in row
    ]
    times["hessian"] = time.perf_counter() - start
    point = ", ".join(f"{k + 3}/{k + 7}" for k in range(len(names)))
    values = dict(zip(variables, backend.build(parse_tree(point).components), strict=True))
    start = time.perf_counter()
    for entry in entries:
        backend.substitute(entry, values)
    times["exact values"] = time.perf_counter() - start
    start = time.perf_counter()
    for entry in entries:
        backend.to_text(entry)
    times["printing"] = time.perf_counter() - start
    return times


def main() -> None:
    for problem, text in PROBLEMS.items():
        print(problem)
        results = {name: stages(backends.get(name), text) for name in backends.names()}
        for stage in ("build", "hessian", "exact values", "printing"):
            row = "  ".join(f"{name} {results[name][stage]:8.3f} s" for name in results)
            print(f"  {stage:<13} {row}")


if __name__ == "__main__":
    main()
