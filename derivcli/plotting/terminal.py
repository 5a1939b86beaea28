"""The plot in the terminal, without matplotlib: curves in Unicode braille (2×4 dots a
character), one panel per derivative, sized to the terminal (COLUMNS, LINES); two
variables as a shaded map of f with the gradient's arrows. Colours through rich, so
NO_COLOR and a pipe (no colours) are respected.
"""

from __future__ import annotations

import math
import shutil

import numpy as np
from rich.text import Text

BRAILLE = 0x2800
# the bit of each dot in a braille cell, by (row, column) within it
_DOT = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
_COLORS = ("blue", "red", "green", "magenta")
BREAK = "┊"
DOT = "○"
SHADES = " ░▒▓█"
ARROWS = "→↗↑↖←↙↓↘"
POLE = "✕"
UNDEFINED = "?"


def check_console(stream) -> None:
    """Refuse, in one line, a console that cannot show braille and box drawing (an ASCII
    or latin-1 locale): its stand-ins would be escapes or misaligned arrows."""
    from derivcli.errors import InputError
    from derivcli.render import can_encode

    glyphs = "".join(chr(BRAILLE + bits) for bits in (0, 0xFF)) + BREAK + DOT + SHADES + ARROWS
    if not can_encode(stream, glyphs + "─│┤└′″‴"):
        encoding = getattr(stream, "encoding", None)
        raise InputError(
            f"the terminal plot needs a UTF-8 console, and this one is {encoding}: set "
            "PYTHONIOENCODING=utf-8 (or a UTF-8 locale), or write a file with -o FILE.png"
        )


def size() -> tuple[int, int]:
    """The terminal's columns and lines (COLUMNS and LINES first), 80×24 when unknown."""
    columns, lines = shutil.get_terminal_size((80, 24))
    return max(columns, 30), max(lines, 10)


def curves_lines(curves, columns: int, lines: int) -> list[Text]:
    """The panels of a sampling.Curves as lines of at most columns cells, in about lines."""
    panels = curves.panels
    legend = _flowed(_legend(curves, panels), columns)
    notes = [Text(line) for note in _notes(curves) for line in _wrapped(note, columns)]
    rows = (lines - 3 - len(legend) - len(notes) - len(panels)) // len(panels)
    rows = max(3, min(rows, 16))
    labels = [_number(v) for p in panels for v in p.window]
    gutter = max(len(label) for label in labels) + 1
    cells = columns - gutter - 1
    start, stop = curves.range.floats
    out = legend
    for panel in panels:
        out.append(Text(" " * gutter + " " + panel.label, style=_COLORS[panel.order]))
        out.extend(_panel_lines(panel, start, stop, cells, rows, gutter))
    out.append(Text(" " * gutter + "└" + "─" * cells))
    out.append(Text(_axis(start, stop, cells, gutter, curves.range.name)))
    return out + notes


def _legend(curves, panels) -> list[Text]:
    """The legend's items: the expression, each curve in its colour, the marks."""
    items = [Text(f"f({curves.range.name}) = {curves.expression}")]
    items += [Text("── ", style=_COLORS[p.order]) + Text(p.label) for p in panels]
    if any(p.missing for p in panels):
        items.append(Text(f"{BREAK} does not exist", style="bold"))
    if any(p.dots for p in panels):
        items.append(
            Text(f"{DOT} " + " or ".join(sorted({m.kind for p in panels for m, _ in p.dots})))
        )
    return items


def _flowed(items: list[Text], columns: int) -> list[Text]:
    """items on as few lines of at most columns cells as they fit, two spaces apart."""
    lines = [Text()]
    for item in items:
        if lines[-1].cell_len and lines[-1].cell_len + 2 + item.cell_len > columns:
            lines.append(Text())
        if lines[-1].cell_len:
            lines[-1].append("  ")
        lines[-1].append_text(item)
    return [piece for line in lines for piece in line.wrap(_measure(), columns)]


def _measure():
    from rich.console import Console

    return Console(width=10_000)


def _wrapped(text: str, columns: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, columns, subsequent_indent="  ") or [""]


