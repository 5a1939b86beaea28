"""The messages between the client and the server: JSON, one per line, on a Unix socket.

A request is one line sent with the client's stdin, stdout and stderr attached
(SCM_RIGHTS). {"run": argv, ...} asks for a command; {"ask": "status"} and
{"ask": "stop"} manage the server. Replies: {"pid": N} when the command's process
has started (the client signals its process group), then {"status": S}; or
{"refused": "why"} (another installation's identity, a closed stream: the client
then runs the command itself); or the answer to an "ask".
Standard library only (the client imports it).
"""

from __future__ import annotations

import json
import signal
import socket
import struct

MAX_LINE = 1 << 24  # an argv, a working directory, an environment: far below this


# What a client passes on to its command's process group (and what a terminal sends
# the prompt's line); the server's fork holds them back until the child is ready.
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def peer_uid(sock: socket.socket) -> int:
    """The uid of the process at the other end (Linux's SO_PEERCRED: pid, uid, gid)."""
    data = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", data)[1]


class ProtocolError(Exception):
    """The other end closed the connection or sent something that is not a message."""


def send(sock: socket.socket, message: dict, fds: list[int] = ()) -> None:
    """Send one message, with the file descriptors fds attached to its first bytes."""
    data = json.dumps(message, separators=(",", ":")).encode() + b"\n"
    if fds:
        sent = socket.send_fds(sock, [data], list(fds))
        data = data[sent:]
    sock.sendall(data)


class Reader:
    """Messages from a socket, one line each, and the descriptors that came with them.

    message() blocks (as the socket does); feed() reads what a non-blocking socket has
    and returns a message once one is complete (the server's loop never waits on one
    client)."""

    def __init__(self, sock: socket.socket, with_fds: int = 0):
        self.sock = sock
        self.with_fds = with_fds
        self.pending = bytearray()
        self.scanned = 0  # how far pending is known to hold no line break
        self.fds: list[int] = []  # filled in place: a caller may hold it before a message

    def message(self) -> dict:
        """The next message; raises ProtocolError at the end of the stream."""
        while True:
            found = self._line()
            if found is not None:
                return found
            self._read()

    def feed(self) -> dict | None:
        """Read once: the message if it is now complete, else None."""
        found = self._line()
        if found is not None:
            return found
        try:
            self._read()
        except BlockingIOError:
            return None
        return self._line()

    def _read(self) -> None:
        if len(self.pending) > MAX_LINE:
            raise ProtocolError("a message longer than any request")
        if self.with_fds and not self.fds:
            chunk, fds, _, _ = socket.recv_fds(self.sock, 1 << 16, self.with_fds)
            self.fds += fds
        else:
            chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ProtocolError("the connection closed")
        self.pending += chunk

    def _line(self) -> dict | None:
        end = self.pending.find(b"\n", self.scanned)
        if end < 0:
            self.scanned = len(self.pending)
            return None
        line = bytes(self.pending[:end])
        del self.pending[: end + 1]
        self.scanned = 0
        try:
            message = json.loads(line)
        except ValueError as error:
            raise ProtocolError(f"not a message: {error}") from None
        if not isinstance(message, dict):
            raise ProtocolError("not a message: not an object")
        return message
