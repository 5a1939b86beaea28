"""The console script's first step: hand the command to this user's warm server.

Standard library only, and nothing of derivcli's beyond address and protocol: where no
server answers, the command runs as it always did, having spent a stat() or two.
The server runs the command in a process of its own that writes straight to this
process's stdin, stdout and stderr (passed over the socket), so colours, the progress
bar, pipes and files behave as without it. Ctrl-C, SIGTERM and SIGHUP are passed on
to that process's group; its exit status becomes this one's. If the server dies
mid-command, the client waits for what is left of the command and says so (exit 1).
"""

from __future__ import annotations

import os
import signal
import stat
import sys

from derivcli.server import address

DISABLE_VARIABLE = "DERIVCLI_NO_SERVER"
LOCAL_COMMANDS = {"server", "repl"}  # these always run in this process
REPLY_SECONDS = 10.0  # the server answers a request with a pid at once
# Names of this process's own descriptors: only 0, 1 and 2 travel to the server, so a
# command that names another (bash's <(...) is /dev/fd/63) runs here.
OWN_DESCRIPTORS = ("/dev/fd/", "/proc/self/fd/", f"/proc/{os.getpid()}/fd/")


def forward(argv: list[str]) -> int | None:
    """Run the command argv on this user's server: its exit status, or None where no
    server of this installation answers (the caller then runs it itself)."""
    if os.environ.get(DISABLE_VARIABLE, "") not in ("", "0"):
        return None
    if argv[:1] and argv[0] in LOCAL_COMMANDS or any(map(_names_a_descriptor, argv)):
        return None
    sock = connect()
    if sock is None:
        return None
    with sock:
        try:
            request = describe(argv)
        except OSError:  # a closed stdin, stdout or stderr; a working directory gone
            return None
        return _run(sock, request)


def connect():
    """A connected socket to this installation's server, or None."""
    try:
        directory = address.checked_dir()
    except address.UnsafeDirectory:
        return None
    if directory is None:
        return None
    path = address.socket_path(directory)
    try:
        if not stat.S_ISSOCK(os.lstat(path).st_mode):
            return None
    except OSError:
        return None
    import socket

    if not hasattr(socket, "send_fds"):
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(REPLY_SECONDS)
    try:
        sock.connect(path)
        from derivcli.server import protocol

        if protocol.peer_uid(sock) != os.getuid():  # never hand another user our environment
            sock.close()
            return None
    except OSError:  # a stale socket (its server has gone), or one that does not answer
        sock.close()
        return None
    return sock


def _names_a_descriptor(arg: str) -> bool:
    """Whether arg names a descriptor of this process other than 0, 1 and 2."""
    for prefix in OWN_DESCRIPTORS:
        at = arg.find(prefix)
        while at >= 0:
            rest = arg[at + len(prefix) :]
            digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]
            if digits not in ("0", "1", "2"):
                return True
            at = arg.find(prefix, at + 1)
    return False


def describe(argv: list[str]) -> dict:
    """The request that runs argv elsewhere as this process would run it: its arguments,
    working directory, environment, umask, streams and limits (and the identity)."""
    for fd in (0, 1, 2):
        os.fstat(fd)
    umask = os.umask(0o022)
    os.umask(umask)
    return {
        "run": list(argv),
        "identity": address.identity(),
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "umask": umask,
        "streams": [_stream(s) for s in (sys.stdin, sys.stdout, sys.stderr)],
        "limits": limits(),
    }


def limits() -> dict:
    """This process's resource limits, priority and CPUs, for a command run elsewhere:
    what `ulimit`, `nice` and `taskset` set in the shell that typed it."""
    import resource

    found = {"nice": os.getpriority(os.PRIO_PROCESS, 0)}
    found["rlimits"] = {
        name: resource.getrlimit(getattr(resource, name))
        for name in dir(resource)
        if name.startswith("RLIMIT_")
    }
    if hasattr(os, "sched_getaffinity"):
        found["cpus"] = sorted(os.sched_getaffinity(0))
    return found