def _notes(curves, shown: int = 4, all_up_to: int = 8) -> list[str]:
    """A line per kind of mark: where (as the table writes points: all of them up to
    all_up_to, else the first shown), which orders do not exist there, and derivcli's
    reason."""
    from derivcli.symbolic.numbers import point_text

    groups: dict[tuple, list] = {}
    for mark in curves.marks:
        gone = tuple(p.label for p in curves.panels if not mark.exists(p.order))
        if gone:
            groups.setdefault((gone, mark.reason), []).append(mark.at)
    notes = []
    for (gone, reason), points in groups.items():
        listed = points if len(points) <= all_up_to else points[:shown]
        where = ", ".join(point_text(p) for p in listed)
        if len(listed) < len(points):
            where += f", … ({len(points)} points)"
        verb = "does not exist" if len(gone) == 1 else "do not exist"
        notes.append(f"{BREAK} {curves.range.name} = {where}: {', '.join(gone)} {verb}: {reason}")
    if curves.capped:
        notes.append(f"(more than {curves.capped} such points: the others are not marked)")
    return notes + curves.notes


def _panel_lines(panel, start, stop, cells, rows, gutter) -> list[Text]:
    width, height = 2 * cells, 4 * rows
    low, high = panel.window
    bits = np.zeros((rows, cells), dtype=np.int64)
    columns = (panel.x - start) / (stop - start) * (width - 1)
    heights = (high - panel.y) / (high - low) * (height - 1)
    heights = np.clip(heights, -1, height)  # off the window: just beyond its edge
    for i in range(len(columns) - 1):
        if math.isnan(heights[i]) or math.isnan(heights[i + 1]):
            continue
        _segment(bits, columns[i], heights[i], columns[i + 1], heights[i + 1])
    if len(columns) and not math.isnan(heights[-1]):
        _segment(bits, columns[-1], heights[-1], columns[-1], heights[-1])
    special: dict[tuple[int, int], str] = {}
    for mark in panel.missing:
        cell = _cell_column(mark.x, start, stop, width)
        for row in range(rows):
            if not bits[row, cell]:
                special[row, cell] = BREAK
    for mark, value in panel.dots:
        if value is not None and low <= value <= high:
            row = int(round((high - value) / (high - low) * (height - 1))) // 4
            special[row, _cell_column(mark.x, start, stop, width)] = DOT
    color = _COLORS[panel.order]
    lines = []
    for row in range(rows):
        label = _number(high) if row == 0 else _number(low) if row == rows - 1 else ""
        line = Text(label.rjust(gutter) + ("┤" if label else "│"))
        for cell in range(cells):
            mark = special.get((row, cell))
            if mark is not None:
                line.append(mark, style="bold" if mark == DOT else "dim")
            else:
                line.append(chr(BRAILLE + int(bits[row, cell])), style=color)
        lines.append(line)
    return lines


