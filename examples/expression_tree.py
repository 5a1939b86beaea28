"""The parser's tree and the symbolic backend, for a program that works with expressions.

parse_tree reads text into plain data (nothing is evaluated, and neither sympy nor torch
is imported); a backend builds its own expressions from the tree, differentiates them,
puts exact values in, and shows each node to the lowering as a view.
"""

from derivcli.errors import ParseError
from derivcli.expr import tree
from derivcli.expr.parse import parse_components, parse_tree
from derivcli.symbolic import backend

parsed = parse_tree("x^2*sin(y) - 1/x")
(node,) = parsed.components
print("variables:", ", ".join(parsed.names))
print("tree:", type(node).__name__, "of", len(node.terms), "terms,", tree.depth(node), "levels")

sympy_backend = backend.default()
(f,) = sympy_backend.build(parsed.components)
x, y = sympy_backend.symbol("x"), sympy_backend.symbol("y")
dfdx = sympy_backend.finish(sympy_backend.differentiate(sympy_backend.prepare(f), x))
print("df/dx:", sympy_backend.to_text(dfdx))

two, half_pi = sympy_backend.build(parse_tree("2, pi/2").components)
value = sympy_backend.substitute(dfdx, {x: two, y: half_pi})
print("at x=2, y=pi/2:", sympy_backend.to_text(value), "=", sympy_backend.to_float(value))

view = sympy_backend.view(f)
print("the lowering sees:", view.kind, "of", sorted(sympy_backend.view(a).kind for a in view.args))

# The second backend, SymEngine, for the functions it has natively (not yet used by
# the commands): the same tree, the same derivative, 50-90 times faster (bench/backends.py).
symengine = backend.get("symengine")
(g,) = symengine.build(parsed.components)
dgdx = symengine.differentiate(g, symengine.symbol("x"))
print("symengine df/dx:", symengine.to_text(dgdx))

try:
    parse_components("1/(x - x)")  # the syntax is right; the build finds the division
except ParseError as error:
    print("error:", error.message, "at column", error.position + 1)
