"""A symbolic backend's expressions to a torch callable, through the function table.

The expressions are flattened into a straight-line program over their distinct
subexpressions, so a subexpression shared by several entries is computed once. The
program is made from the backend's views of the nodes (derivcli.symbolic.backend), not
from its classes; where the backend has the ``stable_forms`` capability (sympy), the
rewrites of numeric/stable.py come first.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable
from fractions import Fraction

import torch

from derivcli import recursion
from derivcli.errors import InputError
from derivcli.expr.functions import BY_NAME
from derivcli.numeric.torch_functions import LOWERINGS
from derivcli.symbolic import backend as backends


def lower(
    exprs: list,
    inputs: list,
    *,
    dtype: torch.dtype = torch.float64,
    device: torch.device | str = "cpu",
    values_only: bool = False,
    backend: backends.Backend | None = None,
) -> Program:
    """A function from one tensor per input symbol to one tensor per expression.

    values_only: the program is evaluated, never differentiated, so it may use faster
    forms whose derivatives torch would get wrong at a boundary (x^(3/2) as sqrt(x)^3
    has no derivative at 0 in torch, and x^1.5 has).
    backend: the expressions' symbolic backend (by default, the one whose expressions
    they are).
    """
    backend = backend or (backends.of(exprs[0]) if exprs else backends.default())
    if "stable_forms" in backend.capabilities:
        from derivcli.numeric.stable import stable_form, stable_operation
    else:
        stable_form = stable_operation = _no_rewrite
    operation = _Operations(backend, values_only)
    slots: dict = {symbol: i for i, symbol in enumerate(inputs)}
    steps: list[tuple[Callable, tuple[int, ...]]] = []
    constants: dict[int, float] = {}

    def constant(value: float) -> int:
        tensor = torch.tensor(value, dtype=dtype, device=device)
        index = len(inputs) + len(steps)
        steps.append((lambda: tensor, ()))
        constants[index] = value
        return index

    constant_nodes: dict = {}

    def is_constant(node) -> bool:
        # free_symbols walks the whole tree below a node each time; derivatives share
        # subtrees, so that is exponential in the nesting depth. This is linear.
        known = constant_nodes.get(node)
        if known is None:
            below = backend.arguments(node)
            if below:
                known = all(is_constant(arg) for arg in below)
            else:
                known = backend.view(node).kind != backends.SYMBOL
            constant_nodes[node] = known
        return known

    def visit(node) -> int:
        if node in slots:
            return slots[node]
        if is_constant(node):
            index = constant(backend.approximate(node))
        elif not backend.arguments(node):  # a leaf that is not constant: a variable
            raise InputError(f"'{backend.view(node).name}' has no value")
        elif (rewritten := stable_form(node)) is not None and rewritten != node:
            index = visit(rewritten)
        else:
            fn, args = stable_operation(node) or operation(node, backend.view(node))
            arg_slots = tuple(visit(arg) for arg in args)
            index = len(inputs) + len(steps)
            steps.append((fn, arg_slots))
        slots[node] = index
        return index

    with recursion.room_for(exprs, refuse=True):  # visit recurses through each tree
        outputs = [visit(expr) for expr in exprs]
    return Program(len(inputs), steps, outputs, constants)


class Program:
    """A straight-line program: each distinct subexpression is one step, computed once.

    Calling it with one tensor per input returns one tensor per output (a constant
    output is a 0-dimensional tensor). A step's result is dropped after its last
    use, so memory holds only the values still needed, not every intermediate.
    """

    def __init__(self, n_inputs: int, steps, outputs: list[int], constants: dict[int, float]):
        self.n_inputs = n_inputs
        self.steps = steps
        self.outputs = outputs
        # Output position -> value, for outputs that do not depend on the inputs.
        self.constant_outputs = {
            k: constants[slot] for k, slot in enumerate(outputs) if slot in constants
        }
        last_use = {}
        for k, (_, args) in enumerate(steps):
            for slot in args:
                last_use[slot] = k
        kept = set(outputs)
        self.release = [[] for _ in steps]
        for slot, k in last_use.items():
            if slot >= n_inputs and slot not in kept:
                self.release[k].append(slot)

    def __call__(self, values: list[torch.Tensor]) -> list[torch.Tensor]:
        memory = [*values, *([None] * len(self.steps))]
        base = self.n_inputs
        for k, (fn, arg_slots) in enumerate(self.steps):
            memory[base + k] = fn(*[memory[i] for i in arg_slots])
            for slot in self.release[k]:
                memory[slot] = None
        return [memory[i] for i in self.outputs]


def _no_rewrite(node):
    return None


class _Operations:
    """Each node's torch operation and the nodes it applies to, from its view."""

    def __init__(self, backend: backends.Backend, values_only: bool):
        self.backend = backend
        self.values_only = values_only

    def __call__(self, node, view: backends.View) -> tuple[Callable, tuple]:
        if view.kind == backends.SUM:
            return _sum, view.args
        if view.kind == backends.NEGATIVE:
            return torch.neg, view.args
        if view.kind == backends.PRODUCT:
            return _product, view.args
        if view.kind == backends.POWER:
            return self.power(*view.args, view.rational)
        if view.kind == backends.CALL:
            return self.function(view.name, view.args)
        raise InputError(f"derivcli cannot compute {view.name} numerically: {node}")

    def power(self, base, exponent, rational: Fraction | None):
        if rational is not None and rational.denominator == 1:
            n = rational.numerator
            if n == -1:
                return torch.reciprocal, (base,)
            if abs(n) > _LARGEST_INT_EXPONENT:  # x^(10^30): torch's int exponent overflows
                return _huge_power(n), (base,)
            return (lambda b: b**n), (base,)
        if rational == Fraction(1, 2):
            return torch.sqrt, (base,)
        if rational == Fraction(-1, 2):
            return torch.rsqrt, (base,)
        if self.values_only and rational is not None and rational.denominator == 2:
            # x^(k/2) as an integer power of x^(1/2) or x^(-1/2), a step that the other
            # half-integer powers of x share: three times faster than pow (measured),
            # within a few ulp, and nan for x < 0 like pow.
            k = rational.numerator
            half = self.backend.power(base, Fraction(1 if k > 0 else -1, 2))
            return (lambda root: root ** abs(k)), (half,)
        if rational is not None or not self.backend.free_symbols(exponent):
            p = _float(rational) if rational is not None else None
            if p is None:  # irrational (pi), or beyond float64
                p = self.backend.approximate(exponent)
            return (lambda b: b**p), (base,)
        return torch.pow, (base, exponent)

    def function(self, name: str, node_args: tuple):
        static_args = BY_NAME[name].static_args
        lowering = LOWERINGS[name]
        static = {
            i: round(self.backend.approximate(node_args[i]))
            for i in static_args
            if i < len(node_args)
        }
        dynamic = tuple(arg for i, arg in enumerate(node_args) if i not in static)

        def apply(*tensors):
            args, it = [], iter(tensors)
            for i in range(len(node_args)):
                args.append(static[i] if i in static else next(it))
            return lowering(torch, *args)

        return apply, dynamic


_LARGEST_INT_EXPONENT = 2**53  # beyond it a float exponent is an even integer anyway


def _huge_power(n: int) -> Callable:
    """b^n for an integer n beyond 2^53: |b|^float(n), with b's sign where n is odd (the
    float, an even number, would lose it)."""
    p = float(n) if abs(n) < 10**308 else math.copysign(math.inf, n)
    if n % 2:
        return lambda b: torch.sign(b) * torch.abs(b) ** p
    return lambda b: torch.abs(b) ** p


def _float(rational: Fraction) -> float | None:
    try:
        return float(rational)  # 0.5 µs; the backend's 30 digits take 190 µs (measured)
    except OverflowError:
        return None


def _sum(*terms):
    return functools.reduce(operator.add, terms)


def _product(*factors):
    return functools.reduce(operator.mul, factors)
