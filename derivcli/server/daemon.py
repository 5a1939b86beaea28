"""The server: a warm process that answers each command in a child of its own.

Started by `derivcli server start` as `python -m derivcli.server.daemon`, in a session
of its own, with stdin and stdout on /dev/null and stderr in the log beside its
socket. It imports everything (worker.warm), listens on its socket and tells the
starter it is ready. Per request it checks the peer's uid (SO_PEERCRED) and the
client's identity, forks a child (worker.run_command) in a process group of its own,
sends the client the child's pid and, when the child exits, its exit status. It
never computes: the children do. A client that goes away (killed) takes its command
with it (SIGTERM to the group). It exits after IDLE minutes without a command, on
`server stop`, or on SIGTERM, after the commands in progress have finished.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import socket
import sys
import time

from derivcli.server import address, protocol

REQUEST_SECONDS = 5.0  # a connected client sends its request at once


class Server:
    """The listening socket, the commands in progress, and when to stop."""

    def __init__(self, path: str, idle_seconds: float, identity: str):
        self.path = path
        self.idle_seconds = idle_seconds
        self.identity = identity
        self.started = time.time()
        self.last_used = time.monotonic()
        self.served = 0
        self.running: dict[int, tuple[int, socket.socket]] = {}  # pidfd -> (pid, conn)
        # connections whose request is still arriving -> (reader, when to give up)
        self.arriving: dict[socket.socket, tuple[protocol.Reader, float]] = {}
        self.stopping = False
        self.listener = _listen(path)
        self.inode = os.stat(path).st_ino
        self.wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        os.set_blocking(self.wake_read, False)
        self.wake_write = wake_write
        signal.set_wakeup_fd(wake_write)
        for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(number, self._on_signal)

    def _on_signal(self, signum, frame) -> None:
        self.stopping = True

    def loop(self) -> None:
        """Serve until stopped or idle, then wait for the commands in progress."""
        while True:
            if self.stopping and self.listener is not None:
                self._close_listener()
            if self.stopping and not self.running:
                return
            wait = None
            if not self.running and not self.stopping and self.idle_seconds:
                wait = self.idle_seconds - (time.monotonic() - self.last_used)
                if wait <= 0:
                    self.stopping = True
                    continue
            self._give_up_on_slow_requests()
            if self.arriving:
                first = min(deadline for _, deadline in self.arriving.values())
                left = max(first - time.monotonic(), 0.0)
                wait = left if wait is None else min(wait, left)
            watched = [self.wake_read, *self.running, *self.arriving]
            watched += [c for _, c in self.running.values() if not isinstance(c, _Closed)]
            if self.listener is not None:
                watched.append(self.listener)
            ready, _, _ = select.select(watched, [], [], wait)
            for item in ready:
                if item is self.listener:
                    self._accept()
                elif item == self.wake_read:
                    _drain(self.wake_read)
                elif isinstance(item, int):
                    self._finished(item)
                elif item in self.arriving:
                    self._read_request(item)
                else:
                    self._client_left(item)

    def _accept(self) -> None:
        """A new connection: this user's, or closed at once; its request is read as it
        arrives, in this loop, so that a slow client holds up no other."""
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        try:
            if protocol.peer_uid(conn) != os.getuid():
                conn.close()
                return
            conn.setblocking(False)
        except OSError:
            conn.close()
            return
        reader = protocol.Reader(conn, with_fds=3)
        self.arriving[conn] = (reader, time.monotonic() + REQUEST_SECONDS)

    def _read_request(self, conn: socket.socket) -> None:
        reader, _ = self.arriving[conn]
        try:
            request = reader.feed()
        except (OSError, protocol.ProtocolError):
            request = None
            conn.close()
        else:
            if request is None:
                return  # more to come
        del self.arriving[conn]
        if request is None:
            _close_all(reader.fds)
            return
        try:
            conn.setblocking(True)
            if "ask" in request:
                self._answer(conn, request["ask"])
                conn.close()
                return
            refusal = self._refusal(request, reader.fds)
            if refusal:
                protocol.send(conn, {"refused": refusal})
                conn.close()
                return
            self._start(conn, request, reader.fds)
        except OSError:
            conn.close()
        finally:
            _close_all(reader.fds)

    def _give_up_on_slow_requests(self) -> None:
        now = time.monotonic()
        for conn, (reader, deadline) in list(self.arriving.items()):
            if now >= deadline:
                del self.arriving[conn]
                _close_all(reader.fds)
                conn.close()

    def _refusal(self, request: dict, fds: list[int]) -> str | None:
        if request.get("identity") != self.identity:
            return "another version of derivcli (or changed code, or other settings)"
        if len(fds) != 3:
            return "stdin, stdout and stderr did not all arrive"
        argv, env = request.get("run"), request.get("env")
        if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv)):
            return "no command"
        if not (isinstance(env, dict) and all(isinstance(v, str) for v in env.values())):
            return "no environment"
        if not isinstance(request.get("cwd"), str) or not isinstance(request.get("umask"), int):
            return "no working directory or umask"
        if not isinstance(request.get("streams"), list) or len(request["streams"]) != 3:
            return "no streams"
        return None

    def _start(self, conn: socket.socket, request: dict, fds: list[int]) -> None:
        from derivcli.server import worker

        # Signals for the child wait until it has become the client's process (until
        # then it has the server's handlers): the client's Ctrl-C may come at once.
        pid = worker.fork_blocked()
        if pid == 0:  # the child: it answers the command and exits, never returning here
            try:
                signal.set_wakeup_fd(-1)
                self._close_in_child(conn)
            finally:
                worker.run_command(request, fds, own_group=True)
        try:
            os.setpgid(pid, pid)  # as the child does: the group exists before its pid is sent
        except OSError:
            pass  # the child was first, or has finished already
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:  # out of descriptors: the client runs the command itself
            _signal_group(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            protocol.send(conn, {"refused": "the server has no descriptor left"})
            conn.close()
            return
        self.served += 1
        self.last_used = time.monotonic()
        self.running[pidfd] = (pid, conn)
        try:
            protocol.send(conn, {"pid": pid})
        except OSError:
            _signal_group(pid, signal.SIGTERM)  # the client has gone already

    def _close_in_child(self, conn: socket.socket) -> None:
        for pidfd, (_, other) in self.running.items():
            os.close(pidfd)
            other.close()
        for other, (reader, _) in self.arriving.items():
            _close_all(reader.fds)
            other.close()
        conn.close()
        if self.listener is not None:
            self.listener.close()
        os.close(self.wake_read)
        os.close(self.wake_write)

    def _finished(self, pidfd: int) -> None:
        pid, conn = self.running.pop(pidfd)
        os.close(pidfd)
        _, wait_status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(wait_status)
        try:
            protocol.send(conn, {"status": code if code >= 0 else 128 - code})
        except OSError:
            pass
        conn.close()
        self.last_used = time.monotonic()

    def _client_left(self, conn: socket.socket) -> None:
        """A client's connection became readable while its command runs: it has gone
        (a client sends nothing after its request), and its command goes with it."""
        for pidfd, (pid, other) in list(self.running.items()):
            if other is conn:
                _signal_group(pid, signal.SIGTERM)
                # keep the pidfd (its exit is reaped as usual); stop watching the socket
                self.running[pidfd] = (pid, _Closed())
                conn.close()
                return

    def _answer(self, conn: socket.socket, ask: str) -> None:
        if ask == "stop":
            self.stopping = True
            self._close_listener()
        protocol.send(conn, self.status())

    def status(self) -> dict:
        """What `derivcli server status` shows."""
        import derivcli

        return {
            "pid": os.getpid(),
            "version": derivcli.__version__,
            "identity": self.identity,
            "socket": self.path,
            "started": self.started,
            "idle_minutes": self.idle_seconds / 60,
            "served": self.served,
            "running": len(self.running),
            "stopping": self.stopping,
        }

    def _close_listener(self) -> None:
        """Stop taking commands: the socket goes (if it is still this server's)."""
        if self.listener is None:
            return
        try:
            if os.stat(self.path).st_ino == self.inode:
                os.unlink(self.path)
        except OSError:
            pass
        self.listener.close()
        self.listener = None


class _Closed:
    """Stands for a client's connection once it has closed (never selected, sends nothing)."""

    def fileno(self) -> int:
        return -1

    def sendall(self, data) -> None:
        raise OSError("the client has gone")

    def close(self) -> None:
        pass


def _listen(path: str) -> socket.socket:
    """A socket listening at path, which it replaces in one step (a stale socket)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    temporary = f"{path}.{os.getpid()}"
    try:
        os.unlink(temporary)
    except FileNotFoundError:
        pass
    old = os.umask(0o177)
    try:
        listener.bind(temporary)
    finally:
        os.umask(old)
    listener.listen(64)
    os.rename(temporary, path)
    return listener


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except OSError:
        pass


def _close_all(fds: list[int]) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass
    fds.clear()


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def main(argv: list[str] | None = None) -> None:
    """python -m derivcli.server.daemon --idle MINUTES --ready-fd FD"""
    parser = argparse.ArgumentParser(prog="derivcli.server.daemon")
    parser.add_argument("--idle", type=float, default=30.0)
    parser.add_argument("--ready-fd", type=int, default=None)
    options = parser.parse_args(argv)
    identity = address.identity()  # of the files as they are now, before they are imported
    os.close(os.pidfd_open(os.getpid()))  # a kernel without it (before 5.3) stops here
    directory = address.checked_dir(create=True)
    from derivcli.server import worker

    worker.warm()
    server = Server(address.socket_path(directory), options.idle * 60, identity)
    if options.ready_fd is not None:
        os.write(options.ready_fd, json.dumps(server.status()).encode() + b"\n")
        os.close(options.ready_fd)
    server.loop()
    sys.stderr.flush()
    os._exit(0)  # skip torch's teardown (ARCHITECTURE.md: 0.35 to 0.7 s)


if __name__ == "__main__":
    main()
