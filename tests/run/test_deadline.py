"""Deadlines as objects: what a budget hands down, in any thread."""

from __future__ import annotations

import threading
import time

import pytest

from derivcli import budget, ops
from derivcli.budget import NO_DEADLINE, BudgetExpired, time_budget
from derivcli.errors import LimitError
from derivcli.expr.parse import parse_components
from derivcli.symbolic import Derivatives, free_variables


def _in_thread(work):
    outcome = []

    def run():
        try:
            outcome.append(("returned", work()))
        except BaseException as error:  # noqa: BLE001 - the test looks at what it was
            outcome.append(("raised", error))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    return outcome[0]


def test_outside_any_budget_there_is_no_deadline():
    assert budget.current() is NO_DEADLINE
    assert NO_DEADLINE.remaining() is None
    NO_DEADLINE.check()
    with time_budget(None) as deadline:
        assert deadline is NO_DEADLINE


def test_a_budget_gives_its_deadline_and_no_seconds_gives_the_enclosing_one():
    with time_budget(5) as outer:
        assert 4 < outer.remaining() <= 5
        assert budget.current() is outer
        with time_budget(None) as same:
            assert same is outer
        with time_budget(60) as inner:
            assert inner.outer is outer
            assert inner.remaining() <= 5  # never outlasts the outer one
    assert budget.current() is NO_DEADLINE


def test_a_deadline_handed_to_another_thread_stops_the_work_there():
    with pytest.raises(LimitError, match="time budget of 0.2 s"):
        with time_budget(0.2) as deadline:
            kind, error = _in_thread(lambda: [time.sleep(0.3), deadline.check()])
            assert kind == "raised" and isinstance(error, BudgetExpired)
            raise error  # the budget it belongs to turns it into LimitError


def test_an_inner_deadline_checks_the_outer_ones_first():
    with pytest.raises(LimitError, match="time budget of 0.2 s"):
        with time_budget(0.2) as outer:
            inner = budget.Deadline(60, "inner", outer)
            kind, error = _in_thread(lambda: [time.sleep(0.3), inner.check()])
            assert error.budget is outer
            raise error


def test_a_workers_budget_nests_in_the_callers_deadline():
    with time_budget(5) as caller:

        def work():
            with time_budget(60, within=caller) as own:
                return own.outer is caller, own.remaining()

        kind, (nested, left) = _in_thread(work)
        assert kind == "returned" and nested and left <= 5


def test_derivatives_check_the_deadline_they_are_handed():
    exprs = parse_components("*".join(f"sin(x{i})" for i in range(12)))
    expired = budget.Deadline(0, "expired")
    time.sleep(0.01)
    kind, error = _in_thread(
        lambda: Derivatives(ops.get("hessian"), exprs, free_variables(exprs), deadline=expired)
    )
    assert kind == "raised" and isinstance(error, BudgetExpired) and error.budget is expired
    # and without one, the work runs to the end in a thread without a budget
    kind, made = _in_thread(lambda: Derivatives(ops.get("hessian"), exprs, free_variables(exprs)))
    assert kind == "returned" and len(made.matrix) == 12
