"""Verdicts at the edges: every case measured in issue 9, against mpmath at 60 digits.

The truth for each entry is computed here, independently of derivcli: the derivative
in closed form, written with mpmath, at the float64 (or float32) point torch was given.
"""

from __future__ import annotations

import json
import math

import mpmath
import numpy as np
import pytest
import sympy

import derivcli
from derivcli import ops
from derivcli.errors import InputError
from derivcli.expr.parse import parse_tree
from derivcli.symbolic import backend as backends
from derivcli.symbolic.backend import Unsupported

mpmath.mp.dps = 60


@pytest.fixture(autouse=True)
def _digits():
    # set per test: a module-level mp.dps is overwritten by whichever test module
    # pytest imports last (it imports every module before running any)
    with mpmath.workdps(60):
        yield


A, D, N, U = "agree", "disagree", "not differentiable", "undefined"

# Each backend's verdicts against the same truth; where SymEngine refuses (a function it
# lacks, a form it would give torch otherwise), its refusal is the reason for the skip.
BACKENDS = pytest.mark.parametrize("backend", ["sympy", "symengine"])


def _compute(kind, text, backend, **options):
    try:
        return derivcli.compute(kind, text, symbolic=backend, **options)
    except Unsupported as error:  # a row it lacks, or a form it would give torch otherwise
        pytest.skip(str(error))


OVERFLOW, UNDERFLOW, IMPRECISE = "overflow", "underflow", "imprecise"
TOLERANCE = {"float64": 1e-9, "float32": 1e-4}
TINY = {"float64": float(np.finfo(np.float64).tiny), "float32": float(np.finfo(np.float32).tiny)}


def _given(value: float, dtype: str = "float64") -> mpmath.mpf:
    """The float torch is given for a decimal, exactly."""
    return mpmath.mpf(float(np.float32(value)) if dtype == "float32" else float(value))


def _within(number: float, truth: mpmath.mpf, dtype: str = "float64") -> bool:
    return abs(mpmath.mpf(number) - truth) <= TOLERANCE[dtype] * (abs(truth) + TINY[dtype])


def _sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


def _sigmoid_slope(x):  # sigmoid'(x) = sigmoid(x) sigmoid(-x), no cancellation
    return _sigmoid(x) * _sigmoid(-x)


