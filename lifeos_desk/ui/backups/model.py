"""The archives of the backups folder as a table model."""

from __future__ import annotations

import contextlib
from datetime import datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ...core.archive import ArchiveEntry, list_archives
from ...core.units import human_size

ModelIndex = QModelIndex | QPersistentModelIndex
PathRole = Qt.ItemDataRole.UserRole + 1


class Column(IntEnum):
    """The columns, in order."""

    DATE = 0
    SIZE = 1
    ORIGIN = 2
    CHECK = 3
    NAME = 4


HEADERS = {Column.DATE: "Date", Column.SIZE: "Size", Column.ORIGIN: "Made by",
           Column.CHECK: "Last verification", Column.NAME: "File"}
_OK, _BAD = QColor("#1b7f3b"), QColor("#b3261e")



def origin_text(entry: ArchiveEntry) -> str:
    """Who made it, in words."""
    if entry.origin == "console":
        made = "this console (safety, before a restore)" if entry.purpose == "safety" else "this console"
        return made + (" + PostgreSQL dump" if entry.postgresql else "")
    if entry.origin == "script":
        return "backup.sh (ADR-005 script)"
    if entry.origin == "unrecognised":
        return "unrecognised (the name is no YYYYmmdd_HHMMSS date)"
    return "unreadable"


def check_text(entry: ArchiveEntry) -> str:
    """The last verification result, in words."""
    if entry.check is None:
        return "never verified"
    when = str(entry.check.get("time") or "")
    with contextlib.suppress(ValueError):
        when = datetime.fromisoformat(when).strftime("%Y-%m-%d %H:%M")
    message = str(entry.check.get("message", ""))
    for prefix in ("OK: ", "FAILED: "):
        message = message.removeprefix(prefix)
    return f"{'OK' if entry.check.get('ok') else 'FAILED'} · {when} · {message}"


class ArchiveModel(QAbstractTableModel):
    """Rows of ``list_archives`` (newest first); ``refresh`` re-reads the folder."""

    def __init__(self, backups: Path) -> None:
        super().__init__()
        self._backups = backups
        self._rows: list[ArchiveEntry] = []

    def refresh(self) -> None:
        """Re-read the folder (reads each archive's first kilobyte only)."""
        self.beginResetModel()
        self._rows = list_archives(self._backups)
        self.endResetModel()

    def entry(self, row: int) -> ArchiveEntry | None:
        """The archive on a row."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, path: Path) -> int:
        """The row of an archive, or -1."""
        return next((i for i, e in enumerate(self._rows) if e.path == path), -1)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(Column):
            return HEADERS[Column(section)]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        entry = self.entry(index.row()) if index.isValid() else None
        if entry is None:
            return None
        col = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, col)
        if role == PathRole:
            return str(entry.path)
        if role == Qt.ItemDataRole.ForegroundRole and col == Column.CHECK and entry.check is not None:
            return QBrush(_OK if entry.check.get("ok") else _BAD)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == Column.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{entry.path}\n{check_text(entry)}"
        return None

    @staticmethod
    def _display(entry: ArchiveEntry, col: Column) -> str:
        return {
            Column.DATE: entry.when.strftime("%Y-%m-%d %H:%M:%S") if entry.when else "unrecognised name",
            Column.SIZE: human_size(entry.size),
            Column.ORIGIN: origin_text(entry),
            Column.CHECK: check_text(entry),
            Column.NAME: entry.path.name,
        }[col]
