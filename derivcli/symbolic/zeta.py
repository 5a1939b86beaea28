"""The Riemann zeta function of a real variable and its derivatives, as sympy functions.

sympy's zeta(s).diff(s) is an unevaluated Derivative, which neither exact values nor
the lowering can use: derivcli's ``zeta`` differentiates to ``zetaderiv(1, s)``, and
``zetaderiv(n, s)`` (the n-th derivative, n a static integer as polygamma's order) to
``zetaderiv(n + 1, s)``. zetaderiv's numeric values come from mpmath (its zeta with
the derivative argument; the functional equation below -100 and the sum for large s,
where that is slow), cached as polygamma's (special._CachedValues). Both print under
the names derivcli parses, so printed results parse back.
"""

from __future__ import annotations

import mpmath
import sympy
from sympy import S

from derivcli.symbolic.special import _CachedValues

# Beyond this |s| an integer's closed form (a Bernoulli number times pi^s) is not built:
# its value comes from mpmath; negative even integers are the trivial zeros still.
MAX_ZETA_INTEGER = 1_000
MAX_ZETA_ORDER = 100


def _real_not_one(s) -> bool | None:
    if s.is_extended_real and (s - 1).is_nonzero:
        return True
    return None


class zeta(_CachedValues, sympy.zeta):  # noqa: N801
    """Riemann's zeta(s) of one argument, whose derivative is zetaderiv(1, s)."""

    @classmethod
    def eval(cls, s, a=None):
        if a is None and s.is_Integer and abs(s) > MAX_ZETA_INTEGER:
            return S.Zero if s.is_negative and s.is_even else None
        return super().eval(s, a)

    def fdiff(self, argindex=1):
        if argindex != 1 or len(self.args) != 1:
            raise sympy.ArgumentIndexError(self, argindex)
        return zetaderiv(S.One, self.args[0])

    def _eval_is_extended_real(self):
        return _real_not_one(self.args[0]) if len(self.args) == 1 else None


class _ZetaDerivativeValue(sympy.Function):
    """zetaderiv's value: mpmath's zeta(s, 1, n) at the precision asked for."""

    def _eval_evalf(self, prec):
        n, s = self.args
        number = s.evalf(_digits(prec) + 5)
        if not (number.is_Number and number.is_extended_real and number.is_finite):
            return None
        s = sympy.Float(number)._to_mpmath(prec + 20)
        with mpmath.workprec(prec + 20 + max(0, mpmath.mag(s))):
            value = zeta_derivative_value(int(n), s, prec)
        return sympy.Float(value, precision=prec)


def zeta_derivative_value(n: int, s: mpmath.mpf, prec: int) -> mpmath.mpf:
    """zeta^(n)(s) to prec bits (mpmath's working precision is set higher by the caller).

    mpmath's zeta(s, 1, n) took 5 s at s = -400.5 and did not return in minutes at
    -12345.5 or 10^300: below -100, the functional equation differentiated by mpmath
    (milliseconds at low orders; above -100 mpmath's own is faster: order 31 at -30 took
    0.03 s, the functional equation's over 60 s), and from s = prec on, the sum itself,
    whose terms fall by (k/2)^-s.
    """
    if s < -100:
        return mpmath.diff(_functional_equation, s, n) if n else _functional_equation(s)
    if s >= prec:
        terms = int(2 * 2 ** ((prec + 10) / s)) + 2
        return mpmath.fsum((-mpmath.log(k)) ** n * mpmath.mpf(k) ** -s for k in range(1, terms))
    return mpmath.zeta(s, 1, n)


def _functional_equation(s):
    # zeta(s) = 2^s pi^(s-1) sin(pi s/2) Gamma(1 - s) zeta(1 - s)
    return (
        2**s * mpmath.pi ** (s - 1) * mpmath.sinpi(s / 2) * mpmath.gamma(1 - s) * mpmath.zeta(1 - s)
    )


def _digits(prec: int) -> int:
    return max(1, int(prec * 0.30103))


class zetaderiv(_CachedValues, _ZetaDerivativeValue):  # noqa: N801
    """zetaderiv(n, s), the n-th derivative of Riemann's zeta at s (n a non-negative
    integer): zeta(s) for n = 0, infinite at the pole s = 1."""

    @classmethod
    def eval(cls, n, s):
        if n.is_Integer and n == 0:
            return zeta(s)
        if s is S.One:
            return S.ComplexInfinity
        if s is S.NaN:
            return S.NaN
        if s is S.Infinity:
            return S.Zero
        return None

    def fdiff(self, argindex=2):
        if argindex != 2:
            raise sympy.ArgumentIndexError(self, argindex)
        n, s = self.args
        return zetaderiv(n + 1, s)

    def _eval_is_extended_real(self):
        return _real_not_one(self.args[1])

    def _latex(self, printer):
        n, s = self.args
        order = "'" * int(n) if n.is_Integer and n <= 3 else f"^{{({printer._print(n)})}}"
        return rf"\zeta{order}\left({printer._print(s)}\right)"


def build_zeta(s):
    """zeta(s) as typed: a number stays zeta(number) (exact values print zeta(3), which
    must read back as itself), a variable's zeta is derivcli's differentiable one."""
    if s.free_symbols:
        return zeta(s)
    return zeta(s, evaluate=False)


def build_zetaderiv(n, s):
    """zetaderiv(n, s), the n-th derivative of zeta, for an integer 0 <= n <= MAX_ZETA_ORDER."""
    from derivcli.errors import InputError, LimitError

    if not n.is_Integer or n < 0:
        raise InputError(f"zetaderiv(n, s) needs a non-negative integer order n, not {n}")
    if n > MAX_ZETA_ORDER:
        raise LimitError(f"zetaderiv order {n} is above the limit of {MAX_ZETA_ORDER}")
    if n == 0:
        return build_zeta(s)
    return zetaderiv(n, s)
