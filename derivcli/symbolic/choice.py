"""Which symbolic backend does a request's work.

sympy does everything derivcli asks (limits at breaks and poles, simplified display
forms, every function row), but its differentiation, substitution and printing grow
slow with the problem: a 24-variable Lennard-Jones Hessian took 30 s of sympy. SymEngine
does the same work 50 to 500 times faster for the rows it has (measured for issue 12).
So "auto" keeps sympy for small problems, where it answers in well under a second and
its display forms are worth having, and takes SymEngine for heavy ones whose rows it
has; the verdicts still go to sympy wherever SymEngine's exact values do not settle an
entry (derivcli.check.fast).
"""

from __future__ import annotations

from derivcli.expr import tree
from derivcli.symbolic import backend as backends

CHOICES = ("auto", "sympy", "symengine")

# The work a problem asks of the backend, counted as the nodes of its trees times its
# entries plus one, from which "auto" takes SymEngine. Measured (bench/scale.py, whole
# compute at one point, 2 cores): sympy and SymEngine cost the same near 2,000; at
# 10,000 sympy takes about 0.5 s more.
HEAVY_WORK = 2_000


def choose(name: str, trees: list[tree.Node], entries: int) -> backends.Backend:
    """The backend called name, or for "auto" the one suited to trees' size and rows
    (entries: how many entries the operation has)."""
    if name != "auto":
        return backends.get(name)
    nodes, rows, constants = _survey(trees)
    # symengine is imported only for a heavy problem (its import: 70-120 ms)
    if constants or nodes * (entries + 1) < HEAVY_WORK or "symengine" not in backends.names():
        return backends.default()
    symengine = backends.get("symengine")
    return symengine if symengine.supports(rows) else backends.default()


def _survey(trees: list[tree.Node]) -> tuple[int, set[str], bool]:
    """The trees' node count, the function rows they call, and whether they hold a
    constant other than pi, E, EulerGamma and Catalan."""
    nodes, rows, constants = 0, set(), False
    stack = list(trees)
    while stack:
        node = stack.pop()
        nodes += 1
        if isinstance(node, tree.Call):
            rows.add(node.name)
        elif isinstance(node, tree.Constant):
            constants |= node.name in ("oo", "zoo", "nan")
        stack.extend(tree.children(node))
    return nodes, rows, constants
