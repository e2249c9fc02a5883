"""The SQL a table window reads with: its column list, and the sorted snapshot.

A sort no index serves (or a filtered sort over many rows) goes through a
snapshot: the matching rowids sorted once into a TEMP table, after which any
window is a rowid range. Every statement still runs to its end, and the temp
table holds no read lock on the bot's file (docs/architecture.md, 'Half-read statements pin the WAL').
"""

from __future__ import annotations

import contextlib
import itertools
from typing import Any

from PySide6.QtSql import QSqlDatabase

from ...core.filters import Clause, Order
from ..connection import quote_ident, run_exec
from ..errors import DatabaseError
from .cells import has_long_values, lengths_sql, value_sql
from .info import TableInfo
from .keys import key_select
from .sql import fetch_one

SNAPSHOT_MIN_ROWS = 20_000  # above this, a sort no index serves goes through a sorted snapshot
_maps = itertools.count(1)


def columns_sql(info: TableInfo) -> str:
    """The select list: the row key, every column (key blobs as their size, long values cut), the user name,
    then the full lengths of cut values (``cells.shape_rows`` folds them back in)."""
    parts = key_select(info.identity)
    parts.extend(value_sql(s) for s in info.specs)  # texts and blobs as a bounded prefix (cells.py)
    lookup = info.users
    ref = next((s for s in info.specs if s.user_ref), None)
    if lookup is not None and ref is not None:
        parts.append(f"(SELECT u.{quote_ident(lookup.name)} FROM {quote_ident(lookup.table)} AS u"
                     f" WHERE u.{quote_ident(lookup.pk)} = t.{ref.sql})")
    return ", ".join(parts + lengths_sql(info))


def wants_snapshot(info: TableInfo, order: Order, where: Clause, count: int, con: QSqlDatabase | None = None) -> bool:
    """Sorted by a column no index serves, or filtered and sorted by a column, over many rows.

    The second case: with a filter, SQLite walks the sort column's index and looks up every
    row to test the filter, so ``OFFSET`` deep into the result costs seconds (measured: 6 s
    to reach the middle of 113,000 matches of 1M). One scan + sort into the snapshot is ~0.3 s.

    Fewer rows, but a value longer than a cell in the sort column (``cells.has_long_values``):
    a window's ``ORDER BY col LIMIT 500`` keeps its top rows in a temporary b-tree and
    re-reads the long key from its overflow pages on every comparison — measured 93 s for one
    window with a 50 MB text, against 0.8 s for the snapshot's one unlimited sort.
    """
    if order.column is None or not info.identity.exact:
        return False  # (no exact key: nothing to join the sorted keys back on; OFFSET windows instead)
    spec = next(s for s in info.specs if s.sql == order.column)
    by_index = spec.name in info.indexed and where.sql == "1"
    if count > SNAPSHOT_MIN_ROWS:
        return not by_index
    return con is not None and not by_index and has_long_values(con, info, spec, where)


def build_snapshot(con: QSqlDatabase, info: TableInfo, where: Clause, order: Order) -> tuple[str, int]:
    """Sort the matching row keys once into a TEMP table; returns (its name, its row count)."""
    name = f"lifeos_sort_{next(_maps)}"
    # "+col" keeps SQLite from walking the column's index with a lookup per row: scan, then sort
    scan = Order("+" + order.column, order.descending, order.key) if order.column else order
    keys = ", ".join(f"{k} AS k{i}" for i, k in enumerate(info.identity.columns))
    run_exec(con, f"CREATE TEMP TABLE {name} AS SELECT {keys} FROM {quote_ident(info.name)}"
                  f" WHERE {where.sql} ORDER BY {scan.sql()}", where.params)
    count: Any = fetch_one(con, f"SELECT count(*) FROM temp.{name}")
    return name, int(count or 0)


def drop_snapshot(con: QSqlDatabase, name: str) -> None:
    """Drop a snapshot table (already gone with a reopened connection: fine)."""
    with contextlib.suppress(DatabaseError):
        run_exec(con, f"DROP TABLE IF EXISTS temp.{name}")


def snapshot_rows_sql(info: TableInfo, name: str) -> str:
    """Rows at snapshot positions (start, end]: bind (start, end)."""
    on = " AND ".join(f"t.{k} = s.k{i}" for i, k in enumerate(info.identity.columns))
    return (f"SELECT {columns_sql(info)} FROM temp.{name} AS s CROSS JOIN {quote_ident(info.name)} AS t"
            f" ON {on} WHERE s.rowid > ? AND s.rowid <= ? ORDER BY s.rowid")
