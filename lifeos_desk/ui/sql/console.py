"""The query tab: editor, history, store picker, results, cancel and CSV export.

Every statement runs in a ``lifeos-desk query`` child (``runner.py`` says
why), which opens the store read-only, refuses anything that would write
and reads at most ``ROW_CAP`` rows. History is the app's remembered state
(``State``, the platformdirs state folder), never the data home.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QFontDatabase, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.query import ROW_CAP
from ...core.settings import State
from ...core.stores import StoreRef
from .highlight import SqlHighlighter
from .model import ResultModel
from .runner import ChildQuery, query_argv

HISTORY_KEY = "sql_history"
HISTORY_MAX = 100
EXIT_WORDS = {2: "SQL error", 3: "Refused"}


def load_history(state: State) -> list[str]:
    """The remembered queries, most recent first."""
    value = state.get(HISTORY_KEY, [])
    return [v for v in value if isinstance(v, str)][:HISTORY_MAX] if isinstance(value, list) else []


def remember(state: State, sql: str) -> list[str]:
    """Put ``sql`` first in the history (once), keep the last HISTORY_MAX, save; returns the new list."""
    items = [sql] + [h for h in load_history(state) if h != sql]
    state.set(HISTORY_KEY, items[:HISTORY_MAX])
    return items[:HISTORY_MAX]


class QueryConsole(QWidget):
    """Editor over results; Ctrl+Enter runs, Escape (or Cancel) kills the running query.

    Signals:
        finished(str): a run ended; the status line it shows.
    """

    finished = Signal(str)

    def __init__(self, stores: list[StoreRef], state: State, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._stores = stores
        self.child = ChildQuery(self)
        self.child.done.connect(self._on_done)
        self.model = ResultModel(self)
        self.limit = ROW_CAP
        self.last_export: Path | None = None
        self._build()
        self._refresh_history()
        self._set_running(False)

    # -- building ------------------------------------------------------------
    def _build(self) -> None:
        self.store_box = QComboBox()
        for ref in self._stores:
            self.store_box.addItem(f"{ref.label} — {ref.path.name}", str(ref.path))
            self.store_box.setItemData(self.store_box.count() - 1, str(ref.path), Qt.ItemDataRole.ToolTipRole)
        self.history_box = QComboBox()
        self.history_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.history_box.setMinimumContentsLength(24)
        self.history_box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.history_box.setToolTip("The last 100 queries (kept in the console's own state, not the data home)")
        self.history_box.activated.connect(self._on_history_picked)
        self.run_action = self._action("Run query", ("Ctrl+Return", "Ctrl+Enter"), self.run)
        self.cancel_action = self._action("Cancel query", ("Escape",), self.cancel)
        self.export_action = self._action("Export results as CSV…", ("Ctrl+Shift+E",), self._export_clicked)
        self.editor = QPlainTextEdit()
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setPlaceholderText("SELECT … — one statement, read-only; Ctrl+Enter runs it")
        self.editor.setTabChangesFocus(False)
        self._highlighter = SqlHighlighter(self.editor.document())
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.view.horizontalHeader().setDefaultSectionSize(140)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.status = QLabel("Read-only: statements that would write are refused. Results are capped at "
                             f"{ROW_CAP:,} rows.")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout()

    def _action(self, text: str, keys: tuple[str, ...], slot: Any) -> QAction:
        act = QAction(text, self)
        act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.triggered.connect(slot)
        self.addAction(act)
        return act

    def _button(self, act: QAction) -> QPushButton:
        button = QPushButton(act.text().removesuffix("…").replace("Export results as CSV", "Export CSV…"))
        keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{act.text()} ({keys})")
        button.clicked.connect(act.trigger)
        act.enabledChanged.connect(button.setEnabled)
        return button

    def _layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Store"))
        bar.addWidget(self.store_box)
        bar.addWidget(QLabel("History"))
        bar.addWidget(self.history_box, 1)
        self.run_button, self.cancel_button = self._button(self.run_action), self._button(self.cancel_action)
        self.export_button = self._button(self.export_action)
        for b in (self.run_button, self.cancel_button, self.export_button):
            bar.addWidget(b)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.editor)
        split.addWidget(self.view)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([140, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)

    # -- state ---------------------------------------------------------------
    def _refresh_history(self) -> None:
        self.history_box.clear()
        items = load_history(self._state)
        self.history_box.addItem(f"{len(items)} earlier quer{'y' if len(items) == 1 else 'ies'}" if items
                                 else "No earlier queries", None)
        for sql in items:
            one_line = " ".join(sql.split())
            self.history_box.addItem(one_line[:120], sql)
            self.history_box.setItemData(self.history_box.count() - 1, sql[:2000], Qt.ItemDataRole.ToolTipRole)

    @Slot(int)
    def _on_history_picked(self, index: int) -> None:
        sql = self.history_box.itemData(index)
        if isinstance(sql, str):
            self.editor.setPlainText(sql)
            self.editor.setFocus()

    def _set_running(self, running: bool) -> None:
        self.run_action.setEnabled(not running)
        self.cancel_action.setEnabled(running)
        self.export_action.setEnabled(not running and bool(self.model.columns))
        self.editor.setReadOnly(running)
        self.store_box.setEnabled(not running)

    def _show(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: palette(link);" if not error else "color: #c62828; font-weight: 600;")

    def store_path(self) -> Path | None:
        """The chosen store's file."""
        value = self.store_box.currentData()
        return Path(value) if isinstance(value, str) else None

    # -- running -------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        """Run the editor's statement in a child (nothing happens while one runs)."""
        sql = self.editor.toPlainText().strip()
        store = self.store_path()
        if self.child.busy() or not sql or store is None:
            if not sql:
                self._show("Nothing to run: type one SQL statement.", error=True)
            return
        remember(self._state, sql)
        self._refresh_history()
        self._set_running(True)
        self._show(f"Running on {store.name}…  (Escape or Cancel stops it)")
        self.child.start(query_argv(store, self.limit), sql)

    @Slot()
    def cancel(self) -> None:
        """Kill the running query's child."""
        self.child.cancel()

    @Slot(int, dict, str)
    def _on_done(self, code: int, payload: dict[str, Any], message: str) -> None:
        if code == 0 and "columns" in payload:
            self.model.set_result(payload["columns"], payload.get("rows", []))
            self.view.resizeColumnsToContents()
            text = str(payload.get("message", ""))
            if not payload["columns"]:
                text = "The statement ran and returned no columns. " + text
            self._show(text.replace("first ", "First ", 1) if text.startswith("first") else text.capitalize())
        elif payload.get("cancelled"):
            self._show("Cancelled: the query process was stopped; nothing was changed.")
        else:
            word = EXIT_WORDS.get(code, "Could not run")
            self._show(f"{word}: {payload.get('error') or message}", error=True)
        self._set_running(False)
        self.finished.emit(self.status.text())

    # -- export --------------------------------------------------------------
    @Slot()
    def _export_clicked(self) -> None:
        self.export_csv()

    @Slot()
    def export_csv(self, path: Path | None = None) -> None:
        """Write the shown rows to a CSV file the admin picks (tests pass ``path``)."""
        if not self.model.columns:
            return
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "Export results", "query.csv", "CSV files (*.csv)")
            if not name:
                return
            path = Path(name)
        try:
            n = self.model.write_csv(path)
        except OSError as exc:
            self._show(f"Could not write {path}: {exc.strerror or exc}", error=True)
            return
        self.last_export = path
        self._show(f"Wrote {n:,} rows to {path}")

    def shutdown(self) -> None:
        """Kill a running query (the window closes)."""
        self.child.cancel()
