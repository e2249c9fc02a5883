"""The schema tab: every table, view, index and trigger with its SQL, counts, pages and keys.

The facts come from a ``lifeos-desk query --schema --json`` child (the same
read-only rules as the console; Python's SQLite has ``dbstat`` where QtSql's
build does not, and the report says when neither does). The recommended
indexes are those the Tables area offers (``db/tables/indexes.py``); this
view says which exist and links to Tables, where they are created.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.schema import Domain
from ...core.sqlschema import Schema, SchemaObject, schema_from_json
from ...core.trading.jsonfile import human_bytes
from ...db.tables.indexes import IndexSpec, recommended
from .highlight import SqlHighlighter
from .runner import ChildQuery, schema_argv

GROUPS = (("table", "Tables"), ("view", "Views"), ("index", "Indexes"), ("trigger", "Triggers"))
ObjectRole = Qt.ItemDataRole.UserRole + 1


def object_text(obj: SchemaObject, schema: Schema, advice: list[IndexSpec]) -> str:
    """What the SQL pane shows for one object: its SQL, then foreign keys and index advice as comments."""
    lines = [(obj.sql or f"-- {obj.name}: made by SQLite itself (no SQL)") + ";", ""]
    if obj.rows is not None:
        lines.append(f"-- {obj.rows:,} rows")
    if obj.pages is not None:
        lines.append(f"-- {obj.pages:,} pages, {human_bytes(obj.bytes or 0)} (dbstat)")
    if obj.columns:
        lines.append(f"-- indexes: {', '.join(obj.columns)}")
    for fk in obj.foreign_keys:
        to = ", ".join(t or "(primary key)" for t in fk.to)
        lines.append(f"-- foreign key ({', '.join(fk.columns)}) -> {fk.table}({to})"
                     f" on update {fk.on_update.lower()}, on delete {fk.on_delete.lower()}")
    for spec in advice:
        if spec.table == obj.name:
            have = schema.index_covers(spec.table, spec.column)
            state = f"present ({have})" if have else "missing: create it from Tables ▸ Recommended indexes…"
            lines.append(f"-- recommended index on {spec.column} ({spec.purpose}): {state}")
    return "\n".join(lines)


class SchemaView(QWidget):
    """Objects on the left, the selected object's SQL on the right; Refresh re-reads.

    Signals:
        loaded(str): the schema was read (or failed); the summary line.
        openTables(): the admin asked to go to Tables for the recommended indexes.
    """

    loaded = Signal(str)
    openTables = Signal()

    def __init__(self, store: Path | None, domain: Domain | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.advice = recommended(domain) if domain is not None else []
        self.schema: Schema | None = None
        self.child = ChildQuery(self)
        self.child.done.connect(self._on_done)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Object", "Rows", "Pages", "Size"])
        self.tree.header().setStretchLastSection(False)
        self.tree.currentItemChanged.connect(self._on_current)
        self.sql = QPlainTextEdit()
        self.sql.setReadOnly(True)
        self.sql.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._highlighter = SqlHighlighter(self.sql.document())
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.advice_label = QLabel("")
        self.advice_label.setWordWrap(True)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Read the schema again (counts every table's rows)")
        self.refresh_button.clicked.connect(self.refresh)
        self.tables_button = QPushButton("Recommended indexes in Tables…")
        self.tables_button.setToolTip("Open the Tables area, whose trades table offers the recommended indexes")
        self.tables_button.clicked.connect(self.openTables)
        self.tables_button.setVisible(bool(self.advice))
        self._layout()

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.tables_button)
        top.addWidget(self.refresh_button)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tree)
        split.addWidget(self.sql)
        split.setSizes([470, 530])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.advice_label)

    def set_store(self, store: Path | None) -> None:
        """Describe another store (the console's picker changed)."""
        if store != self._store:
            self._store = store
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Start reading the schema (ignored while a read runs)."""
        if self._store is None or self.child.busy():
            return
        self.summary.setText(f"Reading the schema of {self._store.name}…")
        self.refresh_button.setEnabled(False)
        self.child.start(schema_argv(self._store))

    @Slot(int, dict, str)
    def _on_done(self, code: int, payload: dict[str, Any], message: str) -> None:
        self.refresh_button.setEnabled(True)
        if code != 0 or "objects" not in payload:
            self.summary.setText(f"The schema could not be read: {payload.get('error') or message}")
            self.loaded.emit(self.summary.text())
            return
        self.show_schema(schema_from_json(payload))

    def show_schema(self, schema: Schema) -> None:
        """Fill the tree and the summary from a Schema."""
        self.schema = schema
        self.tree.clear()
        for kind, title in GROUPS:
            objects = schema.of_kind(kind)
            group = QTreeWidgetItem([f"{title} ({len(objects)})"])
            self.tree.addTopLevelItem(group)
            for obj in objects:
                group.addChild(self._item(obj))
            group.setExpanded(kind in ("table", "view", "trigger"))
        for column in range(self.tree.columnCount()):
            self.tree.resizeColumnToContents(column)
        pages = "page usage from dbstat" if schema.dbstat else schema.note
        self.summary.setText(f"{schema.page_count:,} pages of {schema.page_size:,} bytes "
                             f"({human_bytes(schema.page_count * schema.page_size)}), journal mode "
                             f"{schema.journal_mode}, SQLite {schema.sqlite_version}; {pages}.")
        self.advice_label.setText(self._advice_summary(schema))
        first = self.tree.topLevelItem(0)
        child = first.child(0) if first is not None else None
        if child is not None:
            self.tree.setCurrentItem(child)
        self.loaded.emit(self.summary.text())

    def _advice_summary(self, schema: Schema) -> str:
        if not self.advice:
            return ""
        missing = [f"{s.table}({s.column})" for s in self.advice if not schema.index_covers(s.table, s.column)]
        if not missing:
            return "Recommended indexes (the ones Tables offers): all present."
        return f"Recommended indexes missing: {', '.join(missing)} — Tables ▸ Recommended indexes… creates them."

    @staticmethod
    def _item(obj: SchemaObject) -> QTreeWidgetItem:
        rows = "" if obj.rows is None else f"{obj.rows:,}"
        pages = "" if obj.pages is None else f"{obj.pages:,}"
        size = "" if obj.bytes is None else human_bytes(obj.bytes)
        name = obj.name if obj.kind == "table" else f"{obj.name}  (on {obj.table})"
        item = QTreeWidgetItem([name, rows, pages, size])
        for col in (1, 2, 3):
            item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setData(0, ObjectRole, obj.name)
        return item

    @Slot(QTreeWidgetItem, QTreeWidgetItem)
    def _on_current(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        name = item.data(0, ObjectRole) if item is not None else None
        obj = next((o for o in self.schema.objects if o.name == name), None) if self.schema else None
        self.sql.setPlainText(object_text(obj, self.schema, self.advice) if obj and self.schema else "")

    def shutdown(self) -> None:
        """Kill a running read."""
        self.child.cancel()
