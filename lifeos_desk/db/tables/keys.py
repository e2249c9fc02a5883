"""Row identity: what identifies one row of a table, so windows and keysets see every row once.

A rowid table is keyed on its real rowid. SQLite reaches it as ``rowid``,
``_rowid_`` or ``oid`` — unless a user column has that name, which then wins
(sqlite.org/lang_createtable.html#rowid): a table with a column named
``rowid`` keyed on "rowid" pages on the user's values, shows rows twice and
leaves blanks. So the first alias no column shadows is used; an ``INTEGER
PRIMARY KEY`` column *is* the rowid under its own name. When all three are
shadowed, a NOT NULL primary key still identifies rows (keysets work); with
none, windows fall back to ``OFFSET`` paging ordered by every column (rows
that tie on all columns are identical, so no row is lost or doubled).

A WITHOUT ROWID table has no rowid at all: its primary key, in key order, is
the identity, compared as a row value (``(a, b) > (?, ?)``). Its columns are
NOT NULL by definition (sqlite.org/withoutrowid.html), so keysets are exact.

Only a real rowid makes a table editable (``editor.save_edits``): edits
address rows by it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtSql import QSqlDatabase

from ..connection import quote_ident
from ..errors import DatabaseError
from .sql import fetch_one, fetch_rows

ROWID_ALIASES = ("rowid", "_rowid_", "oid")
_WITHOUT_ROWID = re.compile(r"\)\s*(?:STRICT\s*,\s*)?WITHOUT\s+ROWID", re.IGNORECASE)


@dataclass(frozen=True)
class RowIdentity:
    """What the windows order by last and key their keysets on.

    ``key``: one SQL expression (a rowid alias) or a tuple of quoted columns.
    ``rowid``: the key is the table's real rowid (edits, counting appended rows, new-row marks).
    ``exact``: the key is unique and never NULL, so keysets and sorted snapshots work;
    otherwise windows are read with ``OFFSET`` only.
    """

    key: str | tuple[str, ...] = "rowid"
    rowid: bool = True
    exact: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        """The key's expressions as a tuple."""
        return (self.key,) if isinstance(self.key, str) else self.key


ROWID = RowIdentity()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _key_of(columns: list[tuple[Any, ...]]) -> str | tuple[str, ...]:
    """One quoted column as a plain expression, several as a tuple."""
    quoted = tuple(_quote(str(c[1])) for c in columns)
    return quoted[0] if len(quoted) == 1 else quoted


def row_identity(con: QSqlDatabase, table: str, columns: list[tuple[Any, ...]]) -> RowIdentity:
    """The identity of a table from its ``PRAGMA table_info`` rows (cid, name, type, notnull, dflt, pk)."""
    names = {str(c[1]).lower() for c in columns}
    pk = sorted((c for c in columns if int(c[5] or 0) > 0), key=lambda c: int(c[5]))
    if _without_rowid(con, table, names):
        if pk:
            return RowIdentity(_key_of(pk), rowid=False, exact=True)
        return _offset_identity(columns)
    if len(pk) == 1 and str(pk[0][2]).strip().upper() == "INTEGER":
        return RowIdentity(_quote(str(pk[0][1])), rowid=True, exact=True)  # an alias of the rowid
    free = next((a for a in ROWID_ALIASES if a not in names), None)
    if free is not None:
        return RowIdentity(free, rowid=True, exact=True)
    if pk and all(int(c[3] or 0) for c in pk):
        return RowIdentity(_key_of(pk), rowid=False, exact=True)
    return _offset_identity(columns)


def _offset_identity(columns: list[tuple[Any, ...]]) -> RowIdentity:
    return RowIdentity(_key_of(columns), rowid=False, exact=False)


def _without_rowid(con: QSqlDatabase, table: str, names: set[str]) -> bool:
    """Whether a table is WITHOUT ROWID (``PRAGMA table_list``; its CREATE text on older SQLite)."""
    try:
        rows = fetch_rows(con, "SELECT wr FROM pragma_table_list WHERE name = ? AND schema = 'main'", (table,))
        if rows:
            return bool(rows[0][0])
    except DatabaseError:
        pass
    free = next((a for a in ROWID_ALIASES if a not in names), None)
    if free is not None:
        try:
            fetch_one(con, f"SELECT {free} FROM {quote_ident(table)} LIMIT 1")
            return False
        except DatabaseError:
            return True
    sql = fetch_one(con, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    return bool(sql and _WITHOUT_ROWID.search(str(sql)))


def key_select(identity: RowIdentity, alias: str = "t") -> list[str]:
    """The select-list items that read a row's key (first in every window's row)."""
    if isinstance(identity.key, str):
        return [f"{alias}.{identity.key} AS __key"]
    return [f"{alias}.{c}" for c in identity.columns]


def shape_key(identity: RowIdentity, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A fetched row with its key columns folded into one value (a tuple for a composite key)."""
    n = len(identity.columns)
    if isinstance(identity.key, str):
        return row
    return (tuple(row[:n]), *row[n:])
