"""The header menu that shows or hides an entry key as its own column of the log table."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QMenu, QWidget

from .model import LogTableModel


def pick_extra_key(parent: QWidget, model: LogTableModel, header: QHeaderView, pos: QPoint) -> str | None:
    """Ask which key to toggle (checked: shown now); None when the admin picked nothing."""
    menu = QMenu(parent)
    keys = sorted(set(model.seen_keys()) | set(model.extra_keys))
    if not keys:
        menu.addAction("Other keys appear here once entries are shown").setEnabled(False)
    for key in keys:
        action = menu.addAction(key)
        action.setCheckable(True)
        action.setChecked(key in model.extra_keys)
        action.setData(key)
    chosen = menu.exec(header.mapToGlobal(pos))
    return str(chosen.data()) if isinstance(chosen, QAction) and chosen.data() else None
