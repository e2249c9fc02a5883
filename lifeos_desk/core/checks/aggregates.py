"""Aggregates: the deployed bot's derived tables recomputed from ``transactions`` with its own definitions.

The definitions are ``PublicUserManager.record_trade`` in the bot's
``core/public_user_manager.py``: every transactions row counts in
``total_trades`` and ``total_volume_usd`` whatever its status (the bot never
sets one); a row with ``pnl_usd > 0`` is a win, ``< 0`` a loss;
``win_rate = winning / total_trades * 100``; ``best_trade_usd`` and
``worst_trade_usd`` start at 0. ``rate_limits.trades_today`` counts the BUYs
since ``last_reset`` (``increment_trade_count`` is called after each BUY
only). Fees follow ``core/fee_distribution.py``: 0.5% of a winning close's
PnL, split 75/5/20. All per-row work is one GROUP BY pass in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..schema import SchemaKind
from .arithmetic import near
from .context import AuditContext, parse_time
from .finding import Finding, Severity, finding

_PAIRS = """
SELECT user_id, symbol, COUNT(*), TOTAL(pnl_usd > 0), TOTAL(pnl_usd < 0), TOTAL(pnl_usd), TOTAL(amount_usd),
       MAX(pnl_usd), MIN(pnl_usd), TOTAL(CASE WHEN action = 'BUY' THEN amount_usd END), TOTAL(action = 'BUY')
FROM transactions GROUP BY user_id, symbol
"""
_STATS = ("total_trades", "winning_trades", "losing_trades", "total_pnl_usd", "total_volume_usd", "win_rate",
          "best_trade_usd", "worst_trade_usd")


def _deployed(ctx: AuditContext) -> Path | None:
    found = ctx.users_db()
    if found is None or found[1] is not SchemaKind.DEPLOYED:
        return None
    return found[0]


def _pairs(ctx: AuditContext, path: Path) -> list[tuple[Any, ...]]:
    """One GROUP BY (user, symbol) pass over transactions, shared by user_stats and positions."""

    def make() -> list[tuple[Any, ...]]:
        with ctx.read(path) as con:
            return con.execute(_PAIRS).fetchall()

    rows: list[tuple[Any, ...]] = ctx._cached(f"pairs:{path}", make)
    return rows


def _per_user(pairs: list[tuple[Any, ...]]) -> dict[int, dict[str, float]]:
    users: dict[int, dict[str, float]] = {}
    for uid, _sym, n, w, lo, pnl, vol, best, worst, _b, _bn in pairs:
        u = users.setdefault(uid, {"total_trades": 0, "winning_trades": 0, "losing_trades": 0, "total_pnl_usd": 0.0,
                                   "total_volume_usd": 0.0, "best_trade_usd": 0.0, "worst_trade_usd": 0.0})
        u["total_trades"] += n
        u["winning_trades"] += w
        u["losing_trades"] += lo
        u["total_pnl_usd"] += pnl
        u["total_volume_usd"] += vol
        u["best_trade_usd"] = max(u["best_trade_usd"], best or 0.0)
        u["worst_trade_usd"] = min(u["worst_trade_usd"], worst or 0.0)
    for u in users.values():
        u["win_rate"] = u["winning_trades"] / u["total_trades"] * 100 if u["total_trades"] else 0.0
    return users


def user_stats(ctx: AuditContext) -> list[Finding]:
    """user_stats against transactions, plus one note on what the bot's win rate and averages mean."""
    path = _deployed(ctx)
    if path is None or "user_stats" not in ctx.tables(path):
        return []
    with ctx.read(path) as con:
        stored = con.execute(STATS_SQL).fetchall()
    return user_stats_findings(str(path), _pairs(ctx, path), stored)


STATS_SQL = f"SELECT user_id, {', '.join(_STATS)} FROM user_stats"


def user_stats_findings(store: str, pairs: list[tuple[Any, ...]], stats: list[tuple[Any, ...]]) -> list[Finding]:
    """The comparison itself, over rows read elsewhere (``_PAIRS``' and ``STATS_SQL``'s; also over PostgreSQL)."""
    computed = _per_user(pairs)
    stored = {r[0]: dict(zip(_STATS, r[1:], strict=True)) for r in stats}
    stores = (f"{store}:user_stats", f"{store}:transactions")
    out = [finding("aggregates.user_stats", Severity.INFO, stores, (), "win rate over closed trades",
                   "winning_trades / total_trades × 100, BUYs included",
                   "The bot's win_rate counts every BUY in its denominator and its avg_win_usd/avg_loss_usd divide "
                   "the running total PnL, so both understate or misstate performance.")]
    empty = {k: 0.0 for k in _STATS}
    for uid in sorted(stored.keys() | computed.keys(), key=str):
        have, want = stored.get(uid), computed.get(uid, empty)
        if have is None:
            out.append(finding("aggregates.user_stats", Severity.ERROR, stores, (uid,), "a user_stats row",
                               "none", "A user with transactions has no statistics, so the bot shows none."))
            continue
        bad = [k for k in _STATS if not near(float(have[k] or 0.0), want[k], 0.011 if "trades" not in k else 0.0)]
        if bad:
            out.append(finding("aggregates.user_stats", Severity.ERROR, stores, (uid,),
                               ", ".join(f"{k}={want[k]:.6g}" for k in bad),
                               ", ".join(f"{k}={have[k]}" for k in bad),
                               "The user's statistics do not add up from their transactions."))
    return out


