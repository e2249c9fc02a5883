"""The charts area's README states, for the screenshot tool (``ChartsArea.screenshot_states``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..areas import ScreenshotState
from ..pump import settle, wait_until

if TYPE_CHECKING:
    from . import ChartsArea


def screenshot_states(area: ChartsArea) -> Sequence[ScreenshotState]:
    """Trade PnL of all users (once loaded), of one user, then the algorithm metrics."""
    panel = area.trades
    states: list[ScreenshotState] = []
    if panel is not None:
        def all_users() -> None:
            area.setCurrentWidget(panel)
            panel.user_box.setCurrentIndex(0)
            wait_until(lambda: panel.loaded_once and not panel.loader.busy, 60)

        def one_user() -> None:
            panel.user_box.setCurrentIndex(2)
            settle(0.3)
            wait_until(lambda: not panel.loader.busy, 60)

        states.append(("charts-pnl", all_users))
        if panel.user_box.count() > 2:
            states.append(("charts-pnl-one-user", one_user))

    def metrics() -> None:
        if panel is not None:
            panel.user_box.setCurrentIndex(0)
        area.setCurrentWidget(area.metrics)
        settle(0.3)

    states.append(("charts-metrics", metrics))
    return states


