"""The Tables area: the list of tables on the left, one pane per opened table.

Domain tables come first (users, wallets, trades/transactions, metrics...),
then anything else the file holds. Panes are built the first time a table is
shown and kept, so each keeps its own sort, filters, scroll and pending
edits. The area listens to the session's shared signals: the bot's commits
(``watcher.changed``), the UTC toggle (``prefs.utcChanged``), editing being
unlocked (``database.modeChanged``) and other areas asking for rows
(``nav.showRows``) or a store (``nav.showStore``).

A store switcher above the list opens any SQLite store of the registry
(ui/tables/stores.py), read-only, with a ChangeWatcher of its own while it
is shown; editing stays with the users database's domain tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from ...core.schema import Domain
from ...core.stores import StoreRef, StoreRole
from ...db.connection import Database
from ...db.errors import DatabaseError
from ...db.tables.columns import readable_table
from ...db.tables.info import load_table_info
from ...db.watcher import ChangeWatcher
from ...session import Session
from ..area_host import UnsavedChoice, ask_unsaved
from ..areas import AreaDefaults, ScreenshotState
from ..memory import remember_tables, remembered_table
from .actions import equals_text
from .pane import PaneDeps, TablePane
from .stores import StoreSwitcher

_DOMAIN_ORDER = ("users", "wallets", "trades", "transactions", "algorithm_metrics", "user_stats", "positions",
                 "rate_limits")


def ordered_tables(tables: list[str], domain: Domain | None) -> list[str]:
    """Domain tables first, in a fixed order, then the rest in file order."""
    first = [t for t in _DOMAIN_ORDER if t in tables] if domain is not None else []
    return first + [t for t in tables if t not in first]


class TablesArea(QWidget, AreaDefaults):
    """Every table of the database, live; its staged edits are the window's unsaved changes."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert session.database is not None
        self._session = session
        self._database = session.database
        self._users = session.database
        self._domain: Domain | None = session.domain
        self._store_watcher: ChangeWatcher | None = None
        self._shut_down = False
        self.ask_unsaved = ask_unsaved  # tests answer with a plain function
        self.panes: dict[str, TablePane] = {}
        self._shown: dict[Path, str] = {}  # store -> table last shown, remembered at shutdown (ui/memory.py)
        self.switcher = StoreSwitcher(session.stores)
        self.switcher.setMaximumWidth(220)
        self.list = QListWidget()
        self.list.setAccessibleName("Tables")
        self.stack = QStackedWidget()
        self.message = QLabel()
        self.message.setWordWrap(True)
        split = QSplitter()
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.switcher)
        ll.addWidget(self.list, 1)
        left.setMaximumWidth(220)
        split.addWidget(left)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.message)
        rl.addWidget(self.stack, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([170, 1200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.message.hide()
        self.list.currentItemChanged.connect(self._on_table_chosen)
        self.switcher.storeChosen.connect(self._on_store_chosen)
        self._connect_session()
        tables = list(session.info.tables) if session.info else list(self._database.tables())
        self._fill_list(tables)

    def _fill_list(self, tables: list[str]) -> None:
        """The tables of the store shown, domain tables first; the first one (trades for the users db) shown."""
        self.list.blockSignals(True)
        self.list.clear()
        for name in ordered_tables(tables, self._domain):
            item = QListWidgetItem(readable_table(name))
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(name)
            self.list.addItem(item)
        self.list.blockSignals(False)
        domain = self._domain
        last = remembered_table(self._session.state, self._database.path)
        self.show_table(last if last in tables else domain.trades if domain is not None and domain.trades in tables
                        else (tables[0] if tables else ""))

    def _connect_session(self) -> None:
        s = self._session
        if s.watcher is not None:
            s.watcher.changed.connect(self._on_users_change)
        s.prefs.utcChanged.connect(self._on_utc)
        self._users.modeChanged.connect(self._on_mode)
        s.nav.showRows.connect(self.show_rows)
        s.nav.showStore.connect(self.show_store)
        s.nav.showRow.connect(self.show_row)

    @property
    def database(self) -> Database:
        """The database the tables come from."""
        return self._database

    @property
    def domain(self) -> Domain | None:
        """Table/column names of the known schema (the users database only), or None."""
        return self._domain

    @property
    def store(self) -> StoreRef | None:
        """The store whose tables are shown."""
        return self.switcher.current_ref()

    # ---------------------------------------------------------------- the area contract (ui/areas.py)
    def unsaved_changes(self) -> list[str]:
        """One line per table holding staged edits."""
        lines = []
        for table, pane in self.panes.items():
            n = len(pane.model.edits)
            if n:
                lines.append(f"Tables: {n} staged edit{'s' * (n != 1)} in {table}")
        return lines

    def save_changes(self) -> bool:
        """Save each table's staged edits (one transaction per table); False at the first that fails."""
        return all(pane.save() for pane in self.panes.values() if pane.model.edits)

    def discard_changes(self) -> None:
        """Drop every staged edit."""
        for pane in self.panes.values():
            pane.revert()

    def shutdown(self) -> None:
        """Stop following the session's signals and every pane's timers (once)."""
        s = self._session
        if self._shut_down:
            return
        self._shut_down = True
        remember_tables(s.state, self._shown)
        if s.watcher is not None:
            s.watcher.changed.disconnect(self._on_users_change)
        s.prefs.utcChanged.disconnect(self._on_utc)
        self._users.modeChanged.disconnect(self._on_mode)
        s.nav.showRows.disconnect(self.show_rows)
        s.nav.showStore.disconnect(self.show_store)
        self._stop_store_watcher()
        s.nav.showRow.disconnect(self.show_row)
        for pane in self.panes.values():
            pane.shutdown()

    def screenshot_states(self) -> Sequence[ScreenshotState]:
        """The trades, filtered trades, the user detail panel, and one staged edit."""
        from .shots import screenshot_states

        return screenshot_states(self)

    # ---------------------------------------------------------------- panes
    def pane(self, table: str) -> TablePane | None:
        """The pane of a table, built on first use (None if it cannot be read)."""
        pane = self.panes.get(table)
        if pane is not None:
            return pane
        s = self._session
        try:
            info = load_table_info(self._database, table, self._domain)
        except DatabaseError as exc:
            self._say(f"Cannot show {table}: {exc}")
            return None
        deps = PaneDeps(self._database, self._domain, s.audit, s.nav, s.prefs.utc)
        pane = TablePane(deps, info)
        self.panes[table] = pane
        self.stack.addWidget(pane)
        return pane

    def show_table(self, table: str) -> TablePane | None:
        """Bring a table's pane to the front (and select it in the list)."""
        pane = self.pane(table) if table else None
        if pane is None:
            return None
        self.message.hide()
        self.stack.setCurrentWidget(pane)
        self._shown[self._database.path] = table
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == table and self.list.currentItem() is not item:
                self.list.blockSignals(True)
                self.list.setCurrentItem(item)
                self.list.blockSignals(False)
        return pane

    def find_text(self, text: str) -> None:
        """Edit ▸ Find: search the table in front (its search box)."""
        pane = self.current_pane()
        if pane is not None:
            pane.search.setText(text)
            self.focus_find()

    def focus_find(self) -> None:
        """Focus the search box of the table in front."""
        pane = self.current_pane()
        if pane is not None:
            pane.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
            pane.search.selectAll()

    def current_pane(self) -> TablePane | None:
        """The pane in front."""
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, TablePane) else None

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    # ---------------------------------------------------------------- slots
    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_table_chosen(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.show_table(str(current.data(Qt.ItemDataRole.UserRole)))

    @Slot(str, str, list)
    def show_rows(self, table: str, column: str, values: list[Any]) -> None:
        """Honour Navigator.showRows: that table of the users database, only those rows."""
        if self._database is not self._users:
            users = next((r for r in self.switcher.refs if r.role is StoreRole.USERS), None)
            if users is None or not self.switch_store(users):
                return
        pane = self.show_table(table)
        if pane is None:
            return
        pane.show_rows(column, values)

    # ---------------------------------------------------------------- stores (ui/tables/stores.py)
    @Slot(str)
    def show_store(self, path: str) -> None:
        """Honour Navigator.showStore: open the SQLite store at this path."""
        self.switcher.fill()  # discovery may have registered it since
        ref = next((r for r in self.switcher.refs if r.path == Path(path)), None)
        if ref is None:
            self._say(f"{path} is not a SQLite store of this home")
            return
        self.switch_store(ref)

    @Slot(object)
    def _on_store_chosen(self, ref: StoreRef) -> None:
        if not self.switch_store(ref):
            current = self._current_ref()
            if current is not None:
                self.switcher.select(current)

    def _current_ref(self) -> StoreRef | None:
        return next((r for r in self.switcher.refs if r.path == self._database.path), None)

    def switch_store(self, ref: StoreRef) -> bool:
        """Show another store's tables; staged edits are saved, dropped or keep us here first. True: switched."""
        if ref.path == self._database.path:
            self.switcher.select(ref)
            return True
        if not self._settle_unsaved():
            return False
        try:
            database = self._session.stores.open(ref)  # read-only unless already open for writing
            tables = list(database.tables())
        except DatabaseError as exc:
            self._say(f"Cannot open {ref.label} ({ref.path}): {exc}")
            return False
        self._drop_panes()
        self._stop_store_watcher()
        self._database = database
        is_users = database is self._users
        self._domain = self._session.domain if is_users else None
        if not is_users:
            self._store_watcher = ChangeWatcher(database)
            self._store_watcher.changed.connect(self._on_external_change)
            self._store_watcher.start()
        self.switcher.select(ref)
        self.message.hide()
        self._fill_list(tables)
        return True

    def _settle_unsaved(self) -> bool:
        lines = self.unsaved_changes()
        if not lines:
            return True
        choice = self.ask_unsaved(self, lines)
        if choice is UnsavedChoice.SAVE:
            return self.save_changes()
        if choice is UnsavedChoice.DISCARD:
            self.discard_changes()
            return True
        return False

    def _drop_panes(self) -> None:
        for pane in self.panes.values():
            pane.shutdown()
            self.stack.removeWidget(pane)
            pane.deleteLater()
        self.panes.clear()

    def _stop_store_watcher(self) -> None:
        if self._store_watcher is not None:
            self._store_watcher.stop()
            self._store_watcher.changed.disconnect(self._on_external_change)
            self._store_watcher.deleteLater()
            self._store_watcher = None

    @Slot()
    def _on_users_change(self) -> None:
        if self._database is self._users:
            self._on_external_change()

    @Slot(str, str, list)
    def show_row(self, store: str, table: str, key: list[Any]) -> None:
        """Honour Navigator.showRow: that table filtered to the row with this primary key, selected."""
        if store and Path(store).absolute() != self._database.path.absolute():
            self.show_store(store)  # another SQLite store of the home: switch to it (says so when it cannot)
            if Path(store).absolute() != self._database.path.absolute():
                return
        pane = self.show_table(table)
        if pane is None or not key:
            return
        pk = [s.name for s in pane.model.info.specs if s.pk] or ["rowid"]
        pane.show_rows(pk[0], [key[0]])
        for column, value in list(zip(pk, key, strict=False))[1:]:
            pane.set_filter(column, equals_text(value))
        if pane.model.rowCount() > 0:
            pane.select_row(0)

    @Slot()
    def _on_external_change(self) -> None:
        for pane in self.panes.values():
            pane.on_external_change()

    @Slot(bool)
    def _on_utc(self, utc: bool) -> None:
        for pane in self.panes.values():
            pane.set_utc(utc)

    @Slot(bool)
    def _on_mode(self, read_only: bool) -> None:
        if self._database is not self._users:
            return  # the other stores stay read-only
        for pane in self.panes.values():
            pane.on_mode_changed(read_only)
