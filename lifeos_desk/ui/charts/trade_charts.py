"""The six trade charts: each draws ``Figures`` and answers "which trades are under this point?".

Every chart keeps its plot items and only replaces their data on an update,
so a live refresh leaves the admin's zoom alone: pyqtgraph re-fits a view
only while it is still auto-ranging, and panning or zooming turns that off.

A chart's ``hit(plot, x, y)`` returns the positions (in the realised series)
of the trades under a point plus a one-line description; clicks open those
trades in the Tables area and hovering shows the description.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from functools import partial

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ...core.pnl import DAY, Figures, wall_clock
from . import style
from .card import ChartCard

Index = npt.NDArray[np.intp]
SYMBOLS_UP_TO = 400  # draw a dot per trade while there are few enough to see them
# Per-trade curves (up to millions of points): the peak method keeps each pixel column's min and max, so one
# sample pair per pixel looks the same as pyqtgraph's default five and draws five times fewer points; the
# data are finite by construction (pnl.realised), so the per-frame finiteness check is skipped.
FAST_CURVE = {"autoDownsampleFactor": 1.0, "skipFiniteCheck": True}


class Hit:
    """The trades under a point: what they are, and (computed only when asked) their positions.

    Hovering needs only the text; finding a bin's or a token's trades scans
    every trade, so that waits for a click.
    """

    def __init__(self, positions: Index | Callable[[], Index], text: str) -> None:
        self._positions = positions
        self.text = text

    @property
    def positions(self) -> Index:
        """Positions in the realised series."""
        if callable(self._positions):
            self._positions = self._positions()
        return self._positions


def _colors(brushes: list[str], pens: Sequence[object] | None = None) -> dict[str, object]:
    """Per-bar colours for BarGraphItem.setOpts (pyqtgraph 0.14 fails on empty pen lists: use single ones)."""
    if not brushes:
        return {"brushes": None, "pens": None, "brush": style.COUNT, "pen": style.COUNT}
    return {"brushes": brushes, "pens": list(pens) if pens is not None else brushes}


def _day_label(day: int) -> str:
    return datetime.fromtimestamp(day * DAY, tz=UTC).strftime("%a %Y-%m-%d")


def _date_axis() -> pg.DateAxisItem:
    # x values are wall-clock seconds of the chosen zone (pnl.wall_clock), so the axis prints them as UTC.
    axis = pg.DateAxisItem(orientation="bottom", utcOffset=0)
    return axis


def _trade_text(fig: Figures, i: int, tz: tzinfo | None) -> str:
    tr = fig.series.trades
    return (f"{style.when(float(tr.time[i]), tz)} · {tr.symbol_name(int(tr.symbol[i]))} · "
            f"{style.money(float(tr.pnl[i]))} · cumulative {style.money(float(fig.curve.cumulative[i]))}")


def _nearest(fig: Figures, x: float) -> int | None:
    wall = fig.wall
    if len(wall) == 0:
        return None
    i = int(np.searchsorted(wall, x))
    if i >= len(wall):
        return len(wall) - 1
    if i > 0 and abs(wall[i - 1] - x) <= abs(wall[i] - x):
        return i - 1
    return i


def _iso(epoch: npt.NDArray[np.float64], tz: tzinfo | None) -> list[str]:
    """ISO text of many times in the zone, vectorised (wall-clock seconds via numpy datetime64)."""
    walls = wall_clock(epoch, tz)
    return list(np.datetime_as_string((walls * 1e6).astype("datetime64[us]"), unit="s"))


def _origin(plot: pg.PlotWidget) -> pg.ScatterPlotItem:
    """An invisible point at 0 USD so auto-range always shows the zero line of a running total."""
    item = pg.ScatterPlotItem(size=0, pen=None, brush=None)
    plot.addItem(item)
    return item


class TradeChart:
    """Base: one card, the figures it shows, and the zone of its time axis."""

    title = ""

    def __init__(self) -> None:
        self.card = ChartCard(self.title)
        self.card.csv_source = self.csv
        self.fig: Figures | None = None
        self.tz: tzinfo | None = UTC

    def show(self, fig: Figures, tz: tzinfo | None) -> None:
        """Draw these figures (keeping the view range unless auto-ranging)."""
        self.fig, self.tz = fig, tz
        self.card.set_message(self.message(fig))
        self.draw(fig)

    def message(self, fig: Figures) -> str | None:
        """Text over the plot when there is nothing sensible to draw."""
        if fig.empty:
            return "No closed trades in this selection." + ("\n" + "\n".join(fig.notes) if fig.notes else "")
        return None

    def draw(self, fig: Figures) -> None:
        """Replace the plot items' data."""
        raise NotImplementedError

    def hit(self, plot: pg.PlotWidget, x: float, y: float) -> Hit | None:
        """The trades under a point of one of this chart's plots."""
        raise NotImplementedError

    def csv(self) -> tuple[Sequence[str], Iterable[Sequence[object]]]:
        """Header and rows of the series shown."""
        raise NotImplementedError


