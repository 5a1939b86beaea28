#!/usr/bin/env bash
# A warm server: every command answered in a tenth of a second, with the same output.
set -euo pipefail

# A private runtime directory, so that this script neither uses nor stops yours.
export XDG_RUNTIME_DIR=$(mktemp -d)
unset DERIVCLI_NO_SERVER
trap 'derivcli server stop >/dev/null; rm -rf "$XDG_RUNTIME_DIR"' EXIT

derivcli server start --idle 5 | sed 's/pid [0-9]*/pid N/'
derivcli server status | head -1 | sed 's/pid [0-9]*/pid N/'

# The same bytes with and without the server.
warm=$(derivcli hessian "sin(x)*y" --at x=0,y=1 --format json)
cold=$(DERIVCLI_NO_SERVER=1 derivcli hessian "sin(x)*y" --at x=0,y=1 --format json)
[ "$warm" = "$cold" ] && echo "with and without the server: the same output"

# A loop of 20 different expressions, each a whole command.
start=$EPOCHREALTIME
for k in $(seq 1 20); do derivcli diff "x^$k*exp(x)" --wrt x,x --at x=1 -f plain; done | tail -1
awk "BEGIN { printf \"20 commands in %.1f s\\n\", $EPOCHREALTIME - $start }"

# Exit statuses come back as they would without it.
status=0
derivcli grad "abs(x)" --at x=0 --strict >/dev/null 2>&1 || status=$?
echo "abs(x) at its kink with --strict: exit $status"

# The prompt reads a script from stdin too: each line a command.
printf 'grad x^2*y --at x=1,y=2 -f plain\ndiff sin(x)*exp(x) --wrt x,x,x --at x=0 -f plain\n' |
  derivcli repl
