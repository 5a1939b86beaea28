"""SymEngine as a symbolic backend (derivcli.symbolic.backend), for large problems.

SymEngine differentiates and substitutes 100 to 500 times faster than sympy (Hessians
of Lennard-Jones clusters, Rosenbrock functions, products of sines; measured for issue
12, symengine 0.15). This backend covers the rows SymEngine has natively with sympy's
derivative (the trigonometric and hyperbolic functions and their inverses, exp, log,
sqrt and powers, erf, erfc, atan2); any other row is refused by name
(``backend.Unsupported``). derivcli.symbolic.choice decides when the commands use it.

How it stays safe:
- It builds from the parser's tree directly (``Builder``), but every part without a
  variable (a number, ``sqrt(2)``, ``log(3)/7``) is built by sympy's build, so that
  every check and cost bound of the parser holds before SymEngine's C++ code, which no
  alarm interrupts, sees a number (``Integer(3)**(10**8)`` ran 1.2 s through a 0.2 s
  alarm, measured). Whatever needs a closer look (a power that would raise a large
  exact factor, a divisor that cancels to 0, nan or zoo, an infinity or a complex
  number) is left to sympy's build of the whole component, converted through the
  function table, never by ``sympify``.
- Exact numbers leave it as text that derivcli's own parser reads back (``to_float``,
  ``approximate``): sympy's certified evaluation, not SymEngine's 53-bit floats (up to
  9 ulp off) or its complex mode (which aborted the process for cot and friends).
"""

from __future__ import annotations

import math
from fractions import Fraction

import symengine as se

from derivcli import limits
from derivcli.expr import tree
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
        if not undefined:  # undefined: exact values read back, which sympy's build reads
            with limits.number_budget():
                builder = Builder(build.Builder(undefined))
                try:
                    return [builder.build(node) for node in trees]
                except _Defer:
                    pass
        return [_from_sympy(expr) for expr in build.components(trees, undefined=undefined)]

    def supports(self, names) -> bool:
        """Whether this backend builds every function row in names."""
        return set(names) <= SUPPORTED

    def rational(self, expr) -> Fraction | None:
        return _fraction(expr) if isinstance(expr, se.Rational | se.Integer) else None

    def owns(self, expr) -> bool:
        return isinstance(expr, se.Basic)

    def symbol(self, name: str):
        return se.Symbol(name)

    def differentiate(self, expr, variable):
        return expr.diff(variable)

    def combine(self, terms):
        products = [expr if c == 1 else _number(c) * expr for c, expr in terms]
        return products[0] if len(products) == 1 else se.Add(*products)

    def substitute(self, expr, values):
        if not isinstance(values, se.DictBasic):
            values = se.DictBasic(values)
        return expr.subs(values)

    def point(self, values: dict):
        # One DictBasic for every substitution: a dict is converted on each call
        # (Rosenbrock 300: 7.96 s against 0.62 s, measured for issue 12).
        return se.DictBasic(values)

    def to_text(self, expr) -> str:
        return str(expr)

    def to_float(self, expr) -> float | None:
        if isinstance(expr, se.Rational | se.Integer):
            return _float(_fraction(expr))
        if expr.has(se.I):
            return None
        return backend.default().to_float(self._as_sympy(expr))

    def approximate(self, expr) -> float:
        if isinstance(expr, se.Rational | se.Integer):
            return _float(_fraction(expr))
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


# The rows built directly where their arguments have variables; sympy's builder makes
# the same value (log2(u) is log(u)/log(2), hypot a root of a sum of squares).
_DIRECT = {
    **{name: function for name, function in _FUNCTIONS.items() if name != "log"},
    "log": lambda u: se.log(u),  # log(u, b) is sympy's build: it checks the base
    "exp": se.exp,
    "sqrt": lambda u: _power(u, se.Rational(1, 2)),
    "log2": lambda u: se.log(u) / se.log(2),
    "log10": lambda u: se.log(u) / se.log(10),
    "hypot": lambda u, v: se.sqrt(u**2 + v**2),
}
SUPPORTED = frozenset(_DIRECT)
"""The function rows this backend builds (any other is refused by name)."""

# A power of an expression whose exact factor would have more digits than this (the
# 2^100 of (2x)^100) is built by sympy, which counts them against the digit budget.
DIRECT_POWER_DIGITS = 1_000
_UNSETTLED = (se.nan, se.zoo, se.oo, se.I)


class _Defer(Exception):
    """This component is for sympy's build to decide (an error, or a bound to count)."""


