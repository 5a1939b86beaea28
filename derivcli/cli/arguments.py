"""A command's arguments before click reads them, and the expression they name.

Two conventions click does not know:
- an expression that begins with a minus sign (derivcli grad "-x^2" --at x=1) is the
  expression, not an unknown option; expression_last finds it;
- the expression from stdin ('-') or a file ('@FILE'), line breaks read as spaces;
  read_expression reads it.
"""

from __future__ import annotations

import re
import sys

from derivcli.errors import InputError, LimitError, ParseError
from derivcli.limits import MAX_INPUT_LENGTH

# --name or --name=value: an option, known or mistyped (click names it in its error)
_LONG_OPTION = re.compile(r"--[A-Za-z][A-Za-z0-9-]*(=.*)?", re.DOTALL)
# -x, -xy, -x1: a short option (or a cluster), or the negation of a variable's name
_SHORT_OPTION = re.compile(r"-[A-Za-z][A-Za-z0-9]*")
# 4 bytes hold any character in UTF-8: more than this many is over the limit unread
_MAX_INPUT_BYTES = 4 * MAX_INPUT_LENGTH


def expression_last(args: list[str], takes_value: dict[str, bool]) -> list[str]:
    """args with the options first and the positional arguments (the expression) after
    a '--', so that click reads an expression beginning with '-' as the expression.

    takes_value: each option name of the command (-f, --format, --no-strict) and
    whether a value follows it. An argument that begins with '-' is
    - an option where it is one of the command's (also --name=value, and -fVALUE for a
      short option that takes a value), or shaped like a long option (--name, --name=v:
      a mistyped option stays an error that names it);
    - the expression where it is shaped otherwise (-x^2, -2*x, -sin(x), -x_1);
    - shaped like a short option (-x, -xy): the expression when no other argument is,
      an unknown option (an error that names it) when one is.
    '--' makes the next argument the expression; options may follow it.
    '-' alone is an argument (the expression from stdin).
    """
    options: list[str] = []
    positional: list[str] = []
    name_shaped: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            positional.extend(args[index : index + 1])
            index += 1
        elif arg in takes_value:
            if index + takes_value[arg] > len(args):
                return [*options, arg]  # its value is missing: click says so first
            options.extend(args[index - 1 : index + takes_value[arg]])
            index += takes_value[arg]
        elif _is_option(arg, takes_value):
            options.append(arg)
        elif _SHORT_OPTION.fullmatch(arg):
            name_shaped.append(arg)
        else:
            positional.append(arg)
    if positional:
        options.extend(name_shaped)  # unknown options then: click says which
    else:
        positional = name_shaped
    return [*options, "--", *positional] if positional else options


def _is_option(arg: str, takes_value: dict[str, bool]) -> bool:
    if _LONG_OPTION.fullmatch(arg):
        return True
    short = arg[:2]
    return len(arg) > 2 and arg[0] == "-" and takes_value.get(short, False)


def read_expression(argument: str, *, points: str | None = None) -> tuple[str, str | None]:
    """The expression an argument gives, and where it came from ('from stdin',
    'in FILE'; None for the argument's own text).

    '-' reads stdin, '@FILE' the file (neither begins an expression otherwise). Line
    breaks read as spaces; the text is stripped. Refused: stdin when --points reads it
    too, a file that cannot be read, empty text, bytes that are not UTF-8 text, more
    than limits.MAX_INPUT_LENGTH characters (an expression's limit, exit status 4).
    """
    if argument == "-":
        if points == "-":
            raise InputError(
                "the expression ('-') and --points - both read stdin: "
                "give one of them as a file (@FILE for the expression)",
                "points",
            )
        return _text(sys.stdin.buffer.read(_MAX_INPUT_BYTES + 1), "from stdin"), "from stdin"
    if not argument.startswith("@"):
        return argument, None
    path = argument[1:]
    if not path:
        raise InputError("'@' needs a file name after it: @expr.txt", "expression")
    where = f"in {path}"
    try:
        with open(path, "rb") as file:
            data = file.read(_MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"no such file: {path} (the expression's file, @{path})") from None
    except IsADirectoryError:
        raise InputError(
            f"{path} is a directory: @FILE names a file that holds the expression"
        ) from None
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    return _text(data, where), where


def _text(data: bytes, where: str) -> str:
    """The expression in data: decoded, line breaks as spaces, stripped, checked."""
    if len(data) > _MAX_INPUT_BYTES:
        raise LimitError(_too_long(where))
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark, as some editors write, is no text
    except UnicodeDecodeError as error:
        raise InputError(
            f"the expression {where} is not UTF-8 text (byte {error.start + 1}): "
            "is it a binary file?",
            "expression",
        ) from None
    if "\0" in text:
        raise InputError(
            f"the expression {where} holds a NUL character: is it a binary file?", "expression"
        )
    text = re.sub(r"\r\n|[\r\n]", " ", text).strip()
    if not text:
        raise InputError(f"the expression {where} is empty: write it there", "expression")
    if len(text) > MAX_INPUT_LENGTH:
        raise LimitError(_too_long(where))
    return text


def _too_long(where: str) -> str:
    return f"the expression {where} is longer than the limit of {MAX_INPUT_LENGTH:,} characters"


def say_where(error: ParseError, expression: str, where: str) -> None:
    """Make a parse error about the expression read from where say where (its caret
    points into the text read, shown as one line)."""
    if error.text == expression:
        error.message = f"{error.message} ({where})"
