"""The numbers a plot draws: derivcli's own, on many points, and the breaks marked.

f and its derivatives come from one taylor plan (the coefficients f^(k)/k!, times k!),
evaluated by the symbolic engine (the symbolic derivative lowered to torch) on a
dense grid that holds every break exactly. A panel is what either drawing needs: the
samples with the line broken where it must not be drawn across (a pole, a jump, a
point where the derivative does not exist), the points to mark, and the window of
values to show (a pole's values do not squash the rest).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from derivcli.plotting import breaks as breaking
from derivcli.plotting.ranges import Range

PRIMES = ("", "′", "″", "‴")
MAX_ORDER = len(PRIMES) - 1
SAMPLES = 1001
GRID = 201  # per side, for the contours of two variables
ARROWS = 21  # per side, for the gradient field


def label(order: int, name: str) -> str:
    """f(x), f′(x), f″(x), f‴(x)."""
    return f"f{PRIMES[order]}({name})"


@dataclass
class Panel:
    """One curve, f^(order), ready to draw."""

    order: int
    label: str
    x: np.ndarray
    y: np.ndarray  # nan where the line breaks
    window: tuple[float, float]
    missing: list = field(default_factory=list)  # the marks where f^(order) does not exist
    dots: list = field(default_factory=list)  # (mark, value): exists, the next order not


@dataclass
class Curves:
    """f and its derivatives of one variable over a range."""

    expression: str
    range: Range
    panels: list[Panel]
    marks: list
    capped: int = 0  # the number of breaks marked, when there were more; else 0
    notes: list[str] = field(default_factory=list)  # where nothing could be drawn, and why


@dataclass
class Field:
    """f of two variables on a grid, and its gradient on a coarser one."""

    expression: str
    ranges: list[Range]
    x: np.ndarray  # [GRID]
    y: np.ndarray  # [GRID]
    f: np.ndarray  # [GRID, GRID], f[j, i] at (x[i], y[j])
    arrows: tuple[np.ndarray, ...]  # x, y, df/dx, df/dy on the coarse grid
    infinite: np.ndarray  # [GRID, GRID]: where f is ±inf (a pole); nan in f there
    shade: tuple[float, float]  # the values the shading spans
    clipped: tuple[float, float] | None = None  # f's whole range, when shade clips it


def shading(f: np.ndarray) -> tuple[tuple[float, float], tuple[float, float] | None]:
    """The values to shade: f's finite range, or its 1st to 99th percentile when the
    rest would squash it (the whole range more than 4 times as wide), then also the
    whole range."""
    finite = f[np.isfinite(f)]
    if not len(finite):
        return (0.0, 1.0), None
    whole = float(finite.min()), float(finite.max())
    low, high = (float(q) for q in np.percentile(finite, [1, 99]))
    if high > low and whole[1] - whole[0] > 4 * (high - low):
        return (low, high), whole
    return whole, None


def curves(expression: str, span: Range, order: int, fixed: dict, timeout) -> Curves:
    """f, f′, … up to order on span, the other variables at fixed's exact values."""
    from derivcli import batch
    from derivcli.check.precision import nearest_float

    plan = batch.plan(
        "taylor", expression, wrt=[span.name], order=order + 1, symbolic="sympy", timeout=timeout
    )
    values = {s: fixed[s.name] for s in plan.parameters}
    exprs = [e.subs(values) for e in plan.matrix]
    variable = plan.variables[0]
    start, stop = span.floats
    found = breaking.candidates(exprs, variable, span.start, span.stop)
    capped = breaking.MAX_BREAKS if len(found) > breaking.MAX_BREAKS else 0
    marks = breaking.judge(expression, span.name, found[: breaking.MAX_BREAKS], order + 1, fixed)
    x = np.union1d(np.linspace(start, stop, SAMPLES), [m.x for m in marks])
    points = {span.name: x, **{name: nearest_float(v) for name, v in fixed.items()}}
    coefficients = batch.evaluate(
        "taylor",
        expression,
        points,
        wrt=[span.name],
        order=order,
        engine="symbolic",
        timeout=timeout,
    )
    values = [coefficients[:, k] * math.factorial(k) for k in range(order + 1)]
    at_marks = np.isin(x, [m.x for m in marks])
    undefined = np.isnan(values[0]) | (at_marks & ~np.isfinite(values[0]))
    if not np.isnan(values[0]).any():
        undefined[:] = False
    notes = gaps_notes(span, x, values, undefined, at_marks)
    panels = [
        _panel(k, label(k, span.name), x, np.where(undefined, np.nan, y), marks)
        for k, y in enumerate(values)
    ]
    return Curves(expression, span, panels, marks, capped, notes)


