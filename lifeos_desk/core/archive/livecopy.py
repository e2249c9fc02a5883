"""Writing a checked copy INTO the live database, inside one write transaction we hold.

docs/architecture.md, "Backup and restore": the restore holds the live
database's write lock (``BEGIN IMMEDIATE``) from the safety snapshot to its
own commit, so no row the bot commits can fall between the two: the bot's
writes wait within its busy timeout, readers keep reading. SQLite's backup
API cannot write into a connection that is already in a transaction
(``sqlite3_backup_init`` refuses it, "destination database is in use"), so
the copy is logical: inside that one transaction every schema object of the
live file is dropped and the archive's are created and filled, rowids kept.
Page size and journal mode stay the bot's (they are the file's, not the
content's). Nothing is visible to anyone before COMMIT; an error, a cancel
or a kill before it leaves the live database as it was.

The lock is taken with a bounded wait made of short tries, so a cancel (the
window's Cancel, SIGTERM) is honoured within a tenth of a second instead of
after SQLite's busy handler - Python's own ``backup()`` retries a locked
destination outside any busy timeout and does not return to Python, which
is why a blocked restore ignored SIGTERM.

Python's sqlite3: never in the GUI process (docs/architecture.md, "Threads
and child processes").
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing, suppress
from pathlib import Path

from .errors import ArchiveError, Cancelled
from .progress import CancelFlag

TRY_S = 0.1  # one attempt at the write lock; cancel is checked between attempts
_WITHOUT_ROWID = re.compile(r"\)\s*WITHOUT\s+ROWID\s*(,\s*STRICT\s*)?;?\s*$", re.IGNORECASE)
_NOT_A_DB = ("file is not a database", "not a database", "malformed", "file is encrypted")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class NotADatabase(ArchiveError):
    """The live file is not a database SQLite can open (random bytes, a broken header)."""


class Damaged(ArchiveError):
    """The live database is corrupt: its objects cannot be dropped (``overwrite_damaged`` instead)."""


class Locked(ArchiveError):
    """The live database stayed locked by another program past the busy timeout."""


class LiveLock:
    """A connection to the live database holding its write lock (RESERVED / the WAL write lock).

    ``open`` waits at most ``timeout`` seconds, checking ``cancel`` every
    TRY_S; ``replace_from`` copies the staged database in (not committed);
    ``commit`` or ``rollback`` ends it.
    """

    def __init__(self, live: Path, con: sqlite3.Connection) -> None:
        self.live, self.con = live, con

    @classmethod
    def open(cls, live: Path, staged: Path, timeout: float, cancel: CancelFlag) -> LiveLock:
        """Attach the staged copy, then take the write lock with a bounded, cancellable wait."""
        try:
            con = sqlite3.connect(live.absolute().as_uri(), uri=True, isolation_level=None, timeout=TRY_S,
                                  check_same_thread=False)
        except sqlite3.Error as exc:
            raise ArchiveError(f"could not open the database {live}: {exc}") from exc
        try:
            con.execute(f"PRAGMA busy_timeout={int(TRY_S * 1000)}")
            deadline = time.monotonic() + timeout
            _attach(con, live, staged, deadline, cancel)
            _begin(con, live, max(TRY_S, deadline - time.monotonic()), cancel)
            # Rollback journal: without spilling, our changes stay in memory until COMMIT, so readers
            # keep their shared lock until then (a spill would need the exclusive lock early).
            con.execute("PRAGMA cache_spill=OFF")
        except BaseException:
            con.close()
            raise
        return cls(live, con)

    def replace_from(self, stop: Callable[[], bool], report: Callable[[str], None]) -> str:
        """Drop every live schema object, create and fill the archive's; returns quick_check (uncommitted)."""
        con = self.con
        con.set_progress_handler(stop, 20_000)
        try:
            _drop_all(con)
            _create_and_fill(con, report)
            result = str(con.execute("PRAGMA main.quick_check(1)").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            if stop():
                raise Cancelled() from None
            if any(s in str(exc).lower() for s in _NOT_A_DB):
                raise Damaged(f"the live database {self.live} is damaged ({exc})") from exc
            raise ArchiveError(f"could not restore the database into {self.live}: {exc}") from exc
        finally:
            con.set_progress_handler(None, 0)
        if result != "ok":
            raise ArchiveError(f"the restored database failed quick_check before commit ({result})")
        return result

    def commit(self, timeout: float) -> None:
        """COMMIT (rollback journal: waits for readers to finish, within ``timeout``)."""
        self.con.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        try:
            self.con.execute("COMMIT")
        except sqlite3.Error as exc:
            self.rollback()
            if "locked" in str(exc) or "busy" in str(exc):
                raise Locked(f"the database {self.live} was locked by another program (readers did not let go "
                             f"within {timeout:.0f} s); nothing was changed") from exc
            raise ArchiveError(f"could not commit the restore into {self.live}: {exc}") from exc
        finally:
            self.close()

    def rollback(self) -> None:
        """Undo everything written in our transaction."""
        with suppress(sqlite3.Error):
            if self.con.in_transaction:
                self.con.execute("ROLLBACK")

    def close(self) -> None:
        """Roll back if still open, then close."""
        self.rollback()
        with suppress(sqlite3.Error):
            self.con.close()


def overwrite_damaged(staged: Path, live: Path, timeout: float, cancel: CancelFlag) -> str:
    """Write the staged copy over a damaged live file's pages (backup API, one step); returns quick_check.

    Only for a live file whose objects cannot even be dropped: the logical
    copy needs a readable schema. The copy is first brought to the live
    file's page size and journal family (the backup API fails into a WAL
    file of another page size, and would carry the WAL flag over). The
    write lock is first waited for here, bounded and cancellable: Python's
    ``backup()`` would retry a locked destination without end.
    """
    try:
        with closing(sqlite3.connect(str(live), isolation_level=None, timeout=TRY_S)) as con:
            live_page = int(con.execute("PRAGMA page_size").fetchone()[0])
            live_wal = str(con.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"
        with closing(sqlite3.connect(str(staged), isolation_level=None)) as src:
            if int(src.execute("PRAGMA page_size").fetchone()[0]) != live_page:
                src.execute("PRAGMA journal_mode=DELETE")
                src.execute(f"PRAGMA page_size={live_page}")
                src.execute("VACUUM")
            src.execute(f"PRAGMA journal_mode={'WAL' if live_wal else 'DELETE'}")
            with closing(sqlite3.connect(str(live), isolation_level=None, timeout=TRY_S)) as dst:
                _wait_for_lock(dst, live, timeout, cancel)
                src.backup(dst, pages=-1)
                return str(dst.execute("PRAGMA quick_check(1)").fetchone()[0])
    except sqlite3.Error as exc:
        raise ArchiveError(f"could not restore the database into {live}: {exc}") from exc


def _wait_for_lock(con: sqlite3.Connection, live: Path, timeout: float, cancel: CancelFlag) -> None:
    """Wait (bounded, cancellable) until the write lock is free, then let it go for the backup step."""
    deadline = time.monotonic() + timeout
    while True:
        cancel.check()
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("ROLLBACK")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() and "busy" not in str(exc).lower():
                return  # not a lock problem: the backup step reports it
        if time.monotonic() >= deadline:
            raise Locked(f"the database {live} was locked by another program for {timeout:.0f} s; "
                         "nothing was changed - try again when it is idle")


def _attach(con: sqlite3.Connection, live: Path, staged: Path, deadline: float, cancel: CancelFlag) -> None:
    """ATTACH the staged copy. It loads the live file's schema first, which needs a shared lock: while the bot
    commits in rollback-journal mode that is busy for a moment, so it is retried like the write lock."""
    while True:
        cancel.check()
        try:
            con.execute("ATTACH DATABASE ? AS src", (staged.resolve().as_uri() + "?immutable=1",))
            return
        except sqlite3.DatabaseError as exc:
            text = str(exc).lower()
            if any(s in text for s in _NOT_A_DB):
                raise NotADatabase(f"{live} is not a database SQLite can read ({exc})") from exc
            if ("locked" not in text and "busy" not in text) or time.monotonic() >= deadline:
                raise ArchiveError(f"could not open the database {live}: {exc}") from exc


def _begin(con: sqlite3.Connection, live: Path, timeout: float, cancel: CancelFlag) -> None:
    deadline = time.monotonic() + timeout
    while True:
        cancel.check()
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("SELECT count(*) FROM main.sqlite_master").fetchone()  # a bad header fails here
            return
        except sqlite3.DatabaseError as exc:
            text = str(exc).lower()
            if any(s in text for s in _NOT_A_DB):
                raise NotADatabase(f"{live} is not a database SQLite can read ({exc})") from exc
            if "locked" not in text and "busy" not in text:
                raise ArchiveError(f"could not lock the database {live}: {exc}") from exc
        if time.monotonic() >= deadline:
            raise Locked(f"the database {live} was locked by another program (the bot, or a console?) for "
                         f"{timeout:.0f} s; nothing was changed - try again when it is idle")


def _drop_all(con: sqlite3.Connection) -> None:
    rows = con.execute("SELECT type, name FROM main.sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
    for kind in ("trigger", "view", "table"):  # dropping a table drops its indexes
        for t, name in rows:
            if t == kind:
                con.execute(f"DROP {kind.upper()} IF EXISTS main.{_q(name)}")
    for internal in ("sqlite_sequence", "sqlite_stat1", "sqlite_stat4"):
        if con.execute("SELECT 1 FROM main.sqlite_master WHERE name = ?", (internal,)).fetchone():
            con.execute(f"DELETE FROM main.{internal}")


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]) for r in con.execute(f"PRAGMA src.table_xinfo({_q(table)})") if int(r[6]) == 0]


