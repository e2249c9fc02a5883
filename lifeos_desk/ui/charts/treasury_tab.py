"""The Treasury trades tab: the treasury's closed trades from its trade history file, charted live.

The public users' transactions (Trade PnL tab) and the treasury's own trades
(``<checkout>/data/trader/trade_history.json``, docs/data-formats.md,
'Positions and trade history') are different money, so each has its own tab
and each names its source on screen. The figures come from the same
``core/pnl.compute`` through ``core/pnl_sources.trades_from_history``; the
charts are the Trade PnL tab's own chart classes.

The file is replaced by rename on every write, so it is polled with
``os.stat`` every 2 s (docs/architecture.md, 'File watching is only a hint')
and read off the UI thread (``SerialReader`` over ``ui/tasks.run_task``).
``StateFile`` keeps the last complete read: a half-written file leaves the
charts as they were and the source line says so.
"""

from __future__ import annotations

import time
from datetime import UTC, tzinfo

import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ...core import pnl
from ...core.pnl_sources import closed_count, trades_from_history
from ...core.trading import Position, Snapshot, StateFile, TradingPaths, history_file
from ...signals import Navigator, Prefs
from ..trading.reads import SerialReader
from ..trading.watch import FilePoller
from . import style
from .headline import headline_figures
from .trade_charts import CumulativeChart, DailyChart, DrawdownChart, TokenChart, TradeChart
from .trades_tab import _PlotEvents

POLL_MS = 2000
HISTORY = "history"


class _FitLayout(QVBoxLayout):
    """A layout that reports no height-for-width, so a resizable QScrollArea fits it to the viewport.

    With height-for-width (the cards' word-wrapped captions) the scroll area
    sizes its widget to the layout's preferred height, about twice the
    window's, and only one row of cards would be in view.
    """

    def hasHeightForWidth(self) -> bool:
        """Never: the minimum size alone decides when scroll bars appear."""
        return False


