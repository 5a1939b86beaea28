"""The README's syntax section agrees with the code: the function list is the table's,
and the error examples print what the README shows."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from derivcli.expr.functions import FUNCTIONS, function_list_markdown

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _between(start: str, end: str) -> str:
    _, found, rest = README.partition(start)
    assert found, f"README.md lacks {start}"
    body, found, _ = rest.partition(end)
    assert found, f"README.md lacks {end}"
    return body


def test_function_list_is_generated_from_the_table():
    listed = _between("<!-- functions:start -->", "<!-- functions:end -->").strip()
    assert listed == function_list_markdown(), "run: python scripts/update_readme.py"


def test_function_list_names_every_listed_function_and_alias():
    listed = _between("<!-- functions:start -->", "<!-- functions:end -->")
    for spec in FUNCTIONS:
        for name in spec.names:
            assert (f"`{name}`" in listed) == spec.listed, name


@pytest.mark.slow
def test_update_script_check_mode_agrees():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_readme.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout


def _commands(start: str, end: str, keep) -> list[tuple[str, str]]:
    """(command, output) of each `$ ` line in the section's console blocks that keep accepts."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", _between(start, end), flags=re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            if keep(command):
                examples.append((command, output))
    return examples


def _console_examples():
    # The timeout example is abbreviated (…).
    return _commands("<!-- syntax:start -->", "<!-- syntax:end -->", lambda c: "…" not in c)


EXAMPLES = _console_examples()


def test_the_syntax_section_has_error_examples():
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize(("command", "output"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_error_example_prints_what_the_readme_shows(command, output, cli):
    args = shlex.split(command)
    assert args[0] == "derivcli"
    result = cli(*args[1:])
    assert result.exit_code in (0, 2, 4)  # 0: an example of the syntax, on stdout
    assert (result.stdout if result.exit_code == 0 else result.stderr) == output


def _plain_examples():
    return _commands(
        "### Verdicts: what each number means", "### Many points", lambda c: "--format plain" in c
    )


PLAIN_EXAMPLES = _plain_examples()


def test_the_verdict_section_has_plain_examples():
    assert len(PLAIN_EXAMPLES) >= 4


@pytest.mark.parametrize(("command", "output"), PLAIN_EXAMPLES, ids=[c for c, _ in PLAIN_EXAMPLES])
def test_verdict_example_prints_what_the_readme_shows(command, output, cli):
    result = cli(*shlex.split(command)[1:])
    assert result.exit_code in (0, 3)
    assert result.stdout + result.stderr == output


# The operations' sections: each console example runs and prints what the README shows.
SECTIONS = [
    ("### Partial derivatives of any order", "### Along a vector", 3),
    ("### Along a vector: directional derivatives, JVP, VJP, HVP", "### Vector calculus", 5),
    ("### Vector calculus: Laplacian, divergence, curl", "### Taylor polynomials", 3),
    ("### Taylor polynomials", "### Plots", 3),
    ("### Plots", "### Output formats", 1),
    ("**Wide results.**", "### Instant answers", 1),
]
SECTION_EXAMPLES = [
    pytest.param(command, output, id=command)
    for start, end, _ in SECTIONS
    for command, output in _commands(start, end, lambda c: True)
]


@pytest.mark.parametrize(("start", "end", "least"), SECTIONS)
def test_each_operations_section_has_examples(start, end, least):
    assert len(_commands(start, end, lambda c: True)) >= least


@pytest.mark.parametrize(("command", "output"), SECTION_EXAMPLES)
def test_operation_example_prints_what_the_readme_shows(command, output, cli):
    result = cli(*shlex.split(command)[1:])
    assert result.exit_code == 0
    # a table's lines end in the spaces of its padding, which the README leaves out
    assert [line.rstrip() for line in result.stdout.splitlines()] == output.splitlines()


# The command-line conventions: shell lines (pipes, files), run by bash in a folder of
# their own, one after another.
SHELL_EXAMPLES = _commands("### Command-line conventions", "### Exit statuses", lambda c: True)


@pytest.mark.slow
def test_the_conventions_examples_print_what_the_readme_shows(tmp_path):
    assert len(SHELL_EXAMPLES) >= 5
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    for command, output in SHELL_EXAMPLES:
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=tmp_path,
            env=dict(os.environ, PATH=path),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.stdout + done.stderr == output, command


LATEX_EXAMPLES = _commands(
    "### Output formats", "### Verdicts", lambda command: "--format latex" in command
)


@pytest.mark.parametrize(("command", "output"), LATEX_EXAMPLES, ids=[c for c, _ in LATEX_EXAMPLES])
def test_latex_example_prints_what_the_readme_shows(command, output, cli):
    result = cli(*shlex.split(command)[1:])
    assert result.exit_code == 0
    assert result.stdout == output


def test_the_output_formats_section_shows_latex():
    assert len(LATEX_EXAMPLES) == 1
