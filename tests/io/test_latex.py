"""--format latex and the notebook displays (Result._repr_latex_, _repr_html_).

No LaTeX engine and no antlr4 (sympy's LaTeX parser) are on the development machines:
the output is checked for structure (balanced braces, \\begin/\\end and \\left/\\right
pairs), and its entries against sympy.latex of sympy's own derivatives of the
expression, built here independently of derivcli's parser; where pdflatex is on the
machine, the fragment is also compiled.
"""

from __future__ import annotations

import html.parser
import re
import shutil
import subprocess

import mpmath
import pytest
import sympy
from typer.testing import CliRunner

import derivcli
from derivcli.cli.app import app
from derivcli.errors import InputError
from derivcli.io.latex import render_latex
from derivcli.result import Finding, PointResult, Result

x, y, z = sympy.symbols("x y z", real=True)


def _displays(text: str) -> list[str]:
    """The contents of each \\[ ... \\] display."""
    return re.findall(r"^\\\[\n(.*?)\n\\\]$", text, flags=re.MULTILINE | re.DOTALL)


def _matrix(display: str) -> list[list[str]]:
    """The cells of the display's last pmatrix (its right-hand side)."""
    body = display.rsplit("\\begin{pmatrix}", 1)[1].split("\\end{pmatrix}", 1)[0]
    return [[cell.strip() for cell in row.split(" & ")] for row in body.split(" \\\\ ")]


def _rhs(display: str) -> str:
    return display.split(" = ", 1)[1] if "\\right|" not in display else display.split("} = ", 1)[1]


def _assert_valid(text: str) -> None:
    """Braces balance (escaped ones aside), environments and \\left/\\right pair up, and
    every line is a display delimiter, inside a display, or a comment."""
    depth, environments = 0, []
    body = "\n".join(line for line in text.splitlines() if not line.startswith("%"))
    stripped = re.sub(r"\\[{}]", "", body)
    for ch in stripped:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0, text
    assert depth == 0, text
    for kind, name in re.findall(r"\\(begin|end)\{(\w+)\}", body):
        if kind == "begin":
            environments.append(name)
        else:
            assert environments.pop() == name, text
    assert not environments, text
    assert len(re.findall(r"\\left\b", body)) == len(re.findall(r"\\right\b", body)), text
    opened = False
    for line in text.splitlines():
        if line in ("\\[", "\\]"):
            assert opened == (line == "\\]"), text
            opened = not opened
        else:
            assert opened or line.startswith("%"), text
    assert not opened


def test_hessian_at_a_point_against_sympys_own_hessian():
    f = sympy.sin(x) * y
    hessian = sympy.hessian(f, (x, y))
    text = render_latex(derivcli.hessian("sin(x)*y", at="x=0,y=1"))
    _assert_valid(text)
    expression, symbolic, at = _displays(text)
    assert expression == f"f(x, y) = {sympy.latex(f)}"
    assert symbolic.startswith("H_{f} = \\begin{pmatrix}")
    assert _matrix(symbolic) == [[sympy.latex(hessian[i, j]) for j in range(2)] for i in range(2)]
    assert at.startswith("\\left. H_{f} \\right|_{x = 0,\\ y = 1} = ")
    exact = hessian.subs({x: 0, y: 1})
    assert _matrix(at) == [[sympy.latex(exact[i, j]) for j in range(2)] for i in range(2)]
    assert text.splitlines()[-1].endswith(": agrees with the exact values")


