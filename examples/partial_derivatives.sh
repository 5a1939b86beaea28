#!/usr/bin/env bash
# Partial derivatives of any order: --wrt in order, repeated for higher order.
set -euo pipefail

# d3/dx2dy of x^3*y^2 is 12*x*y: 24 at (1, 2), exact and from torch.
derivcli diff "x^3*y^2" --wrt x,x,y --at x=1,y=2 -f json \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["results"][0]; print("d3/dx2dy:", d["symbolic"], "=", r["exact"], "torch", r["numeric"], r["verdicts"])'

# The order is kept, and mixed partials of a smooth function are equal.
for order in x,x,y x,y,x y,x,x; do
  echo "$order: $(derivcli diff "x^3*y^2" --wrt "$order" --at x=1,y=2 -f plain)"
done

# The fourth derivative of sin cycles back to sin.
echo "d4/dx4 sin at pi/6: $(derivcli diff "sin(x)" --wrt x,x,x,x --at x=pi/6 -f plain)"

# A removable singularity: sinc's formula is 0/0 at 0, its fourth derivative there 1/5.
echo "d4/dx4 sinc at 0: $(derivcli diff "sinc(x)" --wrt x,x,x,x --at x=0 -f plain)"

# A kink: the second derivative of |x| does not exist at 0, and --strict says so (exit 3).
status=0
derivcli diff "abs(x)" --wrt x,x --at x=0 -f plain --strict >/dev/null 2>&1 || status=$?
echo "d2/dx2 |x| at 0 with --strict: exit $status"
