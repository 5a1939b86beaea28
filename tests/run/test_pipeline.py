"""derivcli.write: the command's pipeline from Python, checked and streamed."""

from __future__ import annotations

import csv
import json
import math
import sys

import numpy as np
import pytest

import derivcli
from derivcli.errors import InputError


def test_streamed_csv_from_a_grid(tmp_path):
    target = tmp_path / "h.csv"
    outcome = derivcli.write(
        "hessian", "sin(x)*y", grid="x=0:1:11,y=-1:1:5", format="csv", output=str(target)
    )
    assert not outcome.failed and outcome.findings == []
    rows = list(csv.reader(target.open()))
    assert rows[0] == ["x", "y", "d2/dx2", "d2/dxdy", "d2/dydx", "d2/dy2"]
    assert len(rows) == 1 + 11 * 5
    for row in rows[1:]:
        x, y, xx, xy, yx, yy = map(float, row)
        assert math.isclose(xx, -math.sin(x) * y, rel_tol=1e-12, abs_tol=1e-15)
        assert xy == yx and math.isclose(xy, math.cos(x), rel_tol=1e-12, abs_tol=1e-15)
        assert yy == 0


def test_checked_json_reports_what_it_found(tmp_path):
    target = tmp_path / "g.json"
    outcome = derivcli.write("grad", "abs(x)*y", at="x=0,y=2", format="json", output=str(target))
    assert outcome.failed and not outcome.on_stderr  # the document holds the warnings
    (finding,) = outcome.findings
    assert finding.startswith("d/dx: not differentiable")
    document = json.loads(target.read_text())
    assert document["results"][0]["verdicts"] == ["not differentiable", "agree"]


def test_streamed_non_finite_numbers_are_a_finding(tmp_path):
    target = tmp_path / "g.npy"
    outcome = derivcli.write(
        "grad", "log(x)", grid="x=-1:1:3", format="npy", output=str(target), engine="symbolic"
    )
    # 1/x at -1, 0 and 1: -1, inf, 1
    assert outcome.failed and outcome.findings[0].startswith("1 of 3 points")
    assert outcome.findings[0].endswith("the first at x=0.0")
    values = np.load(target)
    assert values.shape == (3, 1) and values[:, 0].tolist() == [-1.0, math.inf, 1.0]


def test_bad_requests_are_refused_before_any_work(tmp_path):
    with pytest.raises(InputError, match="unknown format 'xml'"):
        derivcli.write("grad", "x^2", at="x=1", format="xml")
    with pytest.raises(InputError, match="needs points"):
        derivcli.write("grad", "x^2", format="csv")
    with pytest.raises(InputError, match="unknown kind"):
        derivcli.write("nosuch", "x^2", at="x=1")
    assert list(tmp_path.iterdir()) == []


def test_a_host_program_keeps_its_process_settings(tmp_path):
    before = sys.get_int_max_str_digits()
    derivcli.write("grad", "x^2", at="x=1", format="plain", output=str(tmp_path / "g.txt"))
    assert sys.get_int_max_str_digits() == before
