"""The result of a derivative computation as plain data: strings, floats and lists."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field


@dataclass
class PointResult:
    """The derivatives at one point: exact values (text), torch values, and the check."""

    point: dict[str, float]
    exact: list
    numeric: list
    agree: bool
    warnings: list[str] = field(default_factory=list)
    verdicts: list = field(default_factory=list)
    point_text: dict[str, str] = field(default_factory=dict)
    # The exact value at the float point torch was given, rounded to a float: what
    # numeric is compared with (None where no number is expected).
    expected: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "point": dict(self.point),
            "exact": self.exact,
            "expected": _nulls_for_non_finite(self.expected),
            "numeric": _nulls_for_non_finite(self.numeric),
            "agree": self.agree,
            "verdicts": self.verdicts,
            "warnings": list(self.warnings),
        }


@dataclass
class Result:
    """A gradient, Jacobian or Hessian: symbolic entries and one PointResult per point.

    Shapes: grad [n], jacobian [m][n], hessian [n][n], where n = len(variables).
    """

    kind: str
    expressions: list[str]
    variables: list[str]
    symbolic: list
    device: str
    dtype: str
    results: list[PointResult] = field(default_factory=list)
    display: list | None = None  # the symbolic entries as the table shows them

    @property
    def shown(self) -> list:
        """The symbolic entries for people: simplified or shortened where that helps."""
        return self.symbolic if self.display is None else self.display

    @property
    def agree(self) -> bool:
        """Whether torch and the exact values agree at every point."""
        return all(point.agree for point in self.results)

    def labels(self) -> list:
        """A name for each entry, in the shape of the result: d/dx, d2/dxdy, df1/dx."""
        return entry_labels(self.kind, self.variables, len(self.expressions))

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


def entry_labels(kind: str, variables: list[str], components: int = 1) -> list:
    """Entry names in the result's shape."""
    if kind == "grad":
        return [f"d/d{v}" for v in variables]
    if kind == "hessian":
        return [[f"d2/d{a}2" if a == b else f"d2/d{a}d{b}" for b in variables] for a in variables]
    return [[f"df{i + 1}/d{v}" for v in variables] for i in range(components)]


def _nulls_for_non_finite(nested):
    if isinstance(nested, list):
        return [_nulls_for_non_finite(item) for item in nested]
    if nested is None or not math.isfinite(nested):
        return None
    return nested
