"""The Trading state area: the treasury's positions, trade history and exit intents, live.

Files and their shapes: docs/data-formats.md, 'Trading state files'. Each
file is read off the UI thread (``SerialReader``) whenever its ``os.stat``
changes (``FilePoller``; docs/architecture.md, 'File watching is only a
hint'). A file caught half-written keeps the last good rows on screen with a
notice saying so; nothing here writes to the bot's files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, QPoint, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.trading import (
    EmergencyStop,
    ExitIntent,
    Position,
    Snapshot,
    StateFile,
    TradingPaths,
    active_stop,
    emergency_file,
    history_file,
    intents_file,
    open_positions,
    positions_file,
)
from ...signals import Navigator, Prefs
from ..areas import FindsInBox
from ..find import RowFilter, make_find_box
from .detail import IntentDetail
from .emergency import banner_text
from .models import intents_model, positions_model, time_text
from .pane import StatePane
from .reads import SerialReader
from .watch import FilePoller

POSITIONS, HISTORY, INTENTS, EMERGENCY = "positions", "history", "intents", "emergency"


class TradingArea(QWidget, FindsInBox):
    """Positions, trade history and exit intents of one home (and bot checkout), refreshed live."""

    def __init__(self, paths: TradingPaths, prefs: Prefs | None = None, parent: QWidget | None = None, *,
                 poll_ms: int = 500, synchronous: bool = False, nav: Navigator | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tradingArea")
        self.paths = paths
        self._prefs = prefs
        self._nav = nav
        self._pending: tuple[str, str, str] | None = None  # a selection asked for before its file was read
        self._files: dict[str, StateFile[Any]] = {}
        self._reader = SerialReader(self, synchronous=synchronous)
        self._reader.finished.connect(self._on_read)
        self._poller = FilePoller(poll_ms, self)
        self._poller.changed.connect(self._on_file_changed)
        self._build()
        if prefs is not None:
            prefs.utcChanged.connect(self._on_utc_changed)
        self._fill_profiles()
        self._open_files()

    # -- building ------------------------------------------------------------
    def _fmt(self, moment: datetime | None) -> str:
        return time_text(moment, bool(self._prefs and self._prefs.utc))

    def _build(self) -> None:
        top = QHBoxLayout()
        self.profile_box = QComboBox()
        self.profile_box.setToolTip("Treasury profile (data/<profile>/trader in the bot checkout)")
        self.profile_box.currentTextChanged.connect(self._on_profile_changed)
        self.stop_label = QLabel()
        self.stop_label.setObjectName("tradingStopLabel")
        self.stop_label.setTextFormat(Qt.TextFormat.PlainText)
        self.profile_label = QLabel("Profile:")
        top.addWidget(self.profile_label)
        top.addWidget(self.profile_box)
        top.addSpacing(16)
        top.addWidget(self.stop_label, 1)
        self.find_box = make_find_box("Find in positions, history and intents")
        top.addWidget(self.find_box)
        # A button, not a window action: the files refresh live, and F5 is the window's Refresh facts.
        self.reload_button = QPushButton("Reload")
        self.reload_button.setToolTip("Read positions, history, exit intents and the emergency stop again")
        self.reload_button.clicked.connect(self.reload)
        top.addWidget(self.reload_button)
        self.positions = StatePane(positions_model(self._fmt, parent=self), "position")
        self.history = StatePane(positions_model(self._fmt, closed=True, parent=self), "trade")
        self.intents = StatePane(intents_model(self._fmt, parent=self), "intent")
        self.detail = IntentDetail(self._fmt)
        split = QSplitter(Qt.Orientation.Vertical)  # few intents, a wide ladder: detail goes below
        split.addWidget(self.intents)
        scroller = QScrollArea()  # scrolls in a short window instead of raising its minimum height
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(self.detail)
        split.addWidget(scroller)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        self.intents.view.selectionModel().selectionChanged.connect(self._on_intent_selected)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.positions, "Positions")
        self.tabs.addTab(split, "Exit intents")
        self.tabs.addTab(self.history, "Trade history")
        self.row_filter = RowFilter(self.find_box, [p.view for p in (self.positions, self.history, self.intents)])
        for pane in (self.positions, self.history, self.intents):
            pane.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            pane.view.customContextMenuRequested.connect(self._on_context_menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

    def _fill_profiles(self) -> None:
        self.profile_box.blockSignals(True)
        self.profile_box.clear()
        self.profile_box.addItems(self.paths.profiles())
        self.profile_box.blockSignals(False)
        self.profile_box.setVisible(self.profile_box.count() > 1)
        self.profile_label.setVisible(self.profile_box.count() > 1)

    def _open_files(self) -> None:
        profile = self.profile_box.currentText() or "treasury"
        self._files = {
            POSITIONS: positions_file(self.paths, profile),
            HISTORY: history_file(self.paths, profile),
            INTENTS: intents_file(self.paths),
            EMERGENCY: emergency_file(self.paths),
        }
        self._poller.clear()
        for state in self._files.values():
            self._poller.watch(state.path)
        bak = self._files[POSITIONS].path.with_name("positions.json.bak")
        self._poller.watch(bak)
        self.reload()

    # -- the area contract (docs/architecture.md, 'The area contract') -------
    def window_actions(self) -> Sequence[QAction]:
        """None: nothing here works from other areas (the emergency stop has its own banner)."""
        return ()

    def shutdown(self) -> None:
        """Stop polling and wait for a running read; nothing is delivered afterwards."""
        self._poller.stop()
        self._reader.shutdown()

    def unsaved_changes(self) -> list[str]:
        """The area only reads: never anything unsaved."""
        return []

    def screenshot_states(self) -> Sequence[tuple[str, Callable[[], None]]]:
        """Positions, an exit intent with its ladder, and the trade history."""
        return [("trading-positions", self.show_positions), ("trading-intents", self.show_first_intent),
                ("trading-history", self.show_history)]

    # -- slots ---------------------------------------------------------------
    @Slot()
    def reload(self) -> None:
        """Read every file again (off the UI thread)."""
        for key in self._files:
            self._submit(key)

    @Slot()
    def show_positions(self) -> None:
        """Bring the positions tab to the front."""
        self.tabs.setCurrentIndex(0)

    @Slot()
    def show_first_intent(self) -> None:
        """Bring the exit intents to the front with the first one selected."""
        self.tabs.setCurrentIndex(1)
        if self.intents.model.rowCount() and self.intents.selected_row() < 0:
            self.intents.view.selectRow(0)

    @Slot()
    def show_history(self) -> None:
        """Bring the trade history to the front."""
        self.tabs.setCurrentIndex(2)

    @Slot(str, str, str)
    def show_record(self, kind: str, store: str, key: str) -> bool:
        """Select a position (in the positions or history tab, by ``store``'s file name) or an exit intent.

        Navigator.showTrading; a record not read yet is selected when its file's read arrives.
        """
        if kind == "intent":
            tab, panes = 1, [self.intents]
        elif Path(store).name.startswith("trade_history"):
            tab, panes = 2, [self.history, self.positions]
        else:
            tab, panes = 0, [self.positions, self.history]
        self.tabs.setCurrentIndex(tab)
        for pane in panes:
            if pane.select_key(key):
                self.tabs.setCurrentIndex({id(self.positions): 0, id(self.history): 2}.get(id(pane), 1))
                self._pending = None
                return True
        self._pending = (kind, store, key)
        return False

    def _on_context_menu(self, pos: QPoint) -> None:
        view = self.sender()
        pane = next((p for p in (self.positions, self.history, self.intents) if p.view is view), None)
        if pane is None or self._nav is None:
            return
        index = pane.view.indexAt(pos)
        if not index.isValid():
            return
        pane.view.selectRow(index.row())
        menu = QMenu(self)
        menu.addAction("Inspect trade…", self._inspect_selected).setData(pane.selected_key())
        menu.popup(pane.view.viewport().mapToGlobal(pos))
        self._menu = menu

    @Slot()
    def _inspect_selected(self) -> None:
        action = self.sender()
        key = action.data() if isinstance(action, QAction) else None
        if key and self._nav is not None:
            self._nav.inspect_trade(str(key))

    def busy(self) -> bool:
        """True while a read is running (tests wait for it)."""
        return self._reader.busy()

    def _submit(self, key: str) -> None:
        state = self._files.get(key)
        if state is not None:
            self._reader.submit(key, state.read)

    @Slot(str)
    def _on_file_changed(self, path: str) -> None:
        changed = Path(path)
        for key, state in self._files.items():
            if state.path == changed or (key == POSITIONS and changed.name == "positions.json.bak"):
                self._submit(key)

    @Slot(str, object)
    def _on_read(self, key: str, result: object) -> None:
        if isinstance(result, Exception):  # a reader bug: say so, keep what is shown
            self.stop_label.setText(f"Reading {key} failed: {type(result).__name__}: {result}")
            return
        if not isinstance(result, Snapshot):
            return
        if key == POSITIONS:
            self._show_positions(result)
        elif key == HISTORY:
            self.history.show_snapshot(result)
            self.tabs.setTabText(2, f"Trade history ({len(result.items)})")
        elif key == INTENTS:
            self._show_intents(result)
        elif key == EMERGENCY:
            self._show_emergency(result)
        if self._pending is not None and key != EMERGENCY:
            self.show_record(*self._pending)

    def _show_positions(self, snap: Snapshot[Position]) -> None:
        self.positions.show_snapshot(snap)
        if snap.missing and self.paths.bot_dir is None:
            self.positions.notice.setText(
                f"{snap.notice}. No bot checkout is known, so only the legacy folder was looked in; the "
                "treasury writes its positions to <checkout>/data/trader/positions.json.")
        n_open = len(open_positions(snap.items))
        self.tabs.setTabText(0, f"Positions ({n_open} open)" + (" ⚠" if snap.notice and not snap.missing else ""))

    def _show_intents(self, snap: Snapshot[ExitIntent]) -> None:
        self.intents.show_snapshot(snap)
        active = sum(i.status == "active" for i in snap.items)
        self.tabs.setTabText(1, f"Exit intents ({active} active)" + (" ⚠" if snap.notice and not snap.missing
                                                                       else ""))
        self._on_intent_selected()

    def _show_emergency(self, snap: Snapshot[EmergencyStop]) -> None:
        stop = active_stop(snap)
        if stop is not None:
            self.stop_label.setText(banner_text(stop))
            self.stop_label.setStyleSheet("color:#b71c1c;font-weight:bold;")
        else:
            self.stop_label.setText("Emergency stop: none" + (" (file not found)" if snap.missing else ""))
            self.stop_label.setStyleSheet("color:palette(mid);")
        self.stop_label.setToolTip(snap.notice or str(snap.path))

    @Slot()
    @Slot(QItemSelection, QItemSelection)
    def _on_intent_selected(self, *_args: object) -> None:
        row = self.intents.selected_row()
        self.detail.show_intent(self.intents.model.record(row) if row >= 0 else None)

    @Slot(str)
    def _on_profile_changed(self, _profile: str) -> None:
        self._open_files()

    @Slot(bool)
    def _on_utc_changed(self, _utc: bool) -> None:
        for pane in (self.positions, self.history, self.intents):
            pane.model.set_rows(pane.model.rows())
        self.detail.refresh()
