"""Regenerate the README's function list from the function table, and (--console) the
outputs of its console examples.

    python scripts/update_readme.py            # rewrite README.md's function list in place
    python scripts/update_readme.py --check    # exit 1 if the function list is out of date
    python scripts/update_readme.py --console  # also re-run each console example that runs
                                               # by itself and rewrite its output (review
                                               # the diff by eye before committing it)

tests/test_readme.py fails while the README and the table differ, and while an example's
output differs from what derivcli prints.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

from derivcli.expr.functions import function_list_markdown

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- functions:start -->", "<!-- functions:end -->"


def with_function_list(text: str) -> str:
    """text with the block between the function-list markers regenerated."""
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"README.md lacks the markers {START} and {END}")
    return f"{head}{START}\n{function_list_markdown()}\n{END}{tail}"


# Examples left as they are: abbreviated, piped, reading or writing files, interactive,
# or in a format other than the table (plain's, csv's and json's are the stable contract, and
# the README shows some of them condensed by hand).
_NOT_RUN = re.compile(r"…|excerpt|[|<>@]|--points|-o |--output|\brepl\b|\$\?|--format|-f ")


def with_console_outputs(text: str) -> str:
    """text with the output under each runnable `$ derivcli ...` table example of its
    console blocks replaced by what derivcli prints now (stdout, then stderr; as the
    tests compare them: an 80-column console, line ends stripped). An example the
    README shows from a line on (no header) keeps that cut; one cut elsewhere must be
    cut again by hand."""
    from typer.testing import CliRunner

    from derivcli.cli.app import app

    os.environ["DERIVCLI_NO_SERVER"] = "1"
    os.environ.pop("COLUMNS", None)
    runner = CliRunner()

    def rerun(chunk: str) -> str:
        command, newline, output = chunk.partition("\n")
        if not command.startswith("derivcli ") or _NOT_RUN.search(command):
            return chunk
        result = runner.invoke(app, shlex.split(command, comments=True)[1:])
        lines = [line.rstrip() for line in (result.stdout + result.stderr).splitlines()]
        first = output.partition("\n")[0]
        if first and first != lines[0] and first in lines:  # an excerpt from that line on
            lines = lines[lines.index(first) :]
        return command + newline + "".join(line + "\n" for line in lines)

    def block(match: re.Match) -> str:
        chunks = re.split(r"^\$ ", match[1], flags=re.M)
        return "```console\n" + "$ ".join([chunks[0], *map(rerun, chunks[1:])]) + "```"

    return re.sub(r"```console\n(.*?)```", block, text, flags=re.S)


def main(argv: list[str]) -> int:
    """Rewrite README.md, or with --check report whether it is up to date."""
    text = README.read_text(encoding="utf-8")
    updated = with_function_list(text)
    if "--console" in argv:
        updated = with_console_outputs(updated)
    if "--check" in argv:
        if updated != text:
            print("README.md's function list is out of date: run scripts/update_readme.py")
            return 1
        return 0
    README.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
