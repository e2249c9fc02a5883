"""Opening the bot's database through QtSql, the one SQLite library of the GUI.

docs/architecture.md, 'One SQLite library per process': QtSql and Python's sqlite3 are two SQLite copies; a
close() in one clears the POSIX locks of the other. So inside the GUI process
this module is the only way to the file. Fact 4: reader settings of the ADR
(busy timeout 30 s, foreign_keys=ON), read-only by default, and the file's
journal_mode is the bot's: only ``switch_to_wal`` changes it, when asked.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QByteArray, QObject, Signal
from PySide6.QtSql import QSqlDatabase, QSqlQuery

from ..core.schema import SchemaKind, detect_schema
from .errors import DatabaseError, DbProblem, can_write, classify_sqlite_error, hot_journal, sniff_header

BUSY_TIMEOUT_MS = 30_000
_names = itertools.count(1)
T = TypeVar("T")


def on_short_connection(work: Callable[[QSqlDatabase], T], path: str = ":memory:", options: str = "") -> T:
    """Open a QtSql connection of its own, run ``work`` on it, close and remove it.

    ``work`` gets the connection as an argument rather than a ``with`` target:
    Qt removes a connection cleanly only when no handle to it is alive, and a
    ``with ... as db`` name would outlive the block. Raises the specific
    DatabaseError when the file does not open.
    """
    name = f"lifeos-short-{next(_names)}"
    db = QSqlDatabase.addDatabase("QSQLITE", name)
    try:
        db.setDatabaseName(path)
        db.setConnectOptions(options)
        if not db.open():
            err = db.lastError()
            raise classify_sqlite_error(_error_code(err), err.databaseText() or err.text(), Path(path))
        return work(db)
    finally:
        db.close()
        del db
        QSqlDatabase.removeDatabase(name)


def sqlite_versions() -> tuple[str, str]:
    """(QtSql's SQLite version, Python's sqlite3 version) — two libraries, reported apart."""
    import sqlite3  # only for its version string: no connection is made

    try:
        qt_version = str(on_short_connection(_sqlite_version))
    except DatabaseError:
        qt_version = "unavailable"
    return qt_version, sqlite3.sqlite_version


def _sqlite_version(db: QSqlDatabase) -> Any:
    return run_scalar(db, "SELECT sqlite_version()")


def _bind(q: QSqlQuery, params: tuple[Any, ...]) -> None:
    """Bind positional values; bytes go in as QByteArray (PySide binds bare bytes as empty TEXT)."""
    for p in params:
        q.addBindValue(QByteArray(bytes(p)) if isinstance(p, (bytes, bytearray, memoryview)) else p)


def _error_code(err: Any) -> int | None:
    try:
        return int(err.nativeErrorCode())
    except (TypeError, ValueError):
        return None


def _executed(db: QSqlDatabase, sql: str, params: tuple[Any, ...], forward_only: bool = True) -> QSqlQuery:
    """A prepared, bound and executed query; raises the specific DatabaseError on failure."""
    q = QSqlQuery(db)
    q.setForwardOnly(forward_only)
    ok = q.prepare(sql)  # preparing reads the schema: a locked or corrupt file fails here
    if ok:
        _bind(q, params)
        ok = q.exec()
    if not ok:
        err = q.lastError()
        q.finish()
        raise classify_sqlite_error(_error_code(err), err.databaseText() or err.text(), Path(db.databaseName()))
    return q


def run_scalar(db: QSqlDatabase, sql: str, params: tuple[Any, ...] = ()) -> Any:
    """Run a one-value query, read it to the end, and return the value (None if no row)."""
    rows = run_rows(db, sql, params)
    return rows[0][0] if rows and rows[0] else None


def run_rows(db: QSqlDatabase, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run a bounded query and fetch every row at once.

    The statement is read to its end and finished before returning: a
    half-read statement is an open read transaction that pins the bot's WAL
    (docs/architecture.md, 'Half-read statements pin the WAL').
    """
    q = _executed(db, sql, params)
    try:
        cols = q.record().count()
        rows = []
        while q.next():
            # PySide returns '' for NULL from value(); only isNull() tells them apart.
            rows.append(tuple(None if q.isNull(i) else q.value(i) for i in range(cols)))
        return rows
    finally:
        q.finish()


def run_exec(db: QSqlDatabase, sql: str, params: tuple[Any, ...] = ()) -> int:
    """Run a statement that returns no rows; returns rows affected."""
    q = _executed(db, sql, params, forward_only=False)
    try:
        return int(q.numRowsAffected())
    finally:
        q.finish()


