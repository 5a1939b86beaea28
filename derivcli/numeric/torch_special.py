"""Special functions for torch whose derivatives are accurate in float64.

torch's own trigamma (the derivative of digamma, used by the Hessian of lgamma and
gamma) is off by up to 1e-9 in float64, measured against mpmath. These versions
route every polygamma of order n >= 1 through the Hurwitz zeta function,
polygamma(n, x) = (-1)^(n+1) n! zeta(n+1, x), which torch computes to 1e-16 and
differentiates itself.
"""

from __future__ import annotations

import math

import torch


def _with_derivative(function, derivative, doc: str | None = None):
    """function as a torch.func-compatible autograd Function whose derivative is given."""

    class _Function(torch.autograd.Function):
        generate_vmap_rule = True

        @staticmethod
        def forward(x):
            return function(x)

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * derivative(x)

    def apply(x):
        # Values only (the symbolic engine runs without grad): no autograd node, whose
        # apply cost 2.3 times the whole evaluation of a tanh/sigmoid/softplus Hessian.
        return _Function.apply(x) if torch.is_grad_enabled() else function(x)

    apply.__doc__ = doc
    return apply


_digamma = _with_derivative(torch.digamma, lambda x: polygamma(1, x))
_lgamma = _with_derivative(torch.lgamma, lambda x: _digamma(x))


def polygamma(n: int, x: torch.Tensor) -> torch.Tensor:
    """The n-th derivative of digamma, differentiable to any order."""
    if n == 0:
        return _digamma(x)
    sign = 1.0 if n % 2 == 1 else -1.0
    return sign * float(math.factorial(n)) * torch.special.zeta(float(n + 1), x)


def lgamma(x: torch.Tensor) -> torch.Tensor:
    """log|Gamma(x)|, with accurate first and second derivatives."""
    return _lgamma(x)


def gamma(x: torch.Tensor) -> torch.Tensor:
    """Gamma(x), also for negative non-integers, where its sign alternates."""
    return _gamma_sign(x) * torch.exp(lgamma(x))


def _sigmoid_slope_value(x):
    # sigmoid(x) * sigmoid(-x): both factors are accurate, so is the product, where
    # sigmoid(x) * (1 - sigmoid(x)) is 0 from x = 37 on (true 8.5e-17).
    return torch.sigmoid(x) * torch.sigmoid(-x)


_sigmoid_slope = _with_derivative(
    _sigmoid_slope_value, lambda x: -_sigmoid_slope(x) * torch.tanh(x / 2)
)
sigmoid = _with_derivative(
    torch.sigmoid,
    lambda x: _sigmoid_slope(x),
    "1/(1 + exp(-x)), whose first and second derivatives keep their relative accuracy "
    "at large |x| (torch's backward, s*(1 - s), is 0 from x = 37 on).",
)


def _softplus_value(x):
    # log(1 + exp(x)) without torch's threshold (softplus returns x above 20).
    return torch.clamp(x, min=0) + torch.log1p(torch.exp(-torch.abs(x)))


softplus = _with_derivative(
    _softplus_value,
    lambda x: sigmoid(x),
    "log(1 + exp(x)) at every x, differentiable twice with accurate derivatives.",
)


# Taylor coefficients of sin(x)/x in x^2, to x^24, used for |x| < 1 (truncation error
# below 1/27!, 1e-28). Above, autograd's second derivative of the quotient is within
# 7e-16 of mpmath (measured at |x| from 1 to 1.5).
_SINC_SERIES = [(-1) ** k / math.factorial(2 * k + 1) for k in range(13)]


def sinc(x: torch.Tensor) -> torch.Tensor:
    """sin(x)/x, 1 at 0, with accurate first and second derivatives near 0."""
    small = torch.abs(x) < 1
    # The double where keeps the quotient's nan and inf at 0 out of the gradients.
    safe = torch.where(small, torch.ones_like(x), x)
    x2 = x * x
    series = torch.full_like(x, _SINC_SERIES[-1])
    for coefficient in reversed(_SINC_SERIES[:-1]):
        series = series * x2 + coefficient
    return torch.where(small, series, torch.sin(safe) / safe)


def _unit_value(a, b):
    return a / torch.hypot(a, b)


class _Unit(torch.autograd.Function):
    """a/hypot(a, b), differentiated in scaled form: a^2 + b^2 overflows from 1.3e154."""

    generate_vmap_rule = True

    @staticmethod
    def forward(a, b):
        return _unit_value(a, b)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        h = torch.hypot(a, b)
        ua, ub = a / h, b / h
        return grad * ub * ub / h, -grad * ua * ub / h


class _Hypot(torch.autograd.Function):
    generate_vmap_rule = True

    @staticmethod
    def forward(a, b):
        return torch.hypot(a, b)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * _Unit.apply(a, b), grad * _Unit.apply(b, a)


