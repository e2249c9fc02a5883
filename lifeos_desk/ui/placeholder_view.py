"""A table view that says what to do when it has no rows.

An empty list with bare headers gives no hint of what comes next (issue 17);
this view paints a sentence in the middle of its empty viewport instead, the
way Qt's line edits show placeholder text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QTableView, QWidget


class PlaceholderTableView(QTableView):
    """A QTableView showing ``placeholder_text()`` while its model has no rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._placeholder = ""

    def set_placeholder_text(self, text: str) -> None:
        """The sentence shown while the table is empty."""
        self._placeholder = text
        self.viewport().update()

    def placeholder_text(self) -> str:
        """The sentence shown while the table is empty."""
        return self._placeholder

    def showing_placeholder(self) -> bool:
        """True while the sentence is what the view shows."""
        model = self.model()
        return bool(self._placeholder) and (model is None or model.rowCount() == 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        """The rows, or the sentence when there are none."""
        super().paintEvent(event)
        if not self.showing_placeholder():
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        rect = self.viewport().rect().adjusted(24, 24, -24, -24)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._placeholder)
        painter.end()
