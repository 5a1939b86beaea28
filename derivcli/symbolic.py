"""Derivative matrices and their exact values at a point, with sympy."""

from __future__ import annotations

import re
import time

import mpmath
import sympy

from derivcli import budget, limits, recursion
from derivcli.errors import LimitError
from derivcli.functions import exact_value_builder

KINDS = ("grad", "jacobian", "hessian")


def natural_key(name: str) -> list:
    """Sort key that puts x2 before x10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def free_variables(exprs: list[sympy.Expr]) -> list[sympy.Symbol]:
    """Every free symbol of the expressions, in natural order of their names."""
    with recursion.room_for(exprs, refuse=True):
        symbols = set().union(*(expr.free_symbols for expr in exprs))
    return sorted(symbols, key=lambda s: natural_key(s.name))


def derivative_matrix(kind: str, exprs: list[sympy.Expr], wrt: list[sympy.Symbol]) -> list:
    """The symbolic gradient [n], Jacobian [m][n] or Hessian [n][n] as nested lists."""
    with recursion.room_for(exprs, refuse=True):  # a derivative nests as deep as its expression
        matrix = _derivatives(kind, exprs, wrt)
        for entry in flatten(matrix):
            if entry.has(sympy.Derivative):
                (left,) = list(entry.atoms(sympy.Derivative))[:1]
                from derivcli.errors import InputError

                raise InputError(
                    f"sympy cannot differentiate {to_text(left.expr)} symbolically; "
                    "rewrite that part of the expression"
                )
    return matrix


def _derivatives(kind: str, exprs: list[sympy.Expr], wrt: list[sympy.Symbol]) -> list:
    from derivcli import special

    real = [e.replace(sympy.Abs, special.Abs).replace(sympy.sign, special.sign) for e in exprs]
    matrix = _raw_derivatives(kind, real, wrt)
    return map_nested(
        lambda e: e.replace(special.Abs, sympy.Abs).replace(special.sign, sympy.sign), matrix
    )


def _raw_derivatives(kind: str, exprs: list[sympy.Expr], wrt: list[sympy.Symbol]) -> list:
    if kind == "grad":
        return [_diff(exprs[0], v) for v in wrt]
    if kind == "jacobian":
        return [[_diff(f, v) for v in wrt] for f in exprs]
    if kind == "hessian":
        first = [_diff(exprs[0], v) for v in wrt]
        n = len(wrt)
        hessian = [[None] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                hessian[i][j] = hessian[j][i] = _diff(first[i], wrt[j])
        return hessian
    raise ValueError(f"unknown kind {kind!r}")


def _diff(expr: sympy.Expr, variable: sympy.Symbol) -> sympy.Expr:
    budget.checkpoint()  # a worker thread's budget is held between entries
    return sympy.diff(expr, variable)


def result_shape(kind: str, components: int, variables: int) -> tuple[int, ...]:
    """The shape of a result: grad [n], jacobian [m, n], hessian [n, n]."""
    return {"grad": (variables,), "jacobian": (components, variables)}.get(
        kind, (variables, variables)
    )


def map_nested(fn, nested):
    """Apply fn to every leaf of a nested list."""
    if isinstance(nested, list):
        return [map_nested(fn, item) for item in nested]
    return fn(nested)


def flatten(nested) -> list:
    """Leaves of a nested list, row-major."""
    if isinstance(nested, list):
        return [leaf for item in nested for leaf in flatten(item)]
    return [nested]


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
            except (ValueError, OverflowError, KeyError, MemoryError, RecursionError) as error:
                # ValueError: sympy 1.14's factor cache refuses a composite factor while
                # it simplifies a root of some 700-digit rationals (acos' at x =
                # 8.978515755199881e-234). OverflowError: sympy's assumptions evaluate
                # erfc(1e155) in mpmath (acosh(erfc(x))), and KeyError follows such a
                # failure inside an assumption query. MemoryError and RecursionError:
                # exp's eval asks whether exp(-exp(sinh(3e11))) is comparable, and
                # evalf wants 10^11 bits (measured). A numeric value stands in.
                mpmath.mp.prec = saved
                raise LimitError(f"sympy could not build an exact value: {error!r}"[:200]) from None
        cache[node] = result
        return result

    with recursion.room_for([expr]):
        return rebuild(expr)


def to_float(value: sympy.Expr) -> float | None:
    """The value as a float; None when it is not a real number (complex, undefined)."""
    from derivcli.precision import real_value

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
    from derivcli.precision import too_extreme

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


DISPLAY_SECONDS = 2.0  # simplification for display, all entries together
SIMPLIFY_MIN_OPS = 12  # smaller entries are shown as they are
SHORTEN_OPS = 400  # larger entries are shown shortened in the table


def display_forms(matrix) -> list:
    """Texts for the table: simplified where that is shorter and fits the time budget,
    shortened (with their size) where they are too large to read."""
    from derivcli.errors import LimitError

    deadline = time.monotonic() + DISPLAY_SECONDS
    done: dict[sympy.Basic, str] = {}

    def display(expr: sympy.Expr) -> str:
        if expr in done:
            return done[expr]
        budget.checkpoint()
        shown, ops = expr, sympy.count_ops(expr)
        remaining = deadline - time.monotonic()
        if SIMPLIFY_MIN_OPS < ops <= SHORTEN_OPS and remaining > 0:
            try:
                with budget.time_budget(min(remaining, 0.5), "simplification"):
                    simpler = sympy.simplify(expr)
                if sympy.count_ops(simpler) < ops:
                    shown, ops = simpler, sympy.count_ops(simpler)
            except LimitError:
                pass
        text = to_text(shown)
        if ops > SHORTEN_OPS:
            text = f"{text[:60]}… ({ops:,} operations; --format json shows it in full)"
        done[expr] = text
        return text

    with recursion.room_for(flatten(matrix), refuse=True):
        return map_nested(display, matrix)
