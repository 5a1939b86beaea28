"""Regenerate the README's function list from the function table.

    python scripts/update_readme.py          # rewrite README.md in place
    python scripts/update_readme.py --check  # exit 1 if README.md is out of date

tests/test_readme.py fails while the README and the table differ.
"""

from __future__ import annotations

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


def main(argv: list[str]) -> int:
    """Rewrite README.md, or with --check report whether it is up to date."""
    text = README.read_text(encoding="utf-8")
    updated = with_function_list(text)
    if "--check" in argv:
        if updated != text:
            print("README.md's function list is out of date: run scripts/update_readme.py")
            return 1
        return 0
    README.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
