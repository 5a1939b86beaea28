#!/usr/bin/env bash
# Names as people type them, and the functions added for machine learning and physics.
set -euo pipefail

# Subscripts are underscores (x₁ is x_1) in the expression, --at and --wrt alike.
echo "grad x₁^2*x₂ at (3, 2): $(derivcli grad "x₁^2*x₂" --at x₁=3,x_2=2 -f plain)"

# An unknown function gets a suggestion that helps, and exit status 2.
status=0
derivcli grad "SIN(x)" 2>/dev/null || status=$?
echo "SIN(x): $(derivcli grad "SIN(x)" 2>&1 | head -1), exit $status"

# log1p and expm1 keep their digits where log(1 + x) and exp(x) - 1 lose them.
# (taylor --order 0 is the value itself; the cancellation's warning goes to stderr)
value() { derivcli taylor "$1" --at x=1e-10 --order 0 --dtype float32 -f plain 2>/dev/null; }
echo "at 1e-10 in float32: log(1 + x) = $(value "log(1 + x)"), log1p(x) = $(value "log1p(x)")"
echo "d/dx expm1(x) at -30: $(derivcli grad "expm1(x)" --at x=-30 -f plain)"

# logaddexp: no overflow at 1000, where exp(1000) is inf.
echo "grad logaddexp(x, y) at (1000, 1000): $(derivcli grad "logaddexp(x, y)" --at x=1000,y=1000 -f plain)"

# relu has a kink at 0, like abs: no derivative there, and --strict says so (exit 3).
status=0
derivcli grad "relu(x)" --at x=0 -f plain --strict >/dev/null 2>&1 || status=$?
echo "relu at 0 with --strict: exit $status"

# Lambert W (torch has none): W'(x) = 1/(x + exp(W(x))), 1 at 0.
echo "d/dx lambertw(x) at 0 and e: $(derivcli grad "lambertw(x)" --at x=0 -f plain) $(derivcli grad "lambertw(x)" --at x=e -f plain)"

# Bessel functions of orders 0 and 1 (scipy's names): J1'(x) = J0(x) - J1(x)/x is 0/0 at 0,
# where it is 1/2; Y0 ends at 0, where its derivative is infinite.
echo "d/dx j1(x) at 0: $(derivcli grad "j1(x)" --at x=0 -f plain 2>/dev/null)"
status=0
derivcli grad "y0(x)" --at x=0 -f plain --strict >/dev/null 2>&1 || status=$?
echo "y0 at 0 with --strict: exit $status"

# Riemann zeta of a variable: zeta'(2) = -0.9375482543...; at its pole s = 1 there is
# no number, and --strict says so (exit 3).
echo "d/ds zeta(s) at 2: $(derivcli grad "zeta(s)" --at s=2 -f plain)"
status=0
derivcli grad "zeta(s)" --at s=1 -f plain --strict >/dev/null 2>&1 || status=$?
echo "zeta at its pole with --strict: exit $status"
