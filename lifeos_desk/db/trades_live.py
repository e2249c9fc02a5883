"""Following the bot's trades: read what changed, not the table (docs/architecture.md,
'Work that grows with what changed').

After the first full read (trades_query.load_chunks) the charts hold every
row as arrays. A commit then costs, on a connection of the worker's own and
inside one read transaction (one snapshot, so a commit landing between two
statements cannot look like an edit):

- the highest rowid and a fingerprint of the last ``TAIL`` rows already held
  (count, PnL in micro-dollars, realised rows), in one statement over an index
  range: a row deleted or edited near the end, or a highest rowid gone down,
  means a full read;
- the rows past the last seen rowid (``rowid > ?``, a keyset range): the
  bot's appends, bounded by how many there are;
- the rows their writer may still update (``FLAG_MAY_CHANGE``: ADR trades
  still OPEN, which the ADR bot closes by UPDATE): first one cheap statement
  over their rowids says which of them are no longer open (and whether any
  went), and only those are read again, so commits that only inserted rows
  re-read none of them. That look runs at most every ``RECHECK_S`` or
  ``RECHECK_COST`` times the time the last one took, so a large open book
  cannot cost more than a fiftieth of a core;
- every ``FULL_CHECK_S`` (or ``FULL_CHECK_COST`` times the time the last one
  took) the whole-table fingerprint (count(*), PnL sum, realised rows),
  compared with the same figures of the held rows after this update's own
  re-reads, for deletions or edits of old rows. An edit of a still-open row
  that leaves it open changes its PnL sum and is found there too.

The deployed bot never updates a transaction, so there only new rows are read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..core.pnl import Trades
from ..core.trades_merge import member, merge
from .connection import BUSY_TIMEOUT_MS, quote_ident, run_rows
from .trades_query import (
    FLAG_MAY_CHANGE,
    FLAG_REALISED,
    MISSING,
    RECORD,
    SYMBOL_BYTES,
    Chunk,
    Reader,
    TradeSource,
    assemble,
    fetch_chunk,
    load_chunks,
    micro_sql,
    select_sql,
)

TAIL = 256
RECHECK_S = 4.5  # just under the charts' live gap (ui/charts/loader.py): each update looks, so closes append
RECHECK_COST = 50  # the open rows are looked at at most once per this many times the last look took
FULL_CHECK_S = 30.0
FULL_CHECK_COST = 200  # the whole-table check runs at most once per this many times the last one took
IN_LIST = 5000  # rowids per re-read statement

Clock = Callable[[], float]


@dataclass(frozen=True)
class Held:
    """The rows read so far and what the next update compares against.

    ``open_records`` are the raw records of rows that may still change,
    sorted by rowid.
    """

    trades: Trades
    top: int
    open_records: np.ndarray[Any, Any]
    checked_at: float
    rechecked_at: float
    recheck_gap: float = RECHECK_S
    check_gap: float = FULL_CHECK_S


@dataclass(frozen=True)
class Update:
    """What one update found: the new state and the rows it brought (new versions of changed rows too).

    ``full`` is True when everything was read again; then ``added`` is empty.
    ``dropped`` are the held versions of rows that changed (they left ``trades``).
    """

    held: Held
    added: Trades
    dropped: Trades
    full: bool
    rows_read: int
    recheck_in: float | None = None  # the re-read of open rows was not due yet: due in this many seconds

    @property
    def changed(self) -> bool:
        """The trades held changed (all read again, or rows added or replaced)."""
        return self.full or len(self.added) > 0


def _number(v: Any) -> int:
    return 0 if v is None or v == "" else int(round(float(v)))


def _micro(trades: Trades) -> np.ndarray[Any, Any]:
    pnl = trades.pnl
    return np.where(np.isfinite(pnl), np.round(np.nan_to_num(pnl) * 1e6), 0).astype(np.int64)


def _mark_of(trades: Trades, keep: np.ndarray[Any, Any] | None = None) -> tuple[int, int, int]:
    """(rows, PnL micro-dollars, realised rows) of held rows, as the SQL sums them.

    Micro-dollars round-trip exactly through the float64 PnL (``micro / 1e6``).
    """
    part = trades if keep is None else trades.take(keep)
    return len(part), int(_micro(part).sum()), int(part.realised.sum())


def _open_of(chunks: list[Chunk]) -> np.ndarray[Any, Any]:
    records = np.concatenate([c.records for c in chunks]) if chunks else np.zeros(0, dtype=RECORD)
    keep = records[(records["flags"] & FLAG_MAY_CHANGE) != 0]
    return np.sort(keep, order="rowid") if len(keep) else keep.copy()


def load_full(path: Path, source: TradeSource, workers: int = 2, clock: Clock = time.monotonic,
              busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Update:
    """Read every row (the first load, and whenever rows may have gone or changed)."""
    chunks = load_chunks(path, source, workers=workers, busy_timeout_ms=busy_timeout_ms)
    trades = assemble(chunks)
    now = clock()
    top = int(trades.rowid.max()) if len(trades) else 0
    return Update(Held(trades, top, _open_of(chunks), now, now), Trades.empty(), Trades.empty(), True, len(trades))


def _sums(source: TradeSource) -> str:
    return f"count(*), total(ifnull({micro_sql(source)}, 0)), total({source.realised_sql})"


def _probe(db: Any, source: TradeSource, held: Held) -> tuple[int, tuple[int, ...]]:
    """(highest rowid now, fingerprint of the last TAIL held rows that cannot change), one statement."""
    t = quote_ident(source.table)
    after = max(0, held.top - TAIL)
    ids = held.open_records["rowid"]
    skip = ids[ids > after]
    not_open = f" AND rowid NOT IN ({','.join(map(str, skip.tolist()))})" if len(skip) else ""
    row = run_rows(db, f"SELECT (SELECT max(rowid) FROM {t}), {_sums(source)} FROM {t} "
                       f"WHERE rowid > ? AND rowid <= ?{not_open}", (after, held.top))[0]
    return _number(row[0]), tuple(_number(v) for v in row[1:])


def _tail_held(held: Held) -> tuple[int, ...]:
    rowid = held.trades.rowid
    tail = np.flatnonzero((rowid > max(0, held.top - TAIL)) & (rowid <= held.top))
    open_ids = held.open_records["rowid"]
    tail = tail[~member(rowid[tail], open_ids[open_ids > max(0, held.top - TAIL)])]
    return _mark_of(held.trades, tail)


def _raw_mark(records: np.ndarray[Any, Any]) -> tuple[int, int, int]:
    """(rows, PnL micro-dollars, realised rows) of raw records, as ``_mark_of`` counts the same rows."""
    micro = records["pnl"].astype(np.int64)
    return len(records), int(micro[micro != MISSING].sum()), int(((records["flags"] & FLAG_REALISED) != 0).sum())


def _whole_matches(db: Any, source: TradeSource, held: Held, check: _Recheck | None) -> bool:
    """The whole table's count and sums equal the held rows' (with this update's re-read rows in their new
    versions) plus the appended ones: one scan, in the update's snapshot."""
    t = quote_ident(source.table)
    micro = f"ifnull({micro_sql(source)}, 0)"
    row = run_rows(db, f"SELECT {_sums(source)}, total(rowid > ?), total(CASE WHEN rowid > ? THEN {micro} END), "
                       f"total(CASE WHEN rowid > ? THEN {source.realised_sql} END) FROM {t}",
                   (held.top, held.top, held.top))[0]
    whole, new = tuple(_number(v) for v in row[:3]), tuple(_number(v) for v in row[3:])
    mine = _mark_of(held.trades)
    if check is not None and check.changed:
        before = _raw_mark(check.before)
        after = _raw_mark(np.concatenate([c.records for c in check.changed]))
        mine = (mine[0], mine[1] - before[1] + after[1], mine[2] - before[2] + after[2])
    return whole == tuple(m + n for m, n in zip(mine, new, strict=True))


