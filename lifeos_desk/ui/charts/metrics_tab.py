"""The Algorithm metrics tab: accuracy and confidence, winning vs total signals, per algorithm.

The source is the ADR ``algorithm_metrics`` table when the database has one
with rows, else the bot's JSON file (core/metrics_source.py); the tab always
says which. The table below the bars is sortable and the bars follow its
order, so "sort by accuracy" reorders the chart too. JSON files are polled
(os.stat, docs/architecture.md, 'File watching is only a hint'); the table refreshes on the bot's commits.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer, Slot
from PySide6.QtGui import QCursor, QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ...core.metrics_source import AlgorithmMetric, MetricsSource, json_candidates, metrics_from_home
from ...core.times import display_stored, json_time, parse_stored_time
from ...db.errors import DatabaseError
from ...db.trades_query import load_algorithm_metrics
from ...session import Session
from . import style
from .card import ChartCard

COLUMNS = ("Algorithm", "Accuracy %", "Confidence %", "Winning signals", "Total signals", "Win share %",
           "PnL (USD)", "Last updated")
POLL_MS = 2000


def read_source(session: Session) -> MetricsSource:
    """The table if the database has one with rows, else the home's JSON file."""
    table = session.domain.metrics_table if session.domain is not None else None
    tables = session.info.tables if session.info is not None else {}
    note = None
    if table and table in tables and session.database is not None:
        try:
            metrics = load_algorithm_metrics(session.database.connection(), table)
        except DatabaseError as exc:
            note = f"table {table} could not be read: {exc}"
        else:
            if metrics:
                return MetricsSource(metrics, f"table {table} in {session.paths.db.name}")
            note = f"table {table} is empty"
    found = metrics_from_home(session.paths.home)
    if note:
        problem = "; ".join(p for p in (note, found.problem) if p)
        return MetricsSource(found.metrics, found.description, problem)
    return found


def _item(value: object, text: str | None = None) -> QStandardItem:
    """A read-only cell: shown as ``text`` (or the value), sorted by the value (UserRole)."""
    item = QStandardItem("—" if value is None and text is None else text if text is not None else str(value))
    if isinstance(value, float):
        item.setText(text if text is not None else f"{value:,.2f}")
    elif isinstance(value, int):
        item.setText(text if text is not None else f"{value:,}")
    numeric = isinstance(value, (int, float)) or value is None
    item.setData(value if value is not None else (float("-inf") if numeric else ""), Qt.ItemDataRole.UserRole)
    item.setEditable(False)
    if isinstance(value, (int, float)):
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _sort_time(text: str | None) -> str:
    """The sort key of a stored time: its UTC ISO text (stored texts differ in shape), "" for none."""
    return json_time(parse_stored_time(text)) or (text or "")


def describe(m: AlgorithmMetric, utc: bool = False) -> str:
    """Every value of one algorithm, for the hover tooltip (times in UTC or local, as the window shows them)."""
    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:.2f} %"
    lines = [f"<b>{m.algorithm}</b>", f"Accuracy: {pct(m.accuracy)}", f"Confidence: {pct(m.confidence)}",
             f"Winning signals: {m.winning_signals:,} of {m.total_signals:,} ({pct(m.win_share)})"]
    if m.losing_signals is not None:
        lines.append(f"Losing signals: {m.losing_signals:,}")
    if m.total_pnl is not None:
        lines.append(f"Total PnL: {style.money(m.total_pnl)}")
    if m.last_updated:
        lines.append(f"Last updated: {display_stored(m.last_updated, utc)}")
    return "<br>".join(lines)


