"""One typed passphrase, every store it is meant for: the public wallets and the other stores.

The form names a target: one store, or every locked store. The public
wallets are checked by ``VaultController`` (PBKDF2 on a few wallets), the
other stores by ``StoresController`` (core ``unlock_many``: a passphrase
shared by several stores unlocks them all). Both run off the UI thread; this
object waits for both, then re-enables the form and says, per store, which
refused it (with the longer of their growing delays). It holds no secret:
each controller gets its own copy and the typed one is wiped at once.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from ...core.keystores.find import PUBLIC_KDF, PUBLIC_STORE
from ...core.secrets import Secret
from .controller import VaultController
from .stores import StoresController
from .unlock import EVERY_LOCKED, UnlockForm


class UnlockFlow(QObject):
    """Sends a submitted passphrase to the stores it targets and gathers their answers.

    Signals:
        finished(): every store tried has answered (redraw the lock states).
    """

    finished = Signal()

    def __init__(self, form: UnlockForm, vault: VaultController, stores: StoresController,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.vault = vault
        self.stores = stores
        self._waiting: set[str] = set()
        self._refused: list[str] = []
        self._public_message = ""
        self._delay = 0.0
        form.submitted.connect(self.submit)
        vault.lockedChanged.connect(self._on_public_locked_changed)
        vault.unlockRefused.connect(self._on_public_refused)
        stores.unlockFinished.connect(self._on_stores_finished)

    @property
    def busy(self) -> bool:
        """Whether a passphrase is being checked somewhere."""
        return bool(self._waiting)

    def public_locked(self) -> bool:
        """The public wallets need unlocking (they are locked; a home without wallets counts only alone)."""
        return not self.vault.unlocked

    def locked_targets(self) -> list[tuple[str, str]]:
        """(shown text, name) of every store still locked, public first."""
        out = []
        if self.public_locked() and (self.vault.model.records() or not self.stores.locked_names()):
            out.append((f"{PUBLIC_STORE} — {len(self.vault.model.records())} user wallets", PUBLIC_STORE))
        for name in self.stores.locked_names():
            store = self.stores.get(name)
            kind = store.kind.value if store else ""
            out.append((f"{name} — {kind}", name))
        return out

    @Slot(object, int)
    def submit(self, secret: Secret, iterations: int) -> None:
        """Try the passphrase on the chosen store, or on every locked store."""
        target = self.form.current_target()
        names = [n for _, n in self.locked_targets()] if target == EVERY_LOCKED else [target]
        self._refused, self._public_message, self._delay = [], "", 0.0
        costs = []
        if PUBLIC_STORE in names and self.public_locked():
            self._waiting.add(PUBLIC_STORE)
            costs.append(f"{PUBLIC_STORE}: {PUBLIC_KDF.name} {iterations:,} on a few wallets")
        others = [n for n in names if n != PUBLIC_STORE]
        if others and self.stores.unlock(others, secret.copy()):
            self._waiting.add("stores")
            costs.append(self.stores.busy_text_for(others))
        if not self._waiting:
            secret.wipe()
            self.form.show_error("Every store it was meant for is unlocked already.")
            return
        self.form.set_busy(True, "Deriving keys — " + "; ".join(costs) + ". The window stays usable.")
        if PUBLIC_STORE in self._waiting:
            self.vault.unlock(secret.copy(), iterations)
        secret.wipe()

    @Slot(bool)
    def _on_public_locked_changed(self, locked: bool) -> None:
        if not locked:
            self._part_done(PUBLIC_STORE)

    @Slot(str, float)
    def _on_public_refused(self, message: str, delay: float) -> None:
        self._public_message = message
        self._refused.append(PUBLIC_STORE)
        self._delay = max(self._delay, delay)
        self._part_done(PUBLIC_STORE)

    @Slot(object, object, float)
    def _on_stores_finished(self, opened: list[str], refused: list[str], delay: float) -> None:
        self._refused += refused
        self._delay = max(self._delay, delay)
        self._part_done("stores")

    def _part_done(self, part: str) -> None:
        if part not in self._waiting:
            return
        self._waiting.discard(part)
        if self._waiting:
            return
        self.form.set_busy(False)
        message = self._message()
        if message and self._delay > 0:
            self.form.hold_off(self._delay, message)
        elif message:
            self.form.show_error(message)
        else:
            self.form.error_label.hide()
        self.finished.emit()

    def _message(self) -> str:
        others = [n for n in self._refused if n != PUBLIC_STORE]
        parts = [self._public_message] if self._public_message else []
        if others:
            reasons = [f"{n} ({self.stores.refusals.get(n, 'wrong passphrase')})" for n in others]
            parts.append("Not opened by it: " + ", ".join(reasons) + ".")
        return " ".join(parts)

    def reset(self) -> None:
        """The vault locked: nothing is awaited any more (late answers are dropped by the controllers)."""
        self._waiting.clear()
        self.form.set_busy(False)
