"""Database ▸ Migrate to PostgreSQL…: preview the DDL, migrate with progress per table, cancel, verify.

The work is ``lifeos-desk migrate`` in a child process (it reads the
snapshot with Python's sqlite3: docs/architecture.md, 'One SQLite library
per process'), started through the backups' runner so its JSON progress
lines become signals. Passwords follow libpq's conventions (``~/.pgpass``,
a service file, ``PGPASSWORD``): the URL may not carry one, and a password
typed here lives in this dialog's memory only and reaches the child as
``PGPASSWORD`` in its environment, never on argv nor in settings
(docs/architecture.md, 'PostgreSQL'). When every table verified and the
vault is unlocked, a sample of the wallets is decrypted in this process
(ui/pg/vault_sample.py): the vault passphrase never reaches the child.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.audit import AuditWriter, audit_log_path
from ...core.migrate.errors import MigrateError
from ...core.migrate.target import check_target
from ...core.migrate.wallet_sample import WalletSampleReport
from ...core.paths import DataPaths
from ...core.pgurl import pg_params
from ...core.stores import StoreKind, StoreRef
from ..backups.runner import ArchiveRunner
from ..pg.vault_sample import LentVault, check_sample, sample_text
from ..tasks import run_task
from .words import outcome, report_rows

COLUMNS = ("Store", "Table", "Stage", "SQLite rows", "PostgreSQL rows", "Result", "First difference")
STAGE, SOURCE, TARGET, RESULT, DIFF = 2, 3, 4, 5, 6
STAGE_WORDS = {"plan": "planned", "load": "loading", "verify": "checksummed in PostgreSQL"}


class MigrateDialog(QDialog):
    """Target URL, schema, stores, --replace; Preview DDL, Migrate, Cancel; the verification report."""

    def __init__(self, paths: DataPaths, stores: Sequence[StoreRef], parent: QWidget | None = None,
                 vault: Callable[[], LentVault | None] | None = None) -> None:
        super().__init__(parent)
        self._vault = vault  # lends the unlocked vault's passphrase copy for the wallet sample
        self.setWindowTitle("Migrate to PostgreSQL")
        self.setObjectName("migrateDialog")
        self._paths = paths
        self._password = ""  # memory only; see the module docstring
        self._dry_run = False
        self._rows: dict[str, int] = {}
        self.runner = ArchiveRunner(paths, self)
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.url_edit = QLineEdit(self)
        self.url_edit.setPlaceholderText("postgresql://USER@HOST:PORT/DB")
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("optional: ~/.pgpass, a service file or PGPASSWORD are used otherwise")
        self.password_edit.setToolTip("Kept in memory for this dialog only and passed to the migration as "
                                      "PGPASSWORD; never saved, never on the command line")
        self.schema_edit = QLineEdit("public", self)
        self.store_boxes: list[tuple[QCheckBox, StoreRef]] = []
        self.replace_box = QCheckBox("Replace existing tables (--replace)", self)
        self.replace_warning = QLabel("Drops and reloads every table of these stores that already exists in the "
                                      "target schema: rows there that are not in SQLite are lost.", self)
        self.replace_warning.setWordWrap(True)
        self.replace_warning.setStyleSheet("color:#b71c1c;")
        self.replace_warning.setVisible(False)
        self.replace_box.toggled.connect(self.replace_warning.setVisible)
        self.preview_button = QPushButton("Preview DDL", self)
        self.migrate_button = QPushButton("Migrate", self)
        self.cancel_button = QPushButton("Cancel migration", self)
        self.close_button = QPushButton("Close", self)
        self.open_button = QPushButton("Open the migrated database", self)
        self.open_button.setToolTip("Tables over PostgreSQL in a read-only session (a window of its own)")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_target)
        self.opened: QWidget | None = None
        self.cancel_button.setEnabled(False)
        self.preview_button.clicked.connect(self.preview)
        self.migrate_button.clicked.connect(self.migrate)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.close)
        self.progress_bar = QProgressBar(self)
        self.stage_label = QLabel("", self)
        self.ddl_view = QPlainTextEdit(self)
        self.ddl_view.setReadOnly(True)
        self.ddl_view.setPlaceholderText("Preview DDL shows the statements the migration would run.")
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.status_label = QLabel("", self)
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.wallet_label = QLabel("", self)
        self.wallet_label.setObjectName("migrateWalletSample")
        self.wallet_label.setWordWrap(True)
        self.wallet_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout(stores)
        self.resize(900, 640)

    def _layout(self, stores: Sequence[StoreRef]) -> None:
        form = QFormLayout()
        form.addRow("Target URL", self.url_edit)
        form.addRow("Password", self.password_edit)
        form.addRow("Schema", self.schema_edit)
        group = QGroupBox("Stores", self)
        box_layout = QVBoxLayout(group)
        users = QCheckBox(f"{self._paths.db.name} (always migrated)", group)
        users.setChecked(True)
        users.setEnabled(False)
        box_layout.addWidget(users)
        for ref in stores:
            if ref.kind is not StoreKind.SQLITE or ref.path == self._paths.db:
                continue
            box = QCheckBox(f"{ref.label} ({ref.path.name})", group)
            box.setToolTip(str(ref.path))
            box_layout.addWidget(box)
            self.store_boxes.append((box, ref))
        buttons = QHBoxLayout()
        for button in (self.preview_button, self.migrate_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(group)
        layout.addWidget(self.replace_box)
        layout.addWidget(self.replace_warning)
        layout.addLayout(buttons)
        layout.addWidget(self.stage_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.ddl_view, 1)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.status_label)
        layout.addWidget(self.wallet_label)

    # -- starting the child ----------------------------------------------------
    def _arguments(self) -> list[str] | None:
        """``migrate`` options from the form; None (with the reason shown) when the URL cannot be used."""
        url = self.url_edit.text().strip()
        try:
            check_target(url)
        except MigrateError as exc:
            self.status_label.setText(str(exc))
            return None
        args = ["--to", url, "--schema", self.schema_edit.text().strip() or "public"]
        for box, ref in self.store_boxes:
            if box.isChecked():
                args += ["--store", str(ref.path)]
        if self.replace_box.isChecked():
            args.append("--replace")
        return args

    def _start(self, dry_run: bool) -> None:
        args = self._arguments()
        if args is None or self.runner.busy():
            return
        self._password = self.password_edit.text()
        self._dry_run = dry_run
        self._rows.clear()
        self.table.setRowCount(0)
        self.progress_bar.setRange(0, 0)
        self.stage_label.setText("starting…")
        self.status_label.setText("")
        self.wallet_label.setText("")
        if not dry_run:
            self.ddl_view.clear()
        self._set_running(True)
        self.open_button.setEnabled(False)
        env = {"PGPASSWORD": self._password} if self._password else None
        self.runner.start("migrate", *args, *(["--dry-run"] if dry_run else []), env=env)

    def _set_running(self, running: bool) -> None:
        for widget in (self.preview_button, self.migrate_button, self.close_button, self.url_edit,
                       self.password_edit, self.schema_edit, self.replace_box):
            widget.setEnabled(not running)
        self.cancel_button.setEnabled(running and not self._dry_run)

    @Slot()
    def preview(self) -> None:
        """Run ``migrate --dry-run``: the DDL it would run, nothing changed."""
        self._start(dry_run=True)

    @Slot()
    def migrate(self) -> None:
        """Run the migration: one transaction per store, then the verification."""
        self._start(dry_run=False)

    @Slot()
    def cancel(self) -> None:
        """Stop the child; the core rolls the store's transaction back (the target stays as it was)."""
        self.stage_label.setText("cancelling…")
        self.runner.cancel()

    # -- what the child reports --------------------------------------------------
    def _row_for(self, store: str, table: str) -> int:
        key = f"{store}\0{table}"
        if key not in self._rows:
            row = self.table.rowCount()
            self.table.insertRow(row)
            for col, text in enumerate((store, table, "", "", "", "", "")):
                self.table.setItem(row, col, QTableWidgetItem(text))
            self._rows[key] = row
        return self._rows[key]

    def _set(self, row: int, col: int, text: str) -> None:
        item = self.table.item(row, col)
        if item is not None:
            item.setText(text)

    @Slot(str, int, int, str)
    def _on_progress(self, stage: str, done: int, total: int, detail: str) -> None:
        self.stage_label.setText(f"{stage}: {detail}")
        if total > 0:
            self.progress_bar.setRange(0, 1000)
            self.progress_bar.setValue(min(1000, 1000 * done // total))
        else:
            self.progress_bar.setRange(0, 0)
        head, sep, table = detail.partition(": ")
        if not sep or table.startswith(("waiting for", "some values do not fit")):
            return
        if head == "PostgreSQL":
            rows = [r for k, r in self._rows.items() if k.split("\0", 1)[1] == table]
        else:
            rows = [self._row_for(head, table)]
        for row in rows:
            self._set(row, STAGE, STAGE_WORDS.get(stage, stage))

    @Slot(bool, dict, str)
    def _on_finished(self, ok: bool, result: dict[str, Any], message: str) -> None:
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(1 if ok else 0)
        self.stage_label.setText("")
        if result.get("ddl"):
            self.ddl_view.setPlainText(";\n\n".join(str(s) for s in result["ddl"]) + ";")
        for rep in report_rows(result):
            row = self._row_for(rep.store, rep.table)
            self._set(row, SOURCE, f"{rep.source_rows:,}")
            if self._dry_run:
                self._set(row, STAGE, "planned")
                self._set(row, RESULT, "; ".join(rep.notes))
                continue
            self._set(row, STAGE, "done")
            self._set(row, TARGET, f"{rep.target_rows or 0:,}")
            extra = f" ({rep.not_migrated:,} rows written after the snapshot not migrated)" if rep.not_migrated else ""
            self._set(row, RESULT, rep.status + extra)
            self._set(row, DIFF, rep.difference)
        code = self.runner.exit_code
        mismatch = code == 1 and bool(result.get("tables"))
        self.status_label.setText(outcome(code, "" if mismatch else message, self._dry_run))
        self._set_running(False)
        self.open_button.setEnabled(code == 0 and not self._dry_run)
        if code == 0 and not self._dry_run:
            self.check_wallets()

    def check_wallets(self) -> None:
        """Decrypt a sample of the migrated wallets when the vault is unlocked (say how otherwise)."""
        lent = self._vault() if self._vault is not None else None
        if lent is None:
            self.wallet_label.setText("Wallet sample not checked: unlock the vault to also decrypt a sample of the "
                                      "migrated wallets and check their addresses (or run migrate --check-wallets).")
            return
        try:
            params = pg_params(self.url_edit.text().strip())
        except MigrateError as exc:
            lent.passphrase.wipe()
            self.wallet_label.setText(str(exc))
            return
        if self._password:
            params = dataclasses.replace(params, password=self._password)
        self.wallet_label.setText("Checking a sample of the migrated wallets…")
        run_task(partial(check_sample, params, self.schema_edit.text().strip() or "public", lent),
                 self._on_sample, self._on_sample_failed, receiver=self, name="migrate-wallet-sample")

    def _on_sample(self, report: WalletSampleReport) -> None:
        self.wallet_label.setStyleSheet("" if report.ok else "color:#b71c1c;")
        self.wallet_label.setText(sample_text(report))
        self._audit(checked=len(report.checks), wallets=report.total, failed=[c.wallet for c in report.failures])

    def _on_sample_failed(self, exc: BaseException) -> None:
        self.wallet_label.setStyleSheet("color:#b71c1c;")
        self.wallet_label.setText(f"Wallet sample not checked: {exc}")
        self._audit(success=False, error=str(exc))

    def _audit(self, **fields: Any) -> None:
        """The vault's passphrase was used: one entry in the home's audit log (ids and counts, never a secret)."""
        try:
            AuditWriter(audit_log_path(self._paths)).log("vault_migrate_sample", target=self._target_label(),
                                                         **fields)
        except OSError as exc:
            self.wallet_label.setText(self.wallet_label.text() + f" (the audit log could not be written: "
                                      f"{exc.strerror})")

    def _target_label(self) -> str:
        try:
            return pg_params(self.url_edit.text().strip()).label
        except MigrateError:
            return ""

    @Slot()
    def open_target(self) -> None:
        """Open the target in the PostgreSQL window (ui/pg), with the typed password in memory only."""
        from ..pg import PgWindow

        try:
            params = pg_params(self.url_edit.text().strip())
        except MigrateError as exc:
            self.status_label.setText(str(exc))
            return
        if self._password:
            params = dataclasses.replace(params, password=self._password)
        window = PgWindow(params, self.parentWidget())
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.show()
        self.opened = window

    def closeEvent(self, event: QCloseEvent) -> None:
        """A running migration is cancelled (rolled back) before the dialog goes."""
        if self.runner.busy():
            self.runner.cancel()
        self._password = ""
        super().closeEvent(event)
