"""Helpers shared by the tests: independent truths and machine facts."""

from __future__ import annotations

import sympy


def sympy_truth(kind: str, exprs: list, symbols: list, point: dict) -> list:
    """The gradient, Hessian or Jacobian by sympy's own diff, evaluated at 30 digits at
    the point's values as typed (their shortest decimals): a truth independent of
    derivcli's derivatives, exact values and torch."""
    values = {s: sympy.Rational(repr(point[s.name])) for s in symbols}

    def value(e):
        return float(e.evalf(30, subs=values))

    if kind == "grad":
        return [value(sympy.diff(exprs[0], s)) for s in symbols]
    if kind == "hessian":
        return [[value(sympy.diff(exprs[0], a, b)) for b in symbols] for a in symbols]
    return [[value(sympy.diff(f, s)) for s in symbols] for f in exprs]


def cuda_available() -> bool:
    """Whether torch has a CUDA device here (without importing torch where no driver is)."""
    from derivcli.api import _nvidia_driver_present

    if not _nvidia_driver_present():
        return False
    import torch

    return torch.cuda.is_available()


def rosenbrock(n: int) -> str:
    """The n-variable Rosenbrock function's text (bench/backends.py's problem)."""
    return " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(n - 1))


def lennard_jones(atoms: int) -> str:
    """The Lennard-Jones energy of atoms in 3 dimensions, variables xI_K (bench's problem)."""
    pairs = [(i, j) for i in range(atoms) for j in range(i + 1, atoms)]
    squares = ["+".join(f"(x{i}_{k}-x{j}_{k})^2" for k in range(3)) for i, j in pairs]
    return " + ".join(f"4*(({r2})^(-6) - ({r2})^(-3))" for r2 in squares)
