"""The Home area: the map of every store, grouped by tree and kind, with what is at risk.

Rows come from the session's discovery (core/discovery.py) and the newest
archive's coverage (core/coverage.py). A timer walks again every few seconds
through ``run_task`` (the walk is bounded and reads headers only, but a big
home or a slow disk must never stall painting), skipping SQLite files the
session holds (docs/architecture.md, 'Store discovery'); between walks only
the "written … ago" words are updated. A double-click opens an SQLite store
in Tables, a JSON trading-state store in the Trading state area.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ...core.coverage import Coverage, newest_coverage
from ...core.discovery import Discovery, FoundStore
from ...core.stores import StoreKind, StoreRole, role_text
from ...session import Session
from ..areas import AreaDefaults, FindsInBox, ScreenshotState, default_areas
from ..find import RowFilter, make_find_box
from ..tasks import Task, run_task
from .facts import KIND_TITLES, TREE_TITLES, StoreFacts, ago, facts_of, grouped, journal_text, size_text, summary

POLL_MS = 3000
PathRole = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Store", "Role", "Size", "Last write", "Journal", "At risk")
_RISK_COLOUR = QColor("#c62828")
_TRADING_ROLES = frozenset({StoreRole.POSITIONS, StoreRole.TRADE_HISTORY, StoreRole.EXIT_INTENTS,
                            StoreRole.EMERGENCY_STOP, StoreRole.TRADING_STATE})
TRADING_AREA = "trading"


def _age(seconds: float) -> str:
    """The "Last write" column: ``3 s ago`` (the header already says what was written)."""
    return ago(seconds).removeprefix("written ")


@dataclass(frozen=True)
class _Walk:
    """One background walk's result."""

    discovery: Discovery
    coverage: Coverage


