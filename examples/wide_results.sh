#!/usr/bin/env bash
# Wide results: a 12-variable Lennard-Jones Hessian (144 entries) in a 60-column console.
# The table becomes torch's numbers as an aligned matrix, in blocks of columns, then
# each entry on its own lines with its exact value, wrapped, never cut; mirrored
# entries once, under both labels.
set -euo pipefail

# 4 atoms in 3 dimensions: the pairs' 4*(r^-12 - r^-6), r² the squared distance
lj=$(python3 -c 'from itertools import combinations
squares = ["+".join(f"(x{i}_{k}-x{j}_{k})^2" for k in range(3)) for i, j in combinations(range(4), 2)]
print(" + ".join(f"4*(({r2})^(-6) - ({r2})^(-3))" for r2 in squares))')
names=x0_0,x0_1,x0_2,x1_0,x1_1,x1_2,x2_0,x2_1,x2_2,x3_0,x3_1,x3_2
at=x0_0=0,x0_1=0,x0_2=0,x1_0=1.1,x1_1=0,x1_2=0,x2_0=0,x2_1=1.2,x2_2=0,x3_0=0.3,x3_1=0.4,x3_2=1.3

table=$(COLUMNS=60 derivcli hessian "$lj" --wrt "$names" --at "$at")
# the first block of the numbers' matrix, the first entries listed, the last lines
sed -n '/^d2\/d·d·/,/^x3_2/p' <<<"$table" | head -13
echo ...
grep -A4 -m1 '^∂²f/∂x0_0² ' <<<"$table"
echo ...
tail -3 <<<"$table"
python3 -c 'import sys
lines = sys.stdin.read().splitlines()
print(len(lines), "lines, the widest", max(map(len, lines)), "columns")' <<<"$table"
