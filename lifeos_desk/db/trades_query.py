"""Reading trades for the charts through QtSql, a million rows in well under a second.

Per-row Python is the enemy at this scale: fetching 1,000,000 rows with
``QSqlQuery.next()``/``value()`` takes seconds. So each batch of rows comes
back as *one* value: SQLite formats every row's numbers as fixed-width hex
(``printf('%016x…')``), concatenates them (``group_concat``) and turns the
hex into bytes (``unhex``); numpy then views those bytes as big-endian
integers without copying. Symbols come back the same way as fixed 16-byte
fields. Timestamps are parsed in SQL (``julianday`` understands ISO text with
or without a zone, and ``CURRENT_TIMESTAMP`` text); epoch numbers pass
through (milliseconds are recognised by size). Zone-less text is UTC, as
``julianday`` reads it (core/times.py: the one rule for stored times).

docs/architecture.md, 'Half-read statements pin the WAL': every statement is bounded (a keyset batch of rowids)
and read to the end at once, so no read transaction stays open between
events. Batches can be read by several connections in parallel threads
(``load_trades``): each thread opens its own read-only connection, as QtSql
requires, and SQLite does the work with the GIL released.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtSql import QSqlDatabase, QSqlQuery

from ..core.metrics_source import AlgorithmMetric, metrics_from_records
from ..core.pnl import Trades
from ..core.schema import Domain, SchemaKind
from .connection import BUSY_TIMEOUT_MS, quote_ident, run_rows, run_scalar
from .errors import DatabaseError, DbProblem

MISSING = -(1 << 62)  # sentinel for NULL / unparseable numbers in the hex stream
SYMBOL_BYTES = 16
RECORD = np.dtype([("time", ">i8"), ("pnl", ">i8"), ("rowid", ">i8"), ("user", ">i8"), ("flags", "u1")])
FLAG_REALISED = 1
FLAG_MAY_CHANGE = 2  # a row its writer may still update (an ADR trade still OPEN): re-read live (trades_live.py)
DEFAULT_BATCH = 200_000
_names = itertools.count(1)

_FAILED = ("failed", "cancelled", "canceled", "rejected", "error")


def _status_case(status: str, counted: str, done: Sequence[str], not_done: Sequence[str], otherwise: str) -> str:
    """SQL: 1 when a row counts, by its status, as a CASE with the common statuses first.

    A CASE stops at the first matching WHEN, so the usual status costs one
    comparison; ``IN (…)`` lists were a third of the whole reading time at a
    million rows.
    """
    def spellings(word: str) -> dict[str, None]:  # the writer's own spelling first
        return dict.fromkeys((word, word.lower(), word.upper(), word.title()))

    whens = [f"WHEN '{v}' THEN {counted}" for w in done for v in spellings(w)]
    whens += [f"WHEN '{v}' THEN 0" for w in not_done for v in spellings(w)]
    return f"(CASE {status} {' '.join(whens)} ELSE {otherwise} END)"


@dataclass(frozen=True)
class TradeSource:
    """Where one schema keeps what the charts need, as SQL expressions over one row.

    ``time_sql`` is the realisation time column (ADR ``closed_at`` falling back
    to ``opened_at``; deployed ``executed_at``), zone-less text being UTC in
    both schemas.
    """

    table: str
    pk: str
    user: str
    symbol: str
    time_sql: str
    time_column: str
    pnl_sql: str
    realised_sql: str
    description: str
    may_change_sql: str = "0"


def missing_columns(domain: Domain, columns: Sequence[str]) -> list[str]:
    """The columns the charts read that this trades table lacks (SQLite would read a missing
    double-quoted name as a string literal, so they are checked by name first)."""
    have = {c.lower() for c in columns}
    need = [domain.trade_pk, domain.trade_user, domain.trade_symbol, domain.trade_time, domain.trade_pnl,
            domain.trade_status, *([domain.trade_closed_time] if domain.trade_closed_time else [])]
    return [c for c in need if c.lower() not in have]


def trade_source(domain: Domain, columns: Sequence[str]) -> TradeSource:
    """The trade expressions for a detected schema, using only columns the table has."""
    cols = {c.lower() for c in columns}
    q = quote_ident
    pnl = q(domain.trade_pnl)
    status = q(domain.trade_status)
    if domain.kind is SchemaKind.ADR:
        closed = q(domain.trade_closed_time or "closed_at")
        pnl_sql = pnl
        if {"exit_price", "entry_price", "amount_usd", "direction"} <= cols:
            # A closed trade without an exit price has no real PnL (the column default is 0):
            # keep a written PnL, else derive it from the prices (shorts gain when the price falls).
            pnl_sql = (f"CASE WHEN {pnl} IS NOT NULL AND (exit_price IS NOT NULL OR {pnl} <> 0) THEN {pnl} "
                       "WHEN exit_price IS NOT NULL AND entry_price > 0 THEN (exit_price - entry_price) / entry_price"
                       " * amount_usd * (CASE WHEN direction IN ('SHORT','short','Short') THEN -1 ELSE 1 END) END")
        realised = _status_case(status, "1", ("CLOSED",), ("OPEN", "PENDING", *(w.upper() for w in _FAILED)),
                                f"{closed} IS NOT NULL")
        # The ADR bot closes a trade by UPDATE (status, exit price, PnL, closed_at): such rows are re-read live.
        may_change = _status_case(status, "1", ("OPEN", "PENDING"), (), "0")
        return TradeSource(domain.trades, domain.trade_pk, domain.trade_user, domain.trade_symbol,
                           f"coalesce({closed}, {q(domain.trade_time)})", domain.trade_closed_time or "closed_at",
                           pnl_sql, realised,
                           description=f"ADR-005 table {domain.trades} (closed trades, by closed_at)",
                           may_change_sql=may_change)
    action = "action" if "action" in cols else None
    sell = f"({action} IN ('SELL','sell','Sell') OR {pnl} <> 0)" if action else "1"
    # The deployed bot realises PnL on a completed SELL; pending and failed rows are not trades yet.
    realised = _status_case(f"ifnull({status}, '')", sell, ("completed",), ("pending", *_FAILED), sell)
    return TradeSource(domain.trades, domain.trade_pk, domain.trade_user, domain.trade_symbol,
                       q(domain.trade_time), domain.trade_time, pnl, realised,
                       description=f"deployed table {domain.trades} (executed sells, by executed_at)")


def _epoch_ms_sql(expr: str) -> str:
    """SQL: epoch milliseconds of a timestamp given as ISO text, CURRENT_TIMESTAMP text or a number."""
    seconds = (f"coalesce((julianday({expr}) - 2440587.5) * 86400.0, "
               f"CASE WHEN typeof({expr}) IN ('integer','real') THEN {expr} * 1.0 "
               f"WHEN trim({expr}) GLOB '[0-9]*' AND trim({expr}) NOT GLOB '*[^0-9.]*' THEN {expr} * 1.0 END)")
    return f"ifnull(cast(round({seconds} * 1000.0) AS INTEGER), {MISSING})"


def _batch_sql(source: TradeSource, user_filter: bool) -> str:
    where = "rowid > ? AND rowid <= ?" + (f" AND {quote_ident(source.user)} = ?" if user_filter else "")
    return select_sql(source, where)


def select_sql(source: TradeSource, where: str) -> str:
    """SQL: the rows matching ``where`` as one hex blob of records and one blob of symbols."""
    flags = f"({source.realised_sql}) * {FLAG_REALISED} + ({source.may_change_sql}) * {FLAG_MAY_CHANGE}"
    record = (f"printf('%016x%016x%016x%016x%02x', {_epoch_ms_sql(source.time_sql)}, "
              f"ifnull({micro_sql(source)}, {MISSING}), rowid, "
              f"ifnull(cast({quote_ident(source.user)} AS INTEGER), -1), {flags})")
    symbol = f"printf('%-{SYMBOL_BYTES}.{SYMBOL_BYTES}s', ifnull({quote_ident(source.symbol)}, ''))"
    return (f"SELECT unhex(group_concat({record}, '')), CAST(group_concat({symbol}, '') AS BLOB) "
            f"FROM {quote_ident(source.table)} WHERE {where}")


def micro_sql(source: TradeSource) -> str:
    """SQL: a row's PnL in whole micro-dollars (the loader's value and the fingerprint's, identically)."""
    return f"CAST(round(({source.pnl_sql}) * 1000000.0) AS INTEGER)"


