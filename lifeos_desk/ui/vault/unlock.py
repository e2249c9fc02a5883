"""The unlock form: masked passphrase, which store it is for, caps-lock warning, busy state, back-off.

The form hands the passphrase over as a ``Secret`` and empties the field at
once, so the text does not linger in the widget while the key is derived.
Qt has no portable caps-lock query, so the warning is inferred from typed
letters (an upper-case letter without Shift, or lower-case with it), which is
what password fields commonly do.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.keys import BOT_ITERATIONS
from ...core.secrets import Secret
from ...core.vault import MAX_ITERATIONS


def caps_lock_guess(text: str, shift: bool) -> bool | None:
    """True/False if a typed character tells whether caps lock is on; None if it cannot."""
    if len(text) != 1 or not text.isalpha() or text.upper() == text.lower():
        return None
    return text.isupper() != shift


EVERY_LOCKED = "*"  # the target meaning "try it on every locked store"


class UnlockForm(QWidget):
    """Asks for a store's passphrase (or one for every locked store: it unlocks each store it opens).

    Signals:
        submitted(object): a ``Secret`` with the passphrase, and the iteration count (int).
    """

    submitted = Signal(object, int)

    def __init__(self, demo_passphrase: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("vaultPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("the bot's JARVIS_PUBLIC_WALLET_PASSWORD")
        self.passphrase.setMinimumWidth(320)
        self.passphrase.setMaximumWidth(520)
        self.passphrase.installEventFilter(self)
        self.passphrase.returnPressed.connect(self.submit)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        self.iterations = QSpinBox()
        self.iterations.setRange(1, MAX_ITERATIONS)
        self.iterations.setSingleStep(10_000)
        self.iterations.setGroupSeparatorShown(True)
        self.iterations.setValue(BOT_ITERATIONS)
        self.iterations.setMaximumWidth(140)
        self.iterations.setToolTip("PBKDF2 iterations the keys were sealed with; the bot uses 100,000")
        self.caps_label = QLabel("⚠ Caps Lock is on")
        self.caps_label.setStyleSheet("color:#d9822b;font-weight:bold;")
        self.caps_label.hide()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.busy_label = QLabel("Deriving the key…")
        self.busy_label.setObjectName("vaultUnlockBusy")
        self.busy_label.setWordWrap(True)
        self.busy_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.busy_label.hide()
        self.target = QComboBox()
        self.target.setObjectName("vaultUnlockTarget")
        self.target.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.target.setMinimumContentsLength(28)
        self.target.setToolTip("Each store has its own passphrase; one that opens several stores unlocks them all")
        self.target_label = QLabel("Store:")
        self.error_label = QLabel()
        self.error_label.setObjectName("vaultUnlockError")
        self.error_label.setStyleSheet("color:#d64545;")
        self.error_label.setWordWrap(True)
        self.error_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.error_label.hide()
        self.demo_label = QLabel(f"Demo home passphrase: <b>{demo_passphrase}</b>" if demo_passphrase else "")
        self.demo_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.demo_label.setVisible(bool(demo_passphrase))
        self._hold_until = 0.0
        self._hold_message = ""
        self._hold_timer = QTimer(self)
        self._hold_timer.setInterval(200)
        self._hold_timer.timeout.connect(self._update_hold)
        self._build()

    def _build(self) -> None:
        self.title = title = QLabel()
        self.set_title("The vault is locked")
        title.setWordWrap(True)
        title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout()
        row.addWidget(self.passphrase, 1)
        row.addWidget(self.unlock_button)
        row.addWidget(self.busy)
        row.addStretch(1)
        form = QFormLayout()
        form.addRow(self.target_label, self.target)
        form.addRow("Passphrase:", row)
        form.addRow("", self.busy_label)
        form.addRow("", self.caps_label)
        form.addRow("", self.demo_label)
        iterations_row = QHBoxLayout()
        iterations_row.addWidget(self.iterations)
        iterations_row.addWidget(QLabel("(the bot seals and opens keys with 100,000)"))
        iterations_row.addStretch(1)
        form.addRow("PBKDF2 iterations:", iterations_row)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.error_label)

    def set_title(self, heading: str) -> None:
        """The heading over the form ("The vault is locked", "2 of 4 stores locked")."""
        self.title.setText(f"<h3>{heading}</h3>Unlock with a store's passphrase to reveal, copy, verify or "
                           "re-encrypt keys. Keys are decrypted in memory only; locking forgets them.")

    # -- which store -----------------------------------------------------------------
    def set_targets(self, targets: list[tuple[str, str]]) -> None:
        """The stores still locked, as (shown text, store name); the first entry is every locked store.

        The row is hidden when there is only one store to unlock (nothing to choose).
        """
        current = self.current_target()
        self.target.blockSignals(True)
        self.target.clear()
        if len(targets) > 1:
            self.target.addItem(f"every locked store ({len(targets)})", EVERY_LOCKED)
        for text, name in targets:
            self.target.addItem(text, name)
        index = self.target.findData(current)
        self.target.setCurrentIndex(max(0, index))
        self.target.blockSignals(False)
        self.target.setVisible(len(targets) > 1)
        self.target_label.setVisible(len(targets) > 1)

    def current_target(self) -> str:
        """The chosen store's name, or ``EVERY_LOCKED``."""
        data = self.target.currentData()
        return data if isinstance(data, str) else EVERY_LOCKED

    def choose_target(self, name: str) -> bool:
        """Select a store by name (tests, the screenshot states)."""
        index = self.target.findData(name)
        if index >= 0:
            self.target.setCurrentIndex(index)
        return index >= 0

    # -- input ---------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Infer caps lock from the letters typed into the passphrase field."""
        if watched is self.passphrase and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_CapsLock:
                self.caps_label.setVisible(not self.caps_label.isVisible())
            else:
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                guess = caps_lock_guess(event.text(), shift)
                if guess is not None:
                    self.caps_label.setVisible(guess)
        return False

    @Slot()
    def submit(self) -> None:
        """Hand the passphrase over and empty the field."""
        if not self.unlock_button.isEnabled():
            return
        text = self.passphrase.text()
        if not text:
            self.show_error("Type the passphrase first.")
            return
        self.passphrase.clear()
        self.submitted.emit(Secret(text), self.iterations.value())

    # -- states --------------------------------------------------------------------
    def set_busy(self, busy: bool, text: str = "") -> None:
        """Disable the form and show the busy indicator while the key is derived (``text``: what it costs)."""
        self.busy_label.setText(text or "Deriving the key…")
        for w in (self.passphrase, self.unlock_button, self.iterations, self.target):
            w.setEnabled(not busy)
        self.busy.setVisible(busy)
        self.busy_label.setVisible(busy)
        if busy:
            self.error_label.hide()
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()
            self.passphrase.setFocus()

    def show_error(self, text: str) -> None:
        """An inline message under the form."""
        self.error_label.setText(text)
        self.error_label.show()

    def hold_off(self, seconds: float, message: str) -> None:
        """Keep the form disabled for a while after repeated failures, counting down."""
        self._hold_message = message
        self._hold_until = time.monotonic() + seconds
        self.passphrase.setEnabled(False)
        self.unlock_button.setEnabled(False)
        self._hold_timer.start()
        self._update_hold()

    @Slot()
    def _update_hold(self) -> None:
        left = self._hold_until - time.monotonic()
        if left <= 0:
            self._hold_timer.stop()
            self.passphrase.setEnabled(True)
            self.unlock_button.setEnabled(True)
            self.show_error(self._hold_message)
            self.passphrase.setFocus()
            return
        self.show_error(f"{self._hold_message} Try again in {math.ceil(left)} s.")

    @property
    def holding(self) -> bool:
        """Whether the form is in its back-off delay."""
        return self._hold_timer.isActive()

    def reset(self) -> None:
        """Fresh form (after a lock): no error, no caps warning, empty field."""
        self.passphrase.clear()
        self.error_label.hide()
        self.caps_label.hide()
