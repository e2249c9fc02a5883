"""Row counts of a PostgreSQL database's tables that recount only what moved, off the UI thread.

The SQLite side's rule (db/row_counts.py; docs/architecture.md, 'Work that
grows with what changed'): an exact ``count(*)`` walks the whole table, tens
of milliseconds at a million rows, so it must not run for every table on
every live refresh, nor on the UI thread. PostgreSQL keeps per-table
counters in ``pg_stat_user_tables``: one catalog query (``STATS_SQL``) reads
them all. A table's count can only have changed when its inserted or
deleted tuple counters moved, or its ``relfilenode`` did (TRUNCATE gives the
table a new file without counting deletions); updates change no count. So
``PgRowCounts`` keeps, per table, the counters its exact count was taken at,
and ``stale`` names only the tables whose counters moved since. Until an
exact count arrives, a table shows the planner's estimate (``n_live_tup``,
else ``reltuples``), marked ``≈``.

The exact counts run in ``count_exact``, on a connection of the worker's own
(QtSql connections belong to the thread that opened them).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ...core.pgurl import PgParams
from .connection import PgDatabase, PgTable

# Per user table: its counters (NULL when the statistics know nothing of it) and the planner's row estimate.
STATS_SQL = (
    "SELECT n.nspname, c.relname, s.n_tup_ins, s.n_tup_upd, s.n_tup_del, s.n_live_tup, c.relfilenode, "
    "c.reltuples, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
    "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1, 2")


@dataclass(frozen=True)
class TableStats:
    """One table's counters at one poll.

    ``rows_moved`` is the part a row count depends on; None means the
    counters cannot tell (a partitioned parent keeps none, a table the
    statistics have not seen yet), so the table is recounted on every change.
    """

    label: str
    inserted: int | None
    updated: int | None
    deleted: int | None
    live: int | None
    relfilenode: int
    reltuples: float

    @property
    def rows_moved(self) -> tuple[int, int, int] | None:
        """What must stay equal for a kept count to stay exact."""
        if self.inserted is None or self.deleted is None or self.relfilenode == 0:
            return None
        return (self.inserted, self.deleted, self.relfilenode)

    @property
    def changed(self) -> tuple[int, int, int, int] | None:
        """What must stay equal for the table's rows to be the same (updates included)."""
        moved = self.rows_moved
        return None if moved is None or self.updated is None else (*moved, self.updated)

    @property
    def estimate(self) -> int | None:
        """The server's guess at the rows (live tuples, else the planner's reltuples), None if it has none."""
        if self.live:
            return self.live
        if self.reltuples > 0:  # statistics reset (a crash), the planner's figure kept
            return int(self.reltuples)
        return self.live if self.live is not None else (0 if self.reltuples == 0 else None)


def _int(value: object) -> int | None:
    return None if value is None or value == "" else int(str(value))


def read_stats(db: PgDatabase) -> dict[str, TableStats]:
    """Every user table's counters, by label, in one catalog query (no table is read)."""
    out = {}
    for schema, name, ins, upd, dele, live, node, tuples, kind in db.rows(STATS_SQL):
        label = PgTable(str(schema), str(name)).label
        partitioned = str(kind) == "p"
        out[label] = TableStats(label, None if partitioned else _int(ins), _int(upd), _int(dele), _int(live),
                                0 if partitioned else int(node or 0), float(tuples if tuples is not None else -1))
    return out


def count_exact(params: PgParams, tables: list[PgTable], stop: threading.Event | None = None) -> dict[str, int]:
    """Exact rows of each table, on a connection of this (worker) thread's own, closed before returning.

    ``stop`` set (the window closing) ends it after the table being counted: the tables counted so far.
    """
    db = PgDatabase(params)
    try:
        out = {}
        for table in tables:
            if stop is not None and stop.is_set():
                break
            out[table.label] = db.row_count(table)
        return out
    finally:
        db.close()


class PgRowCounts:
    """The counts to show, exact where a count was taken at the current counters, else kept or estimated."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.exact: set[str] = set()  # labels whose count was taken at the counters last seen
        self.estimated: set[str] = set()  # labels showing the server's estimate, never counted yet
        self._counted_at: dict[str, tuple[int, int, int] | None] = {}
        self._stats: dict[str, TableStats] = {}

    def update(self, stats: dict[str, TableStats]) -> list[str]:
        """Take a poll's counters; the labels to recount (new tables, or whose counters moved), in order.

        A table being recounted keeps its previous count meanwhile; a table
        never counted shows its estimate (or none).
        """
        self._stats = stats
        for gone in set(self.counts) - set(stats):
            self.counts.pop(gone)
            self.exact.discard(gone)
            self.estimated.discard(gone)
            self._counted_at.pop(gone, None)
        stale = []
        for label, st in stats.items():
            moved = st.rows_moved
            if label in self._counted_at and moved is not None and self._counted_at[label] == moved:
                continue
            self.exact.discard(label)
            stale.append(label)
            if (label not in self.counts or label in self.estimated) and (guess := st.estimate) is not None:
                self.counts[label] = guess
                self.estimated.add(label)
        return stale

    def counted(self, exact: dict[str, int], at: dict[str, TableStats]) -> None:
        """Exact counts taken after the poll ``at``: exact unless the counters moved since then."""
        for label, n in exact.items():
            if label not in self._stats:
                continue  # dropped meanwhile
            self.counts[label] = n
            self.estimated.discard(label)
            taken = at[label].rows_moved if label in at else None
            self._counted_at[label] = taken
            if taken is None or self._stats[label].rows_moved == taken:  # None: exact now, recounted next poll
                self.exact.add(label)

    def text(self, label: str) -> str:
        """The count as shown: ``1,234`` (exact, or the last exact one while recounting), ``≈1,234``, ``counting…``."""
        if label not in self.counts:
            return "counting…"
        return ("≈" if label in self.estimated else "") + f"{self.counts[label]:,}"
