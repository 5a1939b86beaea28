"""The server answers only its own user: each peer's uid is checked (SO_PEERCRED)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile

import pytest

from derivcli.server import protocol

pytestmark = pytest.mark.slow

# A Server without the warm-up (it answers "ask"s, which need none), in an open
# directory with an open socket, so that only the uid check can turn another user away.
SERVE = """
import os, sys
from derivcli.server.daemon import Server
server = Server(sys.argv[1], 60.0, "identity")
os.chmod(sys.argv[1], 0o666)
print("ready", flush=True)
server.loop()
"""


def _ask(path: str) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(path)
        protocol.send(sock, {"ask": "status"})
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
        return data


def test_the_peer_uid_is_this_process_owner_on_a_socket_pair():
    left, right = socket.socketpair(socket.AF_UNIX)
    with left, right:
        assert protocol.peer_uid(left) == os.getuid()


def test_another_user_is_turned_away_and_this_one_answered():
    if os.getuid() != 0:
        pytest.skip("only root can connect as another user")
    folder = tempfile.mkdtemp(prefix="dv-", dir="/tmp")
    os.chmod(folder, 0o711)
    path = os.path.join(folder, "s.sock")
    served = subprocess.Popen([sys.executable, "-c", SERVE, path], stdout=subprocess.PIPE)
    try:
        assert served.stdout.readline() == b"ready\n"
        child = os.fork()
        if child == 0:  # as nobody: the connection is closed without a word
            try:
                os.setuid(65534)
                try:
                    answer = _ask(path)
                except (BrokenPipeError, ConnectionResetError):  # closed before it wrote
                    answer = b""
                os._exit(0 if answer == b"" else 1)
            except BaseException as error:
                print(repr(error), file=sys.stderr, flush=True)
                os._exit(2)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert json.loads(_ask(path))["identity"] == "identity"
    finally:
        served.terminate()
        served.wait(timeout=30)
