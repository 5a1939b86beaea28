"""sympy functions for real calculus that sympy lacks or differentiates unhelpfully.

Each class prints under the name derivcli parses, so printed results parse back.
"""

from __future__ import annotations

import functools

import sympy
from sympy import S
from sympy.codegen import cfunctions
from sympy.core.logic import fuzzy_and

from derivcli import limits


class floor(sympy.floor):  # noqa: N801 - printed name is the user-facing name
    """floor(x), whose derivative is 0 away from the integers (sympy leaves it unevaluated)."""

    def fdiff(self, argindex=1):
        return S.Zero


class ceiling(sympy.ceiling):  # noqa: N801
    """ceiling(x), whose derivative is 0 away from the integers."""

    def fdiff(self, argindex=1):
        return S.Zero


class root(sympy.Function):  # noqa: N801
    """The real n-th root for odd n: root(-8, 3) = -2 (sympy's x**(1/3) is complex there)."""

    nargs = 2

    @classmethod
    def eval(cls, x, n):
        if x.is_Number and n.is_Integer:
            limits.check_root(x, 1 / n)
            if x.is_negative:
                return -sympy.root(-x, n)
            return sympy.root(x, n)
        return None

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise sympy.ArgumentIndexError(self, argindex)
        x, n = self.args
        return 1 / (n * root(x, n) ** (n - 1))

    def _eval_is_extended_real(self):
        return self.args[0].is_extended_real

    def _eval_evalf(self, prec):
        x, n = self.args
        value = sympy.Abs(x)._eval_evalf(prec) if x.is_number else None
        if value is None:
            return None
        magnitude = sympy.Pow(value, 1 / sympy.Float(n, prec)).evalf(prec)
        return -magnitude if x.is_negative else magnitude


def cbrt(x):
    """The real cube root."""
    return root(x, sympy.Integer(3))


class sigmoid(sympy.Function):  # noqa: N801
    """The logistic function 1/(1 + exp(-x))."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_Number:
            return 1 / (1 + sympy.exp(-x))
        return None

    def fdiff(self, argindex=1):
        # sigmoid*(1 - sigmoid) cancels to 0 from x = 37 on (true 8.5e-17), and
        # sigmoid(x)*sigmoid(-x) differentiates into a difference that loses 8 digits
        # near 0; sech(x/2)^2/4 and its derivative -tanh(x/2)*sech(x/2)^2/4 lose none.
        half = self.args[0] / 2
        return sympy.sech(half) ** 2 / 4

    def _eval_is_extended_real(self):
        return self.args[0].is_extended_real

    def _eval_evalf(self, prec):
        return (1 / (1 + sympy.exp(-self.args[0])))._eval_evalf(prec)


class softplus(sympy.Function):  # noqa: N801
    """log(1 + exp(x)), whose derivative is sigmoid(x)."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_Number:
            return sympy.log(1 + sympy.exp(x))
        return None

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_is_extended_real(self):
        return self.args[0].is_extended_real

    def _eval_evalf(self, prec):
        return sympy.log(1 + sympy.exp(self.args[0]))._eval_evalf(prec)


class Abs(sympy.Abs):  # noqa: N801
    """|x| for real calculus: d|u|/dx = sign(u)*du/dx, also where sympy cannot tell u is real.

    Used only while differentiating (see symbolic.Derivatives): expressions keep
    sympy's own Abs, so that terms built by sympy (sqrt(x**2) is Abs(x)) still cancel.
    """

    def _eval_derivative(self, x):
        return sympy.diff(self.args[0], x) * sign(self.args[0])


class sign(sympy.sign):  # noqa: N801
    """sign(x) for real calculus: d sign(u)/dx = 2*DiracDelta(u)*du/dx."""

    def _eval_derivative(self, x):
        return 2 * sympy.DiracDelta(self.args[0]) * sympy.diff(self.args[0], x)


# sympy decides whether acos(x) is 0 by evaluating it at about 7 bits, where x = 1 -
# 1.4e-7 rounds to 1 and acos to an exact 0: exp(-acos(x)^2) then became 1 in an exact
# value (erf(acos(x))' at 0.9999998627552429 was 2.7e-7 off). Exact values rebuild these
# functions at rational arguments with the answers decided exactly.


def _inherited_is_zero(node):
    rule = getattr(super(type(node), node), "_eval_is_zero", None)
    return None if rule is None else rule()


class acos(sympy.acos):  # noqa: N801
    """acos, whose sign at a rational argument is decided exactly (0 only at 1)."""

    def _eval_is_zero(self):
        x = self.args[0]
        return bool(x == 1) if x.is_Rational and abs(x) <= 1 else _inherited_is_zero(self)

    def _eval_is_extended_positive(self):
        x = self.args[0]
        if x.is_Rational and abs(x) <= 1:
            return bool(x < 1)
        return None