def _reread(db: Any, source: TradeSource, rowids: np.ndarray[Any, Any]) -> list[Chunk]:
    """The current records of these rows (a row gone is simply missing)."""
    chunks = []
    for i in range(0, len(rowids), IN_LIST):
        ids = ",".join(map(str, rowids[i:i + IN_LIST].tolist()))
        chunks.append(fetch_chunk(db, select_sql(source, f"rowid IN ({ids})"), ()))
    return chunks


def _settled(db: Any, source: TradeSource, rowids: np.ndarray[Any, Any]) -> np.ndarray[Any, Any] | None:
    """Which of these (may-change) rows may change no more, one short answer per IN_LIST of them; None when
    one of them is gone (a full read follows). Costs the index lookups, not the records."""
    t = quote_ident(source.table)
    settled: list[int] = []
    for i in range(0, len(rowids), IN_LIST):
        part = rowids[i:i + IN_LIST]
        ids = ",".join(map(str, part.tolist()))
        count, done = run_rows(db, f"SELECT count(*), group_concat(CASE WHEN NOT ({source.may_change_sql}) "
                                   f"THEN rowid END) FROM {t} WHERE rowid IN ({ids})")[0]
        if _number(count) != len(part):
            return None
        settled += [int(v) for v in str(done).split(",")] if done not in (None, "") else []
    return np.array(settled, dtype=np.int64)


