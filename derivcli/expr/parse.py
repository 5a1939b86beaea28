"""Text to an expression tree without eval: a tokenizer and a Pratt parser over a whitelist.

Nothing the user writes is executed. The parser reads numbers, names, operators and
calls of functions in the function table into a backend-neutral tree
(``derivcli.expr.tree``); any other character or construct is a syntax error that
points at its column. ``parse_tree`` and ``parse_value_tree`` stop there; the other
``parse_*`` functions also build the tree with the symbolic backend
(``derivcli.symbolic.build``), which refuses what only evaluation shows to be undefined.
"""

from __future__ import annotations

import keyword
import re
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction

from derivcli import limits, recursion
from derivcli.errors import InputError, LimitError, ParseError
from derivcli.expr import names, tree
from derivcli.expr.functions import BY_NAME, FUNCTIONS

GREEK_NAMES = frozenset(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron "
    "rho sigma tau upsilon phi chi psi omega".split()
)
# Each constant's name as written, and the tree's name for it.
CONSTANTS = {
    "pi": "pi",
    "e": "E",
    "E": "E",
    "oo": "oo",
    "inf": "oo",
    # printed in results, so that they parse back (parse_result); refused in an
    # expression to differentiate, which must be defined
    "zoo": "zoo",
    "nan": "nan",
    "EulerGamma": "EulerGamma",
    "Catalan": "Catalan",
}
UNDEFINED = {"nan": "(not a number) is undefined", "zoo": "(complex infinity) is undefined"}
# Python's keywords are refused as names (the errors say why), except lambda, a Greek letter.
RESERVED = frozenset(keyword.kwlist) - {"lambda"}

_OPERATOR_ALIASES = {
    "−": "-",  # minus sign
    "–": "-",  # en dash
    "·": "*",
    "⋅": "*",
    "×": "*",
    "∗": "*",
    "÷": "/",
}
_ROOT_SIGNS = {"√": 2, "∛": 3, "∜": 4}
_SUPERSCRIPTS = {"⁰": 0, "¹": 1, "²": 2, "³": 3, "⁴": 4, "⁵": 5, "⁶": 6, "⁷": 7, "⁸": 8, "⁹": 9}
_SUPERSCRIPT_SIGNS = {"⁻": -1, "⁺": 1}
_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?", re.ASCII)
# Latin and Greek letters, and ħ (its other form ℏ, like µ and ϕ, is read as this one:
# names.LETTER_FORMS).
_LETTERS = r"A-Za-z\u0127\u0391-\u03a1\u03a3-\u03a9\u03b1-\u03bf\u03c1-\u03c9"
_NAME_START = re.compile(f"[{_LETTERS}]")
# Subscript digits end a name, as they end it on paper: a₀x₁ is a_0*x_1.
_NAME = re.compile(f"[{_LETTERS}][{_LETTERS}0-9_]*[{names.SUBSCRIPT_DIGITS}]*")
_IDENTIFIER = re.compile(f"^[{_LETTERS}][{_LETTERS}0-9_]*$")
# A name that reads as a variable when called: a letter or a Greek letter's name, then
# digits or an underscore and more (x(y + 1), x_1(t), theta(t) are products, not calls).
_VARIABLE_LIKE = re.compile(
    f"^(?:[{_LETTERS}]|" + "|".join(sorted(GREEK_NAMES)) + r")(?:_?[0-9]+|_\w+)?$"
)
_DIGITS = frozenset("0123456789")  # str.isdigit is also true for "²" and "٣"
_PREFIXED_NUMBER = re.compile(r"0[xXoObB][0-9A-Fa-f]")

