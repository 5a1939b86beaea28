"""derivcli against the usual ways of computing Hessians at many points.

    .venv/bin/python bench/bench.py                 # N = 10^5 and 10^6, every peer
    .venv/bin/python bench/bench.py --sizes 100000 --no-whole
    python bench/bench.py --device cuda --sizes 1000000,10000000   # on a GPU


One run, the same data for everyone (float64, uniform in [0.3, 1.7]), on this
machine. Two phases are timed:

- compute: points already in memory as a float64 array [N, n], result a float64
  array [N, n, n] in memory. Set-up (JAX's compilation, sympy's derivatives, the
  lowering) is done once beforehand and reported separately; the time is the best
  of several runs after a warm-up.
- whole command: a fresh process that reads N points from a CSV file, computes
  the Hessians and writes them to a .npy file, timed from start to exit.

Peers:
  loop      torch.autograd.functional.hessian at one point at a time, in a Python
            loop (the per-point recipe); timed on a prefix of the points, the rate
            is per point
  vmap      torch.func: vmap(hessian(f)) over the whole batch
  numpy     sympy's Hessian, lambdify(..., "numpy", cse=True), entries assembled
            into one array (the faster of two assembly orders)
  jax       jit(vmap(hessian(f))), float64 (jax_enable_x64); when JAX is installed
  derivcli  derivcli.evaluate / the derivcli command, default engine (symbolic)

With --device cuda (compute phase only; the peers are vmap and JAX on the GPU),
every run starts from the points in host memory and ends with the Hessians back
in host memory, as derivcli's does: the transfers are counted for everyone.

It also measures derivcli's peak memory for 4·10^6 points of a 3-variable
Hessian, CSV in and npy out (--memory, on by default).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parent), os.environ.get("PYTHONPATH", "")]
    ),
}

sys.path.insert(0, str(Path(__file__).resolve().parent))
from functions import FUNCTIONS  # noqa: E402


def variables(n: int) -> list[str]:
    return ["x", "y", "z"][:n] if n <= 3 else [f"x{i}" for i in range(1, n + 1)]


def best_time(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


# ---------------------------------------------------------------- compute phase


def peer_loop(function, data, budget: float):
    import torch

    def f(v):
        return function(v, torch)

    points = torch.from_numpy(data)
    torch.autograd.functional.hessian(f, points[0])
    start, done = time.perf_counter(), 0
    out = []
    while done < len(points) and time.perf_counter() - start < budget:
        out.append(torch.autograd.functional.hessian(f, points[done]))
        done += 1
    seconds = time.perf_counter() - start
    return done / seconds, torch.stack(out).numpy(), done


# Each prepare_* does the set-up once (derivatives, lowering, compilation) and returns
# (run, setup seconds): run() computes the Hessians of all the points and returns them.


def prepare_vmap(function, data, device="cpu"):
    import torch

    def f(v):
        return function(v, torch)

    batched = torch.func.vmap(torch.func.hessian(f))
    points = torch.from_numpy(data)  # .to() and .cpu() are no-ops on the CPU
    return (lambda: batched(points.to(device)).cpu().numpy()), 0.0


def prepare_numpy(function, data, device="cpu"):
    import sympy

    n = data.shape[1]
    start = time.perf_counter()
    v = sympy.symbols(f"v0:{n}", real=True)
    f = function(v, sympy)
    entries = list(sympy.hessian(f, v))
    fn = sympy.lambdify(v, entries, "numpy", cse=True)
    setup = time.perf_counter() - start
    columns = [np.ascontiguousarray(data[:, i]) for i in range(n)]
    count = len(data)

    def entry_major():
        out = np.empty((n * n, count))
        for k, value in enumerate(fn(*columns)):
            out[k] = value
        return np.ascontiguousarray(out.T).reshape(count, n, n)

    def point_major():
        out = np.empty((count, n * n))
        for k, value in enumerate(fn(*columns)):
            out[:, k] = value
        return out.reshape(count, n, n)

    # The faster of the two ways to assemble the entries into one array, for this shape.
    entry_major()  # a warm-up for each
    point_major()
    faster = min((entry_major, point_major), key=lambda run: best_time(run, 2))
    return faster, setup


def prepare_jax(function, data, device="cpu"):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    def f(v):
        return function(v, jnp)

    start = time.perf_counter()
    if (jax.default_backend() == "cpu") != (device == "cpu"):
        raise SystemExit(f"JAX runs on {jax.default_backend()}, not {device}")
    compiled = jax.jit(jax.vmap(jax.hessian(f)))
    compiled(data).block_until_ready()
    setup = time.perf_counter() - start
    if device == "cpu":
        return (lambda: compiled(data).block_until_ready()), setup
    return (lambda: np.asarray(compiled(data))), setup


def prepare_derivcli(text, data, engine="auto", device="cpu"):
    from derivcli import batch
    from derivcli.numeric import engines as numeric

    start = time.perf_counter()
    plan = batch.plan("hessian", text, engine=engine, device=device)
    run_engine = batch._engine(plan, numeric)  # noqa: SLF001 - the engine evaluate() uses
    setup = time.perf_counter() - start
    return (lambda: run_engine(data)), setup, run_engine


def compute_phase(
    sizes, peers, loop_budget, rounds: int, directory: Path, seed=0, device="cpu"
) -> list[dict]:
    """Rates of every peer, each timed in a fresh process of its own.

    Torch's OpenMP threads, XLA's thread pool and OpenBLAS's threads of one peer
    would otherwise share the process (and spin on the cores) while another is
    timed. The same data go to every peer through a .npy file. Each process sets
    up, runs once (the warm-up, whose result is checked against derivcli's), then
    times `rounds` runs; the peers take turns twice, and each peer's best run counts.
    """
    rows = []
    rng = np.random.default_rng(seed)
    everyone = ["derivcli", *(["derivcli autograd"] if "autograd" in peers else [])]
    everyone += [p for p in peers if p in ("vmap", "numpy", "jax")]
    for name, (_, _, n) in FUNCTIONS.items():
        for size in sizes:
            data_file = directory / "points.npy"
            np.save(data_file, rng.uniform(0.3, 1.7, size=(size, n)))
            row = {"function": name, "N": size, "rate": {}, "setup": {}}
            best = {}
            for turn in range(2):
                for peer in everyone:
                    if turn and best[peer] > 5 * best["derivcli"]:
                        continue  # far behind: another turn would not change the verdict
                    result = directory / f"out-{peer.replace(' ', '-')}.npy"
                    report = _worker(peer, name, data_file, result, rounds=rounds, device=device)
                    best[peer] = min(best.get(peer, float("inf")), report["seconds"])
                    row["setup"][peer] = report["setup"]
                    if turn == 0:
                        if peer == "derivcli":
                            reference = np.load(result)
                            row["engine"] = report["engine"]
                        else:
                            check(reference, np.load(result), peer, name)
                    result.unlink()
            row["rate"] = {peer: size / seconds for peer, seconds in best.items()}
            if "loop" in peers:
                result = directory / "out-loop.npy"
                report = _worker("loop", name, data_file, result, budget=loop_budget)
                row["rate"]["loop"] = report["rate"]
                row["loop_points"] = report["points"]
                check(reference[: report["points"]], np.load(result), "loop", name)
                result.unlink()
            rows.append(row)
            print_compute_row(row, flush=True)
            data_file.unlink()
    return rows


def _worker(peer: str, function: str, data: Path, result: Path, **options) -> dict:
    command = [PYTHON, __file__, "--worker", json.dumps([peer, function, str(data), str(result)])]
    command += ["--worker-options", json.dumps(options)]
    _, done = timed(command, env=BENCH_ENV)
    return json.loads(done.stdout.splitlines()[-1])


def worker(peer: str, name: str, data_file: str, result_file: str, options: dict) -> dict:
    """In a fresh process: set up one peer, run it, time it; save its result."""
    function, text, _ = FUNCTIONS[name]
    data = np.load(data_file)
    if peer == "loop":
        rate, out, done = peer_loop(function, data, options["budget"])
        np.save(result_file, out)
        return {"rate": rate, "points": done}
    engine_name = None
    device = options.get("device", "cpu")
    if peer.startswith("derivcli"):
        engine = "autograd" if peer.endswith("autograd") else "auto"
        run, setup, engine_object = prepare_derivcli(text, data, engine=engine, device=device)
        engine_name = engine_object.name
    else:
        prepare = {"vmap": prepare_vmap, "numpy": prepare_numpy, "jax": prepare_jax}[peer]
        run, setup = prepare(function, data, device=device)
    np.save(result_file, np.asarray(run()))  # the warm-up
    seconds = best_time(run, options["rounds"]) if "rounds" in options else None
    return {"seconds": seconds, "setup": setup, "engine": engine_name}


def check(reference, out, peer, name):
    out = np.asarray(out, dtype=np.float64).reshape(reference.shape)
    scale = np.maximum(1.0, np.abs(reference))
    error = float(np.max(np.abs(out - reference) / scale)) if len(out) else 0.0
    if not error <= 1e-9:
        raise SystemExit(f"{peer} disagrees with derivcli on {name}: relative error {error:.2e}")


# ---------------------------------------------------------------- whole command

# Short scripts that do the whole job as a user of each peer would write it.
SCRIPTS = {
    "jax": """
        import sys, numpy as np, jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        from functions import {function}
        f = lambda v: {function}(v, jnp)
        points = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, ndmin=2)
        np.save(sys.argv[2], np.asarray(jax.jit(jax.vmap(jax.hessian(f)))(points)))
    """,
    "vmap": """
        import sys, numpy as np, torch
        from functions import {function}
        f = lambda v: {function}(v, torch)
        points = torch.from_numpy(np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, ndmin=2))
        np.save(sys.argv[2], torch.func.vmap(torch.func.hessian(f))(points).numpy())
    """,
    "numpy": """
        import sys, numpy as np, sympy
        from functions import {function}
        points = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, ndmin=2)
        n = points.shape[1]
        v = sympy.symbols(f"v0:{{n}}", real=True)
        fn = sympy.lambdify(v, list(sympy.hessian({function}(v, sympy), v)), "numpy", cse=True)
        out = np.empty((len(points), n * n))
        for k, value in enumerate(fn(*points.T)):
            out[:, k] = value
        np.save(sys.argv[2], out.reshape(len(points), n, n))
    """,
}


def write_csv(path: Path, names, data) -> None:
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        np.savetxt(f, data, delimiter=",", fmt="%.17g")


def timed(command, **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command[:3]} failed: {done.stderr[-2000:]}")
    return seconds, done


def whole_command(sizes, peers, directory: Path, repeats: int, seed=1) -> list[dict]:
    """Each command `repeats` times, taking turns; the best time of each counts.

    Before each run the previous outputs are deleted and the page cache is flushed
    (os.sync), so that no run pays for another's disk writes.
    """
    rows = []
    rng = np.random.default_rng(seed)
    for name, (function, text, n) in FUNCTIONS.items():
        names = variables(n)
        for size in sizes:
            data = rng.uniform(0.3, 1.7, size=(size, n))
            csv = directory / f"points-{n}-{size}.csv"
            write_csv(csv, names, data)
            commands = {
                "derivcli": [PYTHON, "-m", "derivcli", "hessian", text, "--points", str(csv)]
                + ["--format", "npy", "--output", str(directory / "derivcli.npy")]
            }
            for peer in peers:
                if peer in SCRIPTS:
                    script = directory / f"peer_{peer}.py"
                    source = textwrap.dedent(SCRIPTS[peer]).format(function=function.__name__)
                    script.write_text(source)
                    commands[peer] = [PYTHON, str(script), str(csv), str(directory / f"{peer}.npy")]
            row = {"function": name, "N": size, "seconds": {}}
            for attempt in range(repeats):
                for peer, command in commands.items():
                    best = row["seconds"].get(peer)
                    if attempt and peer != "derivcli" and best > 2 * row["seconds"]["derivcli"]:
                        continue  # a peer twice as slow: more runs would not change the verdict
                    (directory / f"{peer}.npy").unlink(missing_ok=True)
                    os.sync()
                    seconds, _ = timed(command, env=BENCH_ENV)
                    row["seconds"][peer] = seconds if best is None else min(seconds, best)
            reference = np.load(directory / "derivcli.npy")
            for peer in commands:
                check(reference, np.load(directory / f"{peer}.npy"), peer, name)
                (directory / f"{peer}.npy").unlink()
            rows.append(row)
            print_whole_row(row, flush=True)
            csv.unlink()
    return rows


# ---------------------------------------------------------------- peak memory


def peak_memory(directory: Path, size: int = 4_000_000) -> dict:
    """Peak memory of derivcli for a 3-variable Hessian, CSV in, npy out.

    The kernel's peak resident memory of derivcli's process (ru_maxrss), and the
    peak, sampled every 10 ms, of the proportional set size of derivcli and its
    CSV parser processes together (pages they share counted once).
    """
    text = FUNCTIONS["exp/log/sqrt/cos, 3 variables"][1]
    csv = directory / "memory.csv"
    rng = np.random.default_rng(2)
    with open(csv, "w") as f:
        f.write("x,y,z\n")
        for start in range(0, size, 500_000):
            np.savetxt(
                f,
                rng.uniform(0.3, 1.7, size=(min(500_000, size - start), 3)),
                delimiter=",",
                fmt="%.17g",
            )
    out = directory / "memory.npy"
    command = [PYTHON, "-m", "derivcli", "hessian", text, "--points", str(csv)]
    command += ["--format", "npy", "--output", str(out)]
    # A wrapper process runs derivcli, so that its ru_maxrss (the largest of its
    # children) is derivcli's own peak, not the largest of every command run so far.
    wrapper = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:])\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)\n"
    )
    os.sync()
    start = time.perf_counter()
    process = subprocess.Popen(
        [PYTHON, "-c", wrapper, *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    peak_tree = 0
    while process.poll() is None:
        peak_tree = max(peak_tree, tree_pss(process.pid))
        time.sleep(0.01)
    seconds = time.perf_counter() - start
    maxrss_kib, status = process.stdout.read().split()
    if process.returncode != 0 or status != b"0":
        raise SystemExit(process.stderr.read().decode())
    main_peak = int(maxrss_kib) * 1024
    shape = np.load(out, mmap_mode="r").shape
    csv_bytes = csv.stat().st_size
    csv.unlink()
    out.unlink()
    return {
        "N": size,
        "csv_mb": csv_bytes / 2**20,
        "shape": list(shape),
        "seconds": seconds,
        "peak_tree_mib": peak_tree / 2**20,
        "peak_main_mib": main_peak / 2**20,
    }


def tree_pss(pid: int) -> int:
    """Proportional set size of the descendants of pid (shared pages split among them)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    descendants, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        descendants |= frontier
    total = 0
    for process in descendants:
        try:
            with open(f"/proc/{process}/smaps_rollup") as f:
                total += sum(int(line.split()[1]) * 1024 for line in f if line.startswith("Pss:"))
        except (OSError, ValueError):
            continue
    return total


