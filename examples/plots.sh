#!/usr/bin/env bash
# Plots: f and its derivatives, in the terminal and as files, with the breaks marked.
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# In the terminal (no matplotlib needed): a kink at 0, marked on f′ and f″, and said
# under the plot. NO_COLOR: no colours even on a terminal.
NO_COLOR=1 derivcli plot "abs(x) + sin(2x)" --range x=-3:3 --width 72 --height 30 | tail -n 1
# tan's poles on [-pi, pi]: f and f′ do not exist there (the curve is not drawn across).
derivcli plot "tan(x)" --range x=-pi:pi --order 1 --width 100 | grep '^┊'

# To files (the extra plot: matplotlib): the suffix names the format.
derivcli plot "abs(x) + 1/(x-1)" --range x=-3:3 -o "$out/kink_and_pole.svg"
derivcli plot "tan(x)" --range x=-pi:pi --order 1 -o "$out/tan.png"
derivcli plot "x*y + sin(y)" --range x=-2:2,y=-2:2 -o "$out/field.pdf"
# --format names the format of a FILE without a suffix, or of - (stdout).
derivcli plot "x^2" --range x=0:1 -o - --format svg >"$out/stdout"
for file in "$out"/*; do
  echo "$(basename "$file"): $(head -c 5 "$file" | tr -dc 'A-Za-z<?')"
done

# log(x) is undefined for x < 0: nothing is drawn there (not even f′ = 1/x), and said.
derivcli plot "log(x)" --range x=-1:1 --width 100 | tail -n 1

# Bad ranges: one line each, exit status 2.
for range in y=0:1 x=1:0; do
  status=0
  derivcli plot "x^2" --range "$range" 2>&1 || status=$?
  echo "exit $status"
done