ADD_BP, MUL_BP, UNARY_BP, POW_BP = 10, 20, 30, 40


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "name", "op", "sup", "end"
    text: str
    pos: int
    value: object = None


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Split text into tokens; any character outside the syntax is an error at its column."""
    tokens: list[Token] = []
    text = text.translate(names.LETTER_FORMS)  # one character for one: columns stay
    i = 0
    while i < len(text):
        ch = text[i]
        pos = offset + i
        if ch in " \t\u00a0":
            i += 1
        elif ch in _DIGITS or (ch == "." and text[i + 1 : i + 2] in _DIGITS):
            if _PREFIXED_NUMBER.match(text, i):
                raise ParseError(f"'{text[i : i + 2]}…': numbers are decimal", None, pos)
            match = _NUMBER.match(text, i)
            tokens.append(Token("num", match.group(0), pos, _number_value(match, pos)))
            i = match.end()
        elif _NAME_START.match(ch):
            match = _NAME.match(text, i)
            tokens.append(Token("name", names.canonical(match.group(0)), pos))
            i = match.end()
        elif ch == "π":
            tokens.append(Token("name", "pi", pos))
            i += 1
        elif ch == "∞":
            tokens.append(Token("name", "oo", pos))
            i += 1
        elif ch == "*" and text[i + 1 : i + 2] == "*":
            tokens.append(Token("op", "^", pos))
            i += 2
        elif ch in "+-*/^(),|[]":
            tokens.append(Token("op", ch, pos))
            i += 1
        elif ch in _OPERATOR_ALIASES:
            tokens.append(Token("op", _OPERATOR_ALIASES[ch], pos))
            i += 1
        elif ch in _ROOT_SIGNS:
            tokens.append(Token("op", ch, pos, _ROOT_SIGNS[ch]))
            i += 1
        elif ch in names.SUBSCRIPT_DIGITS:
            raise ParseError(f"'{ch}': subscript digits follow a name, as x₁", None, pos)
        elif ch in _SUPERSCRIPTS or ch in _SUPERSCRIPT_SIGNS:
            j = i + 1 if ch in _SUPERSCRIPT_SIGNS else i
            while j < len(text) and text[j] in _SUPERSCRIPTS:
                j += 1
            digits = "".join(str(_SUPERSCRIPTS[c]) for c in text[i:j] if c in _SUPERSCRIPTS)
            if not digits:
                raise ParseError(f"'{ch}' needs superscript digits after it", None, pos)
            if len(digits) > limits.MAX_LITERAL_DIGITS:
                raise LimitError(f"the superscript at column {pos + 1} is too long")
            power = _SUPERSCRIPT_SIGNS.get(ch, 1) * int(digits)
            tokens.append(Token("sup", text[i:j], pos, power))
            i = j
        else:
            raise ParseError(f"unexpected {_describe_char(ch)}", None, pos)
    tokens.append(Token("end", "", offset + len(text)))
    return tokens


_CHARACTER_HINTS = {
    "\n": "line break: an expression is one line",
    "\r": "line break: an expression is one line",
    ";": "';': give one expression (several components are separated by commas)",
    "=": "'=': an expression is not an equation or assignment",
    "<": "'<': comparisons are not part of the syntax",
    ">": "'>': comparisons are not part of the syntax",
    "!": "'!': there is no factorial or negation; for factorials use gamma(n + 1)",
    ":": "':': lambdas, slices and dictionaries are not part of the syntax",
    "'": "quote: strings are not part of the syntax",
    '"': "quote: strings are not part of the syntax",
    ".": "'.': only numbers may contain a dot (there are no attributes)",
    "_": "'_': a name starts with a letter",
    "{": "'{': use parentheses for grouping",
    "}": "'}': use parentheses for grouping",
    "#": "'#': there are no comments",
    "\\": "backslash: there are no escapes or line continuations",
}


def _describe_char(ch: str) -> str:
    if ch in _CHARACTER_HINTS:
        return _CHARACTER_HINTS[ch]
    if ch.isprintable() and ch.isascii():
        return f"character '{ch}'"
    if ch.isprintable():
        return f"character '{ch}' (U+{ord(ch):04X}): names use Latin or Greek letters"
    return f"character U+{ord(ch):04X}"


def _number_value(match: re.Match, pos: int) -> Fraction:
    mantissa, exponent = match.group(1), match.group(2)
    if len(mantissa) > limits.MAX_LITERAL_DIGITS:
        raise LimitError(
            f"a number literal at column {pos + 1} has {len(mantissa):,} digits; "
            f"the limit is {limits.MAX_LITERAL_DIGITS:,}"
        )
    if exponent is not None and abs(int(exponent)) > limits.MAX_LITERAL_DIGITS:
        raise LimitError(
            f"the exponent {exponent} of the number at column {pos + 1} is beyond "
            f"±{limits.MAX_LITERAL_DIGITS:,}"
        )
    return Fraction(match.group(0))


class _Parser:
    def __init__(
        self, text: str, offset: int = 0, *, point_value: bool = False, undefined: bool = False
    ):
        self.text = text
        self.offset = offset
        self.point_value = point_value
        # Whether nan and zoo may appear (results read back, and point values, which
        # _check_real_finite refuses with their own message).
        self.undefined = undefined or point_value
        self.tokens = tokenize(text, offset)
        self.index = 0
        self.depth = 0
        self.abs_depth = 0
        self.called: dict[str, int] = {}
        self.symbols: dict[str, int] = {}

    # token helpers
    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at_op(self, *ops: str) -> bool:
        return self.token.kind == "op" and self.token.text in ops

    def expect(self, op: str, opened: Token | None = None) -> Token:
        if self.at_op(op):
            return self.advance()
        if opened is not None and self.token.kind == "end":
            raise ParseError(f"'{opened.text}' is never closed: add '{op}'", None, opened.pos)
        raise ParseError(
            f"expected '{op}', found {self.describe(self.token)}", None, self.token.pos
        )

    @staticmethod
    def describe(token: Token) -> str:
        return "the end of the input" if token.kind == "end" else f"'{token.text}'"

    # grammar
    def components(self) -> tuple[tree.Node, ...]:
        if self.token.kind == "end":
            raise ParseError("empty expression", None, self.token.pos)
        bracket = self.advance() if self.at_op("[") else None
        items = [self.expression(0)]
        while self.at_op(","):
            self.advance()
            items.append(self.expression(0))
        if bracket is not None:
            self.expect("]", bracket)
        if self.token.kind != "end":
            raise ParseError(self.unexpected_message(self.token), None, self.token.pos)
        return tuple(items)

    def unexpected_message(self, token: Token) -> str:
        if token.kind == "op" and token.text == ")":
            return "unbalanced ')': there is no '(' to close"
        if token.kind == "op" and token.text == "]":
            return "unbalanced ']'"
        if token.kind == "op" and token.text == "[":
            return "'[': brackets only enclose a list of components (there are no subscripts)"
        if token.kind == "num":
            return f"missing operator before the number '{token.text}'"
        return f"unexpected {self.describe(token)}"

    def nested(self, rbp: int) -> tree.Node:
        """An expression one level deeper: inside parentheses, a call, |...|, a sign, a
        root sign or an exponent. Sums and products of terms do not nest."""
        self.depth += 1
        if self.depth > limits.MAX_DEPTH:
            raise LimitError(f"the expression nests deeper than {limits.MAX_DEPTH} levels")
        inner = self.expression(rbp)
        self.depth -= 1
        return inner

    def expression(self, rbp: int) -> tree.Node:
        left = self.prefix()
        while True:
            token = self.token
            if token.kind == "op" and token.text in "+-" and ADD_BP > rbp:
                left = self.sum(left)
            elif (
                token.kind == "op" and token.text in "*/" or self.starts_implicit_factor(token)
            ) and MUL_BP > rbp:
                left = self.product(left)
            elif token.kind == "op" and token.text == "^" and POW_BP > rbp:
                self.advance()
                left = tree.Power(left, self.nested(POW_BP - 1), token.pos, "'^'")
            elif token.kind == "sup" and POW_BP > rbp:
                self.advance()
                exponent = tree.Number(Fraction(token.value), token.pos, written=False)
                left = tree.Power(left, exponent, token.pos, f"'{token.text}'")
            else:
                break
        return left

    def sum(self, first: tree.Node) -> tree.Node:
        # One n-ary sum: folding term by term costs quadratic time in long sums.
        terms, operator = [first], self.token
        while self.at_op("+", "-"):
            sign = self.advance()
            term = self.expression(ADD_BP)
            terms.append(term if sign.text == "+" else tree.Negative(term, sign.pos))
        return tree.Sum(tuple(terms), operator.pos, f"'{operator.text}'")

    def product(self, first: tree.Node) -> tree.Node:
        factors, operator = [first], self.token
        while True:
            token = self.token
            if token.kind == "op" and token.text in "*/":
                self.advance()
                factor = self.expression(MUL_BP)
                if token.text == "/":
                    factor = tree.Reciprocal(factor, token.pos)
                factors.append(factor)
            elif self.starts_implicit_factor(token):
                factors.append(self.expression(MUL_BP))
            else:
                shown = f"'{operator.text}'" if operator.kind == "op" else "the product"
                return tree.Product(tuple(factors), operator.pos, shown)

    def starts_implicit_factor(self, token: Token) -> bool:
        if token.kind == "name":
            return True
        if token.kind == "num":
            raise ParseError(f"missing operator before the number '{token.text}'", None, token.pos)
        if token.kind != "op":
            return False
        return token.text in ("(", *_ROOT_SIGNS) or (token.text == "|" and not self.abs_depth)

    def prefix(self) -> tree.Node:
        token = self.advance()
        if token.kind == "num":
            return tree.Number(token.value, token.pos)
        if token.kind == "name":
            return self.name(token)
        if token.kind == "op":
            if token.text == "-":
                return tree.Negative(self.nested(UNARY_BP), token.pos)
            if token.text == "+":
                return self.nested(UNARY_BP)
            if token.text == "(":
                return self.parenthesized(token)
            if token.text == "|":
                self.abs_depth += 1
                inner = self.nested(0)
                self.expect("|", token)
                self.abs_depth -= 1
                return tree.Call("abs", (inner,), token.pos, None)
            if token.text in _ROOT_SIGNS:  # binds like a unary minus: √x^2 is √(x^2)
                return self.root(self.nested(UNARY_BP), token)
        if token.kind == "end":
            previous = self.tokens[self.index - 2] if self.index >= 2 else None
            if previous is not None and previous.kind == "op" and previous.text not in "(|[":
                raise ParseError(f"'{previous.text}' has nothing after it", None, previous.pos)
            raise ParseError("the expression ends too early", None, token.pos)
        if token.kind == "op" and token.text in "*/^),]":
            raise ParseError(f"'{token.text}' has nothing before it", None, token.pos)
        if token.kind == "sup":
            raise ParseError(f"'{token.text}' has nothing before it", None, token.pos)
        raise ParseError(f"unexpected {self.describe(token)}", None, token.pos)

    def root(self, radicand: tree.Node, token: Token) -> tree.Node:
        if token.value == 2:
            return tree.Call("sqrt", (radicand,), token.pos, token.text)
        index = tree.Number(Fraction(token.value), token.pos, written=False)
        return tree.Call("root", (radicand, index), token.pos, token.text)

    def parenthesized(self, opened: Token) -> tree.Node:
        saved_abs, self.abs_depth = self.abs_depth, 0
        if self.at_op(")"):
            raise ParseError("empty parentheses", None, opened.pos)
        inner = self.nested(0)
        if self.at_op(","):
            raise ParseError(
                "a comma inside parentheses: only function calls take several arguments",
                None,
                self.token.pos,
            )
        self.expect(")", opened)
        self.abs_depth = saved_abs
        return inner

    def name(self, token: Token) -> tree.Node:
        name = token.text
        is_call = self.at_op("(")
        if name in RESERVED:
            raise ParseError(f"'{name}' is a reserved word, not a name", None, token.pos)
        if is_call:
            return self.call(token)
        if name in CONSTANTS:
            if name in UNDEFINED and not self.undefined:
                raise ParseError(
                    f"'{name}' {UNDEFINED[name]}: an expression to differentiate must be "
                    "defined (nan and zoo appear only in results)",
                    None,
                    token.pos,
                )
            return tree.Constant(CONSTANTS[name], token.pos)
        if name in BY_NAME and BY_NAME[name].listed and name not in GREEK_NAMES:
            after = self.token
            if after.kind == "sup" or (after.kind == "op" and after.text == "^"):
                hint = f"write {name}(x)^2, not {name}^2(x)"
            else:
                hint = f"call it with parentheses, as {name}(...)"
            raise ParseError(f"'{name}' is a function: {hint}", None, token.pos)
        if self.point_value:
            raise ParseError(
                f"'{name}' is not a number: a point value may use numbers, pi, e "
                "and functions, not variables",
                None,
                token.pos,
            )
        if name in self.called:
            raise ParseError(
                f"'{name}' is used both as a function and as a variable", None, token.pos
            )
        self.symbols.setdefault(name, token.pos)
        return tree.Variable(name, token.pos)

    def call(self, token: Token) -> tree.Node:
        name = token.text
        spec = BY_NAME.get(name)
        if spec is None:
            message = self.unknown_function_message(name, self.typed_arguments)
            raise ParseError(message, None, token.pos)
        if name in self.symbols:
            raise ParseError(
                f"'{name}' is used both as a function and as a variable", None, token.pos
            )
        self.called.setdefault(name, token.pos)
        opened = self.advance()
        saved_abs, self.abs_depth = self.abs_depth, 0
        args = []
        if not self.at_op(")"):
            args.append(self.nested(0))
            while self.at_op(","):
                self.advance()
                args.append(self.nested(0))
        self.expect(")", opened)
        self.abs_depth = saved_abs
        low, high = spec.arity
        if len(args) < low or (high is not None and len(args) > high):
            raise ParseError(
                f"{name}() takes {_arity_text(spec.arity)}, not {len(args)}", None, token.pos
            )
        return tree.Call(spec.name, tuple(args), token.pos, f"{name}()")

    def unknown_function_message(self, name: str, arguments=None) -> str:
        """What is wrong with a call of name, which is not a function; arguments: a
        callable giving the call's arguments for the suggestion (typed_arguments)."""
        if name in CONSTANTS:
            return f"'{name}' is a constant, not a function"
        listed = [n for spec in FUNCTIONS if spec.listed for n in spec.names]
        other = names.OTHER_TOOLS.get(name, names.OTHER_TOOLS.get(name.lower()))
        typed = arguments() if arguments is not None and other is not None else None
        hint = names.unknown_function_hint(name, listed, bool(_VARIABLE_LIKE.match(name)), typed)
        return f"unknown function '{name}': {hint}"

    def typed_arguments(self) -> list[tuple[str, int]] | None:
        """The arguments of the call whose '(' is the next token, each as the user typed
        it (a slice of the text, never evaluated) and how tightly it binds
        (names.SUM ... names.ATOM); None where they do not parse."""
        found = []
        try:
            self.advance()
            while not self.at_op(")"):
                start = self.token.pos - self.offset
                node = self.nested(0)
                typed = self.text[start : self.token.pos - self.offset].strip()
                found.append((typed, _BINDING.get(type(node), names.ATOM)))
                if not self.at_op(","):
                    break
                self.advance()
            self.expect(")")
        except ParseError:
            return None
        return found


