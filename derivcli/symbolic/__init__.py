"""The symbolic side: expressions built from the parser's trees, differentiated, valued
exactly at points and printed, with sympy.

- ``build``: tree → sympy, with the checks only evaluation can make.
- ``derivatives``: an operation's entries as expressions (``Derivatives``).
- ``exact``: exact values at a point, text and floats.
- ``display``: the table's simplified forms (entries and exact values).
- ``math_text``, ``numbers``: one-line math and numbers for people (the table's).
- ``sympy_functions``, ``special``: each function row's sympy builder and class.
- ``backend``, ``sympy_backend``: the backend interface (which parsing, the derivatives
  and the lowering go through) and sympy's implementation of it.
"""

from derivcli.symbolic.derivatives import (
    Derivatives,
    derivative_matrix,
    derivatives,
    free_variables,
    natural_key,
    rational,
)
from derivcli.symbolic.display import ExactForms, display_forms
from derivcli.symbolic.exact import exact_at, to_float, to_text
from derivcli.symbolic.numbers import point_text

__all__ = [
    "Derivatives",
    "ExactForms",
    "derivative_matrix",
    "derivatives",
    "display_forms",
    "exact_at",
    "free_variables",
    "natural_key",
    "point_text",
    "rational",
    "to_float",
    "to_text",
]
