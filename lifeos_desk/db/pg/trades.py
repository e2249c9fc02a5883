"""The charts' trades read from PostgreSQL: the same ``core.pnl.Trades`` as ``db/trades_query.py`` gives, in bulk.

Per-row Python is the enemy at a million rows (as in ``db/trades_query.py``):
reading rows one by one through ``QSqlQuery.next()`` took about 20 s for
1,000,000 trades. So each statement returns **one** value: the server sends
every row's fields in binary (``timestamptz_send``, ``float8send``,
``int8send``, ``int4send``), concatenated by ``string_agg`` and base64-encoded
(QPSQL reads results as text; base64 is 1.33x the bytes where a bytea's hex
is 2x and costs a slower unescape), and numpy views the decoded bytes as
big-endian records without a per-row step. Symbols travel as a 32-bit
``hashtext`` per row plus one small ``DISTINCT`` list of (hash, symbol).

Same rules as the SQLite loader: the PnL expression is ``trade_source``'s
(portable SQL), the realised flag the same status rule written with
integer branches (PostgreSQL's CASE does not mix booleans and integers),
PnL rounded to whole micro-dollars half away from zero, as SQLite's
``round`` (done in numpy on the exact float8), times in epoch milliseconds
from ``timestamptz`` (the migration stored them in UTC; a ``timestamp``
without zone is read as UTC, docs/data-formats.md, 'Timestamps'), symbols
cut to 16 bytes as the SQLite loader's fixed fields are. A time the
migration kept as text in a side column is left out (undated), as a text
the SQLite loader cannot parse is.

Rows are identified by an integer: an integer primary key itself, else the
64-bit ``hashtextextended`` of a text key (both schemas key trades by random
hex text; PostgreSQL has no rowid and the migration does not keep
SQLite's); two text keys with one hash (odds about 3e-8 at a million rows)
would count as one row to the live updates. Rows come in physical order (the migration's COPY order, which is
the SQLite file's rowid order), so trades at the same instant keep the
file's order. Statements are bounded to a range of heap pages
(``ctid >= '(a,0)' AND ctid < '(b,0)'``, a TID range scan) and each is read
to its end (db/pg/connection.py).
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ...core.pnl import Trades
from ...core.schema import Domain, SchemaKind
from ..trades_query import SYMBOL_BYTES, trade_source
from .connection import PgDatabase, PgError, PgTable, quote_ident

MIN_CHUNK_PAGES = 1024  # heap pages per statement at least (about 45,000 ADR trades)
_FAILED = ("failed", "cancelled", "canceled", "rejected", "error")
# One row as the server sends it: time (µs since 2000-01-01), PnL (float8), row id, user, symbol hash, flags.
PG_RECORD = np.dtype([("time", ">i8"), ("pnl", ">f8"), ("rowid", ">i8"), ("user", ">i8"), ("symbol", ">i4"),
                      ("flags", "u1")])
PG_EPOCH_MS = 946_684_800_000  # 2000-01-01 in Unix milliseconds: PostgreSQL's timestamp origin
_NO_TIME = r"'\x8000000000000000'::bytea"  # the int64 minimum: no time
_NO_USER = r"'\xffffffffffffffff'::bytea"  # -1, as the SQLite loader's ifnull(…, -1)
_INTEGER_TYPES = ("bigint", "integer", "smallint")


def _spellings(word: str) -> list[str]:
    return list(dict.fromkeys((word, word.lower(), word.upper(), word.title())))


def _status_flag(status: str, counted: str, done: Sequence[str], not_done: Sequence[str], otherwise: str) -> str:
    """1/0 by status, as db/trades_query.py's rule: listed statuses first, ``otherwise`` (a condition) else."""
    whens = [f"WHEN '{v}' THEN {counted}" for w in done for v in _spellings(w)]
    whens += [f"WHEN '{v}' THEN 0" for w in not_done for v in _spellings(w)]
    return f"(CASE {status} {' '.join(whens)} ELSE {otherwise} END)"