_BINDING = {
    tree.Sum: names.SUM,
    tree.Negative: names.SUM,
    tree.Product: names.PRODUCT,
    tree.Reciprocal: names.PRODUCT,
    tree.Power: names.POWER,
}


def _arity_text(arity: tuple[int, int | None]) -> str:
    low, high = arity
    if high == low:
        return f"{low} argument" + ("s" if low != 1 else "")
    if high is None:
        return f"{low} or more arguments"
    return f"{low} to {high} arguments"


def _tree(text: str, *, offset: int = 0, point_value: bool = False, undefined: bool = False):
    parser = _Parser(text, offset, point_value=point_value, undefined=undefined)
    return tree.Parsed(parser.components(), tuple(parser.symbols))


_TOO_DEEP = recursion.TOO_DEEP


@contextmanager
def _parsing(text: str, shown: str):
    """Room on the stack for text's nesting; a ParseError shown in its context, and a
    RecursionError as the nesting limit."""
    try:
        with recursion.room_for_parsing(text, limits.MAX_DEPTH):
            yield
    except ParseError as error:
        raise ParseError(error.message, shown, error.position) from None
    except RecursionError:
        raise LimitError(_TOO_DEEP) from None


def _checked_length(text: str, what: str, limit: int = limits.MAX_INPUT_LENGTH) -> None:
    if len(text) > limit:
        raise LimitError(f"{what} is {len(text):,} characters long; the limit is {limit:,}")


