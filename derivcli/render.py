"""Result to text: table (rich), json, and plain's symbolic entries. Pure functions of
plain data.

The table's marks (✓ ✗ • · …) and rich's box lines need an encoding that has them:
where the console's has not (PYTHONIOENCODING=ascii or latin-1), the table is drawn
with ASCII stand-ins (ok, x, -, ., ...) and rich's ASCII box; a file (UTF-8) keeps them.
"""

from __future__ import annotations

import math

from derivcli.nested import flatten
from derivcli.result import PointResult, Result

GLYPHS = "✓✗•·…→±␤─│╭"  # what derivcli's text and tables print beyond ASCII
_ASCII = str.maketrans(
    {"✓": "ok", "✗": "x", "•": "-", "·": ".", "…": "...", "→": "->", "±": "+/-", "␤": "|"}
)


def ascii_text(text: str) -> str:
    """text in ASCII: the glyphs above as stand-ins, anything else as a \\u escape."""
    return text.translate(_ASCII).encode("ascii", "backslashreplace").decode("ascii")


def can_encode(stream, text: str = GLYPHS) -> bool:
    """Whether stream's encoding has every character of text (no encoding: UTF-8)."""
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def printable(text: str, stream) -> str:
    """text as stream can encode it: as it is, or in ASCII (ascii_text)."""
    return text if can_encode(stream, text) else ascii_text(text)


ASCII_FALLBACK = "derivcli-ascii"  # an error handler: stream.reconfigure(errors=ASCII_FALLBACK)


def _ascii_fallback(error):
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return ascii_text(error.object[error.start : error.end]), error.end


def console(**options):
    """A rich Console (options as rich's) for which a closed pipe is a BrokenPipeError.

    rich's own Console turns it into SystemExit(1) and points stdout at /dev/null, which
    the command line reports as exit status 141 instead, in one place (cli._run).
    """
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            import errno
            import os

            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    return _Console(**options)


def register_ascii_fallback() -> str:
    """The codec error handler that writes what an encoding lacks as ascii_text does."""
    import codecs

    codecs.register_error(ASCII_FALLBACK, _ascii_fallback)
    return ASCII_FALLBACK


def render_json(result: Result) -> str:
    """The JSON document of the contract."""
    return result.to_json(indent=2)


def render_symbolic_plain(result: Result) -> str:
    """plain without points: the symbolic entries, one per line (with points, plain is
    the numbers, which derivcli.io.sinks.PlainSink writes)."""
    return "\n".join(flatten(result.symbolic))


def _number(value: float | None, precision: int, dtype: str = "float64") -> str:
    """torch's number to precision significant digits, and no more than its dtype holds
    (a float32's shortest text: 0.6666667, not 0.6666666865348816)."""
    if value is None or math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if dtype == "float32":
        precision = min(precision, _float32_digits(value))
    text = f"{value:.{precision}g}"
    return "0" if text == "-0" else text


def _float32_digits(value: float) -> int:
    """The fewest significant digits that give value back as a float32."""
    import struct

    try:
        exact = struct.pack("f", value)
    except OverflowError:  # beyond float32: not a float32's number
        return 17
    for digits in range(1, 9):
        if struct.pack("f", float(f"{value:.{digits}g}")) == exact:
            return digits
    return 9


