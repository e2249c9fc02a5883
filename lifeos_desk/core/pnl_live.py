"""Extending computed figures by newly realised trades, without recomputing a million (issue 18).

``pnl.compute`` over a million trades takes 0.1–0.3 s; a bot commit brings a
handful of rows. When the new trades that count all come after the last one
counted (the bot realises trades now, so its new trades sort last), every
figure extends: the cumulative curve and its running peak continue, the
headline sums add up, the last day's bucket grows, the histogram bins the
new trades into its existing edges (outside them they count as tails, as the
histogram's own rule says), and tokens add their sums. Anything else (a
counted trade changed, a new trade earlier than the last) returns None and
the caller computes everything again from the held arrays.
"""

from __future__ import annotations

from datetime import tzinfo

import numpy as np

from .pnl import (
    DAY,
    Daily,
    Drawdown,
    Figures,
    FloatArray,
    Headline,
    Histogram,
    Realised,
    TokenPnl,
    Trades,
    by_token,
    explain,
    realised,
    select,
    wall_clock,
)
from .trades_merge import grow, merge


def _curve(old: Drawdown, pnl: FloatArray) -> Drawdown:
    n = len(old.cumulative)
    base = float(old.cumulative[-1]) if n else 0.0
    peak_before = float(old.cumulative[-1] - old.drawdown[-1]) if n else 0.0
    cum_add = base + np.cumsum(pnl)
    peak_add = np.maximum.accumulate(np.maximum(cum_add, peak_before))
    dd_add = cum_add - peak_add
    cum = grow(old.cumulative, cum_add)  # appended into spare room: no copy of the million points held
    dd = grow(old.drawdown, dd_add)
    trough = int(np.argmin(dd_add)) if len(dd_add) else 0
    if len(dd_add) == 0 or float(dd_add[trough]) >= old.max_drawdown:
        return Drawdown(cum, dd, old.max_drawdown, old.peak_index, old.trough_index)
    trough += n
    level = float(cum[trough] - dd[trough])
    before = np.flatnonzero(cum[: trough + 1] == level)
    peak_index = int(before[-1]) if len(before) and level > 0 else -1
    return Drawdown(cum, dd, float(dd[trough]), peak_index, trough)


def _headline(old: Headline, pnl: FloatArray, max_drawdown: float) -> Headline:
    n = old.trade_count + len(pnl)
    wins = old.wins + int((pnl > 0).sum())
    losses = old.losses + int((pnl < 0).sum())
    profit = old.gross_profit + float(pnl[pnl > 0].sum())
    loss = old.gross_loss + float(-pnl[pnl < 0].sum())
    factor: float | None = profit / loss if loss > 0 else (float("inf") if profit > 0 else None)
    best = max([v for v in (old.best, float(pnl.max()) if len(pnl) else None) if v is not None], default=None)
    worst = min([v for v in (old.worst, float(pnl.min()) if len(pnl) else None) if v is not None], default=None)
    return Headline(net_pnl=old.net_pnl + float(pnl.sum()), trade_count=n, wins=wins, losses=losses,
                    win_rate=wins / n if n else None, gross_profit=profit, gross_loss=loss, profit_factor=factor,
                    max_drawdown=max_drawdown, best=best, worst=worst)


