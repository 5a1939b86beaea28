"""The Python API: grad, jacobian and hessian of expression text, symbolic and numeric.

    >>> import derivcli
    >>> result = derivcli.hessian("sin(x)*y", at={"x": 0, "y": 1})
    >>> result.symbolic
    [['-y*sin(x)', 'cos(x)'], ['cos(x)', '0']]
    >>> result.results[0].numeric
    [[0.0, 1.0], [1.0, 0.0]]

Everything is validated before torch is imported; torch is imported only when
there are points to evaluate.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import numpy as np
import sympy

from derivcli import budget, ops, recursion, symbolic
from derivcli.check import precision, verdict
from derivcli.errors import InputError
from derivcli.expr.parse import (
    build_parsed,
    canonical_name,
    is_identifier,
    parse_point,
    parse_tree,
    parse_value,
)
from derivcli.nested import flatten, map_nested
from derivcli.result import Finding, PointResult, Result
from derivcli.run import session
from derivcli.run.request import DEVICES, DTYPES, ENGINES, SYMBOLIC_BACKENDS
from derivcli.symbolic import backend as symbolic_backends
from derivcli.symbolic import build
from derivcli.symbolic.backend import Unsupported
from derivcli.symbolic.numbers import point_text

# compute's keyword symbolic (the backend's name) hides the module there


def _differentiate(*args, **options):
    return symbolic.derivatives(*args, **options)


def _display_forms(*args):
    return symbolic.display_forms(*args)


def _ExactForms():  # noqa: N802 - the class, under another name
    return symbolic.ExactForms()


def _Derivatives(*args, **options):  # noqa: N802 - the class, under another name
    return symbolic.Derivatives(*args, **options)


Point = Mapping[str, object] | str
Points = Point | Sequence[Point] | None


def grad(expression: str, at: Points = None, **options) -> Result:
    """The gradient of one expression; see compute for the options."""
    return compute("grad", expression, at, **options)


def jacobian(expression: str | Sequence[str], at: Points = None, **options) -> Result:
    """The Jacobian of one or more expressions ("r*cos(t), r*sin(t)" or a list)."""
    return compute("jacobian", expression, at, **options)


def hessian(expression: str, at: Points = None, **options) -> Result:
    """The Hessian of one expression; see compute for the options."""
    return compute("hessian", expression, at, **options)


def diff(expression: str, at: Points = None, **options) -> Result:
    """One partial derivative of any order: wrt names the variables in order, repeated
    for higher order ("x,x,y": d3/dx2dy); see compute for the options."""
    return compute("diff", expression, at, **options)


def laplacian(expression: str, at: Points = None, **options) -> Result:
    """The Laplacian of one expression (a scalar); see compute for the options."""
    return compute("laplacian", expression, at, **options)


def divergence(expression: str | Sequence[str], at: Points = None, **options) -> Result:
    """The divergence of a vector field, as many components as variables (a scalar)."""
    return compute("divergence", expression, at, **options)


def curl(expression: str | Sequence[str], at: Points = None, **options) -> Result:
    """The curl of a vector field: 3 components of 3 variables, or 2 of 2 (a scalar)."""
    return compute("curl", expression, at, **options)


def taylor(expression: str, at: Points = None, order: int = 2, **options) -> Result:
    """The Taylor polynomial to total order at each point: the coefficients d^a f/a!
    (one entry per term, by total degree), and in each point's JSON fields the
    polynomial (None where a coefficient does not exist) and the terms."""
    return compute("taylor", expression, at, order=order, **options)


@functools.cache
def function_for(op) -> Callable[..., Result]:
    """The Python function of an operation (an ops.Op): f(expression, at=None, **options)."""

    def function(expression, at: Points = None, **options) -> Result:
        return compute(op.name, expression, at, **options)

    function.__name__ = function.__qualname__ = op.name
    function.__doc__ = f"{op.summary} See compute for the options."
    return function


def compute(
    kind: str,
    expression: str | Sequence[str],
    at: Points = None,
    *,
    wrt: str | Sequence[str] | None = None,
    device: str = "cpu",
    dtype: str = "float64",
    timeout: float | None = budget.DEFAULT_TIMEOUT,
    engine: str = "autograd",
    symbolic: str = "auto",
    vector=None,
    order=None,
) -> Result:
    """Differentiate expression symbolically and, at each point of at, with torch.

    kind: an operation's name ("grad", "jacobian", "hessian"; derivcli.ops.names()).
    at: a point ({"x": 0, "y": "pi/4"} or "x=0,y=pi/4"), a list of points, or None
        for the symbolic result only. Values are taken exactly: int, float (at its
        shortest decimal), numpy scalars and 0-d arrays, Fraction, Decimal, text.
    wrt: the variables to differentiate by, in order ("x,y" or ["x", "y"]); the other
        free symbols are parameters, which still need values. Default: every free
        symbol, in natural order.
    device: "cpu", "cuda", "cuda:N" or "mps". dtype: "float64" or "float32".
    timeout: seconds allowed for the symbolic work (None for no limit).
    engine: which engine computes the numbers: "autograd" (torch.autograd, independent of
        the symbolic derivative it is checked against), "symbolic" (the symbolic
        derivative, lowered to torch) or "auto" (autograd here; see derivcli.batch).
    symbolic: the symbolic backend: "sympy", "symengine", or "auto" (SymEngine for
        large problems whose functions it has, sympy otherwise; see
        derivcli.symbolic.choice). Exact values are the same either way.
    vector: for jvp, vjp, hvp and directional, the vector ("1,2", [1, "sqrt(2)"]),
        exact like point values. order: for taylor, the total order (default 2).
    """
    op, wrt = ops.get(kind).configure(wrt, vector=vector, order=order)
    check_dtype(dtype)
    check_device(device)
    check_engine(engine)
    check_timeout(timeout)
    check_symbolic(symbolic)
    with budget.time_budget(timeout) as deadline:
        exprs, variables, parameters = prepare(op, expression, wrt, symbolic)
        named = [build.symbol(s.name) for s in variables + parameters]  # sympy's, for points
        points = [_check_point(point, named) for point in _points(at)]
        derivatives = _differentiate(op, exprs, variables, deadline=deadline)
        backend = derivatives.backend
        matrix = derivatives.matrix
        printed = map_nested(_texts(backend), matrix)
        result = Result(
            kind=op.name,
            operation=op,
            expressions=[backend.to_text(expr) for expr in exprs],
            variables=[v.name for v in variables],
            symbolic=printed,
            device=device,
            dtype=dtype,
            make_display=functools.partial(_display_forms, matrix, printed),
            typed=_typed(expression),
        )
        if not points:
            return result
        numeric = budget.unbudgeted_import("derivcli.numeric.engines")  # torch
        for point in points:
            _check_range(point, dtype)
        point_floats = [[_float(point[s]) for s in named] for point in points]
        numbers = numeric.derivatives(
            op,
            exprs,
            variables,
            parameters,
            point_floats,
            device=device,
            dtype=dtype,
            engine=engine,
        )
        judge = _judge(op, expression, wrt, exprs, derivatives, dtype, deadline)
        exact_forms = _ExactForms()  # one display budget for every point
        labels = [entry.label for entry in flatten(derivatives.entries)]
        names = [v.name for v in variables]
        for point, numeric_values in zip(points, numbers, strict=True):
            flat = flatten(numeric_values)
            checks = judge(point, flat)
            found = _point_result(point, checks, numeric_values, labels, exact_forms)
            found.extra = op.point_fields(names, point, checks, flat)
            result.results.append(found)
    return result


def _judge(op, expression, wrt, exprs, derivatives, dtype, deadline) -> Callable:
    """check(point, numbers): the verdicts on torch's numbers at a point, from sympy's
    derivatives, or from a faster backend's where its exact values settle them
    (derivcli.check.fast)."""
    if derivatives.backend.name == "sympy":
        entries = _entries(derivatives)
        return lambda point, numbers: verdict.check_entries(
            exprs, entries, point, numbers, dtype, deadline=deadline
        )
    from derivcli.check import fast

    @functools.cache
    def reference():  # sympy's derivatives, made only for the entries left to sympy
        components, variables, _ = prepare(op, expression, wrt, "sympy")
        lazy = _Derivatives(op, components, variables, lazy=True, deadline=deadline)
        return components, lazy

    return lambda point, numbers: fast.check_entries(
        derivatives, reference, point, numbers, dtype, deadline=deadline
    )


def check_dtype(dtype: str) -> None:
    """Refuse a dtype derivcli does not compute in."""
    if not isinstance(dtype, str) or dtype not in DTYPES:
        raise InputError(f"unknown dtype {_shown(dtype)}: use float64 or float32", "dtype")


def check_timeout(timeout) -> None:
    """Refuse a time budget that is not a number of seconds (negative, nan, text)."""
    try:
        budget.check_timeout(timeout)
    except InputError as error:
        raise InputError(str(error), "timeout") from None


def check_symbolic(name: str) -> None:
    """Refuse an unknown symbolic backend."""
    if not isinstance(name, str) or name not in SYMBOLIC_BACKENDS:
        known = ", ".join(SYMBOLIC_BACKENDS)
        raise InputError(f"unknown symbolic backend {_shown(name)}: use {known}", "symbolic")


def check_engine(engine: str) -> None:
    """Refuse an unknown engine."""
    if not isinstance(engine, str) or engine not in ENGINES:
        raise InputError(f"unknown engine {_shown(engine)}: use {', '.join(ENGINES)}", "engine")


def _shown(value) -> str:
    """An option's value in a message: text in quotes, anything else by its repr."""
    return f"'{value}'" if isinstance(value, str) else repr(value)[:60]


