"""Error classes and the exit statuses they map to."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Exit statuses of the command line; other programs depend on them."""

    OK = 0
    ERROR = 1
    INPUT = 2
    STRICT = 3
    LIMIT = 4


class DerivcliError(Exception):
    """Base of every error derivcli raises on purpose."""

    exit_status = ExitStatus.ERROR


class InputError(DerivcliError):
    """The input is wrong: syntax, unknown name, bad point or bad option."""

    exit_status = ExitStatus.INPUT


class ParseError(InputError):
    """The expression text does not parse; carries the column to point at."""

    def __init__(self, message: str, text: str | None = None, position: int | None = None):
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position

    def __str__(self) -> str:
        if self.text is None or self.position is None or "\n" in self.text:
            return self.message
        return f"{self.message}\n  {self.text}\n  {' ' * self.position}^"


class LimitError(DerivcliError):
    """A resource limit (size, depth, time) was reached."""

    exit_status = ExitStatus.LIMIT


class StrictError(DerivcliError):
    """--strict was given and a result is undefined, non-finite or disputed."""

    exit_status = ExitStatus.STRICT