class acosh(sympy.acosh):  # noqa: N801
    """acosh, whose sign at a rational argument is decided exactly (0 only at 1)."""

    def _eval_is_zero(self):
        x = self.args[0]
        return bool(x == 1) if x.is_Rational and x >= 1 else _inherited_is_zero(self)

    def _eval_is_extended_positive(self):
        x = self.args[0]
        return bool(x > 1) if x.is_Rational and x >= 1 else None


class asec(sympy.asec):  # noqa: N801
    """asec, whose sign at a rational argument is decided exactly (0 only at 1)."""

    def _eval_is_zero(self):
        x = self.args[0]
        return bool(x == 1) if x.is_Rational and abs(x) >= 1 else _inherited_is_zero(self)

    def _eval_is_extended_positive(self):
        x = self.args[0]
        return bool(x != 1) if x.is_Rational and abs(x) >= 1 else None


EXACT_CLASSES = {sympy.acos: acos, sympy.acosh: acosh, sympy.asec: asec}


class log1p(cfunctions.log1p):  # noqa: N801
    """log(1 + x), real for x > -1 (sympy's own does not say so)."""

    def _eval_is_extended_real(self):
        return (self.args[0] + 1).is_extended_positive


class expm1(cfunctions.expm1):  # noqa: N801
    """exp(x) - 1, real for real x."""

    def _eval_is_extended_real(self):
        return self.args[0].is_extended_real


class logsumexp(sympy.Function):  # noqa: N801
    """log(exp(x1) + ... + exp(xn)): logaddexp for two arguments."""

    @classmethod
    def eval(cls, *args):
        if all(arg.is_Number for arg in args):
            return sympy.log(sympy.Add(*(sympy.exp(arg) for arg in args)))
        return None

    def fdiff(self, argindex=1):
        # exp(x_i - logsumexp): the softmax, which neither overflows nor cancels in torch
        return sympy.exp(self.args[argindex - 1] - self)

    def _eval_is_extended_real(self):
        return fuzzy_and(arg.is_extended_real for arg in self.args)

    def _eval_evalf(self, prec):
        return sympy.log(sympy.Add(*(sympy.exp(arg) for arg in self.args)))._eval_evalf(prec)


class erfinv(sympy.erfinv):  # noqa: N801
    """The inverse error function, nan outside [-1, 1] (mpmath raises there)."""

    @classmethod
    def eval(cls, x):
        if x.is_Number and abs(x) > 1:
            return S.NaN
        return super().eval(x)

    def _eval_evalf(self, prec):
        x = self.args[0]
        if x.is_number and (abs(x) > 1) is S.true:
            return S.NaN
        return super()._eval_evalf(prec)

    def _eval_is_extended_real(self):
        x = self.args[0]
        return fuzzy_and([x.is_extended_real, (1 - abs(x)).is_extended_nonnegative])


class _CachedValues:
    """A mixin for sympy functions whose numeric values are cached: the derivatives'
    exact values repeat the same few nodes thousands of times, and evalf does not share
    the work (a Taylor polynomial of order 4 made 19,700 calls of mpmath's lambertw,
    60 s; beta's spent 25 s in mpmath's psi)."""

    def _eval_evalf(self, prec):
        return _cached_evalf(self, prec)


@functools.lru_cache(maxsize=8192)
def _cached_evalf(node, prec: int):
    return super(_CachedValues, node)._eval_evalf(prec)


_BELOW_BRANCH = sympy.Rational(-37, 100)  # below -1/e = -0.3678...


class LambertW(_CachedValues, sympy.LambertW):  # noqa: N801
    """The principal branch W(x), whose derivative 1/(x + exp(W(x))) is 1 at 0 (sympy's
    W/(x*(1 + W)) is 0/0 there)."""

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise sympy.ArgumentIndexError(self, argindex)
        return 1 / (self.args[0] + sympy.exp(self))

    def _eval_is_extended_real(self):
        # decided at a rational without sympy's numeric test of x + 1/e, which the
        # exact values of a Taylor polynomial repeated 34,000 times
        x = self.args[0]
        if x.is_Rational and len(self.args) == 1 and (x >= 0 or x <= _BELOW_BRANCH):
            return bool(x >= 0)
        return super()._eval_is_extended_real()


class polygamma(_CachedValues, sympy.polygamma):  # noqa: N801
    """sympy's polygamma at a number, with cached values: exact values rebuild polygamma
    nodes as these (sympy_functions.exact_value_builder)."""


class beta(_CachedValues, sympy.beta):  # noqa: N801
    """The Beta function, with cached values, and whose
    derivatives hold this class (sympy's build sympy's beta, which does not cancel)."""

    def fdiff(self, argindex):
        x, y = self.args
        if argindex not in (1, 2):
            raise sympy.ArgumentIndexError(self, argindex)
        own = x if argindex == 1 else y
        return self * (sympy.polygamma(0, own) - sympy.polygamma(0, x + y))