def prepare(kind, expression, wrt=None, symbolic="sympy"):
    """Parse and check, before any numbers: (expressions, variables, parameters), as
    expressions and symbols of the symbolic backend (symbolic: a backend's name, or
    "auto": derivcli.symbolic.choice)."""
    op = ops.get(kind)
    check_symbolic(symbolic)

    def parse():
        exprs, free = _parse_expressions(op, expression, symbolic)
        coordinates = symbolic_backends.of(exprs[0]).symbol if op.coordinates else None
        variables, parameters = _choose_variables(free, wrt, coordinates)
        return exprs, variables, parameters

    key = (op, session.frozen(expression), session.frozen(wrt), symbolic)
    exprs, variables, parameters = session.current().cached("prepare", key, parse)
    return list(exprs), list(variables), list(parameters)


def float_points(at: Points, symbols: list[sympy.Symbol]) -> list[dict[str, float]]:
    """Points (as for compute's at) checked against symbols, with float values."""
    return [
        {s.name: _float(value) for s, value in _check_point(point, symbols).items()}
        for point in _points(at)
    ]


def check_device(device: str) -> None:
    """Refuse an unknown device, or one this machine plainly lacks, without importing torch."""
    if not isinstance(device, str):
        raise InputError(f"unknown device {_shown(device)}: use cpu, cuda, cuda:N or mps", "device")
    kind, _, index = device.partition(":")
    if kind not in {name.partition(":")[0] for name in DEVICES} or (
        index and (kind != "cuda" or not index.isdigit())
    ):
        raise InputError(f"unknown device '{device}': use cpu, cuda, cuda:N or mps", "device")
    if kind == "cuda" and not _nvidia_driver_present():
        raise InputError.about(
            "device",
            "{opt_value}: CUDA is not available on this machine; use cpu",
            value=device,
        )
    if kind == "mps" and sys.platform != "darwin":
        raise InputError.about(
            "device",
            "{opt_value}: MPS is only available on Apple machines; use cpu",
            value=device,
        )


