"""Following the trades in PostgreSQL: a parallel first read, then only the rows that changed.

The SQLite live loader reads the rows past the last seen rowid
(db/trades_live.py). PostgreSQL has no rowid, and both schemas key trades
by random hex text, so a keyset on the primary key would miss new rows.
What PostgreSQL has instead is the inserting transaction of every row
version, ``xmin``:

- Before a read, the probe takes the table's change counters
  (``pg_stat_user_tables``: inserted, updated, deleted; and ``relfilenode``,
  which TRUNCATE and VACUUM FULL change) and the *horizon*: the oldest
  transaction still running (``txid_snapshot_xmin(txid_current_snapshot())``,
  taken modulo 2^32 to compare with ``xmin``; the ``txid`` names work from
  PostgreSQL 9.4 to 17, where ``pg_snapshot_xmin`` needs 13).
  Every transaction that commits later has an id at or after it.
- An update whose counters equal the held ones reads nothing. Rows deleted,
  the file rewritten or the counters reset: everything is read again.
- Otherwise the rows written since the held horizon are read
  (``age(xmin) BETWEEN 0 AND age(horizon)``: new rows and new versions of
  updated ones, such as an ADR trade closed by UPDATE), each identified by
  its row id (db/pg/trades.py), replacing the held version. A row read again
  unchanged (its transaction was already visible last time) is dropped.

What crosses the connection and what Python handles grows with the new
rows; the server still filters the table by ``xmin`` (a sequential scan,
about 0.1 s per million rows here; there is no index on ``xmin``).

The first read runs ``workers`` connections in parallel threads, each over
its own heap-page ranges (QtSql connections never cross threads; the
GIL is released while libpq waits).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from ...core.pgurl import PgParams
from ...core.pnl import Trades
from ...core.trades_merge import merge
from .connection import PgDatabase, PgError
from .trades import (
    PgTradeSource,
    assemble,
    concat,
    fetch_records,
    fetch_symbols,
    page_ranges,
)

Stats = tuple[int, int, int, int]  # relfilenode, inserted, updated, deleted


@dataclass(frozen=True)
class PgHeld:
    """The trades read so far, and what the next update compares against."""

    trades: Trades
    symbols: dict[int, str]
    horizon: int  # the oldest transaction running before the last read (32-bit xid)
    stats: Stats


@dataclass(frozen=True)
class PgUpdate:
    """One read: the new state, the rows it brought (new versions too) and the held versions they replaced."""

    held: PgHeld
    added: Trades
    dropped: Trades
    full: bool
    rows_read: int

    @property
    def changed(self) -> bool:
        """The trades held changed (all read again, or rows added or replaced)."""
        return self.full or len(self.added) > 0


def probe(db: PgDatabase, source: PgTradeSource) -> tuple[Stats, int]:
    """(the table's change counters, the horizon), in one statement."""
    oid = f"'{source.table.sql}'::regclass"
    row = db.rows("SELECT c.relfilenode, coalesce(s.n_tup_ins, 0), coalesce(s.n_tup_upd, 0), "
                  "coalesce(s.n_tup_del, 0), txid_snapshot_xmin(txid_current_snapshot()) % 4294967296 "
                  f"FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = {oid}")
    if not row:
        raise PgError(f"{db.label}: table {source.table.label} is gone")
    r = row[0]
    return (int(r[0]), int(r[1]), int(r[2]), int(r[3])), int(r[4])


def _parallel(db: PgDatabase, jobs: list[Callable[[PgDatabase], None]], workers: int) -> None:
    """Run ``jobs`` on ``workers`` connections: ``db`` here, the others in threads of their own."""
    count = max(1, min(workers, len(jobs)))
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            own = PgDatabase(db.params)
            try:
                for job in jobs[i::count]:
                    job(own)
            finally:
                own.close()
        except BaseException as exc:  # handed to the caller below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True, name=f"lifeos-pg-trades-{i}")
               for i in range(1, count)]
    for t in threads:
        t.start()
    try:
        for job in jobs[0::count]:
            job(db)
    finally:
        for t in threads:
            t.join()
    if errors:
        raise errors[0]