class _Atan2(torch.autograd.Function):
    generate_vmap_rule = True

    @staticmethod
    def forward(y, x):
        return torch.atan2(y, x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        h = _Hypot.apply(y, x)
        return grad * _Unit.apply(x, y) / h, -grad * _Unit.apply(y, x) / h


def hypot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """sqrt(a^2 + b^2) without overflow or underflow, in value and first two derivatives."""
    return _Hypot.apply(a, b) if torch.is_grad_enabled() else torch.hypot(a, b)


def atan2(y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The angle of (x, y); its derivatives x/(x^2 + y^2) are computed as (x/h)/h."""
    return _Atan2.apply(y, x) if torch.is_grad_enabled() else torch.atan2(y, x)


def _sech_value(x):
    return 1 / torch.cosh(x)


# tanh' = 1 - tanh^2 in torch's backward, 0 from x = 19 on (true 1e-16): sech^2 instead.
sech = _with_derivative(
    _sech_value,
    lambda x: -sech(x) * tanh(x),
    "1/cosh(x), whose derivative -sech*tanh does not overflow (-sinh/cosh^2 did at 400).",
)
tanh = _with_derivative(
    torch.tanh,
    lambda x: sech(x) ** 2,
    "tanh(x), with its derivative sech(x)^2 accurate where tanh(x) rounds to +-1.",
)
csch = _with_derivative(
    lambda x: 1 / torch.sinh(x),
    lambda x: -csch(x) * coth(x),
    "1/sinh(x), whose derivative -csch*coth does not overflow.",
)


def coth(x: torch.Tensor) -> torch.Tensor:
    """1/tanh(x)."""
    return 1 / tanh(x)


def _one_minus_square_rsqrt_value(x):
    # 1/sqrt(1 - x^2) as a product: 1 - x and 1 + x are exact near +-1, 1 - x*x is not.
    return torch.rsqrt(1 - x) * torch.rsqrt(1 + x)


# Each slope's own derivative is given in closed form: autograd of the product
# differences two terms near 0 (asin'' at 1e-8 was off by 2e-8, relative).
_one_minus_square_rsqrt = _with_derivative(
    _one_minus_square_rsqrt_value, lambda x: x * _one_minus_square_rsqrt(x) ** 3
)
_atanh_slope = _with_derivative(
    lambda x: 1 / ((1 - x) * (1 + x)), lambda x: 2 * x * _atanh_slope(x) ** 2
)
_NEAR_ONE = "with derivatives that keep their accuracy near +-1."
asin = _with_derivative(torch.asin, lambda x: _one_minus_square_rsqrt(x), f"asin(x), {_NEAR_ONE}")
acos = _with_derivative(torch.acos, lambda x: -_one_minus_square_rsqrt(x), f"acos(x), {_NEAR_ONE}")
atanh = _with_derivative(torch.atanh, lambda x: _atanh_slope(x), f"atanh(x), {_NEAR_ONE}")
acosh = _with_derivative(
    torch.acosh,
    lambda x: torch.rsqrt(x - 1) * torch.rsqrt(x + 1),
    "acosh(x), with derivatives that keep their accuracy near 1 and do not overflow.",
)
# atan' = 1/(1 + x^2) as 1/hypot(x, 1)^2: (1 + x^2)^2 in atan'' overflows from 1e77.
atan = _with_derivative(
    torch.atan,
    lambda x: hypot(x, torch.ones_like(x)) ** -2,
    "atan(x), whose second derivative does not overflow at large x.",
)
csc = _with_derivative(
    lambda x: 1 / torch.sin(x),
    lambda x: -csc(x) * cot(x),
    "1/sin(x), differentiable near its poles.",
)
# cot' = -csc^2, where autograd of 1/tan gives -(1 + tan^2)/tan^2 = nan at 1e-300.
cot = _with_derivative(
    lambda x: 1 / torch.tan(x), lambda x: -(csc(x) ** 2), "1/tan(x), differentiable near its poles."
)


def acot(x: torch.Tensor) -> torch.Tensor:
    """sympy's acot: atan(1/x), pi/2 at 0, differentiable at tiny and huge x.

    atan(1/x) alone differentiates to 0*inf = nan at 1e-300; pi/2*sign(x) - atan(x)
    cancels at large x. Each is used where it is accurate.
    """
    small = torch.abs(x) < 1
    safe = torch.where(small, torch.ones_like(x), x)
    half_pi = torch.full_like(x, math.pi / 2)
    near = torch.where(x < 0, -half_pi, half_pi) - torch.atan(x)
    return torch.where(small, near, torch.atan(1 / safe))


class _OfStacked(torch.autograd.Function):
    """A function of the arguments stacked in the first dimension, which its backward
    reads again."""

    generate_vmap_rule = True

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])


class _Softmax(_OfStacked):
    """The softmax over the first dimension, whose derivative s_i (delta_ij - s_j) is
    formed as s_j * sum_i s_i (v_j - v_i): 1 - s_j, which cancels where s_j is near 1
    (logaddexp(x, 0)'' at 30 kept 2 digits), is never computed."""

    @staticmethod
    def forward(stacked):
        return torch.softmax(stacked, dim=0)

    @staticmethod
    def backward(ctx, grad):
        (stacked,) = ctx.saved_tensors
        s = _Softmax.apply(stacked)  # differentiable again, for higher orders
        differences = grad.unsqueeze(1) - grad.unsqueeze(0)  # [j, i]: v_j - v_i
        return s * (differences * s.unsqueeze(0)).sum(dim=1)


class _LogSumExp(_OfStacked):
    @staticmethod
    def forward(stacked):
        return torch.logsumexp(stacked, dim=0)

    @staticmethod
    def backward(ctx, grad):
        (stacked,) = ctx.saved_tensors
        return grad.unsqueeze(0) * _Softmax.apply(stacked)


def logsumexp(*xs: torch.Tensor) -> torch.Tensor:
    """log(exp(x1) + ... + exp(xn)) without overflow; its gradient is the softmax, and
    its second derivatives s_i (delta_ij - s_j) keep their digits."""
    stacked = torch.stack(torch.broadcast_tensors(*xs))
    if torch.is_grad_enabled():
        return _LogSumExp.apply(stacked)
    return torch.logsumexp(stacked, dim=0)


def _gamma_sign(x: torch.Tensor) -> torch.Tensor:
    """The sign of Gamma(x): -1 on (-1, 0), (-3, -2), ..., 1 elsewhere."""
    negative = (x < 0) & (torch.remainder(torch.floor(x), 2) == 1)
    return torch.where(negative, -1.0, 1.0).to(x.dtype)


def beta(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Gamma(x)*Gamma(y)/Gamma(x + y) through loggamma: no overflow where the gammas would."""
    sign = _gamma_sign(x) * _gamma_sign(y) * _gamma_sign(x + y)
    return sign * torch.exp(lgamma(x) + lgamma(y) - lgamma(x + y))


_INVERSE_E = math.exp(-1)
# W's series at the branch point -1/e in p = sqrt(2(e*x + 1)), to p^6 (DLMF 4.13.6).
_BRANCH_SERIES = [-1.0, 1.0, -1 / 3, 11 / 72, -43 / 540, 769 / 17280, -221 / 8505]


def _lambertw_value(x: torch.Tensor) -> torch.Tensor:
    # In float64 for any dtype: Halley's iteration from a start that is already close,
    # on f(w) = w - x*exp(-w), which neither overflows nor underflows for x up to
    # float64's largest; nan below -1/e.
    z = x.to(torch.float64)
    p = torch.sqrt(torch.clamp(2 * (math.e * z + 1), min=0))
    near_branch = torch.zeros_like(z)
    for coefficient in reversed(_BRANCH_SERIES):
        near_branch = near_branch * p + coefficient
    large = torch.clamp(z, min=3.0)
    log_large = torch.log(large)
    w = torch.where(
        z < -0.25, near_branch, torch.where(z < 3, torch.log1p(torch.clamp(z, min=-0.25)), 0.0)
    )
    w = torch.where(z >= 3, log_large - torch.log(log_large), w)
    for _ in range(6):
        scaled = z * torch.exp(-w)  # w*exp(w) = x: scaled is w at the root
        f = w - scaled
        slope = 1 + scaled
        denominator = 2 * slope * slope + f * scaled
        step = torch.where(denominator != 0, 2 * f * slope / denominator, 0.0)
        w = w - step
    w = torch.where(z == -_INVERSE_E, -1.0, w)
    w = torch.where((z < -_INVERSE_E) | torch.isnan(z), math.nan, w)
    w = torch.where(torch.isinf(z) & (z > 0), math.inf, w)
    return w.to(x.dtype)


lambertw = _with_derivative(
    _lambertw_value,
    lambda x: 1 / (x + torch.exp(lambertw(x))),
    "Lambert W's principal branch, for x >= -1/e (torch has none): Halley's iteration, "
    "with the derivative 1/(x + exp(W)), itself differentiable.",
)

# torch's backward of expm1 is 1 + expm1(x), which cancels for negative x (at -30 it
# kept 4 digits in float64, none in float32): exp(x) instead.
expm1 = _with_derivative(
    torch.expm1, torch.exp, "exp(x) - 1, whose derivative exp(x) keeps its digits at x < 0."
)
