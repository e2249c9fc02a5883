"""The main window: five areas in tabs, menus, and a status bar that always
says which data home is open, its schema, journal mode and whether the console
may write.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QUrl, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QIcon, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStyle,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from .. import APP_DISPLAY_NAME, __version__
from ..assets import app_icon_path
from ..core.paths import DataPaths
from ..db.connection import sqlite_versions
from ..db.errors import DatabaseError
from ..db.row_counts import RowCounter
from ..session import Session
from .area_host import AreaHost, UnsavedChoice, add_shortcut_tip, ask_unsaved, shortcut_text
from .areas import AreaSpec, default_areas
from .busy import app_registry, confirm_quit
from .find import FindAction
from .memory import LAST_AREA, remembered_area
from .startup_check import DeferredQuickCheck
from .status_bar import StatusLabels
from .status_counts import StatusCounts
from .trading import EmergencyStopBanner, trading_paths
from .trading.models import time_text

SessionOpener = Callable[[DataPaths], Session]
UnsavedPrompt = Callable[[QWidget, list[str]], UnsavedChoice]

def _noop() -> None:
    """Find's own slot is FindAction.trigger (ui/find.py)."""


class ErrorPanel(QWidget):
    """Shown instead of the areas when the database could not be opened."""

    def __init__(self, error: DatabaseError, on_choose: Callable[[], None], on_demo: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 48)
        title = QLabel(f"<h2>The database could not be opened ({error.problem.value})</h2>")
        message = QLabel(str(error))
        message.setWordWrap(True)
        message.setObjectName("errorMessage")
        message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hint = QLabel("Nothing was changed. Choose another data home, or open the demo home to look around.")
        hint.setWordWrap(True)
        buttons = QHBoxLayout()
        choose = QPushButton("Choose another data home…")
        choose.clicked.connect(on_choose)
        demo = QPushButton("Open the demo home")
        demo.clicked.connect(on_demo)
        buttons.addWidget(choose)
        buttons.addWidget(demo)
        buttons.addStretch(1)
        for w in (title, message, hint):
            layout.addWidget(w)
        layout.addLayout(buttons)
        layout.addStretch(1)


