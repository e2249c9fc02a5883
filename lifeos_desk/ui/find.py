"""Edit ▸ Find (Ctrl+F): the window's one Find action and the row filter the areas use for it.

The action asks the area in front through the optional ``Finds`` protocol
(ui/areas.py) and is disabled where the area has no find. ``RowFilter``
gives an area a find without touching its model: it hides the rows of its
views that do not contain every word typed (any column, any case) and keeps
a tree's parents of a match visible; it re-applies when the model changes
(live refreshes), so a find survives the bot writing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTableView, QTreeView, QWidget

from .areas import Finds

ModelIndex = QModelIndex | QPersistentModelIndex


def make_find_box(placeholder: str) -> QLineEdit:
    """The line edit an area's find types into (Ctrl+F focuses it)."""
    box = QLineEdit()
    box.setObjectName("findBox")
    box.setPlaceholderText(placeholder)
    box.setClearButtonEnabled(True)
    box.setToolTip(f"{placeholder} (Ctrl+F): rows containing every word, in any column")
    return box


def _words(text: str) -> list[str]:
    return [w.casefold() for w in text.split() if w]


class RowFilter(QObject):
    """Hides the rows of ``views`` that do not contain every word of ``box``."""

    def __init__(self, box: QLineEdit, views: Sequence[QTableView | QTreeView], parent: QObject | None = None) -> None:
        super().__init__(parent or box)
        self._box = box
        self._views = list(views)
        self._again = QTimer(self)
        self._again.setSingleShot(True)
        self._again.setInterval(0)
        self._again.timeout.connect(self.apply)
        box.textChanged.connect(self._on_text)
        for view in self._views:
            model = view.model()
            for signal in (model.modelReset, model.rowsInserted, model.layoutChanged, model.dataChanged):
                signal.connect(self._again.start)

    @Slot(str)
    def _on_text(self, _text: str) -> None:
        self.apply()

    @Slot()
    def apply(self) -> None:
        """Hide and show the rows for the box's words now."""
        words = _words(self._box.text())
        for view in self._views:
            self._apply_under(view, QModelIndex(), words)

    def visible_rows(self, view: QAbstractItemView) -> int:
        """Top-level rows the view shows (for tests and the status)."""
        model = view.model()
        if isinstance(view, QTreeView):
            return sum(not view.isRowHidden(r, QModelIndex()) for r in range(model.rowCount()))
        assert isinstance(view, QTableView)
        return sum(not view.isRowHidden(r) for r in range(model.rowCount()))

    def _apply_under(self, view: QTableView | QTreeView, parent: ModelIndex, words: list[str]) -> bool:
        """Apply to the children of ``parent``; True when any of them stays visible."""
        model = view.model()
        any_shown = False
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            shown = self._matches(view, index, words)
            if isinstance(view, QTreeView) and model.hasChildren(index):
                # A parent stays while a child matches; all its children show when the parent itself matches.
                child_shown = self._apply_under(view, index, [] if shown and words else words)
                shown = shown or child_shown
                view.setRowHidden(row, parent, not shown)
            elif isinstance(view, QTreeView):
                view.setRowHidden(row, parent, not shown)
            else:
                view.setRowHidden(row, not shown)
            any_shown = any_shown or shown
        return any_shown

    @staticmethod
    def _matches(view: QAbstractItemView, index: ModelIndex, words: list[str]) -> bool:
        if not words:
            return True
        model = view.model()
        text = " ".join(str(model.index(index.row(), c, index.parent()).data(Qt.ItemDataRole.DisplayRole) or "")
                        for c in range(model.columnCount(index.parent()))).casefold()
        return all(w in text for w in words)


class FindAction(QObject):
    """Edit ▸ Find: enabled when the area in front implements ``Finds``; triggers its ``focus_find``."""

    def __init__(self, action: QAction, current: Callable[[], QWidget | None]) -> None:
        super().__init__(action)
        self._action = action
        self._current = current
        action.triggered.connect(self.trigger)
        self.update()

    def target(self) -> Finds | None:
        """The area in front, if it has a find."""
        widget = self._current()
        return widget if isinstance(widget, Finds) else None

    @Slot()
    def update(self) -> None:
        """Enable or disable for the area in front (call on every tab change)."""
        self._action.setEnabled(self.target() is not None)

    @Slot()
    def trigger(self) -> None:
        """Focus the area's find."""
        target = self.target()
        if target is not None:
            target.focus_find()
