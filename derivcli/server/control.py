"""`derivcli server start`, `stop` and `status`: find, start and stop this user's server."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time

from derivcli.errors import DerivcliError
from derivcli.server import address, protocol

START_SECONDS = 120.0  # the imports and the warm-up: 3 to 5 s here; far more on a busy disk
STOP_SECONDS = 30.0


class ServerError(DerivcliError):
    """The server cannot be started, reached or stopped (exit status 1)."""


def supported() -> str | None:
    """Why this system cannot run the server (None where it can)."""
    import socket

    missing = [
        name
        for name, present in (
            ("SO_PEERCRED", hasattr(socket, "SO_PEERCRED")),
            ("socket.send_fds", hasattr(socket, "send_fds")),
            ("os.pidfd_open", hasattr(os, "pidfd_open")),
        )
        if not present
    ]
    if missing:
        return f"the server needs Linux and Python 3.9 or later (missing: {', '.join(missing)})"
    return None


def directory(create: bool = False) -> str | None:
    """The checked socket directory (ServerError where it is not safe to use)."""
    try:
        return address.checked_dir(create=create)
    except address.UnsafeDirectory as error:
        raise ServerError(
            f"{error}: derivcli uses only a directory of yours with mode 700; fix it "
            "(chmod 700) or point XDG_RUNTIME_DIR at one"
        ) from None


def ask(question: str) -> dict | None:
    """The running server's answer to "status" or "stop"; None where none answers."""
    from derivcli.server import client

    sock = client.connect()
    if sock is None:
        return None
    with sock:
        sock.settimeout(10.0)
        try:
            protocol.send(sock, {"ask": question})
            return protocol.Reader(sock).message()
        except (OSError, protocol.ProtocolError):
            return None


def current(info: dict | None) -> bool:
    """Whether the server that answered runs exactly this installation's code."""
    return info is not None and info.get("identity") == address.identity()


def start(idle_minutes: float) -> tuple[dict, bool]:
    """Start a server unless one of this installation runs: (its status, whether it was
    started now). A server of another version or of changed code is stopped first."""
    reason = supported()
    if reason:
        raise ServerError(reason)
    import fcntl

    folder = directory(create=True)
    # One start at a time: a second waits, then finds the first one's server.
    lock = os.open(address.socket_path(folder) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        info = ask("status")
        if current(info) and not info.get("stopping"):
            return info, False
        if info is not None:
            stop_server(info)
        return _launch(folder, idle_minutes), True
    finally:
        os.close(lock)


def _launch(folder: str, idle_minutes: float) -> dict:
    """Start the server process and wait until it is ready: its status."""
    read_fd, write_fd = os.pipe()
    log = open(address.log_path(folder), "wb")  # noqa: SIM115 - the server's own stderr
    try:
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "derivcli.server.daemon",
                "--idle",
                repr(idle_minutes),
                "--ready-fd",
                str(write_fd),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            cwd="/",
            pass_fds=(write_fd,),
            start_new_session=True,
        )
    finally:
        os.close(write_fd)
        log.close()
    line = _read_line(read_fd, START_SECONDS)
    os.close(read_fd)
    try:
        return json.loads(line)
    except ValueError:
        raise ServerError(
            f"the server did not start; what it printed is in {address.log_path(folder)}"
        ) from None


def stop() -> dict | None:
    """Stop this installation's server (of any version); its last status, or None."""
    info = ask("status")
    if info is None:
        return None
    stop_server(info)
    return info


def stop_server(info: dict) -> None:
    """Ask the server to stop and wait until its process has gone: it first finishes
    the commands it is running."""
    ask("stop")
    deadline = time.monotonic() + STOP_SECONDS
    pid = int(info["pid"])
    from derivcli.server.client import running

    while time.monotonic() < deadline:
        if not running(pid):
            return
        time.sleep(0.02)
    raise ServerError(f"the server (pid {pid}) did not stop within {STOP_SECONDS:g} s")


def _read_line(fd: int, seconds: float) -> bytes:
    deadline = time.monotonic() + seconds
    data = b""
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    return data