def _truths(name):
    """(derivcli's call, the symbolic result by sympy, as nested sympy expressions)."""
    f = x**2 * sympy.exp(y) + y * z
    fs = [x * y, x + y**2]
    field = [y * z, x * z**2, x * y]
    gradient = [sympy.diff(f, v) for v in (x, y, z)]
    jacobian = sympy.Matrix(fs).jacobian([x, y])
    hessian = sympy.hessian(f, (x, y, z))
    vector = sympy.Matrix([1, 2, 3])
    return {
        "grad": (lambda: derivcli.grad("x^2*exp(y) + y*z"), [[g] for g in gradient]),
        "jacobian": (lambda: derivcli.jacobian(["x*y", "x + y^2"]), jacobian.tolist()),
        "hessian": (lambda: derivcli.hessian("x^2*exp(y) + y*z"), hessian.tolist()),
        "hvp": (
            lambda: derivcli.hvp("x^2*exp(y) + y*z", vector="1,2,3"),
            (hessian * vector).tolist(),
        ),
        "jvp": (
            lambda: derivcli.jvp(["x*y", "x + y^2"], vector="1,2"),
            (jacobian * sympy.Matrix([1, 2])).tolist(),
        ),
        "vjp": (
            lambda: derivcli.vjp(["x*y", "x + y^2"], vector="1,2"),
            (sympy.Matrix([[1, 2]]) * jacobian).tolist(),
        ),
        "curl": (
            lambda: derivcli.curl(["y*z", "x*z^2", "x*y"]),
            [
                [sympy.diff(field[2], y) - sympy.diff(field[1], z)],
                [sympy.diff(field[0], z) - sympy.diff(field[2], x)],
                [sympy.diff(field[1], x) - sympy.diff(field[0], y)],
            ],
        ),
        "divergence": (
            lambda: derivcli.divergence(["y*z", "x*z^2", "x*y"]),
            sum(sympy.diff(c, v) for c, v in zip(field, (x, y, z), strict=True)),
        ),
        "laplacian": (
            lambda: derivcli.laplacian("x^2*exp(y) + y*z"),
            sum(sympy.diff(f, v, 2) for v in (x, y, z)),
        ),
        "diff": (
            lambda: derivcli.diff("x^2*exp(y) + y*z", wrt="x,x,y"),
            sympy.diff(f, x, x, y),
        ),
        "directional": (
            lambda: derivcli.directional("x^2*exp(y) + y*z", vector="2,1,2"),  # |v| = 3
            sum(g * c / 3 for g, c in zip(gradient, (2, 1, 2), strict=True)),
        ),
    }[name]


@pytest.mark.parametrize(
    "name",
    [
        "grad",
        "jacobian",
        "hessian",
        "hvp",
        "jvp",
        "vjp",
        "curl",
        "divergence",
        "laplacian",
        "diff",
        "directional",
    ],
)
def test_every_operations_symbolic_result(name):
    call, truth = _truths(name)
    text = render_latex(call())
    _assert_valid(text)
    symbolic = _displays(text)[1]
    if isinstance(truth, list):
        assert _matrix(symbolic) == [[sympy.latex(sympy.expand(e)) for e in row] for row in truth]
    else:
        assert _rhs(symbolic) == sympy.latex(sympy.expand(truth))


def test_the_left_hand_sides_name_the_quantity():
    assert _displays(render_latex(derivcli.diff("x^3*y", wrt="x,x,y")))[1].startswith(
        "\\frac{\\partial^{3} f}{\\partial x^{2} \\partial y} = "
    )
    grad = render_latex(derivcli.grad("x*y"))
    assert _displays(grad)[1].startswith("\\nabla f = \\begin{pmatrix}")
    vjp = _displays(render_latex(derivcli.vjp(["x*y", "x + y"], vector="1,sqrt(2)")))
    assert vjp[0].endswith("\\mathbf{u} = \\begin{pmatrix} 1 \\\\ \\sqrt{2} \\end{pmatrix}")
    assert vjp[1].startswith("\\mathbf{u}^{\\top} J_{\\mathbf{f}} = ")
    assert " \\\\ " not in vjp[1]  # uᵀJ is a row


