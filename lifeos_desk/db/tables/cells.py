"""Bounded cells: a window never reads more than a prefix and the length of a text or blob.

A 50 MB text cell froze Tables (first paint 16 s, each repaint 10 s): the
whole value crossed into Python with every block and was laid out with every
paint. Windows therefore select ``substr(col, 1, CELL_CHARS)`` and, only when
that cut something, ``length(col)`` (issue 14, item 12). A cut value arrives as
``columns.Clipped`` (a ``str``) or ``columns.ClippedBytes``, which carry the
full length, so display, tooltip and export can say "… (52,428,800 chars)".

The whole value is read only on demand and in bounded pieces:
``value_chunks`` runs one finished query per ``CHUNK_CHARS`` window
(``substr(col, ?, ?)``), so no statement stays open between pieces
(docs/architecture.md, 'Half-read statements pin the WAL') and memory stays
at one chunk, which is how "Save value to file…" and the CSV export stream it.

A keyset cannot start after a row whose sort value was cut (the prefix sorts
before the value): ``anchor_ok`` says so and the window reads that block by
``OFFSET`` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from PySide6.QtSql import QSqlDatabase

from ...core.filters import Clause, ColumnKind
from ..connection import quote_ident
from ..errors import DatabaseError, DbProblem
from .columns import Clipped, ClippedBytes, ColumnSpec
from .info import TableInfo
from .keys import shape_key
from .sql import fetch_rows

CELL_CHARS = 2000  # what a window reads of a text (characters) or a blob (bytes)
CHUNK_CHARS = 1 << 20  # one query's piece when a whole value is streamed out

Row = tuple[Any, ...]
_LONG = "typeof(t.{c}) IN ('text', 'blob')"


def bounded(spec: ColumnSpec) -> bool:
    """Whether the window reads this column bounded (every column but the key ones, shown by size)."""
    return spec.kind is not ColumnKind.KEY


def value_sql(spec: ColumnSpec) -> str:
    """The select-list item of one column: a prefix of texts and blobs, other values as stored."""
    if not bounded(spec):
        return f"length(CAST(t.{spec.sql} AS BLOB))"
    return f"CASE WHEN {_LONG.format(c=spec.sql)} THEN substr(t.{spec.sql}, 1, {CELL_CHARS}) ELSE t.{spec.sql} END"


def length_sql(spec: ColumnSpec) -> str:
    """The full length of a value the window cut, else NULL (one item per bounded column)."""
    return (f"CASE WHEN {_LONG.format(c=spec.sql)} AND length(t.{spec.sql}) > {CELL_CHARS}"
            f" THEN length(t.{spec.sql}) END")


def has_long_values(con: QSqlDatabase, info: TableInfo, spec: ColumnSpec, where: Clause) -> bool:
    """Whether a matching row holds a value of this column longer than a cell (one bounded scan)."""
    if not bounded(spec):
        return False
    sql = (f"SELECT 1 FROM {quote_ident(info.name)} AS t WHERE ({where.sql})"
           f" AND {_LONG.format(c=spec.sql)} AND length(t.{spec.sql}) > {CELL_CHARS} LIMIT 1")
    return bool(fetch_rows(con, sql, where.params))


def lengths_sql(info: TableInfo) -> list[str]:
    """The length items, selected after everything else."""
    return [length_sql(s) for s in info.specs if bounded(s)]


def shape_rows(info: TableInfo, rows: list[Row]) -> list[Row]:
    """Fetched rows in the window's shape: (key, value per column..., [user name]), cut values marked."""
    cols = [i for i, s in enumerate(info.specs) if bounded(s)]
    out = []
    for raw in rows:
        lengths = raw[len(raw) - len(cols):] if cols else ()
        row = list(shape_key(info.identity, raw[:len(raw) - len(cols)]))
        for i, n in zip(cols, lengths, strict=True):
            if n is not None:
                v = row[1 + i]
                row[1 + i] = ClippedBytes(v, int(n)) if isinstance(v, bytes) else Clipped(str(v), int(n))
        out.append(tuple(row))
    return out


def readable_by_key(info: TableInfo) -> bool:
    """Whether one row's value can be read back by its key (not for tables paged by OFFSET only)."""
    return info.identity.exact


def is_clipped(value: object) -> bool:
    """Whether a window value is only a prefix of the stored one."""
    return isinstance(value, Clipped | ClippedBytes)


def anchor_ok(info: TableInfo, row: Row, sort_index: int) -> bool:
    """A keyset may start after this row: exact key, and its sort value read whole."""
    return info.identity.exact and (sort_index < 0 or not is_clipped(row[1 + sort_index]))


def _key_clause(info: TableInfo, key: Any) -> tuple[str, tuple[Any, ...]]:
    if not info.identity.exact:
        raise DatabaseError(DbProblem.OTHER, f"{info.name} has no key that identifies one row: its values "
                            "cannot be read back one by one (export the table instead)")
    cols = info.identity.columns
    if len(cols) == 1:
        return f"{cols[0]} = ?", (key,)
    return f"({', '.join(cols)}) = ({', '.join('?' * len(cols))})", tuple(key)


def value_chunks(con: QSqlDatabase, info: TableInfo, key: Any, column: int,
                 chunk: int = CHUNK_CHARS) -> Iterator[str | bytes]:
    """The whole stored value of one cell, piece by piece, one finished bounded query per piece.

    Raises DatabaseError when the row is gone, or when its value changed between two pieces
    (the bot rewrote it): a half-old, half-new value is never handed out as the value.
    """
    spec = info.specs[column]
    where, params = _key_clause(info, key)
    sql = (f"SELECT substr({spec.sql}, ?, ?), length({spec.sql}), typeof({spec.sql})"
           f" FROM {quote_ident(info.name)} WHERE {where}")
    start, total = 1, None
    while True:
        rows = fetch_rows(con, sql, (start, chunk, *params))
        if not rows:
            raise DatabaseError(DbProblem.OTHER, f"the {info.name} row was deleted meanwhile")
        piece, length, kind = rows[0]
        if total is None:
            total = length
        elif length != total:
            raise DatabaseError(DbProblem.OTHER, f"{spec.name} of this {info.name} row changed while it was read")
        if piece is None or kind == "null":
            return
        piece = bytes(piece) if kind == "blob" else str(piece)
        if piece:
            yield piece
        start += chunk
        if total is None or start > int(total):
            return

