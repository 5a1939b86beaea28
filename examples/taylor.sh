#!/usr/bin/env bash
# Taylor polynomials: exact coefficients, torch's numbers, and where there is none.
set -euo pipefail

polynomial() {  # the polynomial of a JSON document on stdin ("none" when there is none)
  python3 -c 'import json,sys; p=json.load(sys.stdin)["results"][0]["polynomial"]; print(p or "none")'
}

# Two variables to total order 3: (1 + x + x^2/2)(y - y^3/6), cut at degree 3.
echo "exp(x)*sin(y) at 0: $(derivcli taylor "exp(x)*sin(y)" --at x=0,y=0 --order 3 -f json | polynomial)"

# Away from 0 the powers are shifted, and the polynomial is text derivcli parses back:
# its gradient at the point is the function's.
p=$(derivcli taylor "log(x)*y^2" --at x=1,y=2 --order 2 -f json | polynomial)
echo "log(x)*y^2 at (1, 2): $p"
echo "its gradient there: $(derivcli grad "$p" --at x=1,y=2 -f plain), the function's: $(derivcli grad "log(x)*y^2" --at x=1,y=2 -f plain)"

# The coefficients alone, one per term by total degree: 1, x, x^2, x^3, x^4.
echo "sinc at 0, order 4: $(derivcli taylor "sinc(x)" --at x=0 --order 4 -f plain 2>/dev/null)"

# A kink: |x|*y has no first derivative in x at x=0, so no polynomial; --strict: exit 3.
echo "abs(x)*y at (0, 1): $(derivcli taylor "abs(x)*y" --at x=0,y=1 -f json | polynomial)"
status=0
derivcli taylor "abs(x)*y" --at x=0,y=1 -f plain --strict >/dev/null 2>&1 || status=$?
echo "with --strict: exit $status"
