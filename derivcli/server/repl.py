"""`derivcli repl`: a prompt where each line is a derivcli command, answered at once.

The prompt's process imports everything once (worker.warm) and runs each line in a
child forked from it, as the server does: nothing one line does reaches the next, and
Ctrl-C (which the terminal sends to the child too) cancels the line, not the prompt.
Line editing, completion of command and option names, and a history kept in
$XDG_STATE_HOME/derivcli/history (~/.local/state/derivcli/history) where readline is
available. Read from a pipe or a file, it runs each line without a prompt.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys

from derivcli.server import worker

PROMPT = "derivcli> "
HISTORY_LENGTH = 1000
WORDS_TO_QUIT = {"quit", "exit"}
NOT_HERE = {"repl", "server"}
INTRO = (
    "derivcli: each line is a command without 'derivcli', e.g. "
    "hessian sin(x)*y --at x=0,y=1\n"
    "'help' lists the commands, 'help hessian' explains one; quit or Ctrl-D to leave.\n"
)


def history_path() -> str:
    """Where the prompt keeps its history."""
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "state"
    )
    return os.path.join(state, "derivcli", "history")


def run() -> int:
    """The prompt, until quit, exit or end of input: the last command's exit status."""
    interactive = sys.stdin.isatty()
    if interactive:
        sys.stderr.write("derivcli: loading sympy and torch...\r")
        sys.stderr.flush()
    worker.warm()
    editing = _line_editing() if interactive else None
    if interactive:
        sys.stderr.write(" " * 40 + "\r" + INTRO)
        sys.stderr.flush()
    status = 0
    try:
        while True:
            try:
                line = input(PROMPT) if interactive else _read_line()
            except KeyboardInterrupt:  # Ctrl-C at the prompt: a fresh line
                sys.stdout.write("\n")
                continue
            except EOFError:
                if interactive:
                    sys.stdout.write("\n")
                break
            words = _words(line)
            if words is None:
                status = 2
                continue
            if not words:
                continue
            if words[0] in WORDS_TO_QUIT:
                break
            if editing:
                editing.remember()
            status = run_line(words)
    finally:
        if editing:
            editing.save()
    return status


def _read_line() -> str:
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line


def _words(line: str) -> list[str] | None:
    """A line's words as a command's arguments (None, with a message, if it cannot be
    split); 'derivcli' before them is dropped, 'help CMD' is 'CMD --help'."""
    try:
        words = shlex.split(line)
    except ValueError as error:
        _error(f"{error} (quote the expression, as in a shell)")
        return None
    if words[:1] == ["derivcli"]:
        words = words[1:]
    if words[:1] == ["help"]:
        words = [*words[1:], "--help"]
    if words[:1] and words[0] in NOT_HERE:
        _error(f"'{words[0]}' runs from the shell, not from this prompt")
        return None
    outputs = ("-o", "--output")
    if any(w == "-" and (i == 0 or words[i - 1] not in outputs) for i, w in enumerate(words)):
        # stdin is where this prompt's own lines come from
        _error(
            "'-' would read this prompt's input: give the expression on the line or as "
            "@FILE, the points as --points FILE"
        )
        return None
    return words


def run_line(words: list[str]) -> int:
    """Run one command in a child of this process: its exit status."""
    from derivcli.server.client import describe

    request = describe(words)
    sys.stdout.flush()
    sys.stderr.flush()
    # The terminal sends Ctrl-C to the child as well: it ends the line, not the prompt.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        pid = worker.fork_blocked()
        if pid == 0:
            worker.run_command(request, [0, 1, 2], own_group=False)
        _, wait_status = os.waitpid(pid, 0)
    finally:
        signal.signal(signal.SIGINT, previous)
    code = os.waitstatus_to_exitcode(wait_status)
    return code if code >= 0 else 128 - code


def _error(message: str) -> None:
    sys.stderr.write(f"derivcli: error: {message}\n")
    sys.stderr.flush()


class _LineEditing:
    """readline's history (in history_path()) and completion of command and option names."""

    def __init__(self, readline):
        self.readline = readline
        self.path = history_path()
        try:
            readline.read_history_file(self.path)
        except OSError:
            pass
        readline.set_history_length(HISTORY_LENGTH)
        readline.set_completer(self.complete)
        readline.set_completer_delims(" \t")
        binding = "bind ^I rl_complete" if "libedit" in (readline.__doc__ or "") else None
        readline.parse_and_bind(binding or "tab: complete")
        self.candidates: list[str] = []

    def complete(self, text: str, state: int) -> str | None:
        if state == 0:
            words = self.readline.get_line_buffer()[: self.readline.get_begidx()].split()
            self.candidates = sorted(c for c in _names(words) if c.startswith(text))
        return self.candidates[state] + " " if state < len(self.candidates) else None

    def remember(self) -> None:
        """Write the line just read to the history file (a crash keeps it)."""
        try:
            os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
            if not os.path.exists(self.path):
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            self.readline.append_history_file(1, self.path)
        except OSError:
            pass

    def save(self) -> None:
        """Trim the history file to the last HISTORY_LENGTH lines."""
        try:
            if os.path.exists(self.path):
                self.readline.write_history_file(self.path)
        except OSError:
            pass


def _line_editing() -> _LineEditing | None:
    try:
        import readline
    except ImportError:  # a Python built without it: plain input()
        return None
    return _LineEditing(readline)


def _names(words: list[str]) -> list[str]:
    """What may come next: a command's name first, then that command's options."""
    from derivcli.cli.app import click_command

    group = click_command()
    commands = dict(group.commands)
    if not words:
        return [name for name in commands if name not in NOT_HERE] + ["help", "quit"]
    command = commands.get(words[-1] if words[0] == "help" else words[0])
    if command is None:
        return []
    return [name for param in command.params for name in param.opts if name.startswith("--")]