# (kind, expression, point, verdict, truth: the entry's derivative at torch's float point)
ENTRY_CASES = [
    ("grad", "log(1+x) - x", "x=1e-17", IMPRECISE, lambda x: 1 / (1 + x) - 1),
    ("grad", "sin(x)", "x=1234567890.1", A, mpmath.cos),
    ("grad", "tan(x)", "x=1.5707963", A, lambda x: mpmath.sec(x) ** 2),
    ("grad", "1/(1-x)", "x=0.99999999", A, lambda x: 1 / (1 - x) ** 2),
    ("grad", "sin(x)", "x=1e300", A, mpmath.cos),
    ("grad", "x^2", "x=1e200", A, lambda x: 2 * x),
    ("grad", "exp(x)", "x=1000", OVERFLOW, mpmath.exp),
    ("grad", "cosh(x)", "x=800", OVERFLOW, mpmath.sinh),
    ("grad", "gamma(x)", "x=200", OVERFLOW, lambda x: mpmath.gamma(x) * mpmath.digamma(x)),
    ("grad", "1/x", "x=1e-300", OVERFLOW, lambda x: -1 / x**2),
    ("grad", "exp(x)", "x=-750", UNDERFLOW, mpmath.exp),
    ("grad", "exp(x)", "x=-745", A, mpmath.exp),  # the smallest subnormal, 5e-324
    ("hessian", "log(1+exp(x))", "x=400", None, _sigmoid_slope),
    ("hessian", "log(cosh(x))", "x=400", None, lambda x: mpmath.sech(x) ** 2),
    ("hessian", "1e200*softplus(x)", "x=400", None, lambda x: 10**200 * _sigmoid_slope(x)),
    ("hessian", "softplus(x)", "x=25", A, _sigmoid_slope),
    ("grad", "softplus(x)", "x=20.5", A, _sigmoid),
    ("grad", "loggamma(x)", "x=12345.6", A, mpmath.digamma),
    ("grad", "polygamma(2, x)", "x=1e6", A, lambda x: mpmath.polygamma(3, x)),
    ("hessian", "cos(x)^2", "x=pi/4", None, lambda x: -2 * mpmath.cos(2 * x)),
    # the rows of issue 15, at their edges (SymEngine has none of them: it refuses)
    ("grad", "log1p(x)", "x=1e-300", A, lambda x: 1 / (1 + x)),
    ("hessian", "log1p(x)", "x=-0.999999", A, lambda x: -1 / (1 + x) ** 2),
    ("grad", "expm1(x)", "x=-30", A, mpmath.exp),  # torch's 1 + expm1(x) kept 4 digits
    ("hessian", "logaddexp(x, 0)", "x=30", A, _sigmoid_slope),
    ("grad", "logsumexp(x, 1000, 1000)", "x=1000", A, lambda x: 1 / (1 + 2 * mpmath.exp(1000 - x))),
    (
        "grad",
        "erfinv(x)",
        "x=0.999999",
        A,
        lambda x: mpmath.sqrt(mpmath.pi) / 2 * mpmath.exp(mpmath.erfinv(x) ** 2),
    ),
    ("grad", "lambertw(x)", "x=1e300", A, lambda x: 1 / (x + x / mpmath.lambertw(x).real)),
    ("grad", "lambertw(x)", "x=-0.3678", A, lambda x: 1 / (x + x / mpmath.lambertw(x).real)),
    ("grad", "beta(x, 2)", "x=1e-8", A, lambda x: mpmath.diff(lambda t: mpmath.beta(t, 2), x)),
    # J1' = J0 - J1/x and I1' = I0 - I1/x, 0/0 at 0 and cancelling near it
    ("grad", "j1(x)", "x=1e-300", A, lambda x: mpmath.besselj(0, x) - mpmath.besselj(1, x) / x),
    ("grad", "i1(x)", "x=-1e-8", A, lambda x: mpmath.besseli(0, x) - mpmath.besseli(1, x) / x),
    ("grad", "j0(x)", "x=2.404825557695773", A, lambda x: -mpmath.besselj(1, x)),
    ("grad", "j1(x)", "x=1e4", A, lambda x: mpmath.besselj(0, x) - mpmath.besselj(1, x) / x),
    ("grad", "y0(x)", "x=1e-300", A, lambda x: -mpmath.bessely(1, x)),
    ("grad", "k1(x)", "x=700", A, lambda x: -mpmath.besselk(0, x) - mpmath.besselk(1, x) / x),
    ("grad", "i0(x)", "x=-713", A, lambda x: mpmath.besseli(1, x)),
    # zeta beside its pole, at a trivial zero, at large s, below -1 (the functional equation)
    ("grad", "zeta(x)", "x=1.00000001", A, lambda x: mpmath.zeta(x, 1, 1)),
    ("hessian", "zeta(x)", "x=0.99999999", A, lambda x: mpmath.zeta(x, 1, 2)),
    ("grad", "zeta(x)", "x=-2", A, lambda x: mpmath.zeta(x, 1, 1)),
    ("hessian", "zeta(x)", "x=1000", A, lambda x: mpmath.zeta(x, 1, 2)),
    ("grad", "zeta(x)", "x=-30", A, lambda x: mpmath.zeta(x, 1, 1)),
    ("grad", "zeta(x)", "x=-200.5", A, lambda x: mpmath.zeta(x, 1, 1)),
]


