"""derivcli repl, driven through a pseudo-terminal as a person would type at it."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import time

import pytest

from tests.server.conftest import DERIVCLI

pytestmark = pytest.mark.slow

PROMPT = b"derivcli> "


class Terminal:
    """derivcli repl on a pseudo-terminal: type lines, read until text appears."""

    def __init__(self, env: dict):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            # As an interactive shell starts a job: Ctrl-C's SIGINT not ignored (a suite
            # run as a background job of a script inherits it ignored, and a prompt
            # started so keeps it ignored, as nohup's programs do)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.execve(DERIVCLI, [DERIVCLI, "repl"], env)
        self.seen = b""

    def until(self, text: bytes, seconds: float = 60) -> bytes:
        """What the terminal showed up to and including text (from where we were)."""
        deadline = time.monotonic() + seconds
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise AssertionError(f"no {text!r} in {self.seen[-2000:]!r}")
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # the process has exited
                raise AssertionError(f"no {text!r} in {self.seen[-2000:]!r}") from None
            self.seen += chunk
        shown, self.seen = self.seen.split(text, 1)
        return shown + text

    def type(self, text: bytes) -> None:
        os.write(self.fd, text)

    def status(self, seconds: float = 30) -> int:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            pid, wait_status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(wait_status)
            try:
                os.read(self.fd, 65536)
            except OSError:
                pass
            time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError("the prompt did not exit")


@pytest.fixture
def env(tmp_path):
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"), TERM="dumb")
    env["COLUMNS"] = "100"
    return env


def test_lines_are_answered_errors_keep_the_prompt_and_history_is_kept(env, tmp_path):
    term = Terminal(env)
    term.until(PROMPT, seconds=120)  # the imports
    term.type(b"hessian sin(x)*y --at x=0,y=1\r")
    shown = term.until(PROMPT)
    assert b"torch agrees with the exact values" in shown and "-y·sin(x)".encode() in shown
    term.type(b"grad x^ --at x=1\r")
    assert b"derivcli: error: '^' has nothing after it" in term.until(PROMPT)
    term.type(b"grad 'x^2 +' --at\r")
    assert b"derivcli: error:" in term.until(PROMPT)
    term.type(b"help taylor\r")
    assert b"Usage: derivcli taylor" in term.until(PROMPT)
    term.type(b"derivcli grad x^2 --at x=3 --format plain\r")
    assert b"6.0" in term.until(PROMPT)
    term.type(b"\x04")  # Ctrl-D
    assert term.status() == 0
    history = (tmp_path / "state" / "derivcli" / "history").read_text()
    assert "hessian sin(x)*y --at x=0,y=1" in history and "help taylor" in history


def test_ctrl_c_cancels_the_running_line_not_the_prompt(env):
    term = Terminal(env)
    term.until(PROMPT, seconds=120)
    term.type(b"grad x*y --grid x=0:1:3000,y=0:1:3000 --format csv -o /dev/null\r")
    time.sleep(1.5)  # the command is under way
    term.type(b"\x03")  # Ctrl-C: the terminal sends SIGINT to the line's process
    assert b"derivcli: error: interrupted" in term.until(PROMPT, seconds=60)
    term.type(b"\x03")  # at the prompt: a fresh line
    term.until(PROMPT)
    term.type(b"grad x^2 --at x=3 --format plain\r")
    assert b"6.0" in term.until(PROMPT)
    term.type(b"quit\r")
    assert term.status() == 0


def test_lines_from_a_pipe_run_without_a_prompt(env):
    lines = b"grad x^2 --at x=3 --format plain\n\ndiff x^5 --wrt x,x --at x=1 -f plain\n"
    done = subprocess.run(
        [DERIVCLI, "repl"], input=lines, env=env, capture_output=True, timeout=120
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, b"6.0\n20.0\n", b"")


def test_a_line_that_would_read_the_prompts_own_input_is_refused(env):
    lines = b"grad - --at x=1\ngrad x --points - -f plain\nx^2\ngrad x^2 --at x=2 -f plain -o -\n"
    done = subprocess.run(
        [DERIVCLI, "repl"], input=lines, env=env, capture_output=True, timeout=120
    )
    assert done.stdout == b"4.0\n"  # the script's lines stayed the prompt's: x^2 is not read
    refusals = done.stderr.decode().splitlines()
    assert len(refusals) == 3 and all("would read this prompt's input" in r for r in refusals[:2])
    assert refusals[2].startswith("derivcli: error: No such command 'x^2'")


def test_a_failing_last_line_is_the_exit_status(env):
    done = subprocess.run(
        [DERIVCLI, "repl"], input=b"grad x^ --at x=1\n", env=env, capture_output=True, timeout=120
    )
    assert done.returncode == 2 and done.stderr.startswith(b"derivcli: error: '^'")


def test_the_readme_session_prints_what_the_readme_shows(env):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n\$ derivcli repl\n(.*?)```", readme, flags=re.S).group(1)
    lines = block.splitlines()
    intro, session = lines[:2], lines[2:]
    typed = [line[len(PROMPT) :] for line in session if line.startswith(PROMPT.decode())]
    shown = [line for line in session if not line.startswith(PROMPT.decode())]
    assert typed[-1] == "quit" and len(typed) >= 3
    done = subprocess.run(
        [DERIVCLI, "repl"],
        input="\n".join(typed).encode() + b"\n",
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout.decode().splitlines()) == (0, shown)
    term = Terminal(env)  # the introduction, as a person sees it
    assert "\n".join(intro).encode() in term.until(PROMPT, seconds=120).replace(b"\r\n", b"\n")
    term.type(b"quit\r")
    assert term.status() == 0
