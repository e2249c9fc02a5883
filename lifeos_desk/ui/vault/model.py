"""The wallet list: owner, label/source, address, default flag, verify status.

Holds ``WalletRecord``s and ``VerifyResult``s only, neither of which carries a
secret in readable form; no role returns the stored envelope.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

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


class Column(enum.IntEnum):
    """Columns in display order."""

    WALLET = 0
    OWNER = 1
    LABEL = 2
    ADDRESS = 3
    DEFAULT = 4
    STATUS = 5


def headers_for(domain: Domain | None) -> list[str]:
    """Column titles in the schema's own words (label/default vs source/primary)."""
    deployed = domain is not None and domain.kind is SchemaKind.DEPLOYED
    return ["Wallet", "Owner", "Source" if deployed else "Label", "Address",
            "Primary" if deployed else "Default", "Status"]


class WalletTableModel(QAbstractTableModel):
    """Wallets and their last verify status."""

    def __init__(self, domain: Domain | None, parent: Any = None) -> None:
        super().__init__(parent)
        self._headers = headers_for(domain)
        self._records: list[WalletRecord] = []
        self._results: dict[WalletKey, VerifyResult] = {}
        self._rows: dict[WalletKey, int] = {}

    # -- content -----------------------------------------------------------------
    def set_records(self, records: Sequence[WalletRecord]) -> None:
        """Replace the wallets; statuses of wallets still present are kept."""
        self.beginResetModel()
        self._records = list(records)
        self._rows = {r.key: i for i, r in enumerate(self._records)}
        self._results = {k: v for k, v in self._results.items() if k in self._rows}
        self.endResetModel()

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
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        """Six columns."""
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
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
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

    @staticmethod
    def _display(rec: WalletRecord, col: int, result: VerifyResult | None) -> str:
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