def parse_tree(text: str, *, undefined: bool = False) -> tree.Parsed:
    """Parse one or more comma-separated expressions (optionally in brackets) into trees.

    nan and zoo are refused unless undefined is true (see parse_result).
    """
    if not isinstance(text, str):
        raise InputError(f"expression must be text, not {type(text).__name__}", "expression")
    _checked_length(text, "the expression")
    stripped = text.strip()
    with _parsing(stripped, stripped):
        return _tree(stripped, undefined=undefined)


def parse_components(text: str, *, undefined: bool = False) -> list:
    """Parse one or more comma-separated expressions (optionally in brackets) into sympy.

    An expression to differentiate must be defined: nan, zoo, and what sympy evaluates
    to them (log(0), 0*oo) are refused, unless undefined is true (see parse_result).
    """
    return parse_with_names(text, undefined=undefined)[0]


def parse_with_names(text: str, *, undefined: bool = False) -> tuple[list, list[str]]:
    """parse_components, and the variable names the text uses, even those that cancel (x - x)."""
    parsed = parse_tree(text, undefined=undefined)
    return build_parsed(text, parsed, undefined=undefined), list(parsed.names)


def build_parsed(text: str, parsed: tree.Parsed, backend=None, *, undefined: bool = False) -> list:
    """The components of parsed (parse_tree(text)) as the backend's expressions (the
    default backend's when None); an error is shown in text, as a syntax error is."""
    from derivcli.symbolic import backend as backends

    backend = backend or backends.default()
    stripped = text.strip()
    with _parsing(stripped, stripped):
        return backend.build(parsed.components, undefined=undefined)


