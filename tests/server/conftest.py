"""A server of derivcli's own for the tests here, in a private runtime directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

DERIVCLI = str(Path(sys.executable).parent / "derivcli")
# The console script's interpreter (its #! line): the client's identity includes it.
PYTHON = Path(DERIVCLI).read_text().splitlines()[0][2:].strip()


class Server:
    """derivcli commands with (run) and without (run_local) this server."""

    def __init__(self, runtime: str):
        self.runtime = runtime
        self.env = {k: v for k, v in os.environ.items() if k != "DERIVCLI_NO_SERVER"}
        self.env["XDG_RUNTIME_DIR"] = runtime

    def run(self, *args: str, local: bool = False, **options) -> subprocess.CompletedProcess:
        """derivcli ARGS through the server (local: with DERIVCLI_NO_SERVER=1)."""
        env = dict(self.env, **options.pop("env", {}))
        if local:
            env["DERIVCLI_NO_SERVER"] = "1"
        options.setdefault("timeout", 120)
        return subprocess.run([DERIVCLI, *args], capture_output=True, env=env, **options)

    def served(self) -> int:
        """How many commands the server has answered ('answered N commands')."""
        out = self.run("server", "status").stdout.decode()
        line = next(line for line in out.splitlines() if line.startswith("answered"))
        return int(line.split()[1])


@pytest.fixture(scope="module")
def server():
    # A short path: a Unix socket's name holds at most 107 bytes.
    runtime = tempfile.mkdtemp(prefix="dv-", dir="/tmp")
    os.chmod(runtime, 0o700)
    warm = Server(runtime)
    started = warm.run("server", "start", "--idle", "10")
    assert started.returncode == 0, started.stderr
    yield warm
    warm.run("server", "stop")
    shutil.rmtree(runtime, ignore_errors=True)
