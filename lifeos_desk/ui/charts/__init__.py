"""The charts area (issue 6): trade PnL and algorithm metrics.

``create_charts_area(session)`` is the area factory; shots.py holds the
states the README shows. See trades_tab.py, treasury_tab.py and
metrics_tab.py for the three tabs, core/pnl.py for the arithmetic and
db/trades_query.py for reading a million trades quickly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTabWidget, QWidget

from ...session import Session
from ..areas import AreaDefaults, ScreenshotState

if TYPE_CHECKING:
    from .treasury_tab import TreasuryTradesPanel


class ChartsArea(QTabWidget, AreaDefaults):
    """Three tabs: Trade PnL (the public users', when the schema has trades), Treasury trades, Algorithm metrics."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ..areas import NoticePanel
        from .metrics_tab import AlgorithmMetricsPanel

        self.setDocumentMode(True)
        self.trades = None
        domain, info = session.domain, session.info
        have = domain is not None and info is not None and session.database is not None and domain.trades in info.tables
        if have:
            assert domain is not None and info is not None
            from ...db.trades_query import missing_columns, trade_source
            from .trades_tab import TradePnlPanel

            missing = missing_columns(domain, info.tables[domain.trades])
            if missing:
                self.addTab(NoticePanel("Trade PnL", [
                    f"The PnL charts read <i>{', '.join(missing)}</i> from table <i>{domain.trades}</i>, "
                    "and this database's table has no such column(s)."]), "Trade PnL")
            else:
                self.trades = TradePnlPanel(session, trade_source(domain, info.tables[domain.trades]))
                self.addTab(self.trades, "Trade PnL")
        else:
            self.addTab(NoticePanel("Trade PnL", [
                "The PnL charts need the ADR-005 <i>trades</i> table or the deployed bot's <i>transactions</i> "
                "table.", f"This database's schema is <b>{session.schema.value}</b>."]), "Trade PnL")
        self.treasury = self._add_treasury_tab(session)
        self.metrics = AlgorithmMetricsPanel(session)
        self.addTab(self.metrics, "Algorithm metrics")

    def _add_treasury_tab(self, session: Session) -> TreasuryTradesPanel:
        """The treasury's own trades (trade_history.json) beside the public users' (treasury_tab.py)."""
        from ..trading import trading_paths
        from .treasury_tab import TreasuryTradesPanel

        panel = TreasuryTradesPanel(trading_paths(session), session.prefs, session.nav)
        self.addTab(panel, "Treasury trades")
        self.setTabToolTip(self.count() - 1, f"Source: {panel.file.path}")
        return panel

    def adopt_warm(self, work: object) -> None:
        """Take over the trade loader started a moment after start-up (prefetch.py)."""
        from .loader import TradeLoader

        if isinstance(work, TradeLoader) and self.trades is not None:
            self.trades.adopt(work)
        elif isinstance(work, TradeLoader):
            work.shutdown()

    def shutdown(self) -> None:
        """Stop the metrics poll and wait for background loads (the database closes next)."""
        self.metrics.poll.stop()
        self.treasury.shutdown()
        if self.trades is not None:
            self.trades.shutdown()

    def screenshot_states(self) -> Sequence[ScreenshotState]:
        """Trade PnL of all users, of one user, then the algorithm metrics."""
        from .shots import screenshot_states

        return screenshot_states(self)


def create_charts_area(session: Session) -> QWidget:
    """The area factory."""
    return ChartsArea(session)
