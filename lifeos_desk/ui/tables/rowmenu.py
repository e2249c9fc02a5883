"""The right-click menu of a table pane: copy, filter by this value, related rows, inspect a trade.

Its own QObject so the pane stays a layout with its slots, and each menu
entry is a named slot here (no side-effect lambdas in ``connect``).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPoint, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu

from ...core.filters import ColumnKind
from ...db.tables.cells import readable_by_key
from . import actions
from .savevalue import ValueSave

if TYPE_CHECKING:
    from .pane import TablePane


class RowMenu(QObject):
    """Builds and answers the pane's context menu (the menu lives until the next one)."""

    def __init__(self, pane: TablePane) -> None:
        super().__init__(pane)
        self._pane = pane
        self._menu: QMenu | None = None

    @Slot(QPoint)
    def popup(self, pos: QPoint) -> None:
        """Show the menu for the cell under ``pos`` (viewport coordinates)."""
        pane = self._pane
        index = pane.view.indexAt(pos)
        menu = QMenu(pane)
        menu.addAction("Copy", pane.copy_selection)
        if index.isValid():
            self._add_cell_entries(menu, index)
        menu.popup(pane.view.viewport().mapToGlobal(pos))
        self._menu = menu

    def _add_cell_entries(self, menu: QMenu, index: QModelIndex) -> None:
        pane = self._pane
        info = pane.model.info
        spec = info.specs[index.column()]
        if spec.kind is not ColumnKind.KEY:
            menu.addAction(f"Filter {spec.header} by this value", self.filter_by_current)
            if readable_by_key(info):  # the whole value, streamed (a cell shows a bounded prefix)
                menu.addAction("Save value to file…", self.save_current_value)
        value_of = partial(self._value, index.row())
        for label, table, column, value in actions.relation_targets(pane.deps.domain, pane.table, info, value_of):
            action = menu.addAction(label)
            action.setData((table, column, value))
            action.triggered.connect(self._on_relation_action)
        if (pk := actions.trade_key(pane.table, info)) is not None:  # the trade inspector (issue 15)
            menu.addAction("Inspect trade…", self._on_inspect).setData(str(self._value(index.row(), pk)))

    def _value(self, row: int, column: str) -> Any:
        model = self._pane.model
        i = model.info.index_of(column)
        return model.value(row, i) if i >= 0 else None

    @Slot()
    def _on_relation_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            table, column, value = action.data()
            self._pane.deps.nav.show_rows(table, column, [value])

    @Slot()
    def _on_inspect(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self._pane.deps.nav.inspect_trade(str(action.data()))

    @Slot()
    def filter_by_current(self) -> None:
        """Filter the current cell's column to its value (NULL when it has none)."""
        pane = self._pane
        index = pane.view.currentIndex()
        if index.isValid():
            spec = pane.model.info.specs[index.column()]
            value = pane.model.value(index.row(), index.column())
            pane.set_filter(spec.name, "NULL" if value is None else actions.equals_text(value))

    @Slot()
    def save_current_value(self) -> None:
        """Ask where, then stream the current cell's whole value there."""
        pane = self._pane
        index = pane.view.currentIndex()
        if not index.isValid():
            return
        spec = pane.model.info.specs[index.column()]
        default = str(Path.home() / f"{pane.table}-{spec.name}.txt")
        path, _ = QFileDialog.getSaveFileName(pane, f"Save {spec.header} to a file", default)
        if path:
            self.save_value(index.row(), index.column(), Path(path))

    def save_value(self, row: int, column: int, path: Path) -> ValueSave | None:
        """Stream one cell's whole value to ``path``; the pane's status line says how it went."""
        stored = self._pane.model.row(row)
        if stored is None:
            return None
        save = ValueSave(self._pane.model, stored[0], column, path, parent=self)
        save.finished.connect(self._pane.show_message)
        save.failed.connect(self._pane.show_message)
        save.start()
        return save
