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

import math
import os
import sys
from collections.abc import Iterable, Mapping, Sequence

import sympy

from derivcli import limits, precision, symbolic, verdict
from derivcli.errors import InputError
from derivcli.parse import is_identifier, parse_point, parse_value, parse_with_names
from derivcli.result import PointResult, Result, entry_labels

DTYPES = ("float64", "float32")
ENGINES = ("auto", "autograd", "symbolic")

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


def compute(
    kind: str,
    expression: str | Sequence[str],
    at: Points = None,
    *,
    wrt: str | Sequence[str] | None = None,
    device: str = "cpu",
    dtype: str = "float64",
    timeout: float | None = limits.DEFAULT_TIMEOUT,
    engine: str = "autograd",
) -> Result:
    """Differentiate expression symbolically and, at each point of at, with torch.

    kind: "grad", "jacobian" or "hessian".
    at: a point ({"x": 0, "y": "pi/4"} or "x=0,y=pi/4"), a list of points, or None
        for the symbolic result only.
    wrt: the variables to differentiate by, in order ("x,y" or ["x", "y"]); the other
        free symbols are parameters, which still need values. Default: every free
        symbol, in natural order.
    device: "cpu", "cuda", "cuda:N" or "mps". dtype: "float64" or "float32".
    timeout: seconds allowed for the symbolic work (None for no limit).
    engine: which engine computes the numbers: "autograd" (torch.func, independent of
        the symbolic derivative it is checked against), "symbolic" (the symbolic
        derivative, lowered to torch) or "auto" (autograd here; see derivcli.batch).
    """
    if kind not in symbolic.KINDS:
        raise InputError(f"unknown kind '{kind}': use one of {', '.join(symbolic.KINDS)}")
    check_dtype(dtype)
    check_device(device)
    check_engine(engine)
    with limits.time_budget(timeout):
        exprs, variables, parameters = prepare(kind, expression, wrt)
        points = [_check_point(point, variables + parameters) for point in _points(at)]
        matrix = symbolic.derivative_matrix(kind, exprs, variables)
        result = Result(
            kind=kind,
            expressions=[symbolic.to_text(expr) for expr in exprs],
            variables=[v.name for v in variables],
            symbolic=symbolic.map_nested(symbolic.to_text, matrix),
            device=device,
            dtype=dtype,
            display=symbolic.display_forms(matrix),
        )
        if not points:
            return result
        from derivcli import numeric

        for point in points:
            _check_range(point, dtype)
        point_floats = [[_float(point[s]) for s in variables + parameters] for point in points]
        numbers = numeric.derivatives(
            kind,
            exprs,
            variables,
            parameters,
            point_floats,
            device=device,
            dtype=dtype,
            engine=engine,
        )
        entries = _entries(kind, variables, matrix)
        labels = symbolic.flatten(entry_labels(kind, result.variables, len(exprs)))
        for point, numeric_values in zip(points, numbers, strict=True):
            checks = verdict.check_entries(
                exprs, entries, point, symbolic.flatten(numeric_values), dtype
            )
            result.results.append(_point_result(point, checks, numeric_values, labels))
    return result


def check_dtype(dtype: str) -> None:
    """Refuse a dtype derivcli does not compute in."""
    if dtype not in DTYPES:
        raise InputError(f"unknown dtype '{dtype}': use float64 or float32")


