"""Where this user's server listens, and which installation it belongs to.

Standard library only: the client reads this before anything heavy is imported.

The socket lives in a directory of this user's, mode 0700: derivcli-UID in
$XDG_RUNTIME_DIR, or in the temporary directory. A directory that is not this user's,
is open to others, or is a symbolic link is never used. The socket's name is a key
of the installation (derivcli's folder and the Python that runs it), so two
installations (two virtual environments) have two servers. Within one, the identity
(the version, the modification times of derivcli's files, the folders on sys.path,
Python's flags, and the environment read when Python and its libraries start) tells
whether a server answers for exactly the code and settings this command would run with.
"""

from __future__ import annotations

import os
import stat
import sys

import derivcli

PACKAGE = os.path.dirname(os.path.abspath(derivcli.__file__))

# Read when Python, torch or their libraries start, so a server started under other
# values would answer differently (threads, devices, libraries, paths).
IMPORT_TIME_PREFIXES = (
    "PYTHON",
    "OMP_",
    "MKL_",
    "KMP_",
    "OPENBLAS_",
    "GOTO",
    "NPY_",
    "NUMPY_",
    "SYMPY_",
    "MPMATH_",
    "SYMENGINE",
    "CUDA_",
    "TORCH",
    "PYTORCH_",
    "LD_",
)
# Python's flags that change how code runs (-O, -X dev, -I, -B ...). Not UTF-8 mode,
# which follows the locale (C and POSIX turn it on): what it changes for a command,
# its streams' encodings, the client hands over.
FLAGS = (
    "debug",
    "inspect",
    "optimize",
    "dont_write_bytecode",
    "no_user_site",
    "no_site",
    "ignore_environment",
    "verbose",
    "bytes_warning",
    "hash_randomization",
    "isolated",
    "dev_mode",
    "int_max_str_digits",
    "safe_path",
    "warn_default_encoding",
)
# ...and not what the client hands over itself (its streams' encodings).
PASSED_ON = {"PYTHONIOENCODING"}


class UnsafeDirectory(Exception):
    """The socket's directory exists but is not this user's private directory."""


def runtime_dir() -> str:
    """The directory for this user's socket (it may not exist yet)."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if not (base and os.path.isabs(base)):
        base = next(
            (os.environ[name] for name in ("TMPDIR", "TEMP", "TMP") if os.environ.get(name)),
            "/tmp",
        )
    # The uid in the name even under XDG_RUNTIME_DIR: one set to a shared folder (/tmp)
    # must not let the first user's directory turn the others away.
    return os.path.join(base, f"derivcli-{os.getuid()}")


def checked_dir(create: bool = False) -> str | None:
    """runtime_dir() if it is a real directory of this user's with mode 0700; None if it
    does not exist (made first when create). Raises UnsafeDirectory otherwise."""
    path = runtime_dir()
    if create:
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        except OSError as error:
            raise UnsafeDirectory(f"cannot make {path}: {error.strerror}") from None
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:  # a file on the way (NotADirectoryError), another's folder
        raise UnsafeDirectory(f"cannot use {path}: {error.strerror}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeDirectory(f"{path} is not a directory")
    if info.st_uid != os.getuid():
        raise UnsafeDirectory(f"{path} belongs to another user (uid {info.st_uid})")
    if info.st_mode & 0o077:
        raise UnsafeDirectory(f"{path} is open to others (mode {info.st_mode & 0o777:o}; 700)")
    return path


def key() -> str:
    """This installation's short name: derivcli's folder and the environment that runs it
    (sys.prefix: two virtual environments with one editable checkout are two)."""
    import zlib

    text = f"{PACKAGE}\0{sys.prefix}\0{sys.executable}".encode(errors="surrogateescape")
    return f"{zlib.crc32(text):08x}"


def socket_path(directory: str) -> str:
    """The socket of this installation's server in directory."""
    return os.path.join(directory, f"server-{key()}.sock")


def log_path(directory: str) -> str:
    """Where the server writes what it would have printed (a crash's traceback)."""
    return os.path.join(directory, f"server-{key()}.log")


def identity(package: str = PACKAGE) -> str:
    """Everything that makes a server answer as this command would: the version,
    each file of the package (name, size, modification time), the folders Python imports
    from, and the environment read at start-up. Equal identities, equal answers."""
    import hashlib

    digest = hashlib.sha256()
    flags = [f"{name}={getattr(sys.flags, name, None)}" for name in FLAGS]
    parts = [derivcli.__version__, package, sys.prefix, sys.executable, *flags]
    for entry in sys.path[1:]:  # [0] is the script's folder: bin/, or '' for -m and -c
        try:
            parts.append(f"{entry}:{os.stat(entry or '.').st_mtime_ns}")
        except OSError:
            parts.append(f"{entry}:-")
    parts += sorted(
        f"{name}={value}"
        for name, value in os.environ.items()
        if name.startswith(IMPORT_TIME_PREFIXES) and name not in PASSED_ON
    )
    parts += _files(package)
    for part in parts:
        digest.update(part.encode(errors="surrogateescape") + b"\0")
    return digest.hexdigest()


def _files(folder: str) -> list[str]:
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                found += _files(entry.path)
            elif entry.name.endswith(".py"):
                info = entry.stat()
                found.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}")
    return sorted(found)
