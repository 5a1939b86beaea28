"""The symbolic backend interface: what derivcli asks of a computer algebra system.

A backend builds its expressions from the parser's trees, differentiates them, puts
exact values in, prints them as text that the parser reads back, turns numbers into
floats, and shows each node as a ``View`` (what kind of node, its function's row, its
arguments), from which the lowering to torch is made without knowing the backend's
classes. ``capabilities`` says what else it can do: ``stable_forms`` (the lowering
applies numeric/stable.py's rewrites, which read sympy's trees); ``limits`` (for the
verdicts at breaks and poles) and ``simplify`` (for the table's display forms) are
declared for the day those parts go through the interface (today they are sympy's).

sympy is the first backend (``derivcli.symbolic.sympy_backend``) and the default;
SymEngine the second (``derivcli.symbolic.symengine_backend``, for the rows it has
natively). ``get(name)`` returns a backend, importing its module when first asked for;
``default()`` the one derivcli uses.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from fractions import Fraction

from derivcli.errors import InputError

# View kinds
SYMBOL = "symbol"  # a variable
NUMBER = "number"  # a node without variables (3, pi/4, sqrt(2), exp(exp(10)))
SUM = "sum"
PRODUCT = "product"
NEGATIVE = "negative"  # -arg
POWER = "power"  # base^exponent
CALL = "call"  # a function of the table, by its row's name


class Unsupported(InputError):
    """An expression a backend does not build as sympy would (a function row it lacks,
    a power it would rewrite): "auto" takes sympy instead, a named backend says so."""


@dataclass(frozen=True, slots=True)
class View:
    """One node as the lowering sees it.

    name: the variable's name (symbol) or the function row's name (call).
    rational: the exponent of a power when it is a rational number, exactly; None
    otherwise (a symbolic exponent, or an irrational number such as pi).
    """

    kind: str
    args: tuple = ()
    name: str | None = None
    rational: Fraction | None = None


class Backend(ABC):
    """A symbolic backend; expressions are the backend's own objects."""

    name: str
    capabilities: frozenset[str] = frozenset()

    @abstractmethod
    def build(self, trees, *, undefined: bool = False) -> list:
        """Each tree (derivcli.expr.tree) as an expression; a ParseError at the node's
        column where evaluation shows it undefined (unless undefined) or a division by
        zero, a LimitError beyond the cost bounds."""

    @abstractmethod
    def owns(self, expr) -> bool:
        """Whether expr is one of this backend's expressions."""

    @abstractmethod
    def symbol(self, name: str):
        """The real variable called name."""

    def prepare(self, expr):
        """expr in the form the backend differentiates (the identity unless it needs one)."""
        return expr

    @abstractmethod
    def differentiate(self, expr, variable):
        """d expr / d variable, of a prepared expression (the result is prepared too)."""

    def finish(self, expr):
        """A prepared expression back in its ordinary form; an InputError where the
        backend could not differentiate a part of it."""
        return expr

    @abstractmethod
    def combine(self, terms):
        """The sum of coefficient * expression over terms, (Fraction, expr) pairs."""

    @abstractmethod
    def substitute(self, expr, values):
        """expr with each variable replaced by its exact value, all at once (values: a
        dict, or what point made of one)."""

    def point(self, values: dict):
        """values (variable: exact number) in the form substitute takes fastest."""
        return values

    @abstractmethod
    def to_text(self, expr) -> str:
        """expr as text that derivcli's parser reads back to the same value."""

    @abstractmethod
    def to_float(self, expr) -> float | None:
        """A number as the nearest float, certified; None where it is not real."""

    @abstractmethod
    def approximate(self, expr) -> float:
        """A constant as a float for the torch program, from about 30 digits: ±inf
        beyond the float range, nan where it is not real or cannot be known in time."""

    @abstractmethod
    def rational(self, expr) -> Fraction | None:
        """expr's value if it is a rational number, exactly; None otherwise."""

    @abstractmethod
    def view(self, expr) -> View:
        """expr's top node as a View (kind "unknown", with its arguments, for a node
        the lowering has no rule for)."""

    @abstractmethod
    def power(self, base, exponent: Fraction):
        """base^exponent as written, not simplified."""

    @abstractmethod
    def arguments(self, expr) -> tuple:
        """The nodes directly below expr (none for a variable or a number)."""

    @abstractmethod
    def free_symbols(self, expr) -> set:
        """The variables expr depends on."""


_BACKENDS: dict[str, Backend] = {}


def register(backend: Backend) -> Backend:
    """Make backend available under its name."""
    _BACKENDS[backend.name] = backend
    return backend


def names() -> list[str]:
    """The available backends' names (those whose library is installed), the default
    first."""
    _load()
    return list(_BACKENDS)


def get(name: str) -> Backend:
    """The backend called name."""
    if name in _BACKENDS:  # every parse and lowering asks for the default
        return _BACKENDS[name]
    _load(name)
    try:
        return _BACKENDS[name]
    except KeyError:
        from derivcli.errors import InputError

        known = ", ".join(_BACKENDS)
        raise InputError(f"unknown symbolic backend {name!r}; known: {known}") from None


def of(expr) -> Backend:
    """The registered backend whose expression expr is (the default one if none)."""
    for backend in _BACKENDS.values():
        if backend.owns(expr):
            return backend
    return default()


def default() -> Backend:
    """The backend derivcli uses (sympy)."""
    return get("sympy")


# Each backend's module, imported (and so registered) when first asked for: symengine's
# import costs 70-120 ms (measured), which a run on the sympy backend does not pay.
_MODULES = {
    "sympy": "derivcli.symbolic.sympy_backend",
    "symengine": "derivcli.symbolic.symengine_backend",
}


def _load(name: str | None = None) -> None:
    """Import the backend called name (every backend when None) if not yet registered."""
    import importlib

    for known, module in _MODULES.items():
        if known in _BACKENDS or (name is not None and name in _MODULES and known != name):
            continue
        try:
            importlib.import_module(module)
        except ImportError:
            if known == "sympy":
                raise  # sympy is a dependency; only an optional backend may be absent
