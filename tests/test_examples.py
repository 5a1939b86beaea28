"""Every script in examples/ runs and prints what it promises."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import mpmath
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _env() -> dict:
    # The derivcli console script lives beside this interpreter.
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _run_script(name: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["bash", str(EXAMPLES / name)], capture_output=True, text=True, env=_env(), timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.slow
def test_shell_scripting_example():
    result = _run_script("shell_scripting.sh")
    lines = result.stdout.splitlines()
    assert lines[0] == "gradient at (1, 0): df/dx = 0.0, df/dy = 2.0"
    assert lines[1].startswith("d2/dx2 sin(x) at 0 = ") and float(lines[1].split()[-1]) == 0
    assert lines[2:5] == ["slope 3.0", "slope 12.0", "slope 27.0"]
    assert lines[5].replace(" ", "") == '[["0","-2"],["1","0"]]'
    assert lines[6] == "bad input exits with status 2"
    assert lines[7] == "first row of 100,000: 0.0,0.0,0.0,0.0"  # | head: status 141, accepted
    assert lines[8:10] == ["sum of slopes through a FIFO: 5", "through /dev/stdout: 12.0"]
    # (1-x)^2 + 100(y-x^2)^2 has its minimum at (1, 1); d/dx x^3 = 3x^2; d/dx -x^2 = -2x
    label, _, gradient = lines[10].partition(": ")
    assert label == "Rosenbrock's gradient at its minimum"
    assert [float(v) for v in gradient.split()] == [0.0, 0.0]
    assert lines[11:] == ["d/dx x^3 at 2, from stdin: 12.0", "d/dx -x^2 at 3: -6.0"]


@pytest.mark.slow
def test_large_problems_example():
    lines = _run_script("large_problems.sh").stdout.splitlines()
    auto, sympy_line = lines[0].split("|"), lines[1].split("|")
    assert auto[0].split()[1:] == ["18", "variables,", "324", "entries:", "agree"]
    assert auto[0].replace("auto", "") == sympy_line[0].replace("sympy", "")
    assert auto[1] == sympy_line[1]  # the same exact value, as text
    assert lines[2].startswith("derivcli: error: the symengine backend has no abs()")


def _run_python(name: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.slow
def test_python_api_example():
    out = _run_python("python_api.py").stdout
    assert "symbolic: [['-y*sin(x)', 'cos(x)'], ['cos(x)', '0']]" in out
    assert "torch:    [[0.0, 1.0], [1.0, 0.0]]" in out
    hessian_at = r"\left. H_{f} \right|_{x = 0,\ y = 1} = "
    assert f"latex:    $${hessian_at}\\begin{{pmatrix}} 0 & 1 \\\\ 1 & 0 \\end{{pmatrix}}$$" in out
    assert "html:     5 rows" in out  # a header and the Hessian's four entries
    assert "d/dx a*x^2 at x=3, a=1/2: 3.0" in out
    assert "error: hessian takes one expression" in out
    assert "limit: the computation took longer than the time budget of 0.5 s" in out
    assert "host alarm still pending: True" in out
    assert "csv rows: 55 failed: False" in out  # an 11 by 5 grid, written by write()


@pytest.mark.slow
def test_custom_operation_example():
    lines = _run_python("custom_operation.py").stdout.splitlines()
    # d/dx + d/dy of sin(x)*y + x^2 is y*cos(x) + 2x + sin(x): 2 at (0, 2).
    assert lines[1:3] == ["exact: 2 torch: 2.0", "verdict: agree"]
    assert lines[3] == "at the kink: not differentiable"
    assert lines[4] == "x*y at (0..2, 1): [1.0, 2.0, 3.0]"  # x + y


@pytest.mark.slow
def test_expression_tree_example():
    lines = _run_python("expression_tree.py").stdout.splitlines()
    assert lines[0] == "variables: x, y"
    assert lines[1] == "tree: Sum of 2 terms, 5 levels"
    # d/dx (x^2 sin y - 1/x) = 2x sin y + 1/x^2: 17/4 at (2, pi/2)
    assert lines[2] == "df/dx: 2*x*sin(y) + x**(-2)"
    assert lines[3] == "at x=2, y=pi/2: 17/4 = 4.25"
    assert lines[4] == "the lowering sees: sum of ['negative', 'product']"
    assert lines[5] == "symengine df/dx: 2*x*sin(y) + x**(-2)"
    assert lines[6] == "error: division by zero at column 2"


@pytest.mark.slow
def test_many_points_example():
    result = _run_script("many_points.sh")
    lines = result.stdout.splitlines()
    assert lines[0] == "x,y,d2/dx2,d2/dxdy,d2/dydx,d2/dy2"
    assert lines[1] == "0.0,-1.0,0.0,1.0,1.0,0.0"
    assert len(lines[1:7]) == 6
    assert lines[7] == '{"point": {"x": 1.0, "y": 2.0}, "numeric": [4.0, 1.0]}'
    assert lines[9] == "array (1000000, 2, 2) float64"
    assert lines[10] == (
        "exit status 2: derivcli: error: stdin, line 3: 'oops' in column y is not a number"
    )


@pytest.mark.slow
def test_verdicts_example():
    lines = _run_script("verdicts.sh").stdout.splitlines()
    assert lines[0] == "0.0"
    assert lines[1].startswith("derivcli: warning: d/dx: imprecise: ")
    assert "-1e-17" in lines[1] and "cancellation" in lines[1]
    assert lines[2:4] == ["x,d/dx", "1000.0,inf"]
    assert lines[4].startswith("derivcli: warning: d/dx: overflow: the exact value 1.97")
    assert lines[5] == "agree True"
    assert lines[6] == "['not differentiable', 'not differentiable', 'agree']"
    assert lines[7] == "x^x at 0 with --strict exits with status 3"


def test_every_example_is_tested():
    tested = {
        "shell_scripting.sh",
        "python_api.py",
        "custom_operation.py",
        "expression_tree.py",
        "many_points.sh",
        "verdicts.sh",
        "large_problems.sh",
        "vector_calculus.sh",
        "partial_derivatives.sh",
        "vector_products.py",
        "taylor.sh",
        "server.sh",
        "latex.sh",
        "plots.sh",
        "wide_results.sh",
        "functions.sh",
    }
    present = {p.name for p in EXAMPLES.iterdir() if p.suffix in {".sh", ".py"}}
    assert present <= tested, f"untested examples: {present - tested}"


@pytest.mark.slow
def test_latex_example():
    import sympy

    lines = _run_script("latex.sh").stdout.splitlines()
    x_1, alpha = sympy.symbols("x_1 alpha", real=True)
    f = x_1**2 * sympy.sin(alpha)
    assert lines[2] == f"f(\\alpha, x_{{1}}) = {sympy.latex(f)}"
    gradient = " \\\\ ".join(sympy.latex(sympy.diff(f, v)) for v in (alpha, x_1))
    assert lines[5] == f"\\nabla f = \\begin{{pmatrix}} {gradient} \\end{{pmatrix}}"
    # d2/dx2 (sin(x) y) = -y sin(x) = 0, d2/dxdy = cos(x) = 1, d2/dy2 = 0 at (0, 1)
    assert lines[7].endswith("= \\begin{pmatrix} 0 & 1 \\\\ 1 & 0 \\end{pmatrix}")
    assert lines[8].endswith(": agrees with the exact values")
    assert lines[9] in ("paper.pdf: compiled", "paper.tex: ready for pdflatex (none here)")
    assert lines[10].startswith("grid: exit 2: derivcli: error: --format latex is for ")


def test_readme_json_example_is_what_derivcli_prints(cli_json):
    import json
    import re

    readme = (EXAMPLES.parent / "README.md").read_text()
    block = re.search(r'--format json\n(\{\n  "kind": "hessian".*?\n\})\n', readme, re.S)
    assert block, "the README's JSON example is missing"
    assert json.loads(block.group(1)) == cli_json("hessian", "sin(x)*y", "--at", "x=0,y=1")


@pytest.mark.slow
def test_vector_calculus_example():
    result = _run_script("vector_calculus.sh")
    lines = result.stdout.splitlines()
    assert lines[0] == "laplacian of 1/r at (1,2,2): 0.0"  # 1/r is harmonic
    assert lines[1] == "curl of (-y, x, 0): 0.0 0.0 2.0"  # a rotation's curl: 2 about z
    assert lines[2] == "vortex curl at (1,2): exact 0 verdict imprecise"
    assert lines[3] == "vortex curl at (0,0): torch None agree False"
    assert lines[4] == "x,y,dF1/dx + dF2/dy"
    rows = [[float(v) for v in line.split(",")] for line in lines[5:11]]
    assert len(rows) == 6 and all(d == 2 * x + 2 * y for x, y, d in rows)  # div (x², y²)
    assert lines[11] == (
        "exit 2: derivcli: error: divergence takes as many components as variables: "
        "3 components, 2 variables; name the variables with --wrt (e.g. --wrt x,y,z)"
    )


@pytest.mark.slow
def test_partial_derivatives_example():
    result = _run_script("partial_derivatives.sh")
    lines = result.stdout.splitlines()
    assert lines[0] == "d3/dx2dy: 12*x*y = 24 torch 24.0 agree"  # d/dy d2/dx2 x^3 y^2
    assert lines[1:4] == ["x,x,y: 24.0", "x,y,x: 24.0", "y,x,x: 24.0"]
    assert lines[4].startswith("d4/dx4 sin at pi/6: ")
    assert abs(float(lines[4].split()[-1]) - 0.5) <= 1e-15  # sin(pi/6)
    assert lines[5].startswith("d4/dx4 sinc at 0: ")
    assert abs(float(lines[5].split()[-1]) - 0.2) <= 1e-15  # 4!/5! from sinc's series
    assert lines[6] == "d2/dx2 |x| at 0 with --strict: exit 3"
    assert "the exact value is the limit as x → 0" in result.stderr


@pytest.mark.slow
def test_vector_products_example():
    lines = _run_python("vector_products.py").stdout.splitlines()
    assert lines[0] == "H.v entries: 50 all agree: True"
    assert float(lines[1].split()[-1]) < 1e-9  # entries of order 10^3: rounding only
    assert lines[2] == "at many points: (10000, 50)"
    exact, number = lines[3].split()[1:]
    assert exact == "4*sqrt(5)/5" and abs(float(number) - 4 / 5**0.5) < 1e-15
    assert lines[4] == "J.v: [3.0, 1.0]"  # J = [[y, x], [1, 2y]] at (2, 3), v = (1, 0)
    assert lines[5] == "u.J: [4.0, 8.0]"  # (1, 1) J = (y + 1, x + 2y)


@pytest.mark.slow
def test_plots_example():
    lines = _run_script("plots.sh").stdout.splitlines()
    assert lines[:2] == [
        "┊ x = 0: f′(x), f″(x) do not exist: the point is on a kink of abs(x)",
        "┊ x = -π/2, π/2: f(x), f′(x) do not exist: the expression is infinite here "
        "(complex infinity)",
    ]
    assert lines[2:6] == [
        "field.pdf: PDF",
        "kink_and_pole.svg: <?xml",
        "stdout: <?xml",
        "tan.png: PNG",
    ]
    assert lines[6] == "f(x) is undefined (or not real) for x from -1 to 0: nothing drawn there"
    assert lines[7:] == [
        "derivcli: error: --range names y, which the expression lacks (its variables: x)",
        "exit 2",
        "derivcli: error: --range x=1:0: the start must be below the stop",
        "exit 2",
    ]


@pytest.mark.slow
def test_taylor_example():
    lines = _run_script("taylor.sh").stdout.splitlines()
    # (1 + x + x^2/2)(y - y^3/6) to total degree 3
    assert lines[0] == "exp(x)*sin(y) at 0: y + x*y + 1/2*x^2*y - 1/6*y^3"
    # log(x) y^2 at (1, 2): 4 log(x) + 4 log(x)(y - 2) + ..., log(x) = (x-1) - (x-1)^2/2
    assert lines[1] == "log(x)*y^2 at (1, 2): 4*(x - 1) - 2*(x - 1)^2 + 4*(x - 1)*(y - 2)"
    assert lines[2] == "its gradient there: 4.0 0.0, the function's: 4.0 0.0"
    coefficients = [float(v) for v in lines[3].split(": ")[1].split()]
    want = [1, 0, -1 / 6, 0, 1 / 120]  # sinc's series
    assert all(abs(c - w) <= 1e-15 for c, w in zip(coefficients, want, strict=True))
    assert lines[4:] == ["abs(x)*y at (0, 1): none", "with --strict: exit 3"]


@pytest.mark.slow
def test_server_example():
    import math

    env = {k: v for k, v in _env().items() if k != "DERIVCLI_NO_SERVER"}
    result = subprocess.run(
        ["bash", str(EXAMPLES / "server.sh")], capture_output=True, text=True, env=env, timeout=180
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "derivcli server started: pid N, after 5 idle minutes"
    assert lines[1] == "running   pid N, derivcli 0.1.0"
    assert lines[2] == "with and without the server: the same output"
    # d2/dx2 x^20 e^x = (x^20 + 40 x^19 + 380 x^18) e^x: 421 e at 1
    assert math.isclose(float(lines[3]), 421 * math.e, rel_tol=1e-14)
    assert lines[4].startswith("20 commands in ")
    assert lines[5] == "abs(x) at its kink with --strict: exit 3"
    # (2xy, x^2) at (1, 2); (e^x sin x)''' = 2 e^x (cos x - sin x): 2 at 0
    assert lines[6:] == ["4.0 1.0", "2.0"]


@pytest.mark.slow
def test_wide_results_example():
    lines = _run_script("wide_results.sh").stdout.splitlines()
    assert lines[0].split() == ["d2/d·d·", "x0_0", "x0_1", "x0_2", "x1_0", "x1_1"]
    assert len(lines[1].split()) == 6 and lines[13] == "..."  # the numbers, aligned
    assert lines[14].startswith("∂²f/∂x0_0² ") and "672·(x0_0 - x1_0)²" in lines[14]
    assert lines[-2] == "✓ torch agrees with the exact values"
    count, widest = lines[-1].split()[0], lines[-1].split()[-2]
    assert int(count) > 100 and int(widest) <= 60  # every line fits, nothing cut
    assert "…" not in "\n".join(lines)


def test_functions_example():
    lines = _run_script("functions.sh").stdout.splitlines()
    assert lines[0] == "grad x₁^2*x₂ at (3, 2): 12.0 9.0"  # 2*x1*x2, x1^2
    assert (
        lines[1] == "SIN(x): derivcli: error: unknown function 'SIN': did you mean 'sin'?, exit 2"
    )
    head, _, log1p = lines[2].rpartition(" ")
    assert head == "at 1e-10 in float32: log(1 + x) = 0.0, log1p(x) ="
    assert abs(float(log1p) - 1e-10) <= 2**-23 * 1e-10  # log1p(x) = x - x²/2: float32's own
    assert abs(float(lines[3].split(": ")[1]) - math.exp(-30)) <= 1e-9 * math.exp(-30)
    halves = [float(v) for v in lines[4].split(": ")[1].split()]
    assert all(abs(h - 0.5) <= 1e-12 for h in halves)
    assert lines[5] == "relu at 0 with --strict: exit 3"
    # W(e) = 1: W'(e) = 1/(e + e) = 1/(2e)
    slopes = [float(v) for v in lines[6].split(": ")[1].split()]
    assert slopes[0] == 1.0 and abs(slopes[1] - 1 / (2 * math.e)) <= 1e-15
    assert lines[7] == "d/dx j1(x) at 0: 0.5"  # J1(x) = x/2 - x³/16 + ...
    assert lines[8] == "y0 at 0 with --strict: exit 3"  # Y0' = -Y1 ~ 2/(pi x): infinite
    # zeta'(2) from mpmath at 40 digits; the pole is not a number
    (zeta,) = [line for line in lines if line.startswith("d/ds zeta(s) at 2: ")]
    with mpmath.workdps(40):
        truth = float(mpmath.zeta(2, 1, 1))
    assert abs(float(zeta.split(": ")[1]) - truth) <= 1e-13 * abs(truth)
    assert "zeta at its pole with --strict: exit 3" in lines
