"""The rows of one query result: already fetched to their end (at most the row cap), held in memory.

Bounded by construction: the child read at most ``limit`` rows and ended
its statement before the window saw a byte, so this model never holds a
statement open (docs/architecture.md, 'Half-read statements pin the WAL').
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import QApplication

Index = QModelIndex | QPersistentModelIndex
MAX_CELL_CHARS = 300


class ResultModel(QAbstractTableModel):
    """Columns and rows of the last result; NULL drawn dimmed."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns: list[str] = []
        self.rows: list[list[Any]] = []

    def set_result(self, columns: list[str], rows: list[list[Any]]) -> None:
        """Show a new result (replaces the old one)."""
        self.beginResetModel()
        self.columns, self.rows = list(columns), [list(r) for r in rows]
        self.endResetModel()

    def clear(self) -> None:
        """No result."""
        self.set_result([], [])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Rows of the result."""
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Columns of the result."""
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text (one line, shortened), NULL dimmed, numbers right-aligned; full text as tooltip."""
        if not index.isValid():
            return None
        value = self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if value is None:
                return "NULL"
            text = str(value).replace("\n", " ⏎ ")
            return text if len(text) <= MAX_CELL_CHARS else text[:MAX_CELL_CHARS] + "…"
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(value, str) and len(value) > 40:
            return value[:4000]
        if role == Qt.ItemDataRole.ForegroundRole and value is None:
            return QBrush(QApplication.palette().color(QPalette.ColorRole.PlaceholderText))
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, (int, float)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column names across, row numbers down."""
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section] if section < len(self.columns) else None
        return section + 1

    def write_csv(self, path: Path) -> int:
        """Write the result as CSV (header row first) under a temporary name, then rename; returns rows."""
        tmp = path.with_name(f".{path.name}.part")
        try:
            with open(tmp, "w", newline="", encoding="utf-8") as f:
                out = csv.writer(f)
                out.writerow(self.columns)
                out.writerows(["" if v is None else v for v in r] for r in self.rows)
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return len(self.rows)
