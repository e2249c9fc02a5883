"""The treasury's trade history as ``pnl.Trades``: which entries count, their times (UTC) and PnL."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from lifeos_desk.core import pnl
from lifeos_desk.core.pnl_sources import closed_count, trades_from_history
from lifeos_desk.core.trading.records import Position, parse_position


def _entry(pid: str, symbol: str, status: str, closed_at: str | None, pnl_usd: float | None) -> Position:
    parsed = parse_position({"id": pid, "token_symbol": symbol, "status": status, "closed_at": closed_at,
                             "pnl_usd": pnl_usd, "opened_at": "2026-03-01T10:00:00"})
    assert parsed is not None
    return parsed


def test_closed_entries_count_with_utc_times_and_the_rest_is_reported() -> None:
    records = [
        _entry("a", "WIF", "CLOSED", "2026-03-02T23:30:00", 10.0),
        _entry("b", "BONK", "CLOSED", "2026-03-01T12:00:00", -4.0),
        _entry("c", "WIF", "CANCELLED", None, 0.0),
        _entry("d", "BONK", "CLOSED", None, 3.0),  # closed without a time
        _entry("e", "POPCAT", "CLOSED", "2026-03-03T01:00:00", None),  # closed without a PnL
        _entry("f", "WIF", "OPEN", None, 1.0),
    ]
    trades = trades_from_history(records)
    assert len(trades) == 6 and closed_count(trades) == 4
    assert trades.symbols == ("WIF", "BONK", "POPCAT")
    assert trades.time[0] == datetime(2026, 3, 2, 23, 30, tzinfo=UTC).timestamp()  # naive text is UTC
    assert math.isnan(trades.time[3]) and math.isnan(trades.pnl[4])
    fig = pnl.compute(trades, UTC)
    assert fig.headline.trade_count == 2 and fig.headline.net_pnl == 6.0
    assert list(fig.series.trades.rowid) == [1, 0]  # in time order
    assert (fig.series.open_count, fig.series.undated_count, fig.series.unpriced_count) == (2, 1, 1)
    assert fig.days.day.tolist() == [20513, 20514]  # 2026-03-01 and 03-02 in UTC


def test_no_history_is_no_trades() -> None:
    trades = trades_from_history([])
    assert len(trades) == 0 and pnl.compute(trades, UTC).empty
