"""--help, symbolic-only runs and input errors leave torch unimported (it costs ~2 s)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from typer.testing import CliRunner
from derivcli.cli.app import app
result = CliRunner().invoke(app, {args!r})
print(result.exit_code)
print("torch" in sys.modules)
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["--help"], 0),
        (["hessian", "--help"], 0),
        (["hessian", "sin(x)*y"], 0),
        (["jacobian", "r*cos(t), r*sin(t)", "--format", "json"], 0),
        (["hessian", "sin(x)*y", "--format", "latex"], 0),
        (["grad", "x*y", "--grid", "x=0:1:2", "--format", "latex"], 2),
        (["grad", "x*y", "--at", "x=1"], 2),
        (["grad", "sine(x)", "--at", "x=1"], 2),
        (["grad", "x", "--at", "x=1", "--device", "cuda"], 2),
        (["grad", "x", "--at", "x=1", "--dtype", "float16"], 2),
        (["hessian", "x, y", "--at", "x=1,y=2"], 2),
        (["grad", "x*y", "--format", "csv"], 2),
        (["grad", "x*y", "--grid", "x=0:1:2", "--format", "csv"], 2),
        (["grad", "x*y", "--points", "/dev/null", "--format", "jsonl"], 2),
        (["grad", "x*y", "--points", "missing.csv", "--format", "jsonl"], 2),
        (["grad", "x*y", "--at", "x=1,y=2", "--format", "npy"], 2),
        (["grad", "@missing.txt", "--at", "x=1"], 2),
        (["grad", "-x^", "--at", "x=1"], 2),
    ],
)
def test_torch_not_imported(args, status):
    if "cuda" in args and _has_nvidia_driver():
        pytest.skip("this machine has an NVIDIA driver: cuda is a valid device here")
    assert _probe(args) == [str(status), "False"]


PLOT_PROBE = PROBE + 'print("matplotlib" in sys.modules)\n'


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["plot", "--help"], 0),
        (["--help"], 0),
        (["plot", "x^2"], 2),
        (["plot", "x^2", "--range", "x=1:0", "-o", "p.png"], 2),
        (["plot", "x^2", "--range", "x=0:1", "-o", "p.gif"], 2),
    ],
)
def test_plot_help_and_input_errors_import_neither_torch_nor_matplotlib(args, status):
    assert _probe(args, PLOT_PROBE) == [str(status), "False", "False"]


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--version"], ["-V"]])
def test_version_imports_neither_sympy_nor_torch(args):
    probe = PROBE.replace('print("torch" in sys.modules)', 'print("sympy" in sys.modules)')
    assert _probe(args, probe) == ["0", "False"]


@pytest.mark.slow
def test_numeric_run_does_import_torch():
    # The probe can fail: a run with --at must load torch.
    assert _probe(["grad", "x^2", "--at", "x=1"]) == ["0", "True"]


@pytest.mark.slow
def test_python_dash_m_and_console_script():
    out = subprocess.run(
        [sys.executable, "-m", "derivcli", "grad", "x^2", "--at", "x=3", "--format", "plain"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and out.stdout == "6.0\n"


def _probe(args: list[str], probe: str = PROBE) -> list[str]:
    """Run derivcli in a fresh interpreter: its exit status, then what the probe prints
    (whether torch, or what else it asks about, was imported)."""
    return subprocess.run(
        [sys.executable, "-c", probe.format(args=args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()


def _has_nvidia_driver() -> bool:
    from derivcli.api import _nvidia_driver_present

    return _nvidia_driver_present()
