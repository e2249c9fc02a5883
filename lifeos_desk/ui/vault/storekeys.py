"""Reveal and copy for the keys of every other store: treasury folders, keypair files, plaintext files.

issue 13: "the same rules as today hold for every store". The public wallets'
reveal is ``VaultController``'s; this object does the same for a selected
``StoreRow``: decrypt on ``StoresController``'s job queue (one KDF at a time —
a keypair's Argon2id takes 256 MiB, docs/architecture.md, 'Argon2id cost'),
hold at most one decrypted key, show it masked in the key panel, copy it
through the controller's ``SecretClipboard`` (marked secret, cleared after
``clipboard_clear_s``, only if still ours), and wipe it on lock, on another
selection and when the area goes. Reveal, show and copy are audited with the
store, key and address, never the secret.

It listens to the key panel's signals itself; the area's own slots act only
on public rows, so each row kind has one owner.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QSortFilterProxyModel, Slot
from PySide6.QtWidgets import QTableView

from ...core.audit import AuditWriter
from ...core.secrets import Secret
from .controller import VaultController
from .keypanel import KeyPanel
from .model import StoreRow, WalletTableModel
from .stores import StoresController
from .tasks import safe_message


class StoreKeys(QObject):
    """The key panel's owner while a non-public store's key is selected."""

    def __init__(self, table: QTableView, proxy: QSortFilterProxyModel, panel: KeyPanel, vault: VaultController,
                 stores: StoresController, audit: AuditWriter, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.table, self.proxy, self.panel = table, proxy, panel
        self.vault, self.stores, self._audit = vault, stores, audit
        self._model: WalletTableModel = vault.model
        self._revealed: Secret | None = None
        self._revealed_id: tuple[str, str] | None = None
        self._request = 0  # bumped by every drop: a late answer for an older request is wiped
        panel.revealRequested.connect(self.reveal_selected)
        panel.copyRequested.connect(self.copy_selected)
        panel.shownChanged.connect(self._on_shown)
        # Connected before the area's own slots: the key is wiped before the panel is redrawn.
        vault.lockApplied.connect(self.drop)
        stores.storesChanged.connect(self._on_stores_changed)

    # -- what is selected ------------------------------------------------------------
    def selected_row(self) -> StoreRow | None:
        """The selected row when it is a key of a non-public store."""
        selection = self.table.selectionModel()
        rows = selection.selectedRows() if selection is not None else []
        if not rows:
            return None
        return self._model.store_row(self.proxy.mapToSource(rows[0]).row())

    @property
    def revealed_id(self) -> tuple[str, str] | None:
        """(store, key) of the decrypted key held, if any."""
        return self._revealed_id if self._revealed is not None else None

    def revealed_text(self) -> str:
        """The decrypted key held ("" when none); a short-lived copy for the panel."""
        return self._revealed.reveal() if self._revealed is not None else ""

    def refresh_panel(self, public_unlocked: bool, record: Any) -> None:
        """Redraw the key panel for the selection: a store row here, a public row as before."""
        row = self.selected_row()
        if row is None:
            self.panel.set_wallet(record, unlocked=public_unlocked)
            return
        self.panel.set_store_wallet(row, unlocked=self.stores.is_unlocked(row.store))
        if self._revealed is not None and self._revealed_id == row.ident:
            self.panel.show_key(self._revealed.reveal())

    @Slot()
    def selection_changed(self) -> None:
        """Another row: a key decrypted for a different one is wiped; a store row fills the panel."""
        row = self.selected_row()
        if row is None or row.ident != self._revealed_id:
            self.drop()
        if row is not None:
            self.refresh_panel(False, None)

    # -- reveal, copy, show -----------------------------------------------------------
    @Slot()
    def reveal_selected(self, then_copy: bool = False) -> None:
        """Decrypt the selected store key into the panel, masked (no-op on public rows)."""
        row = self.selected_row()
        if row is None or not self.stores.is_unlocked(row.store):
            return
        self.drop()
        request = self._request
        if self.stores.open_key(row.store, row.key.key, partial(self._on_opened, row, request, then_copy),
                                partial(self._on_failed, row, request)):
            self.panel.set_busy(True)

    @Slot()
    def copy_selected(self) -> None:
        """Copy the selected store key as a secret (decrypting it first if needed)."""
        row = self.selected_row()
        if row is None:
            return
        if self._revealed is not None and self._revealed_id == row.ident:
            self._copy(row)
        else:
            self.reveal_selected(then_copy=True)

    def _on_opened(self, row: StoreRow, request: int, then_copy: bool, secret: Secret) -> None:
        current = self.selected_row()
        if request != self._request or current is None or current.ident != row.ident:
            secret.wipe()  # locked, or another row chosen meanwhile
            return
        self.panel.set_busy(False)
        self._revealed, self._revealed_id = secret, row.ident
        self.panel.show_key(secret.reveal())
        self._log("vault_reveal", store=row.store, wallet=row.key.key, address=row.key.address)
        if then_copy:
            self._copy(row)

    def _on_failed(self, row: StoreRow, request: int, exc: BaseException) -> None:
        if request != self._request:
            return
        self.panel.set_busy(False)
        status = getattr(exc, "status", None)
        self._log("vault_reveal", store=row.store, wallet=row.key.key, success=False,
                  status=getattr(status, "value", type(exc).__name__))
        self.panel.status_label.setText(f"Not decrypted: {safe_message(exc)}")

    def _copy(self, row: StoreRow) -> None:
        assert self._revealed is not None
        clear_ms = self.vault.timings.clipboard_clear_ms
        self.vault.clipboard.copy(self._revealed.reveal(), clear_ms)
        self._log("vault_copy", store=row.store, wallet=row.key.key, address=row.key.address,
                  clear_after_s=clear_ms / 1000)

    @Slot(bool)
    def _on_shown(self, shown: bool) -> None:
        row = self.selected_row()
        if shown and row is not None and self._revealed_id == row.ident:
            self._log("vault_key_shown", store=row.store, wallet=row.key.key, address=row.key.address)

    # -- wiping ----------------------------------------------------------------------
    @Slot()
    def drop(self) -> None:
        """Wipe the decrypted key (lock, another row, store gone) and forget pending answers."""
        self._request += 1
        if self._revealed is not None:
            self._revealed.wipe()
            self.panel.clear_key()
        self._revealed, self._revealed_id = None, None

    @Slot()
    def _on_stores_changed(self) -> None:
        """A store locked or vanished: a key of a store no longer open goes."""
        if self._revealed_id is not None and not self.stores.is_unlocked(self._revealed_id[0]):
            self.drop()

    def forget(self) -> None:
        """The area is being deleted: wipe without touching widgets."""
        self._request += 1
        if self._revealed is not None:
            self._revealed.wipe()
        self._revealed, self._revealed_id = None, None

    def _log(self, event: str, **fields: Any) -> None:
        try:
            self._audit.log(event, **fields)
        except OSError as exc:
            self.vault.message.emit(f"The audit log could not be written ({exc.strerror}).", True)


def forget_when_destroyed(controller: VaultController, stores: StoresController, keys: StoreKeys,
                          _obj: object = None) -> None:
    """The area's ``destroyed``: wipe every secret without touching widgets (a function: no bound method
    of the area may outlive it)."""
    controller.forget("area closed")
    stores.forget("area closed")
    keys.forget()
