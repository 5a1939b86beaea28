"""The function table's three layers stay in step, and its metadata stays backend-free.

derivcli.expr.functions holds one metadata row per function; derivcli.symbolic.sympy_functions
builds each row in sympy and knows the sympy class it makes; derivcli.numeric.torch_functions
lowers each row to torch. All three are keyed by the row's name.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import sympy

from derivcli.expr.functions import BY_NAME, FUNCTIONS
from derivcli.numeric.torch_functions import LOWERINGS
from derivcli.symbolic.sympy_functions import BUILDERS, SYMPY_CLASSES, name_of

NAMES = [spec.name for spec in FUNCTIONS]
STATIC_VALUES = {"root": 3, "polygamma": 1, "zetaderiv": 1, "DiracDelta": 1}


def test_names_are_unique():
    assert len(set(NAMES)) == len(NAMES)
    every_name = [name for spec in FUNCTIONS for name in spec.names]
    assert len(set(every_name)) == len(every_name)


def test_every_row_has_a_builder_and_every_builder_a_row():
    assert set(BUILDERS) == set(NAMES)
    assert all(callable(build) for build in BUILDERS.values())


def test_every_row_has_a_lowering_and_every_lowering_a_row():
    assert set(LOWERINGS) == set(NAMES)
    assert set(SYMPY_CLASSES) <= set(NAMES)
    assert all(callable(lowering) for lowering in LOWERINGS.values())
    # name_of needs one row per class
    assert len(set(SYMPY_CLASSES.values())) == len(SYMPY_CLASSES)


def test_static_arguments_belong_to_lowered_rows():
    # static arguments are handed to a lowering as Python ints
    for spec in FUNCTIONS:
        if spec.static_args:
            assert spec.name in LOWERINGS, spec.name
            assert all(i < (spec.arity[1] or spec.arity[0]) for i in spec.static_args), spec.name


def _built(name: str, real: bool) -> sympy.Expr:
    spec = BY_NAME[name]
    free = iter(sympy.symbols("u v w", real=True) if real else sympy.symbols("u v w"))
    args = [
        sympy.Integer(STATIC_VALUES[name]) if i in spec.static_args else next(free)
        for i in range(max(spec.arity[0], max(spec.static_args, default=-1) + 1))
    ]
    return BUILDERS[name](*args)


@pytest.mark.parametrize("name", sorted(SYMPY_CLASSES))
def test_each_builder_makes_its_class_and_name_of_finds_the_row(name):
    expr = _built(name, real=True)
    if not isinstance(expr, SYMPY_CLASSES[name]):  # re(u) is u for a real u
        expr = _built(name, real=False)
    assert isinstance(expr, SYMPY_CLASSES[name]), (name, expr)
    assert name_of(expr) == name


def test_name_of_other_nodes():
    u, v = sympy.symbols("u v", real=True)
    for node in (u, u + v, u * v, u**v, sympy.Integer(2), sympy.pi):
        assert name_of(node) is None, node
    # a subclass of a row's class (derivcli.symbolic.special's floor) is that row
    assert name_of(BUILDERS["floor"](u)) == "floor"
    assert name_of(sympy.floor(u)) == "floor"


PROBE = """
import sys
import {module}
print(sorted({{m.split(".")[0] for m in sys.modules}} & {{"sympy", "torch", "mpmath"}}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("module", ["derivcli.expr.functions", "derivcli.numeric.torch_functions"])
def test_metadata_and_lowerings_import_neither_sympy_nor_torch(module):
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "[]", done.stdout