def _nvidia_driver_present() -> bool:
    return os.path.exists("/proc/driver/nvidia/version") or os.path.exists("/dev/nvidiactl")


def _texts(backend):
    """backend.to_text, once per expression object: a large Hessian's mirrored entries
    and structural zeros are the same objects (1000-variable Rosenbrock: a million
    entries, 3,000 objects: 0.16 s against 0.22, measured)."""
    texts: dict[int, str] = {}

    def text(expr) -> str:
        found = texts.get(id(expr))  # every expr is held by the matrix meanwhile
        if found is None:
            found = texts[id(expr)] = backend.to_text(expr)
        return found

    return text


def _parse_expressions(op, expression, backend_name: str) -> tuple[list, list]:
    """The expressions, and every variable they use (in natural order), even cancelled
    ones, in the backend chosen (backend_name: as prepare's symbolic)."""
    from derivcli.symbolic import choice

    texts = [expression] if isinstance(expression, str) else expression
    if not isinstance(texts, Iterable) or isinstance(texts, Mapping | bytes):
        raise InputError(
            f"expression must be text (or, for jacobian, a list of texts), "
            f"not {type(expression).__name__}",
            "expression",
        )
    parsed = [(text, parse_tree(_text(text))) for text in texts]
    trees = [node for _, tree in parsed for node in tree.components]
    names = {name for _, tree in parsed for name in tree.names}
    try:  # the work's size, for the backend's choice; --wrt may change it yet
        entries = math.prod(op.shape(len(trees), len(names))) if trees else 0
    except InputError:  # a field's size checked against --wrt's variables later
        entries = len(trees) * len(names)
    backend = choice.choose(backend_name, trees, entries)
    try:
        exprs = [expr for text, tree in parsed for expr in build_parsed(text, tree, backend)]
    except Unsupported:
        if backend_name != "auto":
            raise
        backend = choice.choose("sympy", trees, entries)  # what SymEngine would not build
        exprs = [expr for text, tree in parsed for expr in build_parsed(text, tree, backend)]
    if not exprs:
        raise InputError("no expression given", "expression")
    if backend.name != "sympy":  # its build leaves nan and zoo to sympy's, which refuses them
        ordered = sorted(names, key=symbolic.natural_key)
        return _limited(op, exprs), [backend.symbol(name) for name in ordered]
    with recursion.room_for(exprs, refuse=True):
        undefined = [expr for expr in exprs if expr.has(sympy.nan, sympy.zoo)]
    if undefined:  # the parser refuses them where they arise: this is a safety net
        raise InputError(
            f"the expression {symbolic.to_text(undefined[0])[:60]} is undefined (it contains "
            "nan or zoo): an expression to differentiate must be defined",
            "expression",
        )
    named = {sympy.Symbol(name, real=True) for name in names}
    return _limited(op, exprs), symbolic.free_variables([*exprs, *named])


