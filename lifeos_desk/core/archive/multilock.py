"""Several live databases restored together: all locked, all copied, all committed - or none.

A whole-home restore writes the bot's database and, say, ``fees.db`` and the
treasury's ``jarvis_core.db`` (docs/architecture.md, 'Restoring into the
live file'). Each goes back into its live file inside one write transaction
we hold (``livecopy.LiveLock``), and the sequence is:

1. lock every database in one fixed order (sorted by live path: two
   restores never wait for each other crosswise), all within one bounded,
   cancellable deadline; a database that is missing or not SQLite at all has
   no lock and is replaced by rename (as a single one is);
2. the caller makes the safety backup, under all of these locks at once, so
   it holds every row committed to any of them before the restore;
3. copy each archived database in (uncommitted) and run its quick_check;
4. the caller puts the state files in place;
5. commit them one after another, with nothing else in between: the
   rollback-journal databases first (their COMMIT waits for readers and is
   the one that may fail, while nothing is committed yet), then the WAL ones
   (a WAL commit only appends a commit frame).

**If a later COMMIT fails after an earlier one succeeded**, the earlier
database already holds the archive's rows. ``recover`` then rolls back the
rest, and writes each already-committed database back from the safety
archive (it was made under the same locks, so it holds exactly their state
before the restore), under its write lock again; the files are put back by
the caller. The window is the few milliseconds between the first COMMIT and
the recovery taking that lock again: a bot row committed to the first
database in between is lost (it was written on top of the restored state,
which the recovery replaces). The error names each database and whether it
was put back.

Python's sqlite3: never in the GUI process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import ArchiveError
from .extract import ScannedMember
from .livecopy import TRY_S, Damaged, LiveLock, NotADatabase, overwrite_damaged
from .progress import CancelFlag, no_progress
from .verify import read_checked


@dataclass
class LiveDb:
    """One database the restore writes: the archive's checked copy and the live file."""

    member: str  # public_users.db, home/fees.db, bot/data/jarvis_core.db
    staged: Path
    live: Path
    journal: str = ""  # the live file's journal mode, known once locked
    lock: LiveLock | None = None
    by_rename: bool = False  # no readable live database: the copy replaces the file (caller stages it)
    damaged: bool = False  # objects could not be dropped: ``overwrite_damaged`` after the files
    committed: bool = False
    quick_check: str = ""


class LiveSet:
    """The databases of one restore, locked in a fixed order."""

    def __init__(self, dbs: list[LiveDb]) -> None:
        self.dbs = sorted(dbs, key=lambda d: str(d.live))

    def lock_all(self, timeout: float, cancel: CancelFlag, waiting: Callable[[LiveDb], None]) -> None:
        """Take every write lock within ``timeout`` seconds in all; raises (``Locked``...) holding none."""
        deadline = time.monotonic() + timeout
        try:
            for d in self.dbs:
                if not d.live.exists():
                    d.by_rename = True
                    continue
                waiting(d)
                try:
                    d.lock = LiveLock.open(d.live, d.staged, max(TRY_S, deadline - time.monotonic()), cancel)
                except NotADatabase:
                    d.by_rename = True
                    continue
                d.journal = str(d.lock.con.execute("PRAGMA main.journal_mode").fetchone()[0]).lower()
        except BaseException:
            self.close_all()
            raise

    def copy_all(self, stop: Callable[[], bool], report: Callable[[str], None]) -> None:
        """Copy each archived database into its locked live file (uncommitted), with its quick_check."""
        for d in self.dbs:
            if d.lock is None:
                continue
            try:
                d.quick_check = d.lock.replace_from(stop, report)
            except Damaged:
                d.lock.close()
                d.lock, d.damaged = None, True

    def overwrite_damaged(self, timeout: float, cancel: CancelFlag) -> None:
        """The live files whose objects could not be dropped: their pages written over (after the files)."""
        for d in self.dbs:
            if d.damaged:
                d.quick_check = overwrite_damaged(d.staged, d.live, timeout, cancel)

    def commit_all(self, timeout: float) -> None:
        """COMMIT each, rollback-journal databases first; raises after a failure (see ``recover``)."""
        order = sorted((d for d in self.dbs if d.lock is not None), key=lambda d: d.journal == "wal")
        for d in order:
            lock, d.lock = d.lock, None
            assert lock is not None
            lock.commit(timeout)  # closes it, also on failure (rolled back)
            d.committed = True

    def close_all(self) -> None:
        """Roll back and close every lock still held."""
        for d in self.dbs:
            if d.lock is not None:
                d.lock.close()
                d.lock = None

    @property
    def partly_committed(self) -> list[LiveDb]:
        """The databases committed before a failure."""
        return [d for d in self.dbs if d.committed]

    def recover(self, safety: Path | None, timeout: float) -> list[str]:
        """Write the committed databases back from the safety archive; returns problems (empty: all put back)."""
        self.close_all()
        done = self.partly_committed
        if not done:
            return []
        if safety is None:
            return [f"{d.live}: holds the archive's rows (no safety archive to put it back from)" for d in done]
        problems: list[str] = []
        try:
            # The safety archive, read under the same header rules as any archive.
            scan, _db, _ = read_checked(safety, None, no_progress, CancelFlag(), keep_all=True, check="quick")
        except ArchiveError as exc:
            return [f"{d.live}: holds the archive's rows (the safety archive {safety} could not be read: {exc})"
                    for d in done]
        try:
            for d in done:
                problems += _put_back(d, scan.members.get(d.member), timeout)
        finally:
            scan.cleanup()
        return problems


def _put_back(d: LiveDb, member: ScannedMember | None, timeout: float) -> list[str]:
    path = member.path if member is not None else None
    if path is None:
        return [f"{d.live}: holds the archive's rows (not in the safety archive)"]
    try:
        lock = LiveLock.open(d.live, path, timeout, CancelFlag())
        try:
            lock.replace_from(_never, _ignore)
            lock.commit(timeout)
        finally:
            lock.close()
    except ArchiveError as exc:
        return [f"{d.live}: holds the archive's rows (putting it back failed: {exc})"]
    d.committed = False
    return []


def _never() -> bool:
    return False


def _ignore(_table: str) -> None:
    """No progress while putting a database back."""

__all__ = ["LiveDb", "LiveSet"]
