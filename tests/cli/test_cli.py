"""The command line through typer's CliRunner: every format, every input error."""

from __future__ import annotations

import math

import pytest
from helpers import cuda_available


def test_hessian_json_matches_contract(cli_json):
    doc = cli_json("hessian", "sin(x)*y", "--at", "x=0,y=1")
    assert doc["kind"] == "hessian"
    assert doc["variables"] == ["x", "y"]
    assert doc["symbolic"] == [["-y*sin(x)", "cos(x)"], ["cos(x)", "0"]]
    assert doc["device"] == "cpu" and doc["dtype"] == "float64"
    (point,) = doc["results"]
    assert point["point"] == {"x": 0.0, "y": 1.0}
    assert point["exact"] == [["0", "1"], ["1", "0"]]
    assert point["numeric"] == [[0.0, 1.0], [1.0, 0.0]]
    assert point["agree"] is True and point["warnings"] == []
    assert set(doc) == {
        "kind",
        "expressions",
        "variables",
        "symbolic",
        "device",
        "dtype",
        "results",
    }


def test_second_derivative_of_sin_at_zero_is_zero_not_one(cli):
    # The widely copied backward()-then-grad() recipe returns cos(0) = 1 here.
    result = cli("hessian", "sin(x)", "--at", "x=0", "--format", "plain")
    assert result.exit_code == 0
    assert float(result.stdout) == 0.0


def test_grad_plain(cli):
    result = cli("grad", "x^2*y + exp(x*y)", "--at", "x=1,y=0", "--format", "plain")
    assert result.exit_code == 0
    assert result.stdout == "0.0 2.0\n"


def test_jacobian_polar(cli_json):
    doc = cli_json("jacobian", "r*cos(t), r*sin(t)", "--wrt", "r,t", "--at", "r=2,t=pi/2")
    (point,) = doc["results"]
    expected = [[0, -2], [1, 0]]
    for row, want_row in zip(point["numeric"], expected, strict=True):
        for got, want in zip(row, want_row, strict=True):
            assert abs(got - want) < 1e-12
    assert point["exact"] == [["0", "-2"], ["1", "0"]]
    assert doc["expressions"] == ["r*cos(t)", "r*sin(t)"]


def test_jacobian_bracket_form_and_commas_inside_calls(cli_json):
    doc = cli_json("jacobian", "[atan2(y, x), hypot(x, y)]", "--at", "x=3,y=4")
    assert len(doc["symbolic"]) == 2 and len(doc["symbolic"][0]) == 2
    assert doc["results"][0]["exact"][1] == ["3/5", "4/5"]


def test_two_points_give_two_results_in_order(cli_json):
    doc = cli_json("grad", "x^3", "--at", "x=2", "--at", "x=-1")
    assert [r["point"] for r in doc["results"]] == [{"x": 2.0}, {"x": -1.0}]
    assert [r["numeric"] for r in doc["results"]] == [[12.0], [3.0]]


def test_plain_two_points_one_line_each(cli):
    result = cli("hessian", "x^2*y", "--at", "x=1,y=2", "--at", "x=3,y=0", "--format", "plain")
    assert result.stdout.splitlines() == ["4.0 2.0 2.0 0.0", "0.0 6.0 6.0 0.0"]


def test_plain_round_trips_floats(cli):
    result = cli("grad", "exp(x)", "--at", "x=1/3", "--format", "plain")
    assert float(result.stdout) == math.exp(1 / 3)


def test_table_shows_symbolic_exact_and_torch(cli):
    result = cli("hessian", "sin(x)*y", "--at", "x=0,y=1")
    assert result.exit_code == 0
    out = result.stdout
    for fragment in ["Hessian", "-y·sin(x)", "cos(x)", "= 1", "torch 1", "✓", "at x = 0, y = 1"]:
        assert fragment in out
    assert "\x1b[" not in out  # no colour when not a terminal


def test_table_precision(cli):
    result = cli("grad", "x^2", "--at", "x=1/3", "--precision", "3")
    assert "0.667" in result.stdout and "0.6667" not in result.stdout


def test_symbolic_only_in_every_format(cli, cli_json):
    doc = cli_json("grad", "x^2*y")
    assert doc["symbolic"] == ["2*x*y", "x**2"] and doc["results"] == []
    plain = cli("grad", "x^2*y", "--format", "plain")
    assert plain.stdout.splitlines() == ["2*x*y", "x**2"]
    table = cli("hessian", "x^2*y")
    assert "2*y" in table.stdout and "torch" not in table.stdout


