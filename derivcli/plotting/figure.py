"""The plot as a file (png, svg or pdf), drawn by matplotlib (the optional extra `plot`).

One variable: f and each derivative in a panel of its own, one above the other (their
scales differ), a dotted vertical line where a derivative does not exist, a hollow
dot where it exists but the next one does not (a kink, a jump, a vertical tangent).
Two variables: filled contours of f with the gradient field's arrows. The bytes are
the same each time on one machine: no date or software in the metadata, a fixed salt
for svg's ids.
"""

from __future__ import annotations

import os

from derivcli.errors import InputError

FORMATS = ("png", "svg", "pdf")
NEEDS_MATPLOTLIB = "derivcli plot needs matplotlib: pip install 'derivcli[plot]'"
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "Producer": None, "Creator": None},
}
_STYLE = {"svg.hashsalt": "derivcli", "svg.fonttype": "path", "pdf.compression": 6}
_CURVE_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


def format_of(path: str, form: str | None = None) -> str:
    """The file format: form when given (png, svg or pdf), else the one path's suffix
    names; an unknown one is an input error that says how to choose."""
    if form is not None:
        if form.lower() not in FORMATS:
            raise InputError.about(
                "format", "{opt_value} is not a plot format: png, svg or pdf", value=form
            )
        return form.lower()
    suffix = os.path.splitext(path)[1].lower().lstrip(".")
    if suffix not in FORMATS:
        shown = f"'.{suffix}'" if suffix else "no suffix"
        raise InputError.about(
            "output",
            "{opt_value} has " + shown + ": give a FILE ending in .png, .svg or .pdf, "
            "or name the format with --format png, svg or pdf",
            value=path,
        )
    return suffix


def pyplot():
    """matplotlib.pyplot on the Agg backend (no display), or the one-line error naming
    the extra that brings it."""
    try:
        import matplotlib
    except ImportError:
        raise InputError(NEEDS_MATPLOTLIB) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw(data):
    """The matplotlib Figure of a sampling.Curves or sampling.Field."""
    from derivcli.plotting.sampling import Curves

    plt = pyplot()
    with plt.rc_context(_STYLE):
        return _curves(plt, data) if isinstance(data, Curves) else _field(plt, data)


def write(figure, path: str, form: str | None = None) -> None:
    """Write figure to path in form (default: its suffix's format), as derivcli writes
    every --output (atomically for a file; stdout for -, a device, FIFO or /dev/fd/N as
    it goes)."""
    from derivcli.io.sinks import write_with

    form = format_of(path, form)
    plt = pyplot()

    def save(stream) -> None:
        with plt.rc_context(_STYLE):
            figure.savefig(stream, format=form, metadata=_METADATA[form])

    write_with(path, save, binary=True)


def _curves(plt, curves):
    count = len(curves.panels)
    figure, axes = plt.subplots(count, 1, sharex=True, figsize=(7, 1.2 + 2.1 * count), dpi=100)
    axes = [axes] if count == 1 else list(axes)
    name = curves.range.name
    for panel, ax in zip(curves.panels, axes, strict=True):
        color = _CURVE_COLORS[panel.order]
        ax.plot(panel.x, panel.y, color=color, linewidth=1.6, label=panel.label)
        for mark in panel.missing:
            ax.axvline(mark.x, color="0.35", linestyle=":", linewidth=1.2)
        for mark, value in panel.dots:
            if value is None:  # no certified value to put it at
                continue
            ax.plot([mark.x], [value], "o", markersize=6, markerfacecolor="white", color=color)
        if panel.missing:  # one legend entry for the dotted lines
            ax.plot([], [], color="0.35", linestyle=":", label=f"{panel.label} does not exist")
        kinds = sorted({mark.kind for mark, _ in panel.dots})
        if kinds:
            ax.plot([], [], "o", markerfacecolor="white", color=color, label=", ".join(kinds))
        ax.set_ylim(*panel.window)
        ax.grid(True, color="0.9")
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    axes[-1].set_xlabel(name)
    axes[-1].set_xlim(*curves.range.floats)
    figure.suptitle(f"f({name}) = {curves.expression}", fontsize=11)
    if curves.notes:
        import textwrap

        text = "\n".join(line for note in curves.notes for line in textwrap.wrap(note, 100))
        figure.text(0.01, 0.005, text, fontsize=7, va="bottom", ha="left", color="0.3")
        figure.tight_layout(rect=(0, 0.025 * (text.count("\n") + 1), 1, 1))
    else:
        figure.tight_layout()
    return figure


def _field(plt, data):
    import numpy as np

    (xr, yr) = data.ranges
    figure, ax = plt.subplots(figsize=(6.4, 5.2), dpi=100)
    finite = np.ma.masked_invalid(data.f)
    low, high = data.shade
    levels = np.linspace(low, high, 21) if high > low else 20
    extend = "both" if data.clipped else "neither"
    filled = ax.contourf(data.x, data.y, finite, levels=levels, cmap="viridis", extend=extend)
    ax.contour(data.x, data.y, finite, levels=levels, colors="black", linewidths=0.4, alpha=0.5)
    label = f"f({xr.name}, {yr.name})"
    if data.clipped:
        label += f", clipped (f reaches {data.clipped[0]:.3g} to {data.clipped[1]:.3g})"
    figure.colorbar(filled, ax=ax, label=label)
    gone = ~np.isfinite(data.f) & ~data.infinite
    if gone.any():  # blank: the colour map's bad colour, said in the legend
        ax.plot([], [], "s", color="white", markeredgecolor="0.5", label="f undefined")
    if data.infinite.any():
        rows, columns = np.nonzero(data.infinite)
        ax.plot(data.x[columns], data.y[rows], "x", color="red", markersize=3, label="f infinite")
    if gone.any() or data.infinite.any():
        ax.legend(loc="upper right", fontsize=8, framealpha=0.8)
    ax_x, ax_y, fx, fy = data.arrows
    ax.quiver(
        ax_x,
        ax_y,
        np.ma.masked_invalid(fx),
        np.ma.masked_invalid(fy),
        color="white",
        angles="xy",
        pivot="middle",
    )
    ax.set_xlabel(xr.name)
    ax.set_ylabel(yr.name)
    ax.set_title(f"f({xr.name}, {yr.name}) = {data.expression}, with ∇f", fontsize=11)
    figure.tight_layout()
    return figure
