"""Each PnL figure against an independent per-trade Python computation.

The generated trades include shorts (PnL from falling prices), open trades,
closed trades without an exit price, equal timestamps, and trades closed near
midnight so that Tokyo's, New York's and UTC's calendar days disagree.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from lifeos_desk.core import pnl as P

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
EPOCH_DAY = date(1970, 1, 1).toordinal()


@dataclass
class Row:
    rowid: int
    time: float | None
    pnl: float | None
    user: int
    symbol: int
    realised: bool


def _generate(n: int, seed: int = 7) -> list[Row]:
    rnd = random.Random(seed)
    # 2026-03-06 .. 2026-03-10 crosses the US daylight-saving change (2026-03-08).
    base = datetime(2026, 3, 6, tzinfo=UTC).timestamp()
    rows: list[Row] = []
    for i in range(n):
        # A third of the trades close within 40 minutes of some zone's midnight.
        if rnd.random() < 0.33:
            midnight = base + rnd.randrange(5) * 86_400 + rnd.choice([0, -9 * 3600, 5 * 3600, 4 * 3600])
            t: float | None = midnight + rnd.uniform(-2400, 2400)
        else:
            t = base + rnd.uniform(0, 5 * 86_400)
        if rnd.random() < 0.05 and i > 0:
            t = rows[-1].time  # equal timestamps keep input order
        entry = rnd.uniform(0.5, 2.0)
        exit_price: float | None = entry * rnd.uniform(0.7, 1.3)
        amount = rnd.uniform(10, 500)
        short = rnd.random() < 0.3
        state = rnd.random()
        realised = state > 0.1  # 10 % still open
        if realised and state < 0.15:
            exit_price = None  # closed, but the exit price was never written
        if exit_price is None:
            p: float | None = None
        else:
            p = (exit_price - entry) / entry * amount * (-1 if short else 1)
        if rnd.random() < 0.01:
            t = None  # unreadable time
        rows.append(Row(i + 1, t, p, rnd.randrange(4), rnd.randrange(6), realised))
    return rows


def _trades(rows: list[Row]) -> P.Trades:
    return P.Trades.build(
        [r.rowid for r in rows], [math.nan if r.time is None else r.time for r in rows],
        [math.nan if r.pnl is None else r.pnl for r in rows], [r.user for r in rows],
        [r.symbol for r in rows], [r.realised for r in rows], tuple(f"T{i}" for i in range(6)),
    )


def _counted(rows: list[Row]) -> list[Row]:
    kept = [r for r in rows if r.realised and r.pnl is not None and r.time is not None]
    return sorted(kept, key=lambda r: (r.time, r.rowid))


def _day(t: float, tz: tzinfo | None) -> int:
    moment = datetime.fromtimestamp(t, tz=UTC)
    return (moment.astimezone(tz) if tz else moment).date().toordinal() - EPOCH_DAY


ROWS = _generate(3000)


def test_realised_series_keeps_counted_trades_in_time_order() -> None:
    series = P.realised(_trades(ROWS))
    expect = _counted(ROWS)
    assert series.trades.rowid.tolist() == [r.rowid for r in expect]
    assert series.open_count == sum(not r.realised for r in ROWS)
    assert series.unpriced_count == sum(r.realised and r.pnl is None for r in ROWS)
    assert series.undated_count == sum(r.realised and r.pnl is not None and r.time is None for r in ROWS)
    assert series.open_count > 0 and series.unpriced_count > 0 and series.undated_count > 0


def test_headline_matches_per_trade_sums() -> None:
    fig = P.compute(_trades(ROWS), UTC)
    counted = _counted(ROWS)
    pnls = [r.pnl for r in counted if r.pnl is not None]
    wins = sum(p > 0 for p in pnls)
    profit = sum(p for p in pnls if p > 0)
    loss = -sum(p for p in pnls if p < 0)
    h = fig.headline
    assert h.trade_count == len(pnls)
    assert h.net_pnl == pytest.approx(sum(pnls), abs=1e-6)
    assert h.wins == wins and h.losses == sum(p < 0 for p in pnls)
    assert h.win_rate == pytest.approx(wins / len(pnls))
    assert h.profit_factor == pytest.approx(profit / loss)
    assert h.best == pytest.approx(max(pnls)) and h.worst == pytest.approx(min(pnls))


def _python_drawdown(pnls: list[float]) -> tuple[list[float], float, int, int]:
    equity = peak = 0.0
    peak_at, worst, worst_peak, worst_at = -1, 0.0, -1, -1
    series = []
    for i, p in enumerate(pnls):
        equity += p
        if equity >= peak and equity > 0:
            peak, peak_at = equity, i
        dd = equity - peak
        series.append(dd)
        if dd < worst:
            worst, worst_peak, worst_at = dd, peak_at, i
    return series, worst, worst_peak, worst_at


def test_drawdown_and_its_location() -> None:
    fig = P.compute(_trades(ROWS), UTC)
    pnls = [r.pnl for r in _counted(ROWS) if r.pnl is not None]
    series, worst, peak_at, trough_at = _python_drawdown(pnls)
    np.testing.assert_allclose(fig.curve.cumulative, np.cumsum(pnls), atol=1e-6)
    np.testing.assert_allclose(fig.curve.drawdown, series, atol=1e-6)
    assert fig.curve.max_drawdown == pytest.approx(worst, abs=1e-6)
    assert fig.headline.max_drawdown == fig.curve.max_drawdown < 0
    assert (fig.curve.peak_index, fig.curve.trough_index) == (peak_at, trough_at)


@pytest.mark.parametrize("tz", [UTC, TOKYO, NEW_YORK], ids=["utc", "tokyo", "new-york"])
def test_daily_pnl_by_calendar_day_of_the_zone(tz: ZoneInfo) -> None:
    fig = P.compute(_trades(ROWS), tz)
    sums: dict[int, float] = defaultdict(float)
    counts: dict[int, int] = defaultdict(int)
    wins: dict[int, int] = defaultdict(int)
    for r in _counted(ROWS):
        assert r.time is not None and r.pnl is not None
        d = _day(r.time, tz)
        sums[d] += r.pnl
        counts[d] += 1
        wins[d] += r.pnl > 0
    days = sorted(sums)
    assert fig.days.day.tolist() == days
    np.testing.assert_allclose(fig.days.pnl, [sums[d] for d in days], atol=1e-6)
    assert fig.days.count.tolist() == [counts[d] for d in days]
    assert fig.days.wins.tolist() == [wins[d] for d in days]
    cum_wins = np.cumsum([wins[d] for d in days]) / np.cumsum([counts[d] for d in days])
    np.testing.assert_allclose(fig.days.cumulative_win_rate, cum_wins)


def test_zones_really_disagree_about_days() -> None:
    """Guard for the test above: the generated trades do straddle midnights."""
    tr = _counted(ROWS)
    differ = sum(_day(r.time, TOKYO) != _day(r.time, UTC) for r in tr if r.time is not None)
    assert differ > 100
    utc_days = P.compute(_trades(ROWS), UTC).days.pnl
    tokyo_days = P.compute(_trades(ROWS), TOKYO).days.pnl
    assert utc_days.tolist() != tokyo_days.tolist()


def _offset_s(t: float, zone: tzinfo) -> float:
    """The zone's UTC offset at the epoch second t, in seconds, the slow exact way."""
    offset = datetime.fromtimestamp(t, tz=UTC).astimezone(zone).utcoffset()
    assert offset is not None
    return offset.total_seconds()