class Builder:
    """SymEngine expressions from trees: the parts with variables directly, the parts
    without through sympy's build (with its checks), converted."""

    def __init__(self, numbers: build.Builder):
        self.numbers = numbers
        self._variable: dict[int, bool] = {}  # by id: a tree hashes by value, in depth time

    def build(self, node: tree.Node):
        if not self.has_variable(node):
            value = _from_sympy(self.numbers.build(node))
            if any(value.has(atom) for atom in _UNSETTLED):
                raise _Defer
            return value
        if isinstance(node, tree.Variable):
            return se.Symbol(node.name)
        if isinstance(node, tree.Negative):
            return -self.build(node.arg)
        if isinstance(node, tree.Sum):
            return _defined(se.Add(*[self.build(term) for term in node.terms]))
        if isinstance(node, tree.Product):
            return _defined(se.Mul(*[self.factor(factor) for factor in node.factors]))
        if isinstance(node, tree.Reciprocal):
            return self.factor(node)
        if isinstance(node, tree.Power):
            base, exponent = self.build(node.base), self.build(node.exponent)
            if isinstance(exponent, se.Rational | se.Integer) and not base.free_symbols:
                raise _Defer  # a number to a number: sympy's checked power
            if isinstance(exponent, se.Rational | se.Integer):
                digits = _exact_part_digits(base) * abs(float(_fraction(exponent)))
                if digits > DIRECT_POWER_DIGITS:
                    raise _Defer
            return _defined(_power(base, exponent))
        if isinstance(node, tree.Call):
            function = _DIRECT.get(node.name)
            if function is None or (node.name == "log" and len(node.args) != 1):
                if node.name not in SUPPORTED:
                    raise _refusal(node.name)
                raise _Defer
            return _defined(function(*[self.build(arg) for arg in node.args]))
        raise TypeError(f"not an expression tree: {node!r}")

    def factor(self, node: tree.Node):
        if not (isinstance(node, tree.Reciprocal) and self.has_variable(node)):
            return self.build(node)
        divisor = self.build(node.arg)
        if divisor == 0:  # 1/(x - x): sympy's build says where
            raise _Defer
        return _defined(se.Pow(divisor, -1))

    def has_variable(self, node: tree.Node) -> bool:
        key = id(node)
        if key not in self._variable:
            self._variable[key] = isinstance(node, tree.Variable) or any(
                self.has_variable(child) for child in tree.children(node)
            )
        return self._variable[key]


def _defined(result):
    if result in (se.nan, se.zoo) or any(arg in (se.nan, se.zoo) for arg in result.args):
        raise _Defer
    return result


def _exact_part_digits(expr) -> float:
    """Digits of the exact numbers a power of expr would raise (its rational factors)."""
    if isinstance(expr, se.Rational | se.Integer):
        p, q = _fraction(expr).as_integer_ratio()
        p = abs(p)
        return (math.log10(p) if p > 1 else 0.0) + (math.log10(q) if q > 1 else 0.0)
    if isinstance(expr, se.Mul):
        return sum(_exact_part_digits(arg) for arg in expr.args)
    if isinstance(expr, se.Pow) and isinstance(expr.args[1], se.Rational | se.Integer):
        return _exact_part_digits(expr.args[0]) * abs(float(_fraction(expr.args[1])))
    return 0.0


def _refusal(row: str) -> backend.Unsupported:
    return backend.Unsupported(
        f"the symengine backend has no {row}() yet; use the sympy backend (--symbolic sympy "
        "or auto)"
    )


def _power(base, exponent):
    """base^exponent, refused where SymEngine would rewrite it: it makes (1/u)^r
    u^(-r), which is another number where u < 0 (sqrt(1/x)/sqrt(x) at -4: -1/16, not
    sympy's 1/16), and sympy's own build rewrites other powers of powers (sqrt(x^2) is
    |x|, sqrt(exp(x)) is exp(x/2))."""
    if not isinstance(exponent, se.Integer) and isinstance(base, se.Pow):  # exp(x) is E**x
        raise backend.Unsupported(
            "the symengine backend would rewrite a power of a power with a non-integer "
            "exponent, (u^a)^r, unlike sympy; use the sympy backend (--symbolic sympy or auto)"
        )
    return se.Pow(base, exponent)


def _float(number: Fraction) -> float:
    """The nearest float, infinite beyond the float range (10^400), as sympy's."""
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


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
            result = _power(*map(convert, node.args))
        elif isinstance(node, sympy.exp):
            result = se.exp(convert(node.args[0]))
        else:
            row = name_of(node)
            if row not in _FUNCTIONS:
                raise _refusal(row or type(node).__name__)
            result = _FUNCTIONS[row](*map(convert, node.args))
        done[node] = result
        return result

    return convert(expr)


SYMENGINE = backend.register(SymEngineBackend())


def _number(coefficient):
    """An operation's coefficient (an int, Fraction or sympy number) as SymEngine's."""
    if hasattr(coefficient, "numerator"):
        return se.Rational(coefficient.numerator, coefficient.denominator)
    import sympy

    # a sympy object's conversion; text, which sympify would evaluate, never comes here
    if not isinstance(coefficient, sympy.Basic):
        raise TypeError(f"a coefficient is a number, not {type(coefficient).__name__}")
    return se.sympify(coefficient)
