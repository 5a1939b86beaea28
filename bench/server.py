"""Instant answers: the seed's command with and without the warm server, and a shell
loop of different expressions both ways.

    .venv/bin/python bench/server.py [--runs N] [--loop N] [--cold-loop N]

Whole commands as a shell runs them (`derivcli hessian "sin(x)*y" --at x=0,y=1`,
stdout to a file), median of --runs; cold is DERIVCLI_NO_SERVER=1. The loop runs
`for k in 1..N: derivcli grad "x^k*sin(x) + exp(k*x)" --at x=1/2 -f plain` in bash,
warm and cold (--cold-loop N runs a shorter cold loop and scales it, to save minutes;
0 skips it). The server is started in a private runtime directory and stopped at the
end. First, what a command pays for looking for a server where there is none (the
client's import and its stat()s), and two parts of a warm command's time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DERIVCLI = str(Path(sys.executable).parent / "derivcli")
SEED = ["hessian", "sin(x)*y", "--at", "x=0,y=1"]
LOOP = 'for k in $(seq 1 {n}); do "{cli}" grad "x^$k*sin(x) + exp($k*x)" --at x=1/2 -f plain; done'


def timed(args: list[str], env: dict, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with open(os.devnull, "wb") as sink:
            subprocess.run([DERIVCLI, *args], env=env, stdout=sink, check=True)
        times.append(time.perf_counter() - start)
    return times


def loop(n: int, env: dict) -> float:
    start = time.perf_counter()
    out = subprocess.run(
        ["bash", "-c", LOOP.format(n=n, cli=DERIVCLI)], env=env, capture_output=True, check=True
    )
    assert len(out.stdout.splitlines()) == n, out.stderr
    return time.perf_counter() - start


def lookup_cost(env: dict) -> float:
    """Seconds a command spends on the client when no server runs (median of 20)."""
    probe = (
        "import time; t = time.perf_counter()\n"
        "from derivcli.server.client import forward\n"
        "assert forward(['grad', 'x', '--at', 'x=1']) is None\n"
        "print(time.perf_counter() - t)\n"
    )
    values = []
    for _ in range(20):
        out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True)
        values.append(float(out.stdout))
    return statistics.median(values)


def client_start(env: dict) -> float:
    """Seconds for Python to start and import the client (median of 20)."""
    python = Path(DERIVCLI).read_text().splitlines()[0][2:].strip()
    values = []
    for _ in range(20):
        start = time.perf_counter()
        subprocess.run([python, "-c", "import derivcli.server.client"], env=env, check=True)
        values.append(time.perf_counter() - start)
    return statistics.median(values)


FORK = """
import gc, os, statistics, time
from derivcli.server import worker
worker.warm()
def once():
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return time.perf_counter() - start
print(statistics.median(once() for _ in range(20)))
"""


def fork_cost(env: dict) -> float:
    """Seconds to fork a warm process and reap the child's exit (median of 20)."""
    out = subprocess.run([sys.executable, "-c", FORK], env=env, capture_output=True, check=True)
    return float(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--loop", type=int, default=100)
    parser.add_argument("--cold-loop", type=int, default=100)
    options = parser.parse_args()
    runtime = tempfile.mkdtemp(prefix="dv-bench-", dir="/tmp")
    os.chmod(runtime, 0o700)
    env = {k: v for k, v in os.environ.items() if k != "DERIVCLI_NO_SERVER"}
    env["XDG_RUNTIME_DIR"] = runtime
    cold_env = dict(env, DERIVCLI_NO_SERVER="1")
    try:
        print(f"no server: looking for one costs {lookup_cost(env) * 1000:.2f} ms")
        print(
            f"parts of a warm command: Python starting the client "
            f"{client_start(env) * 1000:.0f} ms, a warm process's fork and exit "
            f"{fork_cost(env) * 1000:.0f} ms (twice per command: its process and the "
            "watchdog's worker)"
        )
        cold = statistics.median(timed(SEED, cold_env, max(3, options.runs // 2)))
        start = time.perf_counter()
        subprocess.run([DERIVCLI, "server", "start"], env=env, check=True, capture_output=True)
        print(f"server start: {time.perf_counter() - start:.2f} s")
        timed(SEED, env, 1)  # the first child's pages
        warm = statistics.median(timed(SEED, env, options.runs))
        print(
            f"seed's command, whole: cold {cold:.3f} s, with the server {warm:.3f} s "
            f"(median of {options.runs}), {cold / warm:.1f} times faster"
        )
        warm_loop = loop(options.loop, env)
        line = f"loop of {options.loop} expressions: with the server {warm_loop:.2f} s"
        if options.cold_loop:
            cold_loop = loop(options.cold_loop, cold_env) * options.loop / options.cold_loop
            scaled = "" if options.cold_loop == options.loop else f" (from {options.cold_loop})"
            line += f", cold {cold_loop:.1f} s{scaled}, {cold_loop / warm_loop:.1f} times faster"
        print(line)
    finally:
        subprocess.run([DERIVCLI, "server", "stop"], env=env, capture_output=True)
        shutil.rmtree(runtime, ignore_errors=True)


if __name__ == "__main__":
    main()
