"""An operation's entries as sympy expressions, each partial derivative differentiated once."""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from fractions import Fraction

import sympy

from derivcli import budget, recursion
from derivcli.expr import tree
from derivcli.nested import map_rows
from derivcli.ops.base import Partial, SecondPartialsAlong
from derivcli.symbolic import backend as backends

SPLIT_TERMS = 32  # a sum of at least this many terms is differentiated term by term
# a structural zero costs a microsecond, a deadline check 0.6 (measured): the deadline
# is checked at every partial differentiated and once per this many zeros in a row
ZEROS_PER_CHECK = 1024


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

    backend = backend or (backends.of(exprs[0]) if exprs else backends.default())
    key = (op, tuple(exprs), tuple(wrt), backend.name)
    return session.current().cached(
        "derivatives", key, lambda: Derivatives(op, exprs, wrt, backend, deadline=deadline)
    )


class Derivatives:
    """An operation's symbolic result, and the partial derivatives it is made of.

    Each partial derivative is differentiated once, from the one of the order below
    it, whichever entries share it; the variables' order is canonical (a Hessian's
    mirrored entries are one expression). The expressions are the backend's (by
    default, the one whose expressions they are). deadline: checked between partial
    derivatives while the entries are made (by default, that of the budget this runs
    in); partial derivatives asked for later check the budget they are asked in. lazy:
    no entries are made (matrix is None); partial derivatives are made when asked for.
    """

    def __init__(self, op, exprs: list, wrt: list, backend=None, *, deadline=None, lazy=False):

        self.backend = backend or (backends.of(exprs[0]) if exprs else backends.default())
        self._deadline = deadline
        self.wrt = wrt
        self._raw: dict[tuple[int, tuple[int, ...]], object] = {}
        self._partials: dict[tuple[int, tuple[int, ...]], object] = {}
        self._symbols: dict[int, set] = {}
        self._index: dict[int, dict | None] = {}  # per component: variable -> its terms
        self._zero_expr = None
        self._finished_zero_expr = None
        self._first_free: dict[tuple[int, int], frozenset] = {}
        self._index_of: dict | None = None
        self._along: dict[int, dict] = {}  # a vector's coefficients, by its list's id
        self._links: dict[int, list] = {}
        self._unchecked = 0  # structural zeros since the last deadline check
        self.matrix = None
        with _collection_paused():
            self.entries = op.entries(len(exprs), [v.name for v in wrt])
            # a derivative nests as deep as its expression
            with recursion.room_for(exprs, refuse=True):
                # the expressions as the backend differentiates them
                self.prepared = [self.backend.prepare(e) for e in exprs]
                if not lazy:
                    self.matrix = map_rows(self._row_made, self.entries)
        self._deadline = None

    def partial(self, component: int, variables: tuple[int, ...]):
        """The partial derivative of expression component by wrt[i] for i in variables."""
        key = (component, variables if _ascending(variables) else tuple(sorted(variables)))
        found = self._partials.get(key)
        if found is None:
            found = self._partials[key] = self.backend.finish(self._differentiated(*key))
        return found

    def _differentiated(self, component: int, variables: tuple[int, ...]):
        key = (component, variables)
        if key not in self._raw:
            if not variables:
                self._raw[key] = self.prepared[component]
            else:
                below = self._differentiated(component, variables[:-1])
                variable = self.wrt[variables[-1]]
                terms = self._terms_with(component, variable) if len(variables) == 1 else None
                # 497,000 of a 1000-variable Rosenbrock Hessian's 500,500 partials
                zero = terms is None and variable not in self._free(below)
                self._unchecked += 1
                if not zero or self._unchecked >= ZEROS_PER_CHECK:
                    # in a worker thread, where no alarm interrupts
                    self._unchecked = 0
                    (self._deadline or budget.current()).check()
                if zero:
                    self._raw[key] = self._zero()
                    return self._raw[key]
                if terms is not None:  # a long sum: the terms that hold the variable
                    self._raw[key] = self.backend.differentiate(terms, variable)
                else:
                    self._raw[key] = self.backend.differentiate(below, variable)
        return self._raw[key]

    def _terms_with(self, component: int, variable):
        """The terms of the component that contain variable, as a sum, if the component
        is a long sum (None otherwise): each other term's derivative is zero, and
        differentiating the whole sum by each of n variables costs n times its length
        (Rosenbrock, 1000 variables: 4.4 s of SymEngine, measured)."""
        if component not in self._index:
            expr = self.prepared[component]
            view = self.backend.view(expr)
            index = None
            if view.kind == backends.SUM and len(view.args) >= SPLIT_TERMS:
                index = {}
                for term in view.args:
                    for symbol in self.backend.free_symbols(term):
                        index.setdefault(symbol, []).append(term)
            self._index[component] = index
        index = self._index[component]
        if index is None:
            return None
        terms = index.get(variable)
        return self.backend.combine([(1, term) for term in terms]) if terms else self._zero()

    def _free(self, expr) -> set:
        key = id(expr)  # only expressions kept in _raw come here: their ids stay theirs
        if key not in self._symbols:
            self._symbols[key] = self.backend.free_symbols(expr)
        return self._symbols[key]

    def _zero(self):
        if self._zero_expr is None:
            self._zero_expr = self.backend.build([tree.Number(Fraction(0), 0, written=False)])[0]
        return self._zero_expr

    def _row_made(self, row: list) -> list:
        # entry() for each, with fewer calls for a large Hessian's commonest entries: a
        # mirrored partial is found, a structural zero known from the row's free
        # variables, any other single partial made at once (measured, 1000-variable
        # Rosenbrock, its million entries made and differentiated: 2.0-2.7 s against 4.3)
        partials, made = self._partials, []
        for entry in row:
            terms = entry[1]  # entry.terms, without the property's call
            if len(terms) != 1 or terms[0][2] != 1:
                made.append(self.entry(entry))
                continue
            component, variables, _ = terms[0]
            if len(variables) == 2:
                first, second = variables
                if first > second:
                    first, second = second, first
                key = (component, (first, second))
                found = partials.get(key)
                if found is None:
                    if second in self._free_indices(component, first):
                        found = self.backend.finish(self._differentiated(*key))
                    else:  # what _differentiated finds, without its calls
                        self._unchecked += 1
                        if self._unchecked >= ZEROS_PER_CHECK:
                            self._unchecked = 0
                            (self._deadline or budget.current()).check()
                        found = self._finished_zero()
                    partials[key] = found
            else:
                key = (component, variables if len(variables) < 3 else tuple(sorted(variables)))
                found = partials.get(key)
                if found is None:
                    found = partials[key] = self.backend.finish(self._differentiated(*key))
            made.append(found)
        return made

    def _free_indices(self, component: int, variable: int) -> frozenset:
        """The indices in wrt of the first partial derivative's free variables."""
        key = (component, variable)
        found = self._first_free.get(key)
        if found is None:
            if self._index_of is None:
                self._index_of = {symbol: i for i, symbol in enumerate(self.wrt)}
            free = self._free(self._differentiated(component, (variable,)))
            found = frozenset(self._index_of[s] for s in free if s in self._index_of)
            self._first_free[key] = found
        return found

    def _finished_zero(self):
        if self._finished_zero_expr is None:
            self._finished_zero_expr = self.backend.finish(self._zero())
        return self._finished_zero_expr

    def entry(self, entry):
        """An entry (one of self.entries) as an expression."""
        terms = entry.terms
        if len(terms) == 1 and terms[0].coefficient == 1:  # nearly every entry
            return self.partial(terms[0].component, terms[0].variables)
        terms = self.nonzero_terms(entry)
        if not terms:
            return self._finished_zero()
        return self.backend.combine(
            [(term.coefficient, self.partial(term.component, term.variables)) for term in terms]
        )

    def nonzero_terms(self, entry) -> list:
        """The entry's terms but those whose second partial derivative is a structural
        zero (its first partial lacks the second variable): a 1000-variable Hessian-
        vector product sums up to 1,000 second partials per entry, 3 of them non-zero
        for a Rosenbrock function (measured, its plan with the vector's rational
        coefficients as Fractions: 3.6 s, against 10.9 with each term looked up and
        sympy coefficients)."""
        if isinstance(entry.terms, SecondPartialsAlong):
            return self._nonzero_along(entry.terms)
        kept, first_free = [], self._first_free
        for term in entry.terms:
            variables = term[1]  # term.variables, without the property's call
            if len(variables) == 2:
                first, second = variables
                if first > second:
                    first, second = second, first
                free = first_free.get((term[0], first))
                if free is None:
                    free = self._free_indices(term[0], first)
                if second not in free:
                    self._unchecked += 1
                    if self._unchecked >= ZEROS_PER_CHECK:
                        self._unchecked = 0
                        (self._deadline or budget.current()).check()
                    continue
            kept.append(term)
        return kept

    def _nonzero_along(self, terms: SecondPartialsAlong) -> list:
        """nonzero_terms of an entry of second partials along a vector, from the variables
        whose second partial with terms.first is not a structural zero (the row's first
        partial's free variables, and those whose first partial has first), without
        looking at the others."""
        (self._deadline or budget.current()).check()
        component, first = terms.component, terms.first
        coefficients = self._along.get(id(terms.along))
        if coefficients is None:  # entries share their vector's list, held by self.entries
            coefficients = self._along[id(terms.along)] = dict(terms.along)
        linked = self._linked(component)
        candidates = {j for j in self._free_indices(component, first) if j >= first}
        candidates.update(j for j in linked[first] if j < first)
        return [
            tuple.__new__(Partial, (component, (first, j), coefficients[j]))
            for j in sorted(candidates)
            if j in coefficients
        ]

    def _linked(self, component: int) -> list[set]:
        """For each variable i, the variables j whose first partial has i: with the first
        partial of i's own free variables, those of i's non-zero second partials."""
        found = self._links.get(component)
        if found is None:
            found = [set() for _ in self.wrt]
            for j in range(len(self.wrt)):
                for i in self._free_indices(component, j):
                    found[i].add(j)
            self._links[component] = found
        return found


def _ascending(variables: tuple[int, ...]) -> bool:
    return len(variables) < 2 or (len(variables) == 2 and variables[0] <= variables[1])


@contextmanager
def _collection_paused():
    """Python's cyclic garbage collector off while entries are made: they are millions
    of objects for a 1000-variable Hessian, none in a cycle, and each full collection
    walks them all (1.7 s against 3.8 s for the entries alone, measured); the caller's
    setting is back afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def rational(coefficient) -> sympy.Expr:
    """An operation's coefficient (an int, Fraction or sympy number) as sympy's exact
    number."""
    if isinstance(coefficient, sympy.Basic):
        return coefficient
    return sympy.Rational(coefficient.numerator, coefficient.denominator)
