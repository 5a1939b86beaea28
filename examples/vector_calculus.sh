#!/usr/bin/env bash
# Laplacian, divergence and curl: each entry checked against its exact value.
set -euo pipefail

# The Newtonian potential is harmonic away from its pole: its Laplacian is exactly 0.
echo "laplacian of 1/r at (1,2,2): $(derivcli laplacian "1/sqrt(x^2+y^2+z^2)" --at x=1,y=2,z=2 -f plain)"

# A rotation about z: its curl is (0, 0, 2); z is a coordinate though no component has it.
echo "curl of (-y, x, 0): $(derivcli curl "[-y, x, 0]" --wrt x,y,z --at x=1,y=2,z=0 -f plain)"

# The plane vortex: no curl away from the origin (an exact 0), none defined at it.
derivcli curl "[-y/(x^2+y^2), x/(x^2+y^2)]" --at x=1,y=2 -f json \
  | python3 -c 'import json,sys; r=json.load(sys.stdin)["results"][0]; print("vortex curl at (1,2): exact", r["exact"], "verdict", r["verdicts"])'
derivcli curl "[-y/(x^2+y^2), x/(x^2+y^2)]" --at x=0,y=0 -f json \
  | python3 -c 'import json,sys; r=json.load(sys.stdin)["results"][0]; print("vortex curl at (0,0): torch", r["numeric"], "agree", r["agree"])'

# A divergence at many points: a CSV with the variables and one column.
derivcli divergence "x^2, y^2" --grid x=0:1:3,y=0:1:2 -f csv

# A field of the wrong size: exit status 2 and one line saying what to do.
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
status=0
derivcli divergence "x, y, x*y" 2>"$errors" || status=$?
echo "exit $status: $(cat "$errors")"