def check_engine(engine: str) -> None:
    """Refuse an unknown engine."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine '{engine}': use {', '.join(ENGINES)}")


def prepare(kind: str, expression, wrt=None):
    """Parse and check, before any numbers: (expressions, variables, parameters)."""
    if kind not in symbolic.KINDS:
        raise InputError(f"unknown kind '{kind}': use one of {', '.join(symbolic.KINDS)}")
    exprs, free = _parse_expressions(kind, expression)
    variables, parameters = _choose_variables(free, wrt)
    return exprs, variables, parameters


def float_points(at: Points, symbols: list[sympy.Symbol]) -> list[dict[str, float]]:
    """Points (as for compute's at) checked against symbols, with float values."""
    return [
        {s.name: _float(value) for s, value in _check_point(point, symbols).items()}
        for point in _points(at)
    ]


def check_device(device: str) -> None:
    """Refuse an unknown device, or one this machine plainly lacks, without importing torch."""
    kind, _, index = device.partition(":")
    if kind not in ("cpu", "cuda", "mps") or (index and (kind != "cuda" or not index.isdigit())):
        raise InputError(f"unknown device '{device}': use cpu, cuda, cuda:N or mps")
    if kind == "cuda" and not _nvidia_driver_present():
        raise InputError(f"--device {device}: CUDA is not available on this machine; use cpu")
    if kind == "mps" and sys.platform != "darwin":
        raise InputError(f"--device {device}: MPS is only available on Apple machines; use cpu")


def _nvidia_driver_present() -> bool:
    return os.path.exists("/proc/driver/nvidia/version") or os.path.exists("/dev/nvidiactl")


def _parse_expressions(kind: str, expression) -> tuple[list[sympy.Expr], list[sympy.Symbol]]:
    """The expressions, and every variable they use (in natural order), even cancelled ones."""
    texts = [expression] if isinstance(expression, str) else expression
    if not isinstance(texts, Iterable):
        raise InputError(f"an expression must be text, not {type(expression).__name__}")
    exprs, names = [], set()
    for text in texts:
        parsed, used = parse_with_names(_text(text))
        exprs += parsed
        names.update(used)
    if not exprs:
        raise InputError("no expression given")
    if kind != "jacobian" and len(exprs) > 1:
        raise InputError(
            f"{kind} takes one expression, and this has {len(exprs)} components; "
            "for several use jacobian"
        )
    named = {sympy.Symbol(name, real=True) for name in names}
    return exprs, symbolic.free_variables([*exprs, *named])


def _text(value) -> str:
    if not isinstance(value, str):
        raise InputError(f"an expression must be text, not {type(value).__name__}")
    return value


def _names(wrt) -> list[str]:
    names = wrt.split(",") if isinstance(wrt, str) else list(wrt)
    names = [name.strip() if isinstance(name, str) else name for name in names]
    for name in names:
        if not isinstance(name, str) or not is_identifier(name):
            raise InputError(f"'{name}' in --wrt is not a variable name")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InputError(f"--wrt names {', '.join(repeated)} more than once")
    return names


def _choose_variables(free, wrt) -> tuple[list[sympy.Symbol], list[sympy.Symbol]]:
    by_name = {s.name: s for s in free}
    if wrt is None:
        if not free:
            raise InputError("the expression has no variables to differentiate by")
        return free, []
    names = _names(wrt)
    if not names:
        raise InputError("--wrt is empty: name the variables to differentiate by")
    absent = [name for name in names if name not in by_name]
    if absent:
        listed = ", ".join(by_name) or "none"
        raise InputError(
            f"--wrt names {', '.join(absent)}, which the expression lacks (its variables: {listed})"
        )
    variables = [by_name[name] for name in names]
    return variables, [s for s in free if s.name not in names]


def _points(at: Points) -> list[dict[str, sympy.Expr]]:
    if at is None:
        return []
    if isinstance(at, str | Mapping):
        at = [at]
    return [_point(item) for item in at]


def _point(item: Point) -> dict[str, sympy.Expr]:
    if isinstance(item, str):
        return parse_point(item)
    if not isinstance(item, Mapping):
        raise InputError(f"a point is name=value text or a mapping, not {type(item).__name__}")
    return {str(name): _value(str(name), value) for name, value in item.items()}


def _value(name: str, value) -> sympy.Expr:
    if isinstance(value, bool):
        raise InputError(f"the value of {name} must be a number, not {value}")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"the value of {name} must be finite, not {value}")
        return sympy.Rational(repr(value))
    if isinstance(value, str):
        return parse_value(value)
    if isinstance(value, sympy.Expr) and value.is_number:
        return parse_value(symbolic.to_text(value))
    raise InputError(f"the value of {name} must be a number, not {type(value).__name__}")


def _check_point(point: dict[str, sympy.Expr], symbols: list[sympy.Symbol]):
    names = [s.name for s in symbols]
    missing = [name for name in names if name not in point]
    if missing:
        raise InputError(f"no value for {', '.join(missing)}: add it to --at, as {missing[0]}=…")
    extra = [name for name in point if name not in names]
    if extra:
        raise InputError(
            f"--at gives {', '.join(extra)}, which the expression lacks "
            f"(its variables: {', '.join(names)})"
        )
    return {s: point[s.name] for s in symbols}


def _float(value: sympy.Expr) -> float:
    return precision.nearest_float(value)


def _check_range(point: dict[sympy.Symbol, sympy.Expr], dtype: str) -> None:
    for symbol, value in point.items():
        number = precision.nearest_float(value, dtype)
        if not math.isfinite(number):
            _, _, largest = precision.float_limits(dtype)
            raise InputError(
                f"the value of {symbol.name} ({symbolic.to_text(value)[:40]}) is beyond "
                f"{dtype}'s range (±{largest:.4g})"
                + ("; use --dtype float64" if dtype == "float32" else "")
            )


def _entries(kind: str, variables, matrix) -> list[tuple[int, tuple, sympy.Expr]]:
    """(component, differentiation variables, expression) of each entry, row-major."""
    if kind == "grad":
        return [(0, (v,), entry) for v, entry in zip(variables, matrix, strict=True)]
    if kind == "hessian":
        return [
            (0, (a, b), matrix[i][j])
            for i, a in enumerate(variables)
            for j, b in enumerate(variables)
        ]
    return [(k, (v,), row[i]) for k, row in enumerate(matrix) for i, v in enumerate(variables)]


def _point_result(point, checks: list, numeric_values: list, labels: list[str]) -> PointResult:
    warnings = []
    for label, check, number in zip(labels, checks, symbolic.flatten(numeric_values), strict=True):
        if not check.agree:
            note = f" ({check.note})" if check.note else ""
            warnings.append(
                f"{label}: {check.verdict}: {check.reason}{note}; torch gave {number!r}"
            )
        elif check.note:
            warnings.append(f"{label}: {check.note}")

    def shaped(fn):
        items = iter(checks)
        return symbolic.map_nested(lambda _: fn(next(items)), numeric_values)

    return PointResult(
        point={s.name: _float(v) for s, v in point.items()},
        point_text={s.name: symbolic.to_text(v) for s, v in point.items()},
        exact=shaped(lambda c: None if c.exact is None else symbolic.to_text(c.exact)),
        numeric=numeric_values,
        agree=all(check.agree for check in checks),
        warnings=warnings,
        verdicts=shaped(lambda c: c.verdict),
        expected=shaped(lambda c: c.expected),
    )
