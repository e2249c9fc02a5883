"""Charts over PostgreSQL: the SQLite window's Trade PnL page, fed from the server.

The page is ``ui/charts/trades_tab.py``'s ``TradePnlPanel`` itself (user and
period selection, the headline, cumulative PnL, drawdown, daily PnL, the
distribution, win rate and trade count, PnL by token), drawn by the same
``core/pnl`` code; only its trade source differs: ``PgTradeLoader``
(charts_loader.py) reads the trades in bulk and then only the rows written
since (db/pg/trades_live.py), and a host of its own stands in for the
SQLite ``Session`` (ui/charts/host.py). Not here: the Treasury and
Algorithm metrics tabs, and opening the trades under a click in Tables.

As in the SQLite window (ui/area_host.py, WARM_DELAY_MS), the trades are
read a moment after the window opens and the page (pyqtgraph, six charts)
is built when the tab is first shown, so neither slows the first paint of
the tables. Times follow the View ▸ Times in UTC setting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...core.paths import AppDirs
from ...core.pgurl import PgParams
from ...core.schema import Domain
from ...core.settings import Settings
from ...db.pg import PgDatabase, PgError
from ...db.watcher import ChangeWatcher
from ...signals import Navigator, Prefs
from ..area_host import WARM_DELAY_MS
from ..charts.host import Connected

if TYPE_CHECKING:  # numpy, the readers and pyqtgraph load when the trades are first read or shown
    from ...core import pnl
    from ...db.trades_query import TradeSource
    from ..charts.trade_charts import Hit
    from ..charts.trades_tab import TradePnlPanel
    from .charts_loader import PgTradeLoader


@dataclass
class PgChartsHost:
    """The pieces of a ``Session`` the Trade PnL page uses (ui/charts/host.py), for the PostgreSQL window.

    No watcher (the window polls the server's change counter and tells the
    pane) and no database on the UI thread (the loader reads the names).
    """

    prefs: Prefs
    domain: Domain | None
    nav: Navigator = field(default_factory=Navigator)
    watcher: ChangeWatcher | None = None
    database: Connected | None = None


def headline_text(fig: pnl.Figures) -> str:
    """The headline as one line: net PnL, win rate, profit factor, max drawdown, trades."""
    from ..charts import style

    h = fig.headline
    return (f"Net PnL {style.money(h.net_pnl)} · win rate {style.percent(h.win_rate)} "
            f"({h.wins:,} won, {h.losses:,} lost) · profit factor {style.ratio(h.profit_factor)} · "
            f"max drawdown {style.money(h.max_drawdown, sign=False)} · {h.trade_count:,} closed trades")


def _panel_class() -> type[TradePnlPanel]:
    """The page, imported when first shown (pyqtgraph costs a fraction of a second)."""
    from ..charts.trades_tab import TradePnlPanel
    from .charts_loader import PgTradeLoader

    class PgTradePnlPanel(TradePnlPanel):
        """``TradePnlPanel`` on a PostgreSQL loader: names from the loader, no links into Tables."""

        def _read_names(self) -> dict[int, str]:
            return dict(self.loader.names) if isinstance(self.loader, PgTradeLoader) else {}

        def show_trades(self, hit: Hit) -> None:
            self.status.setText(f"{len(hit.positions):,} trade(s): {hit.text} (opening them in Tables is not "
                                "available over PostgreSQL yet)")

    return PgTradePnlPanel


class PgChartsPane(QWidget):
    """The Trade PnL page over PostgreSQL, or why there is none; built when first shown."""

    def __init__(self, params: PgParams, parent: QWidget | None = None, prefs: Prefs | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pgChartsPane")
        self._params = params
        self._prefs = prefs if prefs is not None else Prefs(Settings(AppDirs.default()), self)
        self.loader: PgTradeLoader | None = None
        self.panel: TradePnlPanel | None = None
        self.source: TradeSource | None = None
        self._domain: Domain | None = None
        self._started = False
        self.notice = QLabel("Reading the trades…", self)
        self.notice.setObjectName("pgChartsNotice")
        self.notice.setWordWrap(True)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.notice)
        QTimer.singleShot(WARM_DELAY_MS, self, self.start)

    @Slot()
    def start(self) -> None:
        """Find the trades table and start reading it (once; a moment after the window opened, or when shown)."""
        if self._started:
            return
        self._started = True
        from ...db.pg.trades import pg_trade_source, trades_table
        from ...db.trades_query import missing_columns, trade_source
        from .charts_loader import PgTradeLoader

        try:
            db = PgDatabase(self._params)
            try:
                found = trades_table(db, db.tables())
            finally:
                db.close()
        except PgError as exc:
            self.notice.setText(f"The trades could not be read: {exc}")
            return
        if found is None:
            self.notice.setText("No trades table of a known schema (ADR-005 or the deployed bot's) here.")
            return
        domain, table = found
        columns = [n for n, _t in table.columns]
        missing = missing_columns(domain, columns)
        if missing:
            self.notice.setText(f"The PnL charts read {', '.join(missing)} from table {table.label}, "
                                "and this table has no such column(s).")
            return
        self._domain = domain
        self.source = trade_source(domain, columns)
        self.loader = PgTradeLoader(self._params, pg_trade_source(domain, table), self.source, parent=self)
        self.loader.failed.connect(self.notice.setText)
        self.loader.request()

    def showEvent(self, event: QShowEvent) -> None:
        """Build the page the first time the tab is shown (and start reading if that had not begun)."""
        super().showEvent(event)
        self.start()
        if self.panel is None and self.loader is not None and self.source is not None:
            self._build()

    def _build(self) -> None:
        assert self.loader is not None and self.source is not None
        host = PgChartsHost(self._prefs, self._domain)
        self.panel = _panel_class()(host, self.source, parent=self, loader=self.loader)
        self.loader.failed.disconnect(self.notice.setText)
        self.notice.hide()
        self._layout.addWidget(self.panel, 1)
        if self.loader.last is not None:  # read before the tab was opened: only the drawing is left
            self.panel.on_loaded(self.loader.last)
            self.loader.request()

    def reload(self) -> None:
        """The server's change counter moved (the window polls it): read what changed, now or when shown."""
        if self.panel is not None:
            self.panel.on_database_changed()

    @property
    def figures(self) -> pnl.Figures | None:
        """What the page last drew (None before its first load)."""
        return self.panel.figures if self.panel is not None else None

    def shutdown(self) -> None:
        """Wait for a running read (before the window closes)."""
        if self.loader is not None:
            self.loader.shutdown()
