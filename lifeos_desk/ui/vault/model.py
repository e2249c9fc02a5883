"""The wallet list: store, owner, label/source, address, default flag, verify status.

The public users' wallets (``WalletRecord``s, from the database) come first;
then the keys of every other store (treasury folders, keypair files,
plaintext files: ``StoreRow``s, from core/keystores). Holds records, stored
keys and results only, none of which carries a secret in readable form; no
role returns a stored envelope.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ...core.keystores.find import PUBLIC_STORE
from ...core.keystores.model import StoredKey, StoreKind, WalletResult, WalletStatus
from ...core.schema import Domain, SchemaKind
from ...core.vault import VerifyResult, VerifyStatus, WalletKey, WalletRecord

Index = QModelIndex | QPersistentModelIndex
KeyRole = Qt.ItemDataRole.UserRole + 1  # the wallet key (int, str, or RowKey: core.wallet_ids)
StatusRole = Qt.ItemDataRole.UserRole + 2  # VerifyStatus or None

STATUS_COLORS = {
    VerifyStatus.VERIFIED: "#2e9d4f",
    VerifyStatus.ADDRESS_MISMATCH: "#d9822b",
    VerifyStatus.WRONG_PASSPHRASE: "#d64545",
    VerifyStatus.TAMPERED: "#d64545",
    VerifyStatus.UNRECOGNISED: "#9a6fd1",
}
STORE_STATUS_COLORS = {
    WalletStatus.VERIFIED: "#2e9d4f",
    WalletStatus.ADDRESS_MISMATCH: "#d9822b",
    WalletStatus.WRONG_PASSPHRASE: "#d64545",
    WalletStatus.TAMPERED: "#d64545",
    WalletStatus.UNRECOGNISED: "#9a6fd1",
    WalletStatus.PLAINTEXT: "#d64545",  # flagged: anyone who reads the file holds the key
    WalletStatus.NOT_CHECKED: "#808080",
}
KIND_WORDS = {StoreKind.PUBLIC_DB: "public user", StoreKind.TREASURY_DIR: "treasury",
              StoreKind.KEYPAIR: "treasury keypair", StoreKind.PLAINTEXT: "plaintext file"}


@dataclass(frozen=True)
class StoreRow:
    """One key of a non-public store, as the table shows it (no secret: ``StoredKey`` hides its payload)."""

    store: str
    kind: StoreKind
    key: StoredKey

    @property
    def ident(self) -> tuple[str, str]:
        """(store, key): what ``KeyRole`` returns for this row."""
        return self.store, self.key.key


class Column(enum.IntEnum):
    """Columns in display order."""

    STORE = 0
    WALLET = 1
    OWNER = 2
    LABEL = 3
    ADDRESS = 4
    DEFAULT = 5
    STATUS = 6


def headers_for(domain: Domain | None) -> list[str]:
    """Column titles in the schema's own words (label/default vs source/primary)."""
    deployed = domain is not None and domain.kind is SchemaKind.DEPLOYED
    return ["Store", "Wallet", "Owner", "Source" if deployed else "Label", "Address",
            "Primary" if deployed else "Default", "Status"]


