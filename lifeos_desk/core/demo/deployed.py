"""Loads the deployed bot's schema: users, wallets, ``transactions`` and their derived books.

Why a ledger: ``user_stats``, ``rate_limits``, ``positions`` and the users'
and wallets' activity columns all follow from the completed transactions;
``_Ledger`` totals them while the rows are generated instead of running
GROUP BY passes over the finished table. The arithmetic is described in the
package docstring (``lifeos_desk.core.demo``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from ..schema import DEPLOYED_DDL
from ..times import naive_utc_iso
from .common import (
    _DEC_SCALE,
    _RISK_SETTINGS,
    _RISK_USD,
    _SYMBOLS,
    _TOKEN_P,
    _VOL,
    CHUNK_ROWS,
    F64,
    I64,
    TOKENS,
    Row,
    _cents,
    _hex_ids,
    _id_key,
    _naive_utc_iso_us,
    _rng,
    _Stream,
)
from .context import _chunks, _Ctx, _insert

_TX_SQL = "INSERT INTO transactions VALUES (?,?,?,?,?,?,?,?,?)"


def _wallet_ids(ctx: _Ctx) -> list[str]:
    hexes = _hex_ids(_id_key(ctx.seed, 2), 0, ctx.spec.users)
    return [f"wallet_{uid}_{h}" for uid, h in zip(ctx.users.telegram_ids, hexes, strict=True)]


def _deployed_people(con: sqlite3.Connection, ctx: _Ctx, wallet_ids: list[str]) -> None:
    u = ctx.users
    n = len(u.telegram_ids)
    rng = _rng(ctx.seed, _Stream.USERS, 3)
    created = _naive_utc_iso_us(_epoch_us(u.created))
    flags = rng.random((n, 4)) < np.array([0.9, 0.6, 0.85, 0.93])
    whale = rng.choice([5000.0, 10000.0, 25000.0, 50000.0], size=n).tolist()
    users = [(u.telegram_ids[i], u.names[i], u.risk[i], *_RISK_SETTINGS[u.risk[i]][:3],
              _RISK_SETTINGS[u.risk[i]][3], bool(flags[i, 0]), whale[i], bool(flags[i, 1]),
              bool(flags[i, 2]), created[i], created[i], bool(flags[i, 3])) for i in range(n)]  # fmt: skip
    _insert(con, "INSERT INTO users VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", users)
    source = rng.choice(["generated", "imported", "recovered"], size=n, p=[0.75, 0.2, 0.05]).tolist()
    balance = np.round(rng.lognormal(0.5, 1.3, n), 9).tolist()
    wallets = [(wallet_ids[i], u.telegram_ids[i], addr, sealed, source[i], created[i], created[i],
                balance[i], 0.0, True) for i, (addr, sealed) in enumerate(ctx.wallets)]  # fmt: skip
    _insert(con, "INSERT INTO wallets VALUES (?,?,?,?,?,?,?,?,?,?)", wallets)


def _epoch_us(t: F64) -> I64:
    """Microsecond epochs whose microseconds are never 0 (isoformat() would drop them)."""
    us = np.floor(t * 1e6).astype(np.int64)
    return us + (us % 1_000_000 == 0)  # type: ignore[no-any-return]


class _Ledger:
    """Totals of completed transactions per user and per (user, token), kept while rows are made.

    It replaces GROUP BY passes over the finished table (about 4 s at 1M rows
    on this machine); the tests recompute every figure from the table itself.
    """

    def __init__(self, n_users: int, midnight_us: int) -> None:
        self.midnight_us = midnight_us
        z = np.zeros(n_users)
        self.count, self.wins, self.losses, self.today = (np.zeros(n_users, np.int64) for _ in range(4))
        self.pnl, self.win_sum, self.loss_sum, self.volume, self.today_loss = z.copy(), z.copy(), z.copy(), z.copy(), z
        self.best, self.worst = np.full(n_users, -np.inf), np.full(n_users, np.inf)
        self.last_us = np.full(n_users, -1, np.int64)
        pairs = n_users * len(TOKENS)
        self.pair_seen, self.pair_buy = np.zeros(pairs, bool), np.zeros(pairs, bool)
        self.pair_usd, self.pair_us = np.zeros(pairs), np.zeros(pairs, np.int64)
        self.runs: dict[int, tuple[int, int]] = {}

    def add(self, who: I64, sym: I64, sell: npt.NDArray[np.bool_], usd: F64, pnl: F64, t_us: I64) -> None:
        """Book one chunk's completed rows (in rowid order)."""
        every = np.ones(len(who), bool)
        win, loss = sell & (pnl > 0), sell & (pnl < 0)
        self.count += self._tally(who, every)
        self.wins += self._tally(who, win)
        self.losses += self._tally(who, loss)
        self.pnl += self._total(who, every, pnl)
        self.win_sum += self._total(who, win, pnl)
        self.loss_sum += self._total(who, loss, pnl)
        self.volume += self._total(who, every, usd)
        judged = win | loss
        np.maximum.at(self.best, who[judged], pnl[judged])
        np.minimum.at(self.worst, who[judged], pnl[judged])
        np.maximum.at(self.last_us, who, t_us)
        today = (t_us >= self.midnight_us) & ~sell  # increment_trade_count follows BUYs only
        self.today += self._tally(who, today)
        self.today_loss += self._total(who, today, np.maximum(-pnl, 0.0))
        self._book_pairs(who * len(TOKENS) + sym, sell, usd, t_us)
        for user, value in zip(who[sell].tolist(), pnl[sell].tolist(), strict=True):
            w, lo = self.runs.get(user, (0, 0))
            self.runs[user] = (w + 1, 0) if value > 0 else (0, lo + 1) if value < 0 else (w, lo)  # 0 leaves both

    def _tally(self, who: I64, mask: npt.NDArray[np.bool_]) -> I64:
        return np.bincount(who[mask], minlength=len(self.count)).astype(np.int64)

    def _total(self, who: I64, mask: npt.NDArray[np.bool_], values: F64) -> F64:
        return np.bincount(who[mask], weights=values[mask], minlength=len(self.count)).astype(np.float64, copy=False)

    def _book_pairs(self, pair: I64, sell: npt.NDArray[np.bool_], usd: F64, t_us: I64) -> None:
        """Remember each (user, token)'s newest completed transaction."""
        _, first_from_end = np.unique(pair[::-1], return_index=True)
        last = len(pair) - 1 - first_from_end
        keys = pair[last]
        self.pair_seen[keys] = True
        self.pair_buy[keys] = ~sell[last]
        self.pair_usd[keys] = usd[last]
        self.pair_us[keys] = t_us[last]

    def agg(self, i: int) -> tuple[Any, ...] | None:
        """(n, wins, losses, pnl, win_sum, loss_sum, best, worst, volume) for _stats_row."""
        if not self.count[i]:
            return None
        judged = bool(self.wins[i] + self.losses[i])
        return (int(self.count[i]), int(self.wins[i]), int(self.losses[i]), float(self.pnl[i]),
                float(self.win_sum[i]), float(self.loss_sum[i]), float(self.best[i]) if judged else None,
                float(self.worst[i]) if judged else None, float(self.volume[i]))  # fmt: skip


