"""Tables over PostgreSQL: the tables with their exact row counts, and the chosen one in pages.

The pages are ``db/pg/model.py``'s (keyed on the primary key); this pane
lists the tables, shows one, and on ``refresh`` (the window's change
counter moved) recounts them all and refreshes the shown table in place.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QSplitter, QTableView, QVBoxLayout, QWidget

from ...db.pg import PgDatabase, PgError, PgTable, PgTableModel

TableRole = Qt.ItemDataRole.UserRole + 1


class PgTablesPane(QWidget):
    """The table list (name and rows) beside the chosen table's rows."""

    def __init__(self, db: PgDatabase, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pgTablesPane")
        self._db = db
        self.counts: dict[str, int] = {}
        self.model: PgTableModel | None = None
        self.table_list = QListWidget(self)
        self.table_list.setObjectName("pgTableList")
        self.view = QTableView(self)
        self.view.setObjectName("pgTableView")
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        split = QSplitter(self)
        split.addWidget(self.table_list)
        split.addWidget(self.view)
        split.setStretchFactor(1, 4)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        self._tables: list[PgTable] = []
        self.table_list.currentItemChanged.connect(self._on_table_chosen)
        self.reload()

    def reload(self) -> None:
        """Read the table list and every table's exact row count again."""
        try:
            self._tables = self._db.tables()
            self.counts = {t.label: self._db.row_count(t) for t in self._tables}
        except PgError as exc:
            self.message.setText(str(exc))
            return
        current = self.table_list.currentItem()
        chosen = current.data(TableRole) if current is not None else None
        self.table_list.blockSignals(True)
        self.table_list.clear()
        for table in self._tables:
            item = QListWidgetItem(f"{table.label}  ({self.counts[table.label]:,})")
            item.setData(TableRole, table.label)
            if not table.key:
                item.setToolTip("no primary key: paged by OFFSET in ctid order")
            self.table_list.addItem(item)
            if table.label == chosen:
                self.table_list.setCurrentItem(item)
        self.table_list.blockSignals(False)

    def show_table(self, label: str) -> None:
        """Show a table by its label (``name`` in public, ``schema.name`` elsewhere)."""
        for row in range(self.table_list.count()):
            item = self.table_list.item(row)
            if item.data(TableRole) == label:
                self.table_list.setCurrentItem(item)
                return

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_table_chosen(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        table = next((t for t in self._tables if item is not None and t.label == item.data(TableRole)), None)
        if table is None:
            return
        old = self.model
        try:
            self.model = PgTableModel(self._db, table, self, count=self.counts.get(table.label))
        except PgError as exc:
            self.message.setText(str(exc))
            return
        self.model.failed.connect(self.message.setText)
        self.view.setModel(self.model)
        self.message.setText(f"{table.label}: {self.model.rowCount():,} rows, ordered by "
                             + (", ".join(table.key) if table.key else "ctid (no primary key)"))
        if old is not None:
            old.deleteLater()

    def refresh(self) -> None:
        """Another session changed rows: recount the tables and refresh the shown one in place."""
        self.reload()
        if self.model is not None:
            self.model.refresh()
