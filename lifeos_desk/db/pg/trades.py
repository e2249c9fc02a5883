"""The charts' trades read from PostgreSQL: the same ``core.pnl.Trades`` as ``db/trades_query.py`` gives.

Same rules as the SQLite loader, in PostgreSQL's SQL: the PnL expression
is ``trade_source``'s (portable SQL), the realised flag the same status
rule written with integer branches (PostgreSQL's CASE does not mix
booleans and integers), PnL rounded to micro-dollars half away from zero
(as SQLite's ``round``; PostgreSQL's ``round(float8)`` rounds half to
even), times from ``timestamptz`` as epoch milliseconds (the migration
stored them in UTC), symbols cut to 16 bytes as the SQLite loader's fixed
fields are. Rows come in primary-key order (the SQLite loader's rowid
order: an ``INTEGER PRIMARY KEY`` is the rowid), in keyset batches each
fetched to its end (db/pg/connection.py). A time the migration kept as text
in a side column is left out (undated), as a text the SQLite loader cannot
parse is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...core.pnl import Trades
from ...core.schema import Domain, SchemaKind
from ..trades_query import SYMBOL_BYTES, trade_source
from .connection import PgDatabase, PgTable, quote_ident

BATCH_ROWS = 50_000
_FAILED = ("failed", "cancelled", "canceled", "rejected", "error")


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


def _select(domain: Domain, table: PgTable) -> str:
    columns = [n for n, _t in table.columns]
    source = trade_source(domain, columns)
    flag, when = _realised_sql(domain, columns)
    micro = f"(({source.pnl_sql}) * 1000000.0::float8)"
    return (f"SELECT {quote_ident(source.pk)}, round(extract(epoch FROM {when}) * 1000)::bigint, "
            f"sign({micro}) * floor(abs({micro}) + 0.5), coalesce(CAST({quote_ident(source.user)} AS bigint), -1), "
            f"coalesce({quote_ident(source.symbol)}, ''), {flag} FROM {table.sql}")


def load_trades_pg(db: PgDatabase, domain: Domain, table: PgTable, batch: int = BATCH_ROWS) -> Trades:
    """Every trade of ``table`` as the charts' arrays, in time order (ties in primary-key order)."""
    table = table if table.columns else db.described(table)
    pk = quote_ident(domain.trade_pk)
    base = _select(domain, table)
    rows: list[tuple[object, ...]] = []
    last: object = None
    while True:
        where = "" if last is None else f" WHERE {pk} > ?"
        page = db.rows(f"{base}{where} ORDER BY {pk} LIMIT {int(batch)}", () if last is None else (last,))
        rows += page
        if len(page) < batch:
            break
        last = page[-1][0]
    return _assemble(rows)


def _symbol(value: object) -> str:
    return str(value).encode("utf-8")[:SYMBOL_BYTES].decode("utf-8", "replace").strip() or "?"


def _key(value: object, position: int) -> int:
    """The row's integer key (the SQLite rowid of an INTEGER PRIMARY KEY); its position for other keys.

    PostgreSQL has no rowid and the migration does not keep SQLite's, so with a text key (ADR's trade_id)
    rows are numbered in key order, and trades at the very same time keep key order, not insertion order.
    """
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text) if text.lstrip("-").isdigit() else position


def _number(value: object) -> float:
    return float("nan") if value is None else float(str(value))


def _assemble(rows: Sequence[tuple[object, ...]]) -> Trades:
    keys = [_key(r[0], i) for i, r in enumerate(rows)]
    time = np.array([_number(r[1]) for r in rows], dtype=np.float64) / 1000.0
    big = np.abs(time) > 1e11  # as the SQLite loader: an epoch in milliseconds
    time[big] /= 1000.0
    pnl = np.array([_number(r[2]) for r in rows], dtype=np.float64) / 1e6
    users = [int(str(r[3])) for r in rows]
    symbols = [_symbol(r[4]) for r in rows]
    names = tuple(sorted(set(symbols)))
    code = {name: i for i, name in enumerate(names)}
    trades = Trades.build(keys, time, pnl, users, [code[s] for s in symbols], [bool(int(str(r[5]))) for r in rows],
                          names)
    return trades.take(np.argsort(trades.time, kind="stable"))


def trades_table(db: PgDatabase, tables: Sequence[PgTable]) -> tuple[Domain, PgTable] | None:
    """The known schema's trades table in ``tables`` (by the same signatures as SQLite), or None."""
    from ...core.schema import detect_schema, domain_for

    described = {t.name: db.described(t) for t in tables if t.schema == "public"}
    kind = detect_schema({name: [c for c, _t in t.columns] for name, t in described.items()})
    domain = domain_for(kind)
    if domain is None or domain.trades not in described:
        return None
    return domain, described[domain.trades]
