"""The same Hessians in JAX and CasADi, for bench/scale.py; run with a Python that has
them (they are not derivcli's dependencies):

    python bench/others.py jax|casadi lj|rosenbrock SIZE [POINTS]

Prints the seconds of the work in this process (JAX: tracing and compilation included,
as a first call pays them); with POINTS, the Hessian at that many points (JAX:
jit(vmap(hessian))). Imports derivcli nothing: the expressions are written here.
"""

from __future__ import annotations

import sys
import time

import numpy as np


def lennard_jones(x, atoms, np_):
    p = x.reshape(atoms, 3) if np_ is not None else None
    total = 0
    for i in range(atoms):
        for j in range(i + 1, atoms):
            if np_ is None:  # CasADi: scalar symbols
                r2 = sum((x[3 * i + k] - x[3 * j + k]) ** 2 for k in range(3))
            else:
                r2 = np_.sum((p[i] - p[j]) ** 2)
            total = total + 4 * (r2**-6 - r2**-3)
    return total


def rosenbrock(x, n):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(n - 1))


def point(n: int) -> np.ndarray:
    return np.array([((k * 7) % 11 + 1) / ((k * 3) % 5 + 2) for k in range(n)])


def main() -> None:
    library, problem, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    points = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    n = 3 * size if problem == "lj" else size
    x0 = point(n)
    start = time.perf_counter()
    if library == "jax":
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)
        if problem == "lj":

            def f(x):
                return lennard_jones(x, size, jnp)
        else:

            def f(x):
                return rosenbrock(x, n)

        hessian = jax.hessian(f)
        if points:
            rng = np.random.default_rng(0)
            xs = x0 + 0.05 * rng.standard_normal((points, n))
            jax.jit(jax.vmap(hessian))(jnp.asarray(xs)).block_until_ready()
        else:
            np.asarray(jax.jit(hessian)(jnp.asarray(x0)))
    else:
        import casadi

        x = casadi.SX.sym("x", n)
        f = lennard_jones(x, size, None) if problem == "lj" else rosenbrock(x, n)
        h, _ = casadi.hessian(f, x)
        function = casadi.Function("h", [x], [h])
        np.asarray(function(x0))
    print(f"{time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main()
