"""A progress bar for long runs: rich, on stderr, only on a terminal, after a moment.

It never ends a run: a terminal that goes away (SIGHUP, a closed window) turns it off,
and it is stopped (its refresh thread too) however the run ends.
"""

from __future__ import annotations

import sys
import time


class ProgressBar:
    """A rich progress bar on stderr, only on a terminal, once a run lasts over a moment."""

    DELAY = 0.5

    def __init__(self, source):
        self.source = source
        self.bar = None
        self.started = None

    def __enter__(self):
        if not sys.stderr.isatty():
            return None
        self.started = time.monotonic()
        return self.update

    def update(self, points_done: int, progress: int) -> None:
        if self.started is None:  # off: not a terminal, or the terminal went away
            return
        try:
            self._update(points_done, progress)
        except (OSError, ValueError):
            self._stop()
            self.started = None

    def _update(self, points_done: int, progress: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < self.DELAY:
                return
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            total = self.source.total
            columns = [TextColumn("[bold]derivcli"), BarColumn()]
            if total is not None and total == self.source.count:
                columns.append(MofNCompleteColumn())  # progress counts points
            else:
                columns.append(TextColumn("{task.fields[points]} points"))  # bytes, or unknown
            columns.append(TimeElapsedColumn())
            if total is not None:
                columns.append(TimeRemainingColumn())
            from derivcli.render import console

            self.bar = Progress(*columns, console=console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("", total=total, points="0")
        self.bar.update(self.task, completed=progress, points=f"{points_done:,}")

    def __exit__(self, *exc):
        self._stop()

    def _stop(self) -> None:
        bar, self.bar = self.bar, None
        if bar is not None:
            try:
                bar.stop()
            except (OSError, ValueError):
                pass  # the terminal is gone; the refresh thread has stopped all the same