def positions(ctx: AuditContext) -> list[Finding]:
    """positions rows against the BUYs they were built from."""
    path = _deployed(ctx)
    if path is None or "positions" not in ctx.tables(path):
        return []
    with ctx.read(path) as con:
        rows = con.execute(POSITIONS_SQL).fetchall()
    return positions_findings(str(path), _pairs(ctx, path), rows)


POSITIONS_SQL = "SELECT user_id, symbol, quantity, cost_basis_usd FROM positions"


def positions_findings(store: str, pairs: list[tuple[Any, ...]], rows: list[tuple[Any, ...]]) -> list[Finding]:
    """Each holding against its BUYs, over rows read elsewhere (``_PAIRS``' and ``POSITIONS_SQL``'s)."""
    buys = {(r[0], r[1]): (r[9], r[10]) for r in pairs}
    stores = (f"{store}:positions", f"{store}:transactions")
    out = []
    for uid, sym, qty, cost in rows:
        usd, n = buys.get((uid, sym), (0.0, 0))
        if not n:
            out.append(finding("aggregates.positions", Severity.ERROR, stores, (uid, sym), "at least one BUY",
                               "no BUY transaction", "A holding no BUY ever paid for points nowhere."))
        elif (cost or 0.0) > usd + 0.011 or (cost or 0.0) < 0 or (qty or 0.0) < 0:
            out.append(finding("aggregates.positions", Severity.ERROR, stores, (uid, sym),
                               f"0 <= cost_basis_usd <= {usd:.2f} (all BUYs)", f"cost_basis_usd={cost}, quantity={qty}",
                               "The cost basis exceeds everything the user paid for this token."))
    return out


def rate_limits(ctx: AuditContext) -> list[Finding]:
    """rate_limits.trades_today against the BUYs since last_reset (counters older than a day are reset lazily)."""
    path = _deployed(ctx)
    if path is None or "rate_limits" not in ctx.tables(path):
        return []
    with ctx.read(path) as con:
        live = live_limits(ctx.now, con.execute(LIMITS_SQL).fetchall())
        if not live:
            return []
        recent = con.execute("SELECT user_id, executed_at FROM transactions WHERE action = 'BUY' AND executed_at >= ?",
                             (limits_cut(live),)).fetchall()
    return rate_limits_findings(str(path), live, recent)


LIMITS_SQL = "SELECT user_id, trades_today, last_reset FROM rate_limits"
Live = dict[Any, tuple[Any, datetime | None]]


def live_limits(now: datetime, limits: list[tuple[Any, ...]]) -> Live:
    """The counters reset within the last day: user -> (trades_today, last_reset)."""
    return {uid: (n, parse_time(reset)) for uid, n, reset in limits
            if (t := parse_time(reset)) is not None and now - t <= timedelta(days=1)}


def limits_cut(live: Live) -> str:
    """The oldest live reset, as the naive UTC text the deployed bot stores (the BUYs to read start there)."""
    return min(t for _, t in live.values() if t is not None).replace(tzinfo=None).isoformat()


def rate_limits_findings(store: str, live: Live, recent: list[tuple[Any, ...]]) -> list[Finding]:
    """Each live counter against the BUYs since its reset (rows read elsewhere)."""
    counts: dict[int, int] = defaultdict(int)
    for uid, when in recent:
        entry, t = live.get(uid, (None, None)), parse_time(when)
        if entry[1] is not None and t is not None and t >= entry[1]:
            counts[uid] += 1
    stores = (f"{store}:rate_limits", f"{store}:transactions")
    return [finding("aggregates.rate_limits", Severity.WARNING, stores, (uid,), f"trades_today = {counts[uid]}", n,
                    "The daily trade counter differs from the BUYs since its reset, so the limit is enforced wrongly.")
            for uid, (n, _t) in sorted(live.items()) if (n or 0) != counts[uid]]
