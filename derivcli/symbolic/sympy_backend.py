"""sympy as a symbolic backend (derivcli.symbolic.backend)."""

from __future__ import annotations

from fractions import Fraction

import sympy

from derivcli.errors import InputError
from derivcli.symbolic import backend, build, exact
from derivcli.symbolic.backend import View
from derivcli.symbolic.sympy_functions import name_of


class SympyBackend(backend.Backend):
    """sympy, with the functions derivcli adds (derivcli.symbolic.special).

    stable_forms: numeric/stable.py's rewrites for the lowering read sympy's trees.
    """

    name = "sympy"
    capabilities = frozenset({"limits", "simplify", "stable_forms"})

    def build(self, trees, *, undefined: bool = False) -> list[sympy.Expr]:
        return build.components(trees, undefined=undefined)

    def rational(self, expr) -> Fraction | None:
        return Fraction(int(expr.p), int(expr.q)) if expr.is_Rational else None

    def owns(self, expr) -> bool:
        return isinstance(expr, sympy.Basic)

    def symbol(self, name: str) -> sympy.Symbol:
        return build.symbol(name)

    def prepare(self, expr: sympy.Expr) -> sympy.Expr:
        # sympy's Abs and sign have no derivative for real arguments: special's have.
        from derivcli.symbolic import special

        return expr.replace(sympy.Abs, special.Abs).replace(sympy.sign, special.sign)

    def differentiate(self, expr: sympy.Expr, variable: sympy.Symbol) -> sympy.Expr:
        return sympy.diff(expr, variable)

    def finish(self, expr: sympy.Expr) -> sympy.Expr:
        from derivcli.symbolic import special

        if expr.has(sympy.Derivative):
            (left,) = list(expr.atoms(sympy.Derivative))[:1]
            raise InputError(
                f"sympy cannot differentiate {exact.to_text(left.expr)} symbolically; "
                "rewrite that part of the expression"
            )
        return expr.replace(special.Abs, sympy.Abs).replace(special.sign, sympy.sign)

    def combine(self, terms) -> sympy.Expr:
        from derivcli.symbolic.derivatives import rational

        products = [rational(c) * expr if c != 1 else expr for c, expr in terms]
        return products[0] if len(products) == 1 else sympy.Add(*products)

    def substitute(self, expr: sympy.Expr, values: dict) -> sympy.Expr:
        return exact.exact_at(expr, values)

    def to_text(self, expr: sympy.Basic) -> str:
        return exact.to_text(expr)

    def to_float(self, expr: sympy.Expr) -> float | None:
        return exact.to_float(expr)

    def approximate(self, expr: sympy.Expr) -> float:
        return exact.approximate(expr)

    def arguments(self, expr: sympy.Basic) -> tuple:
        return expr.args

    def free_symbols(self, expr: sympy.Expr) -> set:
        return set(expr.free_symbols)

    def power(self, base: sympy.Expr, exponent: Fraction) -> sympy.Expr:
        return sympy.Pow(base, build.number(exponent), evaluate=False)

    def view(self, expr: sympy.Basic) -> View:
        if expr.is_Symbol:
            return View(backend.SYMBOL, name=expr.name)
        if not expr.args:
            return View(backend.NUMBER)
        if expr.is_Add:
            return View(backend.SUM, expr.args)
        if expr.is_Mul:
            coefficient, factors = expr.as_coeff_mul()
            if coefficient == -1:
                return View(backend.NEGATIVE, (sympy.Mul(*factors),))
            return View(backend.PRODUCT, expr.args)
        if expr.is_Pow:
            base, exponent = expr.args
            rational = Fraction(int(exponent.p), int(exponent.q)) if exponent.is_Rational else None
            return View(backend.POWER, (base, exponent), rational=rational)
        name = name_of(expr)
        if name is not None:
            return View(backend.CALL, expr.args, name=name)
        return View("unknown", expr.args, name=type(expr).__name__)


SYMPY = backend.register(SympyBackend())
