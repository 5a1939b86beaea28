"""--output, pipes, signals and locales: derivcli is safe under faults.

- --output replaces a regular file atomically and keeps its mode; follows a symbolic
  link; writes a FIFO, a device or /dev/fd/N in place; refuses an unusable path before
  any work.
- A closed stdout (| head -1) ends the run quietly with exit status 141.
- SIGTERM and SIGHUP clean up as Ctrl-C does (143, 129); the watchdog removes the
  temporary file of a worker it kills.
- Any locale: ASCII stand-ins where stdout cannot encode the table's marks.
"""

from __future__ import annotations

import io
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import derivcli
from derivcli.cli import watchdog
from derivcli.cli.app import app

SCRIPT = Path(sys.executable).parent / "derivcli"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "derivcli"]
ENV = {**os.environ, "PYTHONPATH": str(Path(derivcli.__file__).parent.parent)}
ENV.pop("PYTHONIOENCODING", None)
POINT = ["grad", "x^2*y", "--at", "x=1,y=2"]


def _start(args, **options) -> subprocess.Popen:
    options.setdefault("stdout", subprocess.PIPE)
    options.setdefault("stderr", subprocess.PIPE)
    env = {**ENV, **options.pop("env", {})}
    return subprocess.Popen([*COMMAND, *args], env=env, **options)


def _finish(process: subprocess.Popen, timeout: float = 90) -> tuple[int, str, str]:
    """Wait for the process; reading stderr to its end also waits for any process that
    inherited it (a CSV parser left behind would hang this)."""
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    decode = lambda data: (data or b"").decode("utf-8", "replace")  # noqa: E731
    return process.returncode, decode(stdout), decode(stderr)


# --- --output: files, links, FIFOs, descriptors ------------------------------------