def test_a_scalar_exact_value_with_its_decimal():
    f = sympy.exp(2 * x) * sympy.log(y + 2)
    text = render_latex(derivcli.laplacian("exp(2*x)*log(y+2)", at="x=1,y=1"))
    _assert_valid(text)
    exact = (sympy.diff(f, x, 2) + sympy.diff(f, y, 2)).subs({x: 1, y: 1})
    shown = _displays(text)[2]
    assert _rhs(shown) == f"{sympy.latex(exact)} \\approx {float(exact):.6g}"
    rational = _displays(render_latex(derivcli.diff("x^3", at="x=2")))[2]
    assert _rhs(rational) == "12"  # no decimal beside an integer


def test_names_with_subscripts_and_greek_letters():
    result = derivcli.grad("alpha*x_1^2 + θ_2 + α*μ", at="x_1=1,alpha=2,θ_2=0,α=1,μ=3")
    text = render_latex(result)
    _assert_valid(text)
    first = _displays(text)[0]
    for name in ("x_1", "alpha"):
        assert sympy.latex(sympy.Symbol(name)) in first  # x_{1}, \alpha: sympy's own
    assert "\\theta_{2}" in first and "\\mu" in first
    assert "α" not in "".join(_displays(text))  # the Greek letter as LaTeX's command


def test_a_missing_derivative_and_the_check_as_comments():
    text = render_latex(derivcli.grad("abs(x)*y", at="x=0,y=1"))
    _assert_valid(text)
    assert _matrix(_displays(text)[2]) == [["\\text{not differentiable}"], ["0"]]
    comments = [line for line in text.splitlines() if line.startswith("% ")]
    assert comments[1].startswith("% at x = 0, y = 1: torch (cpu, float64) [0, 0]")
    assert comments[2].startswith("% d/dx: not differentiable: the point is on a kink")


def test_taylor_polynomial_of_log_at_1():
    text = render_latex(derivcli.taylor("log(x)", at="x=1", order=3))
    _assert_valid(text)
    # log x = (x - 1) - (x - 1)^2/2 + (x - 1)^3/3 + ...
    assert _displays(text)[2] == (
        "f(x) \\approx \\left(x - 1\\right) - \\frac{\\left(x - 1\\right)^{2}}{2} "
        "+ \\frac{\\left(x - 1\\right)^{3}}{3}"
    )
    kink = render_latex(derivcli.taylor("abs(x)*y", at="x=0,y=1"))
    _assert_valid(kink)
    # no polynomial, and a comment says why; the coefficients' values at the point
    assert len(_displays(kink)) == 3
    assert "% no Taylor polynomial here" in kink


def _result(symbolic, findings=(), exact=None):
    point = PointResult(
        point={"x": 0.0},
        exact=[exact or "1"],
        numeric=[1.0],
        agree=not findings,
        findings=list(findings),
        verdicts=["agree"],
        point_text={"x": "0"},
        expected=[1.0],
    )
    return Result("grad", ["x"], ["x"], [symbolic], "cpu", "float64", [point])


def test_huge_and_unreadable_entries_are_said_not_cut():
    huge = " + ".join(f"sin({k}*x)" for k in range(1, 300))  # 1,600+ characters
    many = " + ".join(f"x^{k}*y" for k in range(1, 150))  # 1,379 characters, 445 operations
    for entry, said in [
        (huge, "characters"),
        (many, "operations"),
    ]:
        text = render_latex(_result(entry))
        _assert_valid(text)
        assert f" {said}; \\texttt{{-{{}}-format json}} shows it in full)}}" in text
    odd = render_latex(_result("x^2… (1,234 operations; {&} %_#$~\\)"))
    _assert_valid(odd)  # a text derivcli cannot read back: as typewriter text, escaped
    assert (
        "\\texttt{x\\^{}2… (1,234 operations; \\{\\&\\} \\%\\_\\#\\$\\~{}\\textbackslash{})}" in odd
    )


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no LaTeX engine here")
def test_the_fragment_compiles(tmp_path):
    text = render_latex(derivcli.hessian("sin(x)*alpha_1 + cbrt(y)", at="x=0,y=1,alpha_1=2"))
    document = "\\documentclass{article}\\usepackage{amsmath}\\begin{document}\n"
    (tmp_path / "f.tex").write_text(document + text + "\\end{document}\n")
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "f.tex"],
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout[-2000:]