def test_wrt_orders_and_restricts(cli_json):
    doc = cli_json("grad", "x^2*y", "--wrt", "y,x", "--at", "x=3,y=1")
    assert doc["variables"] == ["y", "x"]
    assert doc["results"][0]["numeric"] == [9.0, 6.0]
    doc = cli_json("hessian", "a*x^2", "--wrt", "x", "--at", "x=1,a=5")
    assert doc["symbolic"] == [["2*a"]] and doc["results"][0]["numeric"] == [[10.0]]


def test_natural_variable_order(cli_json):
    doc = cli_json("grad", "x10 + x2 + x1")
    assert doc["variables"] == ["x1", "x2", "x10"]


def test_float32(cli_json):
    doc = cli_json("grad", "sin(x)", "--at", "x=1", "--dtype", "float32")
    assert doc["dtype"] == "float32"
    assert abs(doc["results"][0]["numeric"][0] - math.cos(1)) < 1e-6


def test_non_finite_is_null_with_warning(cli_json):
    doc = cli_json("hessian", "sqrt(x^2+y^2)", "--at", "x=0,y=0")
    point = doc["results"][0]
    assert point["numeric"] == [[None, None], [None, None]]
    assert point["agree"] is False and point["warnings"]


def test_strict_exit_status(cli):
    ok = cli("grad", "x^2", "--at", "x=1", "--strict")
    assert ok.exit_code == 0
    bad = cli("grad", "sqrt(x)", "--at", "x=0", "--strict", "--format", "json")
    assert bad.exit_code == 3
    assert "--strict" in bad.stderr


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["grad", "x*y*z", "--at", "x=1"], ["no value for y, z"]),
        (["grad", "x*y", "--at", "x=1,y=2,w=3"], ["w", "lacks"]),
        (["grad", "x*y", "--at", "x=1,y=2,x=3"], ["'x' is given twice"]),
        (["grad", "x", "--at", "x=abc"], ["'abc' is not a number"]),
        (["grad", "x", "--at", "x=1/0"], ["division by zero"]),
        (["grad", "x", "--at", "x=log(-1)"], ["not a real number"]),
        (["grad", "x", "--at", "x=oo"], ["not a finite number"]),
        (["grad", "x", "--at", "x"], ["not name=value"]),
        (["hessian", "sin(x), cos(x)", "--at", "x=0"], ["jacobian"]),
        (["grad", "x, y"], ["jacobian"]),
        (["grad", "x", "--at", "x=1", "--device", "tpu"], ["unknown device 'tpu'"]),
        (["grad", "x", "--at", "x=1", "--device", "cuda:x"], ["unknown device"]),
        (["grad", "x", "--at", "x=1", "--dtype", "float16"], ["unknown dtype 'float16'"]),
        (["grad", "x", "--at", "x=1", "--format", "xml"], ["unknown format 'xml'"]),
        (["grad", "x^2", "--wrt", "y", "--at", "x=1"], ["--wrt names y"]),
        (["grad", "x^2", "--wrt", "x,x", "--at", "x=1"], ["more than once"]),
        (["grad", "sine(x)"], ["unknown function 'sine'", "did you mean 'sin'"]),
        (["grad", "2+3"], ["no variables"]),
        (["grad", "x", "--bogus"], ["No such option"]),
        (["grad", "x", "--precision", "0"], ["precision"]),
    ],
)
def test_input_errors_exit_2_with_one_message(cli, args, fragments):
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("derivcli: error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_cuda_absent_is_an_input_error(cli):
    if cuda_available():
        pytest.skip("this machine has CUDA")
    result = cli("grad", "x", "--at", "x=1", "--device", "cuda")
    assert result.exit_code == 2
    assert "CUDA is not available" in result.stderr


def test_internal_error_exit_1_and_traceback_flag(cli, monkeypatch):
    from derivcli import api

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(api, "compute", broken)
    result = cli("grad", "x")
    assert result.exit_code == 1
    assert "internal error" in result.stderr and "--traceback" in result.stderr
    assert "Traceback" not in result.stderr
    result = cli("grad", "x", "--traceback")
    assert result.exit_code == 1 and "Traceback" in result.stderr


def test_help_has_examples(cli):
    result = cli("hessian", "--help")
    assert result.exit_code == 0
    assert 'derivcli hessian "sin(x)*y" --at x=0,y=1' in result.stdout
