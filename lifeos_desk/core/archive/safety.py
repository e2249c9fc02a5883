"""The safety backup a restore makes first, optionally while the archive is still being read.

When the admin has confirmed up front (``restore --yes``), the safety
backup (a snapshot of the live database, state files, ISA-L compression and
quick_check) and the archive's reading (decompressing, hashing, writing the
temporary copies) are independent and both spend their time in C code that
releases the GIL (sqlite3, isal, hashlib): on two cores, running them side
by side takes the longer of the two instead of their sum.

That overlap changes nothing a refused archive could see: the safety
backup writes only into the backups folder (dot-named temporary files,
then its archive); its audit entry and safety mark, which touch the data
home's audit log, are recorded only when the restore goes ahead
(``EarlySafety.result``). A refused archive, a failed check or a cancel
stops it and deletes whatever it made (``EarlySafety.discard``), and the
restore itself applies nothing until both are complete.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from ..paths import DataPaths
from .make import BackupOptions, BackupResult, make_backup, record_backup
from .progress import SAFETY, CancelFlag, LinkedCancel, Progress, ProgressFn

# Made under time pressure (the bot is stopped): level 1 and quick_check. It must not refuse a damaged
# database - restoring over one is often the point; the manifest records the check.
SAFETY_OPTIONS = BackupOptions(purpose="safety", include_logs=False, db_level=1, check="quick",
                               require_intact=False)


class Relabel:
    """Passes the safety backup's progress on under the stage name "safety backup"."""

    def __init__(self, fn: ProgressFn, stage: str = SAFETY) -> None:
        self._fn, self._stage = fn, stage

    def __call__(self, p: Progress) -> None:
        self._fn(Progress(self._stage, p.done, p.total, f"{p.stage}: {p.detail}" if p.detail else p.stage))


class Serialized:
    """One progress function shared by two threads: one report at a time, so a JSON line is never split."""

    def __init__(self, fn: ProgressFn) -> None:
        self._fn, self._lock = fn, threading.Lock()

    def __call__(self, p: Progress) -> None:
        with self._lock:
            self._fn(p)


def make_safety(paths: DataPaths, progress: ProgressFn, cancel: CancelFlag) -> BackupResult:
    """The safety backup, made and recorded now (after the admin's confirmation)."""
    return make_backup(paths, SAFETY_OPTIONS, Relabel(progress), cancel)


class EarlySafety:
    """The safety backup running in its own thread while the archive is read and checked."""

    def __init__(self, paths: DataPaths, progress: ProgressFn, cancel: CancelFlag) -> None:
        self._paths = paths
        self._stop = LinkedCancel(cancel)
        self._done = False
        pool = ThreadPoolExecutor(1, thread_name_prefix="safety")
        self._future = pool.submit(make_backup, paths, replace(SAFETY_OPTIONS, record=False),
                                   Relabel(progress), self._stop)
        pool.shutdown(wait=False)  # the thread ends with the backup; result() or discard() waits for it

    def result(self) -> BackupResult:
        """Wait for it, then record it (audit entry, safety mark): the restore goes ahead.

        Raises what the backup raised (Cancelled when the admin cancelled).
        """
        result = self._future.result()
        self._done = True
        record_backup(self._paths, SAFETY_OPTIONS, result)
        return result

    def discard(self) -> None:
        """Stop it and delete its archive: the restore will not happen, so no safety copy is needed."""
        if self._done:
            return
        self._done = True
        self._stop.set()
        try:
            result = self._future.result()
        except Exception:  # it removed its own temporary files; nothing was recorded
            return
        result.path.unlink(missing_ok=True)


__all__ = ["SAFETY_OPTIONS", "EarlySafety", "Relabel", "Serialized", "make_safety"]
