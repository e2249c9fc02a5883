"""The wallet vault area: the widget that lays out the list, the unlock form and the key panel.

Everything with state — the lock, the secrets in memory, background work,
audit entries and database writes — is in ``VaultController`` (controller.py).
This widget forwards what the admin does to it and redraws from its signals.
It also watches its top-level window, because minimise and close are window
events: the controller decides whether they lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
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
from ...core.vault import WalletKey, WalletRecord, failure_delay_s
from ...session import Session
from ..pump import wait_until
from .clipboard import SecretClipboard
from .controller import VaultController
from .dialogs import ImportDialog, RotateDialog
from .keypanel import KeyPanel
from .model import Column, KeyRole, headers_for
from .timings import VaultTimings
from .unlock import UnlockForm

__all__ = ["VaultArea", "VaultController", "VaultTimings"]

_BADGE = "color:white;font-weight:bold;padding:2px 6px;border-radius:3px;"
_ROTATE_TIP = "Re-encrypt every wallet under a new passphrase, in one transaction"
_IMPORT_TIP = "Seal a key under the vault passphrase and add it for a user"
RELOAD_MIN_S = 2.0  # live re-reads of the wallets: at most one per this many seconds ...
RELOAD_COST = 20  # ... or per this many times the last re-read took


def _forget_when_destroyed(controller: VaultController, _obj: object = None) -> None:
    controller.forget("area closed")


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
        self.demo_passphrase = session.demo_passphrase
        self._window_filtered: QObject | None = None
        self._stale = False
        self._reload_s, self._reloaded_at = 0.0, 0.0
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.timeout.connect(self.reload_wallets)
        self._reselect: WalletKey | None = None
        self.controller = VaultController(session, timings, delay_policy, workers, self)
        self.model = self.controller.model
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.unlock_form = UnlockForm(session.demo_passphrase)
        self.key_panel = KeyPanel()
        self._build_widgets()
        self._connect(session)
        self.controller.reload_wallets()
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
        self.rotate_button.setToolTip(_ROTATE_TIP)
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
        self._build_table()
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.unlock_form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.key_panel)

    def _build_table(self) -> None:
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

    def _connect(self, session: Session) -> None:
        c = self.controller
        self.unlock_form.submitted.connect(self._on_submitted)
        self.lock_button.clicked.connect(self.lock_by_button)
        self.verify_button.clicked.connect(c.start_verify)
        self.cancel_button.clicked.connect(c.cancel_running)
        self.rotate_button.clicked.connect(self.rotate)
        self.import_button.clicked.connect(self.import_key)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.key_panel.revealRequested.connect(self.reveal_selected)
        self.key_panel.copyRequested.connect(self.copy_selected)
        self.key_panel.shownChanged.connect(self._on_shown)
        c.clipboard.countdown.connect(self._on_countdown)
        c.clipboard.cleared.connect(self._on_clipboard_cleared)
        self.model.modelAboutToBeReset.connect(self._on_wallets_resetting)
        self.model.modelReset.connect(self._on_wallets_reset)
        c.lockedChanged.connect(self._on_locked_changed)
        c.lockedChanged.connect(self.lockedChanged)
        c.lockApplied.connect(self._on_lock_applied)
        c.unlockRefused.connect(self._on_unlock_refused)
        c.stateChanged.connect(self._update_state)
        c.message.connect(self._say)
        c.runStarted.connect(self._on_run_started)
        c.runProgress.connect(self._on_progress)
        c.runEnded.connect(self.progress.hide)
        c.revealBusy.connect(self.key_panel.set_busy)
        c.keyRevealed.connect(self._on_key_revealed)
        c.revealFailed.connect(self.key_panel.status_label.setText)
        c.revealDropped.connect(self.key_panel.clear_key)
        c.walletImported.connect(self.select_wallet)
        c.verifyFinished.connect(self.verifyFinished)
        if session.watcher is not None:
            session.watcher.changed.connect(self._on_database_changed)
        self.destroyed.connect(partial(_forget_when_destroyed, c))

    # -- what the controller holds, for callers and tests ---------------------------------
    @property
    def unlocked(self) -> bool:
        """Whether the passphrase is held."""
        return self.controller.unlocked

    @property
    def unlocking(self) -> bool:
        """Whether a typed passphrase is being checked right now."""
        return self.controller.unlocking

    @property
    def clipboard(self) -> SecretClipboard:
        """The controller's clipboard helper (holds at most one copied key)."""
        return self.controller.clipboard

    # -- wallets -------------------------------------------------------------------
    @Slot()
    def _on_database_changed(self) -> None:
        """The bot committed: re-read soon if the vault is on screen, else when it is shown.

        Re-reading 10,000 wallets takes about a second on the UI thread and the deployed bot
        touches its wallet rows on every trade, so re-reads are paced: at most one per
        RELOAD_MIN_S or RELOAD_COST times the last one took (issue 18: <= 5 % of a core).
        """
        if not self.isVisible():
            self._stale = True
        elif not self._reload_timer.isActive():
            gap = max(RELOAD_MIN_S, RELOAD_COST * self._reload_s) - (time.monotonic() - self._reloaded_at)
            self._reload_timer.start(max(0, int(gap * 1000)))

    @Slot()
    def reload_wallets(self) -> None:
        """Re-read the wallet rows (the selection is kept)."""
        started = time.monotonic()
        self.controller.reload_wallets()
        self._reloaded_at = time.monotonic()
        self._reload_s = self._reloaded_at - started

    @Slot()
    def _on_wallets_resetting(self) -> None:
        selected = self.selected_record()
        self._reselect = None if selected is None else selected.key

    @Slot()
    def _on_wallets_reset(self) -> None:
        key, self._reselect = self._reselect, None
        if key is not None:
            self.select_wallet(key)
        self._update_state()

    def selected_record(self) -> WalletRecord | None:
        """The wallet selected in the list, if any."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        return self.model.record(self.proxy.mapToSource(rows[0]).row())

    @Slot(object)
    def select_wallet(self, key: WalletKey) -> bool:
        """Select a wallet by key (tests, imports, and keeping the selection across reloads)."""
        for row in range(self.proxy.rowCount()):
            idx = self.proxy.index(row, 0)
            if idx.data(KeyRole) == key:
                self.table.selectRow(row)
                return True
        return False

    # -- lock state ----------------------------------------------------------------
    def _show_locked(self, locked: bool) -> None:
        self.unlock_form.setVisible(locked)
        self.key_panel.set_wallet(self.selected_record(), unlocked=not locked)
        self._update_state()

    @Slot()
    def _update_state(self) -> None:
        c = self.controller
        n = self.model.rowCount()
        writable = not c.database.read_only
        if c.unlocked:
            idle_ms = c.timings.idle_lock_ms
            after = f"{idle_ms / 60_000:g} min" if idle_ms >= 60_000 else f"{idle_ms / 1000:g} s"
            idle_text = f"locks after {after} without input" if idle_ms else "no auto-lock"
            self.badge.setText(" UNLOCKED ")
            self.badge.setStyleSheet(_BADGE + "background:#e65100;")
            self.state_label.setText(f"{n} wallets · {idle_text}"
                                     + ("" if c.iterations == BOT_ITERATIONS else f" · {c.iterations:,} iterations")
                                     + ("" if writable else " · database read-only: allow editing to change keys"))
        else:
            self.badge.setText(" LOCKED ")
            self.badge.setStyleSheet(_BADGE + "background:#455a64;")
            self.state_label.setText(f"{n} wallets — owner, {headers_for(c.domain)[2].lower()} and address "
                                     "shown; keys stay encrypted")
        self.verify_button.setEnabled(c.unlocked and not c.running and n > 0)
        self.cancel_button.setVisible(c.running)
        self.rotate_button.setEnabled(c.unlocked and not c.running and n > 0)
        self.import_button.setEnabled(c.unlocked and not c.running and not c.importing)
        tip = "" if writable else " (the database is read-only: Database ▸ Allow editing first)"
        self.rotate_button.setToolTip(_ROTATE_TIP + tip)
        self.import_button.setToolTip(_IMPORT_TIP + tip)
        self.lock_button.setEnabled(c.unlocked)

    @Slot(str, bool)
    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color:#d64545;" if error else "")
        self.message.setText(text)

    def lock(self, reason: str) -> None:
        """Drop the passphrase and every decrypted value, re-mask, clear our clipboard copy."""
        self.controller.lock(reason)

    def forget(self, reason: str) -> None:
        """Lock without touching Qt objects (the area may be deleted already)."""
        self.controller.forget(reason)

    @Slot()
    def lock_by_button(self) -> None:
        """The Lock button."""
        self.controller.lock("explicit")

    @Slot()
    def lock_on_exit(self) -> None:
        """The application is quitting (the controller also hears aboutToQuit itself)."""
        self.controller.lock_on_exit()

    @Slot()
    def _on_lock_applied(self) -> None:
        self.unlock_form.reset()
        self._show_locked(True)

    @Slot(bool)
    def _on_locked_changed(self, locked: bool) -> None:
        if not locked:
            self.unlock_form.set_busy(False)
            self._show_locked(False)

    # -- unlocking -----------------------------------------------------------------
    @Slot(object, int)
    def _on_submitted(self, secret: Secret, iterations: int) -> None:
        self.unlock_form.set_busy(True)
        self.controller.unlock(secret, iterations)

    @Slot(str, float)
    def _on_unlock_refused(self, message: str, delay: float) -> None:
        self.unlock_form.set_busy(False)
        if delay > 0:
            self.unlock_form.hold_off(delay, message)
        else:
            self.unlock_form.show_error(message)

    # -- long runs (verify, rotate) --------------------------------------------------
    @Slot(int)
    def _on_run_started(self, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(0)
        self.progress.show()

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(done)

    @Slot()
    def start_verify(self) -> None:
        """Verify every wallet on all cores, with progress and cancel."""
        self.controller.start_verify()

    @Slot()
    def cancel_running(self) -> None:
        """Stop verify-all or a rotation being planned (nothing is written)."""
        self.controller.cancel_running()

    # -- reveal and copy -------------------------------------------------------------
    @Slot()
    def _on_selection(self) -> None:
        record = self.selected_record()
        self.controller.set_selection(record)
        self.key_panel.set_wallet(record, unlocked=self.unlocked)
        if record is not None and self.controller.revealed_key == record.key:
            self.key_panel.show_key(self.controller.revealed_text())

    @Slot()
    def reveal_selected(self) -> None:
        """Decrypt the selected wallet's key into the panel (masked)."""
        self.controller.reveal(self.selected_record())

    @Slot(object)
    def _on_key_revealed(self, key: WalletKey) -> None:
        self.key_panel.show_key(self.controller.revealed_text())

    @Slot()
    def copy_selected(self) -> None:
        """Copy the selected wallet's key (decrypting it first if needed)."""
        self.controller.copy(self.selected_record())

    @Slot(bool)
    def _on_shown(self, shown: bool) -> None:
        if shown:
            self.controller.key_shown(self.selected_record())

    @Slot(int)
    def _on_countdown(self, seconds: int) -> None:
        self.key_panel.clipboard_label.setText(f"Clipboard clears in {seconds} s")

    @Slot(bool)
    def _on_clipboard_cleared(self, ours: bool) -> None:
        self.key_panel.clipboard_label.setText(
            "Clipboard cleared." if ours else "Clipboard left alone: it holds something else now.")

    # -- rotation and import (the dialogs; the work is the controller's) ---------------------
    @Slot()
    def rotate(self) -> None:
        """Ask for the new passphrase, then re-encrypt every wallet."""
        if not self.unlocked or not self.controller.writable_or_say():
            return
        dialog = RotateDialog(self.model.rowCount(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            new, iterations = dialog.values()
            self.start_rotation(new, iterations)
        dialog.deleteLater()

    def start_rotation(self, new: Secret, iterations: int) -> None:
        """Plan the rotation on threads; written in one transaction when every wallet checks out."""
        self.controller.start_rotation(new, iterations)

    @Slot()
    def import_key(self) -> None:
        """Ask for the key and the user, then seal and insert it."""
        if not self.unlocked or not self.controller.writable_or_say():
            return
        users = self.controller.load_users()
        if users is None:
            return
        headers = headers_for(self.controller.domain)
        dialog = ImportDialog(users, headers[Column.LABEL], headers[Column.DEFAULT], self.controller.iterations, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.start_import(*dialog.values())
        dialog.deleteLater()

    def start_import(self, key: Secret, user_id: int, label: str, make_default: bool) -> None:
        """Seal the key on a thread (checked to decrypt back), then insert it."""
        self.controller.start_import(key, user_id, label, make_default)

    # -- window events -------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        """Watch the top-level window for minimise and close (once it exists)."""
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.reload_wallets()
        window = self.window()
        if window is not self and window is not self._window_filtered:
            window.installEventFilter(self)
            self._window_filtered = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Tell the controller about minimise and close (it locks as the settings say)."""
        if watched is self._window_filtered:
            if event.type() == QEvent.Type.WindowStateChange and isinstance(watched, QWidget) \
                    and watched.isMinimized():
                self.controller.window_minimised()
            elif event.type() == QEvent.Type.Close:
                self.controller.window_closed()
        return False

    # -- the area contract (ui/areas.py) ------------------------------------------------
    def window_actions(self) -> Sequence[QAction]:
        """No window-wide actions: every vault action needs this tab on screen."""
        return ()

    def shutdown(self) -> None:
        """The window is going: lock (wipes the secrets, clears the clipboard if it holds our copy)."""
        self._reload_timer.stop()
        self.controller.lock("area closed")

    def unsaved_changes(self) -> list[str]:
        """Nothing is ever left unsaved: rotations and imports are written when they finish."""
        return []

    def screenshot_states(self) -> Sequence[tuple[str, Callable[[], None]]]:
        """The README's states: locked, then unlocked after verify-all with one key decrypted (masked)."""
        return [("vault-locked", self._show_locked_state), ("vault-unlocked", self._show_unlocked_state)]

    def _show_locked_state(self) -> None:
        self.lock("screenshots")

    def _show_unlocked_state(self) -> None:
        """Unlock with the demo passphrase, verify all, decrypt the first key (bounded waits)."""
        if not self.demo_passphrase:
            return
        self.unlock_form.passphrase.setText(self.demo_passphrase)
        self.unlock_form.submit()
        if not wait_until(lambda: self.unlocked, 60):
            return
        reports: list[object] = []
        self.verifyFinished.connect(reports.append)
        self.start_verify()
        wait_until(lambda: bool(reports), 300)
        self.verifyFinished.disconnect(reports.append)
        self.table.selectRow(0)
        self.reveal_selected()
        wait_until(lambda: self.key_panel.has_key, 30)