def _limited(op, exprs: list) -> list:
    """exprs, unless the operation takes one expression and there are several."""
    if not op.many_expressions and len(exprs) > 1:
        raise InputError(
            f"{op.name} takes one expression, and this has {len(exprs)} components; "
            "for several use jacobian",
            "expression",
        )
    return exprs


def _text(value) -> str:
    if not isinstance(value, str):
        raise InputError(f"expression must be text, not {type(value).__name__}", "expression")
    return value


def _names(wrt, repeats: bool = False) -> list[str]:
    """wrt's variable names (an InputError naming what is wrong); repeats: a name may
    come more than once (diff's order of differentiation)."""
    if isinstance(wrt, str):
        names = wrt.split(",")
    elif isinstance(wrt, Iterable) and not isinstance(wrt, Mapping | bytes):
        names = list(wrt)
    else:
        raise InputError.about(
            "wrt",
            "{opt} takes variable names, as 'x,y' or ['x', 'y'], not {kind}",
            kind=type(wrt).__name__,
        )
    names = [canonical_name(name) if isinstance(name, str) else name for name in names]
    for name in names:
        if not isinstance(name, str) or not is_identifier(name):
            raise InputError.about("wrt", "'{name}' in {opt} is not a variable name", name=name)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated and not repeats:
        raise InputError.about(
            "wrt", "{opt} names {names} more than once", names=", ".join(repeated)
        )
    return names