def _raise(q: QSqlQuery, db: QSqlDatabase) -> None:
    err = q.lastError()
    raise DatabaseError(DbProblem.OTHER, f"reading trades failed: {err.databaseText() or err.text()}",
                        Path(db.databaseName()))


def batch_bounds(db: QSqlDatabase, table: str, batch: int) -> list[tuple[int, int]]:
    """Keyset ranges ``(after, upto]`` of at most ``batch`` rowids each, covering the table.

    Each boundary is found by walking ``batch`` rowids from the previous one
    (a bounded statement read at once), so gaps in rowids cost nothing.
    """
    t = quote_ident(table)
    lowest = run_scalar(db, f"SELECT min(rowid) FROM {t}")
    if lowest is None or lowest == "":
        return []
    bounds, after = [], int(lowest) - 1
    while True:
        upto = run_scalar(db, f"SELECT rowid FROM {t} WHERE rowid > ? ORDER BY rowid LIMIT 1 OFFSET ?",
                          (after, batch - 1))
        if upto is None or upto == "":
            last = int(run_scalar(db, f"SELECT max(rowid) FROM {t}"))
            if last > after:
                bounds.append((after, last))
            return bounds
        bounds.append((after, int(upto)))
        after = int(upto)


@dataclass
class Chunk:
    records: np.ndarray[Any, Any]
    symbols: bytes


