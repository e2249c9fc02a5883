"""One table's view: filter boxes, search, the rows, editing, copy and export.

The pane wires a ``TableWindowModel`` to the widgets; everything that touches
SQL lives in ``db.tables``. Live refresh is debounced and skipped while the
pane is hidden (Electrum's ``maybe_defer_update``): a hidden pane refreshes
when it is shown again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...core.audit import AuditWriter
from ...core.filters import ColumnKind, FilterError, combine, in_values, parse_filter, search_clause
from ...core.schema import Domain
from ...db.connection import Database
from ...db.errors import DatabaseError
from ...db.tables import indexes
from ...db.tables.editor import SaveError, save_edits, single_default_rule
from ...db.tables.info import TableInfo, load_table_info
from ...signals import Navigator
from . import actions
from .detail import UserDetailPanel
from .export import CsvExport, selection_tsv
from .filterbar import FilterBar
from .rowmenu import RowMenu
from .style import StyledTableModel

FILTER_DEBOUNCE_MS = 300
REFRESH_MIN_INTERVAL_S = 2.0  # a busy bot commits many times a second; a refresh costs ~30 ms (issue 18: <= 5 %)
ROW_HEIGHT = 22
MAX_COLUMN_WIDTH = 170
SIZE_SAMPLE_ROWS = 40


@dataclass(frozen=True)
class PaneDeps:
    """What a table pane needs from the session (and nothing more)."""

    database: Database
    domain: Domain | None
    audit: AuditWriter
    nav: Navigator
    utc: bool = False


class TablePane(QWidget):
    """The view of one table.

    Signals:
        statusChanged(str): the one-line status (row counts, pending edits, errors).
    """

    statusChanged = Signal(str)

    def __init__(self, deps: PaneDeps, info: TableInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._deps = deps
        self._row_menu = RowMenu(self)
        self._utc = deps.utc
        self._chosen: tuple[str, list[Any]] | None = None
        self._dirty = False
        self._last_refresh = 0.0
        self._error = ""
        self._total: int | None = None
        self.export: CsvExport | None = None
        self.model = StyledTableModel(deps.database, info, utc=deps.utc, after_stage=single_default_rule(deps.domain),
                                      parent=self)
        self.model.set_editable(self._can_edit())
        self._build()
        self._connect()  # setSortingEnabled (in _build) already selected: file order, one COUNT(*)
        self._size_columns()
        self._update_status()

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        self.view = actions.make_view(self.model, ROW_HEIGHT)
        self.filters = FilterBar(self.view, self.model.info.specs)
        self.search = actions.make_search_box()
        self.status = QLabel()
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chosen_label = QLabel()
        self.show_all_button = QPushButton("Show all rows")
        self.resort_button = QPushButton("Re-sort")
        self.resort_button.setToolTip("Place rows committed since this sort (no index serves this column)")
        self.save_button = QPushButton("Save")
        self.revert_button = QPushButton("Revert")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the selected cells as tab-separated text (Ctrl+C)")
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Write the filtered, sorted rows to a CSV file")
        self.index_button = QPushButton("Recommended indexes…")
        self.index_button.setToolTip("Create the indexes that make sorting and filtering trades fast")
        self.index_button.setVisible(self._is_trades())
        top = QHBoxLayout()
        top.addWidget(self.search, 2)
        for w in (self.chosen_label, self.show_all_button, self.resort_button, self.save_button, self.revert_button,
                  self.copy_button, self.export_button, self.index_button):
            top.addWidget(w)
        table_box = QWidget()
        tl = QVBoxLayout(table_box)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.setSpacing(0)
        tl.addWidget(self.filters)
        tl.addWidget(self.view)
        self.detail: UserDetailPanel | None = None
        body: QWidget = table_box
        if self._is_users():
            assert self._deps.domain is not None
            self.detail = UserDetailPanel(self._deps.database, self._deps.domain)
            self.detail.set_utc(self._utc)
            split = QSplitter()
            split.addWidget(table_box)
            split.addWidget(self.detail)
            split.setStretchFactor(0, 3)
            split.setStretchFactor(1, 1)
            body = split
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(body, 1)
        layout.addWidget(self.status)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DEBOUNCE_MS)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(150)
        copy = QAction("Copy", self.view)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.triggered.connect(self.copy_selection)
        self.view.addAction(copy)
        self._update_buttons()

    def _connect(self) -> None:
        self.filters.edited.connect(self._filter_timer.start)
        self.search.textChanged.connect(self._on_search_text)
        self._filter_timer.timeout.connect(self.apply_filters)
        self._refresh_timer.timeout.connect(self.refresh_now)
        self.model.countChanged.connect(self._on_count)
        self.model.pendingChanged.connect(self._on_pending)
        self.model.failed.connect(self._on_failed)
        self.model.modelReset.connect(self.view.scrollToTop)  # a new sort or filter starts at the top
        self.show_all_button.clicked.connect(self.clear_chosen)
        self.resort_button.clicked.connect(self._on_resort)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.copy_button.clicked.connect(self.copy_selection)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.index_button.clicked.connect(self._on_indexes)
        self.view.customContextMenuRequested.connect(self._row_menu.popup)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row)
        self._detail_timer.timeout.connect(self._show_detail)
        if self.detail is not None:
            self.detail.showWallets.connect(self._on_detail_wallets)
            self.detail.showTrades.connect(self._on_detail_trades)

    def _size_columns(self) -> None:
        actions.size_columns(self.view, self.model, SIZE_SAMPLE_ROWS, MAX_COLUMN_WIDTH)
        self.filters.relayout()

    # ---------------------------------------------------------------- facts
    @property
    def deps(self) -> PaneDeps:
        """What this pane was given from the session."""
        return self._deps

    @property
    def table(self) -> str:
        """The table's name."""
        return self.model.info.name

    def _is_users(self) -> bool:
        return self._deps.domain is not None and self.table == self._deps.domain.users

    def _is_trades(self) -> bool:
        return self._deps.domain is not None and self.table == self._deps.domain.trades

    def _can_edit(self) -> bool:
        return not self._deps.database.read_only and any(s.editable for s in self.model.info.specs)

    # ---------------------------------------------------------------- filters
    @Slot(str)
    def _on_search_text(self, _text: str) -> None:
        self._filter_timer.start()

    @Slot()
    def apply_filters(self) -> None:
        """Parse every box; mark bad ones; filter in SQL with what is valid."""
        self._filter_timer.stop()
        specs = self.model.info.specs
        clauses = []
        for i, (spec, text) in enumerate(zip(specs, self.filters.texts(), strict=True)):
            try:
                clauses.append(parse_filter(text, spec.filter_column(), self._utc))
                self.filters.mark(i, None, spec)
            except FilterError as exc:
                self.filters.mark(i, str(exc), spec)
        clauses.append(search_clause(self.search.text(), [s.filter_column() for s in specs
                                                          if s.kind is not ColumnKind.KEY]))
        if self._chosen is not None:
            spec = specs[self.model.info.index_of(self._chosen[0])]
            clauses.append(in_values(spec.sql, self._chosen[1]))
        where = combine(clauses)
        if where != self.model.where:
            self._total = None
            self.model.set_where(where)

    def set_filter(self, column: str, text: str) -> None:
        """Put text into one column's filter box and apply it now."""
        i = self.model.info.index_of(column)
        if i >= 0:
            self.filters.set_text(i, text)
            self.apply_filters()

    def show_rows(self, column: str, values: list[Any]) -> None:
        """Show only rows whose column is one of the values (other filters are cleared)."""
        if self.model.info.index_of(column) < 0:
            self._on_failed(f"{self.table} has no column {column}")
            return
        self.filters.blockSignals(True)
        self.filters.clear()
        self.filters.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._chosen = None
        if len(values) == 1:
            self.set_filter(column, actions.equals_text(values[0]))
        else:
            self._chosen = (column, list(values))
            self.apply_filters()
        self._update_buttons()

    @Slot()
    def clear_chosen(self) -> None:
        """Drop the "chosen rows" restriction."""
        self._chosen = None
        self.apply_filters()
        self._update_buttons()

    # ---------------------------------------------------------------- live
    def set_utc(self, utc: bool) -> None:
        """Times in UTC or local time (time filters are re-read in the new zone)."""
        self._utc = utc
        self.model.set_utc(utc)
        if self.detail is not None:
            self.detail.set_utc(utc)
        self.apply_filters()

    @Slot()
    def on_external_change(self) -> None:
        """Another connection committed: refresh soon (or when shown again)."""
        if not self.isVisible():
            self._dirty = True
            return
        if not self._refresh_timer.isActive():
            wait = max(0.0, REFRESH_MIN_INTERVAL_S - (time.monotonic() - self._last_refresh))
            self._refresh_timer.start(int(wait * 1000))

    @Slot()
    def refresh_now(self) -> None:
        """Re-read what is visible, keeping sort, filter, selection, scroll and edits."""
        self._dirty = False
        self._last_refresh = time.monotonic()
        self._total = None
        self.model.refresh()
        self._update_status()

    def showEvent(self, event: QShowEvent) -> None:
        """Catch up on changes made while hidden."""
        super().showEvent(event)
        if self._dirty:
            self.refresh_now()

    def on_mode_changed(self, read_only: bool) -> None:
        """Editing was locked or unlocked (connections were reopened)."""
        self.model.set_editable(self._can_edit())
        self.model.select()
        self._update_buttons()

    @Slot()
    def _on_resort(self) -> None:
        self.model.select()

    # ---------------------------------------------------------------- editing
    @Slot()
    def save(self) -> bool:
        """Write the staged edits in one transaction; on failure they stay pending."""
        edits = self.model.edits
        try:
            n = save_edits(self._deps.database, self.model.info, edits, self._deps.audit, self._deps.domain)
        except SaveError as exc:
            self._on_failed(str(exc))
            if self.isVisible():
                QMessageBox.warning(self, "Could not save", str(exc))
            return False
        except OSError as exc:  # saved, but the audit log could not be written
            self.model.clear_edits(edits)
            self._on_failed(f"Saved, but the audit log could not be written: {exc.strerror}")
            return True
        self.model.clear_edits(edits)
        self._error = ""
        self._message(f"Saved {n} change{'s' * (n != 1)}; audit log: {self._deps.audit.path}")
        return True

    @Slot()
    def revert(self) -> None:
        """Drop the staged edits."""
        self.model.revert()

    def shutdown(self) -> None:
        """Stop the debounce timers and a running CSV export (the area is being dropped)."""
        for timer in (self._filter_timer, self._refresh_timer, self._detail_timer):
            timer.stop()
        if self.export is not None:
            self.export.cancel()

    @Slot(int)
    def _on_pending(self, _n: int) -> None:
        self._update_buttons()
        self._update_status()

    def _update_buttons(self) -> None:
        n = len(self.model.edits)
        editing = self._can_edit()
        self.save_button.setVisible(editing or n > 0)
        self.revert_button.setVisible(editing or n > 0)
        self.save_button.setEnabled(n > 0)
        self.revert_button.setEnabled(n > 0)
        self.save_button.setText(f"Save ({n})" if n else "Save")
        chosen = self._chosen is not None
        self.chosen_label.setVisible(chosen)
        self.show_all_button.setVisible(chosen)
        if self._chosen is not None:
            self.chosen_label.setText(f"Showing {len(self._chosen[1]):,} chosen rows")
        self.resort_button.setVisible(self.model.snapshot and self.model.unplaced > 0)

    # ---------------------------------------------------------------- status
    @Slot(int)
    def _on_count(self, _count: int) -> None:
        self._update_status()
        self._update_buttons()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._error = message
        self._update_status()

    @Slot(str)
    def show_message(self, text: str) -> None:
        """A one-line status message (the row menu's "Save value to file…" reports here)."""
        self._message(text)

    def _message(self, text: str) -> None:
        self.status.setStyleSheet("")
        self.status.setText(text)
        self.statusChanged.emit(text)

    def _update_status(self) -> None:
        if self._error:
            self.status.setStyleSheet("color: #d0352b;")
            self.status.setText(self._error)
            self.statusChanged.emit(self._error)
            return
        if self.model.where.sql != "1" and self._total is None:
            try:
                self._total = self.model.total_rows()
            except DatabaseError:
                self._total = None
        self._message(actions.status_text(self.model, self._total))

    # ---------------------------------------------------------------- copy, export, indexes
    @Slot()
    def copy_selection(self) -> None:
        """Selected cells to the clipboard as TSV."""
        text = selection_tsv(self.model, self.view.selectionModel().selectedIndexes())
        if text:
            QGuiApplication.clipboard().setText(text)
            self._message(f"Copied {text.count(chr(10))} rows")

    @Slot()
    def _on_export_clicked(self) -> None:
        default = str(Path.home() / f"{self.table}.csv")
        path, _ = QFileDialog.getSaveFileName(self, f"Export {self.table} to CSV", default, "CSV files (*.csv)")
        if path:
            self.export_to(Path(path), with_dialog=True)

    def export_to(self, path: Path, with_dialog: bool = False) -> CsvExport:
        """Start streaming the current rows to a CSV file."""
        export = CsvExport(self.model, path, self)
        self.export = export
        export.finished.connect(self._message)
        export.failed.connect(self._on_failed)
        if with_dialog:
            actions.follow_with_dialog(export, self.model.rowCount(), self)
        export.start()
        return export

    @Slot()
    def _on_indexes(self) -> None:
        todo = actions.offer_indexes(self, self._deps.database, self._deps.domain, self._on_failed)
        if todo:
            self.create_indexes(todo)

    def create_indexes(self, todo: list[indexes.IndexSpec]) -> None:
        """Build the indexes (busy cursor), then re-read which columns sort fast."""
        try:
            with actions.busy_cursor():
                made = indexes.create(self._deps.database, todo, self._deps.audit)
                self.model.info = load_table_info(self._deps.database, self.table, self._deps.domain)
                self.model.select()
        except DatabaseError as exc:
            self._on_failed(f"Could not create the indexes: {exc}")
            return
        self._message(f"Created {', '.join(made)}")

    # ---------------------------------------------------------------- relations
    def _value(self, row: int, column: str) -> Any:
        i = self.model.info.index_of(column)
        return self.model.value(row, i) if i >= 0 else None

    @Slot(QModelIndex, QModelIndex)
    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self.detail is not None:
            self._detail_timer.start()

    @Slot()
    def _show_detail(self) -> None:
        if self.detail is None or self._deps.domain is None:
            return
        index = self.view.currentIndex()
        self.detail.show_user(self._value(index.row(), self._deps.domain.user_pk) if index.isValid() else None)

    @Slot(object)
    def _on_detail_wallets(self, uid: Any) -> None:
        assert self._deps.domain is not None
        self._deps.nav.show_rows(self._deps.domain.wallets, self._deps.domain.wallet_user, [uid])

    @Slot(object)
    def _on_detail_trades(self, uid: Any) -> None:
        assert self._deps.domain is not None
        self._deps.nav.show_rows(self._deps.domain.trades, self._deps.domain.trade_user, [uid])

    def sort_by(self, column: str, descending: bool = False) -> None:
        """Sort by a column as if its header was clicked."""
        i = self.model.info.index_of(column)
        if i >= 0:
            self.view.sortByColumn(i, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)

    def select_row(self, row: int) -> None:
        """Make a row current and selected (and scroll to it)."""
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.view.scrollTo(index)

