"""The conventions of a command line: a leading minus, the expression from stdin or a
file, --version, help text as written with the choices of each option, usage errors
that name the command, and shell completion."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import derivcli
from derivcli import ops
from derivcli.cli import app as cli_app
from derivcli.cli import arguments
from derivcli.cli.arguments import expression_last
from derivcli.errors import ExitStatus
from derivcli.run.request import DEVICES, DTYPES, ENGINES, FORMATS, SYMBOLIC_BACKENDS

WIDE = {"COLUMNS": "250", "TERMINAL_WIDTH": "250"}  # help lines unwrapped where they fit


def _invoke(*args: str, input: bytes | str | None = None, env: dict | None = None):
    return CliRunner().invoke(cli_app.app, list(args), input=input, env=env)


# --- a leading minus -----------------------------------------------------------------

TAKES_VALUE = {"--at": True, "--format": True, "-f": True, "-h": False, "--strict": False}


@pytest.mark.parametrize(
    ("args", "read"),
    [
        (["-x^2", "--at", "x=1"], ["--at", "x=1", "--", "-x^2"]),
        (["--at", "x=1", "-x^2"], ["--at", "x=1", "--", "-x^2"]),
        (["--", "-x^2", "--at", "x=1"], ["--at", "x=1", "--", "-x^2"]),  # options after --
        (["-x", "--at", "x=1"], ["--at", "x=1", "--", "-x"]),  # the only argument
        (["-2*x", "-fjson"], ["-fjson", "--", "-2*x"]),  # -fVALUE: -f's value
        (["-sin(x)", "--strict"], ["--strict", "--", "-sin(x)"]),
        (["x", "--at", "-1"], ["--at", "-1", "--", "x"]),  # a value that begins with '-'
        (["-", "--at", "x=1"], ["--at", "x=1", "--", "-"]),  # stdin
        (["x", "--att", "x=1"], ["--att", "--", "x", "x=1"]),  # mistyped: click names it
        (["-x^2", "--formt", "json"], ["--formt", "--", "-x^2", "json"]),
        (["x", "-F", "json"], ["-F", "--", "x", "json"]),  # -F beside an expression: an option
        (["-x", "--at"], ["--at"]),  # a missing value: click's error, not the expression's
        (["-h"], ["-h"]),
    ],
)
def test_expression_last_moves_the_expression_after_a_double_dash(args, read):
    assert expression_last(args, TAKES_VALUE) == read


def test_a_leading_minus_is_the_expression_for_every_command(monkeypatch):
    seen = []
    monkeypatch.setattr(cli_app, "_run", lambda kind, **options: seen.append((kind, options)))
    names = [op.name for op in ops.registered()]
    for name in names:
        for args in (
            [name, "-x^2*y", "--at", "x=1,y=2"],
            [name, "--", "-x^2*y", "--at", "x=1,y=2"],
            [name, "--at", "x=1,y=2", "-x^2*y"],
        ):
            result = _invoke(*args)
            assert result.exit_code == 0, (args, result.output)
    assert [kind for kind, _ in seen] == [name for name in names for _ in range(3)]
    assert {options["expression"] for _, options in seen} == {"-x^2*y"}
    assert {tuple(options["at"]) for _, options in seen} == {("x=1,y=2",)}


def test_a_value_beginning_with_minus_stays_the_options(monkeypatch):
    seen = []
    monkeypatch.setattr(cli_app, "_run", lambda kind, **options: seen.append(options))
    assert _invoke("hvp", "-x*y", "--vector", "-1,2", "--at", "x=1,y=1").exit_code == 0
    assert seen[0]["vector"] == "-1,2" and seen[0]["expression"] == "-x*y"


def test_gradient_and_hessian_of_a_negated_expression(cli):
    # d/dx -x^2 = -2x; the Hessian of -x^2*y is [[-2y, -2x], [-2x, 0]].
    for args in (["-x^2"], ["--", "-x^2"], ["-fplain", "-x^2"]):
        result = cli("grad", *args, "--at", "x=1", "--format", "plain")
        assert (result.exit_code, result.stdout) == (0, "-2.0\n"), result.output
    result = cli("hessian", "-x^2*y", "--at", "x=3,y=2", "--format", "plain")
    assert [float(v) for v in result.stdout.split()] == [-4.0, -6.0, -6.0, 0.0]
    result = cli("grad", "-x", "--at", "x=5", "--format", "plain")
    assert result.stdout == "-1.0\n"


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["grad", "x^2", "--att", "x=1"], "No such option: --att"),
        (["grad", "-x^2", "--att", "x=1"], "No such option: --att"),
        (["grad", "-x^2", "--at", "x=1", "--formt", "json"], "No such option: --formt"),
        (["grad", "--formt=json", "x", "--at", "x=1"], "No such option: --formt"),
        (["grad", "x", "-F", "json"], "No such option: -F"),
        (["taylor", "-k*x"], "Invalid value for '--order' / '-k'"),  # -kVALUE: -k's value
    ],
)
def test_a_mistyped_option_stays_a_usage_error_naming_it(cli, args, named):
    result = cli(*args)
    assert result.exit_code == ExitStatus.INPUT
    assert named in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [["grad", "x", "--at"], ["grad", "-x", "--at"], ["taylor", "x", "--order"]],
)
def test_a_usage_error_points_at_the_commands_help(cli, args):
    result = cli(*args)
    assert result.exit_code == ExitStatus.INPUT
    assert "requires an argument" in result.stderr
    assert result.stderr.endswith(f"(see 'derivcli {args[0]} --help')\n")


def test_a_server_commands_usage_error_points_at_its_help(cli):
    result = cli("server", "start", "--idle")
    assert result.stderr.endswith("(see 'derivcli server start --help')\n")


# --- --version -------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(cli, flag):
    result = cli(flag)
    assert (result.exit_code, result.stdout) == (0, f"derivcli {derivcli.__version__}\n")


# --- the expression from stdin or a file ---------------------------------------------


def test_the_expression_from_stdin():
    result = _invoke("grad", "-", "--at", "x=3", "--format", "plain", input="x^2\n")
    assert (result.exit_code, result.stdout) == (0, "6.0\n"), result.output


def test_the_expression_from_a_file_with_line_breaks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "expr.txt").write_bytes(b"\xef\xbb\xbfx^2*y +\r\n  sin(y)\n")  # a BOM, CRLF
    result = _invoke("hessian", "@expr.txt", "--at", "x=1,y=2", "--format", "plain")
    assert result.exit_code == 0, result.output
    # [[2y, 2x], [2x, -sin(y)]] at (1, 2)
    want = [4.0, 2.0, 2.0, -math.sin(2.0)]
    assert [float(v) for v in result.stdout.split()] == pytest.approx(want, rel=1e-15)


def test_the_request_holds_the_text_read(tmp_path, cli_json):
    (tmp_path / "f.txt").write_text("r*cos(t),\nr*sin(t)\n")
    from_file = cli_json("jacobian", f"@{tmp_path / 'f.txt'}", "--at", "r=2,t=0")
    inline = cli_json("jacobian", "r*cos(t), r*sin(t)", "--at", "r=2,t=0")
    assert from_file == inline


@pytest.mark.parametrize(
    ("text", "where", "found"),
    [
        ("x^2 *\n  sine(y)\n", "in expr.txt", "sine"),
        ("x +\n\n y)", "in expr.txt", ")"),
    ],
)
def test_a_parse_error_says_where_and_its_caret_points_into_the_text_read(
    tmp_path, monkeypatch, text, where, found
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "expr.txt").write_text(text)
    for args, given in ((["@expr.txt"], None), (["-"], text)):
        result = _invoke("grad", *args, "--at", "x=1,y=1", input=given)
        assert result.exit_code == ExitStatus.INPUT
        message, shown, caret = result.stderr.splitlines()
        assert message.endswith(f"({where if given is None else 'from stdin'})")
        assert shown.strip() == " ".join(text.splitlines()).strip().replace("\n", " ")
        assert caret.index("^") == shown.index(found)


@pytest.mark.parametrize(
    ("content", "argument", "message"),
    [
        (None, "@missing.txt", "no such file: missing.txt"),
        (None, "@.", ". is a directory"),
        (None, "@", "'@' needs a file name after it"),
        (b"", "@e.txt", "the expression in e.txt is empty"),
        (b" \n\r\n\t\n", "@e.txt", "the expression in e.txt is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "@e.txt", "in e.txt is not UTF-8 text (byte 1)"),
        (b"x\x00y", "@e.txt", "in e.txt holds a NUL character"),
    ],
)
def test_an_unreadable_expression_is_one_input_error(
    tmp_path, monkeypatch, content, argument, message
):
    monkeypatch.chdir(tmp_path)
    if content is not None:
        (tmp_path / "e.txt").write_bytes(content)
    result = _invoke("grad", argument, "--at", "x=1")
    assert result.exit_code == ExitStatus.INPUT
    assert result.stderr.startswith("derivcli: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_stdin_cannot_give_both_the_expression_and_the_points():
    result = _invoke("grad", "-", "--points", "-", input="x\n1\n")
    assert result.exit_code == ExitStatus.INPUT
    assert "both read stdin" in result.stderr


def test_empty_stdin_is_an_input_error():
    result = _invoke("grad", "-", "--at", "x=1", input="")
    assert result.exit_code == ExitStatus.INPUT
    assert "the expression from stdin is empty" in result.stderr


def test_an_expression_longer_than_the_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(arguments, "MAX_INPUT_LENGTH", 9)
    monkeypatch.setattr(arguments, "_MAX_INPUT_BYTES", 36)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fits.txt").write_text("x+x+x+x+x\n")  # 9 characters and a line break
    result = _invoke("grad", "@fits.txt", "--at", "x=1", "--format", "plain")
    assert (result.exit_code, result.stdout) == (0, "5.0\n")
    (tmp_path / "long.txt").write_text("x+x+x+x+x+x")
    (tmp_path / "huge.txt").write_text("x+" * 10_000 + "x")
    for name in ("long.txt", "huge.txt"):
        result = _invoke("grad", f"@{name}", "--at", "x=1")
        assert result.exit_code == ExitStatus.LIMIT, result.output
        assert f"in {name} is longer than the limit of 9 characters" in result.stderr


def test_an_endless_file_is_read_only_to_the_limit(cli):
    result = cli("grad", "@/dev/zero", "--at", "x=1")
    assert result.exit_code == ExitStatus.LIMIT
    assert "longer than the limit of 100,000 characters" in result.stderr


# --- help text -----------------------------------------------------------------------


def _commands(command=None, path=("derivcli",)):
    """Every click command under the app, with its path (derivcli server start)."""
    command = command or cli_app.click_command()
    yield path, command
    for name in getattr(command, "commands", {}):
        yield from _commands(command.commands[name], (*path, name))


def _flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def _examples(help_text: str) -> list[str]:
    return [line.strip() for line in help_text.split("Examples:")[-1].splitlines() if line]


def test_every_help_shows_its_examples_and_options_as_written():
    walked = 0
    for path, command in _commands():
        raw = command.help
        result = _invoke(*path[1:], "--help", env=WIDE)
        assert result.exit_code == 0, path
        shown = _flat(result.stdout)
        if "Examples:" in raw:
            for example in _examples(raw):
                walked += 1
                assert _flat(example) in shown, (path, example)
        for param in command.params:
            if getattr(param, "help", None):
                assert _flat(param.help.replace("\\[", "[")) in shown, (path, param.name)
    assert walked >= 2 * len(ops.registered())


def test_brackets_in_help_are_kept():
    shown = _flat(_invoke("jacobian", "--help", env=WIDE).stdout)
    bracketed = [example for example in ops.get("jacobian").examples if "[" in example]
    assert bracketed and all(_flat(example) in shown for example in bracketed)
    assert "a .npy array [points, variables] whose" in shown


def test_the_choices_of_format_dtype_and_device_are_in_the_help():
    shown = _flat(_invoke("grad", "--help", env=WIDE).stdout)
    for names in (FORMATS, DTYPES, DEVICES, ENGINES, SYMBOLIC_BACKENDS):
        assert f"[{'|'.join(names)}]" in shown
    options = shown.split("Options")[-1]
    assert "<str>" not in options  # every text option names its values


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--format", "yaml", "unknown format 'yaml': use " + ", ".join(FORMATS)),
        ("--dtype", "float16", "unknown dtype 'float16': use float64 or float32"),
        ("--device", "tpu", "unknown device 'tpu': use cpu, cuda, cuda:N or mps"),
        ("--engine", "jax", "unknown engine 'jax': use auto, autograd, symbolic"),
        ("--symbolic", "maple", "unknown symbolic backend 'maple': use auto, sympy, symengine"),
    ],
)
def test_a_bad_choice_keeps_derivclis_message(cli, option, value, message):
    result = cli("grad", "x", "--at", "x=1", option, value)
    assert result.exit_code == ExitStatus.INPUT
    assert result.stderr == f"derivcli: error: {message}\n"


# --- shell completion ----------------------------------------------------------------


def _complete(line: str) -> list[str]:
    words = line.split(" ")
    env = {
        "_DERIVCLI_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1),
    }
    result = _invoke(env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.split()


def test_completion_of_commands_options_and_choices():
    assert _complete("derivcli hes") == ["hessian"]
    assert "--format" in _complete("derivcli hessian x --for")
    assert _complete("derivcli hessian x --format ") == list(FORMATS)
    assert _complete("derivcli hessian -x^2 --format j") == [f for f in FORMATS if f[0] == "j"]
    assert _complete("derivcli grad x --dtype ") == list(DTYPES)


def test_the_console_script_completes_here_not_on_a_server(monkeypatch):
    from derivcli.cli import entry
    from derivcli.server import client

    ran = []

    def no_server(argv):
        raise AssertionError("a completion went to the server")

    monkeypatch.setattr(client, "forward", no_server)
    monkeypatch.setattr(cli_app, "main", lambda: ran.append(True))
    monkeypatch.setenv(entry.COMPLETION_VARIABLE, "complete_bash")
    entry.main()
    assert ran == [True]


@pytest.mark.slow
def test_the_console_script_completes(tmp_path):
    env = dict(os.environ, _DERIVCLI_COMPLETE="complete_bash", XDG_RUNTIME_DIR=str(tmp_path))
    env.pop("DERIVCLI_NO_SERVER")  # the console script answers it without asking a server
    env.update(COMP_WORDS="derivcli hessian x --format pl", COMP_CWORD="4")
    script = str(Path(sys.executable).parent / "derivcli")
    done = subprocess.run([script], env=env, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "plain\n", "")


def test_no_help_shows_a_markup_escape():
    for path, _ in _commands():
        shown = _invoke(*path[1:], "--help", env=WIDE).stdout
        assert "\\[" not in shown, path
    assert "pip install 'derivcli[plot]'" in _flat(_invoke("plot", "--help", env=WIDE).stdout)