def _fetch(db: QSqlDatabase, sql: str, bounds: Sequence[tuple[int, int]], user_id: int | None) -> list[Chunk]:
    return [fetch_chunk(db, sql, (after, upto) if user_id is None else (after, upto, user_id))
            for after, upto in bounds]


def fetch_chunk(db: QSqlDatabase, sql: str, params: Sequence[Any]) -> Chunk:
    """Run one ``select_sql`` statement to its end and view its blobs as records and symbols."""
    q = QSqlQuery(db)
    q.setForwardOnly(True)
    try:
        if not q.prepare(sql):
            _raise(q, db)
        for value in params:
            q.addBindValue(value)
        if not q.exec():
            _raise(q, db)
        blob, symbols = (q.value(0), q.value(1)) if q.next() else (None, None)
        while q.next():  # one row; read to the end all the same (fact 2)
            pass
    finally:
        q.finish()
    raw = bytes(blob) if blob is not None and not isinstance(blob, str) else b""
    text = bytes(symbols) if symbols is not None and not isinstance(symbols, str) else b""
    return Chunk(np.frombuffer(raw, dtype=RECORD), text)


def _factorize(symbol_bytes: bytes, n: int) -> tuple[np.ndarray[Any, Any], tuple[str, ...]]:
    """Codes and names for fixed-width symbol fields (names sorted; code i -> names[i]).

    Sorting a million 16-byte strings is slow; a 64-bit hash of each field is
    sorted instead, and the grouping is verified against the bytes (falling
    back to the string sort on the astronomically unlikely collision).
    """
    if n == 0:
        return np.zeros(0, dtype=np.int32), ()
    fields = np.frombuffer(symbol_bytes, dtype=f"S{SYMBOL_BYTES}", count=n)
    words = np.frombuffer(symbol_bytes, dtype="<u8", count=n * SYMBOL_BYTES // 8).reshape(n, -1)
    key = words[:, 0] * np.uint64(0x9E3779B97F4A7C15) ^ words[:, 1]
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    if not bool((fields[first][inverse] == fields).all()):
        uniq, inverse = np.unique(fields, return_inverse=True)
        names_raw = list(uniq)
    else:
        names_raw = list(fields[first])
    names = [u.decode("utf-8", "replace").strip() or "?" for u in names_raw]
    order = sorted(range(len(names)), key=names.__getitem__)
    remap = np.empty(len(order), dtype=np.int32)
    remap[order] = np.arange(len(order), dtype=np.int32)
    return remap[inverse], tuple(names[i] for i in order)


def assemble(chunks: Sequence[Chunk]) -> Trades:
    records = np.concatenate([c.records for c in chunks]) if chunks else np.zeros(0, dtype=RECORD)
    symbols = b"".join(c.symbols for c in chunks)
    n = len(records)
    names: tuple[str, ...]
    if len(symbols) != n * SYMBOL_BYTES:  # a symbol with a NUL byte or odd encoding: keep the rows, lose the names
        codes, names = np.zeros(n, dtype=np.int32), ("?",)
    else:
        codes, names = _factorize(symbols, n)
    ms = records["time"].astype(np.int64)
    time = np.where(ms == MISSING, np.nan, ms / 1000.0)
    big = np.abs(time) > 1e11  # an epoch number in milliseconds (seconds would be past the year 5000)
    time[big] /= 1000.0
    micro = records["pnl"].astype(np.int64)
    pnl = np.where(micro == MISSING, np.nan, micro / 1e6)
    trades = Trades.build(records["rowid"], time, pnl, records["user"], codes,
                          (records["flags"] & FLAG_REALISED).astype(bool), names)
    # Time order once, here in the worker thread (stable: equal times keep rowid order), so every
    # recompute on the UI thread finds the series already sorted.
    return trades.take(np.argsort(trades.time, kind="stable"))


def load_trades_db(db: QSqlDatabase, source: TradeSource, *, user_id: int | None = None,
                   batch: int = DEFAULT_BATCH) -> Trades:
    """Every trade row (or one user's) as arrays, over one connection, in rowid order."""
    bounds = batch_bounds(db, source.table, batch)
    sql = _batch_sql(source, user_id is not None)
    return assemble(_fetch(db, sql, bounds, user_id))


class Reader:
    """A read-only connection of its own for the calling thread (QtSql connections stay in their thread).

    Use ``reader.db`` in expressions only and call ``close()`` in the same
    thread: Qt warns (and keeps the connection) if a reference outlives
    ``removeDatabase``.
    """

    def __init__(self, path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.name = f"lifeos-trades-{next(_names)}"
        self.db: QSqlDatabase | None = QSqlDatabase.addDatabase("QSQLITE", self.name)
        self.db.setDatabaseName(str(path))
        self.db.setConnectOptions(f"QSQLITE_BUSY_TIMEOUT={busy_timeout_ms};QSQLITE_OPEN_READONLY")
        if not self.db.open():
            err = self.db.lastError().databaseText() or self.db.lastError().text()
            self.close()
            raise DatabaseError(DbProblem.OTHER, f"cannot open {path} for reading trades: {err}", path)

    def close(self) -> None:
        """Close and forget the connection."""
        if self.db is not None:
            self.db.close()
            self.db = None
            QSqlDatabase.removeDatabase(self.name)

    @property
    def conn(self) -> QSqlDatabase:
        """The open connection."""
        assert self.db is not None, "reader closed"
        return self.db


def load_trades(path: Path, source: TradeSource, *, user_id: int | None = None, workers: int = 2,
                batch: int = DEFAULT_BATCH,
                busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Trades:
    """Like ``load_trades_db`` but on connections of its own, ``workers`` threads in parallel.

    Call it from any thread (the charts call it from a worker so the window
    keeps painting); every connection is opened and closed in the thread that
    uses it.
    """
    return load_trades_marked(path, source, user_id=user_id, workers=workers, batch=batch,
                              busy_timeout_ms=busy_timeout_ms)[0]


def load_trades_marked(path: Path, source: TradeSource, *, user_id: int | None = None, workers: int = 2,
                       batch: int = DEFAULT_BATCH,
                       busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> tuple[Trades, tuple[int, ...]]:
    """``load_trades`` plus the fingerprint of exactly the rows read (all users only; else ``()``).

    Computed from the rows themselves, so a commit that lands between two
    batches shows up as a difference at the next check, never as a silently
    stale chart.
    """
    chunks = load_chunks(path, source, user_id=user_id, workers=workers, batch=batch,
                         busy_timeout_ms=busy_timeout_ms)
    mark = records_mark(chunks) if user_id is None else ()
    return assemble(chunks), mark


def load_chunks(path: Path, source: TradeSource, *, user_id: int | None = None, workers: int = 2,
                batch: int = DEFAULT_BATCH, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> list[Chunk]:
    """The raw records of every row (or one user's) in rowid order, ``workers`` threads in parallel."""
    reader = Reader(path, busy_timeout_ms)
    try:
        bounds = batch_bounds(reader.conn, source.table, batch)
        sql = _batch_sql(source, user_id is not None)
        count = max(1, min(workers, len(bounds)))
        parts = [bounds[i::count] for i in range(count)]
        results: list[list[Chunk]] = [[] for _ in parts]
        errors: list[BaseException] = []

        def run(i: int) -> None:
            try:
                own = Reader(path, busy_timeout_ms)
                try:
                    results[i] = _fetch(own.conn, sql, parts[i], user_id)
                finally:
                    own.close()
            except BaseException as exc:  # handed to the caller below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(1, count)]
        for t in threads:
            t.start()
        results[0] = _fetch(reader.conn, sql, parts[0], user_id)
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
    finally:
        reader.close()
    by_bound = {b: c for part, res in zip(parts, results, strict=True) for b, c in zip(part, res, strict=True)}
    return [by_bound[b] for b in bounds]


def records_mark(chunks: Sequence[Chunk]) -> tuple[int, ...]:
    """The fingerprint of the rows read, from their raw integers (exactly what ``fingerprint`` sums in SQL)."""
    records = np.concatenate([c.records for c in chunks]) if chunks else np.zeros(0, dtype=RECORD)
    micro = records["pnl"].astype(np.int64)
    return (len(records), int(records["rowid"].max()) if len(records) else 0,
            int(micro[micro != MISSING].sum()), int((records["flags"] & FLAG_REALISED).astype(bool).sum()))


def fingerprint(db: QSqlDatabase, source: TradeSource) -> tuple[Any, ...]:
    """A cheap summary of the trade rows: equal before and after a commit means the charts need no reload.

    Row count, highest rowid, the sum of every row's PnL in whole
    micro-dollars and the number of realised rows: what the charts depend on,
    as exact integers, so the loader computes the same tuple from the rows it
    read (``load_trades_marked``) at no cost, and this check costs one scan
    (about a fifth of a full read). The bot's commits to other tables (users,
    rate limits) then cost no reload; a trade opened, closed, edited or
    deleted does. Edits that keep all four (a symbol renamed by hand) are not
    seen until the next change or a manual reload.
    """
    rows = run_rows(db, f"SELECT count(*), max(rowid), total(ifnull({micro_sql(source)}, 0)), "
                        f"total({source.realised_sql}) FROM {quote_ident(source.table)}")

    def number(v: Any) -> int:
        return 0 if v is None or v == "" else int(round(float(v)))

    return tuple(number(v) for v in rows[0]) if rows else ()


def read_fingerprint(path: Path, source: TradeSource, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> tuple[Any, ...]:
    """``fingerprint`` on a connection of its own (for worker threads)."""
    reader = Reader(path, busy_timeout_ms)
    try:
        return fingerprint(reader.conn, source)
    finally:
        reader.close()


# -- small reads on the window's connection ----------------------------------------------
def pk_values(db: QSqlDatabase, source: TradeSource, rowids: Sequence[int], limit: int = 5000) -> list[Any]:
    """Primary keys of the trades at these rowids (at most ``limit``), for "show these trades"."""
    wanted = [int(r) for r in rowids[:limit]]
    out: list[Any] = []
    for i in range(0, len(wanted), 500):
        part = wanted[i:i + 500]
        marks = ",".join("?" * len(part))
        rows = run_rows(db, f"SELECT {quote_ident(source.pk)} FROM {quote_ident(source.table)} "
                            f"WHERE rowid IN ({marks}) ORDER BY rowid", tuple(part))
        out.extend(r[0] for r in rows)
    return out


def user_names(db: QSqlDatabase, domain: Domain, limit: int = 100_000) -> dict[int, str]:
    """User id -> display name from the users table (bounded)."""
    rows = run_rows(db, f"SELECT {quote_ident(domain.user_pk)}, {quote_ident(domain.user_name)} "
                        f"FROM {quote_ident(domain.users)} ORDER BY 1 LIMIT ?", (limit,))
    out = {}
    for pk, name in rows:
        try:
            out[int(pk)] = "" if name is None else str(name)
        except (TypeError, ValueError):
            continue
    return out


def load_algorithm_metrics(db: QSqlDatabase, table: str = "algorithm_metrics",
                           limit: int = 10_000) -> tuple[AlgorithmMetric, ...]:
    """The ADR ``algorithm_metrics`` table as metrics (percent scale)."""
    cols = [r[1] for r in run_rows(db, f"PRAGMA table_info({quote_ident(table)})")]
    rows = run_rows(db, f"SELECT * FROM {quote_ident(table)} ORDER BY rowid LIMIT ?", (limit,))
    return metrics_from_records(dict(zip(cols, (None if v == "" else v for v in row), strict=False))
                                for row in rows)