class CumulativeChart(TradeChart):
    """Cumulative realised PnL, one point per trade."""

    title = "Cumulative realised PnL"

    def __init__(self) -> None:
        super().__init__()
        self.plot = self.card.add_plot({"bottom": _date_axis(), "left": style.MoneyAxis()}, "Cumulative PnL (USD)")
        self.curve = self.plot.plot(pen=pg.mkPen(style.TOTAL, width=2), **FAST_CURVE)
        self.curve.setDownsampling(auto=True, method="peak")
        self.curve.setClipToView(True)
        self.zero = pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(style.COUNT, style=Qt.PenStyle.DashLine))
        self.plot.addItem(self.zero)
        self.origin = _origin(self.plot)
        self.card.caption.setText("One point per closed trade, in time order. Click a point to open that trade.")

    def draw(self, fig: Figures) -> None:
        """Line of cumulative PnL over wall-clock time."""
        few = len(fig.wall) <= SYMBOLS_UP_TO
        self.origin.setData(fig.wall[:1], np.zeros(min(1, len(fig.wall))))
        self.curve.setData(fig.wall, fig.curve.cumulative, symbol="o" if few else None, symbolSize=5,
                           symbolBrush=style.TOTAL, symbolPen=None)

    def hit(self, plot: pg.PlotWidget, x: float, y: float) -> Hit | None:
        """The trade nearest in time."""
        if self.fig is None or (i := _nearest(self.fig, x)) is None:
            return None
        return Hit(np.array([i], dtype=np.intp), _trade_text(self.fig, i, self.tz))

    def csv(self) -> tuple[Sequence[str], Iterable[Sequence[object]]]:
        """time, rowid, symbol, pnl, cumulative per trade."""
        header = ("time", "epoch_s", "rowid", "token", "pnl_usd", "cumulative_pnl_usd")
        if self.fig is None:
            return header, []
        tr = self.fig.series.trades
        rows = zip(_iso(tr.time, self.tz), tr.time.tolist(), tr.rowid.tolist(),
                   (tr.symbol_name(int(c)) for c in tr.symbol), np.round(tr.pnl, 6).tolist(),
                   np.round(self.fig.curve.cumulative, 6).tolist(), strict=False)
        return header, rows


