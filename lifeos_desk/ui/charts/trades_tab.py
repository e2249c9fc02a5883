"""The Trade PnL tab: who and when, the headline figures, six charts, live.

Trades are loaded once (all users, all time) in a worker and filtered with
numpy, so changing the user or the dates is instant; the bot's commits
reload them in the background (loader.py) and the charts keep the admin's
zoom. Times follow View ▸ Times in UTC (``session.prefs``).
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, tzinfo

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QDate, QObject, QPointF, Qt, Signal, Slot
from PySide6.QtGui import QCursor, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ...core import pnl
from ...core.pnl_live import extend
from ...db.errors import DatabaseError
from ...db.trades_live import Update
from ...db.trades_query import TradeSource, pk_values, user_names
from ...session import Session
from . import style
from .fit import FitFirstRow
from .headline import headline_figures
from .host import ChartsHost
from .loader import Loaded, TradeLoader
from .sync import TimeSync
from .trade_charts import Hit, TradeChart, all_charts

MAX_LINKED_TRADES = 5000
PERIODS = (("All time", None), ("Last 24 hours", 1), ("Last 7 days", 7), ("Last 30 days", 30),
           ("Last 90 days", 90), ("Custom dates", -1))


class _PlotEvents(QObject):
    """Routes one plot's scene clicks and hovers to the panel with the chart and plot they belong to.

    Signals:
        clicked(object, object, float, float): chart, plot, x, y in data coordinates.
        hovered(object, object, float, float): likewise for the pointer position.
    """

    clicked = Signal(object, object, float, float)
    hovered = Signal(object, object, float, float)

    def __init__(self, chart: TradeChart, plot: pg.PlotWidget) -> None:
        super().__init__(plot)
        self.chart, self.plot = chart, plot
        plot.scene().sigMouseClicked.connect(self.on_click)
        plot.scene().sigMouseMoved.connect(self.on_move)

    def _to_view(self, scene_pos: QPointF) -> QPointF | None:
        vb = self.plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        point: QPointF = vb.mapSceneToView(scene_pos)
        return point

    @Slot(object)
    def on_click(self, event: object) -> None:
        """A click (not a drag) inside the plot area."""
        if getattr(event, "double", lambda: False)() or event.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        p = self._to_view(event.scenePos())  # type: ignore[attr-defined]
        if p is not None:
            self.clicked.emit(self.chart, self.plot, p.x(), p.y())

    @Slot(object)
    def on_move(self, scene_pos: QPointF) -> None:
        """Pointer moved over the plot."""
        p = self._to_view(scene_pos)
        if p is not None:
            self.hovered.emit(self.chart, self.plot, p.x(), p.y())


class TradePnlPanel(QWidget):
    """Headline figures and six trade charts for all users or one, over a date range."""

    def __init__(self, session: ChartsHost, source: TradeSource, workers: int = 2,
                 parent: QWidget | None = None, *, loader: TradeLoader | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.source = source
        self.trades = pnl.Trades.empty()
        self._user_ids = np.zeros(0, dtype=np.int64)
        self._names: dict[int, str] = {}
        self.figures: pnl.Figures | None = None
        self.loaded_once = False
        self.extended = 0  # updates drawn by extending the figures (not computing them again)
        self.redraws = 0  # times the six charts were given new data (an update that counted no trade gives none)
        self.stale = False
        self.last_load_s = 0.0
        self.last_compute_s = 0.0
        if loader is None:  # the SQLite file's own; the PostgreSQL window passes its loader (ui/pg/charts.py)
            assert isinstance(session, Session), "a host without a file passes its own loader"
            loader = TradeLoader(session.paths.db, source, workers, self)
        loader.setParent(self)
        self.loader = loader
        self._follow(self.loader)
        self._build()
        session.prefs.utcChanged.connect(self.on_utc_changed)
        if session.watcher is not None:
            session.watcher.changed.connect(self.on_database_changed)

    # -- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        self.user_box = QComboBox()
        self.user_box.setMinimumContentsLength(24)
        self.user_box.setToolTip("Whose trades: everyone's, or one user's")
        self.period_box = QComboBox()
        for label, days in PERIODS:
            self.period_box.addItem(label, days)
        self.from_edit, self.to_edit = QDateEdit(), QDateEdit()
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.reload_button = QPushButton("Reload")
        self.reload_button.setToolTip("Read the trades again now (they also reload by themselves when the bot writes)")
        self.status = QLabel("Not loaded yet.")
        self.status.setObjectName("chartsStatus")
        self.status.setWordWrap(True)
        controls = QHBoxLayout()
        for w in (QLabel("User"), self.user_box, QLabel("Period"), self.period_box, QLabel("From"),
                  self.from_edit, QLabel("To"), self.to_edit, self.reload_button):
            controls.addWidget(w)
        controls.addStretch(1)

        (self.net, self.win_rate, self.factor, self.drawdown, self.count), heads = headline_figures(
            "Sum of realised PnL of the selected trades",
            "Trades with PnL > 0 out of all closed trades (break-even is not a win)")

        self.charts = all_charts()
        grid = QGridLayout()
        grid.setSpacing(8)
        for i, chart in enumerate(self.charts):
            grid.addWidget(chart.card, i // 2, i % 2)
            for plot in chart.card.plots:
                events = _PlotEvents(chart, plot)
                events.clicked.connect(self.on_plot_clicked)
                events.hovered.connect(self.on_plot_hovered)
        # The win-rate card's two plots are linked directly (its own setXLink); the four time charts
        # follow each other after a gesture (sync.py), so a frame redraws one plot, not four.
        self.time_sync = TimeSync([c.card.plots[0] for c in self.charts[:4]], self)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(0, 0, 0, 0)
        inner_layout.addLayout(heads)
        inner_layout.addLayout(grid)
        inner_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        cards = [c.card for c in self.charts]
        self.fit = FitFirstRow(scroll, heads, [cards[i:i + 2] for i in range(0, len(cards), 2)],
                               {c.card: len(c.card.plots) for c in self.charts}, grid.spacing())
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)

        self.user_box.currentIndexChanged.connect(self.on_selection_changed)
        self.period_box.currentIndexChanged.connect(self.on_period_changed)
        self.from_edit.dateChanged.connect(self.on_selection_changed)
        self.to_edit.dateChanged.connect(self.on_selection_changed)
        self.reload_button.clicked.connect(self.on_reload)

    # -- loading -------------------------------------------------------------------------
    def _follow(self, loader: TradeLoader) -> None:
        loader.loaded.connect(self.on_loaded)
        loader.failed.connect(self.on_failed)

    def adopt(self, loader: TradeLoader) -> None:
        """Take over a loader started before this panel existed (charts/prefetch.py), with what it read."""
        own = self.loader
        own.loaded.disconnect(self.on_loaded)
        own.failed.disconnect(self.on_failed)
        own.shutdown()
        own.deleteLater()
        loader.setParent(self)
        self.loader = loader
        self._follow(loader)
        if loader.last is not None:
            self.on_loaded(loader.last)
            loader.request()  # catch up with the commits made since (reads only those)

    @Slot()
    def on_reload(self) -> None:
        """The Reload button: read everything again."""
        self.loader.reload()

    def showEvent(self, event: QShowEvent) -> None:
        """Load on first show (the tab opened), and catch up on changes made while hidden."""
        super().showEvent(event)
        if not self.loaded_once or self.stale:
            self.stale = False
            self.status.setText("Reading trades…" if not self.loaded_once else self.status.text())
            self.loader.request()

    @Slot()
    def on_database_changed(self) -> None:
        """The bot committed: reload now if visible, else when next shown."""
        if self.isVisible():
            self.loader.request()
        else:
            self.stale = True

    @Slot(object)
    def on_loaded(self, result: Loaded) -> None:
        """Fresh trades: refresh the user list and every chart (zoom kept).

        After the bot's commits the figures grow by the new trades
        (core/pnl_live.py) instead of being computed again from a million rows.
        """
        first = not self.loaded_once
        self.trades = result.trades
        self.last_load_s = result.seconds
        self.loaded_once = True
        update = result.update
        self._fill_users(update.added if not update.full else None)
        if first:
            self._fill_dates()
        if not first and not update.full and self._extend(update):
            return
        self.recompute(reset_view=first)

    def _extend(self, update: Update) -> bool:
        """Draw the figures extended by an update's rows; False when they must be computed again."""
        if self.figures is None or self.period_box.currentData() not in (None, -1):  # "last N days" moves
            return False
        started = time.perf_counter()
        start, end = self.date_range()
        fig = extend(self.figures, update.added, update.dropped, self.tz, self.user_box.currentData(), start, end)
        if fig is None:
            return False
        same_trades = fig.series.trades is self.figures.series.trades and not fig.empty
        self.figures = fig
        self.extended += 1
        if same_trades:  # only open trades came (or none): every chart shows what it shows; the notes moved
            self._show_headline(fig)
        else:
            self._draw(fig, reset_view=False)
        self.last_compute_s = time.perf_counter() - started
        self._show_status(fig)
        return True

    @Slot(str)
    def on_failed(self, message: str) -> None:
        """Say why the trades could not be read; keep what was shown."""
        self.status.setText(f"<b>Could not read trades:</b> {message}")

    # -- selection ---------------------------------------------------------------------
    @property
    def tz(self) -> tzinfo | None:
        """UTC or this machine's zone, as the View menu says."""
        return UTC if self.session.prefs.utc else None

    def _fill_users(self, added: pnl.Trades | None = None) -> None:
        """The user list; after an update only the users who traded for the first time are added."""
        if added is not None and len(self._user_ids):
            new = np.setdiff1d(np.unique(added.user), self._user_ids)
            if len(new):
                self._add_users(new)
            return
        current = self.user_box.currentData()
        self._user_ids = np.unique(self.trades.user)
        self._names = self._read_names()
        self.user_box.blockSignals(True)
        self.user_box.clear()
        self.user_box.addItem(f"All users ({len(self._user_ids):,})", None)
        for uid in self._user_ids.tolist():
            self.user_box.addItem(self._user_label(uid), int(uid))
        index = self.user_box.findData(current) if current is not None else 0
        self.user_box.setCurrentIndex(max(0, index))
        self.user_box.blockSignals(False)

    def _read_names(self) -> dict[int, str]:
        try:
            return user_names(self.session.database.connection(), self.session.domain) \
                if self.session.database is not None and self.session.domain is not None else {}
        except DatabaseError:
            return {}

    def _user_label(self, uid: int) -> str:
        name = self._names.get(int(uid), "")
        return f"{name} ({uid})" if name else str(uid)

    def _add_users(self, new: npt.NDArray[np.int64]) -> None:
        """Insert first-time traders in id order (names read again only for a user not seen yet)."""
        if any(int(u) not in self._names for u in new):
            self._names = self._read_names()
            for uid in new.tolist():  # no row in users: never asked again
                self._names.setdefault(int(uid), "")
        self.user_box.blockSignals(True)
        for uid in new.tolist():
            at = int(np.searchsorted(self._user_ids, uid))
            self._user_ids = np.insert(self._user_ids, at, uid)
            self.user_box.insertItem(at + 1, self._user_label(uid), int(uid))
        self.user_box.setItemText(0, f"All users ({len(self._user_ids):,})")
        self.user_box.blockSignals(False)

    def _fill_dates(self) -> None:
        times = self.trades.time[np.isfinite(self.trades.time)]
        if len(times) == 0:
            return
        walls = pnl.wall_clock(np.array([times.min(), times.max()]), self.tz)
        first, last = (datetime.fromtimestamp(float(w), tz=UTC).date() for w in walls)
        for edit in (self.from_edit, self.to_edit):
            edit.blockSignals(True)
        self.from_edit.setDate(QDate(first.year, first.month, first.day))
        self.to_edit.setDate(QDate(last.year, last.month, last.day))
        for edit in (self.from_edit, self.to_edit):
            edit.blockSignals(False)

    def _midnight(self, day: date) -> float:
        """Epoch of local (or UTC) midnight starting ``day``."""
        naive = datetime(day.year, day.month, day.day)
        return (naive.replace(tzinfo=UTC) if self.tz is UTC else naive.astimezone()).timestamp()

    def date_range(self) -> tuple[float | None, float | None]:
        """The selected [start, end) in epoch seconds (None: open-ended)."""
        days = self.period_box.currentData()
        if days is None:
            return None, None
        if days > 0:
            return time.time() - days * 86_400, None
        start: date = self.from_edit.date().toPython()  # type: ignore[assignment]
        end: date = self.to_edit.date().toPython()  # type: ignore[assignment]
        return self._midnight(start), self._midnight(end + timedelta(days=1))

    @Slot()
    def on_period_changed(self) -> None:
        """Dates are editable only for "Custom dates"."""
        custom = self.period_box.currentData() == -1
        self.from_edit.setEnabled(custom)
        self.to_edit.setEnabled(custom)
        self.on_selection_changed()

    @Slot()
    def on_selection_changed(self) -> None:
        """Another user or period: recompute and fit the views to the new selection."""
        if self.loaded_once:
            self.recompute(reset_view=True)

    @Slot(bool)
    def on_utc_changed(self, utc: bool) -> None:
        """Move the time axes between local time and UTC, keeping the same instants in view."""
        if not self.loaded_once or self.figures is None:
            return
        old_tz, new_tz = (None if utc else UTC), (UTC if utc else None)
        manual = []
        for plot in self.time_sync.plots:
            vb = plot.getPlotItem().getViewBox()
            if not vb.autoRangeEnabled()[0]:
                manual.append((vb, *vb.viewRange()[0]))
        self.recompute(reset_view=False)
        for vb, x0, x1 in manual:
            mid = np.array([(x0 + x1) / 2])
            instant = mid - pnl.utc_offsets(mid, old_tz)  # wall-clock seconds back to an epoch
            shift = float((instant + pnl.utc_offsets(instant, new_tz) - mid)[0])
            vb.setXRange(x0 + shift, x1 + shift, padding=0)

    # -- drawing ------------------------------------------------------------------------
    def recompute(self, reset_view: bool) -> None:
        """Compute every figure for the selection and draw it."""
        started = time.perf_counter()
        start, end = self.date_range()
        fig = pnl.compute(self.trades, self.tz, self.user_box.currentData(), start, end)
        self.figures = fig
        self._draw(fig, reset_view)
        self.last_compute_s = time.perf_counter() - started
        self._show_status(fig)

    def _draw(self, fig: pnl.Figures, reset_view: bool) -> None:
        self.redraws += 1
        self._show_headline(fig)
        for chart in self.charts:
            chart.show(fig, self.tz)
            if reset_view:
                for plot in chart.card.plots:
                    plot.getPlotItem().enableAutoRange()

    def _show_headline(self, fig: pnl.Figures) -> None:
        h = fig.headline
        self.net.set(style.money(h.net_pnl), f"profit {style.money(h.gross_profit, sign=False)} · "
                     f"loss {style.money(-h.gross_loss)}",
                     style.PROFIT if h.net_pnl > 0 else style.LOSS if h.net_pnl < 0 else None)
        self.win_rate.set(style.percent(h.win_rate), f"{h.wins:,} won · {h.losses:,} lost")
        self.factor.set(style.ratio(h.profit_factor), "above 1: more gained than lost")
        dd = fig.curve
        detail = ""
        if dd.trough_index >= 0:
            tr = fig.series.trades
            peak = "start" if dd.peak_index < 0 else style.when(float(tr.time[dd.peak_index]), self.tz)[:10]
            detail = f"{peak} → {style.when(float(tr.time[dd.trough_index]), self.tz)[:10]}"
        self.drawdown.set(style.money(h.max_drawdown, sign=False), detail, style.LOSS if h.max_drawdown < 0 else None)
        best = f"best {style.money(h.best)} · worst {style.money(h.worst)}" if h.trade_count else "no closed trades"
        self.count.set(f"{h.trade_count:,}", best)

    def _show_status(self, fig: pnl.Figures) -> None:
        zone = "UTC" if self.tz is UTC else "local time"
        parts = [f"{len(self.trades):,} rows in <b>{self.source.table}</b>",
                 f"{fig.headline.trade_count:,} closed trades shown", *fig.notes,
                 f"times in {zone}", f"read in {self.last_load_s:.2f} s, drawn in {self.last_compute_s:.2f} s",
                 f"updated {datetime.now().strftime('%H:%M:%S')}"]
        self.status.setText(" · ".join(parts))
        self.status.setToolTip(self.source.description)

    # -- interaction ----------------------------------------------------------------------
    @Slot(object, object, float, float)
    def on_plot_clicked(self, chart: TradeChart, plot: pg.PlotWidget, x: float, y: float) -> None:
        """Open the trades under the click in the Tables area."""
        hit = chart.hit(plot, x, y)
        if hit is not None and len(hit.positions):
            self.show_trades(hit)

    @Slot(object, object, float, float)
    def on_plot_hovered(self, chart: TradeChart, plot: pg.PlotWidget, x: float, y: float) -> None:
        """Exact values under the pointer, as a tooltip."""
        hit = chart.hit(plot, x, y)
        if hit is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(QCursor.pos(), hit.text, plot)

    def show_trades(self, hit: Hit) -> None:
        """Ask the Tables area to show these trades (by primary key), at most MAX_LINKED_TRADES."""
        if self.figures is None or self.session.database is None:
            return
        rowids = self.figures.series.trades.rowid[hit.positions]
        try:
            keys = pk_values(self.session.database.connection(), self.source, rowids.tolist(), MAX_LINKED_TRADES)
        except DatabaseError as exc:
            self.status.setText(f"<b>Could not look up those trades:</b> {exc}")
            return
        more = f" (the first {len(keys):,} of {len(rowids):,})" if len(rowids) > len(keys) else ""
        self.status.setText(f"Opened {len(keys):,} trade(s) in Tables{more}: {hit.text}")
        self.session.nav.show_rows(self.source.table, self.source.pk, keys)

    def shutdown(self) -> None:
        """Wait for a running load (called before the database closes)."""
        self.loader.shutdown()
