"""Reading rows with NULL kept as None (PySide6's ``QSqlQuery.value`` gives ``''``).

Measured with PySide6 6.11.3: for a NULL in any column type,
``QSqlQuery.value(i)`` returns ``''`` and only ``isNull(i)`` tells it from an
empty text. The views must show NULL distinct from empty, and keysets must
know a NULL sort value, so rows are read here with ``isNull``. Like
``connection.run_rows``, every statement is read to its end (fact 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray
from PySide6.QtSql import QSqlDatabase, QSqlQuery

from ..errors import classify_sqlite_error


def _code(err: Any) -> int | None:
    try:
        return int(err.nativeErrorCode())
    except (TypeError, ValueError):
        return None


def fetch_rows(db: QSqlDatabase, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run a bounded query, read every row (NULL -> None, BLOB -> bytes), finish the statement."""
    q = QSqlQuery(db)
    q.setForwardOnly(True)
    try:
        q.prepare(sql)
        for p in params:
            q.addBindValue(p)
        if not q.exec():
            err = q.lastError()
            raise classify_sqlite_error(_code(err), err.databaseText() or err.text(), Path(db.databaseName()))
        cols = range(q.record().count())
        out = []
        while q.next():
            out.append(tuple(_value(q, i) for i in cols))
        return out
    finally:
        q.finish()


def _value(q: QSqlQuery, i: int) -> Any:
    if q.isNull(i):
        return None
    v = q.value(i)
    return bytes(v.data()) if isinstance(v, QByteArray) else v


def fetch_one(db: QSqlDatabase, sql: str, params: tuple[Any, ...] = ()) -> Any:
    """The first column of the first row (None for no row or NULL)."""
    rows = fetch_rows(db, sql, params)
    return rows[0][0] if rows else None
