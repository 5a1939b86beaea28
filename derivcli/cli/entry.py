"""The derivcli console script: a warm server's answer where there is one, else the app.

This module imports only the standard library and derivcli.server's client before it
knows which: the client path never loads typer, rich, sympy or torch
(tests/server/test_server.py pins this).
"""

from __future__ import annotations

import os
import sys

COMPLETION_VARIABLE = "_DERIVCLI_COMPLETE"  # typer's name for it: _{PROG_NAME}_COMPLETE


def main() -> None:
    """Entry point of the derivcli console script and of python -m derivcli."""
    from derivcli.server.client import forward

    status = None
    if COMPLETION_VARIABLE not in os.environ:  # a shell asking for completions: answered here
        try:
            status = forward(sys.argv[1:])
        except KeyboardInterrupt:  # Ctrl-C as the command ended: its output is complete
            status = 130
    if status is not None:
        os._exit(status)
    from derivcli.cli.app import main as run_here

    run_here()
