"""The table's layout for results wider than the console: readable at any width.

A matrix that does not fit is shown as its numbers, aligned and compact (torch's
numbers, a verdict mark where one is not agree, `·` for an entry that is 0 by its
form), in blocks of as many columns as fit; then the symbolic entries, one per line
with their exact values, wrapped to the width. A mirrored entry (a Hessian's d2/dydx
with the same form and value as d2/dxdy) is listed once under both labels, and the
entries that are 0 by their form are counted in one line. A list that does not fit
is the entries listed the same way. Nothing is cut with `…`: an entry beyond the
display budget says how long it is and that --format json shows it whole
(symbolic/display.py).
"""

from __future__ import annotations

from itertools import groupby

from derivcli.nested import flatten
from derivcli.result import PointResult, Result
from derivcli.symbolic.math_text import superscript

NUMBER_DIGITS = 4  # significant digits of the compact matrix's numbers
BORDERS = 3  # a column's share of a rich table's borders and padding


def natural_width(rows: list[list[str]]) -> int:
    """The width a rich table of these cells (text, lines split at newlines) asks for."""
    from rich.cells import cell_len

    if not rows:
        return 0
    columns = len(rows[0])
    widths = [0] * columns
    for row in rows:
        for k, cell in enumerate(row):
            widths[k] = max(widths[k], *(cell_len(line) for line in str(cell).split("\n")))
    return sum(widths) + BORDERS * columns + 1