def test_many_points_are_refused_with_one_line():
    with pytest.raises(InputError, match="--format latex is for one point or a few"):
        derivcli.write("grad", "x*y", grid="x=0:1:3,y=0:1:2", format="latex")
    out = CliRunner().invoke(app, ["grad", "x*y", "--grid", "x=0:1:3,y=0:1:2", "-f", "latex"])
    assert out.exit_code == 2


def test_output_file_is_what_stdout_shows(tmp_path, capsys):
    derivcli.write("hessian", "sin(x)*y", at="x=0,y=1", format="latex")
    shown = capsys.readouterr().out
    target = tmp_path / "h.tex"
    outcome = derivcli.write(
        "hessian", "sin(x)*y", at="x=0,y=1", format="latex", output=str(target)
    )
    assert target.read_text() == shown == render_latex(derivcli.hessian("sin(x)*y", at="x=0,y=1"))
    assert not outcome.on_stderr  # the findings are in the document's comments


def test_repr_latex_is_the_displays_for_jupyter():
    result = derivcli.hessian("sin(x)*y", at="x=0,y=1")
    shown = result._repr_latex_()
    blocks = shown.split("\n")
    assert blocks == [f"$${display}$$" for display in _displays(render_latex(result))]
    assert derivcli.grad("x*y")._repr_latex_().count("$$") == 4  # symbolic only: two displays


