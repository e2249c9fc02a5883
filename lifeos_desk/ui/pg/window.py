"""The console's window on a PostgreSQL database: Tables, Charts, Vault, Checks, Backups; read-only, live.

Opened by ``lifeos-desk --database-url URL`` or a PostgreSQL
``DATABASE_URL`` (app.py). A window of its own rather than the SQLite
window's areas: those read through QSQLITE, rowid and PRAGMAs; this one
goes through ``db/pg`` (QPSQL). Live refresh polls a cheap change counter
(the sum of ``n_tup_ins + n_tup_upd + n_tup_del`` and ``relfilenode`` over
``pg_stat_user_tables``) every POLL_MS (Tables and Charts): there is no file to watch. The
password, when there is one, stays in memory (core/pgurl.py); nothing of
the connection is saved in settings (docs/architecture.md, 'PostgreSQL').
Given the data home (``paths``), a Backups tab backs it up with the
database's pg_dump inside (ui/pg/backups.py).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ... import APP_DISPLAY_NAME
from ...core.paths import AppDirs, DataPaths
from ...core.pgurl import PgParams
from ...core.settings import Settings
from ...db.pg import PgDatabase, PgError
from .charts import PgChartsPane
from .checks import PgChecksPane
from .tables import PgTablesPane
from .vault import create_pg_vault, pg_session, refresh_vault, shutdown_vault

if TYPE_CHECKING:
    from ..backups.panel import BackupsPanel

POLL_MS = 2000


class PgWindow(QMainWindow):
    """Tables over one PostgreSQL database, in a read-only session; the reason shown when it cannot open."""

    def __init__(self, params: PgParams, parent: QWidget | None = None, paths: DataPaths | None = None,
                 settings: Settings | None = None, dirs: AppDirs | None = None) -> None:
        super().__init__(parent)
        self._home = (paths, settings) if paths is not None and settings is not None else None
        self.backups: BackupsPanel | None = None
        self.setObjectName("pgWindow")
        self.setWindowTitle(f"{APP_DISPLAY_NAME} — PostgreSQL {params.label}")
        self._params = params
        self.db: PgDatabase | None = None
        self.tables: PgTablesPane | None = None
        self.charts: PgChartsPane | None = None
        self.vault: QWidget | None = None  # a VaultArea over PgWallets (ui/pg/vault.py), or a notice
        self.checks: PgChecksPane | None = None
        self._dirs = dirs or AppDirs.default()
        self.error = ""
        self._changes = -1
        self.poll = QTimer(self)
        self.poll.setInterval(POLL_MS)
        self.poll.timeout.connect(self.check_changes)
        self._open(params)

    def _open(self, params: PgParams) -> None:
        try:
            self.db = PgDatabase(params)
        except PgError as exc:
            self._show_problem(str(exc))
            return
        self.error = ""
        self.banner = QLabel(f"PostgreSQL {params.label} — read-only session (the server refuses writes); "
                             f"refreshed when the data changes (checked every {POLL_MS // 1000} s)", self)
        self.tabs = QTabWidget(self)
        self.tables = PgTablesPane(self.db, self.tabs)
        self.tabs.addTab(self.tables, "Tables")
        self.charts = PgChartsPane(params, self.tabs)
        self.tabs.addTab(self.charts, "Charts")
        # Built when first shown, as the SQLite window's lazy areas are (ui/areas.py, AreaSpec.lazy): the
        # vault's table sizes its columns over every wallet, seconds at 10,000, and the first paint waits
        # for nothing the admin has not asked for.
        self._vault_slot = QWidget(self.tabs)
        self.tabs.addTab(self._vault_slot, "Vault")
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.checks = PgChecksPane(self._params, self.tabs)
        self.tabs.addTab(self.checks, "Checks")
        if self._home is not None:
            from .backups import pg_backups_panel

            self.backups = pg_backups_panel(params, *self._home, self.tabs)
            self.tabs.addTab(self.backups, "Backups")
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(f"{len(self.tables.counts)} tables, read-only")
        self._changes = self._read_changes()
        self.poll.start()
        self.resize(1100, 700)

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        """The Vault tab is shown for the first time: build the vault in its place."""
        if self.vault is None and self.db is not None and self.tabs.widget(index) is self._vault_slot:
            self.vault = create_pg_vault(self.db, pg_session(self._dirs))
            self.tabs.blockSignals(True)  # the swap below would re-enter this slot
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, self.vault, "Vault")
            self.tabs.setCurrentIndex(index)
            self.tabs.blockSignals(False)
            self._vault_slot.deleteLater()

    def show_vault(self) -> QWidget:
        """Bring the Vault tab to the front (building it); the vault widget."""
        self.tabs.setCurrentWidget(self._vault_slot if self.vault is None else self.vault)
        assert self.vault is not None
        return self.vault

    def _show_problem(self, text: str) -> None:
        self.error = text
        page = QWidget(self)
        layout = QVBoxLayout(page)
        label = QLabel(f"The PostgreSQL database could not be opened.\n\n{text}", page)
        label.setObjectName("pgProblem")
        label.setWordWrap(True)
        layout.addWidget(label)
        if "password" in text.lower():
            ask = QPushButton("Enter the password…", page)
            ask.setToolTip("Kept in memory for this window only; ~/.pgpass or a service file avoid asking")
            ask.clicked.connect(self.ask_password)
            layout.addWidget(ask)
        layout.addStretch(1)
        self.setCentralWidget(page)
        self.statusBar().showMessage(text)

    @Slot()
    def ask_password(self) -> None:
        """Ask for the password (libpq found none) and try again; it stays in this window's memory."""
        password, ok = QInputDialog.getText(self, "PostgreSQL password", f"Password for {self._params.label}",
                                            QLineEdit.EchoMode.Password)
        if ok and password:
            self.retry_with_password(password)

    def retry_with_password(self, password: str) -> None:
        """Open again with this password (memory only: core/pgurl.py)."""
        self._params = dataclasses.replace(self._params, password=password)
        self._open(self._params)

    def _read_changes(self) -> int:
        assert self.db is not None
        try:
            return self.db.changes()
        except PgError as exc:
            self.statusBar().showMessage(str(exc))
            return self._changes

    @Slot()
    def check_changes(self) -> None:
        """Poll the change counter; when it moved, refresh the tables in place."""
        if self.db is None or self.tables is None:
            return
        now = self._read_changes()
        if now != self._changes:
            self._changes = now
            self.tables.refresh()
            if self.charts is not None:
                self.charts.reload()
            refresh_vault(self.vault)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop polling and close the connection."""
        self.poll.stop()
        if self.backups is not None:
            self.backups.shutdown()  # a running backup child is stopped
        if self.charts is not None:
            self.charts.shutdown()
        shutdown_vault(self.vault)
        if self.tables is not None:
            self.tables.shutdown()  # a running count(*) is waited for
        if self.tables is not None and self.tables.model is not None:
            self.tables.view.setModel(None)
        if self.db is not None:
            self.db.close()
            self.db = None
        super().closeEvent(event)