class DrawdownChart(TradeChart):
    """Drawdown from the running peak, with the maximum drawdown marked."""

    title = "Drawdown"

    def __init__(self) -> None:
        super().__init__()
        self.plot = self.card.add_plot({"bottom": _date_axis(), "left": style.MoneyAxis()}, "Below peak (USD)")
        self.curve = self.plot.plot(pen=pg.mkPen(style.LOSS, width=1), fillLevel=0,
                                    brush=style.tinted(style.LOSS, 70), **FAST_CURVE)
        self.curve.setDownsampling(auto=True, method="peak")
        self.curve.setClipToView(True)
        self.region = pg.LinearRegionItem(movable=False, brush=style.tinted(style.MARK, 40),
                                          pen=pg.mkPen(style.tinted(style.MARK, 0)))
        self.region.setZValue(-10)
        self.marker = pg.ScatterPlotItem(size=11, brush=style.MARK, pen=pg.mkPen("w", width=1))
        self.label = pg.TextItem(color=style.MARK, anchor=(0, 1), fill=style.tinted(style.background().name(), 210))
        for item in (self.region, self.marker, self.label):
            self.plot.addItem(item, ignoreBounds=True)
        self.origin = _origin(self.plot)
        self.card.caption.setText("How far cumulative PnL is below its best so far (start: 0 USD). "
                                  "Shaded: the maximum drawdown, from its peak to its trough.")

    def message(self, fig: Figures) -> str | None:
        """Also: a history that never fell below its peak."""
        if not fig.empty and fig.curve.max_drawdown == 0:
            return "No drawdown: cumulative PnL never fell below its peak."
        return super().message(fig)

    def draw(self, fig: Figures) -> None:
        """Area under zero, the deepest drawdown shaded and labelled."""
        self.curve.setData(fig.wall, fig.curve.drawdown)
        self.origin.setData(fig.wall[:1], np.zeros(min(1, len(fig.wall))))
        dd = fig.curve
        visible = dd.trough_index >= 0
        for item in (self.region, self.marker, self.label):
            item.setVisible(visible)
        if not visible:
            return
        trough_x = float(fig.wall[dd.trough_index])
        peak_x = float(fig.wall[dd.peak_index]) if dd.peak_index >= 0 else float(fig.wall[0])
        self.region.setRegion((peak_x, trough_x))
        self.marker.setData([trough_x], [dd.max_drawdown])
        self.label.setText(f"Max drawdown {style.money(dd.max_drawdown)}")
        self.label.setPos(peak_x, dd.max_drawdown)

    def hit(self, plot: pg.PlotWidget, x: float, y: float) -> Hit | None:
        """Inside the shaded maximum drawdown: the trades from peak to trough; elsewhere the nearest trade."""
        if self.fig is None or (i := _nearest(self.fig, x)) is None:
            return None
        dd = self.fig.curve
        if dd.trough_index >= 0:
            lo, hi = self.region.getRegion()
            if lo <= x <= hi:
                first = max(dd.peak_index, 0)
                return Hit(np.arange(first, dd.trough_index + 1, dtype=np.intp),
                           f"Maximum drawdown {style.money(dd.max_drawdown)}: "
                           f"{dd.trough_index - first + 1:,} trades from peak to trough")
        return Hit(np.array([i], dtype=np.intp),
                   _trade_text(self.fig, i, self.tz) + f" · drawdown {style.money(float(dd.drawdown[i]))}")

    def csv(self) -> tuple[Sequence[str], Iterable[Sequence[object]]]:
        """time, rowid, drawdown per trade."""
        header = ("time", "epoch_s", "rowid", "cumulative_pnl_usd", "drawdown_usd")
        if self.fig is None:
            return header, []
        tr = self.fig.series.trades
        return header, zip(_iso(tr.time, self.tz), tr.time.tolist(), tr.rowid.tolist(),
                           np.round(self.fig.curve.cumulative, 6).tolist(),
                           np.round(self.fig.curve.drawdown, 6).tolist(), strict=False)


def _day_positions(fig: Figures, day: int) -> Index:
    return np.flatnonzero(fig.days.trade_day == day)


def _bin_positions(fig: Figures, b: int) -> Index:
    return np.flatnonzero(fig.histogram.bin_of(fig.series.pnl) == b)


def _token_positions(fig: Figures, code: int) -> Index:
    return np.flatnonzero(fig.series.trades.symbol == code)


def _day_at(fig: Figures, x: float) -> int | None:
    day = int(np.floor(x / DAY))
    return day if len(fig.days.day) and bool((fig.days.day == day).any()) else None


class DailyChart(TradeChart):
    """Realised PnL per calendar day, green and red bars."""

    title = "Daily PnL"

    def __init__(self) -> None:
        super().__init__()
        self.plot = self.card.add_plot({"bottom": _date_axis(), "left": style.MoneyAxis()}, "PnL per day (USD)")
        self.bars = pg.BarGraphItem(x=[], height=[], width=DAY * 0.8)
        self.plot.addItem(self.bars)
        self.card.caption.setText("Sum of realised PnL per calendar day. Click a bar to open that day's trades.")

    def draw(self, fig: Figures) -> None:
        """One bar per day with trades."""
        d = fig.days
        brushes = [style.PROFIT if v >= 0 else style.LOSS for v in d.pnl.tolist()]
        self.bars.setOpts(x=d.day * DAY + DAY / 2, height=d.pnl, width=DAY * 0.8, **_colors(brushes))

    def hit(self, plot: pg.PlotWidget, x: float, y: float) -> Hit | None:
        """The trades of the day under the pointer."""
        if self.fig is None or (day := _day_at(self.fig, x)) is None:
            return None
        k = int(np.flatnonzero(self.fig.days.day == day)[0])
        d = self.fig.days
        return Hit(partial(_day_positions, self.fig, day),
                   f"{_day_label(day)}: {style.money(float(d.pnl[k]))} from {int(d.count[k]):,} trades "
                   f"({int(d.wins[k]):,} won)")

    def csv(self) -> tuple[Sequence[str], Iterable[Sequence[object]]]:
        """date, pnl, trades, wins per day."""
        header = ("date", "pnl_usd", "trades", "wins")
        if self.fig is None:
            return header, []
        d = self.fig.days
        return header, zip((_day_label(int(v))[4:] for v in d.day), np.round(d.pnl, 6).tolist(), d.count.tolist(),
                           d.wins.tolist(), strict=False)


