"""Appending new trades writes only the new rows; what was handed out before never changes (issue 18)."""

from __future__ import annotations

from datetime import UTC

import numpy as np

from lifeos_desk.core import pnl
from lifeos_desk.core.pnl_live import extend
from lifeos_desk.core.trades_merge import grow, member, merge


def _trades(times: list[float], first_rowid: int, symbols: tuple[str, ...] = ("BONK",)) -> pnl.Trades:
    n = len(times)
    return pnl.Trades.build(np.arange(first_rowid, first_rowid + n), times, [1.0 + i for i in range(n)],
                            [1] * n, [0] * n, [True] * n, symbols)


def test_grow_writes_into_spare_room_and_keeps_older_views() -> None:
    a = grow(np.arange(5, dtype=np.int64), [5, 6])
    b = grow(a, [7])
    assert b.tolist() == list(range(8)) and np.shares_memory(a, b)  # no copy: written behind a
    assert a.tolist() == list(range(7))
    c = grow(a, [99])  # a is no longer the longest view: growing it copies and leaves b alone
    assert c.tolist() == [*range(7), 99] and b.tolist() == list(range(8)) and not np.shares_memory(b, c)
    assert grow(b, []) is b


def test_grow_with_a_mask_drops_rows_in_one_copy() -> None:
    a = np.arange(6, dtype=np.float64)
    out = grow(a, [10.0], keep=np.array([True, False, True, True, False, True]))
    assert out.tolist() == [0.0, 2.0, 3.0, 5.0, 10.0] and a.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_merge_appends_later_rows_without_copying_the_held_ones() -> None:
    held = merge(_trades([1.0, 2.0, 3.0], 1), _trades([4.0], 4))
    more = merge(held, _trades([5.0, 5.0], 5))
    assert more.rowid.tolist() == [1, 2, 3, 4, 5, 6] and np.shares_memory(held.time, more.time)
    assert held.rowid.tolist() == [1, 2, 3, 4]  # the older Trades is unchanged
    earlier = merge(more, _trades([0.5], 7))  # sorts first: inserted, everything else kept in order
    assert earlier.rowid.tolist() == [7, 1, 2, 3, 4, 5, 6] and more.rowid.tolist() == [1, 2, 3, 4, 5, 6]
    moved = merge(more, _trades([9.0], 2), np.array([2], dtype=np.int64))  # row 2 closed later: it moves last
    assert moved.rowid.tolist() == [1, 3, 4, 5, 6, 2] and moved.time.tolist() == [1.0, 3.0, 4.0, 5.0, 5.0, 9.0]
    new_symbol = merge(more, _trades([6.0], 8, ("AAA",)))
    assert [new_symbol.symbol_name(int(c)) for c in new_symbol.symbol] == ["BONK"] * 6 + ["AAA"]


def test_many_extends_in_a_row_equal_one_compute() -> None:
    """Figures grown in place update after update (spare room reused) still equal computing them again."""
    rng = np.random.default_rng(7)
    held = pnl.Trades.build(np.arange(1, 301), np.sort(rng.uniform(1.7e9, 1.7e9 + 86_400, 300)),
                            np.round(rng.normal(0, 9, 300), 2), rng.integers(1, 4, 300), np.zeros(300), [True] * 300,
                            ("BONK",))
    fig = pnl.compute(held, UTC)
    for step in range(5):
        t = float(held.time[-1])
        add = pnl.Trades.build([1000 + step * 2, 1001 + step * 2], [t + 10, t + 20], [3.5, -1.25], [1, 2], [0, 0],
                               [True, True], ("BONK",))
        grown = extend(fig, add, pnl.Trades.empty(), UTC)
        assert grown is not None
        held = merge(held, add)
        fig = grown
    again = pnl.compute(held, UTC)
    assert np.allclose(fig.curve.cumulative, again.curve.cumulative) and np.allclose(fig.wall, again.wall)
    assert np.array_equal(fig.days.trade_day, again.days.trade_day)
    assert fig.headline.trade_count == again.headline.trade_count == 310


def test_member_agrees_with_isin_for_few_many_and_sparse_ids() -> None:
    rng = np.random.default_rng(3)
    values = rng.permutation(np.arange(1, 20_001, dtype=np.int64))
    for wanted in ([], [7], list(range(5, 25)), rng.integers(1, 30_000, 3000).tolist(), [3, 1 << 60, 19_999]):
        assert np.array_equal(member(values, wanted), np.isin(values, wanted))
