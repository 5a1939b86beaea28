"""Verdicts: what torch's number at a point means, judged against exact sympy values.

Each entry gets one verdict:

- agree: torch's number is within the tolerance of the exact derivative at the float
  point torch was given (see TOLERANCES);
- not differentiable: the point sits on a kink or a jump (abs, sign, min/max,
  floor/ceil, heaviside, the branch cuts of acot and atan2), so torch's number is a
  subgradient convention;
- undefined: the expression or its derivative is not a real number here;
- infinite: the derivative diverges here (a pole, a vertical tangent, the end of
  lambertw's domain at -1/e);
- overflow: the derivative is finite but beyond the dtype's range, and torch's ±inf
  stands for it; underflow: it is below the dtype's smallest normal number, and torch
  gives 0;
- imprecise: torch's number is off by more than the tolerance, but by no more than
  the rounding error float arithmetic can make evaluating the derivative there
  (cancellation: the value is the difference of much larger terms);
- unverified: the exact value could not be evaluated to the digits a verdict needs
  (an argument beyond 10^1000, or digits that still move at 1,000); torch's number
  is not judged;
- disagree: torch's number is wrong for the point it was given.

Where direct substitution gives nan or zoo and a finite one-sided-equal limit exists
along the entry's variable, the limit is used and labelled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import sympy

from derivcli import budget, recursion
from derivcli.check import precision, rounding
from derivcli.errors import LimitError
from derivcli.expr.functions import BY_NAME
from derivcli.symbolic import exact_at, rational, to_float
from derivcli.symbolic.math_text import math_text
from derivcli.symbolic.numbers import decimal_text, point_text, short_rational
from derivcli.symbolic.sympy_functions import name_of

AGREE = "agree"
DISAGREE = "disagree"
NOT_DIFFERENTIABLE = "not differentiable"
UNDEFINED = "undefined"
INFINITE = "infinite"
OVERFLOW = "overflow"
UNDERFLOW = "underflow"
IMPRECISE = "imprecise"
UNVERIFIED = "unverified"

# The tolerance rule: torch's number t agrees with the exact value e when
#   |t - e| <= TOLERANCE * (|e| + smallest normal number of the dtype),
# and t is not 0 unless e is. Relative everywhere, with an absolute floor only among
# the subnormal numbers.
TOLERANCES = {"float64": 1e-9, "float32": 1e-4}
# How far beyond the first-order rounding bound (derivcli.check.rounding) a number may be
# and still count as imprecise rather than wrong: torch's backward pass rounds in a
# different order than the symbolic entry does.
ROUNDING_MARGIN = 16

LIMIT_SECONDS = 5.0
END = "end"  # a break where the domain ends and the derivative is infinite (lambertw at -1/e)


@dataclass
class EntryCheck:
    """The verdict on one entry and the values torch was compared with."""

    verdict: str
    exact: sympy.Expr | None  # the exact derivative at the point as given
    note: str | None = None  # how the exact value was found, when not by substitution
    reason: str | None = None  # why the verdict is not agree
    expected: float | None = None  # the exact derivative at torch's float point, rounded

    @property
    def agree(self) -> bool:
        return self.verdict == AGREE


@dataclass(frozen=True)
class _Break:
    node: sympy.Basic
    kind: str  # kink, jump or spike
    symbols: frozenset

    def describe(self) -> str:
        if self.kind == END:
            return f"the point is at the end of {math_text(self.node)}'s domain (its branch point)"
        return f"the point is on a {self.kind} of {math_text(self.node)}"


@dataclass(frozen=True)
class Term:
    """coefficient × the partial derivative of components[component] along sequence."""

    coefficient: object  # an int or Fraction
    component: int
    sequence: tuple[sympy.Symbol, ...]
    expr: sympy.Expr  # the partial derivative itself


@dataclass(frozen=True)
class Entry:
    """An entry to judge: its expression, the sum of its terms."""

    expr: sympy.Expr
    terms: list[Term]


def entry_of(derivatives, spec, expr=None) -> Entry:
    """An operation's entry (spec, one of derivatives.entries) as an Entry of the
    Derivatives' expressions; expr: the entry's expression, if already made."""
    wrt = derivatives.wrt
    # a structural zero's term is 0 everywhere: nothing of it to judge (one term stays,
    # for an entry that sums nothing else)
    kept = derivatives.nonzero_terms(spec) if len(spec.terms) > 1 else spec.terms
    terms = [
        Term(
            term.coefficient,
            term.component,
            tuple(wrt[i] for i in term.variables),
            derivatives.partial(term.component, term.variables),
        )
        for term in (kept or spec.terms[:1])
    ]
    return Entry(derivatives.entry(spec) if expr is None else expr, terms)


def check_entries(
    components: list[sympy.Expr],
    entries: list[Entry],
    values: dict[sympy.Symbol, sympy.Expr],
    numbers: list[float],
    dtype: str = "float64",
    *,
    deadline: budget.Deadline | None = None,
) -> list[EntryCheck]:
    """Judge each entry at a point, against torch's value of it (numbers, in order).

    values: the point as given (exact); torch was given each value rounded to dtype
    (precision.nearest_float). deadline: checked between entries (by default, that of
    the budget this runs in).
    """
    deadline = deadline or budget.current()
    binary = precision.binary_point(precision.float_point(values, dtype))
    rounded = binary != values
    context: dict[tuple, tuple] = {}  # (component, point) -> (problem, active breaks)

    def component(k: int, point: dict) -> tuple:
        key = (k, point is binary)
        if key not in context:
            context[key] = _component_context(components[k], point)
        return context[key]

    checks = []
    for entry, number in zip(entries, numbers, strict=True):
        deadline.check()  # in a worker thread, where no alarm interrupts
        saved = mpmath.mp.prec
        trees = [*(components[term.component] for term in entry.terms), entry.expr]
        try:
            with recursion.room_for(trees):
                check = _exact(entry, values, components, component, show_value=True)
                if check.verdict == AGREE:
                    at_float = _exact(entry, binary, components, component) if rounded else check
                    check = compare(check, at_float, number, dtype, binary, rounded, entry.expr)
        except EVALUATION_FAILURES as error:
            # mpmath's erfc overflows a float inside sympy's own assumption queries at
            # 1e155 (acosh(erfc(x))); sympy's caches then raise KeyError.
            mpmath.mp.prec = saved
            reason = (
                str(error)
                if isinstance(error, Unevaluable)
                else f"sympy could not evaluate the exact value ({type(error).__name__}: {error})"
            )
            check = EntryCheck(UNVERIFIED, None, reason=reason[:300])
        checks.append(check)
    return checks


class Unevaluable(ArithmeticError):
    """Neither the exact value nor a float of it could be had (its reason is the message)."""


# Failures inside sympy and mpmath while they evaluate exact numbers at extreme points;
# MemoryError: evalf asking for 10^11 bits (exp(-exp(sinh(x))) at 3e11, measured).
EVALUATION_FAILURES = (
    OverflowError,
    KeyError,
    ValueError,
    RecursionError,
    ZeroDivisionError,
    NotImplementedError,
    MemoryError,
    # atan(tan(1e109)): sympy cannot decide a Relational while it reduces the angle,
    # and its cache then fails on the TypeError's lazy message (AttributeError).
    TypeError,
    AttributeError,
    Unevaluable,
)


def _exact(entry: Entry, point: dict, components, context, *, show_value=False) -> EntryCheck:
    """The entry's exact value at point (as given, or torch's float point, which can sit
    on a kink or a pole that the point as given misses: max(x, y) at x = 1/3,
    y = 0.3333333333333333). show_value: a component's problem still shows the
    derivative's value where it has one."""
    if len(entry.terms) == 1 and entry.terms[0].coefficient == 1:
        return _exact_partial(entry.terms[0], entry.expr, point, components, context, show_value)
    # A sum of terms (or a multiple of one): each term is judged, then their sum.
    for term in entry.terms:
        problem, _ = context(term.component, point)
        if problem is not None:  # the expression itself is undefined here
            return _with_derivative_value(problem, entry.expr, point) if show_value else problem
    checks = [_exact_partial(t, t.expr, point, components, context, False) for t in entry.terms]
    failed = next(
        ((term, check) for term, check in zip(entry.terms, checks, strict=True) if not check.agree),
        None,
    )
    if failed is not None:
        term, check = failed
        if check.verdict == INFINITE:  # infinite terms can sum to anything: the sum itself
            end = _end_of(context(term.component, point)[1], term)
            if end is not None:
                return _at_end(entry.expr, point, end)
            return _value(entry.expr, _along(term, point), point)
        words = _term_words(term, len(components))
        return EntryCheck(check.verdict, None, check.note, f"{words}: {check.reason}")
    notes = [
        f"{_term_words(term, len(components))}: {check.note}"
        for term, check in zip(entry.terms, checks, strict=True)
        if check.note
    ]
    total = sympy.Add(
        *[
            rational(t.coefficient) * check.exact
            for t, check in zip(entry.terms, checks, strict=True)
        ]
    )
    return EntryCheck(AGREE, total, "; ".join(notes) or None)


