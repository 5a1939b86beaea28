"""Bessel functions of orders 0 and 1 for torch, differentiable to any order.

torch.special's bessel_j0/j1/y0/y1 (Cephes) are off by up to 6e-6 relative in float64
between 3 and 10 (measured against mpmath at 7: J1 kept 5 digits), and none of
torch.special's Bessel functions has a derivative. Here:

- J and I through the entire functions L_n(x) = J_n(x)/x^n and M_n(x) = I_n(x)/x^n,
  whose derivatives are L_n' = -x*L_(n+1) and M_n' = x*M_(n+1): an autograd Function
  per n whose backward calls the next, so J1'(0) = 1/2 and J0''(0) = -1/2 come out
  finite and exact (J1/x, in J1' = J0 - J1/x, is 0/0 there). Near 0 (|x| < 20, more
  for high n) their power series is summed in double-double arithmetic, which keeps
  the digits the alternating series of J cancels (a term of 7.6e6 at x = 20) and the
  relative accuracy beside J's zeros; beyond, J0 and J1 by Hankel's asymptotic
  expansion, I0 and I1 from torch's scaled i0e and i1e, and higher orders by forward
  recurrence, which is stable there (n < x).
- Y and K (x > 0; -inf and inf at 0, nan below): Y0' = -Y1, Y1' = Y0 - Y1/x,
  K0' = -K1, K1' = -K0 - K1/x, each differentiable again. Y from its logarithmic
  series (the log term in float64, the series in double-double) or Hankel's
  expansion, K from torch's scaled k0e and k1e (within 4e-16 of mpmath).

Everything is computed in float64 and returned in the argument's dtype.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import torch

from derivcli.numeric.torch_special import _with_derivative

_SERIES_BELOW = 20.0  # the power series below, Hankel's expansion (or i0e) above
_HANKEL_TERMS = 30  # at x >= 20 the terms' smallest is below 1e-17 of the value
_EULER_GAMMA = Fraction("0.57721566490153286060651209008240243104215933593992")
_SPLIT = 134217729.0  # 2^27 + 1, Dekker's splitting constant


# --- double-double arithmetic: a value as hi + lo, |lo| <= ulp(hi)/2 ------------------


def _two_sum(a, b):
    s = a + b
    v = s - a
    return s, (a - (s - v)) + (b - v)


def _split(a):
    c = _SPLIT * a
    hi = c - (c - a)
    return hi, a - hi


def _two_product(a, b):
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _dd_multiply(a, b):
    p, e = _two_product(a[0], b[0])
    return _normalised(p, e + (a[0] * b[1] + a[1] * b[0]))


def _dd_add(a, b):
    s, e = _two_sum(a[0], b[0])
    return _normalised(s, e + a[1] + b[1])


def _normalised(hi, lo):
    s = hi + lo
    return s, lo - (s - hi)


def _dd_constant(value: Fraction) -> tuple[float, float]:
    hi = float(value)
    return hi, float(value - Fraction(hi))


def _horner(coefficients: list[tuple[float, float]], t) -> tuple:
    """sum c_m t^m in double-double, t a double-double tensor pair."""
    hi, lo = coefficients[-1]
    p = (torch.full_like(t[0], hi), torch.full_like(t[0], lo))
    for c_hi, c_lo in reversed(coefficients[:-1]):
        p = _dd_multiply(p, t)
        p = _dd_add(p, (torch.full_like(t[0], c_hi), torch.full_like(t[0], c_lo)))
    return p


def _quarter_square(x, sign: int):
    """sign * x^2/4 as a double-double pair (exact)."""
    hi, lo = _two_product(x, x)
    return sign * hi / 4, sign * lo / 4


# --- power series -------------------------------------------------------------------


def _terms_for(radius: float, n: int) -> int:
    """Terms of sum (r^2/4)^m/(m!(m+n)!) that leave a remainder below 1e-34 of the first."""
    log_q = 2 * math.log(radius / 2) if radius > 0 else -math.inf
    m = 1
    while m * log_q - math.lgamma(m + 1) - math.lgamma(m + n + 1) + math.lgamma(n + 1) > -80:
        m += 1
    return m + 2


@functools.cache
def _scaled_coefficients(n: int, terms: int) -> list[tuple[float, float]]:
    # L_n(x) = sum_m (-x^2/4)^m / (2^n m! (m+n)!); M_n the same with +x^2/4
    return [
        _dd_constant(Fraction(1, 2**n * math.factorial(m) * math.factorial(m + n)))
        for m in range(terms)
    ]


def _series_radius(n: int) -> float:
    return max(_SERIES_BELOW, 1.5 * n)


def _scaled_series(n: int, x, sign: int):
    """L_n (sign -1) or M_n (sign +1) by its power series, as a float64 tensor."""
    radius = float(torch.max(torch.abs(x))) if x.numel() else 0.0
    terms = _terms_for(min(radius, _series_radius(n)), n)
    hi, lo = _horner(_scaled_coefficients(n, terms), _quarter_square(x, sign))
    return hi + lo


# --- Hankel's asymptotic expansion, x >= 20 --------------------------------------


@functools.cache
def _hankel_coefficients(nu: int) -> list[float]:
    # a_k(nu) = (4nu^2 - 1^2)(4nu^2 - 3^2)...(4nu^2 - (2k-1)^2) / (k! 8^k)
    coefficients, a = [], Fraction(1)
    for k in range(_HANKEL_TERMS):
        coefficients.append(float(a))
        a = a * (4 * nu * nu - (2 * k + 1) ** 2) / ((k + 1) * 8)
    return coefficients


def _hankel(nu: int, x):
    """(J_nu(x), Y_nu(x)) for x >= 20 (DLMF 10.17.3, 10.17.4)."""
    a = _hankel_coefficients(nu)
    inverse = 1 / x
    p, q = torch.zeros_like(x), torch.zeros_like(x)
    for k in reversed(range(0, _HANKEL_TERMS, 2)):
        p = p * inverse * inverse + (-1) ** (k // 2) * a[k]
    for k in reversed(range(1, _HANKEL_TERMS, 2)):
        q = q * inverse * inverse + (-1) ** (k // 2) * a[k]
    q = q * inverse
    # omega = x - nu*pi/2 - pi/4, its cosine and sine from x's (torch reduces x exactly)
    c, s = torch.cos(x), torch.sin(x)
    if nu == 0:
        cos_omega, sin_omega = (c + s) / math.sqrt(2), (s - c) / math.sqrt(2)
    else:
        cos_omega, sin_omega = (s - c) / math.sqrt(2), -(s + c) / math.sqrt(2)
    scale = torch.sqrt(2 / (math.pi * x))
    return scale * (p * cos_omega - q * sin_omega), scale * (p * sin_omega + q * cos_omega)


# --- the scaled functions L_n and M_n ------------------------------------------------


def _recurred(n: int, first, second, x, sign: int):
    """Z_n from Z_0, Z_1 by Z_(k+1) = (2k/x) Z_k + sign*Z_(k-1) (J: sign -1, I: +1
    with -(2k/x)), for x where forward recurrence is stable."""
    if n == 0:
        return first
    previous, current = first, second
    for k in range(1, n):
        step = 2 * k / x * current
        following = step - previous if sign < 0 else previous - step
        previous, current = current, following
    return current


def _large_l(n: int, x):
    """L_n(x) = J_n(x)/x^n for x >= 20."""
    return _recurred(n, _hankel(0, x)[0], _hankel(1, x)[0], x, -1) / x**n


def _large_m(n: int, x):
    """M_n(x) = I_n(x)/x^n for x >= 20, from the scaled exp(-x)*I_n (the recurrence is
    linear): exp(x) overflows before I0 does (at 713.98), and I_n before I_n/x^n."""
    scaled = _recurred(n, torch.special.i0e(x), torch.special.i1e(x), x, 1)
    half = torch.exp(x / 2)
    return half * (half * (scaled / x**n))


def _scaled_value(n: int, x, sign: int):
    """L_n(x) (sign -1) or M_n(x) (sign +1), even in x."""
    z = torch.abs(x.to(torch.float64))
    near = z < _series_radius(n)
    series = _scaled_series(n, torch.where(near, z, 0.0), sign)
    far = torch.where(near, 2 * _series_radius(n), z)
    large = (_large_l if sign < 0 else _large_m)(n, far)
    value = torch.where(near, series, large)
    return torch.where(torch.isnan(z), math.nan, value).to(x.dtype)


@functools.cache
def _scaled_function(n: int, sign: int):
    """L_n or M_n with its derivative sign*x*F_(n+1), itself differentiable."""
    return _with_derivative(
        lambda x: _scaled_value(n, x, sign), lambda x: sign * x * _scaled(n + 1, x, sign)
    )


def _scaled(n: int, x, sign: int):
    return _scaled_function(n, sign)(x)


def j0(x: torch.Tensor) -> torch.Tensor:
    """J0(x), the Bessel function of the first kind of order 0."""
    return _scaled(0, x, -1)


def j1(x: torch.Tensor) -> torch.Tensor:
    """J1(x) = x*L_1(x): its derivatives finite and accurate at and near 0."""
    return x * _scaled(1, x, -1)


def i0(x: torch.Tensor) -> torch.Tensor:
    """I0(x), the modified Bessel function of the first kind of order 0."""
    return _scaled(0, x, 1)


def i1(x: torch.Tensor) -> torch.Tensor:
    """I1(x) = x*M_1(x)."""
    return x * _scaled(1, x, 1)


# --- Y and K, for x > 0 -------------------------------------------------------------


def _harmonic(m: int) -> Fraction:
    return sum((Fraction(1, k) for k in range(1, m + 1)), Fraction(0))


@functools.cache
def _y_coefficients(order: int, terms: int) -> list[tuple[float, float]]:
    # Y0 = (2/pi)((log(x/2) + gamma) J0 + sum_(m>=1) (-1)^(m+1) H_m q^m / m!^2),
    # Y1 = (2/pi) log(x/2) J1 - 2/(pi x)
    #      - (x/(2 pi)) sum_m (-1)^m (psi(m+1) + psi(m+2)) q^m / (m! (m+1)!),
    # q = x^2/4, psi(k+1) = H_k - gamma; the alternating signs are in -q.
    if order == 0:
        return [
            _dd_constant(-_harmonic(m) / math.factorial(m) ** 2 if m else Fraction(0))
            for m in range(terms)
        ]
    return [
        _dd_constant(
            (_harmonic(m) + _harmonic(m + 1) - 2 * _EULER_GAMMA)
            / (math.factorial(m) * math.factorial(m + 1))
        )
        for m in range(terms)
    ]


def _small_y(order: int, x):
    radius = float(torch.max(x)) if x.numel() else 0.0
    terms = _terms_for(min(radius, _SERIES_BELOW), order)
    hi, lo = _horner(_y_coefficients(order, terms), _quarter_square(x, -1))
    series = hi + lo
    log_half = torch.log(x / 2)
    if order == 0:
        return 2 / math.pi * ((log_half + float(_EULER_GAMMA)) * _scaled_value(0, x, -1) + series)
    j1_value = x * _scaled_value(1, x, -1)
    return 2 / math.pi * (log_half * j1_value - 1 / x) - x / (2 * math.pi) * series


def _y_value(order: int, x):
    z = x.to(torch.float64)
    near = z < _SERIES_BELOW
    small = _small_y(order, torch.where(near & (z > 0), z, 1.0))
    large = _hankel(order, torch.where(near, 2 * _SERIES_BELOW, z))[1]
    value = torch.where(near, small, large)
    value = torch.where(z == 0, -math.inf, value)
    return torch.where((z < 0) | torch.isnan(z), math.nan, value).to(x.dtype)


def _k_value(order: int, x):
    z = x.to(torch.float64)
    scaled = (
        torch.special.scaled_modified_bessel_k0
        if order == 0
        else torch.special.scaled_modified_bessel_k1
    )
    positive = torch.where(z > 0, z, 1.0)
    half = torch.exp(-positive / 2)  # exp(-x) leaves the normal range before K does
    value = half * (half * scaled(positive))
    value = torch.where(z == 0, math.inf, value)
    return torch.where((z < 0) | torch.isnan(z), math.nan, value).to(x.dtype)


def _y_function(order: int):
    # Y0' = -Y1, Y1' = Y0 - Y1/x
    if order == 0:
        return _with_derivative(lambda x: _y_value(0, x), lambda x: -y1(x))
    return _with_derivative(lambda x: _y_value(1, x), lambda x: y0(x) - y1(x) / x)


def _k_function(order: int):
    # K0' = -K1, K1' = -K0 - K1/x
    if order == 0:
        return _with_derivative(lambda x: _k_value(0, x), lambda x: -k1(x))
    return _with_derivative(lambda x: _k_value(1, x), lambda x: -k0(x) - k1(x) / x)


_Y = [_y_function(0), _y_function(1)]
_K = [_k_function(0), _k_function(1)]


def y0(x: torch.Tensor) -> torch.Tensor:
    """Y0(x), the Bessel function of the second kind of order 0, for x > 0."""
    return _Y[0](x)


def y1(x: torch.Tensor) -> torch.Tensor:
    """Y1(x), for x > 0."""
    return _Y[1](x)


def k0(x: torch.Tensor) -> torch.Tensor:
    """K0(x), the modified Bessel function of the second kind of order 0, for x > 0."""
    return _K[0](x)


def k1(x: torch.Tensor) -> torch.Tensor:
    """K1(x), for x > 0."""
    return _K[1](x)