@pytest.mark.parametrize(
    ("kind", "text", "point", "verdict", "truth"),
    ENTRY_CASES,
    ids=[f"{c[0]} {c[1]}@{c[2]}" for c in ENTRY_CASES],
)
@BACKENDS
def test_the_verdict_is_right_for_the_number_torch_gave(kind, text, point, verdict, truth, backend):
    name, _, value = point.partition("=")
    result = _compute(kind, text, backend, at=point).results[0]
    x = mpmath.mpf(result.point[name])  # the float64 torch was given, exactly
    if value == "pi/4":
        assert x == _given(math.pi / 4)
    expected = truth(x)
    (number,) = np.ravel(result.numeric)
    (got,) = np.ravel(np.array(result.verdicts, dtype=object))
    if verdict is not None:
        assert got == verdict, result.warnings
    assert got != A or _within(number, expected), (number, expected)
    assert got != D or not _within(number, expected), (number, expected)
    if got == OVERFLOW:
        assert abs(expected) > np.finfo(np.float64).max and math.isinf(number)
    if got == UNDERFLOW:
        assert 0 < abs(expected) < TINY["float64"] and number == 0
    (compared,) = np.ravel(np.array(result.expected, dtype=object))
    if abs(expected) <= np.finfo(np.float64).max:
        # What torch is compared with is the truth, rounded: right to the digits printed.
        assert compared == float(expected), (compared, expected)


def test_cancellation_is_named_not_agreed_or_accused():
    result = derivcli.grad("log(1+x) - x", at="x=1e-17").results[0]
    assert result.numeric == [0.0] and result.verdicts == [IMPRECISE]
    assert "cancellation" in result.warnings[0]
    assert result.exact == ["-1/100000000000000001"]  # at the point as typed
    # The same at a gentle point agrees.
    assert derivcli.grad("log(1+x) - x", at="x=0.5").results[0].verdicts == [A]


def test_rounding_the_point_is_reported_with_its_size():
    result = derivcli.grad("sin(x)", at="x=1234567890.1").results[0]
    assert result.verdicts == [A]
    assert result.exact == ["cos(12345678901/10)"]
    (note,) = result.warnings
    assert "3.5e-7" in note and "rounded to float64" in note
    typed = mpmath.cos(mpmath.mpf(12345678901) / 10)
    assert repr(float(typed)) in note and repr(result.numeric[0]) in note
    # No note where the point is a float already.
    assert derivcli.grad("sin(x)", at="x=0.5").results[0].warnings == []


def test_a_huge_exact_derivative_is_the_derivative_not_the_function():
    result = derivcli.grad("x^2", at="x=1e200").results[0]
    assert result.verdicts == [A]
    assert result.exact == [str(2 * 10**200)]


def test_a_tie_affects_only_the_tied_arguments():
    result = derivcli.grad("max(x,y,z)", at="x=1,y=1,z=0").results[0]
    assert result.verdicts == [N, N, A]
    assert result.exact[2] == "0" and result.numeric[2] == 0.0
    hessian = derivcli.hessian("max(x,y,z)*z", at="x=1,y=1,z=0").results[0]
    assert hessian.verdicts[2][2] == A


@pytest.mark.parametrize(
    ("kind", "text", "point", "verdicts"),
    [
        ("grad", "acot(x)", "x=0", [N]),
        ("grad", "acot(x)", "x=-1", [A]),
        ("grad", "atan2(y, x)", "x=-1,y=0", [A, N]),
        ("grad", "atan2(y, x)", "x=1,y=0", [A, A]),
        ("grad", "atan2(y, x)", "x=-1,y=1", [A, A]),
    ],
)
@BACKENDS
def test_branch_cuts_are_breaks(kind, text, point, verdicts, backend):
    assert _compute(kind, text, backend, at=point).results[0].verdicts == verdicts


@BACKENDS
def test_undefined_entries_show_the_derivative_not_the_function(backend):
    log = _compute("grad", "log(x)", backend, at="x=-1").results[0]
    assert log.verdicts == [U] and log.exact == ["-1"]
    root = _compute("grad", "sqrt(x)", backend, at="x=-1").results[0]
    assert root.verdicts == [U] and root.exact == [None]  # -I/2 is not a real number