class WinRateChart(TradeChart):
    """Win rate (cumulative line, daily dots) above trades per day (bars), sharing the time axis."""

    title = "Win rate and trade count"

    def __init__(self) -> None:
        super().__init__()
        self.rate_plot = self.card.add_plot({"bottom": _date_axis(), "left": style.PercentAxis()}, "Win rate",
                                            stretch=3)
        self.rate_plot.setYRange(0, 100)
        self.rate_plot.getPlotItem().getViewBox().setLimits(yMin=-5, yMax=105)
        self.cumulative = self.rate_plot.plot(pen=pg.mkPen(style.RATE, width=2), name="cumulative")
        # Its label sits at the right end, above the line: at the left it covered the axis and its title.
        self.even = pg.InfiniteLine(pos=50, angle=0, pen=pg.mkPen(style.COUNT, style=Qt.PenStyle.DashLine),
                                    label="50 %", labelOpts={"position": 0.99, "color": style.COUNT,
                                                              "anchors": [(1, 1), (1, 1)]})
        self.rate_plot.addItem(self.even)
        self.daily = pg.ScatterPlotItem(size=5, brush=style.tinted(style.RATE, 110), pen=None)
        self.rate_plot.addItem(self.daily)
        self.count_plot = self.card.add_plot({"bottom": _date_axis(), "left": style.MoneyAxis()}, "Trades / day",
                                             stretch=2)
        self.count_plot.setXLink(self.rate_plot)
        self.count_bars = pg.BarGraphItem(x=[], height=[], width=DAY * 0.8, brush=style.COUNT, pen=style.COUNT)
        self.count_plot.addItem(self.count_bars)
        self.card.caption.setText("Line: win rate of all trades so far; dots: each day's win rate; "
                                  "bars: closed trades per day.")

    def draw(self, fig: Figures) -> None:
        """Rates in percent; counts as bars."""
        d = fig.days
        x = d.day * DAY + DAY / 2
        self.cumulative.setData(x, d.cumulative_win_rate * 100)
        self.daily.setData(x, d.win_rate * 100)
        self.count_bars.setOpts(x=x, height=d.count, width=DAY * 0.8)

    def hit(self, plot: pg.PlotWidget, x: float, y: float) -> Hit | None:
        """The trades of the day under the pointer."""
        if self.fig is None or (day := _day_at(self.fig, x)) is None:
            return None
        d = self.fig.days
        k = int(np.flatnonzero(d.day == day)[0])
        return Hit(partial(_day_positions, self.fig, day),
                   f"{_day_label(day)}: {int(d.count[k]):,} trades, {int(d.wins[k]):,} won "
                   f"({style.percent(float(d.win_rate[k]))}); win rate so far "
                   f"{style.percent(float(d.cumulative_win_rate[k]))}")

    def csv(self) -> tuple[Sequence[str], Iterable[Sequence[object]]]:
        """date, trades, wins, daily and cumulative win rate."""
        header = ("date", "trades", "wins", "win_rate_pct", "cumulative_win_rate_pct")
        if self.fig is None:
            return header, []
        d = self.fig.days
        return header, zip((_day_label(int(v))[4:] for v in d.day), d.count.tolist(), d.wins.tolist(),
                           np.round(d.win_rate * 100, 4).tolist(), np.round(d.cumulative_win_rate * 100, 4).tolist(),
                           strict=False)