def opened_info(database: Database, with_quick_check: bool = True) -> DbInfo:
    """``database.info()``, closing the database if it fails.

    The error is re-raised without its traceback: those frames hold
    QSqlDatabase handles, and Qt refuses to remove a connection (with a
    warning) while any handle is alive.
    """
    try:
        return database.info(with_quick_check=with_quick_check)
    except DatabaseError as exc:
        error = exc.with_traceback(None)
    database.close()
    raise error


def quote_ident(name: str) -> str:
    """Quote an SQL identifier (table or column names come from the file itself)."""
    return '"' + name.replace('"', '""') + '"'


def _prepare(db: QSqlDatabase) -> DatabaseError | None:
    """Per-connection settings, and a first read so a bad file fails at open, not in a view.

    Returns the error without its traceback (whose frames hold handles).
    """
    try:
        run_exec(db, "PRAGMA foreign_keys=ON")
        run_scalar(db, "SELECT count(*) FROM sqlite_master")
    except DatabaseError as exc:
        return exc.with_traceback(None)
    return None


@dataclass
class DbInfo:
    """What `info` and the status bar say about an open database."""

    path: Path
    tables: dict[str, list[str]]
    row_counts: dict[str, int]
    journal_mode: str
    schema: SchemaKind
    page_size: int
    page_count: int
    sqlite_version: str
    quick_check: str = "not run"
    notes: list[str] = field(default_factory=list)


