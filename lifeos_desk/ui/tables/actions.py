"""The table pane's helpers that need no pane state: related rows, index offers, export progress,
the status line, column widths.

Kept apart from pane.py so the pane stays about wiring its widgets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QTableView,
    QWidget,
)

from ...core.filters import SYNTAX_HELP
from ...core.schema import Domain
from ...db.connection import Database
from ...db.errors import DatabaseError
from ...db.tables import indexes
from ...db.tables.info import TableInfo
from ...db.tables.window import TableWindowModel
from .delegates import CellDelegate
from .export import CsvExport


def relation_targets(d: Domain | None, table: str, info: TableInfo,
                     value: Callable[[str], Any]) -> list[tuple[str, str, str, Any]]:
    """(menu label, table, column, value) of the rows related to one row; ``value(column)`` reads that row."""
    if d is None:
        return []
    if table == d.users:
        uid = value(d.user_pk)
        return [("Wallets of this user", d.wallets, d.wallet_user, uid),
                ("Trades of this user", d.trades, d.trade_user, uid)]
    if info.index_of("user_id") >= 0:
        uid = value("user_id")
        out = [("Show this user", d.users, d.user_pk, uid)]
        if table == d.wallets:
            out.append(("Trades of this user", d.trades, d.trade_user, uid))
        elif table == d.trades:
            out.append(("Wallets of this user", d.wallets, d.wallet_user, uid))
        return out
    return []


@contextmanager
def busy_cursor() -> Iterator[None]:
    """A wait cursor while a short blocking step (building indexes) runs on the UI thread."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


def offer_indexes(parent: QWidget, database: Database, domain: Domain | None,
                  failed: Callable[[str], None]) -> list[indexes.IndexSpec]:
    """Say which recommended indexes are missing and what they cost; the ones the admin agreed to create."""
    if domain is None:
        return []
    try:
        todo = indexes.missing(database, domain)
        text = indexes.cost_text(database, todo)
    except DatabaseError as exc:
        failed(str(exc))
        return []
    if not todo:
        QMessageBox.information(parent, "Recommended indexes", text)
        return []
    if database.read_only:
        QMessageBox.information(parent, "Recommended indexes",
                                f"{text}\n\nCreating indexes writes to the file: unlock editing first "
                                "(Database ▸ Allow editing).")
        return []
    answer = QMessageBox.question(parent, "Create recommended indexes?", text)
    return todo if answer == QMessageBox.StandardButton.Yes else []


def follow_with_dialog(export: CsvExport, rows: int, parent: QWidget) -> QProgressDialog:
    """A window-modal progress dialog that follows an export and cancels it."""
    dialog = QProgressDialog(f"Exporting {rows:,} rows…", "Cancel", 0, max(1, rows), parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(500)
    export.progressed.connect(dialog.setValue)
    export.finished.connect(dialog.close)
    export.failed.connect(dialog.close)
    dialog.canceled.connect(export.cancel)
    return dialog


def status_text(model: TableWindowModel, total: int | None) -> str:
    """The pane's one-line status: row counts (of the table total when filtered), snapshot, pending edits."""
    count = model.rowCount()
    parts = [f"{count:,} rows"]
    if model.where.sql != "1" and total is not None:
        parts = [f"{count:,} of {total:,} rows match"]
    if model.snapshot:
        parts.append("sorted snapshot (no index on this column)")
        if model.unplaced:
            parts.append(f"{model.unplaced:,} new rows since the sort: Re-sort places them")
    n = len(model.edits)
    if n:
        parts.append(f"{n} pending edit{'s' * (n != 1)} (not written until Save)")
    if model.editable:
        parts.append("editing unlocked")
    return " · ".join(parts)


def size_columns(view: QTableView, model: TableWindowModel, sample_rows: int, max_width: int) -> None:
    """Widths from the header and the first rows' text only (resizeColumnsToContents
    would format thousands of cells: a third of the first-paint budget)."""
    metrics = view.fontMetrics()
    header = view.horizontalHeader()
    sample = range(min(sample_rows, model.rowCount()))
    for i in range(model.columnCount()):
        texts = [str(model.index(r, i).data() or "") for r in sample]
        width = max([metrics.horizontalAdvance(t) for t in texts] + [0]) + 16
        width = max(width, metrics.horizontalAdvance(str(model.headerData(i, Qt.Orientation.Horizontal))) + 28)
        header.resizeSection(i, min(max(width, 60), max_width))


def equals_text(value: Any) -> str:
    """A filter text meaning "equals this value"."""
    return f'="{value}"' if isinstance(value, str) and (value != value.strip() or not value) else f"={value}"


def make_view(model: TableWindowModel, row_height: int) -> QTableView:
    """The table view: cell selection, edit on typing, fixed row heights, file order until sorted."""
    view = QTableView()
    view.setModel(model)
    view.setItemDelegate(CellDelegate(model, view))
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                         | QAbstractItemView.EditTrigger.AnyKeyPressed)
    vh = view.verticalHeader()
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # a million rows: never measure them
    vh.setDefaultSectionSize(row_height)
    header = view.horizontalHeader()
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # file order until the admin sorts
    header.setResizeContentsPrecision(100)
    view.setSortingEnabled(True)
    return view


def make_search_box() -> QLineEdit:
    """The search-all box, with the filter syntax in its tooltip."""
    search = QLineEdit()
    search.setPlaceholderText("Search all text columns…")
    search.setClearButtonEnabled(True)
    search.setToolTip("Finds rows where any text or time column contains this text, "
                      "or any number column equals it.\n\nPer-column filters:\n" + SYNTAX_HELP)
    return search


def trade_key(table: str, info: TableInfo) -> str | None:
    """The primary-key column of a trades or transactions table, which the trade inspector takes; else None."""
    if table not in ("trades", "transactions"):
        return None
    return next((s.name for s in info.specs if s.pk), None)
