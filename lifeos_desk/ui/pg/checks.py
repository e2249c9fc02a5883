"""The Checks tab of the PostgreSQL window: the trade audit's checks that apply to the migrated tables.

The work is core/checks/pg.py: the checks of the users and trades tables run
over PostgreSQL's own SQL on a worker thread, through a connection the worker
opens and closes itself (QtSql connections never cross threads), each query
bounded and fetched to its end (db/pg/connection.py). The findings are shown
in the SQLite Checks area's own tree model (ui/checks/model.py), beside a list
of every check with its result, or "not applicable: …" and what it would
need that a PostgreSQL session lacks (docs/architecture.md, 'PostgreSQL').
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ...core.checks.pg import Outcome, count_text, run_over_pg
from ...core.checks.report import COLOURS
from ...core.pgurl import PgParams
from ...db.pg import PgDatabase
from ...db.pg.wallets import detect
from ..checks.model import FindingsModel
from ..tasks import Task, run_task

_HEADERS = ("Check", "What it checks", "Result")
_MUTED = "#757575"


@dataclass(frozen=True)
class PgAudit:
    """One run: the schema it found and each check's outcome (no secret in it)."""

    schema: str
    kind: str
    outcomes: list[Outcome]


def audit_pg(params: PgParams, _task: Task | None = None) -> PgAudit:
    """The work of a run (worker thread): own read-only connection, the schema, every check."""
    db = PgDatabase(params)
    try:
        schema, kind, tables = detect(db)
        return PgAudit(schema, kind.value, run_over_pg(db.rows, db.label, schema, kind, list(tables)))
    finally:
        db.close()


class PgChecksPane(QWidget):
    """Run the checks; the list of checks with their result; the findings tree."""

    def __init__(self, params: PgParams, parent: QWidget | None = None, run_on_show: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("pgChecksPane")
        self._params = params
        self._run_on_show = run_on_show
        self.running = False
        self.result: PgAudit | None = None
        self.run_button = QPushButton("Run checks", self)
        self.run_button.setToolTip("Run the checks that apply to this database's tables (read-only queries)")
        self.run_button.clicked.connect(self.run)
        self.status = QLabel("Not run yet.", self)
        self.status.setObjectName("pgChecksStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.list = QTableWidget(0, len(_HEADERS), self)
        self.list.setObjectName("pgChecksList")
        self.list.setHorizontalHeaderLabels(list(_HEADERS))
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.verticalHeader().hide()
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setWordWrap(False)
        head = self.list.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(len(_HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.model = FindingsModel(self)
        self.tree = QTreeView(self)
        self.tree.setObjectName("pgFindingsTree")
        self.tree.setModel(self.model)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setStretchLastSection(True)
        top = QHBoxLayout()
        top.addWidget(self.run_button)
        top.addWidget(self.status, 1)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.list)
        split.addWidget(self.tree)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    def showEvent(self, event: QShowEvent) -> None:
        """Run once when first shown (a run reads every trade: not before the tab is looked at)."""
        super().showEvent(event)
        if self._run_on_show and self.result is None and not self.running:
            self.run()

    @Slot()
    def run(self) -> None:
        """Run the checks on a worker (one run at a time)."""
        if self.running:
            return
        self.running = True
        self.run_button.setEnabled(False)
        self.status.setText("Running the checks…")
        run_task(self._work, self._on_done, self._on_failed, receiver=self, name="pg-checks")

    def _work(self, task: Task) -> PgAudit:
        return audit_pg(self._params, task)

    def _on_done(self, result: PgAudit) -> None:
        self.result = result
        self._finish()
        ran = [o for o in result.outcomes if not o.not_applicable]
        findings = [f.as_json() for o in ran for f in o.findings]
        self.model.set_findings(findings)
        self.tree.expandAll()
        for column in range(3):
            self.tree.resizeColumnToContents(column)
        found = count_text([f for o in ran for f in o.findings]) or "no findings"
        self.status.setText(f"{len(ran)} of {len(result.outcomes)} checks apply to this database ({result.kind} "
                            f"tables in schema {result.schema}): {found}. The others read a data home's files, "
                            "absent here.")
        # The checks that ran first, then those that do not apply (CHECKS' order within each).
        self._fill(sorted(result.outcomes, key=lambda o: bool(o.not_applicable)))

    def _fill(self, outcomes: list[Outcome]) -> None:
        self.list.setRowCount(len(outcomes))
        for row, o in enumerate(outcomes):
            errors = sum(1 for f in o.findings if f.severity.value == "error")
            cells = (o.check.id, o.check.title, o.summary)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if o.not_applicable:
                    item.setForeground(QColor(_MUTED))
                elif column == 2 and errors:
                    item.setForeground(QColor(COLOURS["error"]))
                self.list.setItem(row, column, item)

    def _on_failed(self, exc: BaseException) -> None:
        self._finish()
        self.status.setText(f"The checks could not run: {exc}")

    def _finish(self) -> None:
        self.running = False
        self.run_button.setEnabled(True)
