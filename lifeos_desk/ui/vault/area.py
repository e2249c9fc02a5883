"""The wallet vault area: list, unlock, reveal/copy, verify-all, rotate, import.

State lives here; the slow parts (every PBKDF2) run on threads through
``start_task`` and come back as signals, so the window keeps painting. While
unlocked the area holds the passphrase in a ``Secret`` and at most one
decrypted key (the one in the key panel); locking wipes both, re-masks and
empties the panel, cancels a running verify and clears the clipboard if it
still holds our copy. Locks happen on request, after idle time, on minimise
(if enabled), on window close and on exit.

Every unlock attempt, reveal, show, copy, verify, rotation and import is
written to the audit log — wallet keys and addresses only, never a secret.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.keys import BOT_ITERATIONS
from ...core.secrets import Secret
from ...core.settings import Settings
from ...core.vault import (
    ImportPlan,
    RotationError,
    RotationPlan,
    UnlockOutcome,
    VerifyReport,
    VerifyResult,
    VerifyStatus,
    WalletError,
    WalletKey,
    WalletRecord,
    default_workers,
    failure_delay_s,
)
from ...db.errors import DatabaseError
from ...db.wallets import VaultWriteError, insert_wallet, load_users, load_wallets, storage_form, write_rotation
from ...session import Session
from ..busy import BusyToken, app_registry
from .clipboard import SecretClipboard
from .dialogs import ImportDialog, RotateDialog
from .idle import IdleWatcher
from .keypanel import KeyPanel
from .model import Column, KeyRole, WalletTableModel, headers_for
from .tasks import TaskRelay, safe_message, start_task
from .unlock import UnlockForm
from .work import import_work, open_work, rotate_work, unlock_work, verify_work

_BADGE = "color:white;font-weight:bold;padding:2px 6px;border-radius:3px;"


@dataclass(frozen=True)
class VaultTimings:
    """How long until auto-lock and until a copied key leaves the clipboard."""

    idle_lock_ms: int  # 0: no auto-lock
    clipboard_clear_ms: int

    @classmethod
    def from_settings(cls, settings: Settings) -> VaultTimings:
        """The admin's settings (vault_idle_lock_s: 0 turns auto-lock off, else at least 5 s; clipboard_clear_s)."""
        idle_s = int(settings.get("vault_idle_lock_s"))
        return cls(0 if idle_s <= 0 else max(5, idle_s) * 1000,
                   max(1, int(settings.get("clipboard_clear_s"))) * 1000)


def _forget_when_destroyed(area: VaultArea, _obj: object = None) -> None:
    area.forget("area closed")


