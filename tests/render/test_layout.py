"""Wide results are readable at any width: every line fits, no entry is cut with "…"
(only an explicit start-and-length, which says how to see it whole), every symbolic
entry and exact value appears in full."""

from __future__ import annotations

import re

import pytest
from helpers import lennard_jones, rosenbrock
from rich.cells import cell_len

import derivcli
from derivcli import layout, render
from derivcli.expr.parse import parse_result
from derivcli.nested import flatten

WIDTHS = [40, 80, 250]


LJ_NAMES = [f"x{i}_{k}" for i in range(4) for k in range(3)]
LJ_POINT = dict(zip(LJ_NAMES, [0, 0, 0, 1.1, 0, 0, 0, 1.2, 0, 0.3, 0.4, 1.3], strict=True))


@pytest.fixture(scope="module")
def wide_results():
    return {
        "rosenbrock-20": derivcli.hessian(
            rosenbrock(20), at={f"x{i}": (i % 3) / 2 for i in range(20)}
        ),
        "lennard-jones-4": derivcli.hessian(lennard_jones(4), at=LJ_POINT, wrt=LJ_NAMES),
    }


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _check_readable(text: str, width: int) -> None:
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    squeezed = _squeezed(text)
    for match in re.finditer("…", squeezed):  # only an explicit shortening, with its size
        assert re.match(r"…\([\d,]+(characters|operations)", squeezed[match.start() :])


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["rosenbrock-20", "lennard-jones-4"])
def test_wide_hessians_fit_the_width_and_show_every_entry_whole(wide_results, name, width):
    result = wide_results[name]
    text = render.table_text(result, width=width)
    _check_readable(text, width)
    squeezed = _squeezed(text)
    point = result.results[0]
    for shown, exact in zip(flatten(result.shown), flatten(point.exact_shown(6)), strict=True):
        if shown != "0":
            assert _squeezed(shown) in squeezed
            assert _squeezed(exact) in squeezed


def test_the_numbers_are_aligned_in_a_matrix_and_the_zeros_counted(wide_results):
    result = wide_results["rosenbrock-20"]
    text = render.table_text(result, width=80)
    rows = [line for line in text.splitlines() if re.match(r"x\d+ +[-\d·]", line)]
    assert len(rows) == 2 * 20  # the matrix in two blocks of columns
    assert rows[0].split()[1:3] == ["-198", "0"]  # d2/dx0² = 2 - 400·x1 + 1200·x0² at x1 = 1/2
    zeros = sum(1 for entry in flatten(result.shown) if entry == "0")
    assert f"the other {zeros} of the 400 entries are 0" in text
    # a mirrored entry is listed once, under both labels
    assert "∂²f/∂x0∂x1 = ∂²f/∂x1∂x0" in text


def test_each_entry_is_listed_once_and_merged_only_with_equal_ones(wide_results):
    result = wide_results["lennard-jones-4"]
    text = render.table_text(result, width=250)
    shown, exact = flatten(result.shown), flatten(result.results[0].exact_shown(6))
    labels = layout.listing_labels(result)
    found = {label: text.count(label + " ") + text.count(label + "\n") for label in labels}
    assert set(found.values()) == {1}  # every label once (none is a prefix of another)
    forms = {}
    for label, entry, value in zip(labels, shown, exact, strict=True):
        forms.setdefault((entry, value), []).append(label)
    for group in forms.values():  # labels listed together share one form and value
        if len(group) > 1:
            assert " = ".join(group) in " ".join(text.split())
    for value in set(exact):  # each exact value reads back in derivcli, before its decimal
        head = value.split(" ≈ ")[0]
        if not head.startswith("≈"):
            parse_result(head)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_list_that_does_not_fit_is_listed_whole(width):
    expression = "sin(x*y)*exp(cos(x^2+y))*log(2+x^2+y^2)"
    result = derivcli.grad(expression, at={"x": 1, "y": 2})
    text = render.table_text(result, width=width)
    _check_readable(text, width)
    for entry in result.shown:
        assert _squeezed(entry) in _squeezed(text)


def test_the_console_width_is_taken_from_columns(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    run = cli("grad", "sin(x*y)*exp(cos(x^2+y))*log(2+x^2+y^2)", "--at", "x=1,y=2")
    assert run.exit_code == 0, run.output
    _check_readable(run.stdout, 40)
    assert "∂f/∂x" in run.stdout and "∂f/∂y" in run.stdout


def test_the_listing_labels_partial_derivatives_as_mathematics_writes_them():
    hessian = derivcli.hessian("x1^2*x12", at={"x1": 1, "x12": 2})
    assert layout.listing_labels(hessian) == [
        "∂²f/∂x1²",  # not d2/dx12, which reads as x12
        "∂²f/∂x1∂x12",
        "∂²f/∂x12∂x1",
        "∂²f/∂x12²",
    ]
    third = derivcli.diff("x^3*y", wrt=["x", "x", "y"], at={"x": 1, "y": 1})
    assert layout.listing_labels(third) == ["∂³f/∂x²∂y"]
    assert layout.listing_labels(derivcli.grad("x*y")) == ["∂f/∂x", "∂f/∂y"]
    # where an entry is not one partial derivative of one expression: the op's labels
    laplacian = derivcli.laplacian("x^2 + y^2")
    assert layout.listing_labels(laplacian) == flatten(laplacian.op.labels(["x", "y"]))
    jacobian = derivcli.jacobian(["x*y", "x + y"])
    assert layout.listing_labels(jacobian) == flatten(jacobian.op.labels(["x", "y"], 2))
    assert layout.listing_labels(hessian, unicode=False)[0] == "d2/dx12"


def test_taylor_keeps_its_coefficient_labels_whole_in_the_listing():
    # c[x] is the coefficient of x, not written as ∂f/∂x; c[x^2] was shown as c (rich
    # read [x^2] as markup)
    result = derivcli.taylor("sin(x)*exp(x) + x^5", at={"x": 1}, order=2)
    assert layout.listing_labels(result) == ["c[1]", "c[x]", "c[x^2]"]
    text = render.table_text(result, width=40)
    _check_readable(text, 40)
    for label in ("c[1]", "c[x]", "c[x^2]"):
        assert re.search(rf"^{re.escape(label)} ", text, re.M), text
