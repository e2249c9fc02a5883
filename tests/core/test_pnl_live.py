"""Extending figures by new trades gives what computing them all again gives (issue 18)."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

import numpy as np
import pytest

from lifeos_desk.core import pnl
from lifeos_desk.core.pnl_live import extend
from lifeos_desk.core.trades_merge import merge


def _trades(n: int, seed: int, t0: float, first_rowid: int, symbols: tuple[str, ...]) -> pnl.Trades:
    rng = np.random.default_rng(seed)
    time = np.sort(t0 + rng.uniform(0, 5 * 86_400, n))
    return pnl.Trades.build(np.arange(first_rowid, first_rowid + n), time, np.round(rng.normal(0, 50, n), 2),
                            rng.integers(1, 4, n), rng.integers(0, len(symbols), n), rng.random(n) < 0.8, symbols)


def _same(a: pnl.Figures, b: pnl.Figures) -> None:
    assert np.array_equal(a.series.trades.rowid, b.series.trades.rowid)
    assert [a.series.trades.symbol_name(int(c)) for c in a.series.trades.symbol] == \
        [b.series.trades.symbol_name(int(c)) for c in b.series.trades.symbol]
    assert np.allclose(a.curve.cumulative, b.curve.cumulative) and np.allclose(a.curve.drawdown, b.curve.drawdown)
    assert (a.curve.peak_index, a.curve.trough_index) == (b.curve.peak_index, b.curve.trough_index)
    for name in ("net_pnl", "gross_profit", "gross_loss", "max_drawdown", "best", "worst"):
        assert getattr(a.headline, name) == pytest.approx(getattr(b.headline, name))
    assert (a.headline.trade_count, a.headline.wins, a.headline.losses) == \
        (b.headline.trade_count, b.headline.wins, b.headline.losses)
    assert np.array_equal(a.days.day, b.days.day) and np.allclose(a.days.pnl, b.days.pnl)
    assert np.array_equal(a.days.count, b.days.count) and np.array_equal(a.days.wins, b.days.wins)
    assert np.array_equal(a.days.trade_day, b.days.trade_day) and np.allclose(a.wall, b.wall)
    assert a.tokens.name == b.tokens.name and np.allclose(a.tokens.pnl, b.tokens.pnl)
    assert np.array_equal(a.tokens.count, b.tokens.count)
    assert a.histogram.counts.sum() + a.histogram.below + a.histogram.above == len(a.series)
    assert a.notes == b.notes


@pytest.mark.parametrize("tz", [UTC, timezone(timedelta(hours=-5))])
def test_extending_equals_computing_again(tz: timezone) -> None:
    held = _trades(2000, 1, 1.7e9, 1, ("BONK", "JUP", "WIF"))
    fig = pnl.compute(held, tz)
    later = float(held.time.max())
    added = _trades(40, 2, later, 5000, ("AAA", "BONK", "ZZZ"))  # new symbols sort before and after
    extended = extend(fig, added, pnl.Trades.empty(), tz)
    assert extended is not None
    _same(extended, pnl.compute(merge(held, added), tz))


def test_a_changed_counted_trade_or_an_earlier_one_needs_a_full_compute() -> None:
    held = _trades(500, 3, 1.7e9, 1, ("BONK",))
    fig = pnl.compute(held, UTC)
    counted = held.take(np.flatnonzero(held.realised)[:1])
    assert extend(fig, counted, counted, UTC) is None
    earlier = _trades(3, 4, 1.6e9, 900, ("BONK",))
    assert extend(fig, earlier, pnl.Trades.empty(), UTC) is None


def test_an_open_trade_closing_moves_from_the_notes_into_the_figures() -> None:
    held = _trades(300, 5, 1.7e9, 1, ("BONK",))
    open_one = held.take(np.flatnonzero(~held.realised)[:1])
    fig = pnl.compute(held, UTC)
    closed = pnl.Trades.build(open_one.rowid, [held.time.max() + 60], [12.5], open_one.user, open_one.symbol,
                              [True], open_one.symbols)
    extended = extend(fig, closed, open_one, UTC)
    assert extended is not None
    _same(extended, pnl.compute(merge(held, closed, open_one.rowid), UTC))
