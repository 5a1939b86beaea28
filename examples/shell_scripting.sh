#!/usr/bin/env bash
# derivcli in shell scripts: plain numbers for variables, JSON for tools, exit statuses,
# pipes that close early, and --output to a FIFO or /dev/stdout.
set -euo pipefail

# --format plain prints numbers only, one line per point.
read -r dfdx dfdy < <(derivcli grad "x^2*y + exp(x*y)" --at x=1,y=0 --format plain)
echo "gradient at (1, 0): df/dx = $dfdx, df/dy = $dfdy"

# The second derivative of sin at 0 is -sin(0) = 0 (not cos(0) = 1).
second=$(derivcli hessian "sin(x)" --at x=0 --format plain)
awk -v h="$second" 'BEGIN { exit !(h == 0) }' && echo "d2/dx2 sin(x) at 0 = $second"

# Several points: one line each.
derivcli grad "x^3" --at x=1 --at x=2 --at x=3 --format plain |
  awk '{ printf "slope %s\n", $1 }'

# --format json: one document; pick fields with jq (or python when jq is absent).
json=$(derivcli jacobian "r*cos(t), r*sin(t)" --wrt r,t --at r=2,t=pi/2 --format json)
if command -v jq >/dev/null; then
  echo "$json" | jq -c '.results[0].exact'
else
  echo "$json" | python3 -c 'import json, sys; print(json.load(sys.stdin)["results"][0]["exact"])'
fi

# Exit statuses: 2 for bad input, with a one-line message on stderr.
status=0
derivcli grad "sine(x)" --at x=1 2>/dev/null || status=$?
echo "bad input exits with status $status"

# A reader that stops early (head): derivcli ends quietly with status 141 (128 + SIGPIPE),
# as seq and other tools do. Under `set -o pipefail` that status fails the pipeline:
# accept 141 where taking the first lines is the point.
first=$(derivcli grad "x^2*y" --grid x=0:1:1000,y=0:1:100 --format csv | head -2 | tail -1) ||
  [ $? -eq 141 ]
echo "first row of 100,000: $first"

# --output to a FIFO, a device, /dev/stdout or /dev/fd/N is written as it goes (never
# replaced by a file); a regular file appears only once complete.
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/slopes"
awk -F, 'NR > 1 { s += $2 } END { print "sum of slopes through a FIFO:", s }' <"$dir/slopes" &
derivcli grad "x^2" --grid x=0:1:5 --format csv -o "$dir/slopes"
wait
derivcli grad "x^3" --at x=2 --format plain -o /dev/stdout | sed 's/^/through \/dev\/stdout: /'

# The expression from a file (@FILE) or stdin (-), line breaks read as spaces; an
# expression may begin with a minus sign.
cat >"$dir/rosenbrock.txt" <<'END'
(1 - x)^2
  + 100*(y - x^2)^2
END
echo "Rosenbrock's gradient at its minimum: $(derivcli grad @"$dir/rosenbrock.txt" --at x=1,y=1 --format plain)"
echo "x^3" | derivcli grad - --at x=2 --format plain | sed 's/^/d\/dx x^3 at 2, from stdin: /'
echo "d/dx -x^2 at 3: $(derivcli grad "-x^2" --at x=3 --format plain)"
