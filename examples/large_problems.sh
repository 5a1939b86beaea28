#!/usr/bin/env bash
# Large problems: SymEngine does the symbolic work, with sympy's exact values and verdicts.
set -euo pipefail

# A 6-atom Lennard-Jones cluster: 18 variables, a 324-entry Hessian at one point.
lj=$(python3 -c '
atoms = 6
terms = []
for i in range(atoms):
    for j in range(i + 1, atoms):
        r2 = "+".join(f"(x{i}_{k}-x{j}_{k})^2" for k in range(3))
        terms.append(f"4*(({r2})^(-6) - ({r2})^(-3))")
print(" + ".join(terms))')
at=$(python3 -c 'print(",".join(f"x{i}_{k}={(3*i + k) % 5 + i}/{k + 2}" for i in range(6) for k in range(3)))')

# --symbolic auto (the default) takes SymEngine for an expression this size.
for backend in auto sympy; do
  derivcli hessian "$lj" --at "$at" --symbolic "$backend" --format json |
    python3 -c 'import json, sys
d = json.load(sys.stdin)
p = d["results"][0]
verdicts = {v for row in p["verdicts"] for v in row}
print(sys.argv[1], len(d["variables"]), "variables,", sum(map(len, p["exact"])), "entries:",
      ", ".join(sorted(verdicts)), "| d2/dx0_0^2 =", p["exact"][0][0][:24] + "...")' "$backend"
done

# A function SymEngine lacks keeps the whole problem on sympy (auto), or is named (symengine).
derivcli grad "abs(x)*y" --at x=1,y=2 --symbolic symengine --format plain 2>&1 || true
