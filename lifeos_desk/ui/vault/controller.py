"""The vault's state and work, without a widget: lock state, secrets, audit, writes.

``VaultController`` holds the passphrase in a ``Secret`` while unlocked and at most one decrypted key (the
one the key panel shows); locking wipes both, cancels a running verify and clears the clipboard if it still
holds our copy. The slow parts (every PBKDF2) run on threads through ``start_task`` and come back as slots
here; the widget (area.py) only lays out, forwards what the admin does, and redraws from this object's
signals. Every unlock attempt, reveal, show, copy, verify, rotation and import is written to the audit log:
wallet keys and addresses only, never a secret. A QObject (signals, timers, the clipboard) that owns no
widget: tests drive it without laying anything out. The rows come from a ``WalletSource``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication

from ...core.keys import BOT_ITERATIONS
from ...core.secrets import Secret
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
from ...db.wallet_source import SqliteWallets, VaultWriteError, WalletSource, storage_form
from ...session import Session
from ..busy import BusyToken, app_registry
from .clipboard import SecretClipboard
from .follow import WalletFollow
from .idle import IdleWatcher
from .model import WalletTableModel
from .tasks import TaskRelay, safe_message, start_task
from .timings import VaultTimings
from .work import import_work, open_work, rotate_work, unlock_work, verify_work


class VaultController(QObject):
    """Lock state, the secrets in memory, background work, audit entries and database writes.

    Signals:
        lockedChanged(bool): True when the vault locks, False when it unlocks.
        lockApplied(): every ``lock()`` (also when already locked): re-mask, reset the form.
        unlockRefused(str, float): a typed passphrase was refused: why, and the hold-off in s (0: none).
        stateChanged(): counts, running work or importing changed (redraw the buttons).
        message(str, bool): a line for the admin; True when it is an error.
        runStarted(int): verify-all or a rotation plan began over this many wallets.
        runProgress(int, int): done, total.
        runEnded(): it finished, failed or was cancelled.
        revealBusy(bool): a key is being decrypted (True) or that ended.
        keyRevealed(object): the WalletKey whose key is now in memory (``revealed_text()``).
        revealFailed(str): why the selected key could not be decrypted.
        revealDropped(): the decrypted key was wiped (lock, other wallet, reload).
        walletImported(object): the WalletKey of a newly inserted wallet.
        verifyFinished(object): a VerifyReport (no secrets) after verify-all.
    """

    lockedChanged = Signal(bool)
    lockApplied = Signal()
    unlockRefused = Signal(str, float)
    stateChanged = Signal()
    message = Signal(str, bool)
    runStarted = Signal(int)
    runProgress = Signal(int, int)
    runEnded = Signal()
    revealBusy = Signal(bool)
    keyRevealed = Signal(object)
    revealFailed = Signal(str)
    revealDropped = Signal()
    walletImported = Signal(object)
    verifyFinished = Signal(object)

    def __init__(self, session: Session, timings: VaultTimings | None = None,
                 delay_policy: Callable[[int], float] = failure_delay_s, workers: int | None = None,
                 parent: QObject | None = None, wallets: WalletSource | None = None) -> None:
        super().__init__(parent)
        self.wallets = wallets or SqliteWallets(session.database, session.domain)  # db/wallet_source.py
        self.domain = self.wallets.domain
        self.location = self.wallets.location
        self._audit = session.audit
        self._settings = session.settings
        self._fixed_timings = timings
        self.timings = timings or VaultTimings.from_settings(session.settings)
        self._delay_policy = delay_policy
        self.workers = workers or default_workers()
        self.iterations = BOT_ITERATIONS
        self._passphrase: Secret | None = None
        self._failures = 0
        self._epoch = 0
        self._selected_key: WalletKey | None = None
        self._revealed: Secret | None = None
        self._revealed_key: WalletKey | None = None
        self._reveal_request: tuple[int, WalletKey, bool] | None = None
        self._pending_unlock: tuple[Secret, int] | None = None
        self._pending_rotation: tuple[Secret, int] | None = None
        self._running: TaskRelay | None = None
        self._busy_token: BusyToken | None = None
        self.importing = False  # an imported key is being sealed
        self.last_lock_reason = ""
        self.model = WalletTableModel(self.domain, self)
        self.follow = WalletFollow(self.wallets, self.model, self)  # full reads after our writes
        self.follow.failed.connect(self.message)
        # Parentless on purpose: it outlives the area to clear the clipboard when the area is deleted (forget()).
        self.clipboard = SecretClipboard()
        self.idle = IdleWatcher(self.timings.idle_lock_ms, self)
        self.idle.idle.connect(self.lock_on_idle)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.lock_on_exit)

    # -- facts -----------------------------------------------------------------------
    @property
    def unlocked(self) -> bool:
        """Whether the passphrase is held."""
        return self._passphrase is not None

    @property
    def unlocking(self) -> bool:
        """Whether a typed passphrase is being checked right now."""
        return self._pending_unlock is not None

    @property
    def running(self) -> bool:
        """Whether verify-all or a rotation plan is running."""
        return self._running is not None

    @property
    def revealed_key(self) -> WalletKey | None:
        """The wallet whose decrypted key is held, if any."""
        return self._revealed_key if self._revealed is not None else None

    def revealed_text(self) -> str:
        """The decrypted key held for the key panel ("" when none)."""
        return self._revealed.reveal() if self._revealed is not None else ""

    def passphrase_copy(self) -> Secret | None:
        """A copy of the held passphrase that the caller wipes (migrate's wallet sample), None when locked."""
        return self._passphrase.copy() if self._passphrase is not None else None

    # -- wallets ---------------------------------------------------------------------
    @Slot()
    def reload_wallets(self) -> None:
        """Bring the wallet rows up to date (on start and when the bot commits), reading only what moved.

        The model is reset only when a row changed; the widget keeps its selection
        across that reset (it listens to the model's reset signals). ui/vault/follow.py.
        """
        self.follow.refresh()

    def set_selection(self, record: WalletRecord | None) -> None:
        """The admin chose another wallet (or none): a key decrypted for a different one is wiped."""
        self._selected_key = None if record is None else record.key
        if record is None or record.key != self._revealed_key:
            self._drop_revealed()

    def load_users(self) -> list[tuple[int, str]] | None:
        """The users an imported key can go to (None, with a message, when unreadable)."""
        try:
            return self.wallets.users()
        except DatabaseError as exc:
            self._say(f"The users could not be read: {exc}", error=True)
            return None

    # -- locking ---------------------------------------------------------------------
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
        self.last_lock_reason = reason  # the other stores lock on lockApplied, with this reason
        self.lockApplied.emit()
        if was_unlocked:
            self._log("vault_lock", reason=reason)
            self.lockedChanged.emit(True)

    def forget(self, reason: str) -> None:
        """Lock without touching Qt objects that may be deleted already (no signals).

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
    def lock_on_idle(self) -> None:
        """The idle timer ran out."""
        self.lock("idle")
        self._say("Locked after inactivity.")

    @Slot()
    def lock_on_exit(self) -> None:
        """The application is quitting: lock, and clear the clipboard if it holds our copy."""
        self.lock("exit")

    def window_minimised(self) -> None:
        """The window was minimised: lock if the admin asked for that (vault_lock_on_minimize)."""
        if self.unlocked and self._settings.get("vault_lock_on_minimize"):
            self.lock("minimised")

    def window_closed(self) -> None:
        """The window is closing: lock."""
        if self.unlocked:
            self.lock("window closed")

    def _drop_revealed(self) -> None:
        if self._revealed is not None:
            self._revealed.wipe()
        self._revealed = None
        self._revealed_key = None
        self._reveal_request = None
        self.revealDropped.emit()

    def _log(self, event: str, **fields: Any) -> None:
        try:
            self._audit.log(event, **fields)
        except OSError as exc:
            self._say(f"The audit log could not be written ({exc.strerror}).", error=True)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.emit(text, error)

    # -- unlocking -------------------------------------------------------------------
    def unlock(self, secret: Secret, iterations: int) -> None:
        """Check a typed passphrase on a thread (the vault takes ``secret`` over)."""
        self._pending_unlock = (secret, iterations)
        start_task(partial(unlock_work, self.model.records(), secret, iterations), self,
                   self._on_unlock_checked, self._on_unlock_error)

    @Slot(object)
    def _on_unlock_checked(self, outcome: UnlockOutcome) -> None:
        assert self._pending_unlock is not None
        secret, iterations = self._pending_unlock
        self._pending_unlock = None
        if outcome is UnlockOutcome.WRONG:
            secret.wipe()
            self._failures += 1
            self._log("vault_unlock_failed", consecutive_failures=self._failures, iterations=iterations)
            self.unlockRefused.emit("Wrong passphrase: it opened none of the wallets it was tried on.",
                                    max(0.0, self._delay_policy(self._failures)))
            return
        self._passphrase, self.iterations, self._failures = secret, iterations, 0
        self.timings = self._fixed_timings or VaultTimings.from_settings(self._settings)
        self.idle.timeout_ms = self.timings.idle_lock_ms
        if self.timings.idle_lock_ms > 0:
            self.idle.start()
        self._log("vault_unlock", wallets=len(self.model.records()), iterations=iterations,
                  checked=outcome is UnlockOutcome.OPENED)
        self._say("" if outcome is UnlockOutcome.OPENED
                  else "There is no wallet to check the passphrase against; it is taken as typed.")
        self.lockedChanged.emit(False)

    @Slot(object)
    def _on_unlock_error(self, exc: BaseException) -> None:
        if self._pending_unlock is not None:
            self._pending_unlock[0].wipe()
        self._pending_unlock = None
        self.unlockRefused.emit(f"The passphrase could not be checked: {safe_message(exc)}", 0.0)

    # -- long runs (verify, rotate) ----------------------------------------------------
    def _begin_run(self, relay: TaskRelay, label: str, total: int) -> None:
        self._running = relay
        self._busy_token = app_registry().begin(label, cancel=relay.cancel.set)
        self.runStarted.emit(total)
        self.stateChanged.emit()

    def _end_run(self) -> None:
        if self._busy_token is not None:
            app_registry().end(self._busy_token)
        self._busy_token = None
        self._running = None
        self.runEnded.emit()
        self.stateChanged.emit()

    @Slot()
    def cancel_running(self) -> None:
        """Stop verify-all or a rotation being planned (nothing is written)."""
        if self._running is not None:
            self._running.cancel.set()
            self._say("Cancelling after the wallets in progress…")

    @Slot()
    def start_verify(self) -> None:
        """Verify every wallet on all cores, with progress and cancel."""
        if self._passphrase is None or self._running is not None:
            return
        records = self.model.records()
        relay = start_task(partial(verify_work, records, self._passphrase.copy(), self.iterations, self.workers),
                           self, self._on_verified, self._on_run_failed, self.runProgress.emit)
        self._begin_run(relay, "Verifying wallet keys", len(records))
        self._say(f"Verifying {len(records)} wallets on {self.workers} threads…")

    @Slot(object)
    def _on_verified(self, report: VerifyReport) -> None:
        self._end_run()
        self.model.set_results(report.results)
        counts = report.counts()
        self._log("vault_verify", via="gui", wallets=report.total, checked=len(report.results),
                  cancelled=report.cancelled, iterations=self.iterations,
                  **{s.name.lower(): counts.get(s, 0) for s in VerifyStatus})
        self._say(f"{report.summary()} in {report.elapsed_s:.1f} s.", error=not report.all_verified
                  and not report.cancelled)
        self.verifyFinished.emit(report)

    @Slot(object)
    def _on_run_failed(self, exc: BaseException) -> None:
        self._end_run()
        self._say(f"Stopped: {safe_message(exc)}", error=True)

    # -- reveal and copy -------------------------------------------------------------
    def reveal(self, record: WalletRecord | None, then_copy: bool = False) -> None:
        """Decrypt a wallet's key into memory (the key panel shows it masked)."""
        if self._passphrase is None or record is None:
            return
        if self._selected_key != record.key:  # revealing a wallet chooses it
            self.set_selection(record)
        self._reveal_request = (self._epoch, record.key, then_copy)
        self.revealBusy.emit(True)
        start_task(partial(open_work, record, self._passphrase.copy(), self.iterations), self,
                   partial(self._on_revealed, record), self._on_reveal_failed)

    def _on_revealed(self, record: WalletRecord, secret: Secret) -> None:
        request, self._reveal_request = self._reveal_request, None
        if request is None or request[0] != self._epoch or self._selected_key != request[1]:
            secret.wipe()  # locked or another wallet chosen meanwhile
            return
        self.revealBusy.emit(False)
        if self._revealed is not None:
            self._revealed.wipe()
        self._revealed, self._revealed_key = secret, record.key
        self.keyRevealed.emit(record.key)
        self._log("vault_reveal", wallet=str(record.key), address=record.address)
        if request[2]:
            self._copy_revealed(record)

    @Slot(object)
    def _on_reveal_failed(self, exc: BaseException) -> None:
        request, self._reveal_request = self._reveal_request, None
        self.revealBusy.emit(False)
        if request is None or request[0] != self._epoch:
            return
        if isinstance(exc, WalletError):
            self.model.set_results({request[1]: VerifyResult(request[1], exc.status, exc.detail)})
            self._log("vault_reveal", wallet=str(request[1]), success=False, status=exc.status.value)
        self.revealFailed.emit(f"Not decrypted: {safe_message(exc)}")

    def copy(self, record: WalletRecord | None) -> None:
        """Copy a wallet's key as a secret (decrypting it first if needed)."""
        if record is None or not self.unlocked:
            return
        if self._revealed is not None and self._revealed_key == record.key:
            self._copy_revealed(record)
        else:
            self.reveal(record, then_copy=True)

    def _copy_revealed(self, record: WalletRecord) -> None:
        assert self._revealed is not None  # the timeout is read at each copy: Preferences applies at once
        clear_ms = (self._fixed_timings or VaultTimings.from_settings(self._settings)).clipboard_clear_ms
        self.clipboard.copy(self._revealed.reveal(), clear_ms)
        self._log("vault_copy", wallet=str(record.key), address=record.address, clear_after_s=clear_ms / 1000)

    def key_shown(self, record: WalletRecord | None) -> None:
        """The admin unmasked the key in the panel (audited)."""
        if record is not None:
            self._log("vault_key_shown", wallet=str(record.key), address=record.address)

    # -- rotation --------------------------------------------------------------------
    def writable_or_say(self) -> bool:
        """Whether the database takes writes; if not, say how to allow them."""
        if self.wallets.read_only:
            self._say(self.wallets.read_only_message(), error=True)
            return False
        return True

    def start_rotation(self, new: Secret, iterations: int) -> None:
        """Plan the rotation on threads; write it in one transaction when every wallet checks out."""
        if self._passphrase is None or self._running is not None or not self.writable_or_say():
            if self._passphrase is None:
                self._say("The vault locked meanwhile: unlock it and try again.", error=True)
            new.wipe()
            return
        records = self.model.records()
        self._pending_rotation = (new, iterations)
        relay = start_task(partial(rotate_work, records, self._passphrase.copy(), new.copy(), self.iterations,
                                   iterations, self.workers),
                           self, self._on_rotation_planned, self._on_rotation_failed, self.runProgress.emit)
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
            written = self.wallets.write_rotation(plan)
        except (VaultWriteError, DatabaseError) as exc:
            new.wipe()
            self._log("vault_rotate", success=False, wallets=len(plan.items), error=str(exc))
            self._say(f"Nothing was changed: {exc}", error=True)
            return
        self._passphrase.wipe()
        self._passphrase, self.iterations = new, iterations
        self.model.clear_results()
        self.follow.reload()
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

    # -- import ----------------------------------------------------------------------
    def start_import(self, key: Secret, user_id: int, label: str, make_default: bool) -> None:
        """Seal the key on a thread (checked to decrypt back), then insert it."""
        if self._passphrase is None or not self.writable_or_say():
            if self._passphrase is None:
                self._say("The vault locked meanwhile: unlock it and try again.", error=True)
            key.wipe()
            return
        form = storage_form(self.domain, self.model.records())
        self.importing = True
        self.stateChanged.emit()
        self._say("Sealing the key…")
        start_task(partial(import_work, key, self._passphrase.copy(), user_id, label, form, make_default,
                           self.iterations), self, self._on_import_sealed, self._on_import_failed)

    @Slot(object)
    def _on_import_sealed(self, plan: ImportPlan) -> None:
        self.importing = False
        self.stateChanged.emit()
        try:
            key = self.wallets.insert(plan)
        except (VaultWriteError, DatabaseError) as exc:
            self._log("vault_import", success=False, user_id=plan.user_id, address=plan.address, error=str(exc))
            self._say(f"Not imported: {exc}", error=True)
            return
        self._log("vault_import", success=True, wallet=str(key), user_id=plan.user_id, address=plan.address)
        self.follow.reload()
        self.walletImported.emit(key)
        self._say(f"Imported wallet {key} ({plan.address}).")

    @Slot(object)
    def _on_import_failed(self, exc: BaseException) -> None:
        self.importing = False
        self.stateChanged.emit()
        self._log("vault_import", success=False, error=safe_message(exc))
        self._say(f"Not imported: {safe_message(exc)}", error=True)
