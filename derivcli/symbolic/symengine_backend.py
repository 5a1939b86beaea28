"""SymEngine as a symbolic backend (derivcli.symbolic.backend): a first step of issue 12.

SymEngine differentiates and substitutes 100 to 500 times faster than sympy (Hessians
of Lennard-Jones clusters, Rosenbrock functions, products of sines; measured for issue
12, symengine 0.15). This backend covers the rows SymEngine has natively with sympy's
derivative (the trigonometric and hyperbolic functions and their inverses, exp, log,
sqrt and powers, erf, erfc, atan2); any other row is an InputError that names it. The
commands do not use it yet.

How it stays safe:
- It builds through sympy's build first, so that every check and cost bound of the
  parser holds before SymEngine's C++ code, which no alarm interrupts, sees a number
  (``Integer(3)**(10**8)`` ran 1.2 s through a 0.2 s alarm, measured).
  The conversion is driven by the function table, never by ``sympify``.
- Exact numbers leave it as text that derivcli's own parser reads back (``to_float``,
  ``approximate``): sympy's certified evaluation, not SymEngine's 53-bit floats (up to
  9 ulp off) or its complex mode (which aborted the process for cot and friends).
"""

from __future__ import annotations

from fractions import Fraction

import symengine as se

from derivcli.errors import InputError
from derivcli.symbolic import backend, build
from derivcli.symbolic.backend import View

# The rows SymEngine has natively, with the same derivative as sympy's (checked per row
# in the study; tests/symbolic/test_backend.py checks them against mpmath).
NATIVE = (
    "sin cos tan cot sec csc asin acos atan acot asec acsc "
    "sinh cosh tanh coth sech csch asinh acosh atanh acoth log erf erfc"
).split()
_FUNCTIONS = {name: getattr(se, name) for name in NATIVE}
_FUNCTIONS["atan2"] = se.atan2
_ROW_OF_CLASS = {name: name for name in _FUNCTIONS}  # SymEngine's class names are the rows'
_CONSTANTS = {"pi": se.pi, "E": se.E, "EulerGamma": se.EulerGamma, "Catalan": se.Catalan}


class SymEngineBackend(backend.Backend):
    """SymEngine, for the rows it has natively (NATIVE, atan2, exp, powers)."""

    name = "symengine"
    capabilities = frozenset()

    def build(self, trees, *, undefined: bool = False) -> list:
        return [_from_sympy(expr) for expr in build.components(trees, undefined=undefined)]

    def symbol(self, name: str):
        return se.Symbol(name)

    def differentiate(self, expr, variable):
        return expr.diff(variable)

    def finish(self, expr):
        if expr.atoms(se.Derivative):
            raise InputError("SymEngine left a derivative unevaluated; use the sympy backend")
        return expr

    def combine(self, terms):
        products = [
            expr if c == 1 else se.Rational(c.numerator, c.denominator) * expr for c, expr in terms
        ]
        return products[0] if len(products) == 1 else se.Add(*products)

    def substitute(self, expr, values: dict):
        return expr.subs(se.DictBasic(values))  # one DictBasic: a dict is converted per call

    def to_text(self, expr) -> str:
        return str(expr)

    def to_float(self, expr) -> float | None:
        if isinstance(expr, se.Rational | se.Integer):
            return float(_fraction(expr))
        if expr.has(se.I):
            return None
        return backend.default().to_float(self._as_sympy(expr))

    def approximate(self, expr) -> float:
        if isinstance(expr, se.Rational | se.Integer):
            return float(_fraction(expr))
        if expr.has(se.I):
            return float("nan")
        return backend.default().approximate(self._as_sympy(expr))

    def _as_sympy(self, expr):
        from derivcli.expr.parse import parse_result

        return parse_result(self.to_text(expr))

    def view(self, expr) -> View:
        if isinstance(expr, se.Symbol):
            return View(backend.SYMBOL, name=expr.name)
        args = expr.args
        if not args:
            return View(backend.NUMBER)
        if isinstance(expr, se.Add):
            return View(backend.SUM, args)
        if isinstance(expr, se.Mul):
            if args[0] == -1:
                return View(backend.NEGATIVE, (se.Mul(*args[1:]),))
            return View(backend.PRODUCT, args)
        if isinstance(expr, se.Pow):
            base, exponent = args
            if base == se.E:
                return View(backend.CALL, (exponent,), name="exp")
            rational = None
            if isinstance(exponent, se.Rational | se.Integer):
                rational = _fraction(exponent)
            return View(backend.POWER, args, rational=rational)
        name = _ROW_OF_CLASS.get(type(expr).__name__)
        if name is not None:
            return View(backend.CALL, args, name=name)
        return View("unknown", args, name=type(expr).__name__)

    def power(self, base, exponent: Fraction):
        return se.Pow(base, se.Rational(exponent.numerator, exponent.denominator))

    def arguments(self, expr) -> tuple:
        return expr.args

    def free_symbols(self, expr) -> set:
        return set(expr.free_symbols)


def _fraction(number) -> Fraction:
    numerator, denominator = number.get_num_den()
    return Fraction(int(numerator), int(denominator))


def _from_sympy(expr):
    """A sympy expression of derivcli's build as SymEngine's, through the function table."""
    import sympy

    from derivcli.symbolic.sympy_functions import name_of

    done: dict = {}

    def convert(node):
        if node in done:
            return done[node]
        if node.is_Symbol:
            result = se.Symbol(node.name)
        elif node.is_Integer:
            result = se.Integer(int(node))
        elif node.is_Rational:
            result = se.Rational(int(node.p), int(node.q))
        elif node in (sympy.oo, -sympy.oo, sympy.zoo, sympy.nan):
            result = {sympy.oo: se.oo, -sympy.oo: -se.oo, sympy.zoo: se.zoo}.get(node, se.nan)
        elif node is sympy.I:  # sqrt(-2) is I*sqrt(2): not real, as in sympy
            result = se.I
        elif node.is_NumberSymbol or node is sympy.E:
            result = _CONSTANTS[str(node)]
        elif node.is_Add:
            result = se.Add(*map(convert, node.args))
        elif node.is_Mul:
            result = se.Mul(*map(convert, node.args))
        elif node.is_Pow:
            result = se.Pow(*map(convert, node.args))
        elif isinstance(node, sympy.exp):
            result = se.exp(convert(node.args[0]))
        else:
            row = name_of(node)
            if row not in _FUNCTIONS:
                shown = row or type(node).__name__
                raise InputError(
                    f"the symengine backend has no {shown}() yet; use the sympy backend"
                )
            result = _FUNCTIONS[row](*map(convert, node.args))
        done[node] = result
        return result

    return convert(expr)


SYMENGINE = backend.register(SymEngineBackend())
