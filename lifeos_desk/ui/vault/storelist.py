"""The store list above the wallets: each store's kind, path, key count, KDF and lock state.

One row per store (docs/data-formats.md, 'Wallet passphrases': each store has
its own passphrase): the public users' database, each treasury wallet folder,
each treasury keypair file and its rotated copies, and the plaintext key
files, which need no passphrase and are flagged in red.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from ...core.keystores.find import PUBLIC_KDF, PUBLIC_STORE
from ...core.keystores.model import KeyStore, StoreKind

HEADERS = ("Store", "Kind", "Keys", "Key derivation", "State", "Path")
_COLORS = {"unlocked": "#e65100", "locked": "#455a64", "plaintext": "#d64545"}


@dataclass(frozen=True)
class StoreLine:
    """What one row shows (no secret)."""

    name: str
    kind: str
    keys: int
    kdf: str
    state: str  # "locked", "unlocked", "plaintext", or "locked — wrong passphrase"
    path: str
    tip: str = ""


def store_line(store: KeyStore, unlocked: bool, refusal: str = "") -> StoreLine:
    """A non-public store's row."""
    if store.kind is StoreKind.PLAINTEXT:
        state, kdf = "plaintext", "none: readable without a passphrase"
    else:
        state = "unlocked" if unlocked else ("locked — " + refusal if refusal else "locked")
        kdf = store.kdf.describe() if store.kdf else "—"
    tip = "; ".join(store.problems)
    if store.env_vars:
        tip = (tip + "; " if tip else "") + "the bot reads its passphrase from " + ", ".join(store.env_vars)
    return StoreLine(store.name, store.kind.value, len(store.wallets), kdf, state, str(store.path), tip)


def public_line(wallets: int, iterations: int, unlocked: bool, db: Path) -> StoreLine:
    """The public users' database's row."""
    return StoreLine(PUBLIC_STORE, StoreKind.PUBLIC_DB.value, wallets,
                     f"{PUBLIC_KDF.name}, {iterations:,} iterations per wallet",
                     "unlocked" if unlocked else "locked", str(db),
                     "the bot reads its passphrase from JARVIS_PUBLIC_WALLET_PASSWORD")


class StoreList(QTableWidget):
    """The stores, one row each; a read-only table that never widens the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setObjectName("vaultStores")
        self.setHorizontalHeaderLabels(list(HEADERS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().hide()
        self.setAlternatingRowColors(True)
        head = self.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    def set_lines(self, lines: list[StoreLine]) -> None:
        """Show these rows; the height fits up to four stores, more scroll (the wallets keep the room)."""
        self.setRowCount(len(lines))
        for row, line in enumerate(lines):
            values = (line.name, line.kind, str(line.keys), line.kdf, line.state, line.path)
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(line.tip or line.path)
                if col == 4:
                    item.setForeground(QColor(_COLORS.get(line.state.split(" ")[0], "#d64545")))
                self.setItem(row, col, item)
        rows = min(max(len(lines), 1), 4)
        head, row_h = self.horizontalHeader().sizeHint().height(), self.verticalHeader().defaultSectionSize()
        self.setMaximumHeight(head + rows * row_h + 4)
        self.setMinimumHeight(head + min(rows, 2) * row_h // 2 * 2 + 4)  # small windows: the list scrolls

    def state_of(self, name: str) -> str:
        """The State cell of a store (tests)."""
        for row in range(self.rowCount()):
            item = self.item(row, 0)
            if item is not None and item.text() == name:
                state = self.item(row, 4)
                return state.text() if state is not None else ""
        return ""