def _daily(old: Daily, wall: FloatArray, pnl: FloatArray) -> Daily | None:
    days = np.floor(wall / DAY).astype(np.int64)
    if len(days) == 0:
        return old
    if bool((np.diff(days) < 0).any()) or (len(old.day) and int(days[0]) < int(old.day[-1])):
        return None  # a zone falling back at midnight: the general grouping
    starts = np.concatenate(([0], np.flatnonzero(np.diff(days)) + 1))
    count = np.diff(np.append(starts, len(days))).astype(np.int64)
    sums = np.add.reduceat(pnl, starts)
    wins = np.add.reduceat((pnl > 0).astype(np.int64), starts)
    day, dpnl, dcount, dwins = days[starts], sums, count, wins
    if len(old.day) and int(day[0]) == int(old.day[-1]):
        head_pnl, head_count, head_wins = old.pnl.copy(), old.count.copy(), old.wins.copy()
        head_pnl[-1] += dpnl[0]
        head_count[-1] += dcount[0]
        head_wins[-1] += dwins[0]
        return Daily(np.concatenate([old.day, day[1:]]), np.concatenate([head_pnl, dpnl[1:]]),
                     np.concatenate([head_count, dcount[1:]]), np.concatenate([head_wins, dwins[1:]]),
                     grow(old.trade_day, days))
    return Daily(np.concatenate([old.day, day]), np.concatenate([old.pnl, dpnl]),
                 np.concatenate([old.count, dcount]), np.concatenate([old.wins, dwins]),
                 grow(old.trade_day, days))


def _histogram(old: Histogram, pnl: FloatArray) -> Histogram:
    index = old.bin_of(pnl)
    n = len(old.counts)
    counts = old.counts + np.bincount(index[(index >= 0) & (index < n)], minlength=n).astype(np.int64)
    return Histogram(old.edges, counts, old.below + int((index < 0).sum()), old.above + int((index >= n).sum()))


def _tokens(old: TokenPnl, add: Realised, symbols: tuple[str, ...]) -> TokenPnl:
    """Sum per token by name (codes may have moved when a new symbol arrived), best first."""
    new = by_token(add)
    sums: dict[str, list[float]] = {name: [float(p), float(c), float(w)]
                                    for name, p, c, w in zip(old.name, old.pnl, old.count, old.wins, strict=True)}
    for name, p, c, w in zip(new.name, new.pnl, new.count, new.wins, strict=True):
        acc = sums.setdefault(name, [0.0, 0.0, 0.0])
        acc[0] += float(p)
        acc[1] += float(c)
        acc[2] += float(w)
    where = {n: i for i, n in enumerate(symbols)}
    names = list(sums)
    codes = np.array([where.get(n, len(symbols)) for n in names], dtype=np.int32)
    pnl = np.array([sums[n][0] for n in names], dtype=np.float64)
    order = np.lexsort((codes, -pnl))
    return TokenPnl(codes[order], tuple(names[i] for i in order), pnl[order],
                    np.array([sums[names[i]][1] for i in order], dtype=np.int64),
                    np.array([sums[names[i]][2] for i in order], dtype=np.int64))


def extend(fig: Figures, added: Trades, dropped: Trades, tz: tzinfo | None, user: int | None = None,
           start: float | None = None, end: float | None = None) -> Figures | None:
    """``fig`` plus the ``added`` rows (new versions of ``dropped`` ones among them), or None to recompute."""
    add = realised(select(added, user, start, end))
    gone = realised(select(dropped, user, start, end))
    old = fig.series
    if fig.empty and len(add):
        return None  # the first counted trades: histogram edges and everything from scratch
    if len(gone) or (len(add) and len(old) and float(add.trades.time[0]) < float(old.trades.time[-1])):
        return None
    trades = merge(old.trades, add.trades) if len(add) else old.trades
    series = Realised(trades, old.open_count + add.open_count - gone.open_count,
                      old.unpriced_count + add.unpriced_count - gone.unpriced_count,
                      old.undated_count + add.undated_count - gone.undated_count)
    wall_add = wall_clock(add.trades.time, tz)
    days = _daily(fig.days, wall_add, add.pnl)
    if days is None:
        return None
    curve = _curve(fig.curve, add.pnl)
    histogram = _histogram(fig.histogram, add.pnl) if len(add) else fig.histogram
    return Figures(series=series, wall=grow(fig.wall, wall_add), curve=curve,
                   headline=_headline(fig.headline, add.pnl, curve.max_drawdown), days=days,
                   histogram=histogram, tokens=_tokens(fig.tokens, add, trades.symbols), notes=explain(series))