def parse_expression(text: str, *, undefined: bool = False):
    """Parse exactly one expression (see parse_components)."""
    components = parse_components(text, undefined=undefined)
    if len(components) != 1:
        raise InputError(f"expected one expression, found {len(components)} components")
    return components[0]


def parse_result(text: str):
    """Read back one entry derivcli printed (a symbolic or exact entry of the json
    document): as parse_expression, and nan and zoo are sympy's constants, which exact
    values at poles and undefined points contain."""
    return parse_expression(text, undefined=True)


def parse_value_tree(text: str, *, context: str | None = None, offset: int = 0) -> tree.Node:
    """Parse a point value (pi/4, 1e-3: numbers, constants and functions, no variables)
    into its tree.

    context is the text shown in error messages (the whole --at spec) and offset
    the column of text within it.
    """
    _checked_length(text, "the value", limits.MAX_POINT_LENGTH)
    with _parsing(text, text if context is None else context):
        values = _tree(text, offset=offset, point_value=True).components
    if len(values) != 1:
        raise InputError(f"'{text.strip()}' is several values; give one number")
    return values[0]


def parse_value(text: str, *, context: str | None = None, offset: int = 0):
    """Parse a point value into an exact, real, finite sympy number (see parse_value_tree)."""
    from derivcli.symbolic import build

    value = parse_value_tree(text, context=context, offset=offset)
    with _parsing(text, text if context is None else context):
        number = build.components((value,), undefined=True)[0]
    return build.real_finite(number, text.strip())


