"""Bessel functions of orders 0 and 1 as sympy functions of one argument, printed under
derivcli's names (j0(x), y1(x), ...), so printed results parse back.

Their derivatives stay in orders 0 and 1 (J1' = J0 - J1/x, not sympy's (J0 - J2)/2,
whose higher orders torch would reach by a recurrence that cancels near 0); values,
series and limits are sympy's besselj, bessely, besseli and besselk of the same order
(mpmath's values, cached: derivatives' exact values repeat the same nodes).
"""

from __future__ import annotations

import sympy
from sympy import S

from derivcli.symbolic.special import _CachedValues


class _Bessel(_CachedValues, sympy.Function):
    nargs = 1
    family: type  # sympy's class of the same kind
    order: int
    positive_only = False  # Y and K: real for x > 0 only

    @classmethod
    def eval(cls, x):
        if x.is_Number and x.is_zero and cls.positive_only:
            # the limit from inside the domain x > 0 (sympy's Y1(0) and K1(0) are zoo)
            return S.NegativeInfinity if cls.family is sympy.bessely else S.Infinity
        if x.is_Number and (x.is_zero or x.is_infinite):
            return cls.family(cls.order, x)  # 1, 0 or 0 at oo: a number
        return None

    def standard(self) -> sympy.Expr:
        """sympy's own function of the same kind and order."""
        return self.family(self.order, self.args[0])

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise sympy.ArgumentIndexError(self, argindex)
        return _DERIVATIVES[type(self)](self.args[0])

    def _eval_evalf(self, prec):
        return self.standard()._eval_evalf(prec)

    def _eval_is_extended_real(self):
        x = self.args[0]
        return x.is_extended_positive if self.positive_only else x.is_extended_real

    def _eval_nseries(self, x, n, logx, cdir=0):
        # sympy's besselj series drops terms in sums: the leading term of
        # J1/x^2 - (J0 - J1/x)/x came out 1/x (it is x/8), and J1''(0)'s limit oo
        power_series = self._power_series(x, n // 2 + 2)
        if power_series is None:
            return self.standard()._eval_nseries(x, n, logx, cdir)
        return power_series.nseries(x, n=n, logx=logx, cdir=cdir)

    def _eval_as_leading_term(self, x, logx=None, cdir=0):
        power_series = self._power_series(x, 1)
        if power_series is None:
            return self.standard().as_leading_term(x, logx=logx, cdir=cdir)
        return power_series.as_leading_term(x, logx=logx, cdir=cdir)

    def _power_series(self, x, terms: int) -> sympy.Expr | None:
        """J's or I's first terms of sum (-+1)^m (z/2)^(2m+n)/(m!(m+n)!) in the
        argument z, where z vanishes at x = 0 (None otherwise, and for Y and K)."""
        z = self.args[0]
        if self.positive_only or z.subs(x, 0) != 0:
            return None
        sign = -1 if self.family is sympy.besselj else 1
        return sympy.Add(
            *(
                sympy.Integer(sign) ** m
                * (z / 2) ** (2 * m + self.order)
                / (sympy.factorial(m) * sympy.factorial(m + self.order))
                for m in range(terms)
            )
        )

    def _eval_rewrite_as_besselj(self, x, **kwargs):
        return self.standard()

    def _latex(self, printer):
        letter = type(self).__name__[0].upper()
        return rf"{letter}_{{{self.order}}}\left({printer._print(self.args[0])}\right)"


def _row(name: str, family: type, positive_only: bool, doc: str) -> type:
    """The class of a row: name's digit is its order."""
    attributes = {"family": family, "order": int(name[1]), "positive_only": positive_only}
    return type(name, (_Bessel,), {**attributes, "__doc__": doc, "__module__": __name__})


_FIRST, _SECOND = "of the first kind of order", "of the second kind of order"
j0 = _row("j0", sympy.besselj, False, f"J0(x), the Bessel function {_FIRST} 0.")
j1 = _row("j1", sympy.besselj, False, f"J1(x), the Bessel function {_FIRST} 1.")
y0 = _row("y0", sympy.bessely, True, f"Y0(x), the Bessel function {_SECOND} 0, for x > 0.")
y1 = _row("y1", sympy.bessely, True, f"Y1(x), the Bessel function {_SECOND} 1, for x > 0.")
i0 = _row("i0", sympy.besseli, False, f"I0(x), the modified Bessel function {_FIRST} 0.")
i1 = _row("i1", sympy.besseli, False, f"I1(x), the modified Bessel function {_FIRST} 1.")
k0 = _row("k0", sympy.besselk, True, f"K0(x), the modified Bessel function {_SECOND} 0, x > 0.")
k1 = _row("k1", sympy.besselk, True, f"K1(x), the modified Bessel function {_SECOND} 1, x > 0.")

# Each derivative in orders 0 and 1 (DLMF 10.6.2, 10.29.2).
_DERIVATIVES = {
    j0: lambda x: -j1(x),
    j1: lambda x: j0(x) - j1(x) / x,
    y0: lambda x: -y1(x),
    y1: lambda x: y0(x) - y1(x) / x,
    i0: lambda x: i1(x),
    i1: lambda x: i0(x) - i1(x) / x,
    k0: lambda x: -k1(x),
    k1: lambda x: -k0(x) - k1(x) / x,
}


CLASSES: dict[str, type] = {cls.__name__: cls for cls in (j0, j1, y0, y1, i0, i1, k0, k1)}
