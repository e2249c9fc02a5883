"""Rotate-passphrase and import-key dialogs. They collect input; the area does the work.

Both hand their secrets over as ``Secret`` holders and clear their fields
when closed, so typed passphrases and keys do not outlive the dialog. The
rotation dialog rates the new passphrase (strength.py, core/strength.py) and
can generate one (24 characters of a 56-character readable alphabet from the
OS's CSPRNG: 139 bits); it goes into both fields masked, never to a log or a
setting, and "Copy" copies it through the vault's ``SecretClipboard`` (marked
secret, cleared after ``clipboard_clear_s``, only if still ours).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.keys import BOT_ITERATIONS
from ...core.secrets import Secret
from ...core.strength import GENERATED_LENGTH, READABLE_ALPHABET, generate, generated_bits
from ...core.vault import MAX_ITERATIONS, ImportKeyError, address_of, parse_import_key
from .clipboard import SecretClipboard
from .strength import StrengthMeter

ITERATION_WARNING = (
    "<b>The running bot will not be able to read these keys.</b> It decrypts with exactly "
    f"{BOT_ITERATIONS:,} PBKDF2 iterations; keys sealed with any other count are unreadable to it until "
    "it is changed to match. This console can still open them (set the same count when unlocking)."
)


def _password_field(placeholder: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    field.setMinimumWidth(360)
    return field


class RotateDialog(QDialog):
    """Ask for the new passphrase (twice, rated, or generated) and the iteration count, with a plain warning."""

    def __init__(self, wallet_count: int, parent: QWidget | None = None, clipboard: SecretClipboard | None = None,
                 clear_after_ms: int = 20_000) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change the wallet passphrase")
        self._clipboard, self._clear_after_ms = clipboard, clear_after_ms
        self.new = _password_field("new passphrase")
        self.new.setObjectName("rotateNew")
        self.confirm = _password_field("the same again")
        self.confirm.setObjectName("rotateConfirm")
        for field in (self.new, self.confirm):  # copies go through "Copy" only (marked secret, cleared later)
            field.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.meter = StrengthMeter()
        self.generate_button = QPushButton("Generate")
        self.generate_button.setToolTip(f"{GENERATED_LENGTH} random characters without look-alikes "
                                        f"({len(READABLE_ALPHABET)}-character alphabet): "
                                        f"{generated_bits():.0f} bits")
        self.generate_button.clicked.connect(self.generate)
        self.show_button = QPushButton("Show")
        self.show_button.setCheckable(True)
        self.show_button.toggled.connect(self._on_show)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the new passphrase, marked secret; the clipboard is cleared after a while")
        self.copy_button.clicked.connect(self.copy_new)
        self.copy_button.setVisible(clipboard is not None)
        # Always there (a row appearing later would resize the dialog): says what Generate makes, then what it did.
        self.generated_label = QLabel(f"Generate makes {GENERATED_LENGTH} random characters: "
                                      f"{generated_bits():.0f} bits of entropy.")
        self.generated_label.setObjectName("rotateGenerated")
        self.generated_label.setWordWrap(True)
        self.iterations = QSpinBox()
        self.iterations.setRange(1, MAX_ITERATIONS)
        self.iterations.setSingleStep(10_000)
        self.iterations.setGroupSeparatorShown(True)
        self.iterations.setValue(BOT_ITERATIONS)
        self.warning = QLabel(ITERATION_WARNING)
        self.warning.setObjectName("iterationWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color:#d64545;")
        self.problem = QLabel()
        self.problem.setStyleSheet("color:#d9822b;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton(f"Re-encrypt {wallet_count} wallets", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        intro = QLabel(
            f"Every wallet ({wallet_count}) is decrypted with the current passphrase and sealed again under "
            "the new one with a fresh salt. Each new value is decrypted and compared before anything is "
            "written, and all of them are written in one transaction — or none.<br><br>"
            "The bot reads the passphrase from <code>JARVIS_PUBLIC_WALLET_PASSWORD</code>: change it there "
            "and restart the bot right after, or it will fail to open the keys.")
        intro.setWordWrap(True)
        new_row = QHBoxLayout()
        new_row.addWidget(self.new, 1)
        for b in (self.show_button, self.generate_button, self.copy_button):
            new_row.addWidget(b)
        form = QFormLayout()
        form.addRow("New passphrase:", new_row)
        form.addRow("Strength:", self.meter)
        form.addRow("", self.generated_label)
        form.addRow("Confirm:", self.confirm)
        form.addRow("PBKDF2 iterations:", self.iterations)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.warning)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for signal in (self.new.textChanged, self.confirm.textChanged):
            signal.connect(self._validate)
        self.iterations.valueChanged.connect(self._validate)
        self._validate()

    @Slot()
    def _validate(self) -> None:
        self.warning.setVisible(self.iterations.value() != BOT_ITERATIONS)
        new, confirm = self.new.text(), self.confirm.text()
        strength = self.meter.update_for(new)
        problems = ["The two passphrases differ."] if new and new != confirm else []
        if new and strength.verdict == "weak":
            problems.append("Weak: anyone who copies the database can guess it.")
        self.problem.setText(" ".join(problems))
        self.ok.setEnabled(bool(new) and new == confirm)
        self.copy_button.setEnabled(bool(new))

    @Slot()
    def generate(self) -> None:
        """Fill both fields with a new random passphrase, masked (Show reveals it, Copy copies it)."""
        with generate() as secret:
            self.show_button.setChecked(False)
            self.new.setText(secret.reveal())
            self.confirm.setText(secret.reveal())
        self._note(f"Generated {GENERATED_LENGTH} random characters ({generated_bits():.0f} bits). "
                   "Store it where the bot reads it first.")

    def _note(self, text: str) -> None:
        self.generated_label.setText(text)

    @Slot(bool)
    def _on_show(self, shown: bool) -> None:
        for field in (self.new, self.confirm):
            field.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_button.setText("Hide" if shown else "Show")

    @Slot()
    def copy_new(self) -> None:
        """Copy the new passphrase as a secret (cleared after the clipboard timeout, if still ours)."""
        if self._clipboard is not None and self.new.text():
            self._clipboard.copy(self.new.text(), self._clear_after_ms)
            self._note(f"Copied; the clipboard is cleared in {self._clear_after_ms // 1000} s.")

    def values(self) -> tuple[Secret, int]:
        """The new passphrase and iteration count; the fields are emptied."""
        secret = Secret(self.new.text())
        self.new.clear()
        self.confirm.clear()
        return secret, self.iterations.value()


class ImportDialog(QDialog):
    """Pick the user, paste the key (64-byte secret key or 32-byte seed, base58), label it."""

    def __init__(self, users: list[tuple[int, str]], label_title: str, default_title: str,
                 iterations: int = BOT_ITERATIONS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import a wallet key")
        self.user = QComboBox()
        for uid, name in users:
            self.user.addItem(f"{name or '(no name)'} · {uid}", uid)
        self.key = _password_field("base58: 64-byte secret key, or 32-byte seed")
        self.key.setObjectName("importKey")
        self.show_key = QPushButton("Show")
        self.show_key.setCheckable(True)
        self.show_key.toggled.connect(self._on_show)
        self.address = QLabel("—")
        self.address.setObjectName("importAddress")
        self.label = QLineEdit("imported")
        self.make_default = QCheckBox(f"Make it the user's {default_title.lower()} wallet")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.show_key)
        form = QFormLayout()
        form.addRow("User:", self.user)
        form.addRow("Key:", key_row)
        form.addRow("Address:", self.address)
        form.addRow(f"{label_title}:", self.label)
        form.addRow("", self.make_default)
        note = QLabel("The key is sealed under the vault's passphrase with the bot's envelope "
                      f"({iterations:,} iterations), checked to decrypt back, then inserted."
                      + ("" if iterations == BOT_ITERATIONS else f"<br>{ITERATION_WARNING}"))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.key.textChanged.connect(self._validate)
        self._validate()

    @Slot(bool)
    def _on_show(self, shown: bool) -> None:
        self.key.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)

    @Slot()
    def _validate(self) -> None:
        text = self.key.text()
        ok = False
        if not text.strip():
            self.address.setText("—")
        else:
            try:
                with parse_import_key(text) as secret:
                    self.address.setText(address_of(secret))
                    ok = True
            except ImportKeyError as exc:
                self.address.setText(f"<span style='color:#d64545'>{exc}</span>")
        self.ok.setEnabled(ok and self.user.count() > 0)

    def values(self) -> tuple[Secret, int, str, bool]:
        """(key, user id, label, make default); the key field is emptied."""
        secret = parse_import_key(self.key.text())
        self.key.clear()
        return secret, int(self.user.currentData()), self.label.text().strip(), self.make_default.isChecked()


def ask_rotation(parent: QWidget, wallets: int, clipboard: SecretClipboard | None = None,
                 clear_after_ms: int = 20_000) -> tuple[Secret, int] | None:
    """The new passphrase and iteration count, or None when the admin cancelled."""
    dialog = RotateDialog(wallets, parent, clipboard, clear_after_ms)
    values = dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None
    dialog.deleteLater()
    return values


def ask_import(parent: QWidget, users: list[tuple[int, str]], label_title: str, default_title: str,
               iterations: int) -> tuple[Secret, int, str, bool] | None:
    """The key, user, label and default flag to import, or None when the admin cancelled."""
    dialog = ImportDialog(users, label_title, default_title, iterations, parent)
    values = dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None
    dialog.deleteLater()
    return values