class TreasuryTradesPanel(QWidget):
    """Headline figures and four charts of the treasury's closed trades, refreshed when the file is rewritten."""

    def __init__(self, paths: TradingPaths, prefs: Prefs | None = None, nav: Navigator | None = None,
                 parent: QWidget | None = None, *, poll_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.setObjectName("treasuryTrades")
        self.paths, self._prefs, self._nav = paths, prefs, nav
        self.file: StateFile[Position] = history_file(paths)
        self.trades = pnl.Trades.empty()
        self.records: tuple[Position, ...] = ()
        self.figures: pnl.Figures | None = None
        self.snapshot: Snapshot[Position] | None = None
        self.reads = 0
        self._reader = SerialReader(self)
        self._reader.finished.connect(self.on_read)
        self._poller = FilePoller(poll_ms, self)
        self._poller.changed.connect(self.on_file_changed)
        self._build()
        if prefs is not None:
            prefs.utcChanged.connect(self.on_utc_changed)
        self._poller.watch(self.file.path)
        self.reload()

    def _build(self) -> None:
        self.source = QLabel("Reading the treasury's trade history…")
        self.source.setObjectName("treasurySource")
        self.source.setWordWrap(True)
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice = QLabel()
        self.notice.setObjectName("treasuryNotice")
        self.notice.setWordWrap(True)
        for label in (self.source, self.notice):  # paths and file contents are text, never markup
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setStyleSheet("color:#b26a00;")
        self.notice.hide()
        (self.net, self.win_rate, self.factor, self.drawdown, self.count), heads = headline_figures(
            "Sum of pnl_usd of the treasury's closed trades", "Closed trades with PnL > 0 out of all closed trades")
        self.charts: list[TradeChart] = [CumulativeChart(), DrawdownChart(), DailyChart(), TokenChart()]
        grid = QGridLayout()
        grid.setSpacing(8)
        for i, chart in enumerate(self.charts):
            chart.card.setMinimumHeight(200)
            grid.addWidget(chart.card, i // 2, i % 2)
            for plot in chart.card.plots:
                events = _PlotEvents(chart, plot)
                events.clicked.connect(self.on_plot_clicked)
                events.hovered.connect(self.on_plot_hovered)
        inner = QWidget()
        inner_layout = _FitLayout(inner)
        inner_layout.setContentsMargins(0, 0, 0, 0)
        inner_layout.addLayout(heads)
        inner_layout.addLayout(grid, 1)
        self.body = QScrollArea()  # scrolls only below the cards' minimum size: the window stays resizable
        self.body.setWidgetResizable(True)
        self.body.setFrameShape(QFrame.Shape.NoFrame)
        self.body.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.addWidget(self.source)
        layout.addWidget(self.notice)
        layout.addWidget(self.body, 1)
        layout.addStretch(0)  # keeps the source and notice at the top while the charts are hidden

    # -- reading ------------------------------------------------------------------------
    @property
    def tz(self) -> tzinfo | None:
        """UTC or this machine's zone, as View ▸ Times in UTC says (the file's times are UTC)."""
        return UTC if self._prefs is not None and self._prefs.utc else None

    @Slot()
    def reload(self) -> None:
        """Read the history file now (on a worker)."""
        self._reader.submit(HISTORY, self._read)

    def _read(self) -> tuple[Snapshot[Position], pnl.Trades]:
        """Worker: the snapshot and its trades (parsing megabytes of JSON stays off the UI thread)."""
        snap = self.file.read()
        return snap, trades_from_history(snap.items)

    def busy(self) -> bool:
        """True while a read runs (tests wait for it)."""
        return self._reader.busy()

    @Slot(str)
    def on_file_changed(self, _path: str) -> None:
        """The file appeared, went or was rewritten."""
        self.reload()

    @Slot(str, object)
    def on_read(self, _key: str, result: object) -> None:
        """A finished read: redraw from its trades (a stale snapshot carries the last good ones)."""
        self.reads += 1
        if not isinstance(result, tuple):  # a reader bug: say so, keep what is shown
            self.notice.setText(f"Reading the trade history failed: {type(result).__name__}: {result}")
            self.notice.show()
            return
        snap, trades = result
        self.snapshot, self.records, self.trades = snap, snap.items, trades
        self.recompute()
        self._show_source(snap)

    def _show_source(self, snap: Snapshot[Position]) -> None:
        self.body.setVisible(not snap.missing)  # nothing to chart: the notice says what is needed
        if snap.missing:
            self.source.setText(f"Source: {snap.path} — not found.")
            self.notice.setText(self._missing_text(snap))
            self.notice.show()
            return
        shown = f" (shown from {snap.shown_from.name})" if snap.shown_from is not None else ""
        stamp = snap.good_at if snap.stale and snap.good_at is not None else snap.read_at
        when = time.strftime("%H:%M:%S", time.gmtime(stamp) if self.tz is UTC else time.localtime(stamp))
        read = f"last complete read {when}" if snap.stale else f"read {when}"
        notes = self.figures.notes if self.figures is not None else []
        self.source.setText(" · ".join([f"Source: {snap.path}{shown}, {closed_count(self.trades):,} closed trades, "
                                        f"{read}", *notes]))
        self.source.setToolTip("The treasury's own trades (trade_history.json of the bot checkout), not the "
                               "public users' transactions")
        self.notice.setText(snap.notice)
        self.notice.setVisible(bool(snap.notice))

    def _missing_text(self, snap: Snapshot[Position]) -> str:
        if self.paths.bot_dir is None:
            return ("No bot checkout is known, so only the legacy folder was looked in. The treasury writes its "
                    "trade history to <checkout>/data/trader/trade_history.json: give the checkout with "
                    "--bot-dir DIR or LIFEOS_BOT_DIR (or File ▸ Open data home).")
        return (f"{snap.path} does not exist yet. The treasury writes it when it closes its first trade; "
                "this tab shows it as soon as it appears.")

    # -- drawing ------------------------------------------------------------------------
    def recompute(self) -> None:
        """Every figure from core/pnl, then the headline and the charts."""
        fig = pnl.compute(self.trades, self.tz)
        self.figures = fig
        h = fig.headline
        self.net.set(style.money(h.net_pnl), f"profit {style.money(h.gross_profit, sign=False)} · "
                     f"loss {style.money(-h.gross_loss)}",
                     style.PROFIT if h.net_pnl > 0 else style.LOSS if h.net_pnl < 0 else None)
        self.win_rate.set(style.percent(h.win_rate), f"{h.wins:,} won · {h.losses:,} lost")
        self.factor.set(style.ratio(h.profit_factor), "above 1: more gained than lost")
        self.drawdown.set(style.money(h.max_drawdown, sign=False), "", style.LOSS if h.max_drawdown < 0 else None)
        best = f"best {style.money(h.best)} · worst {style.money(h.worst)}" if h.trade_count else "no closed trades"
        self.count.set(f"{h.trade_count:,}", best)
        for chart in self.charts:
            chart.show(fig, self.tz)
            caption = chart.card.caption.text().split(" Click")[0]  # their clicks open Tables rows
            if isinstance(chart, CumulativeChart):
                caption += " Click a point to open that trade in Trading state."
            chart.card.caption.setText(caption)

    @Slot(bool)
    def on_utc_changed(self, _utc: bool) -> None:
        """Days and axes follow the zone; the instants stay."""
        if self.snapshot is not None:
            self.recompute()
            self._show_source(self.snapshot)

    # -- interaction ----------------------------------------------------------------------
    def _hit_ids(self, chart: TradeChart, plot: pg.PlotWidget, x: float, y: float) -> tuple[str, list[str]]:
        hit = chart.hit(plot, x, y)
        if hit is None or self.figures is None:
            return "", []
        rows = self.figures.series.trades.rowid[hit.positions].tolist()
        return hit.text, [self.records[r].id for r in rows if 0 <= r < len(self.records)]

    @Slot(object, object, float, float)
    def on_plot_clicked(self, chart: TradeChart, plot: pg.PlotWidget, x: float, y: float) -> None:
        """One trade under the click: select it in the Trading state area's trade history."""
        if not isinstance(chart, CumulativeChart) or self._nav is None:
            return
        _text, ids = self._hit_ids(chart, plot, x, y)
        if len(ids) == 1:
            self._nav.show_trading("position", str(self.file.path), ids[0])

    @Slot(object, object, float, float)
    def on_plot_hovered(self, chart: TradeChart, plot: pg.PlotWidget, x: float, y: float) -> None:
        """Exact values under the pointer, as a tooltip."""
        hit = chart.hit(plot, x, y)
        if hit is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(QCursor.pos(), hit.text, plot)

    def shutdown(self) -> None:
        """Stop polling and wait for a running read; nothing is delivered afterwards."""
        self._poller.stop()
        self._reader.shutdown()
