"""Trade PnL figures from arrays of trades, vectorised, without Qt.

The charts area (issue 6) shows what FreqUI and Hummingbot show their users:
cumulative realised PnL, daily PnL, drawdown, the PnL distribution, PnL by
token, win rate and trade count over time, and a headline row. Everything here
is numpy over whole arrays (a million trades in tens of milliseconds); nothing
loops per trade in Python, so the tests can check each figure against an
independent per-trade computation.

Conventions, chosen once so every chart agrees:

- A trade counts when it is *realised* (closed, or an executed sell) and both
  its PnL and its realisation time are known. Open trades, trades without a
  PnL (a closed ADR trade whose ``exit_price`` is NULL) and trades whose time
  could not be parsed are counted and reported, never silently mixed in.
- Win = PnL > 0, loss = PnL < 0; a break-even trade counts in the trade count
  and the win-rate denominator (FreqUI's ``winrate = wins / closed trades``).
- Drawdown is measured on cumulative PnL from a starting equity of 0 USD:
  ``drawdown_i = cum_i - max(0, cum_0..cum_i)`` (so an all-losing history is
  all drawdown). The maximum drawdown is the most negative value, located by
  the peak trade (or the start) and the trough trade.
- Times are epoch seconds (UTC). Days and time axes use *wall-clock seconds*
  (epoch + the zone's UTC offset at that instant), so local days follow
  daylight-saving changes exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
CodeArray = npt.NDArray[np.int32]

DAY = 86_400
HOUR = 3_600


def _f(values: object) -> FloatArray:
    return np.ascontiguousarray(values, dtype=np.float64)


def _i(values: object) -> IntArray:
    return np.ascontiguousarray(values, dtype=np.int64)


@dataclass(frozen=True)
class Trades:
    """Columns of trades, one element per trade (the loader gives them in time order, ties by rowid).

    ``time`` is the realisation time (close / execution) in epoch seconds,
    NaN when unknown; ``pnl`` is USD, NaN when unknown; ``symbol`` indexes
    ``symbols``; ``rowid`` identifies the row in the database (for "show these
    trades" links).
    """

    rowid: IntArray
    time: FloatArray
    pnl: FloatArray
    user: IntArray
    symbol: CodeArray
    realised: BoolArray
    symbols: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.rowid)
        for name in ("time", "pnl", "user", "symbol", "realised"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"trade column {name!r} has {len(getattr(self, name))} values, expected {n}")

    @classmethod
    def build(cls, rowid: object, time: object, pnl: object, user: object, symbol: object,
              realised: object, symbols: tuple[str, ...] = ()) -> Trades:
        """Trades from any array-likes (lists in tests, loader arrays), converted to the column dtypes."""
        return cls(rowid=_i(rowid), time=_f(time), pnl=_f(pnl), user=_i(user),
                   symbol=np.ascontiguousarray(symbol, dtype=np.int32),
                   realised=np.ascontiguousarray(realised, dtype=np.bool_), symbols=tuple(symbols))

    @classmethod
    def empty(cls) -> Trades:
        """No trades at all."""
        return cls.build([], [], [], [], [], [])

    def __len__(self) -> int:
        return len(self.rowid)

    def take(self, index: npt.NDArray[np.intp] | BoolArray) -> Trades:
        """The trades at these positions (or where the mask is true)."""
        return Trades(self.rowid[index], self.time[index], self.pnl[index], self.user[index],
                      self.symbol[index], self.realised[index], self.symbols)

    def symbol_name(self, code: int) -> str:
        """The token symbol for a code ("?" when out of range)."""
        return self.symbols[code] if 0 <= code < len(self.symbols) else "?"


def select(trades: Trades, user: int | None = None, start: float | None = None,
           end: float | None = None) -> Trades:
    """Trades of one user (None: all) realised in ``[start, end)`` (epoch seconds; None: open-ended).

    A trade without a known time is kept only when no date range is set.
    """
    mask = np.ones(len(trades), dtype=np.bool_)
    if user is not None:
        mask &= trades.user == user
    if start is not None:
        mask &= trades.time >= start
    if end is not None:
        mask &= trades.time < end
    return trades if bool(mask.all()) else trades.take(mask)


# -- time zones ----------------------------------------------------------------
def _offset_at(epoch: float, tz: tzinfo | None) -> float:
    """UTC offset in seconds of ``tz`` (None: this machine's zone) at one instant."""
    try:
        moment = datetime.fromtimestamp(epoch, tz=UTC)
        offset = moment.astimezone(tz).utcoffset()
    except (OverflowError, OSError, ValueError):
        return 0.0
    return offset.total_seconds() if offset is not None else 0.0


def _group(keys: FloatArray) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Distinct keys and each element's group, without sorting when the keys are already ascending."""
    if len(keys) and bool((keys[1:] >= keys[:-1]).all()):
        change = np.flatnonzero(keys[1:] != keys[:-1]) + 1
        inverse = np.zeros(len(keys), dtype=np.intp)
        inverse[change] = 1
        return keys[np.concatenate(([0], change))], np.cumsum(inverse)
    uniq, inverse = np.unique(keys, return_inverse=True)
    return uniq, inverse


def _offsets_by(t: FloatArray, tz: tzinfo | None, units: tuple[float, ...]) -> FloatArray:
    """Offsets of finite times: asked once per distinct ``units[0]`` span, refined where a span changes."""
    if not units:
        return np.array([_offset_at(float(v), tz) for v in t], dtype=np.float64)
    unit = units[0]
    uniq, inverse = _group(np.floor(t / unit))
    at_start = np.array([_offset_at(k * unit, tz) for k in uniq], dtype=np.float64)
    at_end = np.array([_offset_at(k * unit + unit - 1, tz) for k in uniq], dtype=np.float64)
    offs = at_start[inverse]
    changing = (at_start != at_end)[inverse]
    if changing.any():
        idx = np.flatnonzero(changing)
        offs[idx] = _offsets_by(t[idx], tz, units[1:])
    return offs


def utc_offsets(times: FloatArray, tz: tzinfo | None) -> FloatArray:
    """The UTC offset (seconds) of ``tz`` at each time; None means this machine's zone.

    Asks the zone once per distinct day (about 700 calls for a year of
    trades), then per hour and per minute only inside days where the offset
    changes, and per trade only inside the minute of a transition, so
    daylight-saving changes (including half-hour zones) are exact. NaN times get 0.
    """
    out = np.zeros(len(times), dtype=np.float64)
    if tz is UTC or len(times) == 0:
        return out
    finite = np.isfinite(times)
    t = times[finite]
    if len(t):
        out[finite] = _offsets_by(t, tz, (float(DAY), float(HOUR), 60.0))
    return out


def wall_clock(times: FloatArray, tz: tzinfo | None) -> FloatArray:
    """Epoch seconds shifted to wall-clock seconds in ``tz`` (what a time axis shows)."""
    return times + utc_offsets(times, tz)


# -- the realised series -----------------------------------------------------------
@dataclass(frozen=True)
class Realised:
    """The trades that count, sorted by realisation time, with what was left out."""

    trades: Trades
    open_count: int
    unpriced_count: int
    undated_count: int

    @property
    def pnl(self) -> FloatArray:
        """PnL of each counted trade in time order."""
        return self.trades.pnl

    def __len__(self) -> int:
        return len(self.trades)


def realised(trades: Trades) -> Realised:
    """Keep realised trades with a known PnL and time, in time order (ties keep input order)."""
    priced = np.isfinite(trades.pnl)
    dated = np.isfinite(trades.time)
    keep = trades.realised & priced & dated
    kept = trades if bool(keep.all()) else trades.take(keep)
    if len(kept) > 1 and not bool((kept.time[1:] >= kept.time[:-1]).all()):
        kept = kept.take(np.argsort(kept.time, kind="stable"))  # the loader sorts; other callers may not
    return Realised(
        trades=kept,
        open_count=int((~trades.realised).sum()),
        unpriced_count=int((trades.realised & ~priced).sum()),
        undated_count=int((trades.realised & priced & ~dated).sum()),
    )


# -- headline ---------------------------------------------------------------------
@dataclass(frozen=True)
class Headline:
    """The row of figures above the charts.

    ``win_rate`` is a fraction (None without trades); ``profit_factor`` is
    gross profit / gross loss (inf with profits and no loss, None when both are 0);
    ``max_drawdown`` is <= 0 USD.
    """

    net_pnl: float
    trade_count: int
    wins: int
    losses: int
    win_rate: float | None
    gross_profit: float
    gross_loss: float
    profit_factor: float | None
    max_drawdown: float
    best: float | None
    worst: float | None


def headline(series: Realised, max_drawdown: float) -> Headline:
    """Net PnL, win rate, profit factor, trade count, best/worst trade."""
    pnl = series.pnl
    n = len(pnl)
    wins = int((pnl > 0).sum())
    losses = int((pnl < 0).sum())
    gross_profit = float(pnl[pnl > 0].sum())
    gross_loss = float(-pnl[pnl < 0].sum())
    if gross_loss > 0:
        factor: float | None = gross_profit / gross_loss
    else:
        factor = float("inf") if gross_profit > 0 else None
    return Headline(
        net_pnl=float(pnl.sum()), trade_count=n, wins=wins, losses=losses,
        win_rate=wins / n if n else None, gross_profit=gross_profit, gross_loss=gross_loss,
        profit_factor=factor, max_drawdown=max_drawdown,
        best=float(pnl.max()) if n else None, worst=float(pnl.min()) if n else None,
    )


# -- cumulative and drawdown --------------------------------------------------------
@dataclass(frozen=True)
class Drawdown:
    """Drawdown per trade (<= 0) and where the deepest one starts and ends.

    ``peak_index`` is -1 when the deepest drawdown starts from the initial 0
    USD (before the first trade); both indexes are -1 when there is no drawdown.
    """

    cumulative: FloatArray
    drawdown: FloatArray
    max_drawdown: float
    peak_index: int
    trough_index: int


def drawdown(pnl: FloatArray) -> Drawdown:
    """Cumulative PnL and its drawdown from the running peak (start equity 0 USD)."""
    cum = np.cumsum(pnl)
    if len(cum) == 0:
        return Drawdown(cum, cum.copy(), 0.0, -1, -1)
    peak = np.maximum.accumulate(np.maximum(cum, 0.0))
    dd = cum - peak
    trough = int(np.argmin(dd))
    worst = float(dd[trough])
    if worst >= 0:
        return Drawdown(cum, dd, 0.0, -1, -1)
    level = peak[trough]
    before = np.flatnonzero(cum[: trough + 1] == level)
    peak_index = int(before[-1]) if len(before) and level > 0 else -1
    return Drawdown(cum, dd, worst, peak_index, trough)


# -- per day ------------------------------------------------------------------------
@dataclass(frozen=True)
class Daily:
    """Per calendar day (in the chosen zone): day numbers and sums.

    ``day`` counts days since 1970-01-01 in that zone, ascending;
    ``trade_day`` is the day of each trade of the realised series (for "show
    the trades of this day").
    """

    day: IntArray
    pnl: FloatArray
    count: IntArray
    wins: IntArray
    trade_day: IntArray

    @property
    def win_rate(self) -> FloatArray:
        """Wins / trades per day, as a fraction."""
        return self.wins / np.maximum(self.count, 1)

    @property
    def cumulative_win_rate(self) -> FloatArray:
        """Wins / trades up to and including each day, as a fraction."""
        return np.cumsum(self.wins) / np.maximum(np.cumsum(self.count), 1)


def daily(series: Realised, tz: tzinfo | None, wall: FloatArray | None = None) -> Daily:
    """Sum PnL, count trades and wins per day of the zone (UTC: ``datetime.UTC``).

    ``wall`` is the series' wall-clock times in ``tz`` when already computed.
    """
    pnl = series.pnl
    walls = wall_clock(series.trades.time, tz) if wall is None else wall
    days = np.floor(walls / DAY).astype(np.int64)
    wins = (pnl > 0).astype(np.int64)
    if len(days) and bool((np.diff(days) >= 0).all()):
        # Sorted times give ascending days: contiguous runs, summed without sorting.
        starts = np.concatenate(([0], np.flatnonzero(np.diff(days)) + 1))
        count = np.diff(np.append(starts, len(days))).astype(np.int64)
        return Daily(days[starts], np.add.reduceat(pnl, starts), count, np.add.reduceat(wins, starts), days)
    # A zone that falls back at midnight repeats an hour of the previous day: group in general.
    uniq, inverse = np.unique(days, return_inverse=True)
    return Daily(uniq.astype(np.int64), _f(np.bincount(inverse, weights=pnl, minlength=len(uniq))),
                 np.bincount(inverse, minlength=len(uniq)).astype(np.int64),
                 np.bincount(inverse, weights=wins, minlength=len(uniq)).astype(np.int64), days)


# -- distribution -------------------------------------------------------------------
@dataclass(frozen=True)
class Histogram:
    """PnL per trade in equal bins with an edge at 0 USD; the 0.5 % tails on each side are counted apart.

    Clipping the extreme tails keeps one whale trade from squashing every other
    bar into one; ``below``/``above`` say how many trades lie outside.
    """

    edges: FloatArray
    counts: IntArray
    below: int
    above: int

    def bin_of(self, pnl: FloatArray) -> IntArray:
        """The bin index of each PnL (-1 below the first edge, len(counts) above the last).

        Bins are ``[edge_i, edge_i+1)``, the last one closed. Arithmetic guess,
        then corrected against the edges themselves (what numpy.histogram does),
        so the result is exact and needs no search.
        """
        edges, n = self.edges, len(self.counts)
        width = (edges[-1] - edges[0]) / n
        guess = np.floor((pnl - edges[0]) / width).astype(np.int64)
        idx = np.clip(guess, 0, n - 1)
        idx -= pnl < edges[idx]
        idx += (pnl >= edges[np.minimum(idx + 1, n)]) & (idx < n - 1)
        idx[pnl < edges[0]] = -1
        idx[pnl > edges[-1]] = n
        return np.asarray(idx, dtype=np.int64)


def distribution(pnl: FloatArray, bins: int = 60, tail: float = 0.5) -> Histogram:
    """Histogram of PnL per trade; see ``Histogram``."""
    if len(pnl) == 0:
        return Histogram(np.array([-1.0, 1.0]), np.zeros(1, dtype=np.int64), 0, 0)
    lo, hi = (float(v) for v in np.percentile(pnl, [tail, 100 - tail]))
    if hi - lo <= 0:
        lo, hi = lo - 1.0, hi + 1.0
    width = (hi - lo) / bins
    first, last = np.floor(lo / width), np.ceil(hi / width)
    edges = np.arange(first, last + 1) * width
    shell = Histogram(edges, np.zeros(len(edges) - 1, dtype=np.int64), 0, 0)
    index = shell.bin_of(pnl)  # the same rule that finds a clicked bar's trades
    counts = np.bincount(index + 1, minlength=len(edges) + 1).astype(np.int64)
    return Histogram(edges, counts[1:-1], int(counts[0]), int(counts[-1]))


# -- by token ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TokenPnl:
    """Net PnL, trade count and wins per token symbol (code), best first."""

    code: CodeArray
    name: tuple[str, ...]
    pnl: FloatArray
    count: IntArray
    wins: IntArray

    def winners(self, top: int) -> TokenPnl:
        """The ``top`` tokens with the largest positive net PnL, best first."""
        keep = np.flatnonzero(self.pnl > 0)[:top]
        return self._take(keep)

    def losers(self, top: int) -> TokenPnl:
        """The ``top`` tokens with the most negative net PnL, worst first."""
        keep = np.flatnonzero(self.pnl < 0)[::-1][:top]
        return self._take(keep)

    def _take(self, idx: npt.NDArray[np.intp]) -> TokenPnl:
        return TokenPnl(self.code[idx], tuple(self.name[i] for i in idx), self.pnl[idx], self.count[idx],
                        self.wins[idx])


def by_token(series: Realised) -> TokenPnl:
    """Group the realised trades by token symbol."""
    tr = series.trades
    size = max(len(tr.symbols), int(tr.symbol.max()) + 1 if len(tr) else 0)
    codes = tr.symbol.astype(np.intp)
    if len(codes) and int(codes.min()) < 0:  # an unknown symbol: one "?" group after the known ones
        codes = np.where(codes < 0, size, codes)
        size += 1
    pnl = _f(np.bincount(codes, weights=tr.pnl, minlength=size))
    count = np.bincount(codes, minlength=size).astype(np.int64)
    wins = np.bincount(codes, weights=(tr.pnl > 0), minlength=size).astype(np.int64)
    present = np.flatnonzero(count > 0)
    order = present[np.lexsort((present, -pnl[present]))]  # best first; ties by code
    return TokenPnl(order.astype(np.int32), tuple(tr.symbol_name(int(c)) for c in order), pnl[order], count[order],
                    wins[order])


# -- everything at once ---------------------------------------------------------------
@dataclass(frozen=True)
class Figures:
    """Every figure the trade charts show, for one selection of trades and one zone."""

    series: Realised
    wall: FloatArray
    curve: Drawdown
    headline: Headline
    days: Daily
    histogram: Histogram
    tokens: TokenPnl
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """No trade counts: the charts show a message instead of an empty plot."""
        return len(self.series) == 0


def explain(series: Realised) -> list[str]:
    """Plain-language notes about what was left out of the figures."""
    notes = []
    if series.open_count:
        notes.append(f"{series.open_count:,} row(s) that realise no PnL (open, buys, pending, failed) not counted")
    if series.unpriced_count:
        notes.append(f"{series.unpriced_count:,} closed trade(s) without a PnL (no exit price) left out")
    if series.undated_count:
        notes.append(f"{series.undated_count:,} trade(s) with an unreadable time left out")
    return notes


def compute(trades: Trades, tz: tzinfo | None, user: int | None = None, start: float | None = None,
            end: float | None = None, bins: int = 60) -> Figures:
    """All figures for the trades of ``user`` in ``[start, end)``, days and axes in ``tz``."""
    series = realised(select(trades, user, start, end))
    curve = drawdown(series.pnl)
    wall = wall_clock(series.trades.time, tz)
    return Figures(
        series=series, wall=wall, curve=curve,
        headline=headline(series, curve.max_drawdown), days=daily(series, tz, wall),
        histogram=distribution(series.pnl, bins), tokens=by_token(series), notes=explain(series),
    )