def _term_words(term: Term, components: int) -> str:
    """A term as a reason names it: the term 2·d2/dx2 (of f2, among several expressions)."""
    order = len(term.sequence)
    coefficient = "" if term.coefficient == 1 else f"{term.coefficient}·"
    component = f" of f{term.component + 1}" if components > 1 else ""
    if not order:
        return f"the term {coefficient}f{component}"
    runs: list[list] = []
    for symbol in term.sequence:
        if runs and runs[-1][0] == symbol:
            runs[-1][1] += 1
        else:
            runs.append([symbol, 1])
    below = "".join(f"d{s}" + (str(n) if n > 1 else "") for s, n in runs)
    return f"the term {coefficient}d{order if order > 1 else ''}/{below}{component}"


def _exact_partial(term: Term, expr, point, components, context, show_value) -> EntryCheck:
    problem, breaks = context(term.component, point)
    if problem is not None:
        return _with_derivative_value(problem, expr, point) if show_value else problem
    end = _end_of(breaks, term)
    if end is not None:
        return _at_end(expr, point, end)
    relevant = [b for b in breaks if b.symbols & set(term.sequence)]
    if relevant:
        return _across_breaks(components[term.component], term.sequence, point, relevant)
    return _value(expr, _along(term, point), point)


def _along(term: Term, point: dict) -> sympy.Symbol | None:
    """The variable a limit of the term is taken along: its last one; for the
    expression itself (order 0, a Taylor polynomial's constant term), the first of the
    point's symbols it has (None if none)."""
    if term.sequence:
        return term.sequence[-1]
    free = term.expr.free_symbols
    return next((symbol for symbol in point if symbol in free), None)


