"""Exact values at a point, and sympy expressions as text and as floats."""

from __future__ import annotations

import mpmath
import sympy

from derivcli import limits, recursion
from derivcli.errors import LimitError
from derivcli.symbolic.sympy_functions import exact_value_builder


def exact_at(expr: sympy.Expr, values: dict[sympy.Symbol, sympy.Expr]) -> sympy.Expr:
    """expr with every symbol replaced at once by its exact value.

    The tree is rebuilt bottom-up so that each numeric power is checked by
    limits.checked_pow before sympy builds it.
    """
    cache: dict[sympy.Basic, sympy.Basic] = {}

    def rebuild(node: sympy.Basic) -> sympy.Basic:
        if node in cache:
            return cache[node]
        if node.is_Symbol:
            result = values.get(node, node)
        elif not node.args or not node.free_symbols:
            result = node
        else:
            args = [rebuild(arg) for arg in node.args]
            # polygamma, gamma and loggamma at large rationals are kept unevaluated
            # (loggamma' at 12345.6 took 17 s, as a harmonic sum).
            build = limits.checked_pow if node.is_Pow else exact_value_builder(node) or node.func
            saved = mpmath.mp.prec  # sympy's evalf leaves it raised when it fails
            try:
                result = build(*args)
            except (
                ValueError,
                TypeError,
                AttributeError,
                OverflowError,
                KeyError,
                MemoryError,
                RecursionError,
            ) as error:
                # ValueError: sympy 1.14's factor cache refuses a composite factor while
                # it simplifies a root of some 700-digit rationals (acos' at x =
                # 8.978515755199881e-234). OverflowError: sympy's assumptions evaluate
                # erfc(1e155) in mpmath (acosh(erfc(x))), and KeyError follows such a
                # failure inside an assumption query. MemoryError and RecursionError:
                # exp's eval asks whether exp(-exp(sinh(3e11))) is comparable, and
                # evalf wants 10^11 bits (measured). TypeError: atan's eval at
                # tan(1e109) compares x - k*pi with pi/2 and cannot decide the
                # Relational, and sympy 1.14's cache then fails on that TypeError's
                # lazy message with AttributeError (seen in the property test). A
                # numeric value stands in.
                mpmath.mp.prec = saved
                raise LimitError(f"sympy could not build an exact value: {error!r}"[:200]) from None
        cache[node] = result
        return result

    with recursion.room_for([expr]):
        return rebuild(expr)


def to_float(value: sympy.Expr) -> float | None:
    """The value as a float; None when it is not a real number (complex, undefined)."""
    from derivcli.check.precision import real_value

    real = real_value(value)
    if real is None or mpmath.isnan(real.value):
        return None
    return float(real.value)


def to_text(expr: sympy.Basic) -> str:
    """The expression as text that derivcli parses back."""
    saved = mpmath.mp.prec
    try:
        with recursion.room_for([expr]):
            return _printed(expr)
    except RecursionError:
        mpmath.mp.prec = saved
        from derivcli.errors import LimitError

        raise LimitError("the expression is too deeply nested to print") from None


def _printed(expr: sympy.Basic) -> str:
    from derivcli.check.precision import too_extreme

    saved = mpmath.mp.prec
    try:
        if isinstance(expr, sympy.Basic) and too_extreme(expr):
            # Ordering a sum's terms evaluates them: exp(exp(exp(exp(E)))) + 1 did not
            # print within minutes (mpmath computed ln 2 to millions of digits).
            return sympy.sstr(expr, order="none")
        return sympy.sstr(expr)
    except ValueError:  # an integer too long for Python to print
        return sympy.sstr(expr.evalf(30))
    except (OverflowError, KeyError, ZeroDivisionError, RecursionError):
        # Ordering the terms asks sympy's assumptions, which evaluate numbers in mpmath
        # (erfc(1e155) overflows there): print the terms as they are stored.
        mpmath.mp.prec = saved
        return sympy.sstr(expr, order="none")


def approximate(node: sympy.Basic) -> float:
    """A constant as a float from 30 digits: ±inf beyond float64, nan where it is not
    real or cannot be evaluated in time (the lowering's constants)."""
    from derivcli.check import precision

    if node.has(sympy.nan, sympy.zoo):
        return float("nan")
    if precision.too_extreme(node):
        # An argument beyond 10^1000 (x*exp(exp(exp(exp(10))))): evalf would not return
        # in time, and sympy's sign queries raised OverflowError inside mpmath
        # (measured). Its value is unknown here, as it is to the verdict (unverified).
        return float("nan")
    try:
        number = node.evalf(30)
        value = complex(number)
    except (TypeError, ValueError, RecursionError, MemoryError):
        return float("nan")
    except OverflowError:  # beyond float64 (exp(exp(10))): ±inf by the 30-digit value
        real, imaginary = number.as_real_imag()
        if imaginary != 0 or not real.is_Float:
            return float("nan")
        return float("inf") if real > 0 else float("-inf")
    return value.real if value.imag == 0 else float("nan")
