"""Many points: --points, --grid and several --at; csv, jsonl, npy and plain streamed out.

The batched numbers must equal the single-point ones, whatever the input format,
the output format, the engine or the chunk size.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import derivcli
from derivcli import ops
from derivcli.batch import evaluate
from derivcli.errors import InputError
from derivcli.io import sources

# (kind, expression, variables in the result's order, points) for the round trips
CASES = [
    ("hessian", "sin(x)*y + exp(x*y)", ["x", "y"]),
    ("grad", "x^2*y + log(1 + z^2)*y", ["x", "y", "z"]),
    ("jacobian", "r*cos(t), r*sin(t), r^2", ["r", "t"]),
]


def _points(names, count=7, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.3, 1.7, size=(count, len(names)))


def _single(kind, expression, names, points) -> np.ndarray:
    """The checked path, one point at a time: the reference for every batch."""
    rows = []
    for row in points:
        point = dict(zip(names, row.tolist(), strict=True))
        result = derivcli.compute(kind, expression, at=point)
        rows.append(result.results[0].numeric)
    return np.array(rows)


def _write_csv(path: Path, names, points) -> None:
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for row in points:
            f.write(",".join(repr(float(v)) for v in row) + "\n")


def _close(got, want, rtol=1e-12):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape
    assert np.all(np.abs(got - want) <= rtol * np.maximum(1.0, np.abs(want))), (got, want)


@pytest.mark.parametrize(("kind", "expression", "names"), CASES, ids=[c[0] for c in CASES])
def test_every_output_format_round_trips(cli, tmp_path, kind, expression, names):
    points = _points(names)
    want = _single(kind, expression, names, points)
    source = tmp_path / "points.csv"
    _write_csv(source, names, points)

    result = cli(kind, expression, "--points", str(source), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    labels = ops.get(kind).labels(names, want.shape[1] if kind == "jacobian" else 1)
    assert rows[0] == names + list(np.ravel(labels))
    table = np.array(rows[1:], dtype=float)
    assert np.array_equal(table[:, : len(names)], points)  # the points round-trip exactly
    _close(table[:, len(names) :].reshape(want.shape), want)

    result = cli(kind, expression, "--points", str(source), "--format", "jsonl")
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [list(o["point"]) for o in objects] == [names] * len(points)
    assert np.array_equal([list(o["point"].values()) for o in objects], points)
    _close([o["numeric"] for o in objects], want)

    out = tmp_path / "out.npy"
    result = cli(kind, expression, "--points", str(source), "--format", "npy", "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    array = np.load(out)
    assert array.dtype == np.float64 and array.shape == want.shape
    _close(array, want)

    result = cli(kind, expression, "--points", str(source), "--format", "plain")
    _close(np.loadtxt(io.StringIO(result.stdout), ndmin=2), want.reshape(len(points), -1))


def test_every_input_format_gives_the_same_numbers(cli, tmp_path):
    names, expression = ["x", "y"], "x^3*y - sin(x*y)"
    grid = np.array([[x, y] for x in np.linspace(0, 1, 3) for y in np.linspace(-1, 1, 2)])
    want = _single("hessian", expression, names, grid)

    def numbers(*args):
        result = cli("hessian", expression, *args, "--format", "jsonl")
        assert result.exit_code == 0, result.output
        objects = [json.loads(line) for line in result.stdout.splitlines()]
        assert np.allclose([list(o["point"].values()) for o in objects], grid, atol=0, rtol=0)
        return np.array([o["numeric"] for o in objects])

    _close(numbers("--grid", "x=0:1:3,y=-1:1:2"), want)
    csv_file = tmp_path / "p.csv"
    _write_csv(csv_file, ["y", "x"], grid[:, ::-1])  # columns in any order
    _close(numbers("--points", str(csv_file)), want)
    npy_file = tmp_path / "p.npy"
    np.save(npy_file, grid)
    _close(numbers("--points", str(npy_file), "--wrt", "x,y"), want)
    at = [a for x, y in grid.tolist() for a in ("--at", f"x={x!r},y={y!r}")]
    _close(numbers(*at), want)
    stdin = "x,y\n" + "".join(f"{x!r},{y!r}\n" for x, y in grid.tolist())
    result = CliRunnerWithInput(cli).run(
        stdin, "hessian", expression, "--points", "-", "-f", "jsonl"
    )
    _close([json.loads(line)["numeric"] for line in result.stdout.splitlines()], want)


class CliRunnerWithInput:
    def __init__(self, cli):
        from typer.testing import CliRunner

        from derivcli.cli.app import app

        self.runner, self.app = CliRunner(), app

    def run(self, stdin: str, *args):
        result = self.runner.invoke(self.app, list(args), input=stdin)
        assert result.exit_code == 0, result.output
        return result


def test_npy_columns_follow_wrt_then_parameters(cli, tmp_path):
    # a*x^2*y, differentiated by y and x: columns y, x, then the parameter a.
    data = np.array([[2.0, 3.0, 0.5], [1.0, -1.0, 2.0]])
    np.save(tmp_path / "p.npy", data)
    out = tmp_path / "g.npy"
    args = ["grad", "a*x^2*y", "--points", str(tmp_path / "p.npy"), "--wrt", "y,x"]
    result = cli(*args, "-f", "npy", "-o", str(out))
    assert result.exit_code == 0, result.output
    y, x, a = data.T
    _close(np.load(out), np.stack([a * x**2, 2 * a * x * y], axis=1))


@pytest.mark.parametrize("engine", ["symbolic", "autograd"])
@pytest.mark.parametrize("chunk_size", [1, 3, 4, 1000])
def test_chunk_sizes_that_do_not_divide_the_points(cli, tmp_path, engine, chunk_size):
    out = tmp_path / "h.npy"
    args = ["hessian", "exp(x)*cos(y)", "--grid", "x=0:1:5,y=0:2:2", "--engine", engine]
    result = cli(*args, "--chunk-size", str(chunk_size), "-f", "npy", "-o", str(out))
    assert result.exit_code == 0, result.output
    grid = np.array([[x, y] for x in np.linspace(0, 1, 5) for y in np.linspace(0, 2, 2)])
    _close(np.load(out), _single("hessian", "exp(x)*cos(y)", ["x", "y"], grid))


def test_csv_blocks_and_parser_processes_keep_line_numbers(cli, tmp_path, monkeypatch):
    # Tiny blocks, parsed by worker processes: chunks and blocks do not line up.
    monkeypatch.setattr(sources, "BLOCK_BYTES", 64)
    monkeypatch.setattr(sources, "PARALLEL_BYTES", 0)
    points = _points(["x", "y"], count=50, seed=3)
    path = tmp_path / "p.csv"
    _write_csv(path, ["x", "y"], points)
    result = cli("grad", "x*y^2", "--points", str(path), "--chunk-size", "7", "-f", "csv")
    assert result.exit_code == 0, result.output
    table = np.loadtxt(io.StringIO(result.stdout), delimiter=",", skiprows=1)
    assert np.array_equal(table[:, :2], points)
    _close(table[:, 2:], np.stack([points[:, 1] ** 2, 2 * points[:, 0] * points[:, 1]], 1))
    lines = path.read_text().splitlines()
    lines[41] = "0.5,abc"
    path.write_text("\n".join(lines) + "\n")
    result = cli("grad", "x*y^2", "--points", str(path), "-f", "csv", "-o", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "line 42: 'abc' in column y is not a number" in result.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty: it needs a header line naming the variables"),
        ("\n\n", "is empty"),
        ("x\n1\n", "has no column for y"),
        ("x,y,w\n1,2,3\n", "has a column w, which the expression lacks"),
        ("x,y\n1,2\n3,four\n", "line 3: 'four' in column y is not a number"),
        ("x,y\n1,2\n\n3,\n", "line 4: '' in column y is not a number"),
        ("x,y\n1,2\n3\n", "line 3: 1 value(s), and the header names 2 (x, y)"),
        ("x,y\n1,2\n3,nan\n", "line 3: the value of y, nan, is not a finite number"),
        ("1,2\n3,4\n", "'1' is not a variable name (is the header line missing?)"),
        ("x,x\n1,2\n", "names x twice"),
    ],
)
def test_bad_csv_files_exit_2_with_the_line(cli, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    for output_format in ("csv", "json"):
        result = cli("grad", "x*y", "--points", str(path), "--format", output_format)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert result.stderr.startswith("derivcli: error: ")
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--grid", "x=0:1"], "give start:stop:count"),
        (["--grid", "x=0:1:0"], "must be a whole number >= 1"),
        (["--grid", "x=0:1:2"], "--grid has no column for y"),
        (["--grid", "x=0:1:2,y=0:1:2,x=1:2:2"], "gives x twice"),
        (["--grid", "x=0:1:2,y=a:1:2"], "'a' is not a number"),
        (["--points", "missing.csv"], "cannot read missing.csv"),
        (["--points", "p.npy"], "give --wrt with the variables in column order"),
        (["--points", "p.npy", "--wrt", "x,y,z"], "--wrt names z"),
        (["--at", "x=1,y=2", "--grid", "x=0:1:2,y=0:1:2"], "not --at and --grid"),
        (["--at", "x=1,y=2", "--format", "npy"], "give --output FILE.npy"),
        (["--format", "csv"], "--format csv needs points"),
        (["--at", "x=1,y=2", "--format", "csv", "--engine", "fast"], "unknown engine 'fast'"),
        (["--at", "x=1", "--format", "csv"], "no value for y"),
        (["--at", "x=1,y=2", "-f", "csv", "-o", "nowhere/out.csv"], "does not exist"),
    ],
)
def test_bad_options_exit_2(cli, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    np.save(tmp_path / "p.npy", np.ones((3, 2)))
    result = cli("grad", "x*y", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr, result.stderr


def test_header_only_file_gives_no_points(cli, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x,y\n")
    result = cli("grad", "x*y", "--points", str(path), "-f", "csv")
    assert result.exit_code == 0 and result.stdout == "x,y,d/dx,d/dy\n"
    result = cli("grad", "x*y", "--points", str(path), "-f", "npy", "-o", str(tmp_path / "o.npy"))
    assert np.load(tmp_path / "o.npy").shape == (0, 2)


def test_json_and_table_check_each_point_exactly(cli, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x,y\n0,1\n0.5,2\n")
    result = cli("hessian", "sin(x)*y", "--points", str(path), "--format", "json")
    doc = json.loads(result.stdout)
    assert [r["point"] for r in doc["results"]] == [{"x": 0.0, "y": 1.0}, {"x": 0.5, "y": 2.0}]
    assert doc["results"][0]["exact"] == [["0", "1"], ["1", "0"]]
    assert all(r["agree"] for r in doc["results"])
    result = cli("hessian", "sin(x)*y", "--grid", "x=0:1:2,y=1:1:1")
    assert result.stdout.count("torch agrees with the exact values") == 2


def test_too_many_points_for_exact_checks_is_a_limit(cli):
    result = cli("grad", "x*y", "--grid", "x=0:1:1000,y=0:1:1000", "--format", "json")
    assert result.exit_code == 4
    assert "use --format csv, jsonl, npy or plain" in result.stderr


def test_output_file_for_every_format(cli, tmp_path):
    for output_format in ("table", "json", "plain", "csv", "jsonl"):
        out = tmp_path / f"out.{output_format}"
        result = cli("grad", "x^2", "--at", "x=3", "-f", output_format, "-o", str(out))
        assert result.exit_code == 0 and result.stdout == ""
        assert "6.0" in out.read_text() or "6" in out.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "out.csv",
        "out.json",
        "out.jsonl",
        "out.plain",
        "out.table",
    ]


def test_interrupt_leaves_no_partial_file(cli, tmp_path, monkeypatch):
    from derivcli.numeric import engines as numeric

    calls = []
    original = numeric.SymbolicEngine.__call__

    def interrupted(self, points, **kwargs):
        calls.append(len(points))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self, points, **kwargs)

    monkeypatch.setattr(numeric.SymbolicEngine, "__call__", interrupted)
    out = tmp_path / "out.npy"
    out.write_bytes(b"an older file")
    args = ["hessian", "x*y", "--grid", "x=0:1:100,y=0:1:100", "--chunk-size", "1000"]
    result = cli(*args, "--engine", "symbolic", "-f", "npy", "-o", str(out))
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    assert out.read_bytes() == b"an older file"  # untouched, and no temporary file left
    assert [p.name for p in tmp_path.iterdir()] == ["out.npy"]


def test_non_finite_results_warn_and_strict_exits_3(cli):
    args = ["grad", "sqrt(x)", "--grid", "x=0:1:3", "-f", "csv"]
    result = cli(*args)
    assert result.exit_code == 0
    assert "1 of 3 points have an entry that is not a finite number" in result.stderr
    assert result.stdout.splitlines()[1] == "0.0,inf"
    result = cli(*args, "--strict")
    assert result.exit_code == 3 and "--strict" in result.stderr
    result = cli("grad", "sqrt(x)", "--grid", "x=0:1:3", "-f", "jsonl")
    assert json.loads(result.stdout.splitlines()[0])["numeric"] == [None]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_engines_agree_on_every_function_of_the_table(dtype):
    from derivcli.expr.functions import FUNCTIONS

    for spec in FUNCTIONS:
        if not spec.listed:
            continue
        text = {
            1: f"{spec.name}(x*y)",
            2: f"{spec.name}(x, y)",
        }[spec.arity[0]]
        if spec.name == "root":
            text = "root(x*y, 3)"
        elif spec.name == "polygamma":
            text = "polygamma(1, x*y)"
        elif spec.name == "zetaderiv":
            text = "zetaderiv(1, x*y)"
        low, high = spec.domain
        rng = np.random.default_rng(len(spec.name))
        if spec.arity[0] == 1:  # x*y inside the domain: x in it, y near 1
            points = {"x": rng.uniform(low, high, 20), "y": rng.uniform(0.95, 1.0, 20)}
            points["x"] = np.clip(points["x"], low / 0.95 if low > 0 else low, high)
        else:
            points = {"x": rng.uniform(low, high, 20), "y": rng.uniform(low, high, 20)}
        for kind in ("grad", "hessian"):
            a = evaluate(kind, text, points, engine="symbolic", dtype=dtype)
            b = evaluate(kind, text, points, engine="autograd", dtype=dtype)
            rtol = 1e-9 if dtype == "float64" else 2e-3
            scale = np.maximum(1.0, np.abs(b))
            assert np.all(np.abs(a - b) <= rtol * scale), (text, kind, a, b)


def test_evaluate_api():
    xs = np.linspace(0, 1, 5)
    out = evaluate("hessian", "sin(x)*y", {"x": xs, "y": 2.0})
    assert out.shape == (5, 2, 2)
    _close(out[:, 0, 0], -2 * np.sin(xs))
    same = evaluate("hessian", "sin(x)*y", np.stack([xs, np.full(5, 2.0)], 1), chunk_size=2)
    _close(same, out)
    assert derivcli.evaluate("grad", "x^2", [1.0, 2.0]).tolist() == [[2.0], [4.0]]
    with pytest.raises(InputError, match="missing y"):
        evaluate("grad", "x*y", {"x": xs})
    with pytest.raises(InputError, match="not a finite number"):
        evaluate("grad", "x", [1.0, math.nan])


def test_default_engine_is_symbolic_for_batches_and_autograd_for_checks():
    from derivcli import batch
    from derivcli.numeric import engines as numeric

    plan = batch.plan("hessian", "sin(x)*y")
    with batch._engine(plan, numeric) as engine:  # noqa: SLF001
        assert engine.name == "symbolic"
    with numeric.make_engine("auto", "hessian", plan.exprs, plan.variables, []) as engine:
        assert engine.name == "autograd"


def _peak_mib(grid: str, out: Path) -> float:
    """Peak resident memory of a derivcli process that writes the Hessians at grid to out."""
    command = [sys.executable, "-m", "derivcli", "hessian", "exp(x*y)*log(1 + z^2) + x*z"]
    command += ["--grid", grid, "-f", "npy", "-o", str(out)]
    script = (
        "import resource, subprocess, sys\n"
        f"subprocess.run({command!r}, check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(derivcli.__file__).parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1]) / 1024


@pytest.mark.slow
def test_memory_is_bounded_by_the_chunk_not_the_points(tmp_path):
    # 2·10^6 points of a 3-variable Hessian, 144 MB of output, against 8 points: the
    # process grows by about two chunks' buffers, not by the output. (What torch's
    # libraries take differs by build: about 300 MiB for the CPU wheel, more for CUDA's.)
    out = tmp_path / "h.npy"
    small = _peak_mib("x=0.1:1:2,y=0.1:1:2,z=0.1:1:2", out)
    large = _peak_mib("x=0.1:1:200,y=0.1:1:100,z=0.1:1:100", out)
    assert np.load(out, mmap_mode="r").shape == (2_000_000, 3, 3)
    assert large - small < 100, (small, large)


def test_progress_bar_only_on_a_terminal_and_after_a_moment(monkeypatch):
    from derivcli.io.progress import ProgressBar

    source = sources.Grid("x=0:1:10")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    with ProgressBar(source) as progress:
        assert progress is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    bar = ProgressBar(source)
    with bar as progress:
        progress(5, 5)
        assert bar.bar is None  # the first half second shows nothing
        bar.started -= 1
        progress(10, 10)
        assert bar.bar is not None
        assert bar.bar.tasks[0].completed == 10 and bar.bar.tasks[0].total == 10


def test_accelerator_path_matches_the_tiled_one():
    # On a GPU the symbolic engine computes a chunk in one go (_whole); run that path
    # on the CPU too, so that it is tested on every machine.
    from derivcli import batch
    from derivcli.numeric import engines as numeric

    plan = batch.plan("hessian", "sin(x)*y + x^3 + 2")
    points = _points(["x", "y"], count=5000)
    with numeric.SymbolicEngine(plan.matrix, plan.shape, plan.variables, []) as engine:
        tiled = engine(points)
        whole = np.empty_like(tiled)
        engine._whole(points, whole)  # noqa: SLF001
    assert np.array_equal(tiled, whole)


@pytest.mark.parametrize("engine", ["auto", "autograd", "symbolic"])
def test_checked_formats_take_either_engine(cli_json, engine):
    doc = cli_json("hessian", "sin(x)*y + x^3", "--at", "x=0.5,y=2", "--engine", engine)
    (point,) = doc["results"]
    assert point["agree"] is True
    want = [[-2 * math.sin(0.5) + 3.0, math.cos(0.5)], [math.cos(0.5), 0.0]]
    _close(point["numeric"], want)


def _interrupt(tmp_path, args, ready) -> subprocess.CompletedProcess:
    """Run derivcli with args in its own process group; Ctrl-C the group once ready() holds."""
    import signal
    import time

    env = {**os.environ, "PYTHONPATH": str(Path(derivcli.__file__).parent.parent)}
    process = subprocess.Popen(
        [sys.executable, "-m", "derivcli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # the group that a terminal's Ctrl-C reaches
    )
    deadline = time.monotonic() + 60
    while not ready() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the command ended before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=20)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.slow
def test_ctrl_c_while_writing_leaves_no_file(tmp_path):
    out = tmp_path / "h.csv"
    args = ["hessian", "sin(x)*y", "--grid", "x=0:1:3000,y=0:1:3000", "-f", "csv", "-o", str(out)]

    def writing():
        return any(p.stat().st_size > 0 for p in tmp_path.glob(".h.csv.*.partial"))

    done = _interrupt(tmp_path, args, writing)
    assert done.returncode == 130
    assert done.stderr == "derivcli: error: interrupted\n"
    assert list(tmp_path.iterdir()) == []  # neither the output nor the temporary file


@pytest.mark.slow
def test_ctrl_c_while_csv_parsers_run_is_one_line(tmp_path):
    # A file large enough for the parser processes, interrupted while they parse
    # (and sympy and torch load): no traceback from any process.
    points = tmp_path / "p.csv"
    rng = np.random.default_rng(0)
    names = [f"x{i}" for i in range(1, 11)]
    with open(points, "w") as f:
        f.write(",".join(names) + "\n")
        np.savetxt(f, rng.uniform(0, 1, size=(200_000, 10)), delimiter=",", fmt="%.17g")
    assert points.stat().st_size > sources.PARALLEL_BYTES
    out = tmp_path / "h.npy"
    expression = " + ".join(f"{name}^3" for name in names)
    args = ["hessian", expression, "--points", str(points), "-f", "npy", "-o", str(out)]
    started = []

    def parsing():
        started.append(None)
        return len(started) > 15  # about 0.3 s in

    done = _interrupt(tmp_path, args, parsing)
    assert done.returncode == 130
    assert done.stderr == "derivcli: error: interrupted\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]
