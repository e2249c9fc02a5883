"""The PnL page's layout: the headline figures and the first row of charts fit the view; the rest scroll.

At the default window size (1066×666) the charts were taller than the view
and the first row's x-axes were off screen (issue 17). The cause: the cards'
word-wrapped captions make the grid height-for-width, and a scroll area that
resizes its widget takes the *preferred* height for width (each plot's 480
px size hint) as the minimum. So every card gets a height set here: the
headline row shares what the viewport has left after the figures, the other
rows a fixed height, and the scroll area scrolls to them.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLayout, QScrollArea, QWidget
from shiboken6 import isValid

# A headline chart is never squeezed below this (axis, a few ticks, the title and caption).
HEADLINE_MIN_PX = 260
# Each further row: one plot per card, or more for cards that stack several (win rate over trade count).
ROW_PX_PER_PLOT = 300
STACKED_PLOT_PX = 190


class FitFirstRow(QObject):
    """Keeps the first row of cards as tall as the viewport allows, and the other rows at a set height."""

    def __init__(self, scroll: QScrollArea, above: QWidget | QLayout, rows: Sequence[Sequence[QWidget]],
                 plots_per_card: dict[QWidget, int], spacing: int) -> None:
        super().__init__(scroll)
        self._scroll = scroll
        self._viewport = scroll.viewport()
        self._above = above
        self._rows = [list(r) for r in rows]
        self._plots = plots_per_card
        self._spacing = spacing
        self._viewport.installEventFilter(self)
        self.fit()

    def headline_height(self) -> int:
        """What the first row gets: the viewport's height less the figures above it."""
        above = self._above.sizeHint().height()
        return max(HEADLINE_MIN_PX, self._viewport.height() - above - 2 * self._spacing)

    def row_height(self, row: Sequence[QWidget]) -> int:
        """A further row: tall enough for the card with the most plots."""
        plots = max((self._plots.get(card, 1) for card in row), default=1)
        return ROW_PX_PER_PLOT + (plots - 1) * STACKED_PLOT_PX

    def fit(self) -> None:
        """Set every card's height for the viewport's present size."""
        if not self._rows:
            return
        first = self.headline_height()
        for card in self._rows[0]:
            card.setFixedHeight(first)
        for row in self._rows[1:]:
            height = self.row_height(row)
            for card in row:
                card.setFixedHeight(height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Refit when the viewport changes size (the window, or the status line above it)."""
        # The viewport outlives the scroll area's own destructor by a moment: nothing to fit then.
        if event.type() == QEvent.Type.Resize and watched is self._viewport and isValid(self._scroll):
            self.fit()
        return False
