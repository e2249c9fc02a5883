"""Sources of trades for ``core/pnl``: the treasury's trade history, as the same columns the database gives.

The Charts area draws the public users' transactions (db/trades_query.py)
and, beside them, the treasury's own trades from
``<checkout>/data/trader/trade_history.json`` (docs/data-formats.md,
'Positions and trade history'). Both become :class:`pnl.Trades`, so every
figure — headline, cumulative PnL, drawdown, daily PnL, by token — comes
from the one aggregation code in ``core/pnl.py``.

Mapping, from ``Position.to_dict()`` of the bot's
``bots/treasury/trading/types.py``:

- realised: ``status`` is CLOSED. PENDING/OPEN hold no realised PnL, and
  CANCELLED/FAILED never traded; they are counted as "realise no PnL" by
  ``pnl.explain``, never mixed in.
- time: ``closed_at`` (naive ISO text that is UTC, docs/data-formats.md,
  'Timestamps'), as epoch seconds; NaN when absent or unreadable.
- pnl: ``pnl_usd``; NaN when absent.
- rowid: the entry's position in the file; user: 0 (the treasury is one
  account); symbol: ``token_symbol`` (the parser gives UNKNOWN for none).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .pnl import Trades
from .trading.records import Position

TREASURY_USER = 0


def trades_from_history(records: Sequence[Position]) -> Trades:
    """The trade history's entries as ``Trades`` columns, in file order (``pnl.realised`` sorts by time)."""
    symbols: dict[str, int] = {}
    codes: list[int] = []
    times: list[float] = []
    pnls: list[float] = []
    realised: list[bool] = []
    for record in records:
        codes.append(symbols.setdefault(record.token_symbol, len(symbols)))
        times.append(record.closed_at.timestamp() if record.closed_at is not None else math.nan)
        pnls.append(record.pnl_usd if record.pnl_usd is not None else math.nan)
        realised.append(record.status.upper() == "CLOSED")
    n = len(codes)
    return Trades.build(rowid=list(range(n)), time=times, pnl=pnls, user=[TREASURY_USER] * n, symbol=codes,
                        realised=realised, symbols=tuple(symbols))


def closed_count(trades: Trades) -> int:
    """Closed trades in the history (counted or not: a closed trade without PnL or time is reported apart)."""
    return int(trades.realised.sum())


__all__ = ["TREASURY_USER", "closed_count", "trades_from_history"]
