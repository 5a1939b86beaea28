#!/usr/bin/env bash
# Many points: a grid to CSV, points from another program through stdin to JSON lines,
# a million points to a .npy file, and a bad input line.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The Hessian of sin(x)*y on a 3 x 2 grid, one CSV row per point.
derivcli hessian "sin(x)*y" --grid x=0:1:3,y=-1:1:2 --format csv

# Points from another program, through stdin; one JSON object per point.
printf 'x,y\n1,2\n3,4\n' | derivcli grad "x^2*y" --points - --format jsonl

# A million points (a 1000 x 1000 grid) to a .npy file, read back with numpy.
derivcli hessian "exp(-x^2 - y^2)" --grid x=-2:2:1000,y=-2:2:1000 --format npy --output "$tmp/h.npy"
python -c "import numpy; h = numpy.load('$tmp/h.npy'); print('array', h.shape, h.dtype)"

# A cell that is not a number: the message names its line, the exit status is 2.
if ! printf 'x,y\n1,2\n3,oops\n' | derivcli grad "x*y" --points - --format csv 2>"$tmp/err"; then
  echo "exit status 2: $(cat "$tmp/err")"
fi
