"""Hessian-vector products at scale: the 1000-variable Rosenbrock function at 10^4
points, H.v without the Hessian (the full Hessians would be 10^4 x 1000 x 1000 float64,
80 GB).

    .venv/bin/python bench/hvp.py [--others PYTHON] [--points N] [--variables N]

derivcli: the whole command (`derivcli hvp EXPR --vector V --points P.npy -f npy -o
OUT.npy`, cold, its peak resident memory from the kernel) with each engine, median of
3, and the numbers checked against the closed form. With --others, a Python that has JAX
(python -m venv /tmp/others && /tmp/others/bin/pip install jax) runs this file's JAX
part: JAX's recipe, jit(vmap(hvp)) with hvp = jvp(grad(f)) (forward over reverse), on
the same points, whole process and its peak memory, the function written with array
operations as a JAX user would. Then derivcli's symbolic engine by stage, in one process.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def rosenbrock_text(n: int) -> str:
    return " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(n - 1))


def data(n: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    points = 1 + 0.1 * rng.standard_normal((count, n))
    vector = np.array([(k % 7) - 3 for k in range(n)], dtype=np.float64)
    return points, vector


def closed_form(points: np.ndarray, v: np.ndarray) -> np.ndarray:
    """H.v of the Rosenbrock function, from its tridiagonal Hessian."""
    x = points
    diagonal = np.zeros_like(x)
    diagonal[:, :-1] += 1200 * x[:, :-1] ** 2 - 400 * x[:, 1:] + 2
    diagonal[:, 1:] += 200
    off = -400 * x[:, :-1]  # H[i, i+1] = H[i+1, i]
    result = diagonal * v
    result[:, :-1] += off * v[1:]
    result[:, 1:] += off * v[:-1]
    return result


def peak_mib_of_children() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def derivcli_runs(n: int, count: int, engine: str) -> str:
    derivcli = str(Path(sys.executable).parent / "derivcli")
    points, v = data(n, count)
    with tempfile.TemporaryDirectory() as folder:
        source, output = Path(folder, "points.npy"), Path(folder, "hvp.npy")
        np.save(source, points)
        command = [
            derivcli,
            "hvp",
            rosenbrock_text(n),
            "--vector",
            ",".join(f"{int(a)}" for a in v),
        ]
        command += ["--wrt", ",".join(f"x{i}" for i in range(n)), "--points", str(source)]
        command += ["-f", "npy", "-o", str(output), "--engine", engine]
        runs, peaks = [], []
        for _ in range(3):
            # each run in a child of its own, so that ru_maxrss is that run's
            script = (
                "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
                "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
            )
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", script, *command], capture_output=True, text=True, check=True
            )
            runs.append(time.perf_counter() - start)
            peaks.append(float(done.stdout))
        got = np.load(output)
    error = np.max(np.abs(got - closed_form(points, v)) / (1 + np.abs(closed_form(points, v))))
    return (
        f"{statistics.median(runs):.2f} s, peak {max(peaks):.0f} MiB, "
        f"largest relative error {error:.1e}"
    )


def jax_part(n: int, count: int) -> None:
    """Run under a Python with JAX: prints seconds of work and peak MiB of this process."""
    start = time.perf_counter()
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)

    def f(x):
        return jnp.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)

    def hvp(x, v):
        return jax.jvp(jax.grad(f), (x,), (v,))[1]

    points, v = data(n, count)
    batched = jax.jit(jax.vmap(hvp, in_axes=(0, None)))
    got = np.asarray(batched(jnp.asarray(points), jnp.asarray(v)))
    seconds = time.perf_counter() - start
    error = np.max(np.abs(got - closed_form(points, v)) / (1 + np.abs(closed_form(points, v))))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.2f} {peak:.0f} {error:.1e}")


def jax_runs(python: str, n: int, count: int) -> str:
    runs, works = [], []
    for _ in range(3):
        start = time.perf_counter()
        done = subprocess.run(
            [python, __file__, "--jax-part", "--variables", str(n), "--points", str(count)],
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ, JAX_PLATFORMS="cpu"),
        )
        runs.append(time.perf_counter() - start)
        works.append(done.stdout.split())
    work, peak, error = works[runs.index(statistics.median(runs))]
    return (
        f"{statistics.median(runs):.2f} s whole ({work} s of work), peak {peak} MiB, "
        f"largest relative error {error}"
    )


def stages(n: int, count: int) -> str:
    """The symbolic engine's work by stage, in one fresh process (imports timed too)."""
    script = f"""
import sys, time
sys.path.insert(0, {str(Path(__file__).parent)!r})
start = time.perf_counter()
import derivcli, numpy as np
from derivcli import batch
from derivcli.expr.parse import parse_tree
from hvp import data, rosenbrock_text
imported = time.perf_counter()
import symengine
symengine_done = time.perf_counter()
import derivcli.numeric.engines as engines
torch_done = time.perf_counter()
n, count = {n}, {count}
points, v = data(n, count)
text = rosenbrock_text(n)
begin = time.perf_counter()
parse_tree(text)
parsed = time.perf_counter()
plan = batch.plan("hvp", text, wrt=[f"x{{i}}" for i in range(n)],
                  vector=",".join(str(int(a)) for a in v), engine="symbolic")
planned = time.perf_counter()
with batch._engine(plan, engines) as run:
    lowered = time.perf_counter()
    run(points)
    done = time.perf_counter()
print(f"imports: derivcli and sympy {{imported - start:.2f}} s, symengine "
      f"{{symengine_done - imported:.2f}} s, torch {{torch_done - symengine_done:.2f}} s; "
      f"work: parsing {{parsed - begin:.2f}} s, the plan (parsing again, entries) "
      f"{{planned - parsed:.2f}} s, lowering {{lowered - planned:.2f}} s, "
      f"torch's numbers {{done - lowered:.2f}} s")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--others", metavar="PYTHON", help="a Python with jax")
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--variables", type=int, default=1000)
    parser.add_argument("--jax-part", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    n, count = options.variables, options.points
    if options.jax_part:
        jax_part(n, count)
        return
    print(f"Rosenbrock, {n} variables, H.v at {count:,} points, whole command, median of 3")
    for engine in ("autograd", "symbolic"):
        print(f"derivcli --engine {engine}: {derivcli_runs(n, count, engine)}", flush=True)
    print(f"derivcli --engine symbolic by stage: {stages(n, count)}", flush=True)
    if options.others:
        print(f"JAX jit(vmap(jvp(grad(f)))): {jax_runs(options.others, n, count)}")


if __name__ == "__main__":
    main()
