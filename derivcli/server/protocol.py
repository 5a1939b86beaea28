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
import socket

MAX_LINE = 1 << 24  # an argv, a working directory, an environment: far below this


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
    """Messages from a socket, one line each, and the descriptors that came with them."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.pending = b""
        self.fds: list[int] = []

    def message(self, with_fds: int = 0) -> dict:
        """The next message; raises ProtocolError at the end of the stream."""
        while b"\n" not in self.pending:
            if len(self.pending) > MAX_LINE:
                raise ProtocolError("a message longer than any request")
            if with_fds and not self.fds:
                chunk, fds, _, _ = socket.recv_fds(self.sock, 65536, with_fds)
                self.fds += fds
            else:
                chunk = self.sock.recv(65536)
            if not chunk:
                raise ProtocolError("the connection closed")
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        try:
            message = json.loads(line)
        except ValueError as error:
            raise ProtocolError(f"not a message: {error}") from None
        if not isinstance(message, dict):
            raise ProtocolError("not a message: not an object")
        return message