def test_wall_clock_follows_daylight_saving() -> None:
    times = np.array([datetime(2026, 3, 8, h, 30, tzinfo=UTC).timestamp() for h in range(24)])
    walls = P.wall_clock(times, NEW_YORK)
    expect = [t + _offset_s(t, NEW_YORK) for t in times]
    assert walls.tolist() == expect
    assert len(set(np.diff(walls - times))) == 2  # the offset changed once that day


def test_half_hour_transition_is_exact() -> None:
    lord_howe = ZoneInfo("Australia/Lord_Howe")  # moves by 30 minutes, at 15:00 UTC
    t0 = datetime(2026, 4, 4, 14, 0, tzinfo=UTC).timestamp()
    times = t0 + np.arange(0, 7200, 60, dtype=np.float64)
    got = P.utc_offsets(times, lord_howe)
    expect = [_offset_s(t, lord_howe) for t in times]
    assert got.tolist() == expect


def test_distribution_counts_every_trade_once() -> None:
    fig = P.compute(_trades(ROWS), UTC, bins=40)
    h = fig.histogram
    pnls = [r.pnl for r in _counted(ROWS) if r.pnl is not None]
    assert 0.0 in h.edges.tolist() or h.edges[0] > 0 or h.edges[-1] < 0
    widths = np.diff(h.edges)
    np.testing.assert_allclose(widths, widths[0])
    counts = [0] * len(h.counts)
    below = above = 0
    for p in pnls:
        if p < h.edges[0]:
            below += 1
        elif p > h.edges[-1]:
            above += 1
        else:
            i = min(int(np.searchsorted(h.edges, p, side="right")) - 1, len(counts) - 1)
            counts[i] += 1
    assert h.counts.tolist() == counts
    assert (h.below, h.above) == (below, above)
    assert 0 < below + above <= 0.02 * len(pnls)
    assert h.bin_of(np.array(pnls)).tolist().count(3) == counts[3]