def _component_context(f: sympy.Expr, values) -> tuple[EntryCheck | None, list[_Break]]:
    value, note = evaluate(f, values)
    if is_undefined(value):
        if _limit_of(f, values) is None:
            return EntryCheck(UNDEFINED, None, reason=_undefined_reason(value, "expression")), []
    elif precision.real_value(value) is None:
        return EntryCheck(UNDEFINED, None, note, _undefined_reason(value, "expression")), []
    return None, _active_breaks(f, values)


def _with_derivative_value(problem: EntryCheck, expr: sympy.Expr, values) -> EntryCheck:
    """The component's problem, showing the derivative's value where it is a real number."""
    try:
        value = exact_at(expr, values)
    except LimitError:
        return problem
    real = precision.real_value(value)
    shown = value if real is not None and mpmath.isfinite(real.value) else None
    return EntryCheck(problem.verdict, shown, problem.note, problem.reason)


def evaluate(expr: sympy.Expr, values) -> tuple[sympy.Expr, str | None]:
    """The exact value at the point, or a 30-digit float where building it is too costly."""
    try:
        return exact_at(expr, values), None
    except LimitError:
        real = precision.real_value(expr, subs=values)
        if real is None:
            approximate = expr.evalf(30, subs=values)
        elif mpmath.isnan(real.value):  # not even a float: not undefined, unknown
            raise Unevaluable(
                "the exact value could not be evaluated: its numbers are beyond what "
                "sympy and mpmath can build or evaluate"
            ) from None
        else:
            approximate = sympy.Float(mpmath.nstr(real.value, 30), 30)
        return approximate, "the exact value is a 30-digit float (the exact number is too costly)"


