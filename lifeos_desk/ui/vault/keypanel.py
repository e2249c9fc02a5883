"""The selected wallet's key: decrypted on request, masked until shown, copied as a secret.

The field shows dots until "Show" is toggled; locking (or choosing another
wallet) empties it and re-masks it. Widgets keep their own copies of text, so
clearing the field is best effort — the same limit every Qt password field has.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ...core.vault import WalletRecord
from .model import KIND_WORDS, StoreRow

_SELECTING = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove,
                        QEvent.Type.MouseButtonRelease})


MASKED_HINT = "Decrypted in memory. Masked: press Show to read it."
SHOWN_HINT = "Decrypted in memory. Shown: press Hide to mask it again."


class KeyPanel(QGroupBox):
    """Reveal, show and copy one wallet's key.

    Signals:
        revealRequested(): decrypt the selected wallet's key into the field.
        copyRequested(): copy the selected wallet's key (decrypting it first if needed).
        shownChanged(bool): the admin unmasked (True) or masked the key.
    """

    revealRequested = Signal()
    copyRequested = Signal()
    shownChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Selected wallet", parent)
        self.wallet_label = QLabel("Select a wallet in the list.")
        self.wallet_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_field = QLineEdit()
        self.key_field.setObjectName("vaultKeyField")
        self.key_field.setReadOnly(True)
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_field.setPlaceholderText("secret key (decrypted in memory on request)")
        # Copying goes through "Copy key" only (marked as a secret, cleared later):
        # no context menu, no mouse selection (on X11 a selection is itself a
        # clipboard), and Ctrl+C is turned into the secret copy.
        self.key_field.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.key_field.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.key_field.installEventFilter(self)
        self.reveal_button = QPushButton("Decrypt key")
        self.reveal_button.setToolTip("Decrypt this wallet's key into the field (masked until you press Show)")
        self.reveal_button.clicked.connect(self.revealRequested)
        self.show_button = QPushButton("Show")
        self.show_button.setCheckable(True)
        self.show_button.setToolTip("Unmask the key; it is masked again on lock")
        self.show_button.toggled.connect(self._on_show_toggled)
        self.copy_button = QPushButton("Copy key")
        self.copy_button.setToolTip("Copy the key, marked as a secret for clipboard managers; cleared after a while")
        self.copy_button.clicked.connect(self.copyRequested)
        self.clipboard_label = QLabel()
        self.clipboard_label.setObjectName("vaultClipboardLabel")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self._build()
        self.set_wallet(None, unlocked=False)

    def _build(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.key_field, 1)
        for b in (self.reveal_button, self.show_button, self.copy_button):
            row.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.wallet_label)
        layout.addLayout(row)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.clipboard_label)
        layout.addLayout(bottom)

    def set_wallet(self, record: WalletRecord | None, unlocked: bool) -> None:
        """Show which wallet is selected; buttons work only while unlocked."""
        self.clear_key()
        if record is None:
            self.wallet_label.setText("Select a wallet in the list.")
        else:
            owner = record.owner or (f"user {record.user_id}" if record.user_id is not None else "no owner")
            self.wallet_label.setText(f"<b>{record.key}</b> · {owner} · {record.address}")
        for b in (self.reveal_button, self.copy_button):
            b.setEnabled(unlocked and record is not None)
        self.status_label.setText("" if unlocked else "Unlock the vault to decrypt this key.")

    def set_store_wallet(self, row: StoreRow, unlocked: bool) -> None:
        """A key of another store (treasury, keypair, plaintext): same buttons, its own store's lock."""
        self.clear_key()
        label = f" · {row.key.label}" if row.key.label else ""
        self.wallet_label.setText(f"<b>{row.store}</b> ({KIND_WORDS[row.kind]}) · {row.key.key}{label} · "
                                  f"{row.key.address or 'no address stored'}")
        for b in (self.reveal_button, self.copy_button):
            b.setEnabled(unlocked)
        self.status_label.setText("" if unlocked else f"Unlock the store {row.store} to decrypt this key.")

    def show_key(self, text: str) -> None:
        """Put a decrypted key in the field, masked."""
        self.show_button.setChecked(False)
        self.key_field.setText(text)
        self.show_button.setEnabled(True)
        self.status_label.setText(MASKED_HINT)

    def clear_key(self) -> None:
        """Empty the field and mask it again."""
        self.show_button.setChecked(False)
        self.key_field.clear()
        self.show_button.setEnabled(False)

    def set_busy(self, busy: bool) -> None:
        """While a key is being decrypted."""
        self.reveal_button.setEnabled(not busy)
        self.copy_button.setEnabled(not busy)
        if busy:
            self.status_label.setText("Decrypting…")

    @property
    def has_key(self) -> bool:
        """Whether a decrypted key is in the field."""
        return bool(self.key_field.text())

    @property
    def shown(self) -> bool:
        """Whether the key is unmasked."""
        return self.key_field.echoMode() == QLineEdit.EchoMode.Normal

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Keep the key out of unmarked copies: block mouse selection, route Ctrl+C to the secret copy."""
        if watched is self.key_field:
            if event.type() in _SELECTING:
                return True
            if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                    and event.matches(QKeySequence.StandardKey.Copy):
                if self.copy_button.isEnabled():
                    self.copyRequested.emit()
                return True
        return False

    @Slot(bool)
    def _on_show_toggled(self, shown: bool) -> None:
        self.key_field.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_button.setText("Hide" if shown else "Show")
        if self.has_key:  # the hint follows the field, not the moment the key arrived
            self.status_label.setText(SHOWN_HINT if shown else MASKED_HINT)
        self.shownChanged.emit(shown)
