"""One read-only QPSQL connection: open, bounded queries fetched to the end, the change counter.

``default_transaction_read_only = on`` makes the server refuse every write
of this session (an admin console looks; the bot writes), and
``statement_timeout`` bounds every statement. Each query is read to its
end and finished before the call returns, so no snapshot stays open
between events (docs/architecture.md, 'PostgreSQL').
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QDateTime
from PySide6.QtSql import QSqlDatabase, QSqlQuery

from ...core.pgurl import PgParams

PG_DRIVER = "QPSQL"
STATEMENT_TIMEOUT_MS = 30_000
LIBPQ_PACKAGE = "libpq5"
_names = itertools.count(1)
# Called with a table's label before each exact count(*) of it, on the counting thread (tests watch them).
COUNT_WATCHERS: list[Callable[[str], None]] = []

# The change signal polled every 2 s: tuples inserted, updated and deleted in the user's tables, summed,
# plus their relfilenodes (TRUNCATE gives a table a new file and counts no deletions).
CHANGES_SQL = ("SELECT coalesce(sum(s.n_tup_ins + s.n_tup_upd + s.n_tup_del + c.relfilenode::bigint), 0) "
               "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid")
_TABLES_SQL = (
    "SELECT n.nspname, c.relname, "
    "coalesce((SELECT string_agg(a.attname, chr(31) ORDER BY k.ord) FROM pg_index i "
    "  CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
    "  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
    "  WHERE i.indrelid = c.oid AND i.indisprimary), '') "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1, 2")
_COLUMNS_SQL = (
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
    "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")


class PgError(Exception):
    """A PostgreSQL failure, in one line that names the database (never a password)."""


def driver_problem() -> str | None:
    """Why QPSQL cannot be used here, or None: the plugin is missing, or it cannot load libpq."""
    if not QSqlDatabase.isDriverAvailable(PG_DRIVER):
        return (f"Qt's {PG_DRIVER} driver is not installed (drivers here: {', '.join(QSqlDatabase.drivers())})")
    name = f"lifeos-pg-probe-{next(_names)}"
    try:
        valid = QSqlDatabase.addDatabase(PG_DRIVER, name).isValid()
    finally:
        QSqlDatabase.removeDatabase(name)
    if not valid:
        return (f"Qt's {PG_DRIVER} driver cannot load libpq: install the system's PostgreSQL client library "
                f"(Debian/Ubuntu: apt install {LIBPQ_PACKAGE}; Fedora: libpq)")
    return None


def quote_ident(name: str) -> str:
    """A PostgreSQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class PgTable:
    """A table of the database: schema, name, columns with their types, primary-key columns."""

    schema: str
    name: str
    columns: tuple[tuple[str, str], ...] = ()
    key: tuple[str, ...] = ()

    @property
    def sql(self) -> str:
        """schema.table, quoted."""
        return f"{quote_ident(self.schema)}.{quote_ident(self.name)}"

    @property
    def label(self) -> str:
        """The name people read: bare in ``public``, schema-qualified elsewhere."""
        return self.name if self.schema == "public" else f"{self.schema}.{self.name}"


def plain(value: Any) -> Any:
    """A QtSql value as Python: QByteArray to bytes, QDateTime to ISO text in UTC."""
    if isinstance(value, QByteArray):
        return bytes(value.data())
    if isinstance(value, QDateTime):
        return value.toUTC().toString("yyyy-MM-dd HH:mm:ss.zzz").removesuffix(".000")
    return value


class PgDatabase:
    """A read-only QPSQL connection to one database (UI thread only, like every QSqlDatabase)."""

    def __init__(self, params: PgParams, statement_timeout_ms: int = STATEMENT_TIMEOUT_MS) -> None:
        self.params = params
        self.label = params.label
        self._name = f"lifeos-pg-{next(_names)}"
        problem = driver_problem()
        if problem is not None:
            raise PgError(problem)
        db = QSqlDatabase.addDatabase(PG_DRIVER, self._name)
        db.setHostName(params.host)
        if params.port:
            db.setPort(params.port)
        db.setDatabaseName(params.dbname)
        db.setUserName(params.user)
        if params.password:
            db.setPassword(params.password)  # memory only (core/pgurl.py)
        db.setConnectOptions(params.connect_options())
        if not db.open():
            text = db.lastError().databaseText() or db.lastError().text()
            del db
            QSqlDatabase.removeDatabase(self._name)
            raise PgError(f"cannot connect to {self.label}: {_first_line(text)}")
        del db
        try:
            self.exec(f"SET statement_timeout = {int(statement_timeout_ms)}")
            self.exec("SET default_transaction_read_only = on")
        except PgError:
            self.close()  # no caller gets this object to close: the connection must not stay registered
            raise

    def connection(self) -> QSqlDatabase:
        """The QSqlDatabase handle (do not keep it: close() removes the connection)."""
        return QSqlDatabase.database(self._name, False)

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run a bounded query and read every row (NULL as None) before returning."""
        q = QSqlQuery(self.connection())
        q.setForwardOnly(True)
        try:
            ok = q.prepare(sql)
            for p in params:
                q.addBindValue(p)
            if not ok or not q.exec():
                err = q.lastError()
                raise PgError(f"{self.label}: {_first_line(err.databaseText() or err.text())}")
            cols = range(q.record().count())
            out = []
            while q.next():
                out.append(tuple(None if q.isNull(i) else plain(q.value(i)) for i in cols))
            return out
        finally:
            q.finish()

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        """The first value of the first row, or None."""
        rows = self.rows(sql, params)
        return rows[0][0] if rows and rows[0] else None

    def exec(self, sql: str) -> None:
        """Run a statement without parameters (the session settings; writes, which the server refuses)."""
        q = QSqlQuery(self.connection())
        try:
            if not q.exec(sql):
                err = q.lastError()
                raise PgError(f"{self.label}: {_first_line(err.databaseText() or err.text())}")
        finally:
            q.finish()

    def read_only(self) -> bool:
        """Whether this session's transactions are read-only (the server's own answer)."""
        return str(self.scalar("SHOW default_transaction_read_only")) == "on"

    def tables(self) -> list[PgTable]:
        """Every user table with its primary-key columns (one query)."""
        return [PgTable(str(s), str(n), key=tuple(k.split(chr(31))) if k else ())
                for s, n, k in self.rows(_TABLES_SQL)]

    def described(self, table: PgTable) -> PgTable:
        """The table with its columns and their types."""
        cols = tuple((str(n), str(t)) for n, t in self.rows(_COLUMNS_SQL, (table.schema, table.name)))
        return PgTable(table.schema, table.name, cols, table.key)

    def row_count(self, table: PgTable) -> int:
        """Exact rows of a table: a whole scan, so never on the UI thread of a window (db/pg/counts.py)."""
        for watch in COUNT_WATCHERS:
            watch(table.label)
        return int(self.scalar(f"SELECT count(*) FROM {table.sql}") or 0)

    def changes(self) -> int:
        """The change counter (CHANGES_SQL): it moves when any user table gains, loses or changes rows."""
        return int(self.scalar(CHANGES_SQL) or 0)

    def close(self) -> None:
        """Close and remove the connection."""
        db = QSqlDatabase.database(self._name, False)
        if db.isValid():
            db.close()
        del db
        QSqlDatabase.removeDatabase(self._name)


def _first_line(text: str) -> str:
    lines = [ln for ln in str(text).strip().splitlines() if ln.strip()]
    return lines[0] if lines else "unknown error"