class VaultArea(QWidget):
    """The vault tab.

    Signals:
        lockedChanged(bool): True when the vault locks, False when it unlocks.
        verifyFinished(object): a VerifyReport (no secrets) after verify-all.
    """

    lockedChanged = Signal(bool)
    verifyFinished = Signal(object)

    def __init__(self, session: Session, timings: VaultTimings | None = None,
                 delay_policy: Callable[[int], float] = failure_delay_s, workers: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vaultArea")
        assert session.database is not None and session.domain is not None
        self._database = session.database
        self._domain = session.domain
        self._audit = session.audit
        self._settings = session.settings
        self.demo_passphrase = session.demo_passphrase
        self._fixed_timings = timings
        self._timings = timings or VaultTimings.from_settings(session.settings)
        self._delay_policy = delay_policy
        self._workers = workers or default_workers()
        self._passphrase: Secret | None = None
        self._iterations = BOT_ITERATIONS
        self._failures = 0
        self._epoch = 0
        self._revealed: Secret | None = None
        self._revealed_key: WalletKey | None = None
        self._reveal_request: tuple[int, WalletKey, bool] | None = None
        self._pending_unlock: tuple[Secret, int] | None = None
        self._pending_rotation: tuple[Secret, int] | None = None
        self._running: TaskRelay | None = None
        self._busy_token: BusyToken | None = None
        self._fingerprint: tuple[Any, ...] = ()
        self._window_filtered: QObject | None = None
        self._stale = False

        self.model = WalletTableModel(self._domain, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        # Parentless on purpose: it must outlive this widget's C++ side to clear
        # the clipboard when the area is deleted (another home opened), see forget().
        self.clipboard = SecretClipboard()
        self.idle = IdleWatcher(self._timings.idle_lock_ms, self)
        self.unlock_form = UnlockForm(session.demo_passphrase)
        self.key_panel = KeyPanel()
        self._build_widgets()
        self._connect(session)
        self.reload_wallets()
        self._show_locked(True)

    # -- building ------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.badge = QLabel()
        self.badge.setObjectName("vaultBadge")
        self.state_label = QLabel()
        self.state_label.setObjectName("vaultState")
        self.verify_button = QPushButton("Verify all")
        self.verify_button.setToolTip("Decrypt every wallet in memory on all cores and check it against its address")
        self.cancel_button = QPushButton("Cancel")
        self.rotate_button = QPushButton("Change passphrase…")
        self.rotate_button.setToolTip("Re-encrypt every wallet under a new passphrase, in one transaction")
        self.import_button = QPushButton("Import key…")
        self.lock_button = QPushButton("Lock")
        self.lock_button.setToolTip("Forget the passphrase and every decrypted key now")
        header = QHBoxLayout()
        header.addWidget(self.badge)
        header.addWidget(self.state_label, 1)
        for b in (self.verify_button, self.cancel_button, self.rotate_button, self.import_button,
                  self.lock_button):
            header.addWidget(b)
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m wallets")
        self.progress.hide()
        self.message = QLabel()
        self.message.setObjectName("vaultMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by wallet, owner, label or address")
        self.filter.setClearButtonEnabled(True)
        self.table = QTableView()
        self.table.setObjectName("vaultTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.OWNER, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(Column.STATUS, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.unlock_form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.key_panel)

    def _connect(self, session: Session) -> None:
        self.unlock_form.submitted.connect(self._on_submitted)
        self.lock_button.clicked.connect(self.lock_by_button)
        self.verify_button.clicked.connect(self.start_verify)
        self.cancel_button.clicked.connect(self.cancel_running)
        self.rotate_button.clicked.connect(self.rotate)
        self.import_button.clicked.connect(self.import_key)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.key_panel.revealRequested.connect(self.reveal_selected)
        self.key_panel.copyRequested.connect(self.copy_selected)
        self.key_panel.shownChanged.connect(self._on_shown)
        self.clipboard.countdown.connect(self._on_countdown)
        self.clipboard.cleared.connect(self._on_clipboard_cleared)
        self.idle.idle.connect(self.lock_on_idle)
        if session.watcher is not None:
            session.watcher.changed.connect(self._on_database_changed)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.lock_on_exit)
        self.destroyed.connect(partial(_forget_when_destroyed, self))

    # -- wallets -------------------------------------------------------------------
    @Slot()
    def _on_database_changed(self) -> None:
        """The bot committed: re-read now if the vault is on screen, else when it is shown."""
        if self.isVisible():
            self.reload_wallets()
        else:
            self._stale = True

    @Slot()
    def reload_wallets(self) -> None:
        """Re-read the wallet rows (on start, after writes, and when the bot commits)."""
        try:
            records = load_wallets(self._database.connection(), self._domain)
        except DatabaseError as exc:
            self._say(f"The wallets could not be read: {exc}", error=True)
            return
        fingerprint = tuple((r.key, r.owner, r.label, r.address, r.is_default, r.stored) for r in records)
        if fingerprint == self._fingerprint:
            return
        selected = self.selected_record()
        self._fingerprint = fingerprint
        self.model.set_records(records)
        if selected is not None:
            self.select_wallet(selected.key)
        self._update_state()

    def selected_record(self) -> WalletRecord | None:
        """The wallet selected in the list, if any."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        return self.model.record(self.proxy.mapToSource(rows[0]).row())

    def select_wallet(self, key: WalletKey) -> bool:
        """Select a wallet by key (tests, and keeping the selection across reloads)."""
        for row in range(self.proxy.rowCount()):
            idx = self.proxy.index(row, 0)
            if idx.data(KeyRole) == key:
                self.table.selectRow(row)
                return True
        return False

    # -- lock state ----------------------------------------------------------------
    @property
    def unlocked(self) -> bool:
        """Whether the passphrase is held."""
        return self._passphrase is not None

    @property
    def unlocking(self) -> bool:
        """Whether a typed passphrase is being checked right now."""
        return self._pending_unlock is not None

    def _show_locked(self, locked: bool) -> None:
        self.unlock_form.setVisible(locked)
        self.key_panel.set_wallet(self.selected_record(), unlocked=not locked)
        self._update_state()

    def _update_state(self) -> None:
        n = self.model.rowCount()
        running = self._running is not None
        writable = not self._database.read_only
        if self.unlocked:
            minutes = self._timings.idle_lock_ms / 60_000
            after = f"{minutes:g} min" if minutes >= 1 else f"{self._timings.idle_lock_ms / 1000:g} s"
            idle_text = f"locks after {after} without input" if self._timings.idle_lock_ms else "no auto-lock"
            self.badge.setText(" UNLOCKED ")
            self.badge.setStyleSheet(_BADGE + "background:#e65100;")
            self.state_label.setText(f"{n} wallets · {idle_text}"
                                     + ("" if self._iterations == BOT_ITERATIONS
                                        else f" · {self._iterations:,} iterations")
                                     + ("" if writable else " · database read-only: allow editing to change keys"))
        else:
            self.badge.setText(" LOCKED ")
            self.badge.setStyleSheet(_BADGE + "background:#455a64;")
            self.state_label.setText(f"{n} wallets — owner, {headers_for(self._domain)[2].lower()} and address "
                                     "shown; keys stay encrypted")
        self.verify_button.setEnabled(self.unlocked and not running and n > 0)
        self.cancel_button.setVisible(running)
        self.rotate_button.setEnabled(self.unlocked and not running and n > 0)
        self.import_button.setEnabled(self.unlocked and not running)
        tip = "" if writable else " (the database is read-only: Database ▸ Allow editing first)"
        self.rotate_button.setToolTip("Re-encrypt every wallet under a new passphrase, in one transaction" + tip)
        self.import_button.setToolTip("Seal a key under the vault passphrase and add it for a user" + tip)
        self.lock_button.setEnabled(self.unlocked)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color:#d64545;" if error else "")
        self.message.setText(text)

    def lock(self, reason: str) -> None:
        """Drop the passphrase and every decrypted value, re-mask, clear our clipboard copy."""
        was_unlocked = self.unlocked
        self._epoch += 1
        if self._running is not None:
            self._running.cancel.set()
        if self._passphrase is not None:
            self._passphrase.wipe()
            self._passphrase = None
        self._drop_revealed()
        self.clipboard.clear_now()
        self.idle.stop()
        self.unlock_form.reset()
        self._show_locked(True)
        if was_unlocked:
            self._log("vault_lock", reason=reason)
            self.lockedChanged.emit(True)

    def forget(self, reason: str) -> None:
        """Lock without touching this widget's Qt side (it may be deleted already).

        Used when the area is destroyed (another home opened, window gone):
        only Python state and the parentless clipboard helper are used.
        """
        was_unlocked = self._passphrase is not None
        if self._running is not None:
            self._running.cancel.set()
        for secret in (self._passphrase, self._revealed):
            if secret is not None:
                secret.wipe()
        self._passphrase = self._revealed = None
        self.clipboard.clear_now()
        if was_unlocked:
            with contextlib.suppress(OSError):  # nowhere left to say so
                self._audit.log("vault_lock", reason=reason)

    @Slot()
    def lock_by_button(self) -> None:
        """The Lock button."""
        self.lock("explicit")

    @Slot()
    def lock_on_idle(self) -> None:
        """The idle timer ran out."""
        self.lock("idle")
        self._say("Locked after inactivity.")

    @Slot()
    def lock_on_exit(self) -> None:
        """The application is quitting: lock, and clear the clipboard if it holds our copy."""
        self.lock("exit")

    def _drop_revealed(self) -> None:
        if self._revealed is not None:
            self._revealed.wipe()
        self._revealed = None
        self._revealed_key = None
        self._reveal_request = None
        self.key_panel.clear_key()

    def _log(self, event: str, **fields: Any) -> None:
        try:
            self._audit.log(event, **fields)
        except OSError as exc:
            self._say(f"The audit log could not be written ({exc.strerror}).", error=True)

    # -- unlocking -----------------------------------------------------------------
    @Slot(object, int)
    def _on_submitted(self, secret: Secret, iterations: int) -> None:
        self.unlock_form.set_busy(True)
        self._pending_unlock = (secret, iterations)
        start_task(partial(unlock_work, self.model.records(), secret, iterations), self,
                   self._on_unlock_checked, self._on_unlock_error)

    @Slot(object)
    def _on_unlock_checked(self, outcome: UnlockOutcome) -> None:
        assert self._pending_unlock is not None
        secret, iterations = self._pending_unlock
        self._pending_unlock = None
        self.unlock_form.set_busy(False)
        if outcome is UnlockOutcome.WRONG:
            secret.wipe()
            self._failures += 1
            self._log("vault_unlock_failed", consecutive_failures=self._failures, iterations=iterations)
            message = "Wrong passphrase: it opened none of the wallets it was tried on."
            delay = self._delay_policy(self._failures)
            if delay > 0:
                self.unlock_form.hold_off(delay, message)
            else:
                self.unlock_form.show_error(message)
            return
        self._passphrase, self._iterations, self._failures = secret, iterations, 0
        self._timings = self._fixed_timings or VaultTimings.from_settings(self._settings)
        self.idle.timeout_ms = self._timings.idle_lock_ms
        if self._timings.idle_lock_ms > 0:
            self.idle.start()
        self._log("vault_unlock", wallets=self.model.rowCount(), iterations=iterations,
                  checked=outcome is UnlockOutcome.OPENED)
        self._say("" if outcome is UnlockOutcome.OPENED
                  else "There is no wallet to check the passphrase against; it is taken as typed.")
        self._show_locked(False)
        self.lockedChanged.emit(False)

    @Slot(object)
    def _on_unlock_error(self, exc: BaseException) -> None:
        if self._pending_unlock is not None:
            self._pending_unlock[0].wipe()
        self._pending_unlock = None
        self.unlock_form.set_busy(False)
        self.unlock_form.show_error(f"The passphrase could not be checked: {safe_message(exc)}")

    # -- long runs (verify, rotate) --------------------------------------------------
    def _begin_run(self, relay: TaskRelay, label: str, total: int) -> None:
        self._running = relay
        self._busy_token = app_registry().begin(label, cancel=relay.cancel.set)
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(0)
        self.progress.show()
        self._update_state()

    def _end_run(self) -> None:
        if self._busy_token is not None:
            app_registry().end(self._busy_token)
        self._busy_token = None
        self._running = None
        self.progress.hide()
        self._update_state()

    @Slot()
    def cancel_running(self) -> None:
        """Stop verify-all or a rotation being planned (nothing is written)."""
        if self._running is not None:
            self._running.cancel.set()
            self._say("Cancelling after the wallets in progress…")

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(done)

    @Slot()
    def start_verify(self) -> None:
        """Verify every wallet on all cores, with progress and cancel."""
        if self._passphrase is None or self._running is not None:
            return
        records = self.model.records()
        relay = start_task(partial(verify_work, records, self._passphrase.copy(), self._iterations, self._workers),
                           self, self._on_verified, self._on_run_failed, self._on_progress)
        self._begin_run(relay, "Verifying wallet keys", len(records))
        self._say(f"Verifying {len(records)} wallets on {self._workers} threads…")

    @Slot(object)
    def _on_verified(self, report: VerifyReport) -> None:
        self._end_run()
        self.model.set_results(report.results)
        counts = report.counts()
        self._log("vault_verify", via="gui", wallets=report.total, checked=len(report.results),
                  cancelled=report.cancelled, iterations=self._iterations,
                  **{s.name.lower(): counts.get(s, 0) for s in VerifyStatus})
        self._say(f"{report.summary()} in {report.elapsed_s:.1f} s.", error=not report.all_verified
                  and not report.cancelled)
        self.verifyFinished.emit(report)

    @Slot(object)
    def _on_run_failed(self, exc: BaseException) -> None:
        self._end_run()
        self._say(f"Stopped: {safe_message(exc)}", error=True)

    # -- reveal and copy -------------------------------------------------------------
    @Slot()
    def _on_selection(self) -> None:
        record = self.selected_record()
        if record is None or record.key != self._revealed_key:
            self._drop_revealed()
        self.key_panel.set_wallet(record, unlocked=self.unlocked)
        if record is not None and self._revealed is not None and record.key == self._revealed_key:
            self.key_panel.show_key(self._revealed.reveal())

    @Slot()
    def reveal_selected(self, then_copy: bool = False) -> None:
        """Decrypt the selected wallet's key into the panel (masked)."""
        record = self.selected_record()
        if self._passphrase is None or record is None:
            return
        self._reveal_request = (self._epoch, record.key, then_copy)
        self.key_panel.set_busy(True)
        start_task(partial(open_work, record, self._passphrase.copy(), self._iterations), self,
                   self._on_revealed, self._on_reveal_failed)

    @Slot(object)
    def _on_revealed(self, secret: Secret) -> None:
        request, self._reveal_request = self._reveal_request, None
        record = self.selected_record()
        if request is None or request[0] != self._epoch or record is None or record.key != request[1]:
            secret.wipe()  # locked or another wallet chosen meanwhile
            return
        self.key_panel.set_busy(False)
        if self._revealed is not None:
            self._revealed.wipe()
        self._revealed, self._revealed_key = secret, record.key
        self.key_panel.show_key(secret.reveal())
        self._log("vault_reveal", wallet=str(record.key), address=record.address)
        if request[2]:
            self._copy_revealed(record)

    @Slot(object)
    def _on_reveal_failed(self, exc: BaseException) -> None:
        request, self._reveal_request = self._reveal_request, None
        self.key_panel.set_busy(False)
        if request is None or request[0] != self._epoch:
            return
        if isinstance(exc, WalletError):
            self.model.set_results({request[1]: VerifyResult(request[1], exc.status, exc.detail)})
            self._log("vault_reveal", wallet=str(request[1]), success=False, status=exc.status.value)
        self.key_panel.status_label.setText(f"Not decrypted: {safe_message(exc)}")

    @Slot()
    def copy_selected(self) -> None:
        """Copy the selected wallet's key (decrypting it first if needed)."""
        record = self.selected_record()
        if record is None or not self.unlocked:
            return
        if self._revealed is not None and self._revealed_key == record.key:
            self._copy_revealed(record)
        else:
            self.reveal_selected(then_copy=True)

    def _copy_revealed(self, record: WalletRecord) -> None:
        assert self._revealed is not None
        self.clipboard.copy(self._revealed.reveal(), self._timings.clipboard_clear_ms)
        self._log("vault_copy", wallet=str(record.key), address=record.address,
                  clear_after_s=self._timings.clipboard_clear_ms / 1000)

    @Slot(bool)
    def _on_shown(self, shown: bool) -> None:
        record = self.selected_record()
        if shown and record is not None:
            self._log("vault_key_shown", wallet=str(record.key), address=record.address)

    @Slot(int)
    def _on_countdown(self, seconds: int) -> None:
        self.key_panel.clipboard_label.setText(f"Clipboard clears in {seconds} s")

    @Slot(bool)
    def _on_clipboard_cleared(self, ours: bool) -> None:
        self.key_panel.clipboard_label.setText(
            "Clipboard cleared." if ours else "Clipboard left alone: it holds something else now.")

    # -- rotation ----------------------------------------------------------------------
    def _writable_or_say(self) -> bool:
        if self._database.read_only:
            self._say("The database is open read-only. Allow editing first (Database ▸ Allow editing, Ctrl+E).",
                      error=True)
            return False
        return True

    @Slot()
    def rotate(self) -> None:
        """Ask for the new passphrase, then re-encrypt every wallet."""
        if not self.unlocked or not self._writable_or_say():
            return
        dialog = RotateDialog(self.model.rowCount(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            new, iterations = dialog.values()
            self.start_rotation(new, iterations)
        dialog.deleteLater()

    def start_rotation(self, new: Secret, iterations: int) -> None:
        """Plan the rotation on threads; write it in one transaction when every wallet checks out."""
        if self._passphrase is None or self._running is not None or not self._writable_or_say():
            if self._passphrase is None:
                self._say("The vault locked meanwhile: unlock it and try again.", error=True)
            new.wipe()
            return
        records = self.model.records()
        self._pending_rotation = (new, iterations)
        relay = start_task(partial(rotate_work, records, self._passphrase.copy(), new.copy(), self._iterations,
                                   iterations, self._workers),
                           self, self._on_rotation_planned, self._on_rotation_failed, self._on_progress)
        self._begin_run(relay, "Re-encrypting wallet keys", len(records))
        self._say(f"Re-encrypting {len(records)} wallets and checking each one; nothing is written until all pass…")

    @Slot(object)
    def _on_rotation_planned(self, plan: RotationPlan) -> None:
        self._end_run()
        assert self._pending_rotation is not None
        new, iterations = self._pending_rotation
        self._pending_rotation = None
        if self._passphrase is None:  # locked while planning: drop it all
            new.wipe()
            return
        try:
            written = write_rotation(self._database, self._domain, plan)
        except (VaultWriteError, DatabaseError) as exc:
            new.wipe()
            self._log("vault_rotate", success=False, wallets=len(plan.items), error=str(exc))
            self._say(f"Nothing was changed: {exc}", error=True)
            return
        self._passphrase.wipe()
        self._passphrase, self._iterations = new, iterations
        self.model.clear_results()
        self.reload_wallets()
        self._log("vault_rotate", success=True, wallets=written, iterations=iterations)
        warn = "" if iterations == BOT_ITERATIONS else \
            f" They use {iterations:,} iterations: the running bot cannot read them."
        self._say(f"Re-encrypted {written} wallets under the new passphrase.{warn} Set JARVIS_PUBLIC_WALLET_PASSWORD "
                  "to it and restart the bot.", error=bool(warn))

    @Slot(object)
    def _on_rotation_failed(self, exc: BaseException) -> None:
        self._end_run()
        if self._pending_rotation is not None:
            self._pending_rotation[0].wipe()
        self._pending_rotation = None
        failures = exc.failures if isinstance(exc, RotationError) else []
        listed = "; ".join(f"{f.key}: {f.status.value}" for f in failures[:5])
        more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
        self._log("vault_rotate", success=False, error=safe_message(exc), failed_wallets=[str(f.key) for f in failures])
        self.model.set_results({f.key: f for f in failures})
        self._say(f"Nothing was changed: {safe_message(exc)}" + (f" ({listed}{more})" if listed else ""), error=True)

    # -- import --------------------------------------------------------------------------
    @Slot()
    def import_key(self) -> None:
        """Ask for the key and the user, then seal and insert it."""
        if not self.unlocked or not self._writable_or_say():
            return
        try:
            users = load_users(self._database.connection(), self._domain)
        except DatabaseError as exc:
            self._say(f"The users could not be read: {exc}", error=True)
            return
        headers = headers_for(self._domain)
        dialog = ImportDialog(users, headers[Column.LABEL], headers[Column.DEFAULT], self._iterations, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.start_import(*dialog.values())
        dialog.deleteLater()

    def start_import(self, key: Secret, user_id: int, label: str, make_default: bool) -> None:
        """Seal the key on a thread (checked to decrypt back), then insert it."""
        if self._passphrase is None or not self._writable_or_say():
            if self._passphrase is None:
                self._say("The vault locked meanwhile: unlock it and try again.", error=True)
            key.wipe()
            return
        form = storage_form(self._domain, self.model.records())
        self.import_button.setEnabled(False)
        self._say("Sealing the key…")
        start_task(partial(import_work, key, self._passphrase.copy(), user_id, label, form, make_default,
                           self._iterations), self, self._on_import_sealed, self._on_import_failed)

    @Slot(object)
    def _on_import_sealed(self, plan: ImportPlan) -> None:
        self._update_state()
        try:
            key = insert_wallet(self._database, self._domain, plan)
        except (VaultWriteError, DatabaseError) as exc:
            self._log("vault_import", success=False, user_id=plan.user_id, address=plan.address, error=str(exc))
            self._say(f"Not imported: {exc}", error=True)
            return
        self._log("vault_import", success=True, wallet=str(key), user_id=plan.user_id, address=plan.address)
        self.reload_wallets()
        self.select_wallet(key)
        self._say(f"Imported wallet {key} ({plan.address}).")

    @Slot(object)
    def _on_import_failed(self, exc: BaseException) -> None:
        self._update_state()
        self._log("vault_import", success=False, error=safe_message(exc))
        self._say(f"Not imported: {safe_message(exc)}", error=True)

    # -- window events -------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Watch the top-level window for minimise and close (once it exists)."""
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.reload_wallets()
        window = self.window()
        if window is not self and window is not self._window_filtered:
            window.installEventFilter(self)
            self._window_filtered = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Lock on minimise (when enabled) and when the window closes."""
        if watched is self._window_filtered and self.unlocked:
            if event.type() == QEvent.Type.WindowStateChange and isinstance(watched, QWidget) \
                    and watched.isMinimized() and self._settings.get("vault_lock_on_minimize"):
                self.lock("minimised")
            elif event.type() == QEvent.Type.Close:
                self.lock("window closed")
        return False

    # -- the area contract (ui/areas.py) -----------------------------------------------
    def window_actions(self) -> list[Any]:
        """No window-wide actions (yet)."""
        return []

    def shutdown(self) -> None:
        """Lock (wipes secrets, clears our clipboard copy) before the window drops the area."""
        self.lock("area closed")

    def unsaved_changes(self) -> list[str]:
        """Nothing is staged: rotations and imports are written when confirmed."""
        return []

    def screenshot_states(self) -> list[Any]:
        """Locked, then unlocked with one key shown (on a demo home): see shots.py."""
        from .shots import screenshot_states

        return list(screenshot_states(self))