def _choose_variables(free, wrt, coordinates=None) -> tuple[list, list]:
    """(variables, parameters) of the free symbols, as wrt names them. coordinates:
    for a field's operation, the backend's symbol(name), with which wrt may name a
    variable that no component has (its derivatives are 0)."""
    by_name = {s.name: s for s in free}
    if wrt is not None and coordinates is not None:
        by_name.update({name: coordinates(name) for name in _names(wrt) if name not in by_name})
    if wrt is None:
        if not free:
            raise InputError("the expression has no variables to differentiate by")
        return free, []
    names = _names(wrt)
    if not names:
        raise InputError.about("wrt", "{opt} is empty: name the variables to differentiate by")
    absent = [name for name in names if name not in by_name]
    if absent:
        raise InputError.about(
            "wrt",
            "{opt} names {absent}, which the expression lacks (its variables: {listed})",
            absent=", ".join(absent),
            listed=", ".join(by_name) or "none",
        )
    variables = [by_name[name] for name in names]
    return variables, [s for s in free if s.name not in names]


def _points(at: Points) -> list[dict[str, sympy.Expr]]:
    if at is None:
        return []
    if isinstance(at, str | Mapping):
        at = [at]
    elif not isinstance(at, Iterable) or isinstance(at, bytes | np.ndarray):
        raise InputError.about(
            "at",
            "{opt} takes a point ({{'x': 1}} or 'x=1'), a list of points, or None; not {kind}",
            kind=type(at).__name__,
        )
    return [_point(item) for item in at]


def _point(item: Point) -> dict[str, sympy.Expr]:
    if isinstance(item, str):
        return parse_point(item)
    if not isinstance(item, Mapping):
        raise InputError.about(
            "at",
            "a point in {opt} is a mapping ({{'x': 1}}) or name=value text, not {kind}",
            kind=type(item).__name__,
        )
    return {canonical_name(str(name)): _value(str(name), value) for name, value in item.items()}


def _value(name: str, value, argument: str = "at") -> sympy.Expr:
    """A point's value as an exact number: a Python float at its shortest decimal form
    (0.1 is 1/10, as typed), any other binary float (numpy's float32) at its value,
    integers, Fraction and Decimal exactly, text and sympy numbers as --at reads them.
    argument: the option an error names."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]  # a numpy scalar of the array's type (or the object it holds)
    if isinstance(value, bool | np.bool_):
        raise _not_a_number(name, f"not {value}", argument=argument)
    if isinstance(value, int | np.integer):
        return sympy.Integer(int(value))
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            raise _not_a_number(name, f"not {value}", "finite", argument)
        if isinstance(value, float):  # Python's, and numpy's float64, a subclass of it
            return sympy.Rational(repr(float(value)))
        return sympy.Rational(*value.as_integer_ratio())  # float32 0.1 is 13421773/2^27
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _not_a_number(name, f"not {value}", "finite", argument)
        return parse_value(str(value))  # exactly, and within the parser's digit limits
    if isinstance(value, str):
        return parse_value(value)
    if isinstance(value, sympy.Expr) and value.is_number:
        return parse_value(symbolic.to_text(value))
    if isinstance(value, numbers.Rational):
        return sympy.Rational(int(value.numerator), int(value.denominator))
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        raise _not_a_number(name, f"not the complex number {value}", "a real number", argument)
    if isinstance(value, np.ndarray):
        raise _not_a_number(name, f"not an array of shape {value.shape}", argument=argument)
    raise _not_a_number(name, f"not {type(value).__name__}", argument=argument)


def _not_a_number(name: str, what: str, wanted: str = "a number", argument="at") -> InputError:
    return InputError.about(
        argument,
        "the value of {name} in {opt} must be {wanted}, {what}",
        name=name,
        wanted=wanted,
        what=what,
    )


def exact_value(name: str, value, argument: str):
    """A value given in the Python API (a number or text) as an exact sympy number, as
    at's values are taken; an InputError naming argument."""
    return _value(name, value, argument)


