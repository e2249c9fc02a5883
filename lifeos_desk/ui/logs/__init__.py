"""The Audit log area (issue 5): follow the bot's JSONL logs live, filter and export them.

``create_area(session)`` is the area factory; ``demo_screenshots`` puts the
area into the states the README shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from ..pump import settle

if TYPE_CHECKING:
    from ...session import Session
    from .area import LogsArea


def create_area(session: Session) -> QWidget:
    """The area over ``session.paths.logs``, with times as the View menu says."""
    from .area import LogsArea

    area = LogsArea(session.paths.logs, utc=session.prefs.utc)
    session.prefs.utcChanged.connect(area.model.set_utc)
    return area



def demo_screenshots(widget: QWidget, save: Callable[[str], None]) -> None:
    """Following the live writer with the detail pane open; then a filter; then all logs merged."""
    from .area import LogsArea

    if not isinstance(widget, LogsArea):
        return
    area: LogsArea = widget
    settle(1.0)
    if area.model.rowCount():
        area.select_row(area.model.rowCount() - 1)
        area.set_follow(True)
    settle(0.5)
    save("logs-following")
    area.filter_bar.level_box.setCurrentText("ERROR")
    area.apply_filter()
    area.tasks.wait(10)
    settle(0.5)
    if area.model.rowCount():
        area.select_row(area.model.rowCount() - 1)
    save("logs-filtered")
    area.clear_filter()
    merged = area.picker.findData(-1)
    if merged >= 0:
        area.picker.setCurrentIndex(merged)
        area.tasks.wait(20)
        settle(0.5)
        if area.model.rowCount():
            area.select_row(area.model.rowCount() - 1)
        save("logs-merged")