def test_the_tolerance_is_relative_below_one():
    # torch's 0 against 1.39e-11 is 100% wrong; an absolute 1e-9 called it agree.
    result = derivcli.hessian("exp(-x)", at="x=25").results[0]
    assert result.verdicts == [[A]] and _within(result.numeric[0][0], mpmath.exp(-25))


def test_float32_compares_with_the_float32_point():
    result = derivcli.grad("sin(x)", at="x=1234.1", dtype="float32").results[0]
    x = _given(1234.1, "float32")
    assert result.verdicts == [A] and _within(result.numeric[0], mpmath.cos(x), "float32")
    with pytest.raises(InputError, match="beyond float32's range"):
        derivcli.grad("x", at="x=1e39", dtype="float32")


def test_json_has_the_compared_value(cli_json):
    doc = cli_json("hessian", "log(1+exp(x))", "--at", "x=400")
    point = doc["results"][0]
    assert point["expected"] == [[float(_sigmoid_slope(mpmath.mpf(400)))]]
    assert point["exact"] == [["exp(400)/(1 + exp(400)) - exp(800)/(1 + exp(400))**2"]]


# --- streams ----------------------------------------------------------------------


@pytest.mark.parametrize("format", ["plain", "csv", "jsonl"])
@pytest.mark.parametrize(
    ("text", "point", "verdict"),
    [("x^x", "x=0", "infinite"), ("abs(x)", "x=0", N), ("log(x)", "x=-1", U)],
)
def test_numbers_only_formats_report_verdicts_on_stderr(cli, format, text, point, verdict):
    result = cli("grad", text, "--at", point, "--format", format)
    assert result.exit_code == 0
    assert f"derivcli: warning: d/dx: {verdict}:" in result.stderr
    assert result.stdout  # the numbers are still printed
    strict = cli("grad", text, "--at", point, "--format", format, "--strict")
    assert strict.exit_code == 3
    assert f"--strict: d/dx: {verdict}:" in strict.stderr


def test_checked_csv_and_jsonl_have_the_stream_layout(cli, tmp_path):
    csv = cli("hessian", "x^2*y", "--at", "x=1,y=2", "--at", "x=0.5,y=0", "-f", "csv")
    assert csv.stdout.splitlines() == [
        "x,y,d2/dx2,d2/dxdy,d2/dydx,d2/dy2",
        "1.0,2.0,4.0,2.0,2.0,0.0",
        "0.5,0.0,0.0,1.0,1.0,0.0",
    ]
    assert csv.stderr == ""
    line = cli("grad", "x^2", "--at", "x=3", "-f", "jsonl").stdout
    assert json.loads(line) == {"point": {"x": 3.0}, "numeric": [6.0]}
    out = tmp_path / "h.npy"
    assert cli("hessian", "x^2*y", "--at", "x=1,y=2", "-f", "npy", "-o", str(out)).exit_code == 0
    assert np.load(out).tolist() == [[[4.0, 2.0], [2.0, 0.0]]]


def test_several_points_name_the_point_on_stderr(cli):
    result = cli("grad", "abs(x)", "--at", "x=1", "--at", "x=0", "-f", "plain")
    assert result.stdout.splitlines() == ["1.0", "0.0"]
    assert result.stderr.startswith("derivcli: warning: at x = 0: d/dx: not differentiable")


# --- the lowerings, through the command line (tests/check/test_extremes.py has every row) ---


def _csv_rows(text: str) -> list[list[float]]:
    return [[float(v) for v in line.split(",")] for line in text.splitlines()[1:]]


