"""The client's signal forwarding: a signal that comes before the command's pid is known
is passed on once it is, not lost (nor taken by the client alone)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from derivcli.server.client import _Forwarder


@pytest.fixture
def group():
    """A process in a group of its own, as the server's command is."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True
    )
    yield child
    child.kill()
    child.wait()


def test_a_signal_before_the_pid_is_passed_on_when_it_is_known(group):
    forwarder = _Forwarder()
    try:
        os.kill(os.getpid(), signal.SIGTERM)  # handled at once, in this thread
        assert forwarder.pending == [signal.SIGTERM]
        assert group.poll() is None
        forwarder.started(group.pid)
        assert group.wait(timeout=30) == -signal.SIGTERM
    finally:
        forwarder.restore()
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_a_signal_after_the_pid_goes_straight_to_the_command(group):
    forwarder = _Forwarder()
    try:
        forwarder.started(group.pid)
        os.kill(os.getpid(), signal.SIGHUP)
        assert group.wait(timeout=30) == -signal.SIGHUP
        assert forwarder.pending == []
    finally:
        forwarder.restore()


def test_with_no_command_the_pending_signals_come_back_here():
    caught = []
    previous = signal.signal(signal.SIGHUP, lambda number, frame: caught.append(number))
    try:
        forwarder = _Forwarder()
        os.kill(os.getpid(), signal.SIGHUP)
        assert caught == [] and forwarder.pending == [signal.SIGHUP]
        forwarder.restore(replay=True)  # the server refused: the command runs here
        assert caught == [signal.SIGHUP]
    finally:
        signal.signal(signal.SIGHUP, previous)