# ---------------------------------------------------------------- report

PEERS = ("loop", "vmap", "numpy", "jax")


def print_compute_row(row, flush=False):
    rates = row["rate"]
    ours = rates["derivcli"]
    cells = [f"{row['function']:<32} N={row['N']:>9,}  derivcli {fmt_rate(ours)}"]
    for peer in PEERS:
        if peer in rates:
            cells.append(f"{peer} {fmt_rate(rates[peer])} (x{ours / rates[peer]:.1f})")
    if "derivcli autograd" in rates:
        cells.append(f"[autograd engine {fmt_rate(rates['derivcli autograd'])}]")
    print("  ".join(cells), flush=flush)


def print_whole_row(row, flush=False):
    seconds = row["seconds"]
    ours = seconds["derivcli"]
    cells = [f"{row['function']:<32} N={row['N']:>9,}  derivcli {ours:.2f} s"]
    for peer, value in seconds.items():
        if peer != "derivcli":
            cells.append(f"{peer} {value:.2f} s (x{value / ours:.2f})")
    print("  ".join(cells), flush=flush)


def fmt_rate(rate: float) -> str:
    if rate >= 1e6:
        return f"{rate / 1e6:.1f} M/s"
    if rate >= 1e3:
        return f"{rate / 1e3:.1f} k/s"
    return f"{rate:.0f} /s"


