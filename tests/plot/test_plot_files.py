"""Plots as files: valid png, svg and pdf, the same bytes each time, written as every
derivcli output is; matplotlib missing is one line; the README's picture is what its
command makes."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<?xml", "pdf": b"%PDF-"}


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_each_format_is_valid_and_the_same_bytes_each_time(suffix, cli, tmp_path):
    paths = [tmp_path / f"{name}.{suffix}" for name in ("a", "b")]
    for path in paths:
        result = cli("plot", "abs(x) + 1/(x-1)", "--range", "x=-3:3", "-o", str(path))
        assert result.exit_code == 0, result.stderr
        assert result.stdout == ""
    first, second = (path.read_bytes() for path in paths)
    assert first.startswith(MAGIC[suffix]) and first == second
    assert sorted(os.listdir(tmp_path)) == [p.name for p in paths]  # no partial file left


def test_two_variables_to_svg(cli, tmp_path):
    path = tmp_path / "field.svg"
    result = cli("plot", "x*y + sin(y)", "--range", "x=-2:2,y=-2:2", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    root = ElementTree.parse(path).getroot()
    assert root.tag.endswith("svg")


def test_a_symbolic_link_stays_and_its_target_is_replaced(cli, tmp_path):
    target = tmp_path / "target.png"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    link = tmp_path / "link.png"
    link.symlink_to(target)
    result = cli("plot", "x^2", "--range", "x=0:1", "-o", str(link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and target.read_bytes().startswith(MAGIC["png"])
    assert os.stat(target).st_mode & 0o777 == 0o640


def test_an_error_during_the_work_leaves_no_file(cli, tmp_path):
    path = tmp_path / "p.png"
    result = cli("plot", "x^2", "--range", "x=0:1", "-o", str(path), "--timeout", "0.000001")
    assert result.exit_code == 4
    assert os.listdir(tmp_path) == []


def test_the_python_api_returns_the_figure_and_writes_it(tmp_path):
    import derivcli

    path = tmp_path / "p.svg"
    figure = derivcli.plot("abs(x) + sin(2x)", "x=-3:3", order=1, output=str(path))
    assert len(figure.axes) == 2
    assert path.read_bytes().startswith(MAGIC["svg"])


HIDDEN = """
import sys
sys.modules["matplotlib"] = None  # as if it were not installed
from typer.testing import CliRunner
from derivcli.cli.app import app
for args in ({file!r}, {terminal!r}):
    result = CliRunner().invoke(app, args)
    print(result.exit_code, repr(result.stderr))
"""


@pytest.mark.slow
def test_without_matplotlib_a_file_is_one_line_and_the_terminal_still_works():
    file = ["plot", "x^2", "--range", "x=0:1", "-o", "p.png"]
    terminal = ["plot", "x^2", "--range", "x=0:1", "--width", "40", "--height", "12"]
    done = subprocess.run(
        [sys.executable, "-c", HIDDEN.format(file=file, terminal=terminal)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    message = "derivcli: error: derivcli plot needs matplotlib: pip install 'derivcli[plot]'\n"
    assert done.stdout.splitlines() == [f"2 {message!r}", "0 ''"]


def _readme_image_command() -> tuple[list[str], Path]:
    """The command the README gives for its picture, and the picture's path."""
    found = re.search(r"`(derivcli plot [^`]* -o (docs/[^` ]+))`", README)
    assert found, "the README's Plots section names the command that makes its picture"
    assert f"]({found.group(2)})" in README  # and shows that picture
    return shlex.split(found.group(1)), ROOT / found.group(2)


def test_the_readme_picture_is_what_its_command_makes(cli, tmp_path):
    import matplotlib

    args, picture = _readme_image_command()
    made = tmp_path / picture.name
    result = cli(*args[1:-1], str(made))
    assert result.exit_code == 0, result.stderr
    root = ElementTree.parse(picture).getroot()
    assert root.tag.endswith("svg") and root.get("viewBox") == "0 0 504 540"
    kept = picture.read_bytes()
    version = re.search(rb"Matplotlib v([\w.]+)", kept).group(1).decode()
    if version != matplotlib.__version__:
        pytest.skip(f"docs made with matplotlib {version}; {matplotlib.__version__} here")
    assert made.read_bytes() == kept, "regenerate it with the README's command"
