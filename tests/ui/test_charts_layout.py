"""Issue 17: at 1066×666 the headline charts fit the view (x-axes on screen) and the rest scroll."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QScrollArea
from pytestqt.qtbot import QtBot

from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.session import Session, open_session
from lifeos_desk.ui.charts import ChartsArea
from lifeos_desk.ui.charts.trade_charts import WinRateChart
from lifeos_desk.ui.main_window import MainWindow
from tests.ui.test_charts import _make_home


@pytest.mark.parametrize("size", [(1066, 666), (1600, 1000)])
def test_headline_charts_fit_and_the_rest_scroll(qtbot: QtBot, tmp_path: Path, size: tuple[int, int]) -> None:
    paths = _make_home(tmp_path, "deployed")
    dirs = AppDirs(config=tmp_path / "cfg", state=tmp_path / "st", data=tmp_path / "data", log=tmp_path / "log")
    settings, state = Settings(dirs), State(dirs)

    def opener(p: DataPaths) -> Session:
        return open_session(p, dirs, settings, state)

    w = MainWindow(opener(paths), opener)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    w.show_area("charts")
    area = w.tabs.currentWidget()
    assert isinstance(area, ChartsArea) and area.trades is not None
    trades = area.trades
    qtbot.waitUntil(lambda: trades.loaded_once and not trades.loader.busy, timeout=15_000)
    qtbot.waitUntil(lambda: w.width() == size[0], timeout=3000)
    scroll = trades.findChild(QScrollArea)
    assert scroll is not None
    viewport, inner = scroll.viewport(), scroll.widget()
    assert inner is not None
    qtbot.waitUntil(lambda: trades.charts[0].card.height() == trades.fit.headline_height(), timeout=3000)
    assert inner.width() <= viewport.width()  # nothing scrolls sideways
    for chart in trades.charts[:2]:  # the headline row: whole, x-axis included
        card = chart.card
        bottom = card.mapTo(inner, QPoint(0, card.height())).y()
        assert bottom <= viewport.height(), (chart.title, bottom, viewport.height())
        axis = chart.card.plots[0].getPlotItem().getAxis("bottom")
        axis_bottom = chart.card.plots[0].mapTo(inner, QPoint(0, int(axis.sceneBoundingRect().bottom())))
        assert axis_bottom.y() <= viewport.height()
    assert inner.height() > viewport.height()  # the rest scroll
    for chart in trades.charts[2:]:
        assert chart.card.height() >= 300
    w.close()


def test_win_rate_even_label_keeps_clear_of_the_axis(qtbot: QtBot) -> None:
    chart = WinRateChart()
    qtbot.addWidget(chart.card)
    chart.card.resize(520, 480)
    chart.card.show()
    qtbot.waitExposed(chart.card)
    chart.rate_plot.setXRange(0, 1000, padding=0)
    label = chart.even.label
    label.updatePosition()
    title = chart.rate_plot.getPlotItem().getAxis("left").label  # the axis title, "Win rate"
    view = chart.rate_plot.getPlotItem().getViewBox().sceneBoundingRect()
    assert label.toPlainText() == "50 %"
    assert not label.sceneBoundingRect().intersects(title.sceneBoundingRect())
    assert label.sceneBoundingRect().left() > view.center().x()  # at the right end, far from the axis
    assert label.sceneBoundingRect().right() <= view.right() + 1  # and inside the plot
