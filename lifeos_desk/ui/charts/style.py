"""One palette, money formatting and axis set-up for every chart, so they read alike.

Green is profit, red is loss, blue is the running total, amber is a rate,
grey is a count; the same everywhere (FreqUI and Hummingbot's dashboards do
the same). Money is printed with thousands separators, two decimals, a real
minus sign and the unit, so "−1,234.50 USD" can never be misread.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, tzinfo

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import QApplication

PROFIT = "#2e9e5b"
LOSS = "#d64545"
TOTAL = "#3b7dd8"
RATE = "#e39b2c"
COUNT = "#8a8f98"
MARK = "#9b59b6"
MINUS = "\u2212"


def money(value: float | None, sign: bool = True, unit: bool = True) -> str:
    """``+1,234.56 USD`` / ``−1,234.56 USD`` (``—`` when unknown)."""
    if value is None or not math.isfinite(value):
        return "—"
    body = f"{abs(value):,.2f}"
    prefix = MINUS if value < 0 else ("+" if sign and value > 0 else "")
    return f"{prefix}{body}{' USD' if unit else ''}"


def percent(fraction: float | None, digits: int = 1) -> str:
    """``54.3 %`` from 0.543 (``—`` when unknown)."""
    return "—" if fraction is None or not math.isfinite(fraction) else f"{100 * fraction:.{digits}f} %"


def ratio(value: float | None) -> str:
    """Profit factor: ``1.42``, ``∞`` with no losses, ``—`` without trades."""
    if value is None:
        return "—"
    return "∞" if math.isinf(value) else f"{value:,.2f}"


def when(epoch: float, tz: tzinfo | None) -> str:
    """A trade time in the chosen zone, with the zone named (``2026-03-08 14:05:09 UTC``)."""
    try:
        moment = datetime.fromtimestamp(epoch, tz=UTC).astimezone(tz)
    except (OverflowError, OSError, ValueError):
        return "—"
    return moment.strftime("%Y-%m-%d %H:%M:%S ") + (moment.tzname() or "")


def background() -> QColor:
    """The plot background: the palette's Base colour."""
    app = QApplication.instance()
    return app.palette().color(QPalette.ColorRole.Base) if isinstance(app, QApplication) else QColor("white")


def foreground() -> QColor:
    """Axis and text colour: the palette's Text colour."""
    app = QApplication.instance()
    return app.palette().color(QPalette.ColorRole.Text) if isinstance(app, QApplication) else QColor("black")


def grid_color() -> QColor:
    """Grid lines: the text colour mixed 15 % into the background, opaque.

    Opaque matters for speed: pyqtgraph draws a grid as long translucent
    ticks, and blending them cost two thirds of each frame at a million points.
    """
    bg, fg = background(), foreground()
    mix = 0.15
    return QColor(round(bg.red() + (fg.red() - bg.red()) * mix), round(bg.green() + (fg.green() - bg.green()) * mix),
                  round(bg.blue() + (fg.blue() - bg.blue()) * mix))


def tinted(color: str, alpha: int) -> QColor:
    """A palette colour with transparency (fills under curves, bars behind lines)."""
    c = QColor(color)
    c.setAlpha(alpha)
    return c


class MoneyAxis(pg.AxisItem):  # type: ignore[misc]
    """A value axis in USD (or counts): ``−12,500`` style ticks, unit in the label, no SI prefixes."""

    def __init__(self, orientation: str = "left", **kwargs: object) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        """Whole numbers with thousands separators (cents when the ticks are closer than 1)."""
        digits = 0 if spacing >= 1 else 2
        out = []
        for v in values:
            text = f"{abs(v):,.{digits}f}"
            out.append((MINUS if v < 0 and text.strip("0.,") else "") + text)
        return out


class PercentAxis(pg.AxisItem):  # type: ignore[misc]
    """A 0–100 % axis."""

    def __init__(self, orientation: str = "left", **kwargs: object) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        """``40 %``."""
        return [f"{v:.0f} %" if spacing >= 1 else f"{v:.1f} %" for v in values]


def style_plot(plot: pg.PlotItem, left_label: str, bottom_label: str | None = None) -> None:
    """Axis pens, labels with units, a faint grid, and the performance settings of fact 9."""
    fg = foreground()
    font = QFont()
    font.setPointSizeF(max(8.0, font.pointSizeF() - 1))
    grid = pg.mkPen(grid_color())
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(fg))
        axis.setTextPen(pg.mkPen(fg))
        axis.setTickPen(grid)
        axis.setStyle(tickFont=font, tickAlpha=255, maxTickLevel=1)
    plot.setLabel("left", left_label, color=fg.name())
    if bottom_label:
        plot.setLabel("bottom", bottom_label, color=fg.name())
    plot.showGrid(x=True, y=True)
    plot.setMenuEnabled(False)  # the "A" button (auto-range) stays: it undoes any zoom
    # docs/architecture.md, 'Plotting a million points': 30 ms a frame at 1M points without these, ~1 ms with them.
    plot.setDownsampling(auto=True, mode="peak")
    plot.setClipToView(True)


def set_categories(axis: pg.AxisItem, ticks: list[tuple[float, str]]) -> None:
    """Name rows on a left axis, wide enough for the longest name.

    pyqtgraph drops a label that does not fit the axis' current width and
    only widens the axis afterwards, so long names would vanish until the
    next repaint (and from exports).
    """
    axis.setTicks([ticks, []])
    metrics = QFontMetrics(axis.style.get("tickFont") or QFont())
    widest = max((metrics.horizontalAdvance(name) for _, name in ticks), default=20)
    axis.setWidth(widest + 16)
