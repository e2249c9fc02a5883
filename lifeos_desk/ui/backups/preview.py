"""The restore preview: what changes, and an explicit confirmation.

Shown while the child process waits (the archive is already read and checked
in its temporary folder): rows per table now vs in the archive, what
happens to each state file and each log, the schema objects (tables,
indexes, views, triggers) that differ from the live database with their
SQL, how long the bot's writes will wait, and a warning to stop the bot
first. A "Stores to restore" list, one checkbox per store the archive
holds (all ticked), lets the admin restore only some (``restore --only``);
the rest are left as they are. Restore stays disabled until the admin ticks that the bot is
stopped, and - when the schema differs - that those changes are accepted
(a trigger planted in an archive would otherwise come in silently).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

LOG_WORDS = {
    "keep": "kept as it is (it continues the archived log)",
    "beside": "differs: the archived copy is written beside it as {name}",
    "restore": "missing now: restored from the archive",
}
STATE_WORDS = {"replace": "replaced by the archived version", "create": "created from the archive",
               "unchanged": "unchanged (same content)", "kept (not in the archive)": "kept (not in the archive)"}
_CHANGED = QColor("#8a5a00")


def _cell(text: str, align_right: bool = False, changed: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if changed:
        item.setForeground(QBrush(_CHANGED))
    return item


def _check_cell() -> QTableWidgetItem:
    """A ticked checkbox cell (the admin unticks what is not to be restored)."""
    item = QTableWidgetItem()
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Checked)
    return item


def _table(headers: list[str], rows: list[list[QTableWidgetItem]], stretch: int) -> QTableWidget:
    """A read-only table sized to its rows (up to 8 visible), column ``stretch`` taking the spare width."""
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    for r, cells in enumerate(rows):
        for c, item in enumerate(cells):
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    for c in range(len(headers)):
        mode = QHeaderView.ResizeMode.Stretch if c == stretch else QHeaderView.ResizeMode.ResizeToContents
        header.setSectionResizeMode(c, mode)
    table.resizeRowsToContents()
    row_height = table.verticalHeader().sectionSize(0) if rows else table.verticalHeader().defaultSectionSize()
    table.setMaximumHeight(header.sizeHint().height() + row_height * min(max(len(rows), 1), 8) + 2 * table.frameWidth())
    return table


def _count(n: Any) -> str:
    return "—" if n is None else f"{n:,}"


def _beside(target: str, date: str) -> str:
    name = Path(target).name
    return f"{name[: -len('.jsonl')]}.restored-{date}.jsonl"


class RestorePreviewDialog(QDialog):
    """Preview + confirmation; ``exec()`` returns Accepted only after the explicit tick."""

    def __init__(self, preview: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore — preview")
        self.resize(760, 640)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            f"<b>Restore {Path(str(preview['archive'])).name}</b> ({preview['origin']} archive) into "
            f"<code>{preview['database']}</code><br>Schema now: {preview['schema_now']} · in the archive: "
            f"{preview['schema_archive']}"))
        layout.addWidget(QLabel("<b>Rows per table</b>"))
        self.tables = _table(["Table", "Now", "In the archive"], [
            [_cell(t["table"]), _cell(_count(t["now"]), True),
             _cell(_count(t["archive"]), True, changed=t["now"] != t["archive"])] for t in preview["tables"]],
            stretch=0)
        layout.addWidget(self.tables)
        layout.addWidget(QLabel("<b>State files</b>"))
        self.state = _table(["File", "What happens"], [
            [_cell(s["path"]), _cell(STATE_WORDS.get(s["action"], s["action"]),
                                     changed=s["action"] in ("replace", "create"))] for s in preview["state_files"]],
            stretch=1)
        layout.addWidget(self.state)
        layout.addWidget(QLabel("<b>Logs</b> — never overwritten"))
        self.logs = _table(["Log", "What happens"], [
            [_cell(log["target"]), _cell(LOG_WORDS[log["action"]].format(name=_beside(log["target"], preview["date"])),
                                         changed=log["action"] != "keep")] for log in preview["logs"]],
            stretch=1)
        layout.addWidget(self.logs)
        layout.addWidget(QLabel("<b>Stores to restore</b> — untick what should stay as it is"))
        self.pickable = [str(p["member"]) for p in preview.get("pickable") or []]
        self.picks = _table(["Restore", "Store", "Goes to"], [
            [_check_cell(), _cell(str(p["member"])), _cell(str(p["target"]))] for p in preview.get("pickable") or []],
            stretch=2)
        self.picks.itemChanged.connect(self._update_restore)
        layout.addWidget(self.picks)
        self.schema_changes = list(preview.get("schema_changes") or [])
        self.schema: QTableWidget | None = None
        self.accept_schema: QCheckBox | None = None
        if self.schema_changes:
            layout.addWidget(QLabel(f"<b>Schema objects that differ from the live database</b> "
                                    f"({len(self.schema_changes)})"))
            self.schema = _table(["Object", "Change", "SQL now", "SQL in the archive"], [
                [_cell(f"{c['type']} {c['name']}"), _cell(str(c["change"]), changed=True),
                 _cell(str(c.get("sql_now") or "—")), _cell(str(c.get("sql_archive") or "—"))]
                for c in self.schema_changes], stretch=3)
            for r, c in enumerate(self.schema_changes):
                item = self.schema.item(r, 3)
                if item is not None:
                    item.setToolTip(str(c.get("sql_archive") or ""))
            layout.addWidget(self.schema)
            self.accept_schema = QCheckBox("Restore these schema objects too (triggers and views run inside the "
                                           "bot's own writes)")
            layout.addWidget(self.accept_schema)
        layout.addStretch(1)
        warning = QLabel(
            "<span style='color:#b3261e'><b>Stop the bot first.</b> Anything it writes between now and the end "
            "of the restore is lost. A safety backup of the current database and state files is made "
            "automatically before anything changes, while the restore holds the database's write lock: the "
            f"bot's writes wait about {float(preview.get('lock_seconds') or 0):.1f} s (estimate).</span>")
        warning.setWordWrap(True)
        layout.addWidget(warning)
        self.stopped = QCheckBox("The bot is stopped; replace the database and state files with the archive's")
        layout.addWidget(self.stopped)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = self.buttons.addButton("Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        self.stopped.toggled.connect(self._update_restore)
        if self.accept_schema is not None:
            self.accept_schema.toggled.connect(self._update_restore)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _update_restore(self) -> None:
        """Restore is enabled by the bot-stopped tick, the schema tick when the schema differs, and a pick."""
        schema_ok = self.accept_schema is None or self.accept_schema.isChecked()
        picked = not self.pickable or bool(self.picked() or self.picked() is None)
        self.restore_button.setEnabled(self.stopped.isChecked() and schema_ok and picked)

    def picked(self) -> list[str] | None:
        """The ticked stores' member names; None when every one is ticked (restore everything)."""
        ticked = [m for r, m in enumerate(self.pickable)
                  if (item := self.picks.item(r, 0)) is not None and item.checkState() == Qt.CheckState.Checked]
        return None if len(ticked) == len(self.pickable) else ticked

    def schema_accepted(self) -> bool:
        """Whether the admin accepted the schema changes (True when there are none)."""
        return self.accept_schema is None or self.accept_schema.isChecked()
