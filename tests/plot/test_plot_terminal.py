"""The terminal plot: it fits the width, marks the breaks, has a legend, and keeps
NO_COLOR."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from rich.text import Text

from derivcli import plotting
from derivcli.plotting import terminal


def _lines(expression, span, columns, lines, order=2):
    drawn = terminal.curves_lines(plotting.sample(expression, span, order=order), columns, lines)
    return [line.plain if isinstance(line, Text) else line for line in drawn]


@pytest.mark.parametrize("columns", [40, 80, 137])
def test_it_fits_the_width_and_marks_the_kink_of_abs_at_0(columns):
    lines = _lines("abs(x)", "x=-1:1", columns, 30)
    assert max(Text(line).cell_len for line in lines) <= columns
    axis = next(line for line in lines if line.lstrip().startswith("└"))
    assert len(axis) == columns
    f_prime = lines.index(next(line for line in lines if line.strip() == "f′(x)"))
    panel = lines[f_prime + 1 : f_prime + 4]
    gutter = axis.index("└") + 1
    cells = columns - gutter
    middle = gutter + round((cells * 2 - 1) / 2) // 2  # the cell of x = 0
    assert all(line[middle] == terminal.BREAK for line in panel[1:])  # the dotted line
    assert sum(line.count(terminal.BREAK) for line in panel) >= 2
    notes = " ".join(line.strip() for line in lines[lines.index(axis) + 2 :])
    assert notes.startswith("┊ x = 0: f′(x), f″(x) do not exist: the point is on a kink")
    legend = "\n".join(lines[:2])
    assert "── f(x)" in legend and "── f′(x)" in legend and "┊ does not exist" in legend


def test_the_kink_is_a_dot_on_f():
    lines = _lines("abs(x)", "x=-1:1", 60, 30, order=1)
    start = lines.index(next(line for line in lines if line.strip() == "f(x)"))
    stop = lines.index(next(line for line in lines if line.strip() == "f′(x)"))
    assert sum(line.count(terminal.DOT) for line in lines[start:stop]) == 1


def test_the_height_follows_lines():
    short, tall = (_lines("x^2", "x=0:1", 60, n, order=0) for n in (12, 40))
    assert len(short) <= 12 < len(tall) <= 40


def test_two_variables_draw_a_shaded_map_with_arrows():
    field = plotting.sample("x^2 + y^2", "x=-1:1,y=-1:1")
    lines = [line.plain for line in terminal.field_lines(field, 60, 24)]
    assert max(len(line) for line in lines) <= 60
    body = "".join(lines[1:-2])
    assert "→" in body and "←" in body and "↑" in body and "↓" in body  # away from 0
    assert "█" in body and " " in body


def test_the_axes_show_both_ends_and_name_their_variables():
    lines = _lines("abs(x)", "x=-3:2.5", 60, 20, order=0)
    assert lines[-1].split() == ["x", "-3", "0", "2.5"]  # the stop too, not the name over it
    field = plotting.sample("x*y", "x=0:1,y=-4:4")
    drawn = [line.plain for line in terminal.field_lines(field, 60, 24)]
    assert drawn[-1].split() == ["x", "0", "1"]
    gutters = [
        line.split("┤")[0] if "┤" in line else line.split("│")[0]
        for line in drawn[:-2]
        if "┤" in line or "│" in line
    ]
    labels = [label.strip() for label in gutters if label.strip()]
    assert labels == ["4", "y", "-4"]  # the top, the name halfway, the bottom


def _shown(monkeypatch, capsys, **env) -> str:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    terminal.show(plotting.sample("abs(x)", "x=-1:1", order=1), 60, 20)
    return capsys.readouterr().out


# a colour in an SGR sequence: 30-37, 90-97 (foreground), 38;5;N or 38;2;R;G;B
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])[;m]")


def test_no_color_is_respected(monkeypatch, capsys):
    assert COLOUR.search(_shown(monkeypatch, capsys, FORCE_COLOR="1", TERM="xterm-256color"))
    assert not COLOUR.search(_shown(monkeypatch, capsys, FORCE_COLOR="1", NO_COLOR="1"))


def test_the_command_draws_in_the_terminal(cli):
    result = cli("plot", "abs(x)", "--range", "x=-1:1", "--width", "50", "--height", "20")
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 50
    assert "┊ x = 0: f′(x), f″(x) do not exist" in result.stdout


def test_zeta_is_drawn_with_its_pole_marked(cli):
    result = cli("plot", "zeta(s)", "--range", "s=-3:4", "--width", "80", "--height", "30")
    assert result.exit_code == 0, result.output
    assert "┊ s = 1: f(s), f′(s), f″(s) do not exist" in result.stdout


def test_the_notes_write_points_as_the_table_does():
    lines = _lines("tan(x)", "x=-pi:pi", 90, 30, order=1)
    assert any(line.startswith("┊ x = -π/2, π/2: f(x), f′(x) do not exist") for line in lines)


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_console_without_braille_is_told_so_in_one_line(encoding):
    env = {**os.environ, "PYTHONIOENCODING": encoding, "DERIVCLI_NO_SERVER": "1"}
    for ranges in (["x=-2:2", "--at", "y=1"], ["x=-2:2,y=-1:1"]):
        done = subprocess.run(
            [sys.executable, "-m", "derivcli", "plot", "abs(x) + y", "--range", *ranges],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.count("\n") == 1 and "\\u" not in done.stderr
        assert "needs a UTF-8 console" in done.stderr and "-o FILE.png" in done.stderr


def test_a_few_marks_are_all_listed():
    lines = _lines("floor(x)", "x=-2:2", 100, 30, order=1)
    jumps = list(range(-2, 3))  # floor jumps at each integer
    (note,) = [line for line in lines if line.startswith("┊")]
    assert note.startswith("┊ x = " + ", ".join(map(str, jumps)) + ": ")


def test_poles_and_undefined_points_of_two_variables_are_explained():
    pole = [
        line.plain
        for line in terminal.field_lines(plotting.sample("1/(x^2+y^2)", "x=-1:1,y=-1:1"), 60, 21)
    ]
    legend = " ".join(" ".join(pole[:5]).split())
    assert "✕ f infinite" in legend and "clipped (f reaches 0.5 to 1e+04)" in legend
    assert "?" not in legend
    (middle,) = [line for line in pole if "✕" in line and line.startswith("  y")]
    assert middle.index("✕") - middle.index("│") - 1 == 27  # x = 0: cell 27.5 of 0 to 55
    undefined = terminal.field_lines(plotting.sample("log(x*y)", "x=-1:1,y=-1:1"), 60, 21)
    assert "? f undefined (or not real)" in " ".join(line.plain for line in undefined[:3])
