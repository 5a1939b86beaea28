"""Hostile inputs (tests/hostile_inputs.txt): refused with exit 2 or 4, no traceback,
nothing executed, each within the time budget.

Every payload runs through the parser in-process, through the command line in-process
(typer's CliRunner) as an expression and as a --at value, and a handful through the
installed console script. The canary: payloads that would create a marker file if
any of them were executed; the file must never appear. An audit hook in a separate
interpreter also watches for any eval, exec, compile, import of os/subprocess
functions or file opening while all payloads are parsed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derivcli.errors import DerivcliError
from derivcli.expr.parse import parse_components, parse_point

HERE = Path(__file__).parent
SECONDS = 5.0  # per payload; the default time budget is 20 s and most take milliseconds

GENERATED = {
    "literal-5000-digits": lambda: "9" * 5000,
    "products-of-big-powers": lambda: "*".join(["10^99999"] * 50),
    "many-roots": lambda: "+".join(f"sqrt(10^999 + {i})" for i in range(200)),
    "deep-parentheses": lambda: "(" * 4000 + "x" + ")" * 4000,
    "deep-calls": lambda: "sin(" * 1500 + "x" + ")" * 1500,
    "deep-abs": lambda: "|" * 3000 + "x" + "|" * 3000,
    "deep-minus": lambda: "-" * 9000 + "x",
    "deep-powers": lambda: "x^" * 4000 + "x",
    "deep-brackets": lambda: "[" * 3000 + "x" + "]" * 3000,
    "100k-characters": lambda: "x+" * 50_000,
    "10k-characters-bad-tail": lambda: "x+" * 4_900 + "__import__('os')",
}
_ESCAPE = re.compile(r"\\(n|r|t|\\|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}


def _unescape(text: str) -> str:
    def one(match: re.Match) -> str:
        code = match.group(1)
        return _SIMPLE.get(code) or chr(int(code[1:], 16))

    return _ESCAPE.sub(one, text)


def load_payloads(marker: str) -> list[tuple[str, str]]:
    """(label, payload) for each line of hostile_inputs.txt, with MARKER filled in."""
    payloads = []
    lines = (HERE / "hostile_inputs.txt").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("# ") or line == "#":
            continue
        if line.startswith("gen: "):
            payload = GENERATED[line[5:]]()
        elif line.startswith("esc: "):
            payload = _unescape(line[5:])
        else:
            payload = line
        payloads.append((f"line{number}", payload.replace("MARKER", marker)))
    return payloads


# The marker path is fixed per test session; each test checks it was never created.
MARKER = Path(os.environ.get("TMPDIR", "/tmp")) / f"derivcli-canary-{os.getpid()}"
PAYLOADS = load_payloads(str(MARKER))
IDS = [label for label, _ in PAYLOADS]


@pytest.fixture(autouse=True)
def _canary():
    MARKER.unlink(missing_ok=True)
    yield
    assert not MARKER.exists(), "a payload was executed: the canary file exists"


def test_there_are_enough_payloads_and_the_generators_are_used():
    assert len(PAYLOADS) >= 40
    texts = [payload for _, payload in PAYLOADS]
    assert sum("MARKER" not in p and str(MARKER) in p for p in texts) >= 10
    assert len(set(GENERATED)) == sum(
        line.startswith("gen: ")
        for line in (HERE / "hostile_inputs.txt").read_text(encoding="utf-8").splitlines()
    )
    assert any(len(p) >= 100_000 for p in texts)
    assert any("\n" in p for p in texts)


@pytest.mark.parametrize("payload", [p for _, p in PAYLOADS], ids=IDS)
def test_parser_refuses(payload):
    start = time.monotonic()
    with pytest.raises(DerivcliError) as caught:
        parse_components(payload)
    assert caught.value.exit_status in (2, 4)
    assert time.monotonic() - start < SECONDS


@pytest.mark.parametrize("payload", [p for _, p in PAYLOADS], ids=IDS)
def test_command_line_refuses_expression(payload, cli):
    start = time.monotonic()
    # "--": a payload that starts with "-" is the expression, not an option to click
    result = cli("hessian", "--timeout", str(SECONDS), "--", payload)
    assert time.monotonic() - start < SECONDS
    _assert_refused(result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize("payload", [p for _, p in PAYLOADS], ids=IDS)
def test_command_line_refuses_point_value(payload, cli):
    start = time.monotonic()
    result = cli("grad", "x^2", "--at", f"x={payload}", "--timeout", str(SECONDS))
    assert time.monotonic() - start < SECONDS
    _assert_refused(result.exit_code, result.stdout, result.stderr)
    with pytest.raises(DerivcliError):
        parse_point(f"x={payload}")


def _assert_refused(status: int, stdout: str, stderr: str) -> None:
    assert status in (2, 4), (status, stdout, stderr[:500])
    assert stdout == ""
    assert stderr.startswith("derivcli: error: ")
    assert "Traceback" not in stderr
    assert len(stderr) < 2_000  # one message, not the 100,000-character input


SUBPROCESS_PAYLOADS = [
    "__import__('os').system('touch MARKER')",
    "x\nopen('MARKER', 'w')",
    "\U0001d428\U0001d429\U0001d41e\U0001d427('MARKER', 'w')",  # bold "open"
    "9^9^9^9",
    "(" * 4000 + "x" + ")" * 4000,
    "x+" * 50_000,
]


@pytest.mark.slow
@pytest.mark.parametrize("payload", SUBPROCESS_PAYLOADS, ids=range(len(SUBPROCESS_PAYLOADS)))
def test_console_script_refuses(payload):
    payload = payload.replace("MARKER", str(MARKER))
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "derivcli", "grad", "--timeout", "5", "--", payload],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - start < 30
    _assert_refused(done.returncode, done.stdout, done.stderr)


AUDIT_PROBE = """
import json, sys
from derivcli.errors import DerivcliError
from derivcli.expr.parse import parse_components, parse_point
import derivcli.expr.functions, derivcli.symbolic.special, sympy

payloads = json.loads(sys.stdin.read())
parse_components("sin(x)^2 + atan2(y, x) + gamma(x) + |x| + sqrt(2)")  # warm sympy up
events = []
WATCHED = ("exec", "compile", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
           "subprocess.Popen", "open", "os.remove", "shutil", "ctypes", "import", "builtins.input")

def hook(event, args):
    if event.startswith(WATCHED):
        events.append([event, repr(args)[:200]])

sys.addaudithook(hook)
for payload in payloads:
    for parse in (parse_components, lambda text: parse_point("x=" + text)):
        try:
            parse(payload)
        except DerivcliError:
            pass
print(json.dumps(events))
"""


@pytest.mark.slow
def test_audit_hook_sees_no_code_run():
    """A strict canary: while every payload is parsed, nothing is compiled, run or opened."""
    payloads = [p for _, p in PAYLOADS]
    done = subprocess.run(
        [sys.executable, "-c", AUDIT_PROBE],
        input=json.dumps(payloads),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout) == []


@pytest.mark.slow
def test_audit_probe_can_see_code_run():
    # the probe above can fail: an eval of a payload would show up
    probe = AUDIT_PROBE.replace("parse(payload)", "eval(payload)")
    done = subprocess.run(
        [sys.executable, "-c", probe],
        input=json.dumps(["1 + 1"]),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    events = [event for event, _ in json.loads(done.stdout)]
    assert "exec" in events or "compile" in events
