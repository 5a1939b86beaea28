"""The cost of checking points exactly: derivcli.compute at one point, per case.

Each case runs once to warm sympy's caches and torch, then --runs times; the median
is printed with the verdicts. Run by hand:

    .venv/bin/python bench/verdicts.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import derivcli

CASES = [
    ("hessian", "sin(x)*y", "x=0,y=1"),
    ("grad", "sin(x)", "x=1234567890.1"),
    ("grad", "log(1+x) - x", "x=1e-17"),
    ("hessian", "log(1+exp(x))", "x=400"),
    ("grad", "loggamma(x)", "x=12345.6"),
    ("grad", "loggamma(x)", "x=100000"),
    ("grad", "polygamma(2, x)", "x=1e6"),
    ("grad", "exp(-exp(x))", "x=1e5"),
    ("hessian", "sqrt(x^2+y^2)*exp(x*y)+log(1+x^2*y^2)", "x=0.3,y=0.7"),
    ("hessian", " + ".join(f"(x{i}-x{i + 1})^2*exp(-x{i}/7)" for i in range(1, 8)), None),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"| case | point | median of {runs} | verdicts |")
    print("|---|---|---:|---|")
    for kind, text, point in CASES:
        if point is None:
            point = ",".join(f"x{i}={i / 10}" for i in range(1, 9))
        derivcli.compute(kind, text, at=point)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            result = derivcli.compute(kind, text, at=point)
            times.append(time.perf_counter() - started)
        verdicts = sorted({v for row in _flat(result.results[0].verdicts) for v in [row]})
        shown = text if len(text) < 40 else text[:37] + "..."
        print(
            f"| {kind} {shown} | {point[:24]} | {statistics.median(times):.3f} s | "
            f"{', '.join(verdicts)} |"
        )


def _flat(nested):
    if isinstance(nested, list):
        return [leaf for item in nested for leaf in _flat(item)]
    return [nested]


if __name__ == "__main__":
    main()
