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
    # (a bare Deadline: the main thread's own budget would stop the main thread too)
    deadline = budget.Deadline(0.2, "the caller's budget ran out")
    kind, error = _in_thread(lambda: [time.sleep(0.3), deadline.check()])
    # not the worker's budget: a LimitError there, which the worker's code can handle
    assert kind == "raised" and type(error) is LimitError
    assert str(error) == "the caller's budget ran out"


def test_in_its_own_thread_a_budget_expires_as_an_exception_only_it_turns_into_limit_error():
    with pytest.raises(LimitError, match="time budget of 0.2 s"):
        with time_budget(0.2) as outer:
            with time_budget(60) as inner:
                time.sleep(0.3)
                with pytest.raises(BudgetExpired) as caught:
                    inner.check()  # the outer one has passed: no except LimitError stops it
                assert caught.value.budget is outer
                raise caught.value


def test_a_deadline_kept_after_its_budget_is_a_limit_error():
    with time_budget(0.05) as deadline:
        pass
    time.sleep(0.1)
    with pytest.raises(LimitError, match="time budget of 0.05 s"):
        deadline.check()


def test_a_workers_budget_nests_in_the_callers_deadline_and_its_own():
    with time_budget(5) as caller:

        def work():
            with time_budget(0.2) as own_outer:
                with time_budget(60, within=caller) as own:
                    assert {id(d) for d in own.chain()} == {id(caller), id(own_outer), id(own)}
                    left = own.remaining()
                    time.sleep(0.3)
                    try:
                        own.check()
                    except BudgetExpired as error:
                        return left, error.budget is own_outer
            return None

        kind, (left, expired_first) = _in_thread(work)
    assert kind == "returned" and left <= 0.2 and expired_first


def test_time_outside_the_budget_does_not_count_for_the_callers_deadline_either():
    # (a bare Deadline: a budget of the main thread would have its alarm, which a
    # worker's pause cannot hold)
    caller = budget.Deadline(0.5, "the caller's")

    def work():
        with time_budget(60, within=caller) as own:
            with budget.unbudgeted():
                time.sleep(0.7)
            own.check()  # the 0.7 s do not count
            return own.remaining()

    kind, left = _in_thread(work)
    assert kind == "returned" and 0.3 < left <= 0.5, left


def test_derivatives_check_the_deadline_they_are_handed():
    exprs = parse_components("*".join(f"sin(x{i})" for i in range(12)))
    expired = budget.Deadline(0, "expired")
    time.sleep(0.01)
    kind, error = _in_thread(
        lambda: Derivatives(ops.get("hessian"), exprs, free_variables(exprs), deadline=expired)
    )
    assert kind == "raised" and type(error) is LimitError and str(error) == "expired"
    # and without one, the work runs to the end in a thread without a budget
    kind, made = _in_thread(lambda: Derivatives(ops.get("hessian"), exprs, free_variables(exprs)))
    assert kind == "returned" and len(made.matrix) == 12


class _CountingDeadline:
    def __init__(self):
        self.checks = 0

    def check(self):
        self.checks += 1


@pytest.mark.parametrize("symbolic", ["sympy", "symengine"])
@pytest.mark.parametrize("zeros_per_check", [1, 1024])
def test_a_sparse_hessians_structural_zeros_check_the_deadline_too(
    symbolic, zeros_per_check, monkeypatch
):
    # 60 squares: 60 first partials and 60 diagonal entries are differentiated (a check
    # each); the 1,770 pairs above the diagonal are structural zeros, a check per
    # ZEROS_PER_CHECK in a row (each row's diagonal starts the count again: 59 at most)
    import importlib

    from derivcli import api

    monkeypatch.setattr(
        importlib.import_module("derivcli.symbolic.derivatives"), "ZEROS_PER_CHECK", zeros_per_check
    )
    n = 60
    exprs, variables = api._parse_expressions(
        ops.get("hessian"), " + ".join(f"x{i}^2" for i in range(n)), symbolic
    )
    deadline = _CountingDeadline()
    made = Derivatives(ops.get("hessian"), exprs, variables, deadline=deadline)
    zeros = n * (n - 1) // 2
    assert deadline.checks == 2 * n + (zeros if zeros_per_check == 1 else 0)
    flat = [made.backend.to_text(entry) for row in made.matrix for entry in row]
    assert flat == ["2" if k % (n + 1) == 0 else "0" for k in range(n * n)]