class WalletTableModel(QAbstractTableModel):
    """Wallets of every store and their last verify status: public rows first, then store rows."""

    def __init__(self, domain: Domain | None, parent: Any = None) -> None:
        super().__init__(parent)
        self._headers = headers_for(domain)
        self._records: list[WalletRecord] = []
        self._results: dict[WalletKey, VerifyResult] = {}
        self._rows: dict[WalletKey, int] = {}
        self._extra: list[StoreRow] = []
        self._extra_results: dict[tuple[str, str], WalletResult] = {}

    # -- content -----------------------------------------------------------------
    def set_records(self, records: Sequence[WalletRecord]) -> None:
        """Replace the wallets; statuses of wallets still present are kept."""
        self.beginResetModel()
        self._records = list(records)
        self._rows = {r.key: i for i, r in enumerate(self._records)}
        self._results = {k: v for k, v in self._results.items() if k in self._rows}
        self.endResetModel()

    def set_store_rows(self, rows: Sequence[StoreRow]) -> None:
        """Replace the keys of the other stores (after the stores were read)."""
        self.beginResetModel()
        self._extra = list(rows)
        idents = {r.ident for r in self._extra}
        self._extra_results = {k: v for k, v in self._extra_results.items() if k in idents}
        self.endResetModel()

    def set_store_results(self, results: Sequence[WalletResult]) -> None:
        """Show what unlocking or verifying a store found (only the status column changes)."""
        for result in results:
            self._extra_results[(result.store, result.key)] = result
        if self._extra:
            first, last = len(self._records), len(self._records) + len(self._extra) - 1
            self.dataChanged.emit(self.index(first, Column.STATUS), self.index(last, Column.STATUS))

    def clear_store_results(self, stores: Sequence[str]) -> None:
        """Forget the statuses of these stores (they were locked)."""
        names = set(stores)
        self._extra_results = {k: v for k, v in self._extra_results.items() if k[0] not in names}
        if self._extra:
            first, last = len(self._records), len(self._records) + len(self._extra) - 1
            self.dataChanged.emit(self.index(first, Column.STATUS), self.index(last, Column.STATUS))

    def store_row(self, row: int) -> StoreRow | None:
        """The non-public key shown in a source row (None for a public wallet's row)."""
        i = row - len(self._records)
        return self._extra[i] if 0 <= i < len(self._extra) else None

    def store_rows(self) -> list[StoreRow]:
        """Every non-public key, in store order."""
        return list(self._extra)

    def store_result(self, store: str, key: str) -> WalletResult | None:
        """The last result of a non-public key, if any."""
        return self._extra_results.get((store, key))

    def is_public_row(self, row: int) -> bool:
        """Whether a source row is a public user's wallet."""
        return 0 <= row < len(self._records)

    def set_results(self, results: Mapping[WalletKey, VerifyResult]) -> None:
        """Show verify results (only the status column changes)."""
        for key, result in results.items():
            row = self._rows.get(key)
            if row is None:
                continue
            self._results[key] = result
            idx = self.index(row, Column.STATUS)
            self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole,
                                             Qt.ItemDataRole.ToolTipRole, StatusRole])

    def clear_results(self) -> None:
        """Forget every status (e.g. after the keys were re-encrypted)."""
        if not self._results:
            return
        self._results.clear()
        if self._records:
            self.dataChanged.emit(self.index(0, Column.STATUS), self.index(len(self._records) - 1, Column.STATUS))

    def record(self, row: int) -> WalletRecord:
        """The wallet shown in a source row."""
        return self._records[row]

    def records(self) -> list[WalletRecord]:
        """All wallets, in load order."""
        return list(self._records)

    def result(self, key: WalletKey) -> VerifyResult | None:
        """The last verify result of a wallet, if any."""
        return self._results.get(key)

    # -- Qt model ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        """Wallet count (flat table)."""
        return 0 if parent.isValid() else len(self._records) + len(self._extra)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        """Seven columns."""
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column titles in the schema's words."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self._headers):
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Display text, status colour and detail tooltip, sort keys."""
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        if index.row() >= len(self._records):
            return self._store_data(self._extra[index.row() - len(self._records)], index.column(), role)
        rec = self._records[index.row()]
        col = index.column()
        result = self._results.get(rec.key)
        if role == KeyRole:
            return rec.key
        if role == StatusRole:
            return result.status if result else None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(rec, col, result)
        if role == Qt.ItemDataRole.ForegroundRole and col == Column.STATUS and result is not None:
            return QColor(STATUS_COLORS[result.status])
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == Column.STATUS:
                return result.detail or result.status.value if result else "not verified in this session"
            if col == Column.ADDRESS:
                return rec.address
        if role == Qt.ItemDataRole.TextAlignmentRole and col == Column.DEFAULT:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _store_data(self, row: StoreRow, col: int, role: int) -> Any:
        """A non-public key's cells: store name, file, kind, label, address, status (plaintext flagged)."""
        result = self._extra_results.get(row.ident)
        plaintext = row.kind is StoreKind.PLAINTEXT
        status = result.status if result else (WalletStatus.PLAINTEXT if plaintext else None)
        if role == KeyRole:
            return row.ident
        if role == StatusRole:
            return status
        if role == Qt.ItemDataRole.DisplayRole:
            texts = {Column.STORE: row.store, Column.WALLET: row.key.key, Column.OWNER: KIND_WORDS[row.kind],
                     Column.LABEL: row.key.label, Column.ADDRESS: row.key.address or "—", Column.DEFAULT: ""}
            if col in texts:
                return texts[Column(col)]
            if status is WalletStatus.PLAINTEXT:
                return "⚠ plaintext (no passphrase)"
            return status.value if status else "locked"
        if role == Qt.ItemDataRole.ForegroundRole and col == Column.STATUS and status is not None:
            return QColor(STORE_STATUS_COLORS[status])
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == Column.STATUS:
                if result is not None:
                    return result.detail or result.status.value
                return "readable by anyone who can read the file" if plaintext else "unlock the store to check it"
            if col in (Column.STORE, Column.WALLET):
                return str(row.key.path)
        return None

    @staticmethod
    def _display(rec: WalletRecord, col: int, result: VerifyResult | None) -> str:
        if col == Column.STORE:
            return PUBLIC_STORE
        if col == Column.WALLET:
            return str(rec.key)
        if col == Column.OWNER:
            return rec.owner or (f"user {rec.user_id}" if rec.user_id is not None else "—")
        if col == Column.LABEL:
            return rec.label
        if col == Column.ADDRESS:
            return rec.address
        if col == Column.DEFAULT:
            return "✓" if rec.is_default else ""
        return result.status.value if result else "—"
