"""An operation's entries as sympy expressions, each partial derivative differentiated once."""

from __future__ import annotations

import re

import sympy

from derivcli import budget, recursion
from derivcli.nested import flatten, map_nested
from derivcli.symbolic.exact import to_text


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
        from derivcli.symbolic import special

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
            from derivcli.symbolic import special

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
