"""Parsing in two stages: text to the backend-neutral tree, and the tree to sympy.

    .venv/bin/python bench/parse.py

Each figure is the median of 7 runs in one process (sympy's cache warm after the first).
"""

from __future__ import annotations

import statistics
import time

from derivcli.expr.parse import parse_tree
from derivcli.symbolic import backend

TEXTS = {
    "a sum of 600 terms": " + ".join(f"sin(x{i})*y^2" for i in range(600)),
    "sin nested 200 deep": "sin(" * 200 + "x" + ")" * 200,
    "Lennard-Jones, 4 atoms": " + ".join(
        f"1/((x{i}-x{j})^2)^6 - 1/((x{i}-x{j})^2)^3" for i in range(4) for j in range(i + 1, 4)
    ),
}


def median_ms(fn, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    sympy_backend = backend.default()
    print(f"{'expression':<24} {'characters':>10} {'tree':>9} {'build':>9}")
    for name, text in TEXTS.items():
        trees = parse_tree(text).components
        tree_ms = median_ms(lambda text=text: parse_tree(text))
        build_ms = median_ms(lambda trees=trees: sympy_backend.build(trees))
        print(f"{name:<24} {len(text):>10,} {tree_ms:>7.1f}ms {build_ms:>7.1f}ms")


if __name__ == "__main__":
    main()