def _flag(condition: str) -> str:
    return f"(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _realised_sql(domain: Domain, columns: Sequence[str]) -> tuple[str, str]:
    """(realised 0/1, realisation time) for this schema, in PostgreSQL's SQL."""
    q = quote_ident
    status, pnl = q(domain.trade_status), q(domain.trade_pnl)
    if domain.kind is SchemaKind.ADR:
        closed = q(domain.trade_closed_time or "closed_at")
        flag = _status_flag(status, "1", ("CLOSED",), ("OPEN", "PENDING", *(w.upper() for w in _FAILED)),
                            _flag(f"{closed} IS NOT NULL"))
        return flag, f"coalesce({closed}, {q(domain.trade_time)})"
    has_action = "action" in {c.lower() for c in columns}
    sell = _flag(f"(action IN ('SELL','sell','Sell') OR {pnl} <> 0)") if has_action else "1"
    return _status_flag(f"coalesce({status}, '')", sell, ("completed",), ("pending", *_FAILED), sell), \
        q(domain.trade_time)


def _time_bytes(when: str, kinds: dict[str, str], domain: Domain) -> str:
    """The realisation time as 8 bytes of microseconds since 2000 (timestamptz_send; NULL: the minimum)."""
    cols = [domain.trade_closed_time, domain.trade_time] if domain.kind is SchemaKind.ADR else [domain.trade_time]
    naive = all(kinds.get(c or "", "").startswith("timestamp without") for c in cols)
    send = f"timestamp_send({when})" if naive else f"timestamptz_send(CAST({when} AS timestamptz))"
    return f"coalesce({send}, {_NO_TIME})"


@dataclass(frozen=True)
class PgTradeSource:
    """What the bulk reader selects from one trades table: the record expression and the symbol column."""

    table: PgTable
    domain: Domain
    record_sql: str
    symbol_sql: str
    key_sql: str  # the integer that identifies a row (the pk, or the hash of a text pk)


def pg_trade_source(domain: Domain, table: PgTable) -> PgTradeSource:
    """The record expression for ``table`` (described: with its columns and their types)."""
    columns = [n for n, _t in table.columns]
    kinds = dict(table.columns)
    source = trade_source(domain, columns)
    flag, when = _realised_sql(domain, columns)
    pk = quote_ident(source.pk)
    key = f"CAST({pk} AS bigint)" if kinds.get(source.pk) in _INTEGER_TYPES else f"hashtextextended({pk}::text, 0)"
    symbol = f"coalesce(CAST({quote_ident(source.symbol)} AS text), '')"
    record = (f"{_time_bytes(when, kinds, domain)} || float8send(coalesce(({source.pnl_sql})::float8, 'NaN')) || "
              f"int8send({key}) || coalesce(int8send(CAST({quote_ident(source.user)} AS bigint)), {_NO_USER}) || "
              f"int4send(hashtext({symbol})) || "
              rf"(CASE WHEN {flag} = 1 THEN '\x01'::bytea ELSE '\x00'::bytea END)")
    return PgTradeSource(table, domain, record, symbol, key)


def fetch_records(db: PgDatabase, source: PgTradeSource, where: str = "TRUE") -> npt.NDArray[np.void]:
    """The rows matching ``where`` (SQL over the table) as ``PG_RECORD`` records: one bounded statement."""
    text = db.scalar(f"SELECT encode(string_agg({source.record_sql}, ''), 'base64') FROM {source.table.sql} "
                     f"WHERE {where}")
    raw = binascii.a2b_base64(text) if text else b""
    if len(raw) % PG_RECORD.itemsize:
        raise PgError(f"{db.label}: the trade records came back cut short ({len(raw)} bytes)")
    return np.frombuffer(raw, dtype=PG_RECORD)


def fetch_symbols(db: PgDatabase, source: PgTradeSource, where: str = "TRUE") -> dict[int, str]:
    """The symbols of the rows matching ``where``, by their 32-bit hash (the records carry only the hash)."""
    listed = db.scalar(f"SELECT json_agg(json_build_array(hashtext(s), s)) FROM "
                       f"(SELECT DISTINCT {source.symbol_sql} AS s FROM {source.table.sql} WHERE {where}) d")
    symbols: dict[int, str] = {}
    for h, name in json.loads(str(listed)) if listed else []:
        # Two symbols with one hash would share a name, which then says so (never seen).
        symbols[int(h)] = f"{symbols[int(h)]}|{name}" if int(h) in symbols else str(name)
    return symbols