def _value(expr: sympy.Expr, variable: sympy.Symbol, values) -> EntryCheck:
    value, note = evaluate(expr, values)
    if is_undefined(value) and variable is not None:
        limit = _one_sided_limits(expr, variable, values)
        if limit is not None and limit[0] == limit[1] and _finite(limit[0]):
            point = point_text(values[variable])
            return EntryCheck(
                AGREE,
                limit[0],
                f"the exact value is the limit as {variable} → {point}, "
                f"as substitution gives {_value_text(value)}",
            )
        if limit is not None and limit[0] == limit[1] and limit[0].is_infinite:
            return EntryCheck(INFINITE, limit[0], reason="the derivative diverges here")
    return classify(value, note)


def classify(value: sympy.Expr, note: str | None) -> EntryCheck:
    """The check of a value found by substitution: agree where it is a finite real number."""
    if _is_infinite(value):
        reason = f"the derivative is infinite here ({_value_text(value)})"
        return EntryCheck(INFINITE, value, note, reason)
    real = precision.real_value(value)
    if real is None:
        return EntryCheck(UNDEFINED, None, note, _undefined_reason(value, "derivative"))
    if mpmath.isinf(real.value):
        return EntryCheck(INFINITE, value, note, "the derivative is infinite here")
    return EntryCheck(AGREE, value, note)


def _is_infinite(value: sympy.Expr) -> bool:
    # Told from the atoms, not from sympy's assumptions: is_infinite evaluates numbers
    # in mpmath, which overflows (erfc(1e155)), gives up on complex ones
    # (gamma(acos(1.0000001))), or computes ln 2 to millions of digits for the sign of
    # exp(exp(exp(exp(exp(1))))) (a minute, measured). sympy's own evaluation turns
    # poles into zoo and divergent functions into oo.
    return bool(value.has(sympy.zoo, sympy.oo, sympy.S.NegativeInfinity))


def _undefined_reason(value: sympy.Expr, what: str) -> str:
    if _is_infinite(value):
        return f"the {what} is infinite here ({_value_text(value)})"
    if value.has(sympy.nan):
        return f"the {what} is undefined here (nan), and no limit was found"
    return f"the {what} is not a real number here ({_value_text(value)}): outside its domain"


def _value_text(value: sympy.Expr) -> str:
    """An exact value in a reason: one-line math, sympy's zoo and nan said in words."""
    if value is sympy.zoo:
        return "complex infinity"
    if value is sympy.nan:
        return "nan: not a number, as 0/0"
    return math_text(value)


