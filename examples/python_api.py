"""derivcli from Python: the same three functions as the command line."""

import derivcli

# The Hessian of sin(x)*y at (0, 1): symbolic entries, exact values, torch's numbers.
result = derivcli.hessian("sin(x)*y", at={"x": 0, "y": 1})
print("symbolic:", result.symbolic)
point = result.results[0]
print("exact:   ", point.exact)
print("torch:   ", point.numeric)
print("agree:   ", point.agree)
# In a notebook a result shows itself typeset (_repr_latex_, what --format latex writes)
# or as a table (_repr_html_).
print("latex:   ", result._repr_latex_().splitlines()[-1])
print("html:    ", result._repr_html_().count("<tr>"), "rows")

# A Jacobian at two points; values may be expressions such as pi/2.
polar = derivcli.jacobian("r*cos(t), r*sin(t)", wrt=["r", "t"], at=["r=2,t=pi/2", "r=1,t=0"])
for point in polar.results:
    print(point.point_text, point.numeric)

# Parameters: differentiate by x only; a still needs a value.
slope = derivcli.grad("a*x^2", wrt="x", at={"x": 3, "a": 0.5})
print("d/dx a*x^2 at x=3, a=1/2:", slope.results[0].numeric[0])

# The JSON document of the command line's --format json.
print(derivcli.grad("x^2", at={"x": 2}).to_json(indent=None))

# Bad input raises an InputError with a message that says what to do.
from derivcli.errors import InputError  # noqa: E402

try:
    derivcli.hessian("sin(x), cos(x)", at={"x": 0})
except InputError as error:
    print("error:", error)

# A time budget raises LimitError and leaves nothing behind in the calling program:
# its own SIGALRM handler and any alarm it had pending are back afterwards.
import signal  # noqa: E402

from derivcli.errors import LimitError  # noqa: E402

signal.signal(signal.SIGALRM, lambda signum, frame: print("the host's alarm rang"))
signal.setitimer(signal.ITIMER_REAL, 3.0)  # the host's own alarm, 3 s from now
slow = "*".join(f"sin(x{i})" for i in range(60))  # 3,600 Hessian entries
try:  # sympy takes 92 s here (SymEngine, which "auto" would take, 0.2 s)
    derivcli.hessian(slow, timeout=0.5, symbolic="sympy")
except LimitError as error:
    print("limit:", str(error).split(";")[0])
print("host alarm still pending:", signal.getitimer(signal.ITIMER_REAL)[0] > 0)
signal.setitimer(signal.ITIMER_REAL, 0)

# A whole run as the command makes it, written in a format: csv, jsonl and npy stream
# many points in bounded memory (the other formats check every point exactly).
import os  # noqa: E402
import tempfile  # noqa: E402

path = os.path.join(tempfile.mkdtemp(), "hessians.csv")
outcome = derivcli.write("hessian", "sin(x)*y", grid="x=0:1:11,y=-1:1:5", format="csv", output=path)
with open(path) as written:
    print("csv rows:", len(written.readlines()) - 1, "failed:", outcome.failed)