def gaps_notes(span: Range, x, values: list, undefined, at_marks) -> list[str]:
    """A line for where f is undefined (or not real: no derivative is drawn there
    either), and one for where values overflow float64 (beyond ±1.8e308)."""
    name = span.name
    notes = []
    if undefined.all():
        start, stop = span.floats
        notes.append(
            f"f({name}) is undefined (or not real) on all of {name} from {start:.3g} to "
            f"{stop:.3g}: nothing drawn"
        )
    elif undefined[~at_marks].any():
        where = _where(name, x, undefined)
        notes.append(f"f({name}) is undefined (or not real) {where}: nothing drawn there")
    overflows = []
    for k, y in enumerate(values):
        overflow = np.isinf(y) & ~at_marks & ~undefined
        if overflow.any():
            overflows.append(f"{label(k, name)} {_where(name, x, overflow)}")
    if overflows:
        notes.append("values overflow float64 (±1.8e308), not drawn: " + "; ".join(overflows))
    return notes


def _where(name: str, x, mask) -> str:
    """The intervals of x where mask holds, as 'for x from a to b, from c to d'."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    runs = [(x[i], x[j - 1]) for i, j in zip(edges[::2], edges[1::2], strict=True)]
    shown = [f"at {a:.3g}" if a == b else f"from {a:.3g} to {b:.3g}" for a, b in runs[:3]]
    more = f" and {len(runs) - 3} more intervals" if len(runs) > 3 else ""
    return f"for {name} " + ", ".join(shown) + more


def _panel(order: int, name: str, x: np.ndarray, y: np.ndarray, marks: list) -> Panel:
    y = np.where(np.isfinite(y), y, np.nan)
    missing = [m for m in marks if not m.exists(order)]
    window = visible_window(
        y, poles=any(m.verdicts[order] != "not differentiable" for m in missing)
    )
    dots = [(m, m.values[order]) for m in marks if m.exists(order) and not m.exists(order + 1)]
    at = np.searchsorted(x, [m.x for m in missing])
    y[at] = np.nan
    span = window[1] - window[0]
    for mark, _ in dots:  # a jump: the line stops on each side, the dot holds the value
        i = int(np.searchsorted(x, mark.x))
        left, right = y[max(i - 1, 0)], y[min(i + 1, len(y) - 1)]
        if not abs(right - left) <= 0.02 * span:
            y[i] = np.nan
    x, y = break_across(x, y, window)
    return Panel(order, name, x, y, window, missing, dots)


def visible_window(y: np.ndarray, poles: bool) -> tuple[float, float]:
    """The values to show: all of them, unless poles (or values that are not finite)
    would squash the rest; then the bulk of the values and as much again each side.
    Padded by 5% of the values' range, never across 0 for values of one sign."""
    finite = y[np.isfinite(y)]
    if not len(finite):
        return -1.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    if poles or len(finite) < len(y):
        q10, q90 = np.percentile(finite, [10, 90])
        spread = max(q90 - q10, 1e-12 * max(abs(q10), abs(q90), 1.0))
        low, high = max(low, q10 - 1.5 * spread), min(high, q90 + 1.5 * spread)
    pad = max(abs(high) * 0.1, 1.0) if high == low else 0.05 * (high - low)
    below, above = low - pad, high + pad
    if low >= 0 and high > 0:  # one-signed values: the padding does not cross 0
        below = max(below, 0.0)
    if high <= 0 and low < 0:
        above = min(above, 0.0)
    return float(below), float(above)


def break_across(x: np.ndarray, y: np.ndarray, window) -> tuple[np.ndarray, np.ndarray]:
    """x and y with a nan between two samples that leave the window on opposite sides
    (a pole between them, or a jump no candidate caught): no line is drawn across."""
    low, high = window
    above, below = y > high, y < low
    crossing = np.flatnonzero((above[:-1] & below[1:]) | (below[:-1] & above[1:]))
    if not len(crossing):
        return x, y
    middle = (x[crossing] + x[crossing + 1]) / 2
    return np.insert(x, crossing + 1, middle), np.insert(y, crossing + 1, np.nan)


def field(expression: str, spans: list[Range], fixed: dict, timeout) -> Field:
    """f of the two variables of spans on a grid, its gradient on a coarser one."""
    from derivcli import batch
    from derivcli.check.precision import nearest_float

    names = [s.name for s in spans]
    constants = {name: nearest_float(v) for name, v in fixed.items()}

    def on_grid(count: int) -> tuple:
        axes = [np.linspace(*s.floats, count) for s in spans]
        gx, gy = np.meshgrid(*axes)
        points = {names[0]: gx.ravel(), names[1]: gy.ravel(), **constants}
        values = batch.evaluate(
            "taylor", expression, points, wrt=names, order=1, engine="symbolic", timeout=timeout
        )
        infinite = np.isinf(values[:, 0]).reshape(gx.shape)
        values = np.where(np.isfinite(values), values, np.nan)
        values[np.isnan(values[:, 0]), 1:] = np.nan  # no gradient where f is undefined
        return (*axes, gx, gy, *(values[:, k].reshape(gx.shape) for k in range(3)), infinite)

    x, y, _, _, f, _, _, infinite = on_grid(GRID)
    _, _, ax, ay, _, fx, fy, _ = on_grid(ARROWS)
    return Field(expression, spans, x, y, f, (ax, ay, fx, fy), infinite, *shading(f))