def _stream(stream) -> dict:
    """How Python set up one of this process's standard streams, for the server's copy."""
    return {
        "encoding": getattr(stream, "encoding", None) or "utf-8",
        "errors": getattr(stream, "errors", None) or "strict",
    }


def _run(sock, request: dict) -> int | None:
    from derivcli.server import protocol

    # Signals are taken from before the request: one that comes before the command's
    # pid is passed on once it is known (a Ctrl-Z in that moment stopped only this
    # process, and the command ran on: tests/server's flaky Ctrl-Z test on a loaded machine).
    group = _Forwarder()
    try:
        protocol.send(sock, request, fds=[0, 1, 2])
        reader = protocol.Reader(sock)
        reply = reader.message()
    except (OSError, protocol.ProtocolError):
        group.restore(replay=True)
        return None  # the server went away before starting anything: run it here
    if "pid" not in reply:
        group.restore(replay=True)
        return None  # refused: another version's server, or a request it cannot take
    sock.settimeout(None)  # the command takes as long as it takes
    group.started(int(reply["pid"]))
    try:
        while True:
            try:
                reply = reader.message()
            except (OSError, protocol.ProtocolError):
                return group.server_lost()
            if "status" in reply:
                return int(reply["status"])
    finally:
        group.restore()


def running(pid: int) -> bool:
    """Whether process pid still runs: it exists and is not a zombie (which a container's
    first process may never reap)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as status:
            return status.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except FileNotFoundError:
        return False
    except (OSError, IndexError):
        pass  # no /proc to read: whether it exists is all there is
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or the number is another's now
        return False
    return True


class _Forwarder:
    """Pass Ctrl-C, SIGTERM and SIGHUP on to the command's process group, while it runs;
    those that come before its pid is known, once it is."""

    def __init__(self):
        from derivcli.server.protocol import FORWARDED

        self.pid: int | None = None
        self.pending: list[int] = []
        self.previous = {}
        for number in FORWARDED:
            if signal.getsignal(number) == signal.SIG_IGN:
                continue  # ignored here (nohup): ignored there too
            self.previous[number] = signal.signal(number, self._pass_on)
        stop = getattr(signal, "SIGTSTP", None)
        if stop is not None and signal.getsignal(stop) == signal.SIG_DFL:
            self.previous[stop] = signal.signal(stop, self._suspend)

    def started(self, pid: int) -> None:
        """The command runs as process group pid: pass on what came before."""
        self.pid = pid
        pending, self.pending = self.pending, []
        for signum in pending:
            if signum == getattr(signal, "SIGTSTP", None):
                self._suspend(signum, None)
            else:
                self._pass_on(signum, None)

    def _pass_on(self, signum, frame):
        if self.pid is None:
            self.pending.append(signum)
            return
        try:
            os.killpg(self.pid, signum)
        except OSError:
            pass  # it has just finished

    def _suspend(self, signum, frame):
        """Ctrl-Z: stop the command too (SIGSTOP: its group has no terminal, which makes
        the kernel discard a SIGTSTP), stop here, and continue both on fg or bg."""
        if self.pid is None:
            self.pending.append(signum)
            return
        self._pass_on(signal.SIGSTOP, frame)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)  # stopped here until SIGCONT
        signal.signal(signum, self._suspend)
        self._pass_on(signal.SIGCONT, frame)

    def restore(self, replay: bool = False) -> None:
        """The handlers as they were; with replay, the signals that came while no command
        ran delivered to this process (which then runs the command itself)."""
        for number, handler in self.previous.items():
            signal.signal(number, handler)
        if replay:
            for signum in self.pending:
                os.kill(os.getpid(), signum)
            self.pending = []

    def server_lost(self) -> int:
        """The server died mid-command: let the command finish (its output complete, or
        its clean-up done), then say in one line that its status is lost."""
        import time

        while running(self.pid):
            time.sleep(0.02)
        try:
            sys.stderr.write(
                "derivcli: error: the derivcli server stopped during the command; its exit "
                "status is unknown (set DERIVCLI_NO_SERVER=1 to run without the server)\n"
            )
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        return 1
