"""A label that gives way: its text shortened from the middle ("/home/…/demo-home").

For paths, whose start and end say the most; the whole text goes in the
tooltip by the caller. Used where a long path must not widen the window
(issue 17: the window never resizes itself; layouts give way instead).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class MiddleElidedLabel(QLabel):
    """A label that shortens its text from the middle to the width it is given.

    ``full_text()`` is always the whole text; ``text()`` is what is shown.
    ``mode`` ElideRight suits a sentence (its start says the most).
    """

    def __init__(self, preferred_px: int = 420, minimum_px: int = 80, parent: QWidget | None = None, *,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle) -> None:
        super().__init__(parent)
        self._full = ""
        self._mode = mode
        self._preferred_px, self._minimum_px = preferred_px, minimum_px
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        """Show this text, shortened from the middle when it does not fit."""
        self._full = text
        self.updateGeometry()
        self._elide()

    def full_text(self) -> str:
        """The text before shortening."""
        return self._full

    def sizeHint(self) -> QSize:
        """As wide as the whole text, up to the preferred width."""
        width = self.fontMetrics().horizontalAdvance(self._full) + 2 * self.margin() + 4
        return QSize(min(width, self._preferred_px), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        """Small: this label gives way to its neighbours."""
        return QSize(self._minimum_px, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Re-shorten for the new width."""
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = max(0, self.width() - 2 * self.margin() - 4)
        super().setText(self.fontMetrics().elidedText(self._full, self._mode, room))