def compare(
    check: EntryCheck,
    at_float: EntryCheck,
    number: float,
    dtype: str,
    point: dict,
    rounded: bool,
    expr: sympy.Expr,
) -> EntryCheck:
    """The verdict on torch's number against the exact value at the float point it was given.

    check: the exact value at the point as given; at_float: at torch's float point
    (point, exact rationals), which is the same check unless rounding moved the point.
    expr: the entry, for the rounding-error bound (None: no imprecise verdict, only
    disagree, where torch's number is off).
    """
    where = f" at the {dtype} point torch was given" if rounded else ""
    if at_float.verdict != AGREE:
        reason = f"{at_float.reason}{where} ({_point_text(point)})"
        return EntryCheck(at_float.verdict, check.exact, check.note, reason)
    real = precision.real_value(at_float.exact)
    exact, torch_number = real.value, mpmath.mpf(number)
    conditioning = _conditioning(check, real, dtype, point) if rounded else None
    float_note = at_float.note if rounded and at_float.note != check.note else None
    notes = [n for n in (check.note, float_note, conditioning) if n]
    note = "; ".join(notes) or None
    if not real.certified:
        reason = (
            "the exact value could not be evaluated: a function's argument is beyond 10^1000"
            if mpmath.isnan(exact)
            else f"the exact value's digits still move at {precision.MAX_PRECISION} digits "
            f"(last: {_decimal(exact)})"
        )
        return EntryCheck(UNVERIFIED, check.exact, note, reason)
    expected = precision.rounded(real, dtype)

    def verdict(name: str, reason: str | None = None) -> EntryCheck:
        return EntryCheck(name, check.exact, note, reason, expected)

    shown = _exact_text(at_float.exact, exact)
    _, tiny, largest = precision.float_limits(dtype)
    tolerance = TOLERANCES[dtype]
    # the range verdicts say no point: the value at the point as given, as the table has
    # it, where that is as far out of range
    typed = precision.real_value(check.exact) if rounded else real
    typed_text = None if typed is None else _exact_text(check.exact, typed.value)
    if abs(exact) > largest and math.isinf(number) and (number > 0) == (exact > 0):
        beyond = typed is not None and typed.certified and abs(typed.value) > largest
        return verdict(
            OVERFLOW, f"the exact value {typed_text if beyond else shown} is beyond {dtype}'s range"
        )
    if exact != 0 and number == 0 and abs(exact) < tiny:
        below = typed is not None and typed.certified and 0 < abs(typed.value) < tiny
        return verdict(
            UNDERFLOW,
            f"the exact value {typed_text if below else shown} is below {dtype}'s smallest "
            "normal number",
        )
    if math.isfinite(number) and (number != 0 or exact == 0):
        if abs(torch_number - exact) <= tolerance * (abs(exact) + tiny):
            return verdict(AGREE)
    described = f"the exact value{where} is {shown}"
    if math.isfinite(number) and abs(exact) <= largest:
        bound = _rounding_error(expr, point, dtype)
        if bound is not None and abs(torch_number - exact) <= ROUNDING_MARGIN * bound:
            return verdict(
                IMPRECISE,
                f"{described}, and torch's number is within the rounding error {dtype} can "
                f"make evaluating it here (±{mpmath.nstr(ROUNDING_MARGIN * bound, 2)}): "
                "cancellation",
            )
    return verdict(DISAGREE, described)


def _conditioning(check: EntryCheck, at_float, dtype: str, point) -> str | None:
    """A note where rounding the point to dtype alone moves the exact value past the
    tolerance (the derivative is ill-conditioned there)."""
    typed = precision.real_value(check.exact)
    if typed is None or not typed.certified or not mpmath.isfinite(typed.value):
        return None
    if typed.value == at_float.value:
        return None
    change = abs(typed.value - at_float.value) / max(abs(typed.value), abs(at_float.value))
    if change <= TOLERANCES[dtype]:
        return None
    moves = (
        f"the exact value moves by {mpmath.nstr(change, 2)} (relative) when the point is "
        f"rounded to {dtype} ({_point_text(point)})"
    )
    before, after = _decimal(typed.value), _decimal(at_float.value)
    if before == after:  # 10^(-4.3429448190325183e+309) both: 17 digits of the log10
        return moves
    return f"{moves}: from {before} at the point as given to {after}, which torch is compared with"


def _decimal(value: mpmath.mpf) -> str:
    """The shortest decimal of the nearest float64 where that is the value to 17 digits;
    17 significant digits beyond float64's normal range (`10^(4.3429448190325183e+299)`
    beyond 10^(10^6): numbers.power_of_ten)."""
    number = float(value)
    if number == 0 and value != 0 or math.isinf(number) or 0 < abs(number) < 2.3e-308:
        return decimal_text(value, 17)
    return repr(number)


