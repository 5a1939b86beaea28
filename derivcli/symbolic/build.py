"""Expression trees (derivcli.expr.tree) to sympy: the sympy backend's build.

What the parser cannot see from the text is checked here, as sympy evaluates each node:
a division by zero (``1/(x - x)``), a power of zero with a negative exponent, a result
that is undefined (``log(0)``, ``0*oo``: nan or zoo) or a range (``sin(oo)``), and the
cost bounds of derivcli.limits (digits of every number built). An error points at the
column of the node's token, as a syntax error does.
"""

from __future__ import annotations

from fractions import Fraction

import sympy
from sympy.core.parameters import distribute

from derivcli import limits
from derivcli.errors import InputError, LimitError, ParseError
from derivcli.expr import tree
from derivcli.symbolic.sympy_functions import BUILDERS

CONSTANTS = {
    "pi": sympy.pi,
    "E": sympy.E,
    "oo": sympy.oo,
    "zoo": sympy.zoo,
    "nan": sympy.nan,
    "EulerGamma": sympy.EulerGamma,
    "Catalan": sympy.Catalan,
}
_UNDEFINED_VALUES = (sympy.nan, sympy.zoo)


def symbol(name: str) -> sympy.Symbol:
    """The sympy symbol of a variable: real (otherwise diff(Abs(x)) is in re and im)."""
    return sympy.Symbol(name, real=True)


def number(value: Fraction) -> sympy.Rational:
    """A number literal as sympy's exact rational."""
    return sympy.Rational(value.numerator, value.denominator)


def components(nodes, *, undefined: bool = False) -> list[sympy.Expr]:
    """Each tree as a sympy expression, within one budget of digits for the numbers built.

    undefined: nan and zoo may result (exact values read back, point values, whose own
    check refuses them); otherwise a node that evaluates to them is a ParseError.
    """
    builder = Builder(undefined)
    with limits.number_budget():
        return [builder.build(node) for node in nodes]


class Builder:
    """Builds sympy expressions from trees (within a number budget the caller opens)."""

    def __init__(self, undefined: bool):
        self.undefined = undefined

    def build(self, node: tree.Node) -> sympy.Expr:
        if isinstance(node, tree.Number):
            value = number(node.value)
            if node.written:
                limits.spend_digits(limits.rational_digits(value) + 1)
            return value
        if isinstance(node, tree.Variable):
            return symbol(node.name)
        if isinstance(node, tree.Constant):
            return CONSTANTS[node.name]
        if isinstance(node, tree.Negative):
            return _negative(self.build(node.arg))
        if isinstance(node, tree.Sum):
            terms = [self.build(term) for term in node.terms]
            return self.defined(sympy.Add(*terms), node)
        if isinstance(node, tree.Product):
            factors = [self.factor(factor) for factor in node.factors]
            return self.defined(_product(*factors), node)
        if isinstance(node, tree.Reciprocal):  # a lone one; products take theirs as factors
            return self.factor(node)
        if isinstance(node, tree.Power):
            return self.power(node)
        if isinstance(node, tree.Call):
            return self.call(node)
        raise TypeError(f"not an expression tree: {node!r}")

    def factor(self, node: tree.Node) -> sympy.Expr:
        if not isinstance(node, tree.Reciprocal):
            return self.build(node)
        divisor = self.build(node.arg)
        if divisor.is_zero:
            raise ParseError("division by zero", None, node.pos)
        return sympy.Pow(divisor, -1)

    def power(self, node: tree.Power) -> sympy.Expr:
        base, exponent = self.build(node.base), self.build(node.exponent)
        if base.is_zero and exponent.is_extended_negative:
            raise ParseError("division by zero: 0 to a negative power", None, node.pos)
        return self.defined(limits.checked_pow(base, exponent), node)

    def call(self, node: tree.Call) -> sympy.Expr:
        if node.shown is None:  # |x|
            return BUILDERS[node.name](*[self.build(arg) for arg in node.args])
        args = [self.build(arg) for arg in node.args]
        try:
            result = BUILDERS[node.name](*args)
        except ParseError:
            raise
        except InputError as error:
            raise ParseError(str(error), None, node.pos) from None
        except LimitError:
            raise
        except (TypeError, ValueError, ArithmeticError) as error:
            raise ParseError(f"cannot apply {node.shown}: {error}", None, node.pos) from None
        if result.has(sympy.AccumBounds):  # sin(oo): a range, not a value
            raise ParseError(f"{node.shown} has no single value here", None, node.pos)
        self.defined(result, node, node.shown)
        if all(not arg.free_symbols for arg in args):  # a new number may have been built
            grown = limits.number_digits(result) - sum(limits.number_digits(a) for a in args)
            limits.spend_digits(grown)
        return result

    def defined(self, result: sympy.Expr, node, shown: str | None = None) -> sympy.Expr:
        """result, unless sympy evaluated it to nan or zoo (log(0), 0*oo, oo - oo, 1^oo):
        an expression to differentiate must be defined.

        The operands were checked as they were built, so a nan or zoo is new here, and
        sympy puts it at the top of what it builds (zoo*log(x)): a look at the node and
        its arguments is enough (has() on every node would cost depth times size).
        """
        if self.undefined:
            return result
        found = {n for n in (result, *result.args) if n in _UNDEFINED_VALUES}
        if not found:
            return result
        undefined = "nan, not a number" if sympy.nan in found else "zoo, complex infinity"
        raise ParseError(
            f"{shown or node.shown} gives an undefined value here ({undefined}): an "
            "expression to differentiate must be defined",
            None,
            node.pos,
        )


def _product(*factors) -> sympy.Expr:
    # Keep 2*(x + 1) and -(x + 1) as written (sympy would distribute the number): the
    # expression is what the user typed, and sympy's printed results, which contain
    # such products, parse back to the same tree. Only here: sympy's own evaluation
    # (loggamma(-x - 1/4)) recurses without end when distribution is off.
    with distribute(False):
        return sympy.Mul(*factors)


def _negative(expr: sympy.Expr) -> sympy.Expr:
    with distribute(False):  # -(x + 1) as written, the way sympy negates
        return -expr


def real_finite(value: sympy.Expr, shown: str) -> sympy.Expr:
    """value, if it is a real, finite number; otherwise an InputError about shown."""
    if value.has(sympy.zoo, sympy.nan) or value.is_infinite or value.is_finite is False:
        raise InputError(f"'{shown}' is not a finite number")
    if value.is_extended_real is False or value.has(sympy.I):
        raise InputError(f"'{shown}' is not a real number")
    if value.is_extended_real is None or value.is_finite is None:
        # sympy cannot tell (sqrt(2 - sqrt(5))): decide from 30 digits
        approximate = value.evalf(30)
        if approximate.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise InputError(f"'{shown}' is not a finite number")
        if approximate.has(sympy.I) or approximate.is_extended_real is False:
            raise InputError(f"'{shown}' is not a real number")
    return value
