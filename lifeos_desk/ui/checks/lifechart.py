"""The inspector's price chart: levels as horizontal lines, events as labelled points on a time axis.

The marks come computed from core/checks/inspect.py (``chart_marks``); this
only draws them with pyqtgraph: entry (grey), take-profits (green), stop loss
(red), trailing stop (orange, dashed), peak (purple, dotted), the time-stop
deadline as a vertical line, and the entry → fills → exit/current path.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

LEVEL_STYLE = {
    "entry": ("#616161", Qt.PenStyle.SolidLine),
    "tp": ("#2e7d32", Qt.PenStyle.DashLine),
    "sl": ("#c62828", Qt.PenStyle.DashLine),
    "trail": ("#ef6c00", Qt.PenStyle.DashDotLine),
    "peak": ("#6a1b9a", Qt.PenStyle.DotLine),
}
POINT_COLOUR = {"entry": "#424242", "exit": "#1565c0", "current": "#1565c0", "last check": "#00838f"}


class LifeChart(pg.PlotWidget):  # type: ignore[misc]
    """One trade's prices over time."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent, axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.setObjectName("lifeChart")
        self.setBackground("w")
        self.showGrid(x=True, y=True, alpha=0.15)
        self.setLabel("left", "price")
        self.getAxis("left").enableAutoSIPrefix(False)  # prices as stored, not "×0.001"
        self.setMinimumHeight(220)
        self.marks: dict[str, Any] = {}

    def show_marks(self, marks: dict[str, Any]) -> None:
        """Draw the marks of one lifeline (clears what was drawn)."""
        self.clear()
        self.marks = marks
        points = [p for p in marks.get("points", []) if isinstance(p, dict)]
        levels = [lv for lv in marks.get("levels", []) if isinstance(lv, dict)]
        prices = [float(lv["price"]) for lv in levels] + [float(p["price"]) for p in points]
        span = (max(prices) - min(prices)) if prices else 0.0
        placed: list[tuple[float, float]] = []
        for level in levels:
            price = float(level["price"])
            # labels of nearby levels step leftwards instead of printing over each other
            spot = next((x for x in (0.985, 0.72, 0.45, 0.2) if not any(
                x == px and abs(price - py) < span * 0.045 for py, px in placed)), 0.1)
            if level.get("kind") != "entry":
                placed.append((price, spot))
            colour, style = LEVEL_STYLE.get(str(level.get("kind")), ("#9e9e9e", Qt.PenStyle.DotLine))
            # level labels at the right end, points labelled at their time on the left: they rarely collide
            text = "" if level.get("kind") == "entry" else f"{level.get('label')} {float(level['price']):.6g}"
            line = pg.InfiniteLine(pos=float(level["price"]), angle=0, pen=pg.mkPen(colour, width=1.4, style=style),
                                   label=text or None,
                                   labelOpts={"position": spot, "color": colour, "anchors": [(1, 1), (1, 1)]})
            self.addItem(line)
        deadline = marks.get("deadline")
        if deadline:
            self.addItem(pg.InfiniteLine(pos=float(deadline), angle=90, label="time stop",
                                         pen=pg.mkPen("#ef6c00", width=1, style=Qt.PenStyle.DotLine),
                                         labelOpts={"position": 0.04, "color": "#ef6c00"}))
        if points:
            xs = [float(p["time"]) for p in points]
            ys = [float(p["price"]) for p in points]
            self.plot(xs, ys, pen=pg.mkPen("#90a4ae", width=1.5))
            brushes = [pg.mkBrush(POINT_COLOUR.get(str(p["label"]), "#2e7d32")) for p in points]
            self.addItem(pg.ScatterPlotItem(xs, ys, size=10, brush=brushes, pen=pg.mkPen("w")))
            for p in points:
                text = pg.TextItem(f"{p['label']} {float(p['price']):.6g}", color="#212121", anchor=(0.5, 1.3))
                text.setPos(float(p["time"]), float(p["price"]))
                self.addItem(text)
        self._fit(points, levels, deadline)

    def _fit(self, points: list[dict[str, Any]], levels: list[dict[str, Any]], deadline: object) -> None:
        prices = [float(p["price"]) for p in points] + [float(lv["price"]) for lv in levels]
        times = [float(p["time"]) for p in points] + ([float(deadline)] if isinstance(deadline, int | float) else [])
        if prices:
            lo, hi = min(prices), max(prices)
            pad = (hi - lo) * 0.08 or abs(hi) * 0.05 or 1.0
            self.setYRange(lo - pad, hi + pad, padding=0)
        if times:
            lo_t, hi_t = min(times), max(times)
            pad_t = (hi_t - lo_t) * 0.08 or 3600.0
            self.setXRange(lo_t - pad_t, hi_t + pad_t, padding=0)
