"""A result as LaTeX (--format latex, Result._repr_latex_) and as an HTML table
(Result._repr_html_).

The LaTeX is a fragment for a document that loads amsmath: the expression, the
symbolic result, and with points the exact values at each one, each a display
(\\[ ... \\]); torch's numbers and the check are comment lines under each point, so
that the fragment typesets the mathematics only. Vectors are columns (a gradient is
the column ∇f, as in most texts; a vector-Jacobian product uᵀJ is a row), matrices
pmatrix (an array in parentheses beyond amsmath's ten columns).

Entries are derivcli's printed texts (the JSON document's symbolic and exact fields),
read back with derivcli's parser and printed by sympy's LaTeX printer, whichever
backend made them. An entry too large to read (display.SHORTEN_OPS operations, or
4 × that many characters) is a short text saying its size, and so is every entry left
when the display budget (display.DISPLAY_SECONDS) runs out: the output is always
valid LaTeX.
"""

from __future__ import annotations

import html
import itertools
import math
import re
import time
import unicodedata

import sympy
from sympy.printing.latex import LatexPrinter

from derivcli.nested import flatten, map_nested, nested_shape
from derivcli.result import PointResult, Result
from derivcli.symbolic.display import DISPLAY_GRACE, DISPLAY_SECONDS, SHORTEN_OPS

PREAMBLE = "% derivcli {kind}: LaTeX for a document with \\usepackage{{amsmath}}"
NONE = "\\text{not differentiable}"  # where an entry has no exact value
MATRIX_COLUMNS = 10  # amsmath's pmatrix holds at most this many (MaxMatrixCols)
_SPECIAL = {"ħ": r"\hbar", "µ": r"\mu", "ϕ": r"\varphi", "ϑ": r"\vartheta", "ϵ": r"\epsilon"}
_SPECIAL.update({"ϱ": r"\varrho", "ϖ": r"\varpi", "ς": r"\varsigma"})


def render_latex(result: Result, precision: int = 6) -> str:
    """--format latex: the displays, each point's check as comment lines under its own."""
    printer = _Printer(result.variables)
    lines = [PREAMBLE.format(kind=result.kind)]
    for display in _header(result, printer):
        lines += ["\\[", display, "\\]"]
    for point in result.results:
        displays = _at_point(result, point, printer)
        for display in displays:
            lines += ["\\[", display, "\\]"]
        polynomial = result.kind == "taylor" and point.extra.get("polynomial") is not None
        checks = _check_lines(result, point, precision, notes=not polynomial)
        lines += [f"% {_one_line(line)}" for line in checks]
    return "\n".join(lines) + "\n"


def repr_latex(result: Result) -> str:
    """Result._repr_latex_: the same displays, each in $$ ... $$ as Jupyter typesets them."""
    printer = _Printer(result.variables)
    displays = _header(result, printer)
    for point in result.results:
        displays += _at_point(result, point, printer)
    return "\n".join(f"$${display}$$" for display in displays)


