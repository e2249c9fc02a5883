"""Loads the ADR-005 schema: users, wallets, ``trades`` and ``algorithm_metrics``.

Why separate from the deployed loader: the two schemas share no table shape
(ADR ``trades`` with LONG/SHORT and open/close prices vs the deployed bot's
``transactions``), so each loader reads on its own. The trade arithmetic is
described in the package docstring (``lifeos_desk.core.demo``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import numpy as np

from ..schema import ADR_DDL
from .common import (
    _DEC_SCALE,
    _MINTS,
    _RISK_USD,
    _SYMBOLS,
    _TOKEN_P,
    _VOL,
    CHUNK_ROWS,
    DAY,
    TOKENS,
    Row,
    _cents,
    _hex_ids,
    _id_key,
    _rng,
    _Stream,
    utc_sql,
)
from .context import _chunks, _Ctx, _insert
from .state import _metrics

_ADR_TRADE_SQL = (
    "INSERT INTO trades (id, user_id, token_mint, token_symbol, direction, entry_price, exit_price,"
    " amount, amount_usd, status, pnl_usd, opened_at, closed_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,datetime(?,'unixepoch'),datetime(?,'unixepoch'))"
)


def _adr_people(con: sqlite3.Connection, ctx: _Ctx) -> None:
    u = ctx.users
    rng = _rng(ctx.seed, _Stream.USERS, 2)
    labels = rng.choice(["Main", "Main", "Main", "Trading", "Phantom", "Solflare"], size=len(u.names)).tolist()
    created = [utc_sql(t) for t in u.created.tolist()]
    users = ((i + 1, u.telegram_ids[i], u.names[i], u.risk[i], created[i], created[i])
             for i in range(len(created)))  # fmt: skip
    _insert(con, "INSERT INTO users VALUES (?,?,?,?,?,?)", users)
    wallets = ((i + 1, i + 1, addr, sealed, labels[i], 1, created[i])
               for i, (addr, sealed) in enumerate(ctx.wallets))  # fmt: skip
    _insert(con, "INSERT INTO wallets VALUES (?,?,?,?,?,?,?)", wallets)


def _adr_trade_rows(ctx: _Ctx, lo: int, hi: int, key: int) -> Iterator[Row]:
    """Rows lo..hi of the trades table, vectorised; see the package docstring for the arithmetic."""
    rng = _rng(ctx.seed, _Stream.TRADES, lo // CHUNK_ROWS)
    n, total, end = hi - lo, ctx.spec.trades, ctx.clock.end
    opened = np.floor(ctx.clock.row_times(rng, lo, n, total))
    who = ctx.users.pick(rng, opened)
    sym = rng.choice(len(TOKENS), size=n, p=_TOKEN_P)
    short = rng.random(n) < 0.2
    entry = ctx.prices.at(sym, opened) * np.exp(rng.normal(0.0, 0.01, n))
    target_usd = _RISK_USD[ctx.users.risk_idx[who]] * rng.lognormal(0.0, 0.8, n)
    scale = _DEC_SCALE[sym]
    amount = np.maximum(np.rint(target_usd / entry * scale) / scale, 1.0 / scale)
    hold = rng.lognormal(np.log(4 * 3600), 1.5, n)
    move = rng.standard_t(3, n) * _VOL[sym] * np.sqrt(hold / DAY) + np.where(short, -0.004, 0.004)
    exit_price = entry * np.exp(np.clip(move, -3.0, 3.0))
    pnl = _cents(np.where(short, entry - exit_price, exit_price - entry) * amount)
    u = rng.random(n)
    status = np.full(n, "CLOSED", dtype=object)
    status[(opened + hold > end) | (u > 0.99)] = "OPEN"
    status[u < 0.035] = "CANCELLED"
    status[u < 0.015] = "FAILED"
    closed_ok = status == "CLOSED"
    closes = np.where(closed_ok, np.maximum(np.floor(hold), 1), rng.integers(2, 600, n))
    closed_at = np.minimum(opened + closes, np.floor(end)).astype(np.int64).astype(object)
    closed_at[status == "OPEN"] = None
    exit_obj = exit_price.astype(object)
    exit_obj[~closed_ok] = None
    return zip(
        _hex_ids(key, lo, n), (who + 1).tolist(), _MINTS[sym].tolist(), _SYMBOLS[sym].tolist(),
        np.where(short, "SHORT", "LONG").tolist(), entry.tolist(), exit_obj.tolist(), amount.tolist(),
        _cents(entry * amount).tolist(), status.tolist(), np.where(closed_ok, pnl, 0.0).tolist(),
        opened.astype(np.int64).tolist(), closed_at.tolist(), strict=True,
    )  # fmt: skip


def _load_adr(con: sqlite3.Connection, ctx: _Ctx) -> None:
    con.executescript(ADR_DDL)
    _adr_people(con, ctx)
    key = _id_key(ctx.seed, 1)
    for lo, hi in _chunks(ctx.spec.trades):
        _insert(con, _ADR_TRADE_SQL, _adr_trade_rows(ctx, lo, hi, key))
        ctx.progress(f"trades {hi}/{ctx.spec.trades}")
    con.execute(
        "UPDATE users SET last_active = a.last FROM (SELECT user_id, MAX(MAX(opened_at),"
        " COALESCE(MAX(closed_at), '')) AS last FROM trades GROUP BY user_id) AS a WHERE users.id = a.user_id"
    )
    rows = [(m["algorithm_type"], m["total_signals"], m["winning_signals"], m["accuracy"],
             m["confidence_score"], utc_sql(ctx.clock.end)) for m in _metrics(ctx).values()]  # fmt: skip
    _insert(con, "INSERT INTO algorithm_metrics (algorithm_type, total_signals, winning_signals, accuracy,"
                 " confidence_score, last_updated) VALUES (?,?,?,?,?,?)", rows)  # fmt: skip
