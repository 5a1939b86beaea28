"""Shared test helpers."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from derivcli.cli.app import app

# Every derivcli started by a test runs by itself, never through a server the developer
# runs (tests/server/ starts servers of its own, in directories of its own).
os.environ["DERIVCLI_NO_SERVER"] = "1"

# Property tests draw the same examples on every run, so that a run's result does not
# depend on a draw (one draw, a power of two huge numbers, once took sympy's simplify to
# 24 GB in CI). HYPOTHESIS_PROFILE=explore draws new examples, to look for new failures.
settings.register_profile("derivcli", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "derivcli"))


@pytest.fixture(autouse=True)
def _fresh_session():
    """Each test starts with an empty session cache (derivcli.run.session), so that
    what it measures or patches is not answered from an earlier test's work."""
    from derivcli.run import session

    session.current().clear()
    yield
    session.current().clear()


@pytest.fixture
def cli():
    """Run derivcli in-process: cli("grad", "x^2", "--at", "x=1") -> click Result."""
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    return invoke


@pytest.fixture
def cli_json(cli):
    """Run derivcli with --format json and return the parsed document (exit status 0)."""

    def invoke(*args: str) -> dict:
        result = cli(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return invoke
