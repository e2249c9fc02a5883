"""The states the README shows of the Checks area: the findings grouped, and the trade inspector."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..areas import ScreenshotState

if TYPE_CHECKING:
    from .area import ChecksArea


def screenshot_states(area: ChecksArea) -> Sequence[ScreenshotState]:
    """One state: the findings with the first one selected (the run happens when the area is shown)."""

    def findings() -> None:
        if area.model.groups:
            area.tree.setCurrentIndex(area.model.index(0, 0, area.model.index(0, 0)))

    return [("checks", findings)]
