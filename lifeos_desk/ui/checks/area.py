"""The Checks area: the trade audit's findings, grouped, each linked to the records it names.

The audit runs as ``lifeos-desk audit --json`` in a child process (runner.py;
docs/architecture.md, 'One SQLite library per process'), first when the area
is first shown, again on Re-run; its stderr lines are the progress, Cancel
kills it. Findings are grouped by check and severity (model.py). Activating a
finding opens its record where it lives — a row in Tables, a line in the
Audit log, a position or exit intent in Trading state — through the
session's Navigator (core/checks/links.py says which); the trade inspector
opens from here too, and from the other areas through ``nav.inspectTrade``.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, Slot
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ...core.checks import report
from ...core.checks.links import Link, LinkKind, links_of
from ...core.paths import DataPaths
from ...signals import Navigator
from ..areas import AreaDefaults, FindsInBox, ScreenshotState
from ..find import RowFilter, make_find_box
from .detail import FindingDetail
from .model import FindingsModel
from .runner import JsonChild

_STEP = re.compile(r"^\[(\d+)/(\d+)\]")


class ChecksArea(QWidget, AreaDefaults, FindsInBox):
    """Run the audit, show its findings grouped, open each one's records, export a report."""

    def __init__(self, paths: DataPaths, nav: Navigator, parent: QWidget | None = None, *,
                 run_on_show: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("checksArea")
        self.paths = paths
        self.nav = nav
        self.document: dict[str, Any] | None = None  # the last audit --json document
        self.ran_at: datetime | None = None
        self._run_on_show = run_on_show
        self.inspector: QWidget | None = None
        self.child = JsonChild(paths, (0, 1), self)
        self.child.progress.connect(self._on_progress)
        self.child.finished.connect(self._on_finished)
        self.child.failed.connect(self._on_failed)
        self.model = FindingsModel(self)
        self._build()
        nav.inspectTrade.connect(self.open_inspector)

    def _build(self) -> None:
        self.run_button = QPushButton("Run checks")
        self.run_button.setToolTip("Cross-check every store: databases, state files, audit trail, log history")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running audit (its child process is killed)")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.hide()
        self.status = QLabel("Not run yet.")
        self.status.setObjectName("checksStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for label, fmt in (("CSV…", "csv"), ("JSON (as audit --json)…", "json"), ("HTML report…", "html")):
            menu.addAction(label, self._on_export).setData(fmt)
        self.export_button.setMenu(menu)
        self.export_button.setEnabled(False)
        top = QHBoxLayout()
        for w in (self.run_button, self.cancel_button, self.progress):
            top.addWidget(w)
        top.addWidget(self.status, 1)
        self.find_box = make_find_box("Find a finding")
        top.addWidget(self.find_box)
        top.addWidget(self.export_button)
        self.tree = QTreeView()
        self.tree.setObjectName("findingsTree")
        self.tree.setModel(self.model)
        self.row_filter = RowFilter(self.find_box, [self.tree])
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setUniformRowHeights(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_context_menu)
        self.tree.activated.connect(self._on_activated)
        self.tree.selectionModel().currentRowChanged.connect(self._on_current)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.detail = FindingDetail()
        self.detail.linkActivated.connect(self.follow)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    # -- the area contract (docs/architecture.md, 'The area contract') -------
    def window_actions(self) -> Sequence[QAction]:
        """None: Run is a button here (the audit belongs to this area)."""
        return ()

    def shutdown(self) -> None:
        """Kill a running audit and close the inspector."""
        self.child.cancel()
        if self.inspector is not None:
            self.inspector.close()

    def screenshot_states(self) -> Sequence[ScreenshotState]:
        """The findings grouped, with the first error selected."""
        from .shots import screenshot_states

        return screenshot_states(self)

    def showEvent(self, event: QShowEvent) -> None:
        """Run the audit the first time the area is shown (not at start-up: it reads every store)."""
        super().showEvent(event)
        if self._run_on_show and self.document is None and not self.child.busy():
            self._run_on_show = False
            self.run()

    # -- running ---------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        """Start (or restart) the audit in a child process."""
        self.child.start("audit", "--json")
        self.run_button.setEnabled(False)
        self.cancel_button.show()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText("Running the checks…")

    @Slot()
    def cancel(self) -> None:
        """Kill the running audit; the findings shown stay."""
        self.child.cancel()

    def busy(self) -> bool:
        """Whether the audit is running."""
        return self.child.busy()

    @Slot(str)
    def _on_progress(self, line: str) -> None:
        step = _STEP.match(line)
        if step:
            self.progress.setRange(0, int(step.group(2)))
            self.progress.setValue(int(step.group(1)))
        self.status.setText(line)

    def _idle(self) -> None:
        self.run_button.setEnabled(True)
        self.run_button.setText("Re-run")
        self.cancel_button.hide()
        self.progress.hide()

    @Slot(object, int)
    def _on_finished(self, doc: object, _code: int) -> None:
        self._idle()
        findings = doc.get("findings") if isinstance(doc, dict) else None
        if not isinstance(findings, list):
            self._on_failed("the audit printed no findings list")
            return
        self.document = {"findings": [f for f in findings if isinstance(f, dict)]}
        self.ran_at = datetime.now(UTC)
        self.model.set_findings(self.document["findings"])
        self.tree.expandAll()
        for column in range(4):
            self.tree.resizeColumnToContents(column)
            self.tree.setColumnWidth(column, min(self.tree.columnWidth(column), 320))
        self.export_button.setEnabled(True)
        counts = self.model.counts()
        summary = " · ".join(f"{n} {name}{'s' * (n != 1)}" for name, n in
                             (("error", counts["error"]), ("warning", counts["warning"]), ("note", counts["info"])))
        self.status.setText(f"{summary} — checked {self.ran_at.astimezone():%H:%M:%S}" if self.model.findings
                            else f"No findings: every store agrees — checked {self.ran_at.astimezone():%H:%M:%S}")
        first = self.model.index(0, 0, self.model.index(0, 0)) if self.model.groups else QModelIndex()
        if first.isValid():
            self.tree.setCurrentIndex(first)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._idle()
        self.status.setText("Cancelled; the findings shown are from the last run." if message == "cancelled"
                            else f"The audit could not run: {message}")

    # -- findings and their links ----------------------------------------------
    @Slot(QModelIndex, QModelIndex)
    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.detail.show_finding(self.model.finding_at(current))

    @Slot(QModelIndex)
    def _on_activated(self, index: QModelIndex) -> None:
        f = self.model.finding_at(index)
        links = links_of(list(f.get("stores") or []), list(f.get("ids") or [])) if f else []
        if links:
            self.follow(links[0])

    @Slot(QPoint)
    def _on_context_menu(self, pos: QPoint) -> None:
        f = self.model.finding_at(self.tree.indexAt(pos))
        if f is None:
            return
        menu = QMenu(self)
        for n, link in enumerate(links_of(list(f.get("stores") or []), list(f.get("ids") or []))):
            menu.addAction(link.label, self._on_link_action).setData(n)
        if menu.isEmpty():
            menu.addAction("No record to open").setEnabled(False)
        self.tree.setCurrentIndex(self.tree.indexAt(pos))
        menu.popup(self.tree.viewport().mapToGlobal(pos))
        self._menu = menu

    @Slot()
    def _on_link_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction) and self.detail.links:
            self.follow(self.detail.links[int(action.data())])

    @Slot(object)
    def follow(self, link: Link) -> None:
        """Open what a link points to, in the area that shows it (or the trade inspector)."""
        if link.kind is LinkKind.ROW:
            self.nav.show_row(link.store, link.table, list(link.key))
        elif link.kind is LinkKind.LINE:
            self.nav.show_log_line(link.store, link.line)
        elif link.kind in (LinkKind.POSITION, LinkKind.INTENT):
            self.nav.show_trading(link.kind.value, link.store, str(link.key[0]))
        elif link.kind is LinkKind.INSPECT:
            self.open_inspector(str(link.key[0]))

    @Slot(str)
    def open_inspector(self, ident: str) -> None:
        """Show the trade inspector on an id (one inspector window, reused)."""
        from .inspector import TradeInspector

        if not isinstance(self.inspector, TradeInspector):
            self.inspector = TradeInspector(self.paths, self.window())
        assert isinstance(self.inspector, TradeInspector)
        self.inspector.inspect(ident)
        self.inspector.show()
        self.inspector.raise_()

    # -- exports ----------------------------------------------------------------
    def export_text(self, fmt: str) -> str:
        """The findings shown, as CSV, JSON (the audit's own document) or an HTML report."""
        findings = self.document["findings"] if self.document else []
        if fmt == "csv":
            return report.to_csv(findings)
        if fmt == "json":
            return report.to_json(findings)
        return report.to_html(findings, str(self.paths.home), self.ran_at or datetime.now(UTC))

    def export(self, fmt: str, path: Path) -> None:
        """Write an export atomically (a temporary file beside it, then a rename); OSError on failure."""
        data = self.export_text(fmt).encode("utf-8")
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @Slot()
    def _on_export(self) -> None:
        action = self.sender()
        fmt = str(action.data()) if isinstance(action, QAction) else "csv"
        stamp = (self.ran_at or datetime.now(UTC)).astimezone().strftime("%Y%m%d_%H%M%S")
        name, _ = QFileDialog.getSaveFileName(self, "Export findings", f"audit_{stamp}.{fmt}",
                                              {"csv": "CSV (*.csv)", "json": "JSON (*.json)",
                                               "html": "HTML report (*.html)"}[fmt])
        if not name:
            return
        try:
            self.export(fmt, Path(name))
        except OSError as exc:
            self.status.setText(f"Could not write {name}: {exc.strerror or exc}")
        else:
            self.status.setText(f"Exported {len(self.model.findings)} finding(s) to {name}")
