"""Error classes and the exit statuses they map to."""

from __future__ import annotations

import unicodedata
from enum import IntEnum


class ExitStatus(IntEnum):
    """Exit statuses of the command line; other programs depend on them."""

    OK = 0
    ERROR = 1
    INPUT = 2
    STRICT = 3
    LIMIT = 4
    HANGUP = 129  # SIGHUP (the terminal closed), 128 + its number
    INTERRUPTED = 130  # Ctrl-C, as shells report a command that SIGINT ended
    CLOSED_OUTPUT = 141  # the reader of stdout went away (EPIPE), as SIGPIPE: 128 + 13
    TERMINATED = 143  # SIGTERM (kill, timeout), 128 + its number


class DerivcliError(Exception):
    """Base of every error derivcli raises on purpose."""

    exit_status = ExitStatus.ERROR


class InputError(DerivcliError):
    """The input is wrong: syntax, unknown name, bad point or bad option.

    argument: the Python argument at fault (at, wrt, expression, points, device, dtype,
    engine, timeout), or None. An error made by about() names it in Python's words in
    str() (at=, wrt=) and in the command line's in command_line (--at, --wrt).
    """

    exit_status = ExitStatus.INPUT

    def __init__(self, message: str = "", argument: str | None = None, command_line=None):
        super().__init__(message)
        self.argument = argument
        self._command_line = command_line

    @property
    def command_line(self) -> str:
        """The message as the command line shows it (its options rather than arguments)."""
        return str(self) if self._command_line is None else self._command_line

    @classmethod
    def about(cls, argument: str, template: str, **values) -> InputError:
        """An error about argument: template names it as {opt} (at= in Python, --at on
        the command line) and may give it a value as {opt_value} (device='cuda',
        --device cuda), with values filled in as given (not read as templates)."""

        def worded(flag: bool) -> str:
            name = f"--{argument.replace('_', '-')}" if flag else f"{argument}="
            value = values.get("value")
            with_value = f"{name} {value}" if flag else f"{name}{value!r}"
            return template.format(opt=name, opt_value=with_value, **values)

        return cls(worded(False), argument, worded(True))


class ParseError(InputError):
    """The expression text does not parse; carries the column to point at."""

    def __init__(self, message: str, text: str | None = None, position: int | None = None):
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position

    def __str__(self) -> str:
        if self.text is None or self.position is None:
            return self.message
        line, column = excerpt(self.text, self.position)
        return f"{self.message}\n  {line}\n  {' ' * column}^"


def excerpt(text: str, position: int, width: int = 72) -> tuple[str, int]:
    """text as one printable line (cut to about width columns around position) and the
    column under position, so that a caret there points at the right character.

    Line breaks show as ␤; other control and invisible characters (which could reorder
    what a terminal shows) as '?'; wide characters count two columns.
    """
    shown = [_visible(ch) for ch in text]
    widths = [_width(ch) for ch in shown]
    position = max(0, min(position, len(shown)))
    start, end = 0, len(shown)
    if sum(widths) > width:
        start = position
        while start > 0 and sum(widths[start - 1 : position]) < width * 2 // 3:
            start -= 1
        end = position
        while end < len(shown) and sum(widths[start : end + 1]) < width:
            end += 1
    line = "".join(shown[start:end])
    column = sum(widths[start:position])
    if start > 0:
        line, column = "…" + line, column + 1
    if end < len(shown):
        line += "…"
    return line, column


def _visible(ch: str) -> str:
    if ch in "\n\r":
        return "␤"
    if ch == "\t":
        return " "
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return "?"
    return ch


def _width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


class LimitError(DerivcliError):
    """A resource limit (size, depth, time) was reached."""

    exit_status = ExitStatus.LIMIT