def _create_and_fill(con: sqlite3.Connection, report: Callable[[str], None]) -> None:
    """The archive's tables and indexes, then their rows (b-tree to b-tree where SQLite can), then the rest.

    Indexes are created before the rows so that ``INSERT INTO t SELECT * FROM
    src.t`` takes SQLite's transfer optimisation (the one VACUUM uses): rows
    and index entries are copied in key order as raw records, without
    decoding or a seek per row - about 2.5x faster than a row-by-row insert
    into a table whose key index gets random inserts (``_fill``).
    """
    objects = con.execute("SELECT type, name, sql FROM src.sqlite_master WHERE sql IS NOT NULL "
                          "AND name NOT LIKE 'sqlite_%' ORDER BY rowid").fetchall()
    tables = [(name, sql) for kind, name, sql in objects if kind == "table"]
    for _name, sql in tables:
        con.execute(sql)
    for t, _name, sql in objects:
        if t == "index":
            con.execute(sql)
    for name, sql in tables:
        report(name)
        _fill(con, name, sql)
    for internal in ("sqlite_sequence", "sqlite_stat1"):
        if con.execute("SELECT 1 FROM src.sqlite_master WHERE name = ?", (internal,)).fetchone():
            if internal == "sqlite_stat1" and not con.execute(
                    "SELECT 1 FROM main.sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
                con.execute("ANALYZE main.sqlite_master")  # creates main.sqlite_stat1
                con.execute("DELETE FROM main.sqlite_stat1")
            if con.execute("SELECT 1 FROM main.sqlite_master WHERE name = ?", (internal,)).fetchone():
                con.execute(f"DELETE FROM main.{internal}")
                con.execute(f"INSERT INTO main.{internal} SELECT * FROM src.{internal}")
    for kind in ("view", "trigger"):  # triggers last: the copy above must not fire them
        for t, _name, sql in objects:
            if t == kind:
                con.execute(sql)
    for pragma in ("user_version", "application_id"):
        value = int(con.execute(f"PRAGMA src.{pragma}").fetchone()[0])
        con.execute(f"PRAGMA main.{pragma}={value}")


def transfers(con: sqlite3.Connection, name: str, sql: str) -> bool:
    """Whether ``INSERT INTO main.t SELECT * FROM src.t`` copies every row with its rowid, as it is.

    SQLite takes the transfer optimisation only when both tables match
    exactly (columns, affinities, collations, defaults, indexes, CHECKs; no
    enforced foreign key, no trigger on the target) - the program then reads
    whole records (``RowData``), which ``EXPLAIN`` shows without running it.
    It keeps the rowid when the table has an index (or has no rowid, or an
    INTEGER PRIMARY KEY); a rowid table without any index would be
    renumbered, so it is not used there. The target is empty (just created),
    so the transfer branch is the one that runs. Tables with generated
    columns keep the explicit column list.
    """
    if any(int(r[6]) != 0 for r in con.execute(f"PRAGMA src.table_xinfo({_q(name)})")):
        return False
    if not _WITHOUT_ROWID.search(sql) and not con.execute(f"PRAGMA main.index_list({_q(name)})").fetchall():
        return False
    program = con.execute(f"EXPLAIN INSERT INTO main.{_q(name)} SELECT * FROM src.{_q(name)}").fetchall()
    return any(str(r[1]) == "RowData" for r in program)


def _fill(con: sqlite3.Connection, name: str, sql: str) -> None:
    """Copy one table's rows from ``src``, rowids kept."""
    if transfers(con, name, sql):
        con.execute(f"INSERT INTO main.{_q(name)} SELECT * FROM src.{_q(name)}")
        return
    cols = _columns(con, name)
    listed = ", ".join(_q(c) for c in cols)
    lowered = {c.lower() for c in cols}
    if not _WITHOUT_ROWID.search(sql) and not {"rowid", "_rowid_", "oid"} <= lowered:
        key = next(k for k in ("rowid", "_rowid_", "oid") if k not in lowered)
        con.execute(f"INSERT INTO main.{_q(name)} ({key}, {listed}) SELECT {key}, {listed} FROM src.{_q(name)}")
    else:
        con.execute(f"INSERT INTO main.{_q(name)} ({listed}) SELECT {listed} FROM src.{_q(name)}")


__all__ = ["Damaged", "LiveLock", "Locked", "NotADatabase", "overwrite_damaged"]
