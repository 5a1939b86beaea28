"""The table simplifies entries within a budget and shortens those too large to read."""

from __future__ import annotations

import json
import time

import sympy

import derivcli
from derivcli import symbolic
from derivcli.budget import time_budget
from derivcli.expr.parse import parse_expression, parse_result
from derivcli.nested import map_nested
from derivcli.symbolic import display
from derivcli.symbolic.display import SHORTEN_OPS

BIG = "sin(x*y)*exp(cos(x^2+y))*log(2+x^2+y^2)*atan(x*y)*tanh(x-y)*sqrt(1+x^4)"


def test_large_entries_are_shortened_in_the_table_and_full_in_json(cli):
    result = derivcli.hessian(BIG)
    sizes = [sympy.count_ops(parse_expression(e)) for row in result.symbolic for e in row]
    assert max(sizes) > SHORTEN_OPS  # the premise: some entry is too large to read
    shortened = [e for row in result.shown for e in row if "--format json shows it in full" in e]
    assert shortened and all(len(e) < 150 for e in shortened)
    assert "operations;" in cli("hessian", BIG).stdout
    doc = json.loads(cli("hessian", BIG, "--format", "json").stdout)
    longest = max((e for row in doc["symbolic"] for e in row), key=len)
    assert "…" not in longest and len(longest) > 1000


def test_display_is_simplified_but_json_keeps_the_derivative():
    result = derivcli.hessian("sqrt(x^2+y^2)")
    x, y = sympy.symbols("x y", real=True)
    raw = parse_expression(result.symbolic[0][0])
    shown = parse_expression(result.shown[0][0])
    assert sympy.simplify(raw - shown) == 0  # the same function
    assert sympy.count_ops(shown) < sympy.count_ops(raw)  # and shorter
    assert result.symbolic[0][0] == sympy.sstr(sympy.diff(sympy.sqrt(x**2 + y**2), x).diff(x))


def test_the_expression_is_differentiated_as_typed():
    # sin^2 + cos^2 is not simplified to 1 before differentiating.
    result = derivcli.grad("sin(x)^2 + cos(x)^2", at={"x": 1})
    assert result.expressions == ["sin(x)**2 + cos(x)**2"]
    assert result.variables == ["x"]
    assert abs(result.results[0].numeric[0]) < 1e-15


def test_display_forms_are_made_only_where_shown(cli, monkeypatch):
    # Simplifying for the table took 1.5 s of a json run of this expression.
    expression = "sqrt(x^2+y^2)*exp(x*y)+log(1+x^2*y^2)"
    made = []
    original = symbolic.display_forms

    def counted(matrix, *args):
        made.append(len(matrix))
        return original(matrix, *args)

    monkeypatch.setattr(symbolic, "display_forms", counted)
    for format in ("json", "plain", "csv", "jsonl"):
        assert cli("hessian", expression, "--at", "x=1,y=2", "--format", format).exit_code == 0
    assert cli("hessian", expression, "--format", "json").exit_code == 0
    result = derivcli.hessian(expression, at={"x": 1, "y": 2})
    assert made == []  # no format but the table, and no API call, made them
    table = cli("hessian", expression, "--at", "x=1,y=2")
    assert table.exit_code == 0 and made == [2]
    assert sympy.count_ops(parse_expression(result.shown[0][0])) <= sympy.count_ops(
        parse_expression(result.symbolic[0][0])
    )
    assert made == [2, 2] and result.shown is result.shown  # made once, when first read


def test_display_forms_fit_in_what_is_left_of_the_budget(monkeypatch):
    # Simplification that never finishes by itself (each call is cut by its own 0.5 s
    # budget): four entries used to take DISPLAY_SECONDS (2 s) whatever the caller's
    # budget, so a table ran out of time where json did not.
    def stuck(expr, *args, **kwargs):
        time.sleep(60)

    monkeypatch.setattr(sympy, "simplify", stuck)
    result = derivcli.jacobian("sqrt(x^2+y^2)*exp(x*y), log(1+x^2*y^2)*sin(x*y)")
    start = time.monotonic()
    with time_budget(1.5):
        shown = result.shown  # within the budget: no LimitError
    assert time.monotonic() - start < 1.2
    # nothing simplified: the entries as they are, in the table's notation
    assert _read(shown) == _read(result.symbolic)


def test_display_forms_are_bounded_even_under_no_budget(monkeypatch):
    # A Python program reads result.shown outside any budget of its own: counting or
    # printing that never ends must still end, with the entries as printed.
    result = derivcli.grad("sin(x)*exp(y)")

    def endless(expr, *args, **kwargs):
        time.sleep(60)

    monkeypatch.setattr(sympy, "count_ops", endless)
    start = time.monotonic()
    shown = result.shown
    took = time.monotonic() - start
    assert _read(shown) == _read(result.symbolic)
    assert took < display.DISPLAY_SECONDS + display.DISPLAY_GRACE + 2


def _read(texts: list) -> list:
    """The entries as derivcli reads them back (the same trees, whatever the notation)."""
    return map_nested(parse_result, texts)