def load_full(params: PgParams, source: PgTradeSource, workers: int = 2) -> PgUpdate:
    """Read every row, ``workers`` connections in parallel over heap-page ranges."""
    db = PgDatabase(params)
    try:
        stats, horizon = probe(db, source)
        ranges = page_ranges(db, source.table, parts=2 * max(1, workers) + 1)
        parts: list[npt.NDArray[np.void]] = [concat([])] * len(ranges)
        symbols: dict[int, str] = {}

        def chunk(i: int) -> Callable[[PgDatabase], None]:
            def job(own: PgDatabase) -> None:
                parts[i] = fetch_records(own, source, ranges[i])
            return job

        def names(own: PgDatabase) -> None:
            symbols.update(fetch_symbols(own, source))

        # The symbol list after the rows it names (a symbol written later is named "?" until it is read).
        _parallel(db, [*(chunk(i) for i in range(len(ranges))), names], workers)
        after, _ = probe(db, source)
    finally:
        db.close()
    records = concat(parts)
    trades = assemble(records, symbols)
    if after != stats and len(np.unique(trades.rowid)) != len(trades):  # a row moved between two ranges
        keep = np.unique(trades.rowid[::-1], return_index=True)[1]
        trades = trades.take(np.sort(len(trades) - 1 - keep))
    return PgUpdate(PgHeld(trades, symbols, horizon, stats), Trades.empty(), Trades.empty(), True, len(records))


def _same(a: Trades, b: Trades) -> npt.NDArray[np.bool_]:
    """Row by row: the same figures and the same symbol name."""
    same: npt.NDArray[np.bool_] = (((a.time == b.time) | (np.isnan(a.time) & np.isnan(b.time)))
                                   & ((a.pnl == b.pnl) | (np.isnan(a.pnl) & np.isnan(b.pnl)))
                                   & (a.user == b.user) & (a.realised == b.realised))
    names_a = np.array(a.symbols + ("",), dtype=object)[a.symbol]
    names_b = np.array(b.symbols + ("",), dtype=object)[b.symbol]
    named: npt.NDArray[np.bool_] = np.asarray(names_a == names_b, dtype=bool)
    return same & named


def _fold(held: PgHeld, fresh: Trades) -> tuple[Trades, Trades]:
    """(rows new or changed, held versions they replace); rows read again unchanged are left out."""
    if len(fresh) == 0 or len(held.trades) == 0:
        return fresh, Trades.empty()
    order = np.argsort(held.trades.rowid, kind="stable")
    ids = held.trades.rowid[order]
    at = np.clip(np.searchsorted(ids, fresh.rowid), 0, len(ids) - 1)
    known = ids[at] == fresh.rowid
    old = held.trades.take(order[at[known]])
    unchanged = np.zeros(len(fresh), dtype=bool)
    unchanged[np.flatnonzero(known)] = _same(fresh.take(np.flatnonzero(known)), old)
    changed_old = old.take(~unchanged[known])
    return fresh.take(~unchanged), changed_old


def update(params: PgParams, source: PgTradeSource, held: PgHeld, workers: int = 2) -> PgUpdate:
    """Bring ``held`` up to date reading only the rows written since its horizon (``changed`` False: nothing was)."""
    db = PgDatabase(params)
    try:
        stats, horizon = probe(db, source)
        if stats == held.stats:
            return PgUpdate(held, Trades.empty(), Trades.empty(), False, 0)
        moved = (stats[0] != held.stats[0] or stats[3] != held.stats[3]
                 or any(now < then for now, then in zip(stats, held.stats, strict=True)))
        if not moved:
            where = f"age(xmin) BETWEEN 0 AND age('{int(held.horizon)}'::xid)"
            records = fetch_records(db, source, where)
            hashes = {int(h) for h in np.unique(records["symbol"].astype(np.int64)).tolist()}
            symbols = held.symbols
            if hashes - symbols.keys():
                symbols = {**symbols, **fetch_symbols(db, source, where)}
    finally:
        db.close()
    if moved:
        return load_full(params, source, workers)
    fresh = assemble(records, symbols)
    added, dropped = _fold(held, fresh)
    trades = merge(held.trades, added, dropped.rowid) if len(added) else held.trades
    new = replace(held, trades=trades, symbols=symbols, horizon=horizon, stats=stats)
    return PgUpdate(new, added, dropped, False, len(records))
