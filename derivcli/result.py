"""The result of a derivative computation as plain data: strings, floats and lists."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    """What the check found about one entry beyond a plain agree, as data: a verdict
    that is not agree (with its reason and torch's number), or a note on how the exact
    value was found. warnings words it; a front end may word it its own way."""

    entry: str  # the entry's label: d/dx, d2/dxdy, df1/dx
    verdict: str
    reason: str | None = None  # why the verdict is not agree
    note: str | None = None  # how the exact value was found, when not by substitution
    number: float | None = None  # torch's number, where the verdict is not agree

    @property
    def agree(self) -> bool:
        return self.verdict == "agree"

    def words(self) -> str:
        """The finding as one line of the JSON document's warnings."""
        if self.agree:
            return f"{self.entry}: {self.note}"
        note = f" ({self.note})" if self.note else ""
        return f"{self.entry}: {self.verdict}: {self.reason}{note}; torch gave {self.number!r}"


@dataclass
class PointResult:
    """The derivatives at one point: exact values (text), torch values, and the check."""

    point: dict[str, float]
    exact: list
    numeric: list
    agree: bool
    findings: list[Finding] = field(default_factory=list)
    verdicts: list = field(default_factory=list)
    point_text: dict[str, str] = field(default_factory=dict)
    # The exact value at the float point torch was given, rounded to a float: what
    # numeric is compared with (None where no number is expected).
    expected: list = field(default_factory=list)
    # the operation's own fields (derivcli.ops.Op.point_fields): taylor's polynomial, terms
    extra: dict = field(default_factory=dict)
    # Makes the table's exact values (simplified, a decimal beside) for a number of
    # digits when first asked for; json never spends that time.
    make_exact_display: Callable[[int], list] | None = field(
        default=None, repr=False, compare=False
    )

    def exact_shown(self, digits: int) -> list:
        """The exact values as the table shows them, in the entries' shape (None: none)."""
        if self.make_exact_display is None:
            return self.exact
        return self.make_exact_display(digits)

    @property
    def warnings(self) -> list[str]:
        """The findings, worded: one line each."""
        return [finding.words() for finding in self.findings]

    def to_dict(self) -> dict:
        return {
            "point": dict(self.point),
            "exact": self.exact,
            "expected": _nulls_for_non_finite(self.expected),
            "numeric": _nulls_for_non_finite(self.numeric),
            "agree": self.agree,
            "verdicts": self.verdicts,
            "warnings": self.warnings,
            **self.extra,
        }


@dataclass
class Result:
    """An operation's result: symbolic entries and one PointResult per point.

    kind is the operation's name; the entries are nested in its shape (derivcli.ops):
    grad [n], jacobian [m][n], hessian [n][n], where n = len(variables); a scalar's
    entries are bare values.
    """

    kind: str
    expressions: list[str]
    variables: list[str]
    symbolic: list
    device: str
    dtype: str
    results: list[PointResult] = field(default_factory=list)
    display: list | None = None  # the symbolic entries as the table shows them
    # Makes display when shown is first read: simplifying for people takes up to 2 s,
    # which json and the other formats never spend.
    make_display: Callable[[], list] | None = field(default=None, repr=False, compare=False)
    # the operation as the request configured it (diff's order); None: ops.get(kind)
    operation: object = field(default=None, repr=False, compare=False)
    # the expression as typed (whitespace normalised), for the table's header
    typed: str | None = field(default=None, compare=False)

    @property
    def op(self):
        """The operation (a derivcli.ops.Op; kind is its name)."""
        if self.operation is not None:
            return self.operation
        from derivcli import ops

        return ops.get(self.kind)

    @property
    def shown(self) -> list:
        """The symbolic entries for people: simplified or shortened where that helps.

        Made when first read (within DISPLAY_SECONDS of its own, outside the budget of
        the compute call that made the result), then kept in display.
        """
        if self.display is None and self.make_display is not None:
            self.display, self.make_display = self.make_display(), None
        return self.symbolic if self.display is None else self.display

    @property
    def agree(self) -> bool:
        """Whether torch and the exact values agree at every point."""
        return all(point.agree for point in self.results)

    def _repr_latex_(self) -> str:
        """The result in a notebook, typeset: what --format latex shows, in $$ ... $$."""
        from derivcli.io.latex import repr_latex

        return repr_latex(self)

    def _repr_html_(self) -> str:
        """The result in a notebook, as a table: entries, exact values, torch, checks."""
        from derivcli.io.latex import repr_html

        return repr_html(self)

    def to_dict(self) -> dict:
        """The JSON document of the contract."""
        return {
            "kind": self.kind,
            "expressions": list(self.expressions),
            "variables": list(self.variables),
            "symbolic": self.symbolic,
            "device": self.device,
            "dtype": self.dtype,
            "results": [point.to_dict() for point in self.results],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The JSON document as text; non-finite numbers are null."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)


def _nulls_for_non_finite(nested):
    if isinstance(nested, list):
        return [_nulls_for_non_finite(item) for item in nested]
    if nested is None or not math.isfinite(nested):
        return None
    return nested
