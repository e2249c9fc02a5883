"""The wallet vault area: the store list, every store's wallets, the unlock form, the key panel, Health.

Everything with state — the lock, the secrets in memory, background work,
audit entries and database writes — is in ``VaultController`` (controller.py).
This widget forwards what the admin does to it and redraws from its signals.
It also watches its top-level window, because minimise and close are window
events: the controller decides whether they lock. The stores besides the
public wallets (treasury folders, keypair files, plaintext keys) are
``StoresController``'s (stores.py), their keys' reveal ``StoreKeys``'s (storekeys.py);
``UnlockFlow`` sends a typed passphrase to each store it is meant for; every lock locks them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.keystores.model import KeyStore
from ...core.keystores.unlock import UnlockOptions
from ...core.secrets import Secret
from ...core.vault import WalletKey, WalletRecord, failure_delay_s
from ...db.wallet_source import WalletSource
from ...session import Session
from ..areas import FindsInBox
from ..pacing import PacedCall
from .clipboard import SecretClipboard
from .controller import VaultController
from .dialogs import ask_import, ask_rotation
from .health import HealthPage
from .keypanel import KeyPanel
from .model import Column, KeyRole, headers_for
from .pages import public_keystore, state_text, wallets_page
from .screenlock import ScreenLockWatch
from .shots import show_health_state, show_locked_state, show_unlocked_state
from .storekeys import StoreKeys, forget_when_destroyed
from .storelist import StoreList, public_line, store_line
from .stores import StoresController
from .timings import VaultTimings
from .unlock import UnlockForm
from .unlockflow import UnlockFlow
from .windowwatch import WindowWatch

__all__ = ["VaultArea", "VaultController", "VaultTimings"]

_BADGE = "color:white;font-weight:bold;padding:2px 6px;border-radius:3px;"
_ROTATE_TIP = "Re-encrypt every wallet under a new passphrase, in one transaction"
_IMPORT_TIP = "Seal a key under the vault passphrase and add it for a user"
RELOAD_MIN_S = 2.0  # live re-reads of the wallets: at most one per this many seconds ...
RELOAD_COST = 20  # ... or per this many times the last re-read took


class VaultArea(QWidget, FindsInBox):
    """The vault tab.

    Signals:
        lockedChanged(bool): True when the vault locks, False when it unlocks.
        verifyFinished(object): a VerifyReport (no secrets) after verify-all.
    """

    lockedChanged = Signal(bool)
    verifyFinished = Signal(object)

    def __init__(self, session: Session, timings: VaultTimings | None = None,
                 delay_policy: Callable[[int], float] = failure_delay_s, workers: int | None = None,
                 key_options: UnlockOptions | None = None, parent: QWidget | None = None,
                 wallets: WalletSource | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vaultArea")
        self.demo_passphrase = session.demo_passphrase
        self._reselect: WalletKey | None = None
        self.controller = VaultController(session, timings, delay_policy, workers, self, wallets)
        self._db = self.controller.location  # the users store's file, or the PostgreSQL database's label
        # Re-reading 10,000 wallets takes about a second on the UI thread and the deployed bot touches its
        # wallet rows on every trade: re-reads are paced, and wait while the tab is hidden (issue 18).
        self.reloads = PacedCall(self._reload_now, RELOAD_MIN_S, RELOAD_COST, self, shown=self)
        self.window_watch = WindowWatch(self.controller, self)
        self.model = self.controller.model
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        options = key_options or UnlockOptions(workers=self.controller.workers)
        self.stores = StoresController(session.paths, session.audit, self.model, options, delay_policy, self)
        self.screen_lock = ScreenLockWatch(self.controller, self.stores, session.settings, self)
        self.unlock_form = UnlockForm(session.demo_passphrase)
        self.unlock_flow = UnlockFlow(self.unlock_form, self.controller, self.stores, self)
        self.key_panel = KeyPanel()
        self.store_list = StoreList()
        self.health_page = HealthPage()
        self._build_widgets()
        self.store_keys = StoreKeys(self.table, self.proxy, self.key_panel, self.controller, self.stores,
                                    session.audit, self)  # before _connect: it wipes before the area redraws
        self._connect(session)
        self.controller.reload_wallets()
        self.stores.reload()
        self._show_locked(True)

    # -- building ------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.badge = QLabel()
        self.badge.setObjectName("vaultBadge")
        self.state_label = QLabel()
        self.state_label.setObjectName("vaultState")
        self.state_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens
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
        self.store_progress = QProgressBar()
        self.store_progress.setObjectName("vaultStoreProgress")
        self.store_progress.setFormat("other stores: %v / %m keys")
        self.store_progress.hide()
        self.message = QLabel()
        self.message.setObjectName("vaultMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.filter = self.find_box = QLineEdit()  # Edit ▸ Find (ui/areas.py, FindsInBox)
        self.filter.setPlaceholderText("Filter by wallet, owner, label or address")
        self.filter.setClearButtonEnabled(True)
        self._build_table()
        wallets = wallets_page((self.unlock_form, self.progress, self.store_progress, self.message, self.filter),
                               self.store_list, self.table, self.key_panel)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("vaultPages")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(wallets, "Stores and wallets")
        self.tabs.addTab(self.health_page, "Health")
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)

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
        self.unlock_flow.finished.connect(self._on_unlock_finished)
        self.lock_button.clicked.connect(self.lock_by_button)
        self.verify_button.clicked.connect(self.start_verify)
        self.cancel_button.clicked.connect(self.cancel_running)
        self.stores.storesChanged.connect(self._on_stores_changed)
        self.stores.busyChanged.connect(self._on_stores_busy)
        self.stores.runProgress.connect(self._on_store_progress)
        self.stores.message.connect(self._say)
        # A module function, not a bound method: a child holding the area would keep it alive.
        self.health_page.bind(self.stores, partial(public_keystore, self.model, self._db))
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
            session.watcher.changed.connect(self.reloads.request)
        self.destroyed.connect(partial(forget_when_destroyed, c, self.stores, self.store_keys))

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
    def reload_wallets(self) -> None:
        """Re-read the wallet rows now (the selection is kept)."""
        self.reloads.run_now()

    def _reload_now(self) -> None:
        self.controller.reload_wallets()

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
        row = self.proxy.mapToSource(rows[0]).row()
        return self.model.record(row) if self.model.is_public_row(row) else None

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
        targets = self.unlock_flow.locked_targets()
        self.unlock_form.set_targets(targets)
        every = 1 + len(self.stores.locked_names()) + len(self.stores.unlocked_names())
        self.unlock_form.set_title("The vault is locked" if len(targets) >= every
                                   else f"{len(targets)} of {every} stores locked")
        self.unlock_form.setVisible(bool(targets))
        self.store_keys.refresh_panel(self.unlocked, self.selected_record())
        self._fill_store_list()
        self._update_state()

    def _fill_store_list(self) -> None:
        public = public_line(len(self.model.records()), self.controller.iterations, self.unlocked, self._db)
        self.store_list.set_lines([public] + [store_line(s, self.stores.is_unlocked(s.name),
                                                         self.stores.refusals.get(s.name, ""))
                                              for s in self.stores.stores])

    def public_keystore(self) -> KeyStore | None:
        """The public wallets as a core key store (for the health check), None without any."""
        return public_keystore(self.model, self._db)

    @Slot()
    def _on_stores_changed(self) -> None:
        self._show_locked(not self.unlocked)
        if self.stores.unlocked_names() and self.controller.timings.idle_lock_ms > 0:
            self.controller.idle.start()  # the idle lock locks every store, not only the public one

    @property
    def any_unlocked(self) -> bool:
        """Whether any store's passphrase is held."""
        return self.unlocked or bool(self.stores.unlocked_names())

    @Slot()
    def _update_state(self) -> None:
        c = self.controller
        n = len(self.model.records())
        writable = not c.wallets.read_only
        stores = self.stores.unlocked_names()
        self.badge.setText(" UNLOCKED " if self.any_unlocked else " LOCKED ")
        self.badge.setStyleSheet(_BADGE + ("background:#e65100;" if self.any_unlocked else "background:#455a64;"))
        self.state_label.setText(state_text(c, n, stores))
        self.state_label.setToolTip(self.state_label.text())
        self.verify_button.setEnabled(((c.unlocked and n > 0) or bool(stores)) and not c.running
                                      and not self.stores.busy)
        self.cancel_button.setVisible(c.running or self.stores.busy)
        self.rotate_button.setEnabled(c.unlocked and not c.running and n > 0 and c.wallets.writable_here)
        self.import_button.setEnabled(c.unlocked and not c.running and not c.importing and c.wallets.writable_here)
        tip = "" if writable else f" — {c.wallets.read_only_message()}"
        self.rotate_button.setToolTip(_ROTATE_TIP + tip)
        self.import_button.setToolTip(_IMPORT_TIP + tip)
        self.lock_button.setEnabled(self.any_unlocked)

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
        """Every lock (button, idle, minimise, exit, shutdown) locks every store."""
        self.stores.lock_all(self.controller.last_lock_reason or "explicit")
        self.unlock_flow.reset()
        self.unlock_form.reset()
        self._show_locked(True)

    @Slot(bool)
    def _on_locked_changed(self, locked: bool) -> None:
        if not locked:
            self._show_locked(False)

    @Slot()
    def _on_unlock_finished(self) -> None:
        self._show_locked(not self.unlocked)

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

    @Slot(str)
    def _on_stores_busy(self, label: str) -> None:
        self.store_progress.setVisible(label.startswith("Verifying"))
        self._update_state()

    @Slot(int, int)
    def _on_store_progress(self, done: int, total: int) -> None:
        self.store_progress.setMaximum(max(1, total))
        self.store_progress.setValue(min(done, total))

    @Slot()
    def start_verify(self) -> None:
        """Verify every wallet of every unlocked store, with progress and cancel."""
        if self.unlocked:
            self.controller.start_verify()
        self.stores.start_verify()
        self._update_state()

    @Slot()
    def cancel_running(self) -> None:
        """Stop verify-all, a rotation being planned, or the stores' work (nothing is written)."""
        self.controller.cancel_running()
        self.stores.cancel()

    # -- reveal and copy -------------------------------------------------------------
    @Slot()
    def _on_selection(self) -> None:
        record = self.selected_record()
        self.controller.set_selection(record)
        self.key_panel.set_wallet(record, unlocked=self.unlocked)
        if record is not None and self.controller.revealed_key == record.key:
            self.key_panel.show_key(self.controller.revealed_text())
        self.store_keys.selection_changed()

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
        values = ask_rotation(self, len(self.model.records()), self.clipboard,
                              self.controller.timings.clipboard_clear_ms)
        if values is not None:
            self.start_rotation(*values)

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
        values = ask_import(self, users, headers[Column.LABEL], headers[Column.DEFAULT], self.controller.iterations)
        if values is not None:
            self.start_import(*values)

    def start_import(self, key: Secret, user_id: int, label: str, make_default: bool) -> None:
        """Seal the key on a thread (checked to decrypt back), then insert it."""
        self.controller.start_import(key, user_id, label, make_default)

    # -- window events -------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        """Watch the top-level window for minimise and close (once it exists)."""
        super().showEvent(event)
        self.reloads.catch_up()
        if self.window() is not self:
            self.window_watch.watch(self.window())

    # -- the area contract (ui/areas.py) ------------------------------------------------
    def window_actions(self) -> Sequence[QAction]:
        """No window-wide actions: every vault action needs this tab on screen."""
        return ()

    def shutdown(self) -> None:
        """The window is going: lock every store (wipes the secrets, clears the clipboard if it holds our copy)."""
        self.reloads.stop()
        self.controller.lock("area closed")

    def unsaved_changes(self) -> list[str]:
        """Nothing is ever left unsaved: rotations and imports are written when they finish."""
        return []

    def screenshot_states(self) -> Sequence[tuple[str, Callable[[], None]]]:
        """The README's states: locked; unlocked after verify-all with one key decrypted (masked); Health."""
        return [("vault-locked", partial(show_locked_state, self)),
                ("vault-unlocked", partial(show_unlocked_state, self)),
                ("vault-health", partial(show_health_state, self))]
