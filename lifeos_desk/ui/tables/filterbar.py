"""One filter box per column, kept under its header section.

The boxes follow the header when columns are resized, moved or scrolled
sideways, so it is always clear which column a filter belongs to. Invalid
syntax is marked in the box (red frame, the reason as tooltip); it never
raises and never reaches SQL.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal, Slot
from PySide6.QtWidgets import QLineEdit, QTableView, QWidget

from ...core.filters import SYNTAX_HELP, ColumnKind
from ...db.tables.columns import ColumnSpec

_ERROR_STYLE = "QLineEdit { border: 2px solid #d0352b; }"


def _placeholder(spec: ColumnSpec) -> str:
    return {ColumnKind.KEY: "NULL / NOT NULL", ColumnKind.BOOL: "yes / no", ColumnKind.TIME: "2026-03 or a~b",
            }.get(spec.kind, "=, <, a~b…" if spec.kind.numeric else "contains…")


class FilterBar(QWidget):
    """Filter boxes aligned with a table view's columns.

    Signals:
        edited(): the text of a box changed (the pane debounces and applies).
    """

    edited = Signal()

    def __init__(self, view: QTableView, specs: tuple[ColumnSpec, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self.boxes: list[QLineEdit] = []
        for spec in specs:
            box = QLineEdit(self)
            box.setPlaceholderText(_placeholder(spec))
            box.setClearButtonEnabled(True)
            box.setAccessibleName(f"Filter {spec.header}")
            box.setToolTip(f"Filter {spec.header}\n\n{SYNTAX_HELP}")
            box.textChanged.connect(self._on_text)
            self.boxes.append(box)
        self.setFixedHeight(self.boxes[0].sizeHint().height() if self.boxes else 0)
        header = view.horizontalHeader()
        header.sectionResized.connect(self.relayout)
        header.sectionMoved.connect(self.relayout)
        header.geometriesChanged.connect(self.relayout)
        view.horizontalScrollBar().valueChanged.connect(self.relayout)
        view.verticalHeader().geometriesChanged.connect(self.relayout)  # row numbers grow wider
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Re-align when the view is resized or shown."""
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.LayoutRequest):
            self.relayout()
        return False

    @Slot()
    def relayout(self) -> None:
        """Put each box under its header section."""
        header = self._view.horizontalHeader()
        x0 = self._view.verticalHeader().width() + self._view.frameWidth()
        h = self.height()
        for i, box in enumerate(self.boxes):
            if header.isSectionHidden(i):
                box.hide()
                continue
            box.setGeometry(x0 + header.sectionViewportPosition(i), 0, max(header.sectionSize(i), 20), h)
            box.show()

    def resizeEvent(self, event: object) -> None:
        """Keep aligned."""
        self.relayout()

    @Slot(str)
    def _on_text(self, _text: str) -> None:
        self.edited.emit()

    def texts(self) -> list[str]:
        """Every box's text, by column."""
        return [b.text() for b in self.boxes]

    def set_text(self, column: int, text: str) -> None:
        """Set one column's filter (as if typed)."""
        self.boxes[column].setText(text)

    def clear(self) -> None:
        """Empty every box."""
        for b in self.boxes:
            b.blockSignals(True)
            b.clear()
            b.blockSignals(False)
        self.edited.emit()

    def mark(self, column: int, error: str | None, spec: ColumnSpec) -> None:
        """Show (or clear) a syntax error on one box."""
        box = self.boxes[column]
        box.setStyleSheet(_ERROR_STYLE if error else "")
        box.setToolTip(f"{error}\n\n{SYNTAX_HELP}" if error else f"Filter {spec.header}\n\n{SYNTAX_HELP}")