@pytest.mark.parametrize("engine", ["symbolic", "autograd"])
def test_sinc_near_and_at_zero(cli, engine):
    grad = cli("grad", "sinc(x)", "--grid", "x=-1:1:3", "-f", "csv", "--engine", engine)
    rows = _csv_rows(grad.stdout)
    assert rows[1] == [0.0, 0.0]
    assert _within(rows[2][1], mpmath.cos(1) - mpmath.sin(1))
    hessian = cli("hessian", "sinc(x)", "--grid", "x=1e-7:1e-5:3", "-f", "csv", "--engine", engine)
    for x, value in _csv_rows(hessian.stdout):
        t = mpmath.mpf(x)  # sinc'' = -1/3 + t^2/10 - ...
        assert _within(value, mpmath.diff(mpmath.sinc, t, 2)), (x, value)


def test_softplus_has_no_threshold_in_either_engine(cli):
    for engine in ("symbolic", "autograd"):
        out = cli("hessian", "softplus(x)", "--grid", "x=20:30:3", "-f", "csv", "--engine", engine)
        for x, value in _csv_rows(out.stdout):
            assert _within(value, _sigmoid_slope(mpmath.mpf(x))), (engine, x, value)


@pytest.mark.parametrize("scale", ["1e200", "1e-200"])
def test_hypot_is_scaled(cli, scale):
    out = cli("grad", "hypot(x,y)", "--at", f"x={scale},y={scale}", "-f", "csv")
    assert out.exit_code == 0 and out.stderr == ""
    (row,) = _csv_rows(out.stdout)
    assert all(_within(v, 1 / mpmath.sqrt(2)) for v in row[2:])


# --- found in review ----------------------------------------------------------------


def test_a_value_too_extreme_to_evaluate_is_unverified_and_leaves_mpmath_sane():
    precision_before = mpmath.mp.prec
    result = derivcli.grad("exp(-sinh(sinh(x)))", at="x=800").results[0]
    assert result.verdicts == ["unverified"] and result.expected == [None]
    assert mpmath.mp.prec == precision_before  # a failed evalf had left it raised
    # exp(-exp(x)) at 1e5 made mpmath reduce 10^43429-digit arguments past the budget.
    assert derivcli.grad("exp(-exp(x))", at="x=1e5").results[0].verdicts == ["unverified"]


def test_an_exact_zero_inside_a_value_does_not_make_it_zero():
    # cosh(2x) - 2 sinh(x)^2 is exactly 1: strict evalf cannot tell its derivative from 0.
    result = derivcli.grad("exp(x)*(cosh(2*x)-2*sinh(x)^2)", at="x=1").results[0]
    assert result.verdicts == [A] and _within(result.numeric[0], mpmath.e)
    tiny = derivcli.grad("exp(-x^2)*(cosh(2*x)-2*sinh(x)^2)", at="x=30").results[0]
    assert tiny.verdicts == [UNDERFLOW]  # -60 exp(-900) = -8.2e-390


def test_the_rounding_bound_keeps_integer_arguments():
    result = derivcli.grad("x*DiracDelta(x)+log(1+x)-x", at="x=1e-17").results[0]
    assert result.verdicts == [IMPRECISE]


def test_a_near_miss_before_the_tie_does_not_hide_it():
    result = derivcli.grad("max(x,y,z)", at="x=0.9999999999999,y=1,z=1").results[0]
    assert result.verdicts == [A, N, N]


@pytest.mark.parametrize(
    ("text", "point", "dtype", "verdicts"),
    [
        ("max(x,y)", "x=1/3,y=0.3333333333333333", "float64", [N, N]),
        ("atan2(y,x)", "y=1e-50,x=-1", "float32", [A, N]),
        ("acot(x)", "x=1e-50", "float32", [N]),
    ],
)
@BACKENDS
def test_breaks_at_the_float_point_torch_was_given(text, point, dtype, verdicts, backend):
    result = _compute("grad", text, backend, at=point, dtype=dtype).results[0]
    assert result.verdicts == verdicts
    assert all(
        f"at the {dtype} point torch was given" in w for w in result.warnings if ": not" in w
    )


@BACKENDS
def test_the_limit_at_the_float_point_is_labelled(backend):
    result = _compute("grad", "sin(x)/x", backend, at="x=1e-400").results[0]
    assert result.expected == [0.0] and "limit as x → 0" in result.warnings[0]


