"""The logs area's README states, for the screenshot tool (``LogsArea.screenshot_states``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..areas import ScreenshotState
from ..pump import settle

if TYPE_CHECKING:
    from .area import LogsArea


def _select_last(area: LogsArea) -> None:
    if area.model.rowCount():
        area.select_row(area.model.rowCount() - 1)


def screenshot_states(area: LogsArea) -> Sequence[ScreenshotState]:
    """Following the live writer with the detail pane open; then a filter; then all logs merged."""

    def following() -> None:
        settle(1.0)
        _select_last(area)
        area.set_follow(True)

    def filtered() -> None:
        area.filter_bar.level_box.setCurrentText("ERROR")
        area.apply_filter()
        area.tasks.wait(10)
        settle(0.5)
        _select_last(area)

    def merged() -> None:
        area.clear_filter()
        index = area.picker.findData(-1)
        if index >= 0:
            area.picker.setCurrentIndex(index)
            area.tasks.wait(20)
            settle(0.5)
            _select_last(area)

    states = [("logs-following", following), ("logs-filtered", filtered)]
    if area.picker.findData(-1) >= 0:
        states.append(("logs-merged", merged))
    return states
