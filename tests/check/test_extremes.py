"""Every row's first and second derivatives at extreme and near-singular arguments.

Both engines, float64 and (for some rows) float32, against closed-form derivatives
evaluated by mpmath at 60 digits at the exact binary value of each point. Driven by
the function table: a new row fails here until its cases are added to CASES.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy

from derivcli.expr.functions import FUNCTIONS
from derivcli.numeric import engines as numeric
from derivcli.symbolic.sympy_functions import BUILDERS

mpmath.mp.dps = 60


def _bessel(kind: str, n: int, t, order: int):
    """The order-th derivative of mpmath's Bessel function of that kind and order n
    (DLMF 10.6.7, 10.29.5): 2^-order sum_m (+-1)^m C(order, m) Z_(n-order+2m)."""
    f = getattr(mp, f"bessel{kind}")
    alternating = kind in "jy"

    def of(nu):  # Z_(-n) = (-1)^n Z_n for J and Y, I_(-n) = I_n, K_(-n) = K_n
        return (-1) ** (abs(nu) if alternating and nu < 0 else 0) * f(abs(nu), t)

    total = mp.fsum(
        (-1) ** (m if alternating else 0) * mp.binomial(order, m) * of(n - order + 2 * m)
        for m in range(order + 1)
    )
    return total / 2**order * (-1 if kind == "k" and order % 2 else 1)


@pytest.fixture(autouse=True)
def _digits():
    # set per test: a module-level mp.dps is overwritten by whichever test module
    # pytest imports last (it imports every module before running any)
    with mpmath.workdps(60):
        yield


mp = mpmath

x, y = sympy.symbols("x y", real=True)
ROWS = [spec for spec in FUNCTIONS if spec.listed]
TOLERANCE = {"float64": 1e-9, "float32": 1e-4}
# Below these magnitudes a result is compared absolutely: the true value is at or
# under the type's underflow.
FLOOR = {"float64": 1e-300, "float32": 1e-36}


def _sigmoid(t):
    return 1 / (1 + mp.exp(-t))


def _slope(t):
    return _sigmoid(t) * _sigmoid(-t)


def _sinc(t, n):
    if t == 0:
        return [mp.mpf(1), mp.mpf(0), -mp.mpf(1) / 3][n]
    return mp.diff(lambda s: mp.sin(s) / s, t, n)


def _gamma2(t):
    return mp.gamma(t) * (mp.digamma(t) ** 2 + mp.polygamma(1, t))


# name: (build from x, (f', f'') as mpmath functions, float64 points, float32 points)
ONE = {
    "sin": (sympy.sin(x), (mp.cos, lambda t: -mp.sin(t)), [1e-300, 1e-8, 3.0, 1e8], [1e-30, 3.0]),
    "cos": (
        sympy.cos(x),
        (lambda t: -mp.sin(t), lambda t: -mp.cos(t)),
        [1e-300, 1e-8, 1.5707963267948966, 1e8],
        [],
    ),
    "tan": (
        sympy.tan(x),
        (lambda t: mp.sec(t) ** 2, lambda t: 2 * mp.tan(t) * mp.sec(t) ** 2),
        [1e-300, 1e-8, 1.5707963, -1.5707963, 1e8],
        [],
    ),
    "cot": (
        sympy.cot(x),
        (lambda t: -(mp.csc(t) ** 2), lambda t: 2 * mp.cot(t) * mp.csc(t) ** 2),
        [1e-300, 1e-100, 1e-8, 3.14159265, 1e8],
        [1e-8],
    ),
    "sec": (
        sympy.sec(x),
        (lambda t: mp.sec(t) * mp.tan(t), lambda t: mp.sec(t) * (mp.tan(t) ** 2 + mp.sec(t) ** 2)),
        [1e-300, 1e-8, 1.5707963, 1e8],
        [],
    ),
    "csc": (
        sympy.csc(x),
        (
            lambda t: -mp.csc(t) * mp.cot(t),
            lambda t: mp.csc(t) * (mp.cot(t) ** 2 + mp.csc(t) ** 2),
        ),
        [1e-300, 1e-100, 1e-8, 3.14159265, 1e8],
        [],
    ),
    "asin": (
        sympy.asin(x),
        (lambda t: 1 / mp.sqrt(1 - t**2), lambda t: t / (1 - t**2) ** 1.5),
        [1e-300, 1e-8, 1 - 2**-40 * 3, -(1 - 1e-10), 0.9999999999],
        [0.999],
    ),
    "acos": (
        sympy.acos(x),
        (lambda t: -1 / mp.sqrt(1 - t**2), lambda t: -t / (1 - t**2) ** 1.5),
        [1e-300, 1e-8, -(1 - 1e-10), 0.9999999999],
        [],
    ),
    "atan": (
        sympy.atan(x),
        (lambda t: 1 / (1 + t**2), lambda t: -2 * t / (1 + t**2) ** 2),
        [1e-300, 1e-8, 1e8, 1e100, -1e200],
        [1e8],
    ),
    "acot": (
        sympy.acot(x),
        (lambda t: -1 / (1 + t**2), lambda t: 2 * t / (1 + t**2) ** 2),
        [1e-300, -1e-300, 1e-8, -1e-8, -0.5, -3.0, 1e8, -1e100],
        [-1e-8, 1e8],
    ),
    "asec": (
        sympy.asec(x),
        (
            lambda t: 1 / (t**2 * mp.sqrt(1 - 1 / t**2)),
            lambda t: -mp.sign(t) * (2 * t**2 - 1) / (t**2 * (t**2 - 1) ** 1.5),
        ),
        [1 + 1e-10, 3.0, 1e8, 1e100, -1e8, -(1 + 1e-10)],
        [],
    ),
    "acsc": (
        sympy.acsc(x),
        (
            lambda t: -1 / (t**2 * mp.sqrt(1 - 1 / t**2)),
            lambda t: mp.sign(t) * (2 * t**2 - 1) / (t**2 * (t**2 - 1) ** 1.5),
        ),
        [1 + 1e-10, 3.0, 1e8, 1e100, -1e8],
        [],
    ),
    "sinh": (sympy.sinh(x), (mp.cosh, mp.sinh), [1e-300, 1e-8, 700.0, -700.0, 711.0], [1e-8]),
    "cosh": (sympy.cosh(x), (mp.sinh, mp.cosh), [1e-300, 1e-8, 700.0, -711.0], []),
    "tanh": (
        sympy.tanh(x),
        (lambda t: mp.sech(t) ** 2, lambda t: -2 * mp.tanh(t) * mp.sech(t) ** 2),
        [1e-300, 1e-8, 20.0, 40.0, -40.0, 300.0, 800.0],
        [10.0, 40.0],
    ),
    "coth": (
        sympy.coth(x),
        (lambda t: -(mp.csch(t) ** 2), lambda t: 2 * mp.coth(t) * mp.csch(t) ** 2),
        [1e-300, 1e-100, 1e-8, 40.0, -40.0, 300.0],
        [40.0],
    ),
    "sech": (
        sympy.sech(x),
        (
            lambda t: -mp.sech(t) * mp.tanh(t),
            lambda t: mp.sech(t) * (mp.tanh(t) ** 2 - mp.sech(t) ** 2),
        ),
        [1e-300, 1e-8, 40.0, 400.0, -700.0],
        [40.0],
    ),
    "csch": (
        sympy.csch(x),
        (
            lambda t: -mp.csch(t) * mp.coth(t),
            lambda t: mp.csch(t) * (mp.coth(t) ** 2 + mp.csch(t) ** 2),
        ),
        [1e-300, 1e-100, 1e-8, 40.0, 400.0, -700.0],
        [40.0],
    ),
    "asinh": (
        sympy.asinh(x),
        (lambda t: 1 / mp.sqrt(1 + t**2), lambda t: -t / (1 + t**2) ** 1.5),
        [1e-300, 1e-8, 1e8, 1e100, -1e100],
        [],
    ),
    "acosh": (
        sympy.acosh(x),
        (lambda t: 1 / mp.sqrt(t**2 - 1), lambda t: -t / (t**2 - 1) ** 1.5),
        [1 + 1e-10, 1 + 2**-40, 3.0, 1e8, 1e100],
        [],
    ),
    "atanh": (
        sympy.atanh(x),
        (lambda t: 1 / (1 - t**2), lambda t: 2 * t / (1 - t**2) ** 2),
        [1e-300, 1e-8, 0.9999999999, -(1 - 1e-10)],
        [],
    ),
    "acoth": (
        sympy.acoth(x),
        (lambda t: 1 / (1 - t**2), lambda t: 2 * t / (1 - t**2) ** 2),
        [1 + 1e-10, 3.0, 1e8, 1e70, -1e8],
        [],
    ),
    "exp": (sympy.exp(x), (mp.exp, mp.exp), [-700.0, -1e-8, 1e-300, 700.0, 709.0, 710.0], [80.0]),
    "log": (
        sympy.log(x),
        (lambda t: 1 / t, lambda t: -1 / t**2),
        [1e-300, 1e-8, 1e8, 1e300],
        [1e-8],
    ),
    "log2": (
        sympy.log(x) / sympy.log(2),
        (lambda t: 1 / (t * mp.log(2)), lambda t: -1 / (t**2 * mp.log(2))),
        [1e-300, 1e-8, 1e300],
        [],
    ),
    "log10": (
        sympy.log(x) / sympy.log(10),
        (lambda t: 1 / (t * mp.log(10)), lambda t: -1 / (t**2 * mp.log(10))),
        [1e-300, 1e-8, 1e300],
        [],
    ),
    "sqrt": (
        sympy.sqrt(x),
        (lambda t: 1 / (2 * mp.sqrt(t)), lambda t: -1 / (4 * t**1.5)),
        [1e-300, 1e-8, 1e8, 1e300],
        [1e-8],
    ),
    "cbrt": (
        None,
        (
            lambda t: 1 / (3 * mp.cbrt(t * t)),
            lambda t: -2 / (9 * mp.sign(t) * mp.cbrt(abs(t)) ** 5),
        ),
        [1e-300, -1e-300, 1e-8, -8.0, 1e300],
        [],
    ),
    "root": (
        None,
        (
            lambda t: 1 / (3 * mp.cbrt(t * t)),
            lambda t: -2 / (9 * mp.sign(t) * mp.cbrt(abs(t)) ** 5),
        ),
        [1e-300, -1e-8, 1e300],
        [],
    ),
    "abs": (sympy.Abs(x), (mp.sign, lambda t: 0), [1e-300, -1e-300, 1e300], []),
    "sign": (sympy.sign(x), (lambda t: 0, lambda t: 0), [1e-300, -1e300], []),
    "floor": (None, (lambda t: 0, lambda t: 0), [0.5, -1e300 + 0.0, 1e15 + 0.5], []),
    "ceil": (None, (lambda t: 0, lambda t: 0), [0.5, 1e15 + 0.5], []),
    "heaviside": (sympy.Heaviside(x), (lambda t: 0, lambda t: 0), [1e-300, -1e300], []),
    "erf": (
        sympy.erf(x),
        (
            lambda t: 2 / mp.sqrt(mp.pi) * mp.exp(-(t**2)),
            lambda t: -4 * t / mp.sqrt(mp.pi) * mp.exp(-(t**2)),
        ),
        [1e-300, 1e-8, 5.0, 26.0, -26.0, 30.0],
        [5.0],
    ),
    "erfc": (
        sympy.erfc(x),
        (
            lambda t: -2 / mp.sqrt(mp.pi) * mp.exp(-(t**2)),
            lambda t: 4 * t / mp.sqrt(mp.pi) * mp.exp(-(t**2)),
        ),
        [1e-300, 5.0, 26.0, -26.0],
        [],
    ),
    "gamma": (
        sympy.gamma(x),
        (lambda t: mp.gamma(t) * mp.digamma(t), _gamma2),
        [1e-8, 0.5, 100.0, 170.5, 171.7, -2.5],
        [],
    ),
    "loggamma": (
        sympy.loggamma(x),
        (mp.digamma, lambda t: mp.polygamma(1, t)),
        [1e-300, 1e-8, 1e8, 1e100, 1e150],
        [],
    ),
    "digamma": (
        sympy.polygamma(0, x),
        (lambda t: mp.polygamma(1, t), lambda t: mp.polygamma(2, t)),
        [1e-100, 1e-8, 1e8, 1e100],
        [],
    ),
    "polygamma": (
        sympy.polygamma(1, x),
        (lambda t: mp.polygamma(2, t), lambda t: mp.polygamma(3, t)),
        [1e-100, 1e-8, 1e8, 1e60],
        [],
    ),
    "sigmoid": (
        None,
        (_slope, lambda t: _slope(t) * (_sigmoid(-t) - _sigmoid(t))),
        [0.0, 1e-300, 1e-8, 20.5, 40.0, -40.0, 700.0, -700.0, 800.0],
        [0.0, 1e-8, 20.0, 40.0, -40.0],
    ),
    "softplus": (
        None,
        (_sigmoid, _slope),
        [0.0, 1e-300, 1e-8, 20.5, 40.0, -40.0, 700.0, -700.0, -800.0, 1e200],
        [0.0, 1e-8, 20.0, 40.0, -40.0],
    ),
    "log1p": (
        None,
        (lambda t: 1 / (1 + t), lambda t: -1 / (1 + t) ** 2),
        [1e-300, 1e-8, -0.999999, 1e8, 1e300],
        [1e-8, -0.999, 1e8],
    ),
    "expm1": (None, (mp.exp, mp.exp), [1e-300, 1e-8, -30.0, -700.0, 700.0], [1e-8, -30.0, 80.0]),
    "relu": (
        None,
        (lambda t: 1 if t > 0 else 0, lambda t: 0),
        [1e-300, -1e-300, 1e300, -1e300],
        [1e-30, -1e-30],
    ),
    "erfinv": (
        None,
        (
            lambda t: mp.sqrt(mp.pi) / 2 * mp.exp(mp.erfinv(t) ** 2),
            lambda t: mp.pi / 2 * mp.erfinv(t) * mp.exp(2 * mp.erfinv(t) ** 2),
        ),
        [1e-300, 1e-8, 0.5, -0.999999, 0.999999],
        [1e-8, 0.5, 0.999],
    ),
    "lambertw": (
        None,
        (
            lambda t: 1 / (t + mp.exp(mp.lambertw(t).real)),
            lambda t: (
                -(mp.lambertw(t).real ** 2)
                * (mp.lambertw(t).real + 2)
                / (t**2 * (1 + mp.lambertw(t).real) ** 3)
            ),
        ),
        [1e-300, 1e-8, -0.3, -0.3678, 1.0, 1e8, 1e300],
        [1e-8, -0.3, 1.0, 1e8],
    ),
    **{
        f"{kind}{n}": (
            None,
            (
                lambda t, k=kind, n=n: _bessel(k, n, t, 1),
                lambda t, k=kind, n=n: _bessel(k, n, t, 2),
            ),
            points,
            [1e-3, 0.5, 10.0],
        )
        for kind, points in (
            ("j", [0.0, 1e-300, 1e-8, 1e-3, 0.5, 2.404825557695773, -10.0, 100.0, 1e4]),
            ("i", [0.0, 1e-300, 1e-8, 0.5, -10.0, 100.0, 700.0]),
            ("y", [1e-8, 1e-3, 0.5, 2.5, 100.0, 1e4]),
            ("k", [1e-8, 0.5, 2.5, 100.0, 700.0]),
        )
        for n in (0, 1)
    },
    # beside the pole (huge but ordinary), the trivial zeros, s -> oo (relative digits),
    # beyond float64 (-400.5: overflow)
    "zeta": (
        None,
        (lambda t: mp.zeta(t, 1, 1), lambda t: mp.zeta(t, 1, 2)),
        [2.0, 0.5, -0.5, -2.0, -10.5, -30.0, 1 + 1e-8, 1 - 1e-8, 50.0, 1e3, -200.5, -400.5],
        [2.0, 0.5, -2.0, -10.5, 10.0, 1.001],
    ),
    "zetaderiv": (
        BUILDERS["zetaderiv"](sympy.Integer(1), x),
        (lambda t: mp.zeta(t, 1, 2), lambda t: mp.zeta(t, 1, 3)),
        [2.0, 0.5, -2.0, -30.0, 1 + 1e-8, 1e3],
        [2.0, -2.0],
    ),
    "sinc": (
        None,
        (lambda t: _sinc(t, 1), lambda t: _sinc(t, 2)),
        [0.0, 1e-300, 1e-8, 1e-7, 1e-6, 1e-5, 1e-3, 0.5, 0.999, 1.0, 1.001, 3.0, 1e8],
        [0.0, 1e-6, 1e-3, 0.5, 3.0],
    ),
}


def _hypot_truth(kind, a, b):
    h = mp.hypot(a, b)
    if kind == "grad":
        return [a / h, b / h]
    return [[b**2 / h**3, -a * b / h**3], [-a * b / h**3, a**2 / h**3]]


def _atan2_truth(kind, a, b):
    # atan2(y, x) with (x, y) = (a, b)
    r2 = a**2 + b**2
    if kind == "grad":
        return [-b / r2, a / r2]
    return [[2 * a * b / r2**2, (b**2 - a**2) / r2**2], [(b**2 - a**2) / r2**2, -2 * a * b / r2**2]]


def _minmax_truth(pick):
    def truth(kind, a, b):
        if kind == "grad":
            return [1, 0] if pick(a, b) == a else [0, 1]
        return [[0, 0], [0, 0]]

    return truth


def _logsumexp_truth(kind, a, b):
    sa, sb = 1 / (1 + mp.exp(b - a)), 1 / (1 + mp.exp(a - b))  # the softmax
    if kind == "grad":
        return [sa, sb]
    return [[sa * sb, -sa * sb], [-sa * sb, sa * sb]]


def _beta_truth(kind, a, b):
    value = mp.beta(a, b)
    da, db = mp.digamma(a) - mp.digamma(a + b), mp.digamma(b) - mp.digamma(a + b)
    if kind == "grad":
        return [value * da, value * db]
    both = mp.polygamma(1, a + b)
    mixed = value * (da * db - both)
    return [
        [value * (da**2 + mp.polygamma(1, a) - both), mixed],
        [mixed, value * (db**2 + mp.polygamma(1, b) - both)],
    ]


# name: (build from x and y, truth(kind, x, y), float64 points, float32 points)
TWO = {
    "logsumexp": (
        None,
        _logsumexp_truth,
        [(1000.0, 1000.0), (-1000.0, -1000.0), (0.5, -3.0), (30.0, 0.0), (1e300, 0.0)],
        [(80.0, 80.0), (10.0, 0.0)],
    ),
    "beta": (
        None,
        _beta_truth,
        # not (1e-8, 2) or (1e-3, 1e-3): psi(2) - psi(2 + 1e-8) cancels there (8 digits
        # lost; the verdict says so: tests/numeric/test_new_functions.py)
        [(0.5, 0.5), (200.0, 300.0), (-0.5, 2.5), (2.5, 1e-3), (1e-3, 0.5)],
        [(0.5, 2.0), (3.0, 4.0)],
    ),
    "hypot": (
        None,
        _hypot_truth,
        [(1e200, 1e200), (1e-200, 1e-200), (3e200, -4e200), (1.0, 1e-8), (1e-300, 1.0)],
        [(1e30, 1e30), (1e-30, 1e-30)],
    ),
    "atan2": (
        sympy.atan2(y, x),
        _atan2_truth,
        [(1e100, 2e100), (1e-100, 3e-100), (-1.0, 1e-8), (1e8, 1.0)],
        [],
    ),
    "min": (sympy.Min(x, y), _minmax_truth(min), [(1e-300, 2e-300), (-1e300, 1e300)], []),
    "max": (sympy.Max(x, y), _minmax_truth(max), [(1e-300, 2e-300), (-1e300, 1e300)], []),
}

# Known to fail: (row, engine, dtype, kind) -> why. Each is an xfail(strict=True), so
# a fix shows up as an unexpected pass.
_SOFTMAX = (
    "sympy's second derivative of logsumexp is s*(1 - s), which cancels where the softmax "
    "s is near 1; autograd's (numeric/torch_special.py) does not form 1 - s"
)
KNOWN: dict[tuple[str, str, str, str], str] = {
    ("logsumexp", "symbolic", "float64", "hessian"): _SOFTMAX,
    ("logsumexp", "symbolic", "float32", "hessian"): _SOFTMAX,
}


def _build(spec):
    if spec.name in ONE:
        given = ONE[spec.name][0]
        if given is not None:
            return given
    elif spec.name in TWO:
        given = TWO[spec.name][0]
        if given is not None:
            return given
    static = {"root": sympy.Integer(3), "polygamma": sympy.Integer(1)}
    args = []
    free = iter([x, y])
    for index in range(spec.arity[0]):
        args.append(static[spec.name] if index in spec.static_args else next(free))
    return BUILDERS[spec.name](*args)


def _expected(value, dtype):
    if isinstance(value, list):
        return [_expected(v, dtype) for v in value]
    value = mp.mpf(value)
    if dtype == "float32":
        with np.errstate(over="ignore", under="ignore"):
            return float(np.float32(float(value)))
    try:
        return float(value)
    except OverflowError:
        return math.copysign(math.inf, value)


def _close(got, want, dtype):
    if math.isinf(want):
        return got == want
    if math.isnan(got):
        return False
    return abs(got - want) <= TOLERANCE[dtype] * abs(want) or (
        abs(want) < FLOOR[dtype] and abs(got) <= FLOOR[dtype]
    )


def _cases():
    for spec in ROWS:
        for dtype in ("float64", "float32"):
            for engine in ("autograd", "symbolic"):
                for kind in ("grad", "hessian"):
                    why = KNOWN.get((spec.name, engine, dtype, kind))
                    marks = [pytest.mark.xfail(reason=why, strict=True)] if why else []
                    yield pytest.param(
                        spec,
                        engine,
                        dtype,
                        kind,
                        marks=marks,
                        id=f"{spec.name}-{engine}-{dtype}-{kind}",
                    )


@pytest.mark.parametrize(("spec", "engine", "dtype", "kind"), list(_cases()))
def test_row_at_extreme_arguments(spec, engine, dtype, kind):
    assert spec.name in ONE or spec.name in TWO, f"add extreme points for {spec.name} to CASES"
    expr = _build(spec)
    if spec.name in ONE:
        _, derivatives, points64, points32 = ONE[spec.name]
        wrt = [x]
    else:
        _, truth, points64, points32 = TWO[spec.name]
        wrt = [x, y]
    points = points64 if dtype == "float64" else points32
    if not points:
        pytest.skip(f"no {dtype} points for {spec.name}")
    if dtype == "float32":
        points = [
            tuple(float(np.float32(v)) for v in p) if isinstance(p, tuple) else float(np.float32(p))
            for p in points
        ]
    array = np.array([p if isinstance(p, tuple) else (p,) for p in points], dtype=np.float64)
    with numeric.make_engine(engine, kind, [expr], wrt, [], dtype=dtype) as run:
        got = run(array).astype(np.float64).reshape(len(points), -1)
    failures = []
    for point, row in zip(points, got, strict=True):
        if spec.name in ONE:
            t = mp.mpf(point)
            want = [_expected(derivatives[0 if kind == "grad" else 1](t), dtype)]
        else:
            want = truth(kind, mp.mpf(point[0]), mp.mpf(point[1]))
            want = [_expected(w, dtype) for w in (want if kind == "grad" else sum(want, []))]
        for g, w in zip(row.tolist(), want, strict=True):
            if not _close(g, w, dtype):
                failures.append((point, g, w))
    assert not failures, failures
