"""The work of one answer for the calculus commands at a point, in one process after a
first call has paid for the imports (median of 5 fresh sessions each):

    .venv/bin/python bench/calculus.py

diff and taylor of order 4 in 4 variables, and the other operations on the same
expression.
"""

from __future__ import annotations

import statistics
import time

import derivcli
from derivcli.run import session

EXPRESSION = "exp(x*y)*sin(z + w) + log(1 + x^2 + y^2)*cos(z*w)"
AT = "x=1/2,y=-1/3,z=1,w=2"
CASES = [
    ("diff", "order 4 (x,y,z,w)", {"wrt": "x,y,z,w"}),
    ("diff", "order 4 (x,x,x,x)", {"wrt": "x,x,x,x"}),
    ("taylor", "order 4 (70 coefficients)", {"order": 4}),
    ("hvp", "H.v", {"vector": "1,-2,1/3,sqrt(2)"}),
    ("directional", "grad f . v/|v|", {"vector": "1,2,2,4"}),
    ("laplacian", "sum d2/dxi2", {}),
    ("hessian", "4x4", {}),
]


def seconds(kind: str, options: dict) -> float:
    runs = []
    for _ in range(5):
        session.current().clear()  # nothing cached from the run before
        start = time.perf_counter()
        result = derivcli.compute(kind, EXPRESSION, AT, **options)
        runs.append(time.perf_counter() - start)
        assert result.agree, result.results[0].warnings
    return statistics.median(runs)


def main() -> None:
    derivcli.hessian("sin(x)*y", at="x=0,y=1")  # imports, torch's first calls
    print(f"{EXPRESSION} at {AT}, in one process, median of 5")
    for kind, what, options in CASES:
        print(f"{kind} {what}: {seconds(kind, options):.3f} s", flush=True)


if __name__ == "__main__":
    main()
