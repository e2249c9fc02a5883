"""Reading the trades before the Charts tab is first opened (``AreaSpec.warm``, issue 18).

A million trades take seconds to read; the Charts area is built only when
its tab is first shown (ui/area_host.py). So a moment after start-up the
trades are read in worker threads (the same TradeLoader the charts use),
and the area takes the loader over when the admin opens it: the first plot
then needs only the drawing. Importing this module costs numpy and the
reader, not pyqtgraph.
"""

from __future__ import annotations

from ...db.trades_query import TradeSource, missing_columns, trade_source
from ...session import Session
from .loader import TradeLoader


def charts_source(session: Session) -> TradeSource | None:
    """Where this session's trades are, or None when the charts cannot read them (they explain why)."""
    domain, info = session.domain, session.info
    if domain is None or info is None or session.database is None or domain.trades not in info.tables:
        return None
    if missing_columns(domain, info.tables[domain.trades]):
        return None
    return trade_source(domain, info.tables[domain.trades])


def prefetch_trades(session: Session) -> TradeLoader | None:
    """Start the first load of the trades in the background; None when there are none to read."""
    source = charts_source(session)
    if source is None:
        return None
    loader = TradeLoader(session.paths.db, source)
    loader.request()
    return loader