def test_by_token_winners_and_losers() -> None:
    fig = P.compute(_trades(ROWS), UTC)
    sums: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for r in _counted(ROWS):
        assert r.pnl is not None
        sums[f"T{r.symbol}"] += r.pnl
        counts[f"T{r.symbol}"] += 1
    ranked = sorted(sums, key=lambda s: -sums[s])
    assert list(fig.tokens.name) == ranked
    np.testing.assert_allclose(fig.tokens.pnl, [sums[s] for s in ranked], atol=1e-6)
    assert fig.tokens.count.tolist() == [counts[s] for s in ranked]
    assert list(fig.tokens.winners(2).name) == [s for s in ranked if sums[s] > 0][:2]
    assert list(fig.tokens.losers(2).name) == [s for s in reversed(ranked) if sums[s] < 0][:2]


def test_user_and_date_range_selection() -> None:
    start = datetime(2026, 3, 7, tzinfo=UTC).timestamp()
    end = datetime(2026, 3, 9, tzinfo=UTC).timestamp()
    fig = P.compute(_trades(ROWS), UTC, user=2, start=start, end=end)
    expect = [r for r in _counted(ROWS) if r.user == 2 and r.time is not None and start <= r.time < end]
    assert fig.series.trades.rowid.tolist() == [r.rowid for r in expect]
    assert fig.headline.net_pnl == pytest.approx(sum(r.pnl for r in expect if r.pnl is not None))


# -- degenerate inputs: sensible figures, never an exception ---------------------------------
@pytest.mark.parametrize("tz", [UTC, None, TOKYO])
def test_empty(tz: ZoneInfo | None) -> None:
    fig = P.compute(P.Trades.empty(), tz)
    assert fig.empty
    h = fig.headline
    assert (h.net_pnl, h.trade_count, h.win_rate, h.profit_factor, h.max_drawdown) == (0.0, 0, None, None, 0.0)
    assert len(fig.days.day) == 0 and fig.histogram.counts.sum() == 0 and len(fig.tokens.name) == 0
    assert fig.notes == []


def test_one_trade() -> None:
    fig = P.compute(P.Trades.build([9], [1.7e9], [12.5], [1], [0], [True], ("BONK",)), UTC)
    h = fig.headline
    assert (h.net_pnl, h.trade_count, h.win_rate, h.profit_factor, h.max_drawdown) == (12.5, 1, 1.0, math.inf, 0.0)
    assert fig.histogram.counts.sum() == 1 and fig.days.count.tolist() == [1]
    assert fig.tokens.name == ("BONK",)


def test_all_losing() -> None:
    pnls = [-5.0, -2.0, -3.0]
    fig = P.compute(P.Trades.build([1, 2, 3], [1.7e9, 1.7e9 + 1, 1.7e9 + 2], pnls, [1] * 3, [0, 1, 1], [True] * 3,
                                   ("A", "B")), UTC)
    h = fig.headline
    assert (h.win_rate, h.profit_factor, h.max_drawdown) == (0.0, 0.0, -10.0)
    assert (fig.curve.peak_index, fig.curve.trough_index) == (-1, 2)  # from the start, down to the last trade
    assert fig.tokens.winners(5).name == () and fig.tokens.losers(5).name == ("B", "A")


def test_only_null_exit_prices_and_open_trades() -> None:
    fig = P.compute(P.Trades.build([1, 2, 3], [1.7e9] * 3, [math.nan, math.nan, 0.0], [1] * 3, [0] * 3,
                                   [True, True, False], ("A",)), UTC)
    assert fig.empty
    assert fig.notes == ["1 row(s) that realise no PnL (open, buys, pending, failed) not counted",
                         "2 closed trade(s) without a PnL (no exit price) left out"]


