"""Column widths and the empty-list hint of the backups table.

Sized from what the columns hold (a date, a size, who made it, a file name),
not from the rows present: an empty list must not crush its columns to their
header text (issue 17), and the first archive must not reflow them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QTableView

from .model import Column

# What each column typically holds: its width floor.
SAMPLES = {
    Column.DATE: "2026-12-01 08:40:30",
    Column.SIZE: "1,023.9 MB",
    Column.ORIGIN: "this console (safety, before a restore)",
    Column.NAME: "20261201_084030.tar.gz",
}
PADDING_PX = 24
MAX_COLUMN_PX = 420


def fit_columns(view: QTableView) -> None:
    """Each column as wide as its sample or its widest row (capped); the verification column stretches."""
    metrics = view.fontMetrics()
    for col, sample in SAMPLES.items():
        width = max(metrics.horizontalAdvance(sample) + PADDING_PX, view.sizeHintForColumn(col))
        view.horizontalHeader().resizeSection(col, min(width, MAX_COLUMN_PX))


def empty_hint(folder: Path, backup: QAction) -> str:
    """What to do next when the folder holds no archive."""
    keys = backup.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    name = backup.text().replace("&", "")
    return f"No backups yet in {folder}.\n{name}{f' ({keys})' if keys else ''} makes one."
