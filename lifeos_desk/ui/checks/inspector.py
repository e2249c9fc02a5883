"""The trade inspector: one trade, position or intent and its whole life across the stores.

The lifeline is gathered by ``lifeos-desk inspect ID --json`` in a child
process (core/checks/inspect.py): it reads the bot's databases with Python's
sqlite3, which the window's process must not (docs/architecture.md, 'One
SQLite library per process'); a child is also simpler than opening every
store (fees.db, jarvis_core.db) through QtSql here, and it is the same code
the CLI prints. The window shows: the findings about it first (coloured by
severity), the price chart (lifechart.py), then one section per store kind —
database rows, treasury position records, the exit intent with its ladder,
the fee, the audit events — each record marked when a finding names it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ...core.checks.report import COLOURS
from ...core.paths import DataPaths
from .lifechart import LifeChart
from .model import SEVERITY_TEXT, severity_icon
from .runner import JsonChild

TINT = {"error": "#ffebee", "warning": "#fff3e0", "info": "#e3f2fd"}
SECTIONS = ("findings", "rows", "positions", "intents", "fees", "events")
TITLES = {"findings": "Findings about it", "rows": "Database rows", "positions": "Treasury position records",
          "intents": "Exit intent and ladder", "fees": "Fee", "events": "Audit events"}


def _value(value: object) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "NULL" if value is None else str(value)


def _row(*texts: str) -> list[QStandardItem]:
    items = [QStandardItem(t) for t in texts]
    for item in items:
        item.setEditable(False)
    return items


def _when(stamp: object) -> str:
    if not isinstance(stamp, int | float) or stamp <= 0:
        return ""
    return datetime.fromtimestamp(float(stamp), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class LifelineModel(QStandardItemModel):
    """Sections (top level) and their records (with fields below), built from one lifeline document."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        self.setHorizontalHeaderLabels(["Record / field", "Value", "Where"])
        self.flagged: dict[str, str] = {}  # id -> worst severity of the findings naming it

    def set_document(self, doc: dict[str, Any]) -> None:
        """Rebuild from an ``inspect --json`` document."""
        self.removeRows(0, self.rowCount())
        findings = [f for f in doc.get("findings", []) if isinstance(f, dict)]
        order = {"error": 0, "warning": 1, "info": 2}
        self.flagged = {}
        for f in sorted(findings, key=lambda f: order.get(str(f.get("severity")), 3), reverse=True):
            for i in f.get("ids") or []:
                self.flagged[str(i)] = str(f.get("severity"))
        for key in SECTIONS:
            items = [i for i in doc.get(key, []) if isinstance(i, dict)]
            head = _row(f"{TITLES[key]} ({len(items)})", "" if items else "none found", "")
            font = head[0].font()
            font.setBold(True)
            head[0].setFont(font)
            for item in items:
                head[0].appendRow(getattr(self, f"_{key}")(item))
            self.appendRow(head)

    def _mark(self, items: list[QStandardItem], *ids: object) -> list[QStandardItem]:
        sev = next((self.flagged[str(i)] for i in ids if str(i) in self.flagged), None)
        if sev is not None:
            for item in items:
                item.setBackground(QBrush(QColor(TINT.get(sev, "#eeeeee"))))
            items[0].setIcon(severity_icon(sev))
            items[0].setToolTip(f"A finding ({SEVERITY_TEXT.get(sev, sev)}) names this record")
        return items

    @staticmethod
    def _fields(head: list[QStandardItem], record: dict[str, Any]) -> list[QStandardItem]:
        for k, v in record.items():
            head[0].appendRow(_row(str(k), _value(v), ""))
        return head

    def _findings(self, f: dict[str, Any]) -> list[QStandardItem]:
        sev = str(f.get("severity", ""))
        head = _row(f"{SEVERITY_TEXT.get(sev, sev)}: {f.get('check', '')}", str(f.get("message", "")),
                    "; ".join(PurePath(str(s)).name for s in f.get("stores") or []))
        head[0].setIcon(severity_icon(sev))
        head[0].setForeground(QBrush(QColor(COLOURS.get(sev, "#616161"))))
        for item in head:
            item.setBackground(QBrush(QColor(TINT.get(sev, "#eeeeee"))))
        for label in ("expected", "found"):
            head[0].appendRow(_row(label, str(f.get(label, "")), ""))
        head[0].appendRow(_row("ids", ", ".join(str(i) for i in f.get("ids") or []), ""))
        return head

    def _rows(self, r: dict[str, Any]) -> list[QStandardItem]:
        rec = r.get("record") or {}
        key = rec.get(r.get("key_column", ""), "")
        head = _row(f"{r.get('table', '')} {key}", "", PurePath(str(r.get("store", ""))).name)
        head[2].setToolTip(str(r.get("store", "")))
        return self._mark(self._fields(head, rec), key)

    def _positions(self, p: dict[str, Any]) -> list[QStandardItem]:
        rec = p.get("record") or {}
        head = _row(f"position {rec.get('id', '')}", f"{rec.get('token_symbol', '')} {rec.get('status', '')}",
                    PurePath(str(p.get("store", ""))).name)
        head[2].setToolTip(str(p.get("store", "")))
        return self._mark(self._fields(head, rec), rec.get("id"))

    def _intents(self, i: dict[str, Any]) -> list[QStandardItem]:
        rec = i.get("record") or {}
        head = _row(f"intent {i.get('key', '')}", f"{rec.get('symbol', '')} {rec.get('status', '')}",
                    PurePath(str(i.get("store", ""))).name)
        ladder = _row("take-profit ladder", f"{len(rec.get('take_profits') or [])} levels", "")
        for tp in rec.get("take_profits") or []:
            if isinstance(tp, dict):
                filled = f"filled at {tp.get('fill_price')} {_when(tp.get('fill_timestamp'))}" if tp.get(
                    "filled") else "not filled"
                ladder[0].appendRow(_row(f"TP{tp.get('level', '')}", f"{tp.get('price')} × {tp.get('size_pct')}%",
                                         filled))
        head[0].appendRow(ladder)
        for k, v in rec.items():
            if k != "take_profits":
                head[0].appendRow(_row(str(k), _value(v), ""))
        return self._mark(head, i.get("key"), rec.get("position_id"))

    def _fees(self, f: dict[str, Any]) -> list[QStandardItem]:
        rec = f.get("record") or {}
        head = _row(f"{f.get('table', '')} {rec.get('tx_id', rec.get('fee_id', ''))}",
                    str(rec.get("success_fee_amount", rec.get("total_fee", ""))), PurePath(str(f.get("store"))).name)
        return self._mark(self._fields(head, rec), rec.get("tx_id"), rec.get("fee_id"))

    def _events(self, e: dict[str, Any]) -> list[QStandardItem]:
        ev = e.get("event") or {}
        kind = ev.get("event_type") or ev.get("event") or ev.get("action") or ""
        head = _row(f"{kind} {ev.get('action', '') if kind != ev.get('action') else ''}".strip(),
                    _when(e.get("time")) or str(ev.get("timestamp", "")),
                    f"{PurePath(str(e.get('store', ''))).name}:{e.get('line', '')}")
        head[2].setToolTip(str(e.get("store", "")))
        return self._mark(self._fields(head, ev), e.get("line"))