def test_a_replaced_file_keeps_its_mode(cli, tmp_path):
    out = tmp_path / "private.txt"
    out.write_text("old\n")
    out.chmod(0o600)
    result = cli(*POINT, "-f", "plain", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text() == "4.0 1.0\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # was 0644: the temporary file's
    assert [p.name for p in tmp_path.iterdir()] == ["private.txt"]


def test_a_new_file_gets_the_umask(cli, tmp_path):
    umask = os.umask(0o027)
    try:
        result = cli(*POINT, "-f", "plain", "-o", str(tmp_path / "new.txt"))
    finally:
        os.umask(umask)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640


def test_a_symbolic_link_is_followed(cli, tmp_path):
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "target.txt"
    target.write_text("old\n")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    result = cli(*POINT, "-f", "plain", "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == target  # the link survives
    assert target.read_text() == "4.0 1.0\n"  # its target has the result
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["data", "link.txt", "target.txt"]
    dangling = tmp_path / "dangling"
    dangling.symlink_to("data/created.txt")
    assert cli(*POINT, "-f", "plain", "-o", str(dangling)).exit_code == 0
    assert (tmp_path / "data" / "created.txt").read_text() == "4.0 1.0\n"


def _fifo(tmp_path) -> tuple[Path, int]:
    """A FIFO and a non-blocking reader of it: a writer's open never waits (and the
    outputs written here are far below a pipe's 64 KiB, so its writes never wait)."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    return fifo, os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)


def _drain(fd: int) -> bytes:
    data = b""
    while True:
        try:
            piece = os.read(fd, 1 << 16)
        except BlockingIOError:
            break
        if not piece:
            break
        data += piece
    os.close(fd)
    return data


def test_a_fifo_is_written_in_place(cli, tmp_path):
    fifo, reader = _fifo(tmp_path)
    result = cli("grad", "x^2", "--grid", "x=0:1:3", "-f", "csv", "-o", str(fifo))
    assert result.exit_code == 0, result.output
    assert _drain(reader) == b"x,d/dx\n0.0,0.0\n0.5,1.0\n1.0,2.0\n"
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # not renamed over
    assert [p.name for p in tmp_path.iterdir()] == ["fifo"]


@pytest.mark.slow
def test_a_fifo_streams_to_its_reader(tmp_path):
    # More than a pipe holds: derivcli writes as the reader thread reads.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received = []

    def read():
        with open(fifo, "rb") as f:  # opens once derivcli opens the FIFO to write
            received.append(f.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    code, _, stderr = _finish(
        _start(["grad", "x^2", "--grid", "x=0:1:200001", "-f", "plain", "-o", str(fifo)])
    )
    reader.join(timeout=30)
    assert code == 0, stderr
    assert received[0].count(b"\n") == 200_001
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_npy_into_a_fifo(cli, tmp_path):
    # The number of points is known (--grid): the header is written once, no seek.
    fifo, reader = _fifo(tmp_path)
    result = cli("grad", "x^2", "--grid", "x=0:1:5", "-f", "npy", "-o", str(fifo))
    assert result.exit_code == 0, result.output
    data = _drain(reader)
    array = np.lib.format.read_array(io.BytesIO(data))
    np.testing.assert_allclose(array, [[0.0], [0.5], [1.0], [1.5], [2.0]])
    # From a CSV file it is not known: refused before any work (the FIFO is not even
    # opened, so nothing waits for its reader).
    points = tmp_path / "p.csv"
    points.write_text("x\n1\n")
    result = cli("grad", "x^2", "--points", str(points), "-f", "npy", "-o", str(fifo))
    assert result.exit_code == 2
    assert "--format npy" in result.output and str(fifo) in result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_dev_fd_writes_to_the_open_descriptor(cli, tmp_path):
    # /dev/fd/N (and /dev/stdout, a link to /proc/self/fd/1) write to the descriptor,
    # as a shell does: it failed with "No such file or directory".
    read_end, write_end = os.pipe()
    try:
        result = cli(*POINT, "-f", "plain", "-o", f"/dev/fd/{write_end}")
        assert result.exit_code == 0, result.output
        like_stdout = tmp_path / "stdout"
        like_stdout.symlink_to(f"/proc/self/fd/{write_end}")
        result = cli(*POINT, "-f", "json", "-o", str(like_stdout))
        assert result.exit_code == 0, result.output
        assert like_stdout.is_symlink()
    finally:
        os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        data = f.read().decode()
    assert data.startswith("4.0 1.0\n{\n")
    result = cli(*POINT, "-f", "plain", "-o", "/dev/fd/987")
    assert result.exit_code == 2 and "987 is not open" in result.output


@pytest.mark.slow
def test_a_process_substitution(tmp_path):
    # bash's -o >(gzip) is /dev/fd/63, an inherited pipe.
    read_end, write_end = os.pipe()
    process = _start([*POINT, "-f", "plain", "-o", f"/dev/fd/{write_end}"], pass_fds=[write_end])
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        data = f.read()
    code, _, stderr = _finish(process)
    assert (code, stderr, data) == (0, "", b"4.0 1.0\n")


@pytest.fixture
def no_work(monkeypatch):
    """Fail if derivcli starts the work: parse, differentiate or compute."""
    from derivcli import api, batch

    def refuse(*args, **kwargs):
        raise AssertionError("the work started before --output was checked")

    monkeypatch.setattr(api, "compute", refuse)
    monkeypatch.setattr(batch, "plan", refuse)


@pytest.mark.parametrize("format", ["table", "json", "plain", "csv", "jsonl", "npy"])
@pytest.mark.parametrize(
    ("output", "words"),
    [
        ("", "--output is empty"),
        (".", "is a directory"),
        ("missing/out", "does not exist"),
    ],
)
def test_an_unusable_output_is_refused_before_any_work(
    cli, no_work, tmp_path, monkeypatch, format, output, words
):
    monkeypatch.chdir(tmp_path)
    result = cli("grad", "x^2", "--at", "x=1", "-f", format, "-o", output)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "--output" in result.stderr
    assert words in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_an_empty_output_is_refused_at_once():
    # It computed everything, then failed with an internal error (exit 1).
    start = time.monotonic()
    code, stdout, stderr = _finish(_start(["grad", "x^2", "--at", "x=1", "-o", ""]))
    assert (code, stdout) == (2, "")
    assert stderr == "derivcli: error: --output is empty: give a file name (or - for stdout)\n"
    assert time.monotonic() - start < 30


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_without_permission_is_refused(cli, no_work, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = cli("grad", "x^2", "--at", "x=1", "-o", str(locked / "out"))
    assert result.exit_code == 2 and "no permission" in result.stderr


# --- a closed stdout ---------------------------------------------------------------


@pytest.mark.slow
def test_a_closed_stdout_is_exit_141_without_a_word():
    # Each point checked (--at), in every format, and symbolic only (no torch: Python's
    # own exit flushes stdout). The reader is gone before derivcli writes (the read end
    # is closed at once). The runs go side by side.
    formats = ("table", "json", "plain", "csv", "jsonl")
    commands = {format: [*POINT, "-f", format] for format in formats}
    commands["symbolic"] = ["hessian", "sin(x)*y"]
    runs = {}
    for what, args in commands.items():
        read_end, write_end = os.pipe()
        os.close(read_end)
        runs[what] = _start(args, stdout=write_end)
        os.close(write_end)
    done = {what: _finish(process)[::2] for what, process in runs.items()}
    assert done == dict.fromkeys(runs, (141, ""))  # was 1, "internal error ... BrokenPipeError"


@pytest.mark.slow
def test_head_of_a_stream_is_exit_141_without_a_word(tmp_path):
    # derivcli grad "x^2*y" --points samples.csv --format jsonl | head -1, from a CSV
    # file large enough for the parser processes: they are stopped too (else stderr
    # stays open). csv and plain from a --grid larger than a pipe holds.
    points = tmp_path / "p.csv"
    rng = np.random.default_rng(0)
    with open(points, "w") as f:
        f.write("x,y\n")
        np.savetxt(f, rng.uniform(0, 1, size=(700_000, 2)), delimiter=",", fmt="%.17g")
    grid = ["--grid", "x=0:1:1000,y=0:1:200"]
    runs = {
        "jsonl": _start(["grad", "x^2*y", "--points", str(points), "-f", "jsonl"]),
        "csv": _start(["grad", "x^2*y", *grid, "-f", "csv"]),
        "plain": _start(["hessian", "x^2*y", *grid, "-f", "plain"]),
    }
    first = {}
    for format, process in runs.items():
        first[format] = process.stdout.readline()
        process.stdout.close()
    done = {format: _finish(process)[::2] for format, process in runs.items()}
    assert done == dict.fromkeys(runs, (141, ""))
    assert first["jsonl"].startswith(b'{"point": {"x": ')
    assert first["csv"] == b"x,y,d/dx,d/dy\n"
    assert first["plain"] == b"0.0 0.0 0.0 0.0\n"


# --- signals -----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("name", "status"), [("SIGTERM", 143), ("SIGHUP", 129)])
def test_a_termination_signal_leaves_no_partial_file(tmp_path, name, status):
    # As `timeout` does: the signal goes to the whole process group, while the points
    # still come (stdin stays open) and the temporary file exists.
    out = tmp_path / "h.npy"
    process = _start(
        ["hessian", "sin(x)*y", "--points", "-", "-f", "npy", "-o", str(out)],
        stdin=subprocess.PIPE,
        start_new_session=True,
    )
    process.stdin.write(b"x,y\n" + b"0.5,2\n" * 800_000)  # a block of 4 MiB is parsed
    process.stdin.flush()
    deadline = time.monotonic() + 60

    def writing():
        return any(p.stat().st_size > 128 for p in tmp_path.glob(".h.npy.*.partial"))

    while not writing() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the command ended before the signal"
    os.killpg(process.pid, getattr(signal, name))
    code, _, stderr = _finish(process)
    assert code == status, stderr
    assert stderr.startswith("derivcli: error: terminated (") and stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # neither the output nor the temporary file


STUCK_AFTER_OPENING = """
import hashlib, os, sys
from derivcli.io import sinks
from derivcli.cli import watchdog
original = sinks.open_sink

def stuck(*args, **kwargs):
    sink = original(*args, **kwargs)
    print(sink.output._temp, file=sys.stderr, flush=True)
    # A budget of 0.2 s, then C code that does not look at signals (minutes).
    os.write(watchdog._child_fd, b"start 0.2 the budget ran out\\n")
    hashlib.pbkdf2_hmac("sha256", b"x", b"y", 10**9)
    return sink

sinks.open_sink = stuck
from derivcli.cli.app import main
sys.argv = ["derivcli", *sys.argv[1:]]
main()
"""


@pytest.mark.slow
def test_the_watchdog_removes_the_partial_file_of_a_worker_it_kills(tmp_path):
    out = tmp_path / "h.csv"
    process = subprocess.Popen(
        [sys.executable, "-c", STUCK_AFTER_OPENING, "grad", "x^2", "--grid", "x=0:1:9"]
        + ["-f", "csv", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    code, _, stderr = _finish(process, timeout=60)
    temporary, message = stderr.splitlines()
    assert Path(temporary).parent == tmp_path and Path(temporary).name.startswith(".h.csv.")
    assert (code, message) == (4, "derivcli: error: the budget ran out")
    assert list(tmp_path.iterdir()) == []  # the child's temporary file is gone


def test_the_watchdog_removes_only_reported_temporary_files(tmp_path):
    partial = tmp_path / ".out.abc.partial"
    other = tmp_path / "precious.txt"
    renamed = tmp_path / ".done.xyz.partial"
    for path in (partial, other, renamed):
        path.write_text("")
    lines = [
        f"partial {os.fsencode(path).hex()}".encode() for path in (partial, other, renamed)
    ] + [f"done {os.fsencode(renamed).hex()}".encode(), b"start 1 unrelated", b"partial zz"]
    read_end, write_end = os.pipe()
    os.write(write_end, b"\n".join(lines[3:]))
    os.close(write_end)
    partials: set[str] = set()
    for line in lines[:3]:
        assert watchdog._track(line.decode(), partials)
    assert not watchdog._track("start 1 unrelated", partials)
    watchdog._remove_partials(partials, b"", read_end)  # the rest is read from the pipe
    os.close(read_end)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".done.xyz.partial", "precious.txt"]


def test_the_command_restores_the_hosts_signal_handlers(monkeypatch):
    def host_handler(signum, frame):
        pass

    previous = signal.signal(signal.SIGTERM, host_handler)
    try:
        before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
        seen = {}
        from derivcli.run import pipeline

        original = pipeline.run

        def spy(*args, **kwargs):
            seen.update({s: signal.getsignal(s) for s in before})
            return original(*args, **kwargs)

        monkeypatch.setattr(pipeline, "run", spy)
        result = CliRunner().invoke(app, ["grad", "x^2"])
        assert result.exit_code == 0, result.output
        assert all(seen[s] is not before[s] for s in before)  # taken while it ran
        assert {s: signal.getsignal(s) for s in before} == before  # and given back
        assert CliRunner().invoke(app, ["grad", "x^2", "-o", ""]).exit_code == 2
        assert {s: signal.getsignal(s) for s in before} == before
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- locales -----------------------------------------------------------------------


@pytest.mark.slow
def test_any_locale_gets_ascii_where_it_lacks_the_marks(tmp_path):
    # (LANG=C LC_ALL=C is not among them: Python 3.7+ takes the C locale for UTF-8.)
    table = tmp_path / "table.txt"
    ascii, latin = {"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "latin-1"}
    at_a_limit = ["grad", "sin(x)/x", "--at", "x=0"]  # a warning with → in it
    runs = {
        "table": _start(POINT, env=ascii),
        "table with a warning": _start(at_a_limit, env=latin),
        "plain with a warning": _start([*at_a_limit, "-f", "plain"], env=latin),
        "file": _start([*POINT, "-o", str(table)], env=ascii),
    }
    done = {what: _finish(process) for what, process in runs.items()}
    for what, (code, stdout, stderr) in done.items():
        assert code == 0, (what, stderr)  # was 1: UnicodeEncodeError on ✓ or ✗
        assert stdout.isascii() and stderr.isascii(), (what, stdout, stderr)
    assert "| d/dx | 2x*y     | 4     |     4 | ok |" in done["table"][1]  # x^2*y, 2x·y
    assert "ok torch agrees with the exact values" in done["table"][1]
    assert "| d/dx |" in done["table with a warning"][1]
    assert "- d/dx: disagree: " in done["table with a warning"][1]  # • and → in ASCII
    assert "x -> 0" in " ".join(done["table with a warning"][1].split())
    assert "derivcli: warning: d/dx: disagree:" in done["plain with a warning"][2]
    assert "x -> 0" in done["plain with a warning"][2]  # stderr: ASCII for →
    text = table.read_text(encoding="utf-8")  # a file is UTF-8: the marks stay
    assert "✓ torch agrees" in text and "╭" in text


@pytest.mark.slow
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize("form", ["table", "json"])
def test_a_full_disk_under_stdout_is_one_line_and_status_1(form):
    with open("/dev/full", "wb") as full:
        status, _, stderr = _finish(_start([*POINT, "-f", form], stdout=full))
    assert status == 1
    assert stderr == (
        "derivcli: error: cannot write the output: No space left on device; "
        "free space or write elsewhere\n"
    )
