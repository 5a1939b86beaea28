"""What a run is asked to do, typed and checked before any work."""

from __future__ import annotations

from dataclasses import dataclass

from derivcli.errors import InputError

FORMATS = ("table", "json", "plain", "csv", "jsonl", "npy", "latex")
DTYPES = ("float64", "float32")
DEVICES = ("cpu", "cuda", "cuda:N", "mps")  # cuda:N: the CUDA device of index N
ENGINES = ("auto", "autograd", "symbolic")
SYMBOLIC_BACKENDS = ("auto", "sympy", "symengine")  # symbolic/choice.py chooses for auto
# Numbers only, written chunk by chunk for many points (plain too; table and json
# check every point against exact values).
STREAMED = ("csv", "jsonl", "npy")
DEFAULT_CHUNK_SIZE = 1 << 16


@dataclass
class Request:
    """An operation on one expression (or several) at points, written in a format.

    Points come from one of at (points as the API takes them, or --at texts), points
    (a CSV or .npy file, '-' for stdin) or grid (NAME=START:STOP:COUNT,...).
    timeout None: the default budget, which covers the symbolic work only when the
    points are streamed.
    """

    op: str
    expression: object
    at: object = None
    points: str | None = None
    grid: str | None = None
    wrt: object = None
    device: str = "cpu"
    dtype: str = "float64"
    format: str = "table"
    output: str | None = None
    engine: str = "auto"
    symbolic: str = "auto"  # the symbolic backend (derivcli.symbolic.choice)
    chunk_size: int = DEFAULT_CHUNK_SIZE
    precision: int = 6
    strict: bool = False  # for the front end: a failed Outcome becomes exit status 3
    timeout: float | None = None
    vector: object = None  # jvp, vjp, hvp, directional: the vector ("1,2" or numbers)
    order: object = None  # taylor: the total order

    @property
    def settings(self) -> dict:
        """What configures the operation beyond wrt (derivcli.ops.Op.configure)."""
        return {"vector": self.vector, "order": self.order}

    @property
    def many(self) -> bool:
        """Whether the points come from a file or a grid (any number of them)."""
        return bool(self.points or self.grid)

    @property
    def streamed(self) -> bool:
        """Whether the numbers are streamed (not checked): csv, jsonl, npy, and plain for
        many points."""
        return self.many and (self.format in STREAMED or self.format == "plain")

    def check(self) -> None:
        """Refuse a request that cannot run, before any work (and an unusable output)."""
        from derivcli import ops

        ops.get(self.op)
        from derivcli.api import check_symbolic

        check_symbolic(self.symbolic)
        if self.format not in FORMATS:
            raise InputError(f"unknown format '{self.format}': use {', '.join(FORMATS)}", "format")
        given = [name for name in ("at", "points", "grid") if _given(getattr(self, name))]
        if len(given) > 1:
            both = " and ".join("--" + name for name in given)
            raise InputError(
                f"give points with one of --at, --points or --grid, not {both}", given[1]
            )
        if self.format in STREAMED and not given:
            raise InputError(
                f"--format {self.format} needs points: give --at, --points or --grid", "at"
            )
        if self.format == "latex" and self.many:
            raise InputError(
                "--format latex is for one point or a few (--at) or the symbolic result alone; "
                "for many points use --format csv, jsonl, npy or plain",
                "points" if self.points else "grid",
            )
        if self.format == "npy" and self.output in (None, "-"):
            raise InputError("--format npy writes a binary file: give --output FILE.npy", "output")
        if self.output is not None:
            from derivcli.io.sinks import check_output

            csv_points = bool(self.points) and not self.points.endswith(".npy")
            check_output(self.output, self.format, count_known=not csv_points)


def _given(value) -> bool:
    """Whether an option holds something (a point, a list of points, a file name)."""
    if value is None:
        return False
    try:
        return len(value) > 0
    except TypeError:  # a number or a mapping-like object: compute judges it
        return True
