"""Result to text: table (rich), json and plain. Pure functions of plain data."""

from __future__ import annotations

import math

from derivcli.result import PointResult, Result

FORMATS = ("table", "json", "plain")


def render_json(result: Result) -> str:
    """The JSON document of the contract."""
    return result.to_json(indent=2)


def render_plain(result: Result) -> str:
    """Numbers only: one line per point, entries row-major, round-trip precision.

    Without points, the symbolic entries one per line.
    """
    if not result.results:
        return "\n".join(_flatten(result.symbolic))
    return "\n".join(
        " ".join(_round_trip(value) for value in _flatten(point.numeric))
        for point in result.results
    )


def _round_trip(value: float | None) -> str:
    if value is None:
        return "nan"
    return repr(float(value))


def _flatten(nested) -> list:
    if isinstance(nested, list):
        return [leaf for item in nested for leaf in _flatten(item)]
    return [nested]


def _number(value: float | None, precision: int) -> str:
    if value is None or math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = f"{value:.{precision}g}"
    return "0" if text == "-0" else text


def table_text(result: Result, precision: int = 6, width: int = 100) -> str:
    """The table as plain text (no colour), for a file."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    for renderable in render_table(result, precision):
        console.print(renderable)
    return buffer.getvalue()


def render_table(result: Result, precision: int = 6) -> list:
    """rich renderables: a header, then the entries at each point (or symbolic only)."""
    from rich.table import Table
    from rich.text import Text

    header = Table.grid(padding=(0, 2))
    header.add_column(style="bold")
    header.add_column()
    header.add_row(KIND_TITLES[result.kind], Text(", ".join(result.expressions), style="cyan"))
    header.add_row("variables", ", ".join(result.variables))
    if result.results:
        header.add_row("torch", f"{result.device}, {result.dtype}")
    renderables: list = [header]
    points = result.results or [None]
    for point in points:
        if point is not None:
            at = ", ".join(f"{name} = {value}" for name, value in point.point_text.items())
            renderables.append(Text(f"\nat {at}", style="bold"))
        if result.kind == "grad":
            renderables.append(_gradient_table(result, point, precision))
        else:
            renderables.append(_matrix_table(result, point, precision))
        if point is not None:
            renderables.extend(_verdict(point))
    return renderables


KIND_TITLES = {"grad": "gradient", "jacobian": "Jacobian", "hessian": "Hessian"}


def _verdict(point: PointResult) -> list:
    from rich.text import Text

    lines = [Text("• " + warning, style="yellow") for warning in point.warnings]
    if point.agree:
        lines.insert(0, Text("✓ torch agrees with the exact values", style="green"))
    return lines


def _gradient_table(result: Result, point: PointResult | None, precision: int):
    """One row per variable: the symbolic entry, its exact value, torch's value, the check."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.ROUNDED)
    table.add_column("")
    table.add_column("symbolic", style="cyan")
    if point is not None:
        table.add_column("exact", style="bold")
        table.add_column("torch", justify="right")
        table.add_column("")
    for i, variable in enumerate(result.variables):
        row = [Text(f"d/d{variable}", style="bold"), result.shown[i]]
        if point is not None:
            row += [
                _exact(point.exact[i]),
                _number(point.numeric[i], precision),
                _mark(point.verdicts[i]),
            ]
        table.add_row(*row)
    return table


def _matrix_table(result: Result, point: PointResult | None, precision: int):
    """The matrix, rows and columns labelled; each cell: symbolic, exact value, torch's value."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.ROUNDED, show_lines=True)
    if result.kind == "hessian":
        table.add_column("d2/d·d·", style="bold")
        row_labels = result.variables
    else:
        table.add_column("d/d·", style="bold")
        row_labels = [f"f{i + 1} = {expr}" for i, expr in enumerate(result.expressions)]
    for variable in result.variables:
        table.add_column(variable)
    for i, label in enumerate(row_labels):
        cells = [label]
        for j, symbolic in enumerate(result.shown[i]):
            cell = Text(symbolic, style="cyan")
            if point is not None:
                cell.append(f"\n= {_exact(point.exact[i][j])}", style="bold")
                cell.append(f"\ntorch {_number(point.numeric[i][j], precision)} ")
                cell.append_text(_mark(point.verdicts[i][j]))
            cells.append(cell)
        table.add_row(*cells)
    return table


def _mark(verdict: str):
    from rich.text import Text

    if verdict == "agree":
        return Text("✓", style="green")
    return Text(f"✗ {verdict}", style="red")


def _exact(text: str | None) -> str:
    return "none (not differentiable)" if text is None else text