def repr_html(result: Result, precision: int = 6) -> str:
    """Result._repr_html_: a table per point (entry, symbolic, exact, torch, verdict;
    the symbolic entries alone without points), every text escaped; the operation's
    notes and the findings below each."""
    e = html.escape
    op = result.op
    labels = flatten(op.labels(result.variables, len(result.expressions)))
    symbolic = flatten(result.symbolic)
    parts = [
        f"<p><b>{e(op.title)}</b> of <code>{e(', '.join(result.expressions))}</code> "
        f"by {e(', '.join(result.variables))}"
        + (f"; torch on {e(result.device)}, {e(result.dtype)}" if result.results else "")
        + "</p>"
    ]
    for point in result.results or [None]:
        head = ["entry", "symbolic"] + (["exact", "torch", "check"] if point else [])
        rows = ["<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
        columns = [labels, symbolic]
        if point is not None:
            parts.append(f"<p>at {e(_point_words(point))}</p>")
            exact = ["not differentiable" if v is None else v for v in flatten(point.exact)]
            numbers = [_number(v, precision) for v in flatten(point.numeric)]
            columns += [exact, numbers, flatten(point.verdicts)]
        for cells in zip(*columns, strict=True):
            rows.append("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in cells) + "</tr>")
        parts.append("<table>" + "".join(rows) + "</table>")
        if point is not None:
            lines = op.notes(point) + point.warnings
            if point.agree:
                lines.insert(0, "torch agrees with the exact values")
            parts += [f"<p>{e(line)}</p>" for line in lines if line]
    return "\n".join(parts)


def _header(result: Result, printer: _Printer) -> list[str]:
    """The expression (with the operation's vector), then the symbolic result."""
    f = _function(result)
    arguments = ", ".join(printer.name(v) for v in result.variables)
    if len(result.expressions) == 1 and not result.op.coordinates:
        expression = printer.entry(result.expressions[0])
    else:
        expression = _matrix([[printer.entry(text)] for text in result.expressions])
    first = f"{f}({arguments}) = {expression}"
    vector = _vector(result, printer)
    if vector:
        first += f", \\quad {vector}"
    if result.kind == "taylor":
        return [first, _taylor_coefficients(result, printer)]
    symbolic = map_nested(printer.entry, result.symbolic)
    return [first, f"{_name(result, printer)} = {_shaped(result, symbolic)}"]


def _at_point(result: Result, point: PointResult, printer: _Printer) -> list[str]:
    """The exact values at the point (the Taylor polynomial, for taylor)."""
    at = ",\\ ".join(
        f"{printer.name(name)} = {printer.entry(value)}" for name, value in point.point_text.items()
    )
    if result.kind == "taylor":
        polynomial = _taylor_polynomial(result, point, printer)
        if polynomial is not None:
            return [polynomial]
        return [_taylor_values(result, point, printer, at)]
    values = map_nested(lambda v: NONE if v is None else printer.entry(v), point.exact)
    shown = _shaped(result, values)
    if not isinstance(point.exact, list) and point.exact is not None:
        shown += _approximately(printer.parsed(point.exact), point.expected)
    return [f"\\left. {_name(result, printer)} \\right|_{{{at}}} = {shown}"]


def _approximately(value, expected) -> str:
    """≈ its decimal, for a scalar that is not a rational number."""
    if value is None or value.is_Rational or expected is None or not math.isfinite(expected):
        return ""
    return f" \\approx {expected:.6g}"


def _check_lines(result: Result, point: PointResult, precision: int, notes: bool) -> list[str]:
    """torch's numbers at the point and the check, for comment lines (notes: with the
    operation's notes, which taylor's polynomial display replaces)."""
    numbers = map_nested(lambda v: _number(v, precision), point.numeric)
    shown = numbers if isinstance(numbers, str) else str(numbers).replace("'", "")
    verdict = "agrees with the exact values" if point.agree else "see below"
    lines = [
        f"at {_point_words(point)}: torch ({result.device}, {result.dtype}) {shown}: {verdict}"
    ]
    lines += [note for note in result.op.notes(point) if note and notes]
    return lines + point.warnings


def _point_words(point: PointResult) -> str:
    return ", ".join(f"{name} = {value}" for name, value in point.point_text.items())


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _number(value, precision: int) -> str:
    """torch's number as the table prints it."""
    from derivcli.render import _number as as_in_the_table

    return as_in_the_table(value, precision)


def _function(result: Result) -> str:
    """f for one expression, a bold f for several, a bold F for a field."""
    if result.op.coordinates:
        return "\\mathbf{F}"
    return "f" if len(result.expressions) == 1 else "\\mathbf{f}"


def _name(result: Result, printer: _Printer) -> str:
    """The quantity's symbol: ∇f, H_f, ∂²f/∂x∂y, J_f v, ...; the title as text otherwise."""
    f = _function(result)
    names = {
        "grad": f"\\nabla {f}",
        "jacobian": f"J_{{{f}}}",
        "hessian": f"H_{{{f}}}",
        "laplacian": f"\\nabla^{{2}} {f}",
        "divergence": f"\\nabla \\cdot {f}",
        "curl": f"\\nabla \\times {f}",
        "directional": f"D_{{\\mathbf{{v}}}} {f}",
        "jvp": f"J_{{{f}}} \\mathbf{{v}}",
        "vjp": f"\\mathbf{{u}}^{{\\top}} J_{{{f}}}",
        "hvp": f"H_{{{f}}} \\mathbf{{v}}",
    }
    if result.kind == "diff":
        return _partial(f, list(result.op.config() or result.variables[:1]), printer)
    return names.get(result.kind) or f"\\text{{{_escaped_text(result.op.title)}}}"


def _partial(f: str, order: list[str], printer: _Printer) -> str:
    """∂ⁿf / ∂x²∂y for the order of differentiation x, x, y."""
    groups = [(name, len(list(run))) for name, run in itertools.groupby(order)]
    below = " ".join(
        f"\\partial {printer.name(name)}" + (f"^{{{count}}}" if count > 1 else "")
        for name, count in groups
    )
    above = "\\partial" + (f"^{{{len(order)}}}" if len(order) > 1 else "")
    return f"\\frac{{{above} {f}}}{{{below}}}"


def _vector(result: Result, printer: _Printer) -> str:
    """v = (...)ᵀ for the operations along a vector (u for vjp); empty otherwise."""
    if result.op.options != ("vector",) or not result.op.config():
        return ""
    values = [sympy.latex(value) for value in result.op.config()]  # parsed sympy numbers
    letter = "u" if result.kind == "vjp" else "v"
    return f"\\mathbf{{{letter}}} = {_matrix([[value] for value in values])}"


def _shaped(result: Result, texts) -> str:
    """The entries (LaTeX) in the result's shape: a scalar, a column (a row for vjp), a
    matrix."""
    shape = nested_shape(texts)
    if not shape:
        return texts
    if len(shape) == 1:
        return _matrix([texts] if result.kind == "vjp" else [[text] for text in texts])
    return _matrix(texts)


def _matrix(rows: list[list[str]]) -> str:
    """pmatrix, or an array in parentheses where there are more columns than it holds."""
    body = " \\\\ ".join(" & ".join(row) for row in rows)
    columns = len(rows[0]) if rows else 0
    if columns <= MATRIX_COLUMNS:
        return f"\\begin{{pmatrix}} {body} \\end{{pmatrix}}"
    return f"\\left(\\begin{{array}}{{{'c' * columns}}} {body} \\end{{array}}\\right)"


def _taylor_coefficients(result: Result, printer: _Printer) -> str:
    """taylor's entries, each named by its term: c_{x^2} = f_xx/2, ..."""
    labels = flatten(result.op.labels(result.variables, 1))
    rows = [
        f"c_{{{printer.entry(label[2:-1])}}} &= {printer.entry(text)}"
        for label, text in zip(labels, flatten(result.symbolic), strict=True)
    ]
    return "\\begin{aligned} " + " \\\\ ".join(rows) + " \\end{aligned}"


def _taylor_values(result: Result, point: PointResult, printer: _Printer, at: str) -> str:
    """The coefficients' exact values at the point, where there is no polynomial (one of
    them does not exist, as at a kink)."""
    labels = flatten(result.op.labels(result.variables, 1))
    rows = [
        f"c_{{{printer.entry(label[2:-1])}}} &= {NONE if value is None else printer.entry(value)}"
        for label, value in zip(labels, flatten(point.exact), strict=True)
    ]
    body = " \\\\ ".join(rows)
    return f"\\left. \\begin{{aligned}} {body} \\end{{aligned}} \\right|_{{{at}}}"


def _taylor_polynomial(result: Result, point: PointResult, printer: _Printer) -> str | None:
    """f ≈ Σ c (x - x0)^a at the point, where every coefficient exists."""
    if point.extra.get("polynomial") is None:
        return None
    shifts = {}
    for name in result.variables:
        centre, variable = printer.parsed(point.point_text[name]), printer.name(name)
        if centre is None:
            return None
        shifts[name] = sympy.Dummy(name)
        if centre == 0:
            printer.names[shifts[name]] = variable
        else:
            sign = "+" if centre.is_negative else "-"
            shown = printer.latex(-centre if centre.is_negative else centre)
            printer.names[shifts[name]] = f"\\left({variable} {sign} {shown}\\right)"
    polynomial = ""
    for term in point.extra["terms"]:  # by total degree, as the coefficients are listed
        if len(term["exact"]) > 4 * SHORTEN_OPS:
            return None  # too large to read: a comment line has the polynomial as text
        coefficient = printer.parsed(term["exact"])
        if coefficient is None:
            return None
        if coefficient == 0:
            continue
        monomial = sympy.Mul(*[shifts[n] ** k for n, k in term["powers"].items()])
        shown = printer.latex(coefficient * monomial)
        if not polynomial:
            polynomial = shown
        else:
            polynomial += f" - {shown[1:].lstrip()}" if shown.startswith("-") else f" + {shown}"
    f = _function(result)
    arguments = ", ".join(printer.name(v) for v in result.variables)
    return f"{f}({arguments}) \\approx {polynomial or 0}"


class _Printer(LatexPrinter):
    """sympy's LaTeX printer with derivcli's names and functions, and a budget: each
    text printed once, too large ones and those past the time said by their size."""

    def __init__(self, variables: list[str] | tuple[str, ...] = ()):
        super().__init__({"inv_trig_style": "full"})
        self.names: dict = {}  # symbols printed verbatim (the Taylor polynomial's shifts)
        self.done: dict[str, str] = {}
        self.expressions: dict[str, sympy.Basic | None] = {}
        self.until = time.monotonic() + DISPLAY_SECONDS + DISPLAY_GRACE
        self._distinct_names(variables)

    def _distinct_names(self, variables) -> None:
        """Distinct variables printed distinctly: x2 as \\mathit{x2} beside x_2 (both
        x_{2} otherwise); and a constant or function that prints as a variable does
        (EulerGamma as gamma, Heaviside as theta) printed another way."""
        shown: dict[str, list[str]] = {}
        for name in variables:
            shown.setdefault(self.name(name), []).append(name)
        for names in shown.values():
            for name in sorted(names, key=lambda n: "_" in n or not n.isascii())[:-1]:
                verbatim = _escaped_text(name) if name.isascii() else _letters(name)
                self.names[sympy.Symbol(name, real=True)] = f"\\mathit{{{verbatim}}}"
                self.names[sympy.Symbol(name)] = self.names[sympy.Symbol(name, real=True)]
        self.taken = {self.name(name) for name in variables}

    def _print(self, expr, **kwargs):
        if expr is sympy.EulerGamma and "\\gamma" in self.taken:
            return "\\gamma_{\\mathrm{E}}"
        if expr is sympy.zoo:  # complex infinity: no sign, as the table's ±∞
            return "\\pm\\infty"
        return super()._print(expr, **kwargs)

    def _print_Heaviside(self, expr, exp=None):  # noqa: N802 - sympy's dispatch
        shown = super()._print_Heaviside(expr, exp)
        if "\\theta" in self.taken:
            return shown.replace("\\theta", "\\operatorname{H}", 1)
        return shown

    def _print_DiracDelta(self, expr, exp=None):  # noqa: N802
        shown = super()._print_DiracDelta(expr, exp)
        if "\\delta" in self.taken:
            return shown.replace("\\delta", "\\delta_{\\mathrm{D}}", 1)
        return shown

    def _print_Integer(self, expr):  # noqa: N802
        return _power_of_ten(expr) or str(expr.p)

    def _print_Rational(self, expr):  # noqa: N802
        return _power_of_ten(expr) or super()._print_Rational(expr)

    def entry(self, text: str) -> str:
        """One printed entry (derivcli's text) as LaTeX."""
        if text not in self.done:
            self.done[text] = self._entry(text)
        return self.done[text]

    def _entry(self, text: str) -> str:
        if len(text) > 4 * SHORTEN_OPS:
            return _too_large(f"{len(text):,} characters")
        if time.monotonic() > self.until:
            return _too_large("not printed within the display budget")
        expr = self.parsed(text)
        if expr is None:
            return f"\\texttt{{{_escaped_text(text)}}}"
        operations = sympy.count_ops(expr)
        if operations > SHORTEN_OPS:
            return _too_large(f"{operations:,} operations")
        return self.latex(expr)

    def parsed(self, text: str):
        """The text read back as sympy's expression (None where the parser refuses it)."""
        if text not in self.expressions:
            from derivcli.errors import DerivcliError
            from derivcli.expr.parse import parse_result

            try:
                self.expressions[text] = parse_result(text)
            except (DerivcliError, RecursionError, ValueError, TypeError):
                self.expressions[text] = None
        return self.expressions[text]

    def latex(self, expr, **settings) -> str:
        """expr as LaTeX, with this printer's names and functions."""
        from derivcli import recursion

        saved = dict(self._settings)
        self._settings.update(settings)
        try:
            with recursion.room_for([expr], refuse=True):
                return self.doprint(expr)
        finally:
            self._settings = saved

    def name(self, name: str) -> str:
        """A variable's name: x_1 as x_{1}, alpha and α as \\alpha."""
        return self._print_Symbol(sympy.Symbol(name))

    def _print_Symbol(self, expr, style="plain"):  # noqa: N802 - sympy's dispatch
        if expr in self.names:
            return self.names[expr]
        name = expr.name
        if name.isascii():
            return super()._print_Symbol(expr, style)
        base, _, below = name.partition("_")
        subscript = f"_{{{_letters(below)}}}" if below else ""
        return _letters(base) + subscript

    def _print_root(self, expr, exp=None):  # noqa: N802 - derivcli's real root(x, n)
        x, n = expr.args
        shown = f"\\sqrt[{self._print(n)}]{{{self._print(x)}}}"
        return f"{{{shown}}}^{{{exp}}}" if exp else shown


def _letters(text: str) -> str:
    """Greek letters (and ħ, µ) as LaTeX's commands, other characters as they are."""
    out = []
    for i, ch in enumerate(text):
        command = _SPECIAL.get(ch) or _greek(ch)
        if command is None:
            out.append(ch)
            continue
        following = text[i + 1 : i + 2]
        out.append(command + (" " if following.isalpha() else ""))
    return "".join(out)


def _greek(ch: str) -> str | None:
    words = unicodedata.name(ch, "").split()
    if len(words) != 4 or words[:1] != ["GREEK"] or words[2] != "LETTER":
        return None
    letter = words[3].lower()
    # sympy's names: \\Gamma for Γ, but A for Α (LaTeX has no \\Alpha), o for ο
    return sympy.latex(sympy.Symbol(letter.capitalize() if words[1] == "CAPITAL" else letter))


LONG_DIGITS = 20  # a number with more digits is written m·10^k where it is one


def _power_of_ten(value: sympy.Rational) -> str | None:
    """1e300 as 10^{300}, 3e600 as 3 \\cdot 10^{600}, 1e-300 as 10^{-300}: a long
    number that is a short decimal times a power of ten; None for another."""
    from derivcli.symbolic.numbers import short_rational

    if len(str(abs(value.p))) + (len(str(value.q)) if value.q != 1 else 0) <= LONG_DIGITS:
        return None
    text = short_rational(value)
    if text is None or "e" not in text:
        return None
    mantissa, exponent = text.split("e")
    power = f"10^{{{int(exponent)}}}"
    if mantissa in ("1", "-1"):
        return power if mantissa == "1" else f"-{power}"
    return f"{mantissa} \\cdot {power}"


def _too_large(size: str) -> str:
    return f"\\text{{(an entry of {size}; \\texttt{{-{{}}-format json}} shows it in full)}}"


_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\^{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\~{}",
}
_TEXT_SPECIAL = re.compile("|".join(re.escape(ch) for ch in _TEXT_ESCAPES))


def _escaped_text(text: str) -> str:
    """text for LaTeX's text mode, every special character escaped."""
    return _TEXT_SPECIAL.sub(lambda match: _TEXT_ESCAPES[match.group()], text)
