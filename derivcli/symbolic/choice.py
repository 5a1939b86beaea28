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

# The work a problem asks of the backend, counted as the nodes of its trees times its
# entries plus one, from which "auto" takes SymEngine. Measured (bench/scale.py, whole
# compute at one point, 2 cores): sympy and SymEngine cost the same near 2,000; at
# 10,000 sympy takes about 0.5 s more.
HEAVY_WORK = 2_000

# Rows whose derivatives torch gets from sympy's expressions in stable forms
# (numeric/stable.py: quotients of trigonometric and hyperbolic functions, removable
# singularities such as sin(x)/x, hypot for the roots of sums of two squares in the
# inverse functions' derivatives), which SymEngine's expressions do not get: torch's
# numbers would differ (coth''(300): 0 against 2.1e-260; found in review).
STABLE_FORM_ROWS = frozenset(
    "sin cos tan cot sec csc asin acos atan acot asec acsc sinh cosh tanh coth sech csch "
    "asinh acosh atanh acoth atan2 hypot".split()
)


def choose(name: str, trees: list[tree.Node], entries: int) -> backends.Backend:
    """The backend called name, or for "auto" the one suited to trees' size and rows
    (entries: how many entries the operation has). SymEngine only where its expressions
    are sympy's: a form it would give torch differently is refused by name, or under
    "auto" left to sympy."""
    if name not in ("auto", "symengine"):
        return backends.get(name)
    nodes, rows, constants, different = _survey(trees)
    if name == "symengine":
        if different:
            raise backends.Unsupported(
                f"the symengine backend would not give torch sympy's forms of {different}; "
                "use the sympy backend (--symbolic sympy or auto)"
            )
        return backends.get(name)
    # symengine is imported only for a heavy problem (its import: 70-120 ms)
    if (
        constants
        or different
        or nodes * (entries + 1) < HEAVY_WORK
        or "symengine" not in backends.names()
    ):
        return backends.default()
    symengine = backends.get("symengine")
    return symengine if symengine.supports(rows) else backends.default()


def _survey(trees: list[tree.Node]) -> tuple[int, set[str], bool, str | None]:
    """The trees' node count, the function rows they call, whether they hold a
    constant other than pi, E, EulerGamma and Catalan, and the first form that
    SymEngine would give torch differently from sympy (None if there is none)."""
    nodes, rows, constants, different = 0, set(), False, None
    stack = list(trees)
    while stack:
        node = stack.pop()
        nodes += 1
        if isinstance(node, tree.Call):
            rows.add(node.name)
        elif isinstance(node, tree.Constant):
            constants |= node.name in ("oo", "zoo", "nan")
        different = different or _different(node)
        stack.extend(tree.children(node))
    return nodes, rows, constants, different


def _different(node: tree.Node) -> str | None:
    """What in this node sympy builds or lowers in a form SymEngine does not."""
    if isinstance(node, tree.Call):
        if node.name in STABLE_FORM_ROWS:
            return f"{node.name}()"
        inner = node.args[0] if node.args else None
        if node.name == "sqrt" and _two_terms(inner):
            return "the square root of a sum of two terms (hypot)"
        if node.name == "sqrt" and _product_of_powers(inner):
            return "a root of a product of powers"  # sympy: sqrt(x^2*y) is |x|*sqrt(y)
        if node.name in ("log", "exp") and any(_power_exp_or_log(p) for p in _parts(inner)):
            # sympy: log(exp(x)) is x, exp(2*log(x)) is x^2, exp(x + log(y)) is y*exp(x)
            return f"{node.name}() of a power, exp() or log()"
    elif isinstance(node, tree.Reciprocal) and _two_terms(node.arg):
        return "a quotient by a sum of two terms (hypot)"
    elif isinstance(node, tree.Power):
        exponent = _integer(node.exponent)
        if _two_terms(node.base) and (exponent is None or exponent < 0):
            return "a power of a sum of two terms (hypot)"
        if exponent is None and not _has_variable(node.base):
            return "a number to a variable power"  # 0^(x^2 + 1) is 0 in sympy
        if exponent is None and _product_of_powers(node.base):
            return "a root of a product of powers"
    return None


def _parts(node) -> list:
    """node's terms and factors, through sums, products, quotients and signs (node
    itself if it is none of them)."""
    if isinstance(node, tree.Negative):
        return _parts(node.arg)
    if isinstance(node, tree.Sum):
        return [part for term in node.terms for part in _parts(term)]
    if isinstance(node, tree.Product):
        return [part for factor in node.factors for part in _parts(factor)]
    if isinstance(node, tree.Reciprocal):
        return [node, *_parts(node.arg)]
    return [node]


def _power_exp_or_log(node) -> bool:
    return isinstance(node, tree.Power) or (
        isinstance(node, tree.Call) and node.name in ("exp", "log", "sqrt")
    )


def _product_of_powers(node) -> bool:
    """A product (or quotient) with a power, a root, an exp() or a quotient among its
    factors: sympy takes factors out of its roots ((x^2*y)^(1/2) is |x|*sqrt(y))."""
    if isinstance(node, tree.Negative):
        return _product_of_powers(node.arg)
    if not isinstance(node, tree.Product | tree.Reciprocal):
        return False
    factors = node.factors if isinstance(node, tree.Product) else (node.arg,)
    return isinstance(node, tree.Reciprocal) or any(
        _power_exp_or_log(factor) or isinstance(factor, tree.Reciprocal) for factor in factors
    )


def _two_terms(node) -> bool:
    return isinstance(node, tree.Sum) and len(node.terms) == 2


def _integer(node: tree.Node) -> int | None:
    """The node's value if it is an integer literal (or its negative)."""
    sign = 1
    if isinstance(node, tree.Negative):
        sign, node = -1, node.arg
    if isinstance(node, tree.Number) and node.value.denominator == 1:
        return sign * node.value.numerator
    return None


def _has_variable(node: tree.Node) -> bool:
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, tree.Variable):
            return True
        stack.extend(tree.children(node))
    return False