def test_mpmath_division_by_zero_inside_evalf_is_not_a_complex_value():
    # sinc'(u) at u = softplus(-100) = 3.7e-44: mpmath divides by zero at low precision.
    result = derivcli.grad("sinc(softplus(x))", at="x=-100").results[0]
    x = mpmath.mpf(-100)
    u = mpmath.log1p(mpmath.exp(x))
    truth = mpmath.diff(mpmath.sinc, u) * _sigmoid(x)
    assert result.verdicts == [A] and _within(result.numeric[0], truth)


@pytest.mark.parametrize(
    ("text", "x", "slope"),
    [
        ("erf(acos(x))", 0.9999998627552429, lambda t: -1 / mpmath.sqrt(1 - t**2)),
        ("erf(acosh(x))", 1.0000001372447571, lambda t: 1 / mpmath.sqrt(t**2 - 1)),
    ],
)
@BACKENDS
def test_sympy_does_not_take_acos_near_one_for_zero(text, x, slope, backend):
    # sympy evaluates acos(1 - 1.4e-7) at 7 bits to an exact 0, and exp(-acos(x)^2) in
    # the exact value became 1 (an accusation of torch's right number).
    result = _compute("grad", text, backend, at={"x": x}).results[0]
    t = mpmath.mpf(x)
    inner = mpmath.acos(t) if "acos(" in text else mpmath.acosh(t)
    truth = 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-(inner**2)) * slope(t)
    assert result.verdicts == [A] and _within(result.expected[0], truth)


# --- Lambert W at and near its branch point -1/e, against mpmath ----------------------


def _w_derivative(t: mpmath.mpf, order: int) -> mpmath.mpf:
    """W's order-th derivative at t > -1/e: mpmath's forward differences, inside the
    domain, with a step far below t's distance to the branch point."""
    distance = t + 1 / mpmath.e
    with mpmath.workdps(250):
        return mpmath.diff(
            lambda s: mpmath.lambertw(s).real, t, order, h=distance * 1e-40, direction=1
        )


@pytest.mark.parametrize(
    ("kind", "options", "order"),
    [
        ("grad", {}, 1),
        ("hessian", {}, 2),
        ("diff", {"wrt": "x,x"}, 2),
        ("diff", {"wrt": "x,x,x"}, 3),
    ],
)
def test_lambertw_at_its_branch_point_is_infinite(kind, options, order):
    # sympy's one-sided limit of W' = 1/(x + exp(W)) there is e/(e - 1): it was shown as
    # the exact value
    result = derivcli.compute(kind, "lambertw(x)", at="x=-1/e", **options).results[0]
    (verdict,) = np.ravel(np.array(result.verdicts, dtype=object))
    (exact,) = np.ravel(np.array(result.exact, dtype=object))
    assert (verdict, exact) == ("infinite", "zoo"), result.warnings
    assert "branch point" in np.ravel(result.warnings)[0]
    # the truth: W's derivative at -1/e + h grows without bound as h -> 0, of one sign
    near = [_w_derivative(-1 / mpmath.e + mpmath.mpf(10) ** -k, order) for k in (20, 30, 40)]
    assert abs(near[0]) < abs(near[1]) < abs(near[2]) and abs(near[2]) > 1e15
    assert len({mpmath.sign(v) for v in near}) == 1
    (number,) = np.ravel(result.numeric)
    if not math.isnan(number):  # torch's nan for W''' is not endorsed: infinite
        assert math.isinf(number) and (number > 0) == (near[0] > 0)


def test_lambertw_taylor_at_its_branch_point_says_its_coefficients_do_not_exist():
    result = derivcli.taylor("lambertw(x)", at="x=-1/e", order=2).results[0]
    terms = result.extra["terms"]
    assert result.extra["polynomial"] is None
    assert mpmath.almosteq(mpmath.lambertw(-1 / mpmath.e).real, -1, 1e-25)
    assert terms[0]["exact"] == "-1"
    assert [(t["exists"], t["verdict"], t["exact"]) for t in terms[1:]] == [
        (False, "infinite", "zoo")
    ] * 2