def split_top_level(text: str, separator: str = ",") -> list[tuple[int, str]]:
    """Split text at separators outside parentheses and brackets; keep each part's offset."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == separator and depth == 0:
            parts.append((start, text[start:i]))
            start = i + 1
    parts.append((start, text[start:]))
    return parts


def parse_point(spec: str) -> dict:
    """Parse a point such as ``x=pi/4,y=1`` into exact sympy values, in the order given."""
    if not spec.strip():
        raise InputError("an empty point: give values as name=value,name=value")
    _checked_length(spec, "the point", limits.MAX_POINT_LENGTH)
    point: dict = {}
    for offset, part in split_top_level(spec):
        name_part, equals, value = part.partition("=")
        name = canonical_name(name_part)
        if not equals:
            raise InputError(f"'{part.strip()}' in '{spec}' is not name=value")
        if not _IDENTIFIER.match(name) or name in RESERVED:
            raise InputError(f"'{name}' in '{spec}' is not a variable name")
        if name in CONSTANTS:
            raise InputError(f"'{name}' in '{spec}' is a constant, not a variable")
        if name in point:
            raise InputError(f"'{name}' is given twice in '{spec}'")
        if not value.strip():
            raise InputError(f"'{name}' has no value in '{spec}'")
        point[name] = parse_value(value, context=spec, offset=offset + len(name_part) + 1)
    return point


def canonical_name(name: str) -> str:
    """A variable's name as the parser reads it in an expression (µ is μ, x₁ is x_1),
    without the spaces around it; check it with is_identifier."""
    return names.canonical(name.strip())


def is_identifier(name: str) -> bool:
    """Whether name is a valid variable name, as written by canonical_name."""
    return bool(_IDENTIFIER.match(name)) and name not in RESERVED and name not in CONSTANTS
