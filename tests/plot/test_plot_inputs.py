"""derivcli plot's arguments: every bad range, order and output is one line, exit 2,
before any work."""

from __future__ import annotations

import pytest
import sympy

from derivcli.errors import InputError
from derivcli.plotting.ranges import parse_ranges

FORMAT_OF = "the format of --output's file"
CHOOSE = (
    "give a FILE ending in .png, .svg or .pdf, or name the format with --format png, svg or pdf"
)
ERRORS = [
    (["x^2"], "no range for x: add --range x=START:STOP (or a value with --at x=1)"),
    (
        ["x^2", "--range", "y=0:1"],
        "--range names y, which the expression lacks (its variables: x)",
    ),
    (["x^2", "--range", "x=1:0"], "--range x=1:0: the start must be below the stop"),
    (["x^2", "--range", "x=1:1"], "--range x=1:1: the start must be below the stop"),
    (
        ["x*y", "--range", "x=0:1"],
        "no range for y: add --range y=START:STOP (or a value with --at y=1)",
    ),
    (
        ["x*y*z", "--range", "x=0:1"],
        "the expression has 3 variables (x, y, z) and derivcli plot draws one or two: "
        "give the others values with --at, e.g. --at z=1",
    ),
    (
        ["x*y*z", "--range", "x=0:1,y=0:1,z=0:1"],
        "derivcli plot draws one or two variables, and --range gives 3: give a range to "
        "one or two of them and values to the others with --at, e.g. --at z=1",
    ),
    (["x^2", "--range", "x=0:1:5"], "--range x=0:1:5: give START:STOP, two values (e.g. x=-3:3)"),
    (
        ["x^2", "--range", "x=0:1", "--range", "x=2:3"],
        "--range gives x twice: give each variable one range",
    ),
    (["x^2", "--range", "x"], "--range 'x' is not NAME=START:STOP (e.g. x=-3:3)"),
    (
        ["x*a", "--range", "x=0:1", "--at", "a=1,b=2"],
        "--at names b, which the expression lacks (its variables: x, a)",
    ),
    (
        ["x*a", "--range", "x=0:1", "--at", "x=1"],
        "x has a range and a value in --at: give it one of them",
    ),
    (
        ["x^2", "--range", "x=0:1", "--order", "4"],
        "--order is the highest derivative drawn: 0 to 3, not 4",
    ),
    (
        ["x, x^2", "--range", "x=0:1"],
        "derivcli plot draws one expression; this one has 2 (separated by commas): plot each "
        "on its own",
    ),
    (["x^2", "--range", "x=0:1", "-o", "plot.txt"], f"--output plot.txt has '.txt': {CHOOSE}"),
    (["x^2", "--range", "x=0:1", "-o", "/dev/null"], f"--output /dev/null has no suffix: {CHOOSE}"),
    (
        ["x^2", "-r", "x=0:1", "-o", "-", "-f", "gif"],
        "--format gif is not a plot format: png, svg or pdf",
    ),
    (["x^2", "-r", "x=0:1", "-f", "svg"], f"--format names {FORMAT_OF}: give -o FILE as well"),
    (
        ["x*y", "--range", "x=0:1,y=0:1", "--order", "3"],
        "--order is for one variable: with two, derivcli plot draws f's contours and its "
        "gradient; leave --order out",
    ),
    (
        ["3", "--range", "x=0:1"],
        "3 is a constant (no variables): its derivatives are all 0, and derivcli plot draws a "
        "function of one or two variables",
    ),
]


@pytest.mark.parametrize(("args", "message"), ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_bad_arguments_are_one_line_and_exit_2(args, message, cli):
    result = cli("plot", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"derivcli: error: {message}\n"


def test_an_output_folder_that_does_not_exist_is_refused(cli, tmp_path):
    result = cli("plot", "x^2", "--range", "x=0:1", "-o", str(tmp_path / "no" / "p.png"))
    assert result.exit_code == 2
    assert "does not exist; create it first" in result.stderr


def test_a_bound_that_is_not_a_number_points_at_it(cli):
    result = cli("plot", "x^2", "--range", "x=0:a")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[1:] == ["  x=0:a", "      ^"]


def test_ranges_are_exact():
    (span,) = parse_ranges("x=-pi:pi/2")
    assert (span.name, span.start, span.stop) == ("x", -sympy.pi, sympy.pi / 2)
    assert parse_ranges({"t": (0, "1/3")})[0].stop == sympy.Rational(1, 3)
    assert [r.name for r in parse_ranges(["x=0:1", "y=-1:0"])] == ["x", "y"]


def test_python_api_words_its_own_arguments():
    import derivcli

    with pytest.raises(InputError) as error:
        derivcli.plot("x^2", "x=1:0")
    assert str(error.value) == "ranges= x=1:0: the start must be below the stop"


@pytest.mark.parametrize("form", ["png", "svg", "pdf"])
def test_format_names_the_format_of_a_file_without_a_suffix(form, cli, tmp_path):
    magic = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF-"}
    path = tmp_path / "plot"
    result = cli("plot", "x^2", "--range", "x=0:1", "-o", str(path), "--format", form)
    assert result.exit_code == 0, result.stderr
    assert path.read_bytes().startswith(magic[form])
    result = cli("plot", "x^2", "--range", "x=0:1", "-o", "/dev/null", "-f", form)
    assert result.exit_code == 0, result.stderr