def test_break_even_only() -> None:
    fig = P.compute(P.Trades.build([1, 2], [1.7e9, 1.7e9 + 5], [0.0, 0.0], [1, 1], [0, 0], [True, True]), UTC)
    h = fig.headline
    assert (h.win_rate, h.profit_factor, h.max_drawdown, h.trade_count) == (0.0, None, 0.0, 2)
    assert fig.histogram.counts.sum() == 2
    assert fig.tokens.name == ("?",)


def test_unknown_symbol_code_groups_apart() -> None:
    fig = P.compute(P.Trades.build([1, 2], [1.7e9, 1.7e9 + 5], [1.0, 2.0], [1, 1], [-1, 0], [True, True], ("A",)),
                    UTC)
    assert sorted(fig.tokens.name) == ["?", "A"]


def test_mismatched_columns_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="'pnl' has 1 values, expected 2"):
        P.Trades.build([1, 2], [1.0, 2.0], [1.0], [1, 1], [0, 0], [True, True])


class _BackwardsZone(tzinfo):
    """+02:00 until SWITCH, then +00:00: at 01:00 local the clock goes back to 23:00 of the day before."""

    SWITCH = datetime(2026, 5, 1, 23, 0, tzinfo=UTC)  # 01:00 on May 2 at +02:00

    def utcoffset(self, dt: datetime | None) -> timedelta:
        assert dt is not None
        wall = dt.replace(tzinfo=UTC, fold=0)
        if wall < self.SWITCH:  # before 23:00 May 1 local
            return timedelta(hours=2)
        if wall < self.SWITCH + timedelta(hours=2):  # the repeated two hours
            return timedelta(0) if dt.fold else timedelta(hours=2)
        return timedelta(0)

    def fromutc(self, dt: datetime) -> datetime:
        utc = dt.replace(tzinfo=UTC)
        if utc < self.SWITCH:
            return dt + timedelta(hours=2)
        repeated = utc < self.SWITCH + timedelta(hours=2)
        return dt.replace(fold=1 if repeated else 0)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "+02 then +00"


def test_zone_going_back_across_midnight_still_groups_by_day() -> None:
    zone = _BackwardsZone()
    t0 = (_BackwardsZone.SWITCH - timedelta(hours=2)).timestamp()
    times = t0 + np.arange(0, 4 * 3600, 900, dtype=np.float64)
    walls = P.wall_clock(times, zone)
    assert (np.diff(np.floor(walls / 86_400)) < 0).any()  # the day number really goes back
    n = len(times)
    fig = P.compute(P.Trades.build(range(n), times, np.arange(n) - 3.0, [1] * n, [0] * n, [True] * n), zone)
    counts: dict[int, int] = defaultdict(int)
    sums: dict[int, float] = defaultdict(float)
    for i, t in enumerate(times):
        d = datetime.fromtimestamp(float(t), tz=UTC).astimezone(zone).date().toordinal() - EPOCH_DAY
        counts[d] += 1
        sums[d] += i - 3.0
    assert fig.days.day.tolist() == sorted(counts)
    assert fig.days.count.tolist() == [counts[d] for d in sorted(counts)]
    assert fig.days.pnl.tolist() == [sums[d] for d in sorted(counts)]


def test_histogram_bins_are_exact_at_every_edge() -> None:
    values = np.array([-3.0, -1.0, 0.0, 0.0, 1.0, 2.5, 3.0, 0.1 + 0.2])
    h = P.distribution(values, bins=7, tail=0.0)
    n = len(h.counts)
    assert h.bin_of(h.edges[:-1]).tolist() == list(range(n))  # a value on an edge opens the next bin
    assert h.bin_of(h.edges[-1:]).tolist() == [n - 1]  # the last edge closes the last bin
    assert h.bin_of(np.array([h.edges[0] - 1e-9, h.edges[-1] + 1e-9])).tolist() == [-1, n]
    expect = [sum(1 for v in values if lo <= v < hi or (i == n - 1 and v == hi))
              for i, (lo, hi) in enumerate(zip(h.edges[:-1], h.edges[1:], strict=True))]
    assert h.counts.tolist() == expect and h.counts.sum() == len(values)
    assert 0.0 in h.edges.tolist()
