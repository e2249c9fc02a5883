"""Progress reports and the cancel flag shared by backup, verify and restore.

Stages are named so the window can show "Snapshot", "Compress", "Verify"
(and, for restore, "Extract", "Safety backup", "Apply") with a byte count.
The work checks the cancel flag between chunks (about every megabyte), so a
cancel takes effect within milliseconds and the temporary files are removed
by the stage that notices it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from .errors import Cancelled

SNAPSHOT = "snapshot"
COMPRESS = "compress"
VERIFY = "verify"
EXTRACT = "extract"
SAFETY = "safety backup"
APPLY = "apply"


@dataclass(frozen=True)
class Progress:
    """One report: stage, bytes done of total (total 0 = unknown), a short detail."""

    stage: str
    done: int = 0
    total: int = 0
    detail: str = ""


ProgressFn = Callable[[Progress], None]


def no_progress(_p: Progress) -> None:
    """The default reporter: say nothing."""


class CancelFlag:
    """Set from another thread or a signal handler; checked by the work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        """Ask the work to stop at its next check."""
        self._event.set()

    def is_set(self) -> bool:
        """Whether cancel was asked."""
        return self._event.is_set()

    def check(self) -> None:
        """Raise Cancelled if cancel was asked."""
        if self._event.is_set():
            raise Cancelled()


class Reporter:
    """Throttles byte progress to one report per ~4 MB and checks cancel each time."""

    STEP = 4 << 20

    def __init__(self, fn: ProgressFn, cancel: CancelFlag, stage: str, total: int) -> None:
        self._fn, self._cancel, self.stage, self.total = fn, cancel, stage, total
        self.done = 0
        self._next = 0

    def start(self, detail: str = "") -> None:
        """Announce the stage."""
        self._cancel.check()
        self._fn(Progress(self.stage, 0, self.total, detail))

    def add(self, n: int, detail: str = "") -> None:
        """Count n more bytes; report and check cancel at most every STEP bytes."""
        self.done += n
        if self.done >= self._next:
            self._next = self.done + self.STEP
            self._cancel.check()
            self._fn(Progress(self.stage, self.done, self.total, detail))


class LinkedCancel(CancelFlag):
    """Set by its own ``set`` (this piece of work must stop) or by the admin's cancel flag it follows."""

    def __init__(self, parent: CancelFlag) -> None:
        super().__init__()
        self._parent = parent

    def is_set(self) -> bool:
        """Either flag."""
        return super().is_set() or self._parent.is_set()

    def check(self) -> None:
        """Raise Cancelled if either flag is set."""
        if self.is_set():
            raise Cancelled()
