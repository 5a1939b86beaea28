"""An operation's entries as sympy expressions, each partial derivative differentiated once."""

from __future__ import annotations

import re

import sympy

from derivcli import budget, recursion
from derivcli.nested import map_nested


def natural_key(name: str) -> list:
    """Sort key that puts x2 before x10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def free_variables(exprs: list[sympy.Expr]) -> list[sympy.Symbol]:
    """Every free symbol of the expressions, in natural order of their names."""
    with recursion.room_for(exprs, refuse=True):
        symbols = set().union(*(expr.free_symbols for expr in exprs))
    return sorted(symbols, key=lambda s: natural_key(s.name))


def derivative_matrix(op, exprs: list, wrt: list, *, deadline=None) -> list:
    """The operation's entries as expressions, nested in its shape."""
    return derivatives(op, exprs, wrt, deadline=deadline).matrix


def derivatives(op, exprs: list, wrt: list, backend=None, *, deadline=None) -> Derivatives:
    """The operation's Derivatives, from the session's cache when it has them; deadline
    as for Derivatives."""
    from derivcli.run import session
    from derivcli.symbolic import backend as backends

    backend = backend or backends.default()
    key = (op, tuple(exprs), tuple(wrt), backend.name)
    return session.current().cached(
        "derivatives", key, lambda: Derivatives(op, exprs, wrt, backend, deadline=deadline)
    )


class Derivatives:
    """An operation's symbolic result, and the partial derivatives it is made of.

    Each partial derivative is differentiated once, from the one of the order below
    it, whichever entries share it; the variables' order is canonical (a Hessian's
    mirrored entries are one expression). The expressions are the backend's (the
    default one when None). deadline: checked between partial derivatives while the
    entries are made (by default, that of the budget this runs in); partial derivatives
    asked for later check the budget they are asked in.
    """

    def __init__(self, op, exprs: list, wrt: list, backend=None, *, deadline=None):
        from derivcli.symbolic import backend as backends

        self.backend = backend or backends.default()
        self._deadline = deadline
        self.wrt = wrt
        self._raw: dict[tuple[int, tuple[int, ...]], object] = {}
        self._partials: dict[tuple[int, tuple[int, ...]], object] = {}
        self.entries = op.entries(len(exprs), [v.name for v in wrt])
        with recursion.room_for(exprs, refuse=True):  # a derivative nests as deep as its expression
            self._prepared = [self.backend.prepare(e) for e in exprs]
            self.matrix = map_nested(self._entry, self.entries)
        self._deadline = None

    def partial(self, component: int, variables: tuple[int, ...]):
        """The partial derivative of expression component by wrt[i] for i in variables."""
        key = (component, tuple(sorted(variables)))
        if key not in self._partials:
            self._partials[key] = self.backend.finish(self._differentiated(*key))
        return self._partials[key]

    def _differentiated(self, component: int, variables: tuple[int, ...]):
        key = (component, variables)
        if key not in self._raw:
            if not variables:
                self._raw[key] = self._prepared[component]
            else:
                below = self._differentiated(component, variables[:-1])
                # in a worker thread, where no alarm interrupts
                (self._deadline or budget.current()).check()
                self._raw[key] = self.backend.differentiate(below, self.wrt[variables[-1]])
        return self._raw[key]

    def _entry(self, entry):
        return self.backend.combine(
            [
                (term.coefficient, self.partial(term.component, term.variables))
                for term in entry.terms
            ]
        )


def rational(coefficient) -> sympy.Rational:
    """An operation's coefficient (an int or Fraction) as sympy's exact number."""
    return sympy.Rational(coefficient.numerator, coefficient.denominator)