class MainWindow(QMainWindow):
    """The console's one window. It owns the session it shows and nothing global.

    ``ask_unsaved`` is the Save/Discard/Cancel prompt shown before areas with
    unsaved work are dropped (tests answer it with a plain function).
    """

    def __init__(self, session: Session, open_session: SessionOpener,
                 areas: list[AreaSpec] | None = None, on_demo: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._open_session = open_session
        self._area_specs = areas if areas is not None else default_areas()
        self._on_demo = on_demo
        self.ask_unsaved: UnsavedPrompt = ask_unsaved
        self.session = session
        self.setWindowIcon(QIcon(str(app_icon_path())))
        self.tabs = QTabWidget()  # replaced by _show_session for every session
        self._build_status_bar()
        self._build_menus()
        self._show_session()
        self._restore_geometry()

    # -- building ------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.status = StatusLabels(bar)
        self.counts = StatusCounts(self.status, self)
        self.quick_check = DeferredQuickCheck(bar, self)  # after the first paint (ui/startup_check.py)
        self.home_label, self.schema_label = self.status.home_label, self.status.schema_label
        self.journal_label, self.counts_label = self.status.journal_label, self.status.counts_label
        self.live_label, self.mode_label = self.status.live_label, self.status.mode_label
        # An active kill switch shows from every area (docs/data-formats.md, 'Emergency stop'),
        # first on the left and never cut short: the home path is what gives way.
        self.emergency_banner = EmergencyStopBanner(self._stop_time,
                                                    poll_ms=int(self.session.settings.get("state_poll_ms")))
        bar.insertWidget(0, self.emergency_banner)

    def _stop_time(self, moment: datetime | None) -> str:
        return time_text(moment, self.session.prefs.utc)

    def _action(self, text: str, slot: Callable[..., object],
                shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None,
                tip: str = "", checkable: bool = False) -> QAction:
        act = QAction(text, self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.setToolTip(tip or text.replace("&", ""))
        act.setStatusTip(tip or text.replace("&", ""))
        add_shortcut_tip(act)
        act.setCheckable(checkable)
        (act.toggled if checkable else act.triggered).connect(slot)
        self.addAction(act)
        return act

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        open_action = self._action("&Open data home…", self.choose_home, QKeySequence.StandardKey.Open,
                                   "Open another LifeOS data home (a folder like ~/.lifeos)")
        file_menu.addAction(open_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        if self._on_demo is not None:
            file_menu.addAction(self._action("Open the &demo home", self._on_demo, None,
                                             "Open a generated demo home with a live writer"))
        file_menu.addSeparator()
        self.preferences_action = self._action("&Preferences…", self.show_preferences, "Ctrl+,",
                                               "Timeouts, idle lock, retention, time display, poll intervals")
        file_menu.addAction(self.preferences_action)
        file_menu.addSeparator()
        # Spelled out: StandardKey.Quit is empty on Windows and some Linux themes; Qt maps Ctrl to Cmd on macOS.
        file_menu.addAction(self._action("&Quit", self.close, "Ctrl+Q", "Quit (asks first about unsaved edits)"))

        edit_menu = menu.addMenu("&Edit")
        self.find_action = self._action("&Find…", _noop, QKeySequence.StandardKey.Find,
                                        "Find in the area in front (its filter or search box)")
        self.find_control = FindAction(self.find_action, self._area_in_front)
        edit_menu.addAction(self.find_action)

        db_menu = menu.addMenu("&Database")
        self.edit_action = self._action("Allow &editing", self.set_editable, "Ctrl+E",
                                        "Unlock editing (the database opens read-only)", checkable=True)
        db_menu.addAction(self.edit_action)
        self.wal_action = self._action("Switch to &WAL (as ADR-005 recommends)…", self.switch_to_wal, None,
                                       "Change the file's journal mode to WAL")
        db_menu.addAction(self.wal_action)
        refresh_action = self._action("&Refresh facts", self.refresh_info, QKeySequence.StandardKey.Refresh,
                                      "Recount rows and re-read the journal mode")
        db_menu.addAction(refresh_action)
        db_menu.addAction(self._action("&Migrate to PostgreSQL…", self.show_migrate, None,
                                       "Copy the stores into PostgreSQL and verify every row (ui/migrate)"))

        view_menu = menu.addMenu("&View")
        self.utc_action = self._action("Times in &UTC", self._set_utc, "Ctrl+U",
                                       "Show every time in UTC instead of local time", checkable=True)
        self.utc_action.setChecked(self.session.prefs.utc)
        view_menu.addAction(self.utc_action)
        view_menu.addSeparator()
        self.area_view_actions = [
            self._action(spec.title, self._tab_selector(i), f"Ctrl+{(i + 1) % 10}" if i < 10 else None, spec.tooltip)
            for i, spec in enumerate(self._area_specs)]
        view_menu.addActions(self.area_view_actions)

        self.toolbar = self._build_toolbar(open_action, refresh_action, self.edit_action, self.utc_action)
        self.actions_menu = menu.addMenu("&Actions")
        self.host = AreaHost(self._area_specs, self.toolbar, self.actions_menu)

        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self._action("&Keyboard shortcuts", self.show_shortcuts, "F1",
                                         "List every keyboard shortcut"))
        help_menu.addAction(self._action("Open &diagnostics folder", self.open_diagnostics_folder, None,
                                         "Open the folder holding the console's own log file"))
        help_menu.addAction(self._action(f"&About {APP_DISPLAY_NAME}", self.show_about))

    def _build_toolbar(self, *actions: QAction) -> QToolBar:
        """The window-wide actions (the areas have their tabs); the areas' own follow them."""
        bar = self.addToolBar("Main")
        bar.setObjectName("mainToolBar")  # saveState() needs a name
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        icons = {0: QStyle.StandardPixmap.SP_DirOpenIcon, 1: QStyle.StandardPixmap.SP_BrowserReload}
        for i, act in enumerate(actions):
            if i in icons:
                act.setIcon(self.style().standardIcon(icons[i]))
            bar.addAction(act)
        return bar

    def _area_in_front(self) -> QWidget | None:
        return self.tabs.currentWidget() if self.centralWidget() is self.tabs else None

    def _tab_selector(self, index: int) -> Callable[[], None]:
        def select() -> None:
            if self.centralWidget() is self.tabs and index < self.tabs.count():
                self.tabs.setCurrentIndex(index)
        return select

    # -- showing a session ---------------------------------------------------
    def _show_session(self) -> None:
        s = self.session
        self.emergency_banner.watch(trading_paths(s).emergency_stop, s.paths.home)
        s.prefs.utcChanged.connect(self._on_utc_changed, Qt.ConnectionType.UniqueConnection)
        self._on_utc_changed(s.prefs.utc)
        self.tabs = QTabWidget()
        if s.error is not None or s.database is None:
            assert s.error is not None
            self.setCentralWidget(ErrorPanel(s.error, self.choose_home, self._on_demo or self.choose_home))
        else:
            self.tabs = self.host.build(s, [act.toolTip() for act in self.area_view_actions])
            self.setCentralWidget(self.tabs)
            self.tabs.currentChanged.connect(self.find_control.update)
            self.show_area(remembered_area(s.state) or "")  # where the admin left (ui/memory.py)
            s.database.modeChanged.connect(self._on_mode_changed)
            s.nav.showArea.connect(self.show_area)
            if s.watcher is not None:
                s.watcher.changed.connect(self.counts.on_bot_commit)
            self.counts.start(self.session)
            self.quick_check.follow(s)
            if self.isVisible():
                self.quick_check.window_shown()
            self.session.state.add_recent_home(s.paths.home, s.paths.bot_dir)
        self.find_control.update()
        self.edit_action.blockSignals(True)
        self.edit_action.setChecked(bool(s.database) and not s.database.read_only)  # type: ignore[union-attr]
        self.edit_action.blockSignals(False)
        self.edit_action.setEnabled(s.database is not None)
        self.wal_action.setEnabled(s.database is not None)
        self._show_title_and_status()

    def _update_status(self) -> None:
        self.status.show_session(self.session)

    # -- slots ---------------------------------------------------------------
    @Slot()
    def choose_home(self) -> None:
        """Ask for the home folder and an optional bot checkout (ui/open_home.py), and open them."""
        from .open_home import OpenHomeDialog

        dialog = OpenHomeDialog(self.session.paths.home, self.session.paths.bot_dir, self)
        if dialog.exec() == OpenHomeDialog.DialogCode.Accepted:
            self.open_home(dialog.home(), dialog.bot_dir())

    @Slot()
    def show_migrate(self) -> None:
        """Database ▸ Migrate to PostgreSQL… (ui/migrate/dialog.py)."""
        from functools import partial

        from .migrate import MigrateDialog
        from .pg.vault_sample import lend_vault

        MigrateDialog(self.session.paths, self.session.stores.refs(), self,
                      vault=partial(lend_vault, self.host.areas)).exec()

    def open_home(self, home: Path, bot_dir: Path | None = None) -> None:
        """Close the current session and open another home (logs/backups follow it)."""
        old = self.session.paths
        paths = DataPaths(home=home, logs=(home / "logs",), backups=home / "backups", read_only=True,
                          bot_dir=bot_dir.absolute() if bot_dir is not None else None)
        self.open_paths(old if old.home == home and old.bot_dir == paths.bot_dir else paths)

    def open_paths(self, paths: DataPaths) -> None:
        """Close the current session and show one opened on these paths (after asking about unsaved work)."""
        if not self.settle_unsaved():
            return
        self._save_geometry()
        self.host.drop()
        old = self.takeCentralWidget()
        if old is not None:
            old.deleteLater()
        # Close first: opening the same file again must not happen while our
        # old connections hold locks on it (docs/architecture.md, 'One SQLite library per process').
        self.quick_check.shutdown()
        self.session.close()
        self.session = self._open_session(paths)
        self._show_session()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        homes = self.session.state.recent_homes()
        if not homes:
            self.recent_menu.addAction("(none)").setEnabled(False)
        for home in homes:
            act = self.recent_menu.addAction(home)
            act.triggered.connect(self._recent_opener(Path(home)))

    def _recent_opener(self, home: Path) -> Callable[[], None]:
        def open_it() -> None:
            self.open_home(home, self.session.state.recent_bot_dir(home))
        return open_it

    @Slot(str)
    def show_area(self, key: str) -> None:
        """Bring an area to the front by its key."""
        for i, spec in enumerate(self._area_specs):
            if spec.key == key and i < self.tabs.count():
                self.tabs.setCurrentIndex(i)

    @Slot(bool)
    def _set_utc(self, utc: bool) -> None:
        self.session.prefs.set_utc(utc)

    @Slot(bool)
    def _on_utc_changed(self, utc: bool) -> None:
        self.utc_action.blockSignals(True)  # changed elsewhere (Preferences): only show it
        self.utc_action.setChecked(utc)
        self.utc_action.blockSignals(False)

    @Slot()
    def show_preferences(self) -> None:
        """File ▸ Preferences: the declared options (ui/preferences.py)."""
        from .preferences import PreferencesDialog

        PreferencesDialog(self.session.settings, self.session.prefs, self).exec()

    @Slot(bool)
    def set_editable(self, editable: bool) -> None:
        """Unlock or lock editing; the database reopens in the new mode."""
        db = self.session.database
        if db is None:
            return
        try:
            db.set_read_only(not editable)
        except DatabaseError as exc:
            QMessageBox.warning(self, "Cannot change mode", str(exc))
            self.edit_action.blockSignals(True)
            self.edit_action.setChecked(not db.read_only)
            self.edit_action.blockSignals(False)

    @Slot(bool)
    def _on_mode_changed(self, read_only: bool) -> None:
        self.session.paths = dataclasses.replace(self.session.paths, read_only=read_only)
        self._show_title_and_status()

    def _show_title_and_status(self) -> None:
        s = self.session
        mode = "" if s.database is None else " [read-only]" if s.database.read_only else " [editing]"
        # The app's display name is set (app.make_application), so Qt itself
        # ends the shown title in " — LifeOS Desk"; spelling it here too
        # showed it twice.
        self.setWindowTitle(f"{s.paths.home}{mode}")
        self._update_status()

    @Slot()
    def switch_to_wal(self) -> None:
        """Explain, confirm, then change the file's journal mode to WAL."""
        db = self.session.database
        if db is None:
            return
        current = self.session.info.journal_mode if self.session.info else "unknown"
        if current == "wal":
            QMessageBox.information(self, "Already WAL", "This database already uses WAL journal mode.")
            return
        answer = QMessageBox.question(
            self, "Switch to WAL?",
            f"The database uses journal mode <b>{current}</b>.<br><br>"
            "WAL lets readers (this console) and the bot's writer work at the same time, as ADR-005 "
            "recommends. The mode is stored in the file, so the bot will use WAL too from now on, and two "
            "files (<i>-wal</i>, <i>-shm</i>) will appear beside the database; backups must include them "
            "or be made with the backup API (the console's backups are).<br><br>Switch now?",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            mode = db.switch_to_wal()
        except DatabaseError as exc:
            QMessageBox.warning(self, "Journal mode unchanged", str(exc))
            return
        self.session.audit.log("journal_mode_change", old=current, new=mode)
        self.refresh_info()

    @Slot()
    def refresh_info(self) -> None:
        """Re-read the database facts for the status bar."""
        db = self.session.database
        if db is None:
            return
        try:
            self.session.info = db.info(with_quick_check=False)
        except DatabaseError as exc:
            self.statusBar().showMessage(str(exc), 10_000)
            return
        self.counts.start(self.session)
        self._update_status()

    @property
    def counter(self) -> RowCounter | None:
        """The status bar's row counter (ui/status_counts.py)."""
        return self.counts.counter

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, what it does) for every action with a shortcut: the window's, then the areas'."""
        rows = [(shortcut_text(act), act.text().replace("&", "")) for act in self.actions() if shortcut_text(act)]
        return rows + [row for row in self.host.shortcut_rows() if row not in rows]

    @Slot()
    def show_shortcuts(self) -> None:
        """Help ▸ Keyboard shortcuts: generated from the actions, so it never lags behind them."""
        rows = "".join(f"<tr><td><b>{keys}</b></td><td>{text}</td></tr>" for keys, text in self.shortcut_rows())
        QMessageBox.information(self, "Keyboard shortcuts", f"<table cellspacing=6>{rows}</table>")

    @Slot()
    def show_about(self) -> None:
        """Help ▸ About: app, Qt and both SQLite versions."""
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        qt_sqlite, py_sqlite = sqlite_versions()
        QMessageBox.about(
            self, f"About {APP_DISPLAY_NAME}",
            f"<h3>{APP_DISPLAY_NAME} {__version__}</h3>"
            "<p>Admin console for the JARVIS bot's SQLite + JSONL data home.</p>"
            f"<p>Qt {qVersion()} · PySide6 {pyside_version}<br>"
            f"SQLite in QtSql {qt_sqlite} · SQLite in Python {py_sqlite}</p>",
        )

    # -- geometry ------------------------------------------------------------
    def _restore_geometry(self) -> None:
        state = self.session.state
        geometry, window_state = state.get("window_geometry"), state.get("window_state")
        if isinstance(geometry, str):
            self.restoreGeometry(QByteArray(base64.b64decode(geometry)))
        else:
            self.resize(1280, 800)
        if isinstance(window_state, str):
            self.restoreState(QByteArray(base64.b64decode(window_state)))

    def _save_geometry(self) -> None:
        index = self.tabs.currentIndex() if self.centralWidget() is self.tabs else -1
        area = {LAST_AREA: self._area_specs[index].key} if 0 <= index < len(self._area_specs) else {}
        self.session.state.update({
            "window_geometry": base64.b64encode(bytes(self.saveGeometry().data())).decode("ascii"),
            "window_state": base64.b64encode(bytes(self.saveState().data())).decode("ascii"), **area,
        })

    @Slot()
    def open_diagnostics_folder(self) -> None:
        """Help ▸ Open diagnostics folder: the console's own rotating log (never holds a secret)."""
        folder = self.session.dirs.log
        folder.mkdir(parents=True, exist_ok=True)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            QMessageBox.information(self, "Diagnostics folder", f"The console's log files are in\n{folder}")

    def settle_unsaved(self) -> bool:
        """Before the areas go: Save / Discard / Cancel when any has unsaved work. True: go on."""
        lines = self.host.unsaved_changes()
        if not lines:
            return True
        choice = self.ask_unsaved(self, lines)
        if choice is UnsavedChoice.SAVE:
            return self.host.save_all()
        if choice is UnsavedChoice.DISCARD:
            self.host.discard_all()
            return True
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask about unsaved work and running work; then remember geometry, shut the areas down, close."""
        if not self.settle_unsaved() or not confirm_quit(self, app_registry()):
            event.ignore()
            return
        self._save_geometry()
        self.host.drop()
        self.emergency_banner.stop_watching()
        self.quick_check.shutdown()
        self.session.close()
        super().closeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        """On screen: the deferred quick_check may start (ui/startup_check.py)."""
        super().showEvent(event)
        self.quick_check.window_shown()