def _exact_text(value: sympy.Expr, number: mpmath.mpf) -> str:
    """An exact value as the table writes it where that is an integer or a decimal
    (`3e600`, `0.125`), else the decimal of its number."""
    exact = short_rational(value) if value is not None and value.is_Rational else None
    return exact if exact is not None and "/" not in exact else _decimal(number)


def _point_text(point) -> str:
    return ", ".join(f"{s} = {float(v)!r}" for s, v in point.items())


def _rounding_error(expr, point, dtype: str):
    if expr is None:  # not known here (derivcli.check.fast): no imprecise verdict
        return None
    unit, _, _ = precision.float_limits(dtype)
    bound = rounding.error_bound(expr, point)
    return None if bound is None or not mpmath.isfinite(bound) else bound * unit


# --- kinks and jumps ---------------------------------------------------------------


def _active_breaks(f: sympy.Expr, values) -> list[_Break]:
    breaks = []
    for node in sympy.preorder_traversal(f):
        spec = _spec(node)
        if spec is None or spec.breaks is None or not node.free_symbols:
            continue
        try:
            involved = _break_arguments(spec.breaks, node, values)
        except LimitError:  # too costly to tell: assume the worst
            involved = node.args
        if involved:
            symbols = frozenset().union(*(a.free_symbols for a in involved))
            breaks.append(_Break(node, spec.break_kind, symbols))
    return breaks


def _spec(node):
    """The metadata row of the table's function at the node, or None."""
    name = name_of(node)
    return None if name is None else BY_NAME[name]


def _break_arguments(rule: str, node: sympy.Basic, values) -> list:
    """The arguments whose change switches the node's piece at the point ([]: none)."""
    if rule == "zero":
        return list(node.args[:1]) if _equal(exact_at(node.args[0], values), sympy.S.Zero) else []
    if rule == "branch":  # lambertw's branch point
        on = _equal(exact_at(node.args[0], values), -sympy.exp(-1))
        return list(node.args[:1]) if on else []
    if rule == "integer":
        value = exact_at(node.args[0], values)
        number = to_float(value)
        on = number is not None and _equal(value, sympy.Integer(round(number)))
        return list(node.args[:1]) if on else []
    args = [exact_at(arg, values) for arg in node.args]
    numbers = [to_float(a) for a in args]
    if any(n is None for n in numbers):
        return []
    if rule == "cut":  # atan2(y, x)
        on_cut = _equal(args[0], sympy.S.Zero) and numbers[1] <= 0
        return list(node.args) if on_cut else []
    pick = max if isinstance(node, sympy.Max) else min
    best = pick(range(len(numbers)), key=numbers.__getitem__)
    close = [
        i
        for i, n in enumerate(numbers)
        if i != best and abs(n - numbers[best]) <= 1e-12 * max(1, abs(n))
    ]
    tied = [i for i in close if _equal(args[i], args[best])]
    # Only the tied arguments switch the piece: max(x, y, z) at x = y = 1, z = 0 has
    # d/dz = 0.
    return [node.args[i] for i in [best, *tied]] if tied else []


def _equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    difference = a - b
    if difference.is_zero is not None:
        return bool(difference.is_zero)
    number = to_float(difference)
    return number is not None and abs(number) < 1e-15 and bool(difference.equals(0))


# A break where the one-sided limits could not be found: not differentiable is the
# likely answer, said as uncertain ("not differentiable: may not be" read as a contradiction)
UNCERTAIN = "perhaps (its one-sided limits could not be found)"


def _end_of(breaks: list[_Break], term: Term) -> _Break | None:
    """The first break among breaks where a domain ends that the term's variables move."""
    return next((b for b in breaks if b.kind == END and b.symbols & set(term.sequence)), None)