def ratio(value: float) -> str:
    return f"×{value:,.0f}" if value >= 100 else f"×{value:.1f}" if value >= 10 else f"×{value:.2f}"


def markdown(compute_rows, whole_rows, memory, notes) -> str:
    lines = [
        "Compute phase, points per second (in brackets: derivcli's rate ÷ the peer's; "
        f"{notes.get('compute', '')}):",
        "",
    ]
    peers = [p for p in PEERS if any(p in r["rate"] for r in compute_rows)]
    lines.append("| function | N | derivcli | " + " | ".join(peers) + " |")
    lines.append("|---|---:|---:|" + "---:|" * len(peers))
    for row in compute_rows:
        ours = row["rate"]["derivcli"]
        cells = [row["function"], f"{row['N']:,}", fmt_rate(ours)]
        for peer in peers:
            rate = row["rate"].get(peer)
            cells.append("—" if rate is None else f"{fmt_rate(rate)} ({ratio(ours / rate)})")
        lines.append("| " + " | ".join(cells) + " |")
    if whole_rows:
        lines += [
            "",
            "Whole command, CSV in and npy out, seconds (in brackets: the peer's time ÷ "
            f"derivcli's; {notes.get('whole', '')}):",
            "",
        ]
        peers = [p for p in SCRIPTS if any(p in r["seconds"] for r in whole_rows)]
        lines.append("| function | N | derivcli | " + " | ".join(peers) + " |")
        lines.append("|---|---:|---:|" + "---:|" * len(peers))
        for row in whole_rows:
            ours = row["seconds"]["derivcli"]
            cells = [row["function"], f"{row['N']:,}", f"{ours:.2f}"]
            for peer in peers:
                value = row["seconds"].get(peer)
                cells.append("—" if value is None else f"{value:.2f} ({ratio(value / ours)})")
            lines.append("| " + " | ".join(cells) + " |")
    if memory:
        lines += [
            "",
            f"Peak memory, {memory['N']:,} points of the 3-variable Hessian, CSV in "
            f"({memory['csv_mb']:.0f} MiB) and npy out: {memory['peak_main_mib']:.0f} MiB "
            f"(derivcli's process, peak resident), {memory['peak_tree_mib']:.0f} MiB (with its "
            f"CSV parser processes, proportional set size); {memory['seconds']:.1f} s.",
        ]
    return "\n".join(lines)