class DistributionChart(TradeChart):
    """Histogram of PnL per trade, losses red and profits green."""

    title = "PnL distribution"

    def __init__(self) -> None:
        super().__init__()
        self.plot = self.card.add_plot({"bottom": style.MoneyAxis("bottom"), "left": style.MoneyAxis()},
                                       "Trades", "PnL per trade (USD)")
        self.bars = pg.BarGraphItem(x0=[], x1=[], height=[])
        self.plot.addItem(self.bars)
        self.zero = pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen(style.COUNT, style=Qt.PenStyle.DashLine))
        self.plot.addItem(self.zero)

    def draw(self, fig: Figures) -> None:
        """Bars between the bin edges; the caption counts the clipped tails."""
        h = fig.histogram
        left, right = h.edges[:-1], h.edges[1:]
        brushes = [style.PROFIT if lo >= 0 else style.LOSS for lo in left.tolist()]
        edge = QColor(style.background())
        self.bars.setOpts(x0=left, x1=right, height=h.counts, **_colors(brushes, [edge] * len(brushes)))
        tails = ""
        if h.below or h.above:
            tails = (f" Not drawn: {h.below:,} trades below {style.money(float(h.edges[0]))} and {h.above:,} above "
                     f"{style.money(float(h.edges[-1]))} (the extreme 0.5 % on each side).")
        self.card.caption.setText(f"Trades per PnL range, {len(h.counts)} ranges of "
                                  f"{style.money(float(right[0] - left[0]), sign=False)}.{tails}")

    def hit(self, plot: pg.PlotWidget, x: float, y: float) -> Hit | None:
        """The trades whose PnL falls in the bin under the pointer."""
        if self.fig is None or self.fig.empty:
            return None
        h = self.fig.histogram
        b = int(h.bin_of(np.array([x], dtype=np.float64))[0])
        if not 0 <= b < len(h.counts):
            return None
        return Hit(partial(_bin_positions, self.fig, b),
                   f"{int(h.counts[b]):,} trades with PnL from {style.money(float(h.edges[b]))} "
                   f"to {style.money(float(h.edges[b + 1]))}")

    def csv(self) -> tuple[Sequence[str], Iterable[Sequence[object]]]:
        """Bin edges and counts, plus the tails."""
        header = ("from_usd", "to_usd", "trades")
        if self.fig is None:
            return header, []
        h = self.fig.histogram
        rows: list[Sequence[object]] = [("-inf", float(h.edges[0]), h.below)]
        rows += list(zip(h.edges[:-1].tolist(), h.edges[1:].tolist(), h.counts.tolist(), strict=True))
        rows.append((float(h.edges[-1]), "inf", h.above))
        return header, rows


class TokenChart(TradeChart):
    """Net PnL of the best and worst tokens, horizontal bars."""

    title = "PnL by token"
    TOP = 8

    def __init__(self) -> None:
        super().__init__()
        self.plot = self.card.add_plot({"bottom": style.MoneyAxis("bottom")}, "", "Net PnL (USD)")
        self.bars = pg.BarGraphItem(x0=[], y=[], height=0.7, width=[])
        self.plot.addItem(self.bars)
        self.zero = pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen(style.COUNT))
        self.plot.addItem(self.zero)
        self.codes: list[int] = []

    def draw(self, fig: Figures) -> None:
        """Winners on top (best first), losers below (worst last)."""
        win, lose = fig.tokens.winners(self.TOP), fig.tokens.losers(self.TOP)
        names = list(win.name) + list(lose.name)[::-1]
        values = np.concatenate([win.pnl, lose.pnl[::-1]])
        self.codes = [int(c) for c in np.concatenate([win.code, lose.code[::-1]])]
        y = np.arange(len(names))[::-1].astype(np.float64)
        brushes = [style.PROFIT if v >= 0 else style.LOSS for v in values.tolist()]
        self.bars.setOpts(x0=np.zeros(len(names)), y=y, height=0.7, width=values, **_colors(brushes))
        style.set_categories(self.plot.getAxis("left"), list(zip(y.tolist(), names, strict=True)))
        if len(names):
            self.plot.getPlotItem().getViewBox().setLimits(yMin=-1, yMax=len(names))
        shown = len(fig.tokens.name)
        self.card.caption.setText(f"Top {len(win.name)} winners and {len(lose.name)} losers of {shown} tokens "
                                  "traded. Click a bar to open that token's trades.")

    def hit(self, plot: pg.PlotWidget, x: float, y: float) -> Hit | None:
        """The trades of the token under the pointer."""
        if self.fig is None or not self.codes:
            return None
        row = len(self.codes) - 1 - int(round(y))
        if not 0 <= row < len(self.codes):
            return None
        code = self.codes[row]
        tokens = self.fig.tokens
        k = int(np.flatnonzero(tokens.code == code)[0])
        return Hit(partial(_token_positions, self.fig, code),
                   f"{tokens.name[k]}: {style.money(float(tokens.pnl[k]))} from {int(tokens.count[k]):,} trades "
                   f"({int(tokens.wins[k]):,} won)")

    def csv(self) -> tuple[Sequence[str], Iterable[Sequence[object]]]:
        """Every token, best first."""
        header = ("token", "pnl_usd", "trades", "wins")
        if self.fig is None:
            return header, []
        t = self.fig.tokens
        return header, zip(t.name, np.round(t.pnl, 6).tolist(), t.count.tolist(), t.wins.tolist(), strict=True)


def all_charts() -> list[TradeChart]:
    """The charts in dashboard order (two columns)."""
    return [CumulativeChart(), DrawdownChart(), DailyChart(), WinRateChart(), DistributionChart(), TokenChart()]