def _tx_rows(ctx: _Ctx, lo: int, hi: int, key: int, wallet_ids: Sequence[str], ledger: _Ledger) -> Iterator[Row]:
    """Rows lo..hi of transactions: BUY spends, a completed SELL realises PnL."""
    rng = _rng(ctx.seed, _Stream.TRADES, lo // CHUNK_ROWS)
    n, end = hi - lo, ctx.clock.end
    t = ctx.clock.row_times(rng, lo, n, ctx.spec.trades)
    who = ctx.users.pick(rng, t)
    sym = rng.choice(len(TOKENS), size=n, p=_TOKEN_P)
    sell = rng.random(n) < 0.45
    usd = np.maximum(_cents(_RISK_USD[ctx.users.risk_idx[who]] * rng.lognormal(0.0, 0.8, n)), 1.0)
    u = rng.random(n)
    status = np.full(n, "completed", dtype=object)
    status[(u < 0.03) | ((t > end - 600) & (u > 0.5))] = "pending"
    status[u < 0.025] = "failed"
    done = status == "completed"
    r = np.clip(rng.standard_t(3, n) * _VOL[sym] * 0.8 + 0.006, -0.9, 4.0)
    pnl = np.where(sell & done, _cents(usd * r / (1 + r)), 0.0)
    t_us = _epoch_us(t)
    # The bot's record_trade books every row whatever its status (core/checks/aggregates.py).
    ledger.add(who, sym, sell, usd, pnl, t_us)
    uids = np.array(ctx.users.telegram_ids, dtype=np.int64)[who].tolist()
    tx_ids = [f"tx_{uid}_{h}" for uid, h in zip(uids, _hex_ids(key, lo, n), strict=True)]
    wallets = np.array(wallet_ids, dtype=object)[who].tolist()
    return zip(
        tx_ids, uids, wallets, _SYMBOLS[sym].tolist(), np.where(sell, "SELL", "BUY").tolist(),
        usd.tolist(), _naive_utc_iso_us(t_us), status.tolist(), pnl.tolist(), strict=True,
    )  # fmt: skip


def _stats_row(uid: int, risk: str, agg: Sequence[Any] | None, streak: tuple[int, int], when: str) -> Row:
    """A user_stats row from (n, wins, losses, pnl, win_sum, loss_sum, best, worst, volume)."""
    empty: Sequence[Any] = (0, 0, 0, 0.0, 0.0, 0.0, None, None, 0.0)
    n, wins, losses, pnl, win_sum, loss_sum, best, worst, volume = agg or empty
    return (
        uid, n, wins, losses, round(pnl, 2), round(100 * wins / n, 2) if n else 0.0,
        round(win_sum / wins, 2) if wins else 0.0, round(loss_sum / losses, 2) if losses else 0.0,
        max(best or 0.0, 0.0), min(worst or 0.0, 0.0), round(volume, 2), risk, when, streak[0], streak[1],
    )  # fmt: skip


def _deployed_books(con: sqlite3.Connection, ctx: _Ctx, ledger: _Ledger, wallet_ids: list[str]) -> None:
    """user_stats, rate_limits, and the users'/wallets' activity columns, from the ledger."""
    ids, when = ctx.users.telegram_ids, naive_utc_iso(ctx.clock.end)
    stats = [_stats_row(uid, ctx.users.risk[i], ledger.agg(i), ledger.runs.get(i, (0, 0)), when)
             for i, uid in enumerate(ids)]  # fmt: skip
    _insert(con, "INSERT INTO user_stats VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", stats)
    midnight = naive_utc_iso(ledger.midnight_us / 1e6)
    losses = np.round(ledger.today_loss, 2).tolist()
    limits = zip(ids, ledger.today.tolist(), losses, [midnight] * len(ids), strict=True)
    _insert(con, "INSERT INTO rate_limits VALUES (?,?,?,?)", limits)
    active = np.flatnonzero(ledger.last_us >= 0)
    last = _naive_utc_iso_us(ledger.last_us[active])
    volume = np.round(ledger.volume[active], 2).tolist()
    picked = active.tolist()
    _insert(con, "UPDATE users SET last_active = ? WHERE user_id = ?",
            zip(last, (ids[i] for i in picked), strict=False))  # fmt: skip
    _insert(con, "UPDATE wallets SET last_used = ?, total_traded_usd = ? WHERE wallet_id = ?",
            zip(last, volume, (wallet_ids[i] for i in picked), strict=False))  # fmt: skip


def _deployed_holdings(con: sqlite3.Connection, ctx: _Ctx, ledger: _Ledger) -> None:
    """positions: (user, token) pairs whose newest completed transaction was a BUY."""
    held = np.flatnonzero(ledger.pair_seen & ledger.pair_buy)
    user, sym = held // len(TOKENS), held % len(TOKENS)
    usd, when = ledger.pair_usd[held], ledger.pair_us[held]
    scale = _DEC_SCALE[sym]
    qty = np.rint(usd / ctx.prices.at(sym, when / 1e6) * scale) / scale
    ids = np.array(ctx.users.telegram_ids, dtype=np.int64)[user].tolist()
    rows = zip(ids, _SYMBOLS[sym].tolist(), qty.tolist(), usd.tolist(), _naive_utc_iso_us(when), strict=True)
    _insert(con, "INSERT INTO positions VALUES (?,?,?,?,?)", rows)


def _load_deployed(con: sqlite3.Connection, ctx: _Ctx) -> None:
    con.executescript(DEPLOYED_DDL)
    wallet_ids = _wallet_ids(ctx)
    _deployed_people(con, ctx, wallet_ids)
    key = _id_key(ctx.seed, 3)
    midnight = datetime.fromtimestamp(ctx.clock.end, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    ledger = _Ledger(ctx.spec.users, int(midnight.timestamp()) * 1_000_000)
    for lo, hi in _chunks(ctx.spec.trades):
        _insert(con, _TX_SQL, _tx_rows(ctx, lo, hi, key, wallet_ids, ledger))
        ctx.progress(f"transactions {hi}/{ctx.spec.trades}")
    _deployed_books(con, ctx, ledger, wallet_ids)
    _deployed_holdings(con, ctx, ledger)
