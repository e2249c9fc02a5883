"""The timeline bar chart above the log: events over time for the rows the table shows.

Binning runs off the UI thread (``ui.tasks.run_task`` through a ``TaskRunner``)
on the time column of the current view — a filter applies to the chart too —
and the widget only paints the bars. A click on a bar asks the area to jump to
that bar's first row (``jumpRequested``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...core.jsonl.histogram import EMPTY, Bins, FloatArray, LiveBins, TimesCache, bin_times
from .views import PairsView, RowView, SingleView

Progress = Callable[[int, int], None]
_BAR = QColor("#5c8fd6")
_HOVER = QColor("#2e5fa8")
_AXIS = QColor("#757575")


def view_times(view: RowView, cache: TimesCache, cancel: threading.Event | None = None) -> FloatArray:
    """The time of every row of ``view`` (worker thread), from each log's cached time column."""
    if isinstance(view, SingleView):
        if view.index >= len(view.timelines):
            return np.empty(0)
        return cache.times(view.timelines[view.index], cancel)
    assert isinstance(view, PairsView)
    count = view.available()
    logs, rows = view.logs.view()[:count], view.rows.view()[:count]
    out = np.full(count, np.nan)
    for k in np.unique(logs):
        mine = logs == k
        out[mine] = cache.times(view.timelines[int(k)], cancel)[rows[mine]]
    return out


def compute_bins(view: RowView, cache: TimesCache, max_bins: int,
                 live: dict[int, LiveBins] | None = None) -> Callable[[Progress, threading.Event], Bins]:
    """The work for a ``TaskRunner``: bin the view's times.

    A whole log (``SingleView``, the followed case) keeps its bars in ``live``
    and adds only its new rows to them; a filtered or merged view is binned
    whole (its rows are not one growing column).
    """

    def work(_progress: Progress, cancel: threading.Event) -> Bins:
        times = view_times(view, cache, cancel)
        if live is not None and isinstance(view, SingleView) and view.index < len(view.timelines):
            key = id(view.timelines[view.index])
            return live.setdefault(key, LiveBins(max_bins)).update(times)
        return bin_times(times[np.isfinite(times)], max_bins)

    return work


def _label(seconds: float, step: float, utc: bool) -> str:
    moment = datetime.fromtimestamp(seconds, UTC if utc else None)
    return moment.strftime("%H:%M:%S" if step < 60 else "%m-%d %H:%M" if step < 86400 else "%Y-%m-%d")


class Histogram(QWidget):
    """Bars of ``Bins``; hover shows a bar's range and count, a click emits its start time.

    Signals:
        jumpRequested(float): epoch seconds of the clicked bar's start.
    """

    jumpRequested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bins: Bins = EMPTY
        self.utc = False
        self._hover = -1
        self.setMouseTracking(True)
        self.setMinimumHeight(56)
        self.setMaximumHeight(72)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Events over time for the rows shown (filters apply). Click a bar to jump there.")
        self.updated_at = 0.0
        self._bars: tuple[tuple[float, float, int, int], list[tuple[int, QRectF]]] | None = None

    def sizeHint(self) -> QSize:
        return QSize(400, 64)

    def set_bins(self, bins: Bins) -> None:
        """Show new counts."""
        self.bins = bins
        self._bars = None
        self._hover = -1
        self.updated_at = time.monotonic()
        self.update()

    def _plot(self) -> QRectF:
        return QRectF(self.rect()).adjusted(4, 4, -4, -16)

    def bar_rect(self, k: int) -> QRectF:
        """Where bar ``k`` is drawn (full height of the plot; tests click its centre)."""
        plot, n = self._plot(), max(len(self.bins.counts), 1)
        width = plot.width() / n
        return QRectF(plot.left() + k * width, plot.top(), width, plot.height())

    def bar_under(self, x: float) -> int:
        """The bar under x, or -1."""
        plot, n = self._plot(), len(self.bins.counts)
        if not n or not plot.left() <= x < plot.right():
            return -1
        return min(int((x - plot.left()) / (plot.width() / n)), n - 1)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        plot, counts = self._plot(), self.bins.counts
        painter.setPen(_AXIS)
        if not len(counts):
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No timed rows to chart")
            return
        peak = max(int(counts.max()), 1)
        for k, bar in self._bar_rects(plot, peak):
            painter.fillRect(bar, _HOVER if k == self._hover else _BAR)
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        edges, step = self.bins.edges, self.bins.step
        text_y = int(plot.bottom()) + 2
        painter.drawText(QRectF(plot.left(), text_y, 160, 14), Qt.AlignmentFlag.AlignLeft,
                         _label(float(edges[0]), step, self.utc))
        painter.drawText(QRectF(plot.right() - 160, text_y, 160, 14), Qt.AlignmentFlag.AlignRight,
                         _label(float(edges[-1]), step, self.utc))
        painter.drawText(QRectF(plot.left() + 160, text_y, max(plot.width() - 320, 0), 14),
                         Qt.AlignmentFlag.AlignCenter, f"{self.bins.total:,} rows · peak {peak:,} per bar")

    def _bar_rects(self, plot: QRectF, peak: int) -> list[tuple[int, QRectF]]:
        """The drawn bars, kept until the bins or the size change (the area repaints often while following)."""
        key = (plot.width(), plot.height(), peak, len(self.bins.counts))
        if self._bars is None or self._bars[0] != key:
            bars = []
            for k, count in enumerate(self.bins.counts.tolist()):
                if count:
                    rect = self.bar_rect(k)
                    height = max(plot.height() * count / peak, 1.0)
                    bars.append((k, QRectF(rect.left(), plot.bottom() - height, max(rect.width() - 1, 1.0), height)))
            self._bars = (key, bars)
        return self._bars[1]

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        k = self.bar_under(event.position().x())
        if k != self._hover:
            self._hover = k
            self.update()
        if k >= 0:
            start = float(self.bins.edges[k])
            when = datetime.fromtimestamp(start, UTC if self.utc else None).strftime("%Y-%m-%d %H:%M:%S")
            self.setToolTip(f"from {when}: {int(self.bins.counts[k]):,} rows — click to jump")

    def leaveEvent(self, event: object) -> None:
        self._hover = -1
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        k = self.bar_under(event.position().x())
        if k >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.jumpRequested.emit(float(self.bins.edges[k]))