def _check_point(point: dict[str, sympy.Expr], symbols: list[sympy.Symbol]):
    names = [s.name for s in symbols]
    missing = [name for name in names if name not in point]
    if missing:
        raise InputError.about(
            "at",
            "no value for {missing}: add it to {opt}, as {first}=…",
            missing=", ".join(missing),
            first=missing[0],
        )
    extra = [name for name in point if name not in names]
    if extra:
        raise InputError.about(
            "at",
            "{opt} gives {extra}, which the expression lacks (its variables: {names})",
            extra=", ".join(extra),
            names=", ".join(names),
        )
    return {s: point[s.name] for s in symbols}


def _float(value: sympy.Expr) -> float:
    return precision.nearest_float(value)


def _check_range(point: dict[sympy.Symbol, sympy.Expr], dtype: str) -> None:
    for symbol, value in point.items():
        number = precision.nearest_float(value, dtype)
        if not math.isfinite(number):
            _, _, largest = precision.float_limits(dtype)
            raise InputError.about(
                "dtype",
                "the value of {name} ({shown}) is beyond {dtype}'s range (±{largest})"
                + ("; use {opt_value}" if dtype == "float32" else ""),
                name=symbol.name,
                shown=point_text(value),  # as the table writes points: 1e400
                dtype=dtype,
                largest=f"{largest:.4g}",
                value="float64",
            )


def _entries(derivatives: symbolic.Derivatives) -> list[verdict.Entry]:
    """Each entry's expression and the partial derivatives it sums, row-major."""
    pairs = zip(flatten(derivatives.entries), flatten(derivatives.matrix), strict=True)
    return [verdict.entry_of(derivatives, spec, expr) for spec, expr in pairs]


def _typed(expression: str | Sequence[str]) -> str:
    """The expression as the user typed it, whitespace normalised."""
    parts = [expression] if isinstance(expression, str) else [str(e) for e in expression]
    return ", ".join(" ".join(part.split()) for part in parts)


def _point_result(
    point, checks: list, numeric_values: list, labels: list[str], exact_forms=None
) -> PointResult:
    findings = [
        Finding(label, check.verdict, check.reason, check.note, None if check.agree else number)
        for label, check, number in zip(labels, checks, flatten(numeric_values), strict=True)
        if not check.agree or check.note
    ]

    def shaped(fn):
        items = iter(checks)
        return map_nested(lambda _: fn(next(items)), numeric_values)

    def exact_display(digits: int) -> list:
        shown = iter(exact_forms.texts([check.exact for check in checks], digits))
        return map_nested(lambda _: next(shown), numeric_values)

    @functools.cache  # a sparse Hessian's many zeros are one value
    def text(value) -> str:
        return symbolic.to_text(value)

    return PointResult(
        point={s.name: _float(v) for s, v in point.items()},
        point_text={s.name: symbolic.point_text(v) for s, v in point.items()},
        exact=shaped(lambda c: None if c.exact is None else text(c.exact)),
        numeric=numeric_values,
        agree=all(check.agree for check in checks),
        findings=findings,
        verdicts=shaped(lambda c: c.verdict),
        expected=shaped(lambda c: c.expected),
        make_exact_display=None if exact_forms is None else functools.cache(exact_display),
    )