class Database(QObject):
    """One database file and the QtSql connections the console opens on it.

    Connections are named by role ("main" for models, "watch" for the change
    watcher, which must never hold an unfinished statement: fact 3).

    Signals:
        modeChanged(bool): read_only changed (connections were reopened).
    """

    modeChanged = Signal(bool)

    def __init__(self, path: Path, read_only: bool = True, busy_timeout_ms: int = BUSY_TIMEOUT_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.read_only = read_only
        self.busy_timeout_ms = busy_timeout_ms
        self._prefix = f"lifeos-{next(_names)}"
        self._roles: dict[str, str] = {}

    # -- opening -------------------------------------------------------------
    def precheck(self) -> None:
        """Fail early and specifically before SQLite sees the file.

        Reading the header with Python's open() is safe only while this process
        holds no QtSql connection on the file (fact 1), so it happens only here,
        before the first connection.
        """
        if self._roles:
            return
        if not self.path.exists():
            raise DatabaseError(DbProblem.MISSING, f"no database at {self.path}", self.path)
        if self.path.is_dir():
            raise DatabaseError(DbProblem.NOT_SQLITE, f"{self.path} is a folder, not a database", self.path)
        if not os.access(self.path, os.R_OK):
            raise DatabaseError(DbProblem.PERMISSION, f"permission denied reading {self.path}", self.path)
        try:
            size = self.path.stat().st_size
            with open(self.path, "rb") as f:
                head = f.read(100)
        except PermissionError:
            raise DatabaseError(DbProblem.PERMISSION, f"permission denied reading {self.path}", self.path) from None
        except OSError as exc:
            raise DatabaseError(DbProblem.OTHER, f"cannot read {self.path}: {exc.strerror}", self.path) from None
        problem = sniff_header(head, size)
        if problem is DbProblem.ENCRYPTED:
            raise DatabaseError(problem, f"{self.path} looks encrypted (no SQLite header); it cannot be read",
                                self.path)
        if problem is DbProblem.NOT_SQLITE:
            raise DatabaseError(problem, f"{self.path} is not a SQLite database", self.path)

    def connection(self, role: str = "main") -> QSqlDatabase:
        """The open connection for a role, opening it on first use."""
        name = self._roles.get(role)
        if name is not None:
            return QSqlDatabase.database(name, open=False)
        self.precheck()
        if not self._roles:
            self._recover_hot_journal()
        name = f"{self._prefix}-{role}"
        db = QSqlDatabase.addDatabase("QSQLITE", name)
        db.setDatabaseName(str(self.path))
        db.setConnectOptions(self._options())
        if not db.open():
            err = db.lastError()
            del db
            QSqlDatabase.removeDatabase(name)
            raise classify_sqlite_error(_error_code(err), err.databaseText() or err.text(), self.path)
        self._roles[role] = name
        error = _prepare(db)
        if error is not None:
            del db  # no handle may be alive when the connection is removed
            self.close_role(role)
            raise error
        return db

    def _recover_hot_journal(self) -> None:
        """Roll back an interrupted write's hot journal, where this user may write the database.

        A read-only connection cannot roll a hot journal back, and SQLite
        then refuses to read ("attempt to write a readonly database"). A
        short read-write connection that only reads makes SQLite do the
        rollback - its documented recovery - and only if the journal really
        is hot (no writer holds the lock: a running bot's journal is left
        alone). Where the user cannot write, the error says so (errors.py).
        """
        if hot_journal(self.path) is None or not can_write(self.path):
            return
        name = f"{self._prefix}-recover"
        db = QSqlDatabase.addDatabase("QSQLITE", name)
        try:
            db.setDatabaseName(str(self.path))
            db.setConnectOptions(f"QSQLITE_BUSY_TIMEOUT={self.busy_timeout_ms}")
            if db.open():
                with contextlib.suppress(DatabaseError):  # the read-only open that follows reports it
                    run_scalar(db, "SELECT count(*) FROM sqlite_master")
        finally:
            db.close()
            del db
            QSqlDatabase.removeDatabase(name)

    def _options(self) -> str:
        opts = [f"QSQLITE_BUSY_TIMEOUT={self.busy_timeout_ms}"]
        if self.read_only:
            opts.append("QSQLITE_OPEN_READONLY")
        return ";".join(opts)

    def close_role(self, role: str) -> None:
        """Close and forget one role's connection."""
        name = self._roles.pop(role, None)
        if name is None:
            return
        db = QSqlDatabase.database(name, open=False)
        db.close()
        del db
        QSqlDatabase.removeDatabase(name)

    def close(self) -> None:
        """Close every connection this object opened."""
        for role in list(self._roles):
            self.close_role(role)

    def set_read_only(self, read_only: bool) -> None:
        """Reopen every connection in the new mode (editing unlocked or locked again)."""
        if read_only == self.read_only:
            return
        self.read_only = read_only
        self._reopen_all()
        self.modeChanged.emit(read_only)

    def _reopen_all(self) -> None:
        for name in self._roles.values():
            db = QSqlDatabase.database(name, open=False)
            db.close()
            db.setConnectOptions(self._options())
            if not db.open():
                err = db.lastError()
                raise classify_sqlite_error(_error_code(err), err.databaseText() or err.text(), self.path)
            run_exec(db, "PRAGMA foreign_keys=ON")

    # -- facts ---------------------------------------------------------------
    def tables(self) -> dict[str, list[str]]:
        """User tables and their columns, in file order."""
        db = self.connection()
        names = [r[0] for r in run_rows(
            db, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]
        return {t: [r[1] for r in run_rows(db, f"PRAGMA table_info({quote_ident(t)})")] for t in names}

    def row_count(self, table: str) -> int:
        """Exact COUNT(*) of one table."""
        return int(run_scalar(self.connection(), f"SELECT count(*) FROM {quote_ident(table)}") or 0)

    def journal_mode(self) -> str:
        """The file's journal mode (the bot's choice)."""
        return str(run_scalar(self.connection(), "PRAGMA journal_mode") or "unknown").lower()

    def quick_check(self) -> str:
        """``PRAGMA quick_check(1)``: 'ok' or the first problem."""
        return str(run_scalar(self.connection(), "PRAGMA quick_check(1)"))

    def info(self, with_quick_check: bool = True) -> DbInfo:
        """Everything `lifeos-desk info` prints; raises DatabaseError on a bad file."""
        db = self.connection()
        tables = self.tables()
        result = DbInfo(
            path=self.path,
            tables=tables,
            row_counts={t: self.row_count(t) for t in tables},
            journal_mode=self.journal_mode(),
            schema=detect_schema(tables),
            page_size=int(run_scalar(db, "PRAGMA page_size") or 0),
            page_count=int(run_scalar(db, "PRAGMA page_count") or 0),
            sqlite_version=str(run_scalar(db, "SELECT sqlite_version()")),
        )
        if with_quick_check:
            result.quick_check = self.quick_check()
            if result.quick_check != "ok":
                raise DatabaseError(DbProblem.CORRUPT,
                                    f"{self.path} is corrupt: quick_check says {result.quick_check}", self.path)
        if not tables:
            raise DatabaseError(DbProblem.EMPTY, f"{self.path} is an empty database: it holds no tables",
                                self.path)
        return result

    def switch_to_wal(self) -> str:
        """Set journal_mode=WAL, as ADR-005 recommends; only on the admin's request.

        Needs a writable connection; uses a short-lived one so the console's
        own mode is unchanged. Returns the new mode.
        """
        mode = str(on_short_connection(_to_wal, str(self.path), f"QSQLITE_BUSY_TIMEOUT={self.busy_timeout_ms}"))
        self._reopen_all()  # our connections chose their journal at open; let them see WAL
        return mode


def _to_wal(db: QSqlDatabase) -> str:
    return str(run_scalar(db, "PRAGMA journal_mode=WAL")).lower()