def _segment(bits, c0, r0, c1, r1) -> None:
    """Dots along the straight line from (c0, r0) to (c1, r1), in dot coordinates."""
    steps = int(max(abs(c1 - c0), abs(r1 - r0))) + 1
    rows, cells = bits.shape
    for t in np.linspace(0.0, 1.0, steps + 1):
        column, row = int(round(c0 + (c1 - c0) * t)), int(round(r0 + (r1 - r0) * t))
        if 0 <= row < 4 * rows and 0 <= column < 2 * cells:
            bits[row // 4, column // 2] |= _DOT[row % 4][column % 2]


def _cell_column(x: float, start: float, stop: float, width: int) -> int:
    return int(round((x - start) / (stop - start) * (width - 1))) // 2


def _axis(start: float, stop: float, cells: int, gutter: int, name: str) -> str:
    line = [" "] * (gutter + 1 + cells)
    ticks = [start, stop] + ([0.0] if start < 0 < stop else [])
    for value in ticks:
        text = _number(value)
        at = gutter + 1 + _cell_column(value, start, stop, 2 * cells)
        at = min(max(at - len(text) // 2, gutter + 1), len(line) - len(text))
        line[at : at + len(text)] = text
    if len(name) < gutter:  # the variable's name under the y labels, the stop's kept
        line[gutter - len(name) : gutter] = name
        return "".join(line)
    suffix = f" {name}"
    return "".join(line)[: len(line) - len(suffix)] + suffix if cells > 20 else "".join(line)


def _number(value: float) -> str:
    return f"{value:.3g}"


def field_lines(data, columns: int, lines: int) -> list[Text]:
    """A sampling.Field as a shaded map of f (darker: larger) with ∇f's direction as arrows."""
    xr, yr = data.ranges
    gutter = max(len(_number(v)) for v in (*yr.floats,)) + 1
    cells = columns - gutter - 1
    low, high = data.shade
    shade = f"shade: f from {_number(low)} (blank) to {_number(high)} (█)"
    if data.clipped:
        shade += f", clipped (f reaches {_number(data.clipped[0])} to {_number(data.clipped[1])})"
    items = [Text(f"f({xr.name}, {yr.name}) = {data.expression}"), Text(shade), Text("arrows: ∇f")]
    if data.infinite.any():
        items.append(Text(f"{POLE} f infinite"))
    if (~np.isfinite(data.f) & ~data.infinite).any():
        items.append(Text(f"{UNDEFINED} f undefined (or not real)"))
    out = _flowed(items, columns)
    rows = max(5, min(lines - 3 - len(out), cells // 2))
    for row in range(rows):
        y_index = round((rows - 1 - row) / (rows - 1) * (len(data.y) - 1))
        label = (
            _number(yr.floats[1]) if row == 0 else _number(yr.floats[0]) if row == rows - 1 else ""
        )
        tick = bool(label)
        if row == rows // 2 and len(yr.name) < gutter:
            label = yr.name  # the y axis's name, halfway down its labels
        line = Text(label.rjust(gutter) + ("┤" if tick else "│"))
        y_near = _nearby(rows - 1 - row, rows, len(data.y))
        for cell in range(cells):
            x_index = round(cell / (cells - 1) * (len(data.x) - 1))
            if data.infinite[y_near, _nearby(cell, cells, len(data.x))].any():
                line.append(POLE, style="bold")
                continue
            line.append(_field_cell(data, x_index, y_index, low, high, row, cell, rows, cells))
        out.append(line)
    out.append(Text(" " * gutter + "└" + "─" * cells))
    out.append(Text(_axis(*xr.floats, cells, gutter, xr.name)))
    return out


def _nearby(index: int, count: int, size: int) -> slice:
    """The grid's indices nearer to cell index (of count) than to its neighbours."""
    scale = (size - 1) / (count - 1)
    return slice(max(math.ceil((index - 0.5) * scale), 0), math.floor((index + 0.5) * scale) + 1)


def _field_cell(data, x_index, y_index, low, high, row, cell, rows, cells) -> str:
    ax, ay, fx, fy = data.arrows
    if row % 2 == 1 and cell % 4 == 2:  # an arrow, from the coarse grid's nearest point
        i = round(cell / (cells - 1) * (ax.shape[1] - 1))
        j = round((rows - 1 - row) / (rows - 1) * (ax.shape[0] - 1))
        gx, gy = fx[j, i], fy[j, i]
        if np.isfinite(gx) and np.isfinite(gy) and (gx or gy):
            return ARROWS[round(math.atan2(gy, gx) / (math.pi / 4)) % 8]
    value = data.f[y_index, x_index]
    if not np.isfinite(value):
        return UNDEFINED
    level = 0 if high == low else min(max((value - low) / (high - low), 0.0), 1.0)
    return SHADES[min(int(level * len(SHADES)), len(SHADES) - 1)]


def show(data, columns: int | None = None, lines: int | None = None) -> None:
    """Print data (a sampling.Curves or sampling.Field) to stdout, in columns × lines
    (default: the terminal's size)."""
    from derivcli.plotting.sampling import Curves
    from derivcli.render import console

    columns, lines = columns or size()[0], lines or size()[1]
    drawn = (
        curves_lines(data, columns, lines)
        if isinstance(data, Curves)
        else field_lines(data, columns, lines)
    )
    out = console(width=columns, highlight=False)
    for line in drawn:
        out.print(line, no_wrap=True, overflow="crop", crop=False)