def table_text(result: Result, precision: int = 6, width: int = 100) -> str:
    """The table as plain text (no colour), for a file."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    for renderable in render_table(result, precision, ascii_only=False, width=width):
        console.print(renderable)
    return buffer.getvalue()


def render_table(
    result: Result, precision: int = 6, ascii_only: bool | None = None, width: int | None = None
) -> list:
    """rich renderables: a header, then the entries at each point (or symbolic only).

    ascii_only: ASCII stand-ins for the marks and any other text beyond ASCII
    (ascii_text); None: as the console that prints them can encode (rich's
    ConsoleOptions.ascii_only, which also picks rich's ASCII box) and for its width.
    width: the columns to fit (derivcli.layout: a result wider is listed); None: the
    console's where ascii_only is None, no limit otherwise.
    """
    if ascii_only is None:
        return [_AsConsoleEncodes(result, precision)]
    return _table(result, precision, _AsciiText() if ascii_only else str, width)


class _AsciiText:
    """ascii_text, and for the table's math (.math) ASCII math that derivcli parses
    the same (x^2*sqrt(y) for x²·√y)."""

    def __call__(self, text: str) -> str:
        return ascii_text(text)

    @staticmethod
    def math(text: str) -> str:
        from derivcli.symbolic.math_text import ascii_math

        return ascii_text(ascii_math(text))


def _math(t):
    """How t writes the table's math: as it is, or in ASCII math."""
    return getattr(t, "math", t)


class _AsConsoleEncodes:
    """The table, built when printed: with its marks, or in ASCII where the console lacks them."""

    def __init__(self, result: Result, precision: int):
        self.result, self.precision = result, precision

    def __rich_console__(self, console, options):
        yield from render_table(
            self.result, self.precision, ascii_only=options.ascii_only, width=options.max_width
        )


def _table(result: Result, precision: int, t, width: int | None = None) -> list:
    """The renderables, every text through t (str, or ascii_text), to fit width."""
    from rich.table import Table
    from rich.text import Text

    from derivcli import layout

    op = result.op
    header = Table.grid(padding=(0, 2))
    header.add_column(style="bold", no_wrap=True)
    header.add_column(overflow="fold")
    header.add_row(op.title, Text(t(layout.header_text(_typed(result))), style="cyan"))
    header.add_row("variables", t(", ".join(result.variables)))
    if result.results:
        header.add_row("torch", f"{result.device}, {result.dtype}")
    renderables: list = [header]
    points = result.results or [None]
    for point in points:
        if point is not None:
            pairs = [f"{name} = {value}" for name, value in point.point_text.items()]
            lines = layout.point_lines(pairs, width)
            renderables.append(Text(t("\n" + "\n".join(lines)), style="bold"))
        if op.layout == "matrix":
            table = _matrix_table(op, result, point, precision, t)
        else:
            table = _list_table(op, result, point, precision, t)
        if width is None or table.natural <= width:
            renderables.append(table)
        else:
            renderables.extend(_wide(result, point, precision, t, width))
        if point is not None:
            renderables.extend(Text(t(line), style="bold") for line in op.notes(point))
            renderables.extend(_verdict(point, t))
    return renderables


def _typed(result: Result) -> str:
    """The expression as typed; a result made without it, in one-line math."""
    if result.typed is not None:
        return result.typed
    from derivcli.symbolic.math_text import python_to_math

    return ", ".join(python_to_math(text) for text in result.expressions)


def _wide(result: Result, point: PointResult | None, precision: int, t, width: int) -> list:
    """A result wider than the console (derivcli.layout): the numbers, then the entries."""
    from rich.text import Text

    from derivcli import layout

    def number(value: float | None) -> str:
        return _number(value, precision, result.dtype)

    blocks = []
    if point is not None and result.op.layout == "matrix":

        def short(value: float | None) -> str:
            return _number(value, min(precision, layout.NUMBER_DIGITS), result.dtype)

        blocks = [*layout.numeric_blocks(result, point, short, t, width), Text("")]
    return blocks + layout.entry_lines(
        result, point, precision, number, _mark, t, width, math=_math(t)
    )


def _verdict(point: PointResult, t) -> list:
    from rich.text import Text

    lines = [Text(t("• " + warning), style="yellow") for warning in point.warnings]
    if point.agree:
        lines.insert(0, Text(t("✓ torch agrees with the exact values"), style="green"))
    return lines


def _new_table(t, **options):
    from rich import box
    from rich.table import Table

    # rich draws its ASCII box by itself where the console cannot encode lines; a table
    # built for ASCII gets it wherever it is printed.
    return Table(box=box.ROUNDED if t is str else box.ASCII, **options)


def _ascii_columns(table, t):
    """In ASCII, a long entry folds rather than end in rich's "…"."""
    if t is not str:
        for column in table.columns:
            column.overflow = "fold"
    return table


def _list_table(op, result: Result, point: PointResult | None, precision: int, t):
    """One row per entry: the symbolic entry, its exact value, torch's value, the check."""
    from rich.text import Text

    table = _new_table(t)
    table.add_column("")
    table.add_column("symbolic", style="cyan")
    if point is not None:
        table.add_column("exact", style="bold")
        table.add_column("torch", justify="right")
        table.add_column("")
    labels = flatten(op.labels(result.variables, len(result.expressions)))
    shown = flatten(result.shown)
    if point is not None:
        exact, numeric = flatten(point.exact_shown(precision)), flatten(point.numeric)
        verdicts = flatten(point.verdicts)
    for i, label in enumerate(labels):
        row = [Text(t(label), style="bold"), _math(t)(shown[i])]
        if point is not None:
            row += [
                _math(t)(_exact(exact[i])),
                _number(numeric[i], precision, result.dtype),
                _mark(verdicts[i], t),
            ]
        table.add_row(*row)
    return _measured(_ascii_columns(table, t))


def _measured(table):
    """table, with the width its cells ask for as table.natural (derivcli.layout)."""
    from derivcli import layout

    rows = [[str(cell) for cell in column.cells] for column in table.columns]
    header = [[str(column.header) for column in table.columns]]
    table.natural = layout.natural_width(header + [list(row) for row in zip(*rows, strict=True)])
    return table


def _matrix_table(op, result: Result, point: PointResult | None, precision: int, t):
    """The matrix, rows and columns labelled; each cell: symbolic, exact value, torch's value."""
    from rich.text import Text

    table = _new_table(t, show_lines=True)
    corner, row_labels = op.matrix_labels(result.expressions, result.variables)
    table.add_column(t(corner), style="bold")
    for variable in result.variables:
        table.add_column(t(variable))
    for i, label in enumerate(row_labels):
        cells = [t(label)]
        exact = None if point is None else point.exact_shown(precision)
        for j, symbolic in enumerate(result.shown[i]):
            cell = Text(_math(t)(symbolic), style="cyan")
            if point is not None:
                cell.append(_math(t)(f"\n= {_exact(exact[i][j])}"), style="bold")
                cell.append(f"\ntorch {_number(point.numeric[i][j], precision, result.dtype)} ")
                cell.append_text(_mark(point.verdicts[i][j], t))
            cells.append(cell)
        table.add_row(*cells)
    return _measured(_ascii_columns(table, t))


def _mark(verdict: str, t):
    from rich.text import Text

    if verdict == "agree":
        return Text(t("✓"), style="green")
    return Text(t(f"✗ {verdict}"), style="red")


def _exact(text: str | None) -> str:
    return "none (not differentiable)" if text is None else text
