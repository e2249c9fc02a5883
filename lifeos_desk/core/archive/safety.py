"""The safety backup a restore makes of what it is about to replace.

It is made by ``apply.py`` while the restore holds the live database's write
lock, so it holds every row the bot committed before the restore (an
earlier design made it beside the archive's reading, before any lock, and
lost the rows committed in between). It is recorded (audit entry, safety
mark) only once the restore has committed; a restore that stops deletes it.
"""

from __future__ import annotations

from .make import BackupOptions
from .progress import SAFETY, Progress, ProgressFn

# Made while the bot's writes wait: level 1 and quick_check. It must not refuse a damaged database -
# restoring over one is often the point; the manifest records the check, and a file SQLite cannot read at
# all is kept as its bytes (``raw_fallback``).
SAFETY_OPTIONS = BackupOptions(purpose="safety", include_logs=False, db_level=1, check="quick",
                               require_intact=False, raw_fallback=True)


class Relabel:
    """Passes the safety backup's progress on under the stage name "safety backup"."""

    def __init__(self, fn: ProgressFn, stage: str = SAFETY) -> None:
        self._fn, self._stage = fn, stage

    def __call__(self, p: Progress) -> None:
        self._fn(Progress(self._stage, p.done, p.total, f"{p.stage}: {p.detail}" if p.detail else p.stage))


__all__ = ["SAFETY_OPTIONS", "Relabel"]