class _Cells(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells, self.paragraphs, self._in = [], [], None

    def handle_starttag(self, tag, attrs):
        self._in = tag if tag in ("td", "p") else self._in
        if tag == "td":
            self.cells.append("")
        if tag == "p":
            self.paragraphs.append("")

    def handle_endtag(self, tag):
        self._in = None if tag in ("td", "p") else self._in

    def handle_data(self, data):
        if self._in == "td":
            self.cells[-1] += data
        elif self._in == "p":
            self.paragraphs[-1] += data


def test_repr_html_tables_every_entry():
    result = derivcli.hessian("sin(x)*y", at="x=0,y=1")
    cells = _Cells()
    cells.feed(result._repr_html_())
    rows = [cells.cells[i : i + 5] for i in range(0, len(cells.cells), 5)]
    assert [row[0] for row in rows] == ["d2/dx2", "d2/dxdy", "d2/dydx", "d2/dy2"]
    assert [row[1] for row in rows] == ["-y*sin(x)", "cos(x)", "cos(x)", "0"]
    assert [row[2] for row in rows] == ["0", "1", "1", "0"]
    assert [float(row[3]) for row in rows] == [0.0, 1.0, 1.0, 0.0]
    assert {row[4] for row in rows} == {"agree"}
    assert "torch agrees with the exact values" in cells.paragraphs


def test_repr_html_escapes_every_text():
    finding = Finding("d/dx", "disagree", reason="x < 1 & <b>bold</b>", number=2.0)
    result = _result("1", findings=[finding])
    shown = result._repr_html_()
    assert "<b>bold" not in shown and "x &lt; 1 &amp; &lt;b&gt;bold&lt;/b&gt;" in shown
    cells = _Cells()
    cells.feed(shown)
    assert cells.paragraphs[-1] == finding.words()  # unescaped back, it is the warning


def test_several_points_each_with_its_display_and_check():
    text = render_latex(derivcli.grad("x^3", at=["x=1", "x=-2"]))
    _assert_valid(text)
    points = _displays(text)[2:]
    # d/dx x^3 = 3x^2: 3 at 1, 12 at -2
    assert [_matrix(d) for d in points] == [[["3"]], [["12"]]]
    assert [line.split(":")[0] for line in text.splitlines() if line.startswith("% at")] == [
        "% at x = 1",
        "% at x = -2",
    ]


def test_the_same_latex_from_either_symbolic_backend():
    expression, at = "x*y*z + exp(x*y)", "x=1,y=2,z=0"
    on = {
        name: render_latex(derivcli.hessian(expression, at=at, symbolic=name))
        for name in ("sympy", "symengine")
    }
    assert on["sympy"] == on["symengine"]
    f = x * y * z + sympy.exp(x * y)
    exact = sympy.hessian(f, (x, y, z)).subs({x: 1, y: 2, z: 0})
    assert _matrix(_displays(on["sympy"])[2]) == [
        [sympy.latex(e) for e in row] for row in exact.tolist()
    ]


def test_distinct_variables_print_distinctly():
    # x2 and x_2 are two variables: sympy prints both as x_{2}
    text = render_latex(derivcli.grad("x_2*x2^2", at="x_2=1,x2=3"))
    _assert_valid(text)
    assert _displays(text)[0] == "f(\\mathit{x2}, x_{2}) = \\mathit{x2}^{2} x_{2}"
    alone = render_latex(derivcli.grad("x2^2", at="x2=3"))
    assert _displays(alone)[0] == "f(x_{2}) = x_{2}^{2}"  # no other x_{2}: as sympy prints


def test_a_variable_named_as_a_constant_prints_is_kept_apart_from_it():
    # digamma(1) = -EulerGamma: with a variable gamma, the constant is not \gamma
    text = render_latex(derivcli.grad("gamma*loggamma(x)", at="x=1,gamma=2"))
    assert _displays(text)[2].endswith("- 2 \\gamma_{\\mathrm{E}} \\end{pmatrix}")
    assert mpmath.almosteq(mpmath.digamma(1), -mpmath.euler)
    plain = render_latex(derivcli.grad("loggamma(x)", at="x=1"))
    assert "- \\gamma \\end{pmatrix}" in plain  # no variable gamma: the usual symbol
    step = render_latex(derivcli.grad("θ*heaviside(x-1) + x", at="x=2,θ=1"))
    assert "\\theta \\operatorname{H}\\left(x - 1\\right)" in _displays(step)[0]


@pytest.mark.parametrize(
    ("x", "typed", "point"),
    [
        (sympy.Integer(10) ** 300, "1e300", "10^{300}"),
        (-2 * sympy.Rational(1, 10**200), "-2e-200", "-2 \\cdot 10^{-200}"),
        (sympy.Integer(12345678901234567890123), "12345678901234567890123", None),
    ],
)
def test_long_numbers_are_written_as_powers_of_ten(x, typed, point):
    text = render_latex(derivcli.grad("x^3", at=f"x={typed}"))
    _assert_valid(text)
    shown = _displays(text)[2]
    assert f"|_{{x = {point or typed}}}" in shown
    value = shown.rsplit("\\begin{pmatrix} ", 1)[1].removesuffix(" \\end{pmatrix}")
    assert _read_power_of_ten(value) == 3 * x**2  # exactly 3x^2 at the point
    assert len(value) < 30 or point is None


def _read_power_of_ten(latex: str) -> sympy.Rational:
    """m \\cdot 10^{k}, 10^{k}, -10^{k} or an integer, read back exactly."""
    mantissa, _, power = latex.partition("10^{")
    if not power:
        return sympy.Integer(latex)
    mantissa = mantissa.replace("\\cdot", "").strip()
    factor = {"": 1, "-": -1}.get(mantissa) or sympy.Rational(mantissa)
    return factor * sympy.Integer(10) ** int(power.rstrip("}"))


def test_an_infinite_derivative_is_plus_or_minus_infinity():
    text = render_latex(derivcli.grad("sqrt(x)", at="x=0"))
    assert _displays(text)[2].endswith("\\begin{pmatrix} \\pm\\infty \\end{pmatrix}")