class AlgorithmMetricsPanel(QWidget):
    """Bars per algorithm above a sortable table of the exact values."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.source = MetricsSource((), "not read yet")
        self.order: list[AlgorithmMetric] = []
        self._stamp: tuple[object, ...] = ()
        self.source_label = QLabel()
        self.source_label.setObjectName("metricsSource")
        self.source_label.setWordWrap(True)

        self.quality = ChartCard("Accuracy and confidence")
        # Horizontal bars: algorithm names on the left axis stay legible however many there are.
        self.quality_plot = self.quality.add_plot({"bottom": style.PercentAxis("bottom")}, "", "Percent")
        self.quality_plot.setXRange(0, 100)
        self.accuracy_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.38, brush=style.TOTAL, pen=style.TOTAL)
        self.confidence_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.38, brush=style.RATE, pen=style.RATE)
        self.quality_plot.addItem(self.accuracy_bars)
        self.quality_plot.addItem(self.confidence_bars)
        self.quality.caption.setText(f"<span style='color:{style.TOTAL}'>■</span> accuracy  "
                                     f"<span style='color:{style.RATE}'>■</span> confidence score. "
                                     "Hover a bar for exact values.")
        self.quality.csv_source = self.csv

        self.signals = ChartCard("Winning vs total signals")
        self.signals_plot = self.signals.add_plot({"bottom": style.MoneyAxis("bottom")}, "", "Signals")
        # Winning signals are a part of all signals: drawn inside the total bar, not beside it.
        self.total_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.7, brush=style.COUNT, pen=style.COUNT)
        self.win_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.4, brush=style.PROFIT, pen=style.PROFIT)
        self.signals_plot.addItem(self.total_bars)
        self.signals_plot.addItem(self.win_bars)
        self.signals.caption.setText(f"<span style='color:{style.COUNT}'>■</span> total  "
                                     f"<span style='color:{style.PROFIT}'>■</span> winning signals.")
        self.signals.csv_source = self.csv
        for plot in (self.quality_plot, self.signals_plot):
            plot.scene().sigMouseMoved.connect(self.on_hover)
        self.signals_plot.setYLink(self.quality_plot)

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.model.setSortRole(Qt.ItemDataRole.UserRole)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        # After the model has re-sorted (the header's own signal may reach us before the view sorts).
        self.model.layoutChanged.connect(self.on_sorted)

        split = QSplitter(Qt.Orientation.Vertical)
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.quality)
        charts.addWidget(self.signals)
        split.addWidget(charts)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.source_label)
        layout.addWidget(split, 1)

        self.poll = QTimer(self)
        self.poll.setInterval(int(session.settings.get("metrics_poll_ms")))  # POLL_MS unless changed
        self.poll.timeout.connect(self.check_files)
        self._stale = False
        if session.watcher is not None:
            session.watcher.changed.connect(self.on_database_changed)
        session.prefs.utcChanged.connect(self._on_utc_changed)
        self.reload()

    @Slot(bool)
    def _on_utc_changed(self, _utc: bool) -> None:
        self._fill_table()
        self.on_sorted()

    @Slot()
    def on_database_changed(self) -> None:
        """The bot committed: re-read now if shown, else when next shown (hidden, it costs nothing)."""
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    # -- reading ---------------------------------------------------------------------------
    def _file_stamp(self) -> tuple[object, ...]:
        out: list[object] = []
        for path in json_candidates(self.session.paths.home):
            try:
                st = os.stat(path)
            except OSError:
                continue
            out.append((str(path), st.st_ino, st.st_size, st.st_mtime_ns))
        return tuple(out)

    @Slot()
    def check_files(self) -> None:
        """Poll the JSON files (fact 8: watchers are only a hint); reload when one changed."""
        stamp = self._file_stamp()
        if stamp != self._stamp:
            self.reload()

    @Slot()
    def reload(self) -> None:
        """Read the metrics again and redraw."""
        self._stamp = self._file_stamp()
        self._stale = False
        self.source = read_source(self.session)
        text = f"<b>Source:</b> {self.source.description} · {len(self.source.metrics)} algorithm(s)"
        if self.source.problem:
            text += f"<br><span style='color:{style.LOSS}'>{self.source.problem}</span>"
        self.source_label.setText(text)
        self._fill_table()
        self.on_sorted()

    def _fill_table(self) -> None:
        header = self.table.horizontalHeader()
        column, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
        self.table.setSortingEnabled(False)
        self.model.removeRows(0, self.model.rowCount())
        for m in self.source.metrics:
            self.model.appendRow([
                _item(m.algorithm, m.algorithm), _item(m.accuracy), _item(m.confidence), _item(m.winning_signals),
                _item(m.total_signals), _item(None if m.win_share is None else round(m.win_share, 2)),
                _item(m.total_pnl, style.money(m.total_pnl) if m.total_pnl is not None else None),
                _item(_sort_time(m.last_updated), display_stored(m.last_updated, self.session.prefs.utc)),
            ])
        self.table.setSortingEnabled(True)
        if 0 <= column < len(COLUMNS):
            self.table.sortByColumn(column, order)

    # -- drawing ---------------------------------------------------------------------------
    @Slot()
    def on_sorted(self) -> None:
        """Draw the bars in the table's order."""
        by_name = {m.algorithm: m for m in self.source.metrics}
        self.order = [by_name[self.model.item(r, 0).text()] for r in range(self.model.rowCount())
                      if self.model.item(r, 0).text() in by_name]
        # First row of the table at the top of the chart.
        y = np.arange(len(self.order), dtype=np.float64)[::-1]
        zeros = np.zeros(len(self.order))
        acc = [m.accuracy or 0.0 for m in self.order]
        conf = [m.confidence or 0.0 for m in self.order]
        self.accuracy_bars.setOpts(x0=zeros, y=y + 0.2, width=acc, height=0.38)
        self.confidence_bars.setOpts(x0=zeros, y=y - 0.2, width=conf, height=0.38)
        self.total_bars.setOpts(x0=zeros, y=y, width=[m.total_signals for m in self.order], height=0.7)
        self.win_bars.setOpts(x0=zeros, y=y, width=[m.winning_signals for m in self.order], height=0.4)
        ticks = [(float(yy), m.algorithm) for yy, m in zip(y.tolist(), self.order, strict=True)]
        for plot in (self.quality_plot, self.signals_plot):
            style.set_categories(plot.getAxis("left"), ticks)
        if self.order:
            self.quality_plot.setYRange(-0.6, len(self.order) - 0.4, padding=0)
        empty = None if self.order else (self.source.problem or "No algorithm metrics to show.")
        self.quality.set_message(empty)
        self.signals.set_message(empty)

    @Slot(object)
    def on_hover(self, scene_pos: QPointF) -> None:
        """Exact values of the algorithm under the pointer."""
        for plot in (self.quality_plot, self.signals_plot):
            vb = plot.getPlotItem().getViewBox()
            if vb.sceneBoundingRect().contains(scene_pos):
                i = len(self.order) - 1 - int(round(vb.mapSceneToView(scene_pos).y()))
                if 0 <= i < len(self.order):
                    QToolTip.showText(QCursor.pos(), describe(self.order[i], self.session.prefs.utc), plot)
                    return
        QToolTip.hideText()

    def csv(self) -> tuple[Sequence[str], Iterable[Sequence[object]]]:
        """Every algorithm's values in the shown order."""
        header = ("algorithm", "accuracy_pct", "confidence_pct", "winning_signals", "total_signals",
                  "losing_signals", "total_pnl_usd", "last_updated", "source")
        return header, [(m.algorithm, m.accuracy, m.confidence, m.winning_signals, m.total_signals, m.losing_signals,
                         m.total_pnl, m.last_updated, self.source.description) for m in self.order]

    def showEvent(self, event: QShowEvent) -> None:
        """Poll the JSON files only while visible; catch up on commits made while hidden."""
        super().showEvent(event)
        if self._stale:
            self.reload()
        self.poll.start()

    def hideEvent(self, event: object) -> None:
        """Stop polling while hidden."""
        self.poll.stop()
        super().hideEvent(event)  # type: ignore[arg-type]