def numeric_blocks(result: Result, point: PointResult, number, t, width: int) -> list:
    """The matrix of torch's numbers, in blocks of columns that fit the width."""
    from rich.table import Table
    from rich.text import Text

    op = result.op
    corner, row_labels = op.matrix_labels(result.expressions, result.variables)
    row_labels = [label.partition(" = ")[0] for label in row_labels]  # f1 = ...: f1
    cells = [
        [
            _cell(number(value), verdict, shown, t)
            for value, verdict, shown in zip(*row, strict=True)
        ]
        for row in zip(point.numeric, point.verdicts, result.shown, strict=True)
    ]
    label_width = max(len(label) for label in [corner, *row_labels])
    column_width = max(len(text) for text in [*result.variables, *flatten(cells)]) + 1
    room = max(1, (width - label_width - 2) // (column_width + 1))
    blocks = []
    for start in range(0, len(result.variables), room):
        table = Table(box=None, padding=(0, 1, 0, 0), show_edge=False, pad_edge=False)
        table.add_column(t(corner), style="bold", no_wrap=True)
        for variable in result.variables[start : start + room]:
            table.add_column(t(variable), justify="right", no_wrap=True, style="bold")
        for label, row in zip(row_labels, cells, strict=True):
            table.add_row(Text(t(label)), *row[start : start + room])
        blocks.append(table)
    return blocks


def _cell(text: str, verdict: str, shown: str, t) -> str:
    if verdict != "agree":
        return t(f"{text} ✗")
    return t("·") if shown == "0" else text


def entry_lines(
    result: Result,
    point: PointResult | None,
    precision: int,
    number,
    mark,
    t,
    width: int,
    math=None,
) -> list:
    """The entries, one per line: label = symbolic, then = exact (and torch's number
    where no matrix shows it), wrapped; mirrors once, zeros counted. t writes text,
    math the entries and their values (default: t)."""
    math = math or t
    from rich.table import Table
    from rich.text import Text

    labels = listing_labels(result, unicode=not hasattr(t, "math"))
    shown = flatten(result.shown)
    exact = [None] * len(shown) if point is None else flatten(point.exact_shown(precision))
    numeric = [None] * len(shown) if point is None else flatten(point.numeric)
    verdicts = [None] * len(shown) if point is None else flatten(point.verdicts)
    seen: dict[tuple, int] = {}
    zeros = []
    rows: list[list] = []
    for i, label in enumerate(labels):
        if shown[i] == "0" and (exact[i] in (None, "0")) and verdicts[i] in (None, "agree"):
            zeros.append(label)
            continue
        key = (shown[i], exact[i], verdicts[i])
        if key in seen and result.op.layout == "matrix":
            rows[seen[key]][0].append(label)
            continue
        seen[key] = len(rows)
        rows.append([[label], i])
    longest = max((len(" = ".join(names)) for names, _ in rows), default=1)
    label_width = max(8, min(width // 3, longest))
    lines: list = []
    grid = None
    for names, i in rows:
        label = " = ".join(names)
        if grid is None or len(label) > label_width:
            grid = Table.grid(padding=(0, 1))
            grid.add_column(style="bold", width=label_width, no_wrap=True)
            grid.add_column(overflow="fold")
            if len(label) > label_width:  # merged labels: a line of their own
                lines.append(Text(t(label), style="bold"))
                label = ""
            lines.append(grid)
        text = Text(math(shown[i]), style="cyan")
        if point is not None:
            if exact[i] != shown[i]:  # not `200  = 200`
                text.append(math(f"  = {_exact_words(exact[i])}"), style="bold")
            if result.op.layout != "matrix":
                text.append(f"  torch {number(numeric[i])} ")
                text.append_text(mark(verdicts[i], t))
            elif verdicts[i] != "agree":
                text.append(" ")
                text.append_text(mark(verdicts[i], t))
        grid.add_row(Text(t(label)), text)  # a str is markup: c[s^2] was shown as c
        if not label:
            grid = None  # the next entry starts a grid under its own label
    if zeros:
        lines.append(Text(t(_zeros_words(zeros, len(labels))), style="dim"))
    return lines


def listing_labels(result: Result, unicode: bool = True) -> list[str]:
    """Each entry's label in the listing: ∂²f/∂x1∂x2 where the entry is one partial
    derivative of one expression (d2/dx12 would read as x12), the operation's own
    otherwise (taylor's coefficients c[x^2] always) or on a console without the glyphs."""
    components = len(result.expressions)
    entries = flatten(result.op.entries(components, result.variables))
    if not unicode or components != 1 or result.op.name == "taylor":
        # taylor's entries are coefficients, c[x^2]: its c[x] is not written as ∂f/∂x
        return [entry.label for entry in entries]
    return [partial_label(entry, result.variables) or entry.label for entry in entries]


def partial_label(entry, variables) -> str | None:
    """`∂²f/∂x∂y`, `∂³f/∂x²∂y`, `∂f/∂x` for an entry that is one partial derivative of
    the expression (coefficient 1) by these variables, in order; None for another."""
    if len(entry.terms) != 1:
        return None
    term = entry.terms[0]
    if term.coefficient != 1 or not term.variables:
        return None
    order = len(term.variables)
    below = "".join(
        f"∂{variables[index]}{superscript(count) if count > 1 else ''}"
        for index, count in ((i, len(list(run))) for i, run in groupby(term.variables))
    )
    return f"∂{superscript(order) if order > 1 else ''}f/{below}"


def _exact_words(text: str | None) -> str:
    return "none (not differentiable)" if text is None else text


def _zeros_words(zeros: list[str], total: int) -> str:
    if len(zeros) <= 3:
        return f"{', '.join(zeros)}: 0"
    return f"the other {len(zeros)} of the {total} entries are 0"


def point_lines(pairs: list[str], width: int | None) -> list[str]:
    """`at x = 1, y = 2` in lines of at most width, broken between the pairs only."""
    lines, line = [], "at"
    for k, pair in enumerate(pairs):
        piece = pair + ("," if k < len(pairs) - 1 else "")
        if width is not None and line != "at" and len(line) + 1 + len(piece) > width:
            lines.append(line)
            line = "  " + piece
        else:
            line += " " + piece
    return [*lines, line]


HEADER_CHARS = 600  # a longer expression is shown by its start and its length


def header_text(text: str) -> str:
    """The expression for the header: whole, or its start and its length."""
    if len(text) <= HEADER_CHARS:
        return text
    return f"{text[: HEADER_CHARS // 2]}… ({len(text):,} characters)"
