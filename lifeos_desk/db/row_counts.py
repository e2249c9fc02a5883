"""Row counts for the status bar that follow the bot's appends without recounting
(docs/architecture.md, 'Work that grows with what changed').

A ``COUNT(*)`` walks a whole b-tree: tens of milliseconds on a million rows,
and the status bar wants the counts after every commit. The bot mostly
appends, so after the first full count each table keeps its count and its
highest rowid, and a commit costs one statement for all the tables: per table
the rows above the last seen rowid (an index range of a few rows) and the
highest rowid. Deletions and
updates cannot be seen that way, so a full count still runs when a table's
highest rowid went *down* (rows at the end were deleted) and otherwise at most
every ``FULL_RECOUNT_S``: 30 s, not the table views' 10 s (db/tables/window.py),
since the status bar counts on every area and the full count of a
million-row table costs 40 ms (0.4 % of a core every 10 s). A table view
still shows its own table's deletions within 10 s.
Tables without a rowid are always counted in full, at the same pace.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtSql import QSqlDatabase

from .connection import quote_ident, run_rows
from .errors import DatabaseError

FULL_RECOUNT_S = 30.0


@dataclass
class _Kept:
    count: int
    top: int | None  # highest rowid seen (0: empty); None: the table has no rowid


def _int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


class RowCounter:
    """Exact-at-full-count, append-following row counts of a set of tables.

    ``connection`` returns the QtSql connection to ask (the window's main one);
    ``clock`` is injectable so tests can step past ``FULL_RECOUNT_S``.
    """

    def __init__(self, connection: Callable[[], QSqlDatabase], tables: Iterable[str],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._connection = connection
        self._tables = list(tables)
        self._clock = clock
        self._kept: dict[str, _Kept] = {}
        self._counted_at = 0.0
        self.full_counts = 0  # how many COUNT(*) of a whole table ran (the tests read it)

    def seed(self, counts: dict[str, int]) -> None:
        """Start from counts already taken in full (the session's first look) without counting again."""
        db = self._connection()
        for table in self._tables:
            if table in counts:
                self._kept[table] = _Kept(counts[table], self._top(db, table))
        self._counted_at = self._clock()

    def counts(self) -> dict[str, int]:
        """Every table's row count now (raises DatabaseError like any read)."""
        db = self._connection()
        full = self._clock() - self._counted_at >= FULL_RECOUNT_S
        if full:
            self._counted_at = self._clock()
        following = {t: k for t in self._tables if (k := self._kept.get(t)) is not None and k.top is not None} \
            if not full else {}
        grown = self._grown_all(db, following)
        out = {}
        for table in self._tables:
            kept = grown.get(table)
            if kept is None:
                kept = self._full(db, table)
            self._kept[table] = kept
            out[table] = kept.count
        return out

    def _grown_all(self, db: QSqlDatabase, following: dict[str, _Kept]) -> dict[str, _Kept]:
        """Rows above each table's last seen rowid and its highest rowid now: one statement, one snapshot.

        A table whose highest rowid fell (its last rows were deleted) is left out: it is counted in full.
        """
        if not following:
            return {}
        parts, params = [], []
        for table, kept in following.items():
            t = quote_ident(table)
            parts.append(f"(SELECT count(*) FROM {t} WHERE rowid > ?), (SELECT max(rowid) FROM {t})")
            params.append(kept.top)
        row = run_rows(db, "SELECT " + ", ".join(parts), tuple(params))[0]
        out = {}
        for i, (table, kept) in enumerate(following.items()):
            added, top = _int(row[2 * i]) or 0, _int(row[2 * i + 1]) or 0
            if kept.top is not None and top >= kept.top:
                out[table] = _Kept(kept.count + added, top)
        return out

    def _top(self, db: QSqlDatabase, table: str) -> int | None:
        try:
            return _int(run_rows(db, f"SELECT max(rowid) FROM {quote_ident(table)}")[0][0]) or 0
        except DatabaseError:  # WITHOUT ROWID: no such column
            return None

    def _full(self, db: QSqlDatabase, table: str) -> _Kept:
        self.full_counts += 1
        t = quote_ident(table)
        try:
            count, top = run_rows(db, f"SELECT count(*), max(rowid) FROM {t}")[0]
        except DatabaseError:  # WITHOUT ROWID
            return _Kept(_int(run_rows(db, f"SELECT count(*) FROM {t}")[0][0]) or 0, None)
        return _Kept(_int(count) or 0, _int(top) or 0)
