"""Editors for the few editable columns: a risk-level combo, a yes/no flag, a line.

Display formatting (money, prices, times, check marks, NULL, key sizes) is
decided by the model's roles (``db.tables.columns``), so copy, export and
painting agree; this delegate only chooses the right editor.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ...core.filters import ColumnKind
from ...db.tables.window import TableWindowModel

Index = QModelIndex | QPersistentModelIndex


class CellDelegate(QStyledItemDelegate):
    """Chooses the editor by column: choices -> combo, flags -> yes/no combo."""

    def __init__(self, model: TableWindowModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def _spec(self, index: Index) -> Any:
        return self._model.info.specs[index.column()]

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        """A combo for risk levels and flags, the default line edit otherwise."""
        spec = self._spec(index)
        if spec.choices or spec.kind is ColumnKind.BOOL:
            combo = QComboBox(parent)
            if spec.choices:
                combo.addItems(list(spec.choices))
            else:
                combo.addItem("✓ yes", 1)
                combo.addItem("✗ no", 0)
            return combo
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        """Start from the current (or staged) value."""
        if isinstance(editor, QComboBox):
            value = index.data(Qt.ItemDataRole.EditRole)
            spec = self._spec(index)
            if spec.choices:
                editor.setCurrentIndex(max(0, editor.findText(str(value))))
            else:
                editor.setCurrentIndex(0 if value in (1, True, "1") else 1)
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        """Stage the chosen value."""
        if isinstance(editor, QComboBox):
            spec = self._spec(index)
            value = editor.currentText() if spec.choices else editor.currentData()
            model.setData(index, value, Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)
