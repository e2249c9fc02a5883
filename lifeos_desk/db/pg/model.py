"""A PostgreSQL table shown in pages keyed on its primary key, each page one bounded, finished query.

There is no rowid in PostgreSQL, so this is a separate, simpler model
than ``db/tables/window.py`` (which keys on rowid and uses SQLite's TEMP
snapshots): rows are in primary-key order; a page whose predecessor is
cached is read by keyset (``WHERE (pk) > (last pk) ORDER BY pk LIMIT n``,
an index range), any other page by ``LIMIT n OFFSET m`` on the same order.
A table without a primary key is ordered by ``ctid`` and paged by OFFSET
only. No sort or filter by column yet, no editing (the session is
read-only). ``bytea`` columns are read as their length only: encrypted keys
never enter this process through a table view.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from .connection import PgDatabase, PgError, PgTable, quote_ident

PAGE_ROWS = 500
MAX_PAGES = 24  # memory stays flat however far one scrolls
Index = QModelIndex | QPersistentModelIndex
Row = tuple[Any, ...]


class PgTableModel(QAbstractTableModel):
    """One table, read in pages of PAGE_ROWS rows.

    Signals:
        failed(str): a query failed (the statement timeout, the server gone...).
    """

    failed = Signal(str)

    def __init__(self, db: PgDatabase, table: PgTable, parent: QObject | None = None, count: int | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.table = table if table.columns else db.described(table)
        cols = self.table.columns
        self._bytea = [t == "bytea" for _n, t in cols]
        names = [n for n, _t in cols]
        self._key_at = [names.index(k) for k in self.table.key if k in names]
        self._keyset = bool(self._key_at) and not any(self._bytea[i] for i in self._key_at)
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._count = 0
        self.queries = 0  # page queries run (tests read it)
        self._count = self._count_now() if count is None else count  # the caller's fresh count saves a scan

    # -- SQL -------------------------------------------------------------------
    def _select(self) -> str:
        parts = [f"octet_length({quote_ident(n)})" if b else quote_ident(n)
                 for (n, _t), b in zip(self.table.columns, self._bytea, strict=True)]
        return f"SELECT {', '.join(parts) or 'NULL'} FROM {self.table.sql}"

    def _order(self) -> str:
        return ", ".join(quote_ident(k) for k in self.table.key) if self._key_at else "ctid"

    def _count_now(self) -> int:
        try:
            return self._db.row_count(self.table)
        except PgError as exc:
            self.failed.emit(str(exc))
            return 0

    def _read_page(self, page: int) -> list[Row]:
        before = self._pages.get(page - 1)
        self.queries += 1
        if self._keyset and before:
            last = before[-1]
            keys = ", ".join(quote_ident(k) for k in self.table.key)
            marks = ", ".join("?" for _ in self._key_at)
            sql = f"{self._select()} WHERE ({keys}) > ({marks}) ORDER BY {self._order()} LIMIT {PAGE_ROWS}"
            return self._db.rows(sql, tuple(last[i] for i in self._key_at))
        return self._db.rows(f"{self._select()} ORDER BY {self._order()} LIMIT {PAGE_ROWS} OFFSET {page * PAGE_ROWS}")

    def row(self, row: int) -> Row | None:
        """The stored values of a row (bytea as their length), reading its page if needed."""
        page = row // PAGE_ROWS
        rows = self._pages.get(page)
        if rows is None:
            try:
                rows = self._read_page(page)
            except PgError as exc:
                self.failed.emit(str(exc))
                return None
            self._pages[page] = rows
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        offset = row - page * PAGE_ROWS
        return rows[offset] if offset < len(rows) else None

    # -- Qt model --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """The table's rows as last given (exact once the Tables pane's count arrived)."""
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """The table's columns."""
        return 0 if parent.isValid() else len(self.table.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The value as text; NULL shown as NULL, bytea as its size."""
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) or not index.isValid():
            return None
        values = self.row(index.row())
        if values is None:
            return None
        value = values[index.column()]
        if value is None:
            return "NULL"
        if self._bytea[index.column()]:
            return f"<{value} bytes>"
        return str(value)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column names (their types as tooltips), row numbers."""
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if section >= len(self.table.columns):
            return None
        name, kind = self.table.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return name + (" 🔑" if name in self.table.key else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{name}: {kind}" + (" (primary key)" if name in self.table.key else "")
        return None

    def refresh(self, count: int | None = None) -> None:
        """Drop the cached pages (the rows changed), keeping the view (selection, scroll) where it is.

        ``count`` is the table's rows now as the caller knows them (the
        Tables pane counts off the UI thread, db/pg/counts.py); without it
        the model counts itself.
        """
        new = self._count_now() if count is None else count
        self._pages.clear()
        self.set_count(new)
        if new and self.table.columns:
            self.dataChanged.emit(self.index(0, 0), self.index(new - 1, len(self.table.columns) - 1))

    def set_count(self, new: int) -> None:
        """Show ``new`` rows (an exact count arrived), inserting or removing rows at the end; pages kept."""
        old = self._count
        if new > old:
            self.beginInsertRows(QModelIndex(), old, new - 1)
            self._count = new
            self.endInsertRows()
        elif new < old:
            self.beginRemoveRows(QModelIndex(), new, old - 1)
            self._count = new
            self.endRemoveRows()
