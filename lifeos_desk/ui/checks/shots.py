"""The states the README shows of the Checks area: the findings grouped, and the trade inspector."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..areas import ScreenshotState
from ..pump import wait_until

if TYPE_CHECKING:
    from .area import ChecksArea


def screenshot_states(area: ChecksArea) -> Sequence[ScreenshotState]:
    """The findings (the run starts when the area is shown) with the first one selected."""

    def findings() -> None:
        if area.document is None and not area.busy():
            area.run()
        wait_until(lambda: not area.busy(), 60)
        if area.model.groups:
            area.tree.setCurrentIndex(area.model.index(0, 0, area.model.index(0, 0)))

    return [("checks", findings)]