def _at_end(expr, values, end: _Break) -> EntryCheck:
    """The derivative at the end of a function's domain, where the function's own
    derivative is infinite (lambertw at -1/e): by substitution alone, as sympy's
    one-sided limits there are finite and wrong (e/(e - 1) for W' at -1/e, where
    W'(x) = 1/(x + exp(W)) grows as 1/sqrt(x + 1/e)). zoo: infinite; a finite value
    stands. nan (zoo - zoo) is tried again over one denominator (W‴ at -1/e: a nonzero
    numerator over a vanishing one is infinite); still nan (0·zoo, an argument that
    stands still: lambertw(y^2 - 1/e) at y = 0 has a kink), it is not decided."""
    value, note = evaluate(expr, values)
    if value.has(sympy.nan):
        try:
            with budget.time_budget(LIMIT_SECONDS, "a limit"):
                value, note = evaluate(sympy.together(expr), values)
        except LimitError:
            pass
    if value.has(sympy.nan):
        return EntryCheck(NOT_DIFFERENTIABLE, None, reason=f"{UNCERTAIN}: {end.describe()}")
    check = classify(value, note)
    if check.verdict == INFINITE:
        check.reason = f"the derivative is infinite here ({_value_text(value)}): {end.describe()}"
    return check


def _across_breaks(f, sequence, values, breaks: list[_Break]) -> EntryCheck:
    """Differentiate f along sequence at a point where some of its pieces switch."""
    expr = f
    value, _ = evaluate(f, values)
    if is_undefined(value):
        value = _limit_of(f, values)
    for variable in sequence:
        named = next((b for b in breaks if variable in b.symbols), breaks[0])
        sides = _one_sided_limits(expr, variable, values)
        if sides is None:
            return EntryCheck(NOT_DIFFERENTIABLE, None, reason=f"{UNCERTAIN}: {named.describe()}")
        if not (sides[0] == sides[1] and _finite(sides[0]) and value is not None):
            return EntryCheck(NOT_DIFFERENTIABLE, None, reason=named.describe())
        if not _equal(sides[0], value):
            return EntryCheck(NOT_DIFFERENTIABLE, None, reason=named.describe())
        expr = sympy.diff(expr, variable)
        slopes = _one_sided_limits(expr, variable, values)
        if slopes is None or slopes[0] != slopes[1]:
            return EntryCheck(NOT_DIFFERENTIABLE, None, reason=named.describe())
        if not _finite(slopes[0]):
            return EntryCheck(INFINITE, slopes[0], reason="the derivative diverges here")
        value = slopes[0]
    return EntryCheck(
        AGREE,
        value,
        f"the exact value is the common value of the one-sided limits ({breaks[0].describe()})",
    )


# --- limits -----------------------------------------------------------------------


def _limit_of(f: sympy.Expr, values) -> sympy.Expr | None:
    """A finite two-sided limit of f along one of its variables, the others fixed."""
    for variable in sorted(f.free_symbols, key=lambda s: s.name):
        sides = _one_sided_limits(f, variable, values)
        if sides is not None and sides[0] == sides[1] and _finite(sides[0]):
            return sides[0]
    return None


def _one_sided_limits(expr, variable, values) -> tuple[sympy.Expr, sympy.Expr] | None:
    others = {s: v for s, v in values.items() if s != variable}
    try:
        with budget.time_budget(LIMIT_SECONDS, "a limit"):
            g = exact_at(expr, others)
            if is_undefined(g):
                return None
            target = values[variable]
            right = sympy.limit(g, variable, target, "+")
            left = sympy.limit(g, variable, target, "-")
    except (LimitError, NotImplementedError, ValueError, TypeError, RecursionError, MemoryError):
        return None
    if not _is_number(left) or not _is_number(right):
        return None
    return right, left


def _is_number(value) -> bool:
    return (
        isinstance(value, sympy.Expr)
        and not value.free_symbols
        and not value.has(sympy.Limit, sympy.AccumBounds, sympy.nan)
    )


def is_undefined(value: sympy.Expr) -> bool:
    """Whether the value is nan or zoo, or contains them."""
    return value.has(sympy.nan, sympy.zoo)


def _finite(value: sympy.Expr) -> bool:
    number = to_float(value)
    return number is not None and math.isfinite(number)
