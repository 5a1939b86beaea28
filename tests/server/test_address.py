"""The socket's directory is this user's and private; the identity follows the code."""

from __future__ import annotations

import os
import time

import pytest

from derivcli.server import address


@pytest.fixture
def runtime(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    return tmp_path


def test_the_directory_is_made_private(runtime):
    path = address.checked_dir(create=True)
    assert path == str(runtime / f"derivcli-{os.getuid()}")
    assert os.stat(path).st_mode & 0o777 == 0o700


def test_no_directory_means_no_server(runtime):
    assert address.checked_dir() is None


def test_a_directory_open_to_others_is_refused(runtime):
    (runtime / f"derivcli-{os.getuid()}").mkdir(mode=0o755)
    os.chmod(runtime / f"derivcli-{os.getuid()}", 0o755)
    with pytest.raises(address.UnsafeDirectory, match="open to others"):
        address.checked_dir()


def test_a_symbolic_link_is_refused(runtime, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    os.chmod(elsewhere, 0o700)
    (runtime / f"derivcli-{os.getuid()}").symlink_to(elsewhere)
    with pytest.raises(address.UnsafeDirectory, match="not a directory"):
        address.checked_dir()


def test_a_directory_of_another_user_is_refused(runtime):
    if os.getuid() != 0:
        pytest.skip("only root can give a directory to another user")
    (runtime / f"derivcli-{os.getuid()}").mkdir(mode=0o700)
    os.chown(runtime / f"derivcli-{os.getuid()}", 65534, -1)
    with pytest.raises(address.UnsafeDirectory, match="another user"):
        address.checked_dir()


def test_a_file_in_the_way_is_refused_not_a_crash(runtime):
    (runtime / f"derivcli-{os.getuid()}").write_text("")
    with pytest.raises(address.UnsafeDirectory, match="not a directory"):
        address.checked_dir()
    os.environ["XDG_RUNTIME_DIR"] = str(runtime / f"derivcli-{os.getuid()}")  # a file
    with pytest.raises(address.UnsafeDirectory, match="cannot use"):
        address.checked_dir()


def test_without_xdg_runtime_dir_a_directory_per_uid_under_tmpdir(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert address.runtime_dir() == str(tmp_path / f"derivcli-{os.getuid()}")


def test_the_identity_changes_with_a_file_and_with_start_up_settings(tmp_path, monkeypatch):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n")
    before = address.identity(str(package))
    assert address.identity(str(package)) == before
    later = time.time() + 5
    os.utime(package / "a.py", (later, later))
    touched = address.identity(str(package))
    assert touched != before
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    assert address.identity(str(package)) != touched
    monkeypatch.setenv("NO_COLOR", "1")  # read by each command, not at start-up
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert address.identity(str(package)) == touched