class HomeArea(QWidget, AreaDefaults, FindsInBox):
    """Every store found, how big, how fresh, and what is at risk."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._task: Task | None = None
        self._shut_down = False
        self._signature: tuple[object, ...] = ()
        self.facts: list[StoreFacts] = []
        self.coverage = Coverage()
        self.summary = QLabel()
        self.summary.setObjectName("homeSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint = QLabel("Double-click a database to open it in Tables. Nothing here is ever written.")
        self.hint.setStyleSheet("color: palette(mid);")
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Stores")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.find_box = make_find_box("Find a store by name, role or risk")
        self.row_filter = RowFilter(self.find_box, [self.tree])
        layout.addWidget(self.summary)
        layout.addWidget(self.hint)
        layout.addWidget(self.find_box)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message)
        self.tree.itemDoubleClicked.connect(self._on_double_click)
        self._timer = QTimer(self)
        self._timer.setInterval(int(session.settings.get("home_poll_ms")))  # POLL_MS unless changed
        self._timer.timeout.connect(self.poll)
        self._show(session.discovery, newest_coverage(session.paths))
        self._timer.start()

    # ---------------------------------------------------------------- the area contract (ui/areas.py)
    def shutdown(self) -> None:
        """Stop polling; a walk still running is cancelled and its result dropped."""
        self._shut_down = True
        self._timer.stop()
        if self._task is not None:
            self._task.cancel()

    def screenshot_states(self) -> Sequence[ScreenshotState]:
        """The map as it opens."""
        return [("home", self._expand_all)]

    @Slot()
    def _expand_all(self) -> None:
        self.tree.expandAll()

    # ---------------------------------------------------------------- polling
    @Slot()
    def poll(self) -> None:
        """Walk again in the background (one walk at a time); refresh the freshness words meanwhile."""
        self._update_ages()
        if self._task is not None and not self._task.finished or self._shut_down:
            return
        session = self._session
        self._task = run_task(lambda _task: _Walk(session.discover_stores(), newest_coverage(session.paths)),
                              self._on_walked, self._on_walk_failed, receiver=self, name="home-discovery")

    def _on_walked(self, walk: _Walk) -> None:
        if self._shut_down:
            return
        self._session.adopt(walk.discovery)
        self._show(self._session.discovery, walk.coverage)

    def _on_walk_failed(self, exc: BaseException) -> None:
        self._say(f"The stores could not be listed again: {exc}")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # ---------------------------------------------------------------- showing
    def _show(self, discovery: Discovery, coverage: Coverage) -> None:
        facts = facts_of(discovery.stores, coverage)
        modes = self._open_modes()
        signature = (tuple((f.store.path, f.store.size, f.store.mtime, journal_text(f.store, modes), f.risks)
                           for f in facts), coverage.archive, coverage.problem, discovery.truncated)
        self.facts, self.coverage = facts, coverage
        self.summary.setText("<b>" + summary(facts, coverage, datetime.now(), discovery.truncated) + "</b>")
        if signature == self._signature:
            return
        self._signature = signature
        self._rebuild(facts)

    def _open_modes(self) -> dict[Path, str]:
        """Journal modes the session's open database answered (the status bar's, ui/status_bar.py)."""
        info = self._session.info
        return {info.path: info.journal_mode} if info is not None else {}

    def _rebuild(self, facts: list[StoreFacts]) -> None:
        self.tree.clear()
        roots = {"home": self._session.paths.home, "bot": self._session.paths.bot_dir}
        bold = QFont()
        bold.setBold(True)
        modes = self._open_modes()
        for tree, kinds in grouped(facts):
            top = QTreeWidgetItem([f"{TREE_TITLES[tree]} — {roots[tree.value]}"])
            top.setFont(0, bold)
            top.setFirstColumnSpanned(True)
            self.tree.addTopLevelItem(top)
            for kind, items in kinds:
                at_risk = sum(bool(f.risks) for f in items)
                group = QTreeWidgetItem([f"{KIND_TITLES[kind]} ({len(items)}, {at_risk} at risk)"])
                group.setFont(0, bold)
                top.addChild(group)
                for fact in items:
                    group.addChild(self._row(fact, roots[tree.value], modes))
                group.setExpanded(True)
                group.setFirstColumnSpanned(True)
            top.setExpanded(True)
        if self._session.paths.bot_dir is None:
            none = QTreeWidgetItem(["Bot checkout — none given (File ▸ Open data home, or --bot-dir): "
                                    "its data/ and logs/ are not listed"])
            none.setFirstColumnSpanned(True)
            none.setForeground(0, QBrush(_RISK_COLOUR))
            self.tree.addTopLevelItem(none)
        self.tree.resizeColumnToContents(0)
        for col in range(1, len(COLUMNS) - 1):
            self.tree.resizeColumnToContents(col)
        self.tree.setColumnWidth(0, min(self.tree.columnWidth(0), 420))

    def _row(self, fact: StoreFacts, root: Path | None, modes: dict[Path, str]) -> QTreeWidgetItem:
        store = fact.store
        rel = store.path.relative_to(root) if root is not None and store.path.is_relative_to(root) else store.path
        journal = journal_text(store, modes)
        risks = ", ".join(fact.risks)
        item = QTreeWidgetItem([f"{store.label}  ·  {rel}", role_text(store.role), size_text(store.size),
                                _age(time.time() - store.mtime), journal, risks or "—"])
        item.setData(0, PathRole, str(store.path))
        item.setToolTip(0, f"{store.path}\nDouble-click: {self._open_hint(store)}")
        item.setToolTip(3, datetime.fromtimestamp(store.mtime).strftime("%Y-%m-%d %H:%M:%S (local time)"))
        item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if risks:
            item.setForeground(5, QBrush(_RISK_COLOUR))
            item.setToolTip(5, risks)
        return item

    def _update_ages(self) -> None:
        now = time.time()
        mtimes = {str(f.store.path): f.store.mtime for f in self.facts}
        for item in self._store_items():
            mtime = mtimes.get(str(item.data(0, PathRole)))
            if mtime is not None:
                item.setText(3, _age(now - mtime))

    def _store_items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount() if top is not None else 0):
                group = top.child(j) if top is not None else None
                if group is not None:
                    out += [c for c in (group.child(k) for k in range(group.childCount())) if c is not None]
        return out

    def item_of(self, path: str) -> QTreeWidgetItem | None:
        """The row of a store (tests, double-click)."""
        return next((i for i in self._store_items() if i.data(0, PathRole) == path), None)

    # ---------------------------------------------------------------- opening
    @staticmethod
    def _open_hint(store: FoundStore) -> str:
        if store.kind is StoreKind.SQLITE:
            return "open it in Tables (read-only)"
        if store.role in _TRADING_ROLES:
            return "show it in Trading state"
        return "nothing (only databases and trading state open from here)"

    @Slot(QTreeWidgetItem, int)
    def _on_double_click(self, item: QTreeWidgetItem, _column: int) -> None:
        path = item.data(0, PathRole)
        fact = next((f for f in self.facts if str(f.store.path) == path), None)
        if fact is not None:
            self.open_store(fact.store)

    def open_store(self, store: FoundStore) -> None:
        """An SQLite store in Tables; a trading-state file in the Trading state area, if this build has one."""
        nav = self._session.nav
        if store.kind is StoreKind.SQLITE:
            self._say("")
            nav.show_store(str(store.path))
        elif store.role in _TRADING_ROLES and any(spec.key == TRADING_AREA for spec in default_areas()):
            self._say("")
            nav.showArea.emit(TRADING_AREA)
        else:
            self._say(f"{store.label} ({store.path.name}) is a {store.kind.value} file; "
                      "only databases and trading state open from here.")