class Interference:
    """CPU time that other processes took while a phase ran, from /proc/stat.

    The machine's busy time minus this process's and its children's: on a shared
    machine it says how far the timings can be trusted.
    """

    def __init__(self):
        self.busy, self.ours, self.wall = _machine_busy(), _our_cpu(), time.perf_counter()

    def report(self) -> str:
        wall = time.perf_counter() - self.wall
        others = max(0.0, (_machine_busy() - self.busy) - (_our_cpu() - self.ours))
        share = others / (wall * (os.cpu_count() or 1))
        return (
            f"other processes used {others:.1f} CPU-seconds in {wall:.0f} s "
            f"({share:.0%} of the machine)"
        )


def _machine_busy() -> float:
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _our_cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def gpu_name(device: str) -> str:
    if device == "cpu":
        return ""
    import torch

    return f" ({torch.cuda.get_device_name(torch.device(device))}, torch {torch.__version__})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated N")
    parser.add_argument("--peers", default=",".join(PEERS), help="loop,vmap,numpy,jax")
    parser.add_argument(
        "--functions", default="", help="only the functions whose name contains one of these"
    )
    parser.add_argument("--loop-seconds", type=float, default=3.0, help="time given to the loop")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each peer")
    parser.add_argument("--no-whole", action="store_true", help="skip the whole-command timing")
    parser.add_argument("--whole-sizes", default="100000,1000000", help="N for the whole command")
    parser.add_argument("--whole-repeats", type=int, default=5, help="runs of each command")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory run")
    parser.add_argument(
        "--autograd", action="store_true", help="also time derivcli's autograd engine"
    )
    parser.add_argument(
        "--device", default="cpu", help="cpu, or cuda: the compute phase on the GPU (vmap, jax)"
    )
    parser.add_argument("--json", help="write the measurements to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-options", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        peer, name, data_file, result_file = json.loads(args.worker)
        report = worker(peer, name, data_file, result_file, json.loads(args.worker_options))
        print(json.dumps(report))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.functions:
        wanted = [w.lower() for w in args.functions.split(",")]
        for name in list(FUNCTIONS):
            if not any(w in name.lower() for w in wanted):
                del FUNCTIONS[name]
    peers = [p for p in args.peers.split(",") if p]
    if args.device != "cpu":
        # The loop and numpy run on the CPU only; nothing but the compute phase is timed.
        peers = [p for p in peers if p in ("vmap", "jax")]
        args.no_whole = args.no_memory = True
    if "jax" in peers:
        try:
            import jax  # noqa: F401
        except ImportError:
            print("JAX is not installed: pip install jax (an optional extra); skipping it")
            peers.remove("jax")
    if args.autograd:
        peers.append("autograd")
    print(
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; float64; "
        f"device {args.device}{gpu_name(args.device)}",
        flush=True,
    )
    whole_rows, memory = [], None
    with tempfile.TemporaryDirectory(prefix="derivcli-bench-") as tmp:
        print("\ncompute phase", flush=True)
        interference = Interference()
        compute_rows = compute_phase(
            sizes, peers, args.loop_seconds, args.rounds, Path(tmp), device=args.device
        )
        notes = {"compute": interference.report()}
        print(notes["compute"], flush=True)
        if not args.no_whole:
            print("\nwhole command (CSV in, npy out)", flush=True)
            whole_sizes = [int(s) for s in args.whole_sizes.split(",") if s]
            interference = Interference()
            whole_rows = whole_command(whole_sizes, peers, Path(tmp), args.whole_repeats)
            notes["whole"] = interference.report()
            print(notes["whole"], flush=True)
        if not args.no_memory:
            print("\npeak memory", flush=True)
            memory = peak_memory(Path(tmp))
            print(memory, flush=True)
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}\n")
    print(markdown(compute_rows, whole_rows, memory, notes))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"compute": compute_rows, "whole": whole_rows, "memory": memory, "notes": notes},
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
