"""The session: a long-lived process reuses parsed text, derivatives and lowered
programs, and never an answer to a different question or a failure."""

from __future__ import annotations

import pytest

import derivcli
from derivcli import symbolic
from derivcli.errors import LimitError
from derivcli.run import session
from derivcli.run.session import Session


@pytest.fixture
def made(monkeypatch):
    """The operations whose Derivatives were built (not taken from the cache)."""
    built = []
    original = symbolic.Derivatives.__init__

    def counted(self, op, exprs, wrt, *args, **options):
        built.append(op.name)
        original(self, op, exprs, wrt, *args, **options)

    monkeypatch.setattr(symbolic.Derivatives, "__init__", counted)
    return built


def test_the_same_question_is_answered_from_the_cache(made):
    first = derivcli.hessian("sin(x)*y + exp(x*y)", at={"x": 1, "y": 2})
    second = derivcli.hessian("sin(x)*y + exp(x*y)", at={"x": 1, "y": 2})
    assert made == ["hessian"]
    assert first.to_dict() == second.to_dict()
    derivcli.hessian("sin(x)*y + exp(x*y)", at={"x": 1, "y": 3})  # other points: cached
    derivcli.grad("sin(x)*y + exp(x*y)", at={"x": 1, "y": 3})  # another operation: not
    derivcli.hessian("sin(x)*y + exp(x*y)", wrt="x", at={"x": 1, "y": 3})  # other wrt: not
    assert made == ["hessian", "grad", "hessian"]


def test_points_read_for_a_check_are_differentiated_once(cli, tmp_path, made):
    points = tmp_path / "points.csv"
    points.write_text("x,y\n1,2\n3,4\n")
    result = cli("hessian", "x^3*y", "--points", str(points), "--format", "json")
    assert result.exit_code == 0, result.output
    assert made == ["hessian"]  # read the points with a plan, then checked them


def test_a_failure_is_not_cached(made):
    slow = "*".join(f"sin(x{i})" for i in range(40))  # 1,600 entries: seconds of sympy
    with pytest.raises(LimitError):
        derivcli.hessian(slow, timeout=0.2, symbolic="sympy")
    small = "*".join(f"sin(x{i})" for i in range(3))
    assert derivcli.hessian(small).symbolic[0][1] == "sin(x2)*cos(x0)*cos(x1)"
    assert made == ["hessian", "hessian"]


def test_the_cache_is_bounded_and_forgets_the_least_recently_used():
    cache = Session(size=2)
    calls = []

    def make(value):
        def made():
            calls.append(value)
            return value

        return made

    assert cache.cached("stage", "a", make("A")) == "A"
    assert cache.cached("stage", "b", make("B")) == "B"
    assert cache.cached("stage", "a", make("A2")) == "A"  # a is now the most recent
    assert cache.cached("stage", "c", make("C")) == "C"  # b goes
    assert cache.cached("stage", "b", make("B2")) == "B2"
    assert calls == ["A", "B", "C", "B2"] and len(cache) == 2
    assert cache.cached("stage", ["unhashable"], make("D")) == "D"  # made, not kept
    assert cache.cached("stage", ["unhashable"], make("E")) == "E"
    cache.clear()
    assert len(cache) == 0


def test_an_operation_registered_again_under_its_name_is_not_confused(made):
    from derivcli import ops

    class Doubled(ops.Op):
        name = "doubled"
        title = summary = "twice the gradient"

        def __init__(self, factor):
            self.factor = factor

        def entries(self, components, variables):
            return [
                ops.Entry(f"{self.factor} d/d{v}", (ops.Partial(0, (i,), self.factor),))
                for i, v in enumerate(variables)
            ]

        def autograd(self, outputs, inputs):
            from derivcli.numeric import autodiff

            return self.factor * autodiff.gradient(outputs[0], inputs)

    try:
        ops.register(Doubled(2))
        assert derivcli.compute("doubled", "x^2", "x=1").results[0].numeric == [4.0]
        ops.unregister("doubled")
        ops.register(Doubled(3))
        assert derivcli.compute("doubled", "x^2", "x=1").results[0].numeric == [6.0]
        assert derivcli.compute("doubled", "x^2").symbolic == ["6*x"]
    finally:
        ops.unregister("doubled")
    assert len(session.current()) > 0  # the process's session holds the work
