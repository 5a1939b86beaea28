#!/usr/bin/env bash
# Verdicts at the edges: what torch's number means, entry by entry.
# Numbers go to stdout; every verdict but agree goes to stderr (here merged with 2>&1).
set -euo pipefail

# Cancellation: torch's 0 is float64 rounding noise; the derivative is -1e-17.
derivcli grad "log(1+x) - x" --at x=1e-17 --format plain 2>&1

# Beyond float64's range: torch's inf stands for 1.97e434.
derivcli grad "exp(x)" --at x=1000 --format csv 2>&1

# Rounding the point alone moves the answer: torch is right for the float it was given.
derivcli grad "sin(x)" --at x=1234567890.1 --format json |
  python3 -c 'import json, sys; p = json.load(sys.stdin)["results"][0]; print(p["verdicts"][0], p["expected"][0] == p["numeric"][0])'

# A tie of max affects only the tied arguments: d/dz exists.
derivcli grad "max(x,y,z)" --at x=1,y=1,z=0 --format json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["results"][0]["verdicts"])'

# --strict: exit status 3 for any verdict but agree, in every format.
status=0
derivcli grad "x^x" --at x=0 --format jsonl --strict >/dev/null 2>&1 || status=$?
echo "x^x at 0 with --strict exits with status $status"