@dataclass
class _Recheck:
    changed: list[Chunk]  # the new versions of the rows that changed
    before: np.ndarray[Any, Any]  # their held (raw) versions
    gone: np.ndarray[Any, Any]  # their rowids
    open_records: np.ndarray[Any, Any]
    rows_read: int
    seconds: float


def _recheck(db: Any, source: TradeSource, held: Held) -> _Recheck | None:
    """Read again the held may-change rows that settled; None when one of them was deleted (a full read)."""
    started = time.perf_counter()
    settled = _settled(db, source, held.open_records["rowid"])
    if settled is None:
        return None
    changed: list[Chunk] = []
    left = held.open_records
    if len(settled):
        again = _reread(db, source, np.sort(settled))
        current = np.concatenate([c.records for c in again]) if again else np.zeros(0, dtype=RECORD)
        if len(current) != len(settled):
            return None
        symbols = b"".join(c.symbols for c in again)
        changed = [Chunk(current, symbols if len(symbols) == SYMBOL_BYTES * len(current) else b"")]
        left = held.open_records[~member(held.open_records["rowid"], settled)]
    before = held.open_records[member(held.open_records["rowid"], settled)]
    return _Recheck(changed, before, settled, left, len(settled), time.perf_counter() - started)


@dataclass
class _Look:
    top: int
    fresh: list[Chunk]
    check: _Recheck | None
    whole_s: float | None  # the whole-table check ran (and matched), taking this long
    recheck_in: float | None


def _look(db: Any, source: TradeSource, held: Held, now: float) -> _Look | None:
    """What changed since ``held`` (None: rows went or changed where only a full read can tell)."""
    top, tail = _probe(db, source, held)
    if top < held.top or tail != _tail_held(held):
        return None
    fresh = [fetch_chunk(db, select_sql(source, "rowid > ? AND rowid <= ?"), (held.top, top))] \
        if top > held.top else []
    whole_due = now - held.checked_at >= held.check_gap
    check, recheck_in = None, None
    if len(held.open_records) and now - held.rechecked_at < held.recheck_gap and not whole_due:
        recheck_in = held.rechecked_at + held.recheck_gap - now
    elif len(held.open_records):
        check = _recheck(db, source, held)
        if check is None:
            return None
    whole_s = None
    if whole_due:
        started = time.perf_counter()
        if not _whole_matches(db, source, held, check):
            return None
        whole_s = time.perf_counter() - started
    return _Look(top, fresh, check, whole_s, recheck_in)


def _snapshot(db: Any, source: TradeSource, held: Held, now: float) -> _Look | None:
    """``_look`` inside one read transaction: every statement sees the same commit of the bot's."""
    began = bool(db.transaction())
    try:
        return _look(db, source, held, now)
    finally:
        if began:
            db.commit()


def update(path: Path, source: TradeSource, held: Held, workers: int = 2, clock: Clock = time.monotonic,
           busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Update:
    """Bring ``held`` up to date reading only what changed (``Update.changed`` is False when nothing did)."""
    now = clock()
    reader = Reader(path, busy_timeout_ms)
    try:
        look = _snapshot(reader.conn, source, held, now)
    finally:
        reader.close()
    if look is None:
        return load_full(path, source, workers, clock, busy_timeout_ms)
    check, fresh = look.check, look.fresh
    if look.whole_s is not None:
        held = replace(held, checked_at=now, check_gap=max(FULL_CHECK_S, FULL_CHECK_COST * look.whole_s))
    if check is not None:
        held = replace(held, open_records=check.open_records, rechecked_at=now,
                       recheck_gap=max(RECHECK_S, RECHECK_COST * check.seconds))
    changed = check.changed if check is not None else []
    rows_read = sum(len(c.records) for c in fresh) + (check.rows_read if check is not None else 0)
    if not fresh and not changed:
        return Update(held, Trades.empty(), Trades.empty(), False, rows_read, look.recheck_in)
    added = assemble(fresh + changed)
    gone = check.gone if check is not None else np.zeros(0, dtype=np.int64)
    dropped = held.trades.take(np.flatnonzero(member(held.trades.rowid, gone))) if len(gone) else Trades.empty()
    new_open = _open_of(fresh)
    open_all = np.concatenate([held.open_records, new_open]) if len(new_open) else held.open_records
    if len(new_open) and len(held.open_records) and int(new_open["rowid"][0]) <= int(held.open_records["rowid"][-1]):
        open_all = np.sort(open_all, order="rowid")  # (new rows come past the last rowid: already in order)
    held = replace(held, trades=merge(held.trades, added, gone), top=max(look.top, held.top), open_records=open_all)
    return Update(held, added, dropped, False, rows_read, look.recheck_in)
