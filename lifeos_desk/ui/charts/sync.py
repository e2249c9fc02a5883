"""Keeping the time axes of several plots together without paying for it on every frame.

pyqtgraph's ``setXLink`` redraws every linked plot on every frame of a drag:
with four per-trade time charts at a million trades that is four plots per
frame and the 16 ms budget is gone (issue 6). So only the plot under the
admin's hand follows each frame; the others take its time range once the
gesture pauses (``DELAY_MS``). Clicking a plot's auto-range button ("A")
returns every time plot to auto-range.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QObject, QTimer, Slot

DELAY_MS = 150


class _Follower(QObject):
    """Forwards one plot's user gestures and auto-range clicks to the sync, naming the plot."""

    def __init__(self, sync: TimeSync, plot: pg.PlotWidget) -> None:
        super().__init__(plot)
        self.sync, self.plot = sync, plot
        item = plot.getPlotItem()
        item.getViewBox().sigRangeChangedManually.connect(self.on_gesture)
        if item.autoBtn is not None:
            item.autoBtn.clicked.connect(self.on_auto)

    @Slot(object)
    def on_gesture(self, _mask: object) -> None:
        """The admin dragged or zoomed this plot."""
        self.sync.moved(self.plot)

    @Slot(object)
    def on_auto(self, _button: object) -> None:
        """The admin asked this plot to fit its data again."""
        self.sync.fit_all()


class TimeSync(QObject):
    """Gives every plot the time range the admin chose on one of them, once the gesture pauses."""

    def __init__(self, plots: Sequence[pg.PlotWidget], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.plots = list(plots)
        self.source: pg.PlotWidget | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(self.apply)
        self.followers = [_Follower(self, p) for p in self.plots]

    def moved(self, plot: pg.PlotWidget) -> None:
        """Remember which plot moved; follow it after the pause."""
        self.source = plot
        self.timer.start()

    @Slot()
    def apply(self) -> None:
        """Give the others the source's time range now."""
        if self.source is None:
            return
        x0, x1 = self.source.getPlotItem().getViewBox().viewRange()[0]
        for plot in self.plots:
            if plot is not self.source:
                plot.getPlotItem().getViewBox().setXRange(x0, x1, padding=0)
        self.source = None

    def fit_all(self) -> None:
        """Every plot back to auto-range on the time axis."""
        self.timer.stop()
        self.source = None
        for plot in self.plots:
            plot.getPlotItem().getViewBox().enableAutoRange(x=True)
