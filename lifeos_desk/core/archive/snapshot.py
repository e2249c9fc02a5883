"""The database copy: one-step online backup, then facts and integrity_check on the copy.

docs/architecture.md, 'Online backup in one step': ``Connection.backup()`` restarts whenever another
connection writes between steps, so it runs in ONE step (``pages=-1``),
which holds a read snapshot only and does not block the bot's writes (in
WAL mode; in rollback-journal mode the bot's commit waits for the copy, a
fraction of a second, within its busy timeout).

Python's sqlite3 here: this module must never run inside the GUI process
(fact 1); the window runs it in a child process.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from ..schema import SchemaKind, detect_schema
from .dbcheck import split_integrity_check
from .errors import ArchiveError

BUSY_TIMEOUT_S = 30.0  # as ADR-005
MMAP_BYTES = 1 << 40  # integrity_check reads every page: mmap makes it ~3x faster than read()


CHECKS = {"full": "integrity_check", "quick": "quick_check"}


@dataclass
class DbFacts:
    """What the manifest and the restore preview say about a database file."""

    page_size: int = 0
    page_count: int = 0
    journal_mode: str = ""
    schema: SchemaKind = SchemaKind.UNKNOWN
    tables: dict[str, int] = field(default_factory=dict)
    integrity: list[str] = field(default_factory=list)
    check: str = "integrity_check"  # or quick_check (``--check quick``: skips matching indexes to rows)

    @property
    def intact(self) -> bool:
        """integrity_check said exactly ``ok``."""
        return self.integrity == ["ok"]


def connect(path: Path, timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """A plain connection (autocommit off as sqlite3's default; we only read or back up)."""
    return sqlite3.connect(str(path), timeout=timeout, isolation_level=None)


def snapshot(source: Path, dest: Path) -> str:
    """Copy ``source`` into the new file ``dest`` in one backup step; returns the source's journal mode."""
    if not source.is_file():
        raise ArchiveError(f"no database at {source}")
    try:
        with closing(connect(source)) as src, closing(connect(dest)) as dst:
            mode = str(src.execute("PRAGMA journal_mode").fetchone()[0])
            # Pages read through a read-only mapping, not read() into the page cache: the copy takes
            # ~0.25 s instead of 0.3-0.5 s on 220 MB, and it is the start of a backup's critical path
            # (integrity_check of the copy waits for it). Read-only and under our read lock: the bot's
            # writes go to its WAL or wait for the lock as they would for read().
            src.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            dst.execute("PRAGMA journal_mode=OFF")
            dst.execute("PRAGMA synchronous=OFF")
            src.backup(dst, pages=-1)
    except sqlite3.Error as exc:
        raise ArchiveError(f"could not copy the database {source}: {exc}") from exc
    return mode


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_columns(con: sqlite3.Connection) -> dict[str, list[str]]:
    """Table name -> column names (sqlite_* internal tables left out)."""
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {n: [r[1] for r in con.execute(f"PRAGMA table_info({_quote(n)})")] for n in names}


def row_counts(con: sqlite3.Connection, tables: list[str]) -> dict[str, int]:
    """COUNT(*) of each table."""
    return {t: int(con.execute(f"SELECT count(*) FROM {_quote(t)}").fetchone()[0]) for t in tables}


def header_journal(path: Path) -> str:
    """``wal`` or ``rollback``, from the file header's format bytes (18-19), without opening it in SQLite."""
    with open(path, "rb") as f:
        head = f.read(20)
    return "wal" if len(head) == 20 and head[18] == 2 else "rollback"


def open_copy(path: Path) -> sqlite3.Connection:
    """Open a private copy read-only as immutable: no locks, no -wal/-shm files beside it.

    Only for files nobody else writes (our temporary copies).
    """
    return sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True, isolation_level=None)


def _never() -> bool:
    return False


def facts(path: Path, check: str = "full", stop: Callable[[], bool] = _never, workers: int = 1) -> DbFacts:
    """Page size and count, schema kind, rows per table and the check of a private copy.

    ``check``: "full" runs ``PRAGMA integrity_check`` (the issue's rule; on
    a 220 MB database about 2 s of CPU, the largest single cost of a
    backup), "quick" ``PRAGMA quick_check`` (about 7x faster: everything but
    matching each index to its table's rows), "" none. ``stop`` is polled
    while SQLite works (progress handler): when it turns true the check ends
    at once with an "interrupted" result, so a cancel never waits seconds.
    ``workers`` > 1 spreads the full check over that many threads
    (``dbcheck.py``: the same checks, none dropped).
    """
    try:
        with closing(open_copy(path)) as con:
            con.set_progress_handler(stop, 100_000)
            con.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            cols = table_columns(con)
            out = DbFacts(
                page_size=int(con.execute("PRAGMA page_size").fetchone()[0]),
                page_count=int(con.execute("PRAGMA page_count").fetchone()[0]),
                journal_mode=header_journal(path),
                schema=detect_schema(cols),
                tables=row_counts(con, list(cols)),
            )
            if check == "full" and workers > 1:
                out.integrity = split_integrity_check(path, stop, workers)
            elif check:
                out.check = CHECKS[check]
                out.integrity = [str(r[0]) for r in con.execute(f"PRAGMA {out.check}(100)")]
    except (sqlite3.Error, OSError) as exc:
        return DbFacts(integrity=[f"cannot read the database: {exc}"])
    return out


def live_counts(path: Path) -> tuple[dict[str, int], SchemaKind] | None:
    """Rows per table and schema kind of the live database, read-only; None if there is none."""
    if not path.is_file():
        return None
    try:
        # Not ``mode=ro``: a read-only connection cannot remove the -wal/-shm files it creates on a WAL
        # database the bot has closed. ``query_only`` keeps this connection from writing all the same.
        with closing(connect(path)) as con:
            con.execute("PRAGMA query_only=1")
            cols = table_columns(con)
            return row_counts(con, list(cols)), detect_schema(cols)
    except sqlite3.Error:
        return None