class TradeInspector(QDialog):
    """Pick an id, see its life: findings, chart, every store's records."""

    def __init__(self, paths: DataPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tradeInspector")
        self.setWindowTitle("Trade inspector")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(1000, 720)
        self.document: dict[str, Any] | None = None
        self.child = JsonChild(paths, (0, 1), self)
        self.child.finished.connect(self._on_finished)
        self.child.failed.connect(self._on_failed)
        self.child.progress.connect(self._on_progress)
        self.id_box = QLineEdit()
        self.id_box.setPlaceholderText("a position, exit intent, transaction, trade or fee id")
        self.id_box.returnPressed.connect(self._on_go)
        go = QPushButton("Inspect")
        go.clicked.connect(self._on_go)
        self.summary = QLabel()
        self.summary.setObjectName("inspectorSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chart = LifeChart()
        self.model = LifelineModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Id"))
        top.addWidget(self.id_box, 1)
        top.addWidget(go)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        split.addWidget(self.tree)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)

    def inspect(self, ident: str) -> None:
        """Gather the lifeline of ``ident`` in a child process (a running one is replaced)."""
        self.id_box.setText(ident)
        self.summary.setText(f"Gathering {ident} from every store…")
        self.child.start("inspect", ident, "--json")

    def busy(self) -> bool:
        """Whether the child is still gathering."""
        return self.child.busy()

    @Slot()
    def _on_go(self) -> None:
        if self.id_box.text().strip():
            self.inspect(self.id_box.text().strip())

    @Slot(str)
    def _on_progress(self, line: str) -> None:
        self.summary.setText(line)

    @Slot(object, int)
    def _on_finished(self, doc: object, _code: int) -> None:
        if not isinstance(doc, dict):
            return
        self.document = doc
        self.model.set_document(doc)
        self.chart.show_marks(doc.get("chart") or {})
        self.tree.expandToDepth(0)
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(1, max(self.tree.columnWidth(1), 360))
        n = {k: len(doc.get(k) or []) for k in SECTIONS}
        if not doc.get("found"):
            self.summary.setText(f"No store knows {doc.get('id')}.")
            return
        worst = next((s for s in ("error", "warning", "info") if any(
            f.get("severity") == s for f in doc.get("findings", []))), None)
        flag = (f" — <b style='color:{COLOURS[worst]}'>{n['findings']} finding(s)</b>" if worst else
                " — no finding about it")
        related = ", ".join(str(i) for i in doc.get("related_ids", []))
        self.summary.setText(f"<b>{doc.get('id')}</b> (related: {related}): {n['rows']} database row(s), "
                             f"{n['positions']} position record(s), {n['intents']} exit intent(s), "
                             f"{n['fees']} fee row(s), {n['events']} audit event(s){flag}")

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if message != "cancelled":
            self.summary.setText(f"Could not gather the lifeline: {message}")

    def done(self, result: int) -> None:
        """Closing kills a gathering child."""
        self.child.cancel()
        super().done(result)
