"""Riemann's zeta of a real variable and its derivatives in torch, to any order.

torch.special.zeta(x, q) is Hurwitz's zeta, differentiable in q only and nan for
x < 1: derivcli computes zeta^(k)(s) itself, in float64 for any dtype, as a jet (the
derivatives of orders 0..k at once) of one of two forms:

- s >= -1: Euler–Maclaurin summation, zeta(s) = sum_{n<N} n^-s + N^(1-s)/(s - 1)
  + N^-s/2 + sum_j B_2j/(2j)! s(s+1)...(s+2j-2) N^(-s-2j+1), each term differentiated
  in closed form. The pole term keeps its digits beside s = 1, where the value is huge
  but ordinary; at s = -1 the sum loses about 3 of its 16 digits to cancellation.
- s < -1: the functional equation zeta(s) = 2^s pi^(s-1) sin(pi s/2) Gamma(1-s)
  zeta(1-s), by Leibniz's rule, with 2^s pi^(s-1) Gamma(1-s) as one exponential (no
  overflow where Gamma alone would) and sin(pi s/2) exactly 0 at the trivial zeros
  (s = -2, -4, ...), where the value is exactly 0 and its derivative is not.

zeta_derivative(k, s) is an autograd Function whose backward is zeta_derivative(k + 1,
s), so autograd differentiates it to any order and the lowering of zetaderiv(k, s)
is the same function.
"""

from __future__ import annotations

import functools
import math

import torch

from derivcli.numeric import torch_special

_TERMS = 16  # N: the terms summed directly
_CORRECTIONS = 8  # j: the Euler–Maclaurin terms beyond the integral and the half term
_REFLECT_BELOW = -1.0
# Beyond this s every term past n = 1 underflows: the correction terms' polynomial in s
# is evaluated here instead (it would overflow, times a power that is 0).
_LARGEST = 1e3
# B_2j / (2j)!, j = 1.._CORRECTIONS
_BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510]
_CORRECTION_COEFFICIENTS = [
    b / math.factorial(2 * j) for j, b in enumerate(_BERNOULLI[:_CORRECTIONS], start=1)
]


def _times(f: list, g: list) -> list:
    """The jet of f*g from the jets of f and g (Leibniz's rule)."""
    return [
        sum(float(math.comb(m, i)) * f[i] * g[m - i] for i in range(m + 1)) for m in range(len(f))
    ]


def _power_jet(base: int, exponent: torch.Tensor, order: int) -> list:
    """The jet in s of base^exponent where exponent = c - s: (-log base)^m base^exponent
    (a power, which is within an ulp where exp(exponent*log(base)) lost 14 digits at
    s = 1000)."""
    value = torch.pow(float(base), exponent)
    log_base = math.log(base)
    return [(-log_base) ** m * value for m in range(order + 1)]


def _euler_maclaurin(s: torch.Tensor, order: int) -> list:
    """zeta's jet at s >= -1 (float64)."""
    jet = [torch.ones_like(s) if m == 0 else torch.zeros_like(s) for m in range(order + 1)]
    for n in range(2, _TERMS):
        for m, term in enumerate(_power_jet(n, -s, order)):
            jet[m] = jet[m] + term
    c = torch.clamp(s, max=_LARGEST)
    u = c - 1
    reciprocal = [(-1) ** m * float(math.factorial(m)) / u ** (m + 1) for m in range(order + 1)]
    pole = _times(_power_jet(_TERMS, -u, order), reciprocal)
    half = [term / 2 for term in _power_jet(_TERMS, -c, order)]
    corrections = [torch.zeros_like(s) for _ in range(order + 1)]
    rising = [torch.ones_like(s)] + [torch.zeros_like(s)] * order  # s(s+1)...(s+2j-2)
    for j, coefficient in enumerate(_CORRECTION_COEFFICIENTS, start=1):
        for i in range(2 * j - 3 if j > 1 else 0, 2 * j - 1):
            factor = [c + i, torch.ones_like(s)] + [torch.zeros_like(s)] * (order - 1)
            rising = _times(rising, factor[: order + 1])
        term = _times(rising, _power_jet(_TERMS, -c - (2 * j - 1), order))
        corrections = [total + coefficient * t for total, t in zip(corrections, term, strict=True)]
    return [a + b + d + e for a, b, d, e in zip(jet, pole, half, corrections, strict=True)]


def _sin_half_pi(s: torch.Tensor, m: int) -> torch.Tensor:
    """sin(pi*(s + m)/2): exactly 0 where s + m is an even integer, and right where
    s + m would round to s (|s| > 2^53, where every float is an even integer)."""
    r = s / 2 - 2 * torch.round(s / 4) + m / 2  # s/2 modulo 2, exactly, plus m/2
    r = r - 2 * torch.round(r / 2)  # in [-1, 1]
    r = torch.where(r > 0.5, 1 - r, torch.where(r < -0.5, -1 - r, r))
    return torch.sin(math.pi * r)


def _functional_equation(s: torch.Tensor, order: int) -> torch.Tensor:
    """zeta^(order) at s < -1 (float64), from zeta's jet at 1 - s > 2. The exponential
    of h = log(2^s pi^(s-1) Gamma(1-s)) is factored out and multiplied in last, as
    exp(h + log|rest|): neither overflows before the value itself does (|zeta(-400.5)|
    is 6e549; Gamma(401.5) alone is inf in float64)."""
    x = 1 - s
    log_two_pi = math.log(2 * math.pi)
    slopes = [log_two_pi - torch_special.polygamma(0, x)]  # h', h'', ... in s
    slopes += [(-1) ** m * torch_special.polygamma(m - 1, x) for m in range(2, order + 1)]
    scaled = [torch.ones_like(s)]  # (e^h)^(n) / e^h: (e^h)' = h' e^h, differentiated
    for n in range(order):
        scaled.append(sum(float(math.comb(n, i)) * slopes[i] * scaled[n - i] for i in range(n + 1)))
    sine = [(math.pi / 2) ** m * _sin_half_pi(s, m) for m in range(order + 1)]
    reflected = [(-1) ** m * d for m, d in enumerate(_euler_maclaurin(x, order))]
    rest = _times(_times(scaled, sine), reflected)[order]
    h = s * log_two_pi - math.log(math.pi) + torch_special.lgamma(x)
    magnitude = torch.exp(h + torch.log(torch.abs(rest)))
    return torch.where(rest == 0, 0.0, torch.sign(rest) * magnitude)


def _value(order: int, s: torch.Tensor) -> torch.Tensor:
    """zeta^(order)(s), computed in float64 and returned in s's dtype."""
    with torch.no_grad():
        z = s.detach().to(torch.float64)
        reflect = z < _REFLECT_BELOW
        direct = _euler_maclaurin(torch.where(reflect, 0.0, z), order)[order]
        mirrored = _functional_equation(torch.where(reflect, z, -2.0), order)
        return torch.where(reflect, mirrored, direct).to(s.dtype)


@functools.cache
def _derivative_function(order: int):
    return torch_special._with_derivative(
        functools.partial(_value, order),
        lambda s: _derivative_function(order + 1)(s),
        f"zeta's derivative of order {order}, differentiable again.",
    )


def zeta_derivative(order: int, s: torch.Tensor) -> torch.Tensor:
    """The order-th derivative of Riemann's zeta at real s, differentiable to any order."""
    return _derivative_function(order)(s)


def zeta(s: torch.Tensor) -> torch.Tensor:
    """Riemann's zeta at real s (s != 1), differentiable to any order."""
    return zeta_derivative(0, s)
