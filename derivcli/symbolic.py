"""Derivative matrices and their exact values at a point, with sympy."""

from __future__ import annotations

import re
import time

import mpmath
import sympy

from derivcli import budget, limits, recursion
from derivcli.errors import LimitError
from derivcli.nested import flatten, map_nested
from derivcli.sympy_functions import exact_value_builder


def natural_key(name: str) -> list:
    """Sort key that puts x2 before x10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def free_variables(exprs: list[sympy.Expr]) -> list[sympy.Symbol]:
    """Every free symbol of the expressions, in natural order of their names."""
    with recursion.room_for(exprs, refuse=True):
        symbols = set().union(*(expr.free_symbols for expr in exprs))
    return sorted(symbols, key=lambda s: natural_key(s.name))


def derivative_matrix(op, exprs: list[sympy.Expr], wrt: list[sympy.Symbol]) -> list:
    """The operation's entries as expressions, nested in its shape."""
    return derivatives(op, exprs, wrt).matrix


def derivatives(op, exprs: list[sympy.Expr], wrt: list[sympy.Symbol]) -> Derivatives:
    """The operation's Derivatives, from the session's cache when it has them."""
    from derivcli.run import session

    key = (op, tuple(exprs), tuple(wrt))
    return session.current().cached("derivatives", key, lambda: Derivatives(op, exprs, wrt))


class Derivatives:
    """An operation's symbolic result, and the partial derivatives it is made of.

    Each partial derivative is differentiated once, from the one of the order below
    it, whichever entries share it; the variables' order is canonical (a Hessian's
    mirrored entries are one expression).
    """

    def __init__(self, op, exprs: list[sympy.Expr], wrt: list[sympy.Symbol]):
        from derivcli import special

        self.wrt = wrt
        self._raw: dict[tuple[int, tuple[int, ...]], sympy.Expr] = {}
        self._partials: dict[tuple[int, tuple[int, ...]], sympy.Expr] = {}
        self.entries = op.entries(len(exprs), [v.name for v in wrt])
        with recursion.room_for(exprs, refuse=True):  # a derivative nests as deep as its expression
            # sympy's Abs and sign have no derivative for real arguments: special's have.
            self._real = [
                e.replace(sympy.Abs, special.Abs).replace(sympy.sign, special.sign) for e in exprs
            ]
            self.matrix = map_nested(self._entry, self.entries)
            for entry in flatten(self.matrix):
                if entry.has(sympy.Derivative):
                    (left,) = list(entry.atoms(sympy.Derivative))[:1]
                    from derivcli.errors import InputError

                    raise InputError(
                        f"sympy cannot differentiate {to_text(left.expr)} symbolically; "
                        "rewrite that part of the expression"
                    )

    def partial(self, component: int, variables: tuple[int, ...]) -> sympy.Expr:
        """The partial derivative of expression component by wrt[i] for i in variables."""
        key = (component, tuple(sorted(variables)))
        if key not in self._partials:
            from derivcli import special

            raw = self._differentiated(*key)
            self._partials[key] = raw.replace(special.Abs, sympy.Abs).replace(
                special.sign, sympy.sign
            )
        return self._partials[key]

    def _differentiated(self, component: int, variables: tuple[int, ...]) -> sympy.Expr:
        key = (component, variables)
        if key not in self._raw:
            if not variables:
                self._raw[key] = self._real[component]
            else:
                below = self._differentiated(component, variables[:-1])
                self._raw[key] = _diff(below, self.wrt[variables[-1]])
        return self._raw[key]

    def _entry(self, entry) -> sympy.Expr:
        terms = [
            rational(term.coefficient) * self.partial(term.component, term.variables)
            for term in entry.terms
        ]
        return terms[0] if len(terms) == 1 else sympy.Add(*terms)


def rational(coefficient) -> sympy.Rational:
    """An operation's coefficient (an int or Fraction) as sympy's exact number."""
    return sympy.Rational(coefficient.numerator, coefficient.denominator)


def _diff(expr: sympy.Expr, variable: sympy.Symbol) -> sympy.Expr:
    budget.checkpoint()  # a worker thread's budget is held between entries
    return sympy.diff(expr, variable)


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


DISPLAY_SECONDS = 2.0  # simplification for display, all entries together
# ... and at most this share of what is left of the caller's budget: display forms are
# optional, and a table must not run out of time where json would not.
DISPLAY_SHARE = 0.5
SIMPLIFY_MIN_OPS = 12  # smaller entries are shown as they are
SHORTEN_OPS = 400  # larger entries are shown shortened in the table


def display_forms(matrix, printed=None) -> list:
    """Texts for the table: simplified where that is shorter and fits the time budget,
    shortened (with their size) where they are too large to read.

    printed: the entries as to_text printed them, in the matrix's shape (they are not
    printed again). All of it is held to DISPLAY_SECONDS and a grace: past that, the
    printed entries stand, shortened by length, whatever called for the table (a
    Python program's result.shown runs under no budget of the caller's).
    """
    from derivcli.errors import LimitError

    left = budget.remaining()
    seconds = DISPLAY_SECONDS if left is None else min(DISPLAY_SECONDS, DISPLAY_SHARE * left)
    deadline = time.monotonic() + seconds
    done: dict[sympy.Basic, str] = {}

    def display(expr: sympy.Expr, text: str | None) -> str:
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
        if shown is not expr or text is None:
            text = to_text(shown)
        if ops > SHORTEN_OPS:
            text = f"{text[:60]}… ({ops:,} operations; --format json shows it in full)"
        done[expr] = text
        return text

    texts = flatten(printed) if printed is not None else [None] * len(flatten(matrix))
    pairs = iter(zip(flatten(matrix), texts, strict=True))
    try:
        with budget.time_budget(seconds + DISPLAY_GRACE, "the display forms"):
            with recursion.room_for(flatten(matrix), refuse=True):
                return map_nested(lambda _: display(*next(pairs)), matrix)
    except LimitError:
        if printed is None:
            raise
        return map_nested(_shortened, printed)


DISPLAY_GRACE = 1.0  # seconds beyond DISPLAY_SECONDS for counting and printing


def _shortened(text: str) -> str:
    if len(text) <= 4 * SHORTEN_OPS:
        return text
    return f"{text[:60]}… ({len(text):,} characters; --format json shows it in full)"
