"""A table model that shows a million rows through small, finished queries.

Why windows and not a QSqlTableModel, and how blocks, counts, sort, filter,
edits and live refresh work: see the package docstring (``db/tables/__init__.py``).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtSql import QSqlDatabase

from ...core.filters import Clause, ColumnKind, Order, combine, keyset_after
from ..connection import Database, quote_ident
from ..errors import DatabaseError
from .cells import anchor_ok, shape_rows
from .columns import format_value
from .info import TableInfo, load_table_info
from .snapshot import build_snapshot, columns_sql, drop_snapshot, snapshot_rows_sql, wants_snapshot
from .sql import fetch_one, fetch_rows
from .staging import Edit, coerce, make_edit

__all__ = ["Cell", "Edit", "KeyRole", "NewRole", "PendingRole", "RawRole", "Row", "TableInfo", "TableWindowModel",
           "load_table_info"]

BLOCK_ROWS = 500
MAX_BLOCKS = 24  # 12,000 rows cached at most: memory stays flat however far one scrolls
HIGHLIGHT_S = 3.0
FULL_RECOUNT_S = 10.0  # between live refreshes that count only appended rows

RawRole = Qt.ItemDataRole.UserRole + 1  # the stored value (keys: their size only)
KeyRole = Qt.ItemDataRole.UserRole + 2  # the row's key (rowid)
PendingRole = Qt.ItemDataRole.UserRole + 3  # True when the cell has a staged edit
NewRole = Qt.ItemDataRole.UserRole + 4  # True for rows committed since the last refresh (for a few seconds)
# Colours, fonts, alignment and tooltips are the UI's (ui/tables/style.py): this model serves data only.

Row = tuple[Any, ...]
Index = QModelIndex | QPersistentModelIndex
StageRule = Callable[["TableWindowModel", int, int, Any], None]  # (model, row, column, value) after staging


class Cell(NamedTuple):
    """What the UI needs to draw one cell: the value shown, its staged edit, whether the row is new."""

    value: Any
    edit: Edit | None
    new: bool


class TableWindowModel(QAbstractTableModel):
    """One table (or filtered, sorted view of it), read in bounded windows.

    Signals:
        countChanged(int): the number of matching rows changed.
        pendingChanged(int): the number of staged edits changed.
        failed(str): a query failed (locked past the timeout, file gone...).
    """

    countChanged = Signal(int)
    pendingChanged = Signal(int)
    failed = Signal(str)

    def __init__(self, database: Database, info: TableInfo, role: str = "tables", utc: bool = False,
                 after_stage: StageRule | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._after_stage = after_stage
        self._database = database
        self._role = role
        self.info = info
        self._utc = utc
        self._where = Clause("1")
        self._order = Order(key=info.key)
        self._count = 0
        self._blocks: OrderedDict[int, list[Row]] = OrderedDict()
        self._max_key: Any = None
        self._map: str | None = None
        self._unplaced = 0
        self._counted_at = 0.0
        self._new_after: Any = None
        self._new_until = 0.0
        self._editable = False
        self._edits: dict[tuple[Any, int], Edit] = {}
        self._highlight_timer = QTimer(self)
        self._highlight_timer.setSingleShot(True)
        self._highlight_timer.timeout.connect(self._end_highlight)
        self.queries = 0  # how many window queries ran (tests and benchmarks read it)

    # ---------------------------------------------------------------- SQL
    @property
    def table_sql(self) -> str:
        """The quoted table name."""
        return quote_ident(self.info.name)

    def _rows(self, where: Clause, order_sql: str, limit: int, offset: int = 0) -> list[Row]:
        sql = (f"SELECT {columns_sql(self.info)} FROM {self.table_sql} AS t WHERE {where.sql}"
               f" ORDER BY {order_sql} LIMIT ? OFFSET ?")
        self.queries += 1
        return shape_rows(self.info, fetch_rows(self.connection(), sql, (*where.params, limit, offset)))

    def _scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return fetch_one(self.connection(), sql, params)

    def connection(self) -> QSqlDatabase:
        """This view's connection (for bounded reads of one cell: ``cells.value_chunks``)."""
        return self._database.connection(self._role)

    def _count_now(self) -> tuple[int, Any]:
        """(matching rows, max rowid of the table) from one statement, i.e. one snapshot."""
        w, t = self._where, self.table_sql
        top = f"(SELECT max({self.info.key}) FROM {t})" if self.info.identity.rowid else "NULL"
        row = self._row_of(f"SELECT (SELECT count(*) FROM {t} WHERE {w.sql}), {top}", w.params)
        return int(row[0] or 0), row[1]

    def _row_of(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...]:
        return (fetch_rows(self.connection(), sql, params) or [(None, None)])[0]

    def _live_count(self) -> tuple[int, Any]:
        """(count, max rowid) after another connection committed, cheaply.

        The bot appends (new rowids above the last seen): counting just those is an index range,
        not a scan of a million, so the bot's passive checkpoints complete (docs/architecture.md,
        'Half-read statements pin the WAL'). Count and max come from one statement (one snapshot).
        A full COUNT(*) still runs every ``FULL_RECOUNT_S`` for deletions and updates.
        """
        now = time.monotonic()
        if (self._map is not None or not self.info.identity.rowid or self._max_key is None
                or now - self._counted_at >= FULL_RECOUNT_S):
            self._counted_at = now
            return self._count_now()
        w = self._where
        k = self.info.key
        added, top = self._row_of(f"SELECT sum(CASE WHEN ({w.sql}) THEN 1 ELSE 0 END), max({k})"
                                  f" FROM {self.table_sql} WHERE {k} > ?", (*w.params, self._max_key))
        return self._count + int(added or 0), (self._max_key if top is None else top)

    def total_rows(self) -> int:
        """COUNT(*) of the whole table, ignoring filters."""
        return int(self._scalar(f"SELECT count(*) FROM {self.table_sql}") or 0)

    # ---------------------------------------------------------------- state
    @property
    def where(self) -> Clause:
        """The current filter."""
        return self._where

    @property
    def order(self) -> Order:
        """The current sort."""
        return self._order

    def set_where(self, where: Clause) -> None:
        """Filter in SQL and reselect."""
        self._where = where
        self.select()

    def set_utc(self, utc: bool) -> None:
        """Show times in UTC or local time."""
        self._utc = utc
        if self.info.specs:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.info.specs) - 1)
        self._emit_all_changed()

    def set_editable(self, editable: bool) -> None:
        """Allow editing of the editable columns (only when editing is unlocked)."""
        self._editable = editable
        self._emit_all_changed()

    @property
    def editable(self) -> bool:
        """Whether edits are accepted."""
        return self._editable

    @property
    def snapshot(self) -> bool:
        """True when the rows come from a sorted snapshot (a sort no index serves)."""
        return self._map is not None

    @property
    def unplaced(self) -> int:
        """Rows committed since the snapshot was sorted (shown after a re-sort)."""
        return self._unplaced

    def select(self) -> bool:
        """Recount and start over (sort or filter changed). False, with ``failed``, on error."""
        self.beginResetModel()
        self._blocks.clear()
        self._unplaced = 0
        try:
            self._drop_map()
            self._count, self._max_key = self._count_now()
            self._counted_at = time.monotonic()
            if wants_snapshot(self.info, self._order, self._where, self._count, self.connection()):
                self._build_map()
            ok = True
        except DatabaseError as exc:
            self._count = 0
            self.failed.emit(str(exc))
            ok = False
        self.endResetModel()
        self.countChanged.emit(self._count)
        return ok

    def _build_map(self) -> None:
        self._map, self._count = build_snapshot(self.connection(), self.info, self._where, self._order)

    def _drop_map(self) -> None:
        if self._map is not None:
            name, self._map = self._map, None
            drop_snapshot(self.connection(), name)

    @Slot()
    def refresh(self) -> None:
        """Show what another connection committed, keeping sort, filter, selection and scroll.

        In snapshot mode the visible rows are re-read but new rows are only
        counted (``unplaced``) until the admin re-sorts: re-sorting a million
        rows on every commit of a busy bot would freeze the view.
        """
        try:
            count, max_key = self._live_count()
        except DatabaseError as exc:
            self.failed.emit(str(exc))
            return
        if self._map is not None:
            self._unplaced = max(0, count - self._count)
            self._blocks.clear()
            self._emit_all_changed()
            self.countChanged.emit(self._count)
            return
        old = self._count
        if count > old:
            self.beginInsertRows(QModelIndex(), old, count - 1)
            self._count = count
            self.endInsertRows()
        elif count < old:
            self.beginRemoveRows(QModelIndex(), count, old - 1)
            self._count = count
            self.endRemoveRows()
        if max_key is not None and self._max_key is not None and max_key > self._max_key:
            if time.monotonic() > self._new_until:
                self._new_after = self._max_key
            self._new_until = time.monotonic() + HIGHLIGHT_S
            self._highlight_timer.start(int(HIGHLIGHT_S * 1000) + 50)
        self._max_key = max_key
        self._blocks.clear()
        self._emit_all_changed()
        if count != old:
            self.countChanged.emit(count)

    @Slot()
    def _end_highlight(self) -> None:
        self._new_after = None
        self._emit_all_changed()

    def _emit_all_changed(self) -> None:
        if self._count and self.info.specs:
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, len(self.info.specs) - 1))

    # ---------------------------------------------------------------- windows
    def row(self, r: int) -> Row | None:
        """The stored row at position r (fetching its block if needed), or None."""
        if not 0 <= r < self._count:
            return None
        b = r // BLOCK_ROWS
        rows = self._blocks.get(b)
        if rows is None:
            try:
                rows = self._load_block(b)
            except DatabaseError as exc:
                self.failed.emit(str(exc))
                rows = []
            self._blocks[b] = rows
            while len(self._blocks) > MAX_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(b)
        i = r - b * BLOCK_ROWS
        return rows[i] if i < len(rows) else None

    def cached_blocks(self) -> int:
        """How many blocks are held in memory."""
        return len(self._blocks)

    def _anchor(self, row: Row) -> tuple[Any, Any]:
        col = self._sort_index()
        return (row[1 + col] if col >= 0 else None), row[0]

    def _sort_index(self) -> int:
        if self._order.column is None:
            return -1
        return next(i for i, s in enumerate(self.info.specs) if s.sql == self._order.column)

    def _map_rows(self, start: int, n: int) -> list[Row]:
        self.queries += 1
        sql = snapshot_rows_sql(self.info, self._map or "")
        return shape_rows(self.info, fetch_rows(self.connection(), sql, (start, start + n)))

    def _load_block(self, b: int) -> list[Row]:
        start = b * BLOCK_ROWS
        n = min(BLOCK_ROWS, self._count - start)
        if self._map is not None:
            return self._map_rows(start, n)
        prev, nxt = self._blocks.get(b - 1), self._blocks.get(b + 1)
        if prev is not None and len(prev) == BLOCK_ROWS and self._can_anchor(prev[-1]):
            return self._keyset(self._order, prev[-1], n)
        if nxt and self._can_anchor(nxt[0]):
            return self._keyset(self._order.reversed(), nxt[0], n)[::-1]
        tail = self._count - start - n
        if start <= tail:
            return self._rows(self._where, self._order.sql(), n, start)
        return self._rows(self._where, self._order.sql(reverse=True), n, tail)[::-1]

    def _can_anchor(self, row: Row) -> bool:  # exact key, sort value read whole (cells.anchor_ok)
        return anchor_ok(self.info, row, self._sort_index())

    def _keyset(self, order: Order, anchor_row: Row, n: int) -> list[Row]:
        value, key = self._anchor(anchor_row)
        out: list[Row] = []
        for phase in keyset_after(order, value, key):
            if len(out) >= n:
                break
            out.extend(self._rows(combine([self._where, phase]), order.sql(), n - len(out)))
        return out

    def iter_pages(self, page_rows: int = 2000) -> Iterator[list[Row]]:
        """Every matching row in the current order, as pages of finished queries (for export)."""
        if self._map is not None:
            for start in range(0, self._count, page_rows):
                yield self._map_rows(start, page_rows)
            return
        last: Row | None = None
        done = 0
        while True:
            if last is None or not self._can_anchor(last):  # OFFSET when no keyset can start there
                page = self._rows(self._where, self._order.sql(), page_rows, done)
            else:
                page = self._keyset(self._order, last, page_rows)
            if not page:
                return
            yield page
            if len(page) < page_rows:
                return
            last, done = page[-1], done + len(page)

    # ---------------------------------------------------------------- Qt model API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        """Exact number of matching rows."""
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        """Number of table columns."""
        return 0 if parent.isValid() else len(self.info.specs)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Readable column headers; 1-based row numbers."""
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.info.specs):
            spec = self.info.specs[section]
            if role == Qt.ItemDataRole.DisplayRole:
                if spec.kind is ColumnKind.TIME:
                    return f"{spec.header} ({'UTC' if self._utc else 'local'})"
                return spec.header
        elif orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Selectable cells; editable ones only when editing is unlocked."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._editable and self.info.specs[index.column()].editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def value(self, r: int, c: int) -> Any:
        """The cell's value as the view shows it: a staged edit wins over the stored value."""
        cell = self.cell(r, c)
        return None if cell is None else cell.value

    def user_name(self, r: int) -> Any:
        """The username beside this row's user id (None when there is none)."""
        row = self.row(r)
        if row is None or self.info.users is None:
            return None
        return row[-1]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Formatted cells, the stored value, the row key, and whether a cell is pending or its row new."""
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        row = self.row(r)
        if row is None:
            return None
        spec = self.info.specs[c]
        edit = self._edits.get((row[0], c))
        value = edit.new if edit is not None else row[1 + c]
        if role == Qt.ItemDataRole.DisplayRole:
            text = format_value(spec, value, self._utc)
            if spec.user_ref and value is not None and self.info.users is not None and row[-1]:
                text = f"{row[-1]} ({value})"
            return text
        if role in (Qt.ItemDataRole.EditRole, RawRole, KeyRole):
            return row[0] if role == KeyRole else value
        if role == PendingRole:
            return edit is not None
        if role == NewRole:
            return self._is_new(row)
        return None

    def cell(self, r: int, c: int) -> Cell | None:
        """One cell's value, staged edit and newness in one row lookup (the UI styles from it)."""
        row = self.row(r)
        if row is None:
            return None
        edit = self._edits.get((row[0], c))
        return Cell(edit.new if edit is not None else row[1 + c], edit, self._is_new(row))

    @property
    def utc(self) -> bool:  # times in UTC (else local time)
        return self._utc

    def _is_new(self, row: Row) -> bool:
        return self._new_after is not None and row[0] is not None and row[0] > self._new_after

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Stage an edit (nothing is written until Save)."""
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        row = self.row(index.row())
        if row is None:
            return False
        spec = self.info.specs[index.column()]
        value = coerce(spec, value)
        if spec.choices and value not in spec.choices:
            return False
        self._stage(row, index.column(), value)
        if self._after_stage is not None:
            self._after_stage(self, index.row(), index.column(), value)
        self.dataChanged.emit(index, index)
        self.pendingChanged.emit(len(self._edits))
        return True

    def _stage(self, row: Row, column: int, value: Any) -> None:
        edit = make_edit(self.info, row, column, value)
        if edit is None:
            self._edits.pop((row[0], column), None)
        else:
            self._edits[(row[0], column)] = edit

    def stage_row(self, row: Row, column: int, value: Any) -> None:
        """Stage an edit of a row that may not be on screen (e.g. the other default wallet)."""
        self._stage(row, column, value)
        self._emit_all_changed()
        self.pendingChanged.emit(len(self._edits))

    def fetch_rows(self, where: Clause, limit: int = 50) -> list[Row]:
        """Rows of this table matching a clause, in the model's row shape (bounded)."""
        return self._rows(where, self._order.sql(), limit)

    @property
    def edits(self) -> list[Edit]:
        """The staged edits."""
        return list(self._edits.values())

    def revert(self) -> None:
        """Drop every staged edit."""
        self._edits.clear()
        self._emit_all_changed()
        self.pendingChanged.emit(0)

    def clear_edits(self, applied: list[Edit]) -> None:
        """Forget edits that were saved, then show the file's values."""
        for e in applied:
            self._edits.pop((e.key, e.column), None)
        self.pendingChanged.emit(len(self._edits))
        self.refresh()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL (rowid breaks ties); key columns cannot be sorted."""
        if not 0 <= column < len(self.info.specs) or self.info.specs[column].kind is ColumnKind.KEY:
            self._order = Order(key=self.info.key)
        else:
            descending = order == Qt.SortOrder.DescendingOrder
            self._order = Order(self.info.specs[column].sql, descending, self.info.key)
        self.select()

    def sort_by(self, column: str | None, descending: bool) -> None:
        """Sort by a column name (None: file order)."""
        i = self.info.index_of(column) if column else -1
        if i < 0:
            self._order = Order(None, descending, self.info.key)
            self.select()
            return
        self.sort(i, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)