def test_lambertw_where_its_argument_stands_still_at_the_branch_point_is_not_decided():
    # W(y^2 - 1/e) = -1 + sqrt(2e)|y| + ...: a kink at 0, not an infinite slope
    t = mpmath.mpf(10) ** -20
    right = (mpmath.lambertw(t**2 - 1 / mpmath.e).real + 1) / t
    assert mpmath.almosteq(right, mpmath.sqrt(2 * mpmath.e), 1e-15)
    result = derivcli.grad("lambertw(y^2 - 1/e)", at="y=0").results[0]
    assert (
        result.verdicts == [N]
        and "perhaps (its one-sided limits could not be found)" in result.warnings[0]
    )


NEAR_BRANCH = ["x=-0.3678794411714423", "x=-1/e + 1e-14", "x=-1/e + 1e-8", "x=-1/e + 1e-4"]


@pytest.mark.parametrize("point", NEAR_BRANCH)
@pytest.mark.parametrize(("kind", "order"), [("grad", 1), ("hessian", 2)])
def test_lambertw_near_its_branch_point_is_right_or_imprecise_never_accused(kind, order, point):
    result = derivcli.compute(kind, "lambertw(x)", at=point).results[0]
    x = mpmath.mpf(result.point["x"])  # the float64 torch was given, exactly
    truth = _w_derivative(x, order)
    (number,) = np.ravel(result.numeric)
    (verdict,) = np.ravel(np.array(result.verdicts, dtype=object))
    (compared,) = np.ravel(np.array(result.expected, dtype=object))
    assert compared == float(truth)
    assert verdict in (A, IMPRECISE), result.warnings
    assert verdict != A or _within(number, truth)
    if verdict == IMPRECISE:
        # torch's number is the derivative at a float within an ulp of x (Halley's
        # iteration is exact at a nearby argument), the one beside -1/e clamped to it
        ulp = mpmath.mpf(math.ulp(float(x)))
        low, high = max(x - ulp, -1 / mpmath.e), x + ulp
        ends = [_w_derivative(high, order)]
        ends.append(
            mpmath.inf * mpmath.sign(truth) if low == -1 / mpmath.e else _w_derivative(low, order)
        )
        assert min(ends) <= number <= max(ends), (number, ends)
    if point == NEAR_BRANCH[0]:
        assert verdict == IMPRECISE  # 0.24 off at 1.8e8, where an ulp of x moves W' by 0.3


@pytest.mark.parametrize(
    ("point", "wrong"),
    [
        ("x=-0.3678794411714423", [100]),
        ("x=-1/e + 1e-8", [1.01, -1]),
        ("x=-1/e + 1e-4", [1 + 1e-6, -1]),
    ],
)
def test_a_wrong_number_near_lambertws_branch_point_is_still_accused(point, wrong):
    # The float beside -1/e is so ill-conditioned (an ulp of x moves W' by 0.3) that the
    # first-order rounding bound there is ±1.3e9 around 1.8e8: a number off by less,
    # of either sign, is imprecise there (it has no digits), 100 times off is not.
    from derivcli.check import verdict
    from derivcli.symbolic import Derivatives

    x = sympy.Symbol("x", real=True)
    (expr,) = backends.default().build(parse_tree("lambertw(x)").components)
    derivatives = Derivatives(ops.get("grad"), [expr], [x])
    (entry,) = [verdict.entry_of(derivatives, spec) for spec in derivatives.entries]
    given = mpmath.mpf(derivcli.grad("lambertw(x)", at=point).results[0].point["x"])
    values = {x: sympy.Rational(*float(given).as_integer_ratio())}
    truth = float(_w_derivative(given, 1))
    for factor in wrong:
        (check,) = verdict.check_entries([expr], [entry], values, [truth * factor])
        assert check.verdict == D, (factor, check.reason)