def page_ranges(db: PgDatabase, table: PgTable, parts: int = 1, min_pages: int = MIN_CHUNK_PAGES) -> list[str]:
    """WHERE clauses covering the table in about ``parts`` heap-page ranges (TID range scans).

    The last is open-ended, so rows appended while they are read are not lost.
    """
    pages = int(db.scalar(f"SELECT pg_relation_size('{table.sql}'::regclass) / "
                          "current_setting('block_size')::int") or 0)
    step = max(min_pages, -(-pages // max(1, parts)))
    bounds = list(range(0, max(pages, 1), step))
    out = []
    for i, lo in enumerate(bounds):
        hi = bounds[i + 1] if i + 1 < len(bounds) else None
        out.append(f"ctid >= '({lo},0)'::tid" + (f" AND ctid < '({hi},0)'::tid" if hi is not None else ""))
    return out


def _symbol_name(value: str) -> str:
    return value.encode("utf-8")[:SYMBOL_BYTES].decode("utf-8", "replace").strip() or "?"


def _codes(hashes: npt.NDArray[np.int64], symbols: dict[int, str]) -> tuple[npt.NDArray[np.int32], tuple[str, ...]]:
    """Symbol codes into sorted names (as trades_query's); a hash missing from ``symbols`` is named "?"."""
    named = {h: _symbol_name(s) for h, s in symbols.items()}
    known = np.array(sorted(named), dtype=np.int64)
    at = np.searchsorted(known, hashes)
    found = at < len(known)
    found[found] = known[at[found]] == hashes[found]
    names = tuple(sorted(set(named.values()) | ({"?"} if not bool(found.all()) else set())))
    index = {n: i for i, n in enumerate(names)}
    code_of = np.array([index[named[int(h)]] for h in known.tolist()], dtype=np.int32)
    codes = np.full(len(hashes), index.get("?", 0), dtype=np.int32)
    codes[found] = code_of[at[found]]
    return codes, names


def assemble(records: npt.NDArray[np.void], symbols: dict[int, str]) -> Trades:
    """The records as ``Trades`` in time order (ties in physical order), as trades_query.assemble."""
    codes, names = _codes(records["symbol"].astype(np.int64), symbols)
    us = records["time"].astype(np.int64)
    finite = (us != np.iinfo(np.int64).min) & (us != np.iinfo(np.int64).max)  # NULL, ±infinity: undated
    ms = np.floor_divide(us + 500, 1000) + PG_EPOCH_MS
    time = np.where(finite, ms / 1000.0, np.nan)
    r = records["pnl"].astype(np.float64) * 1e6
    pnl = np.where(np.isfinite(r), np.sign(r) * np.floor(np.abs(r) + 0.5), np.nan) / 1e6  # SQLite's round()
    trades = Trades.build(records["rowid"], time, pnl, records["user"], codes, (records["flags"] & 1).astype(bool),
                          names)
    return trades.take(np.argsort(trades.time, kind="stable"))


def concat(parts: Sequence[npt.NDArray[np.void]]) -> npt.NDArray[np.void]:
    """Record arrays end to end."""
    return np.concatenate(parts) if parts else np.zeros(0, dtype=PG_RECORD)


def load_trades_pg(db: PgDatabase, domain: Domain, table: PgTable, parts: int = 1,
                   min_pages: int = MIN_CHUNK_PAGES) -> Trades:
    """Every trade of ``table`` as the charts' arrays, over one connection (db/pg/trades_live.py reads in parallel)."""
    table = table if table.columns else db.described(table)
    source = pg_trade_source(domain, table)
    records = concat([fetch_records(db, source, where) for where in page_ranges(db, table, parts, min_pages)])
    return assemble(records, fetch_symbols(db, source))


def trades_table(db: PgDatabase, tables: Sequence[PgTable]) -> tuple[Domain, PgTable] | None:
    """The known schema's trades table in ``tables`` (by the same signatures as SQLite), or None."""
    from ...core.schema import detect_schema, domain_for

    described = {t.name: db.described(t) for t in tables if t.schema == "public"}
    kind = detect_schema({name: [c for c, _t in t.columns] for name, t in described.items()})
    domain = domain_for(kind)
    if domain is None or domain.trades not in described:
        return None
    return domain, described[domain.trades]
