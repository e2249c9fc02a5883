"""File ▸ Open data home: the home folder, then an optional bot checkout, in one small dialog.

The bot keeps half its state under its checkout (docs/data-formats.md,
'Where things live'), so opening a home asks for both; the checkout may be
left empty. Each field has a Browse button; the paths are checked for being
folders before the dialog can be accepted.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class OpenHomeDialog(QDialog):
    """Two folder fields: the LifeOS home (required) and the bot checkout (optional)."""

    def __init__(self, home: Path, bot_dir: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open data home")
        self.setObjectName("openHomeDialog")
        self.home_edit = QLineEdit(str(home))
        self.home_edit.setPlaceholderText("the folder that plays ~/.lifeos")
        self.bot_edit = QLineEdit(str(bot_dir) if bot_dir is not None else "")
        self.bot_edit.setPlaceholderText("optional: the folder the bot runs from (has data/ and bots/treasury)")
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c62828;")
        self.problem.hide()
        form = QFormLayout()
        form.addRow("LifeOS home:", self._with_browse(self.home_edit, self._browse_home))
        form.addRow("Bot checkout:", self._with_browse(self.bot_edit, self._browse_bot))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(640, self.sizeHint().height())

    @staticmethod
    def _with_browse(edit: QLineEdit, slot: object) -> QWidget:
        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        button = QPushButton("Browse…")
        button.clicked.connect(slot)
        h.addWidget(edit, 1)
        h.addWidget(button)
        return row

    def _browse(self, edit: QLineEdit, title: str) -> None:
        folder = QFileDialog.getExistingDirectory(self, title, edit.text() or str(Path.home()))
        if folder:
            edit.setText(folder)

    @Slot()
    def _browse_home(self) -> None:
        self._browse(self.home_edit, "Choose the LifeOS data home")

    @Slot()
    def _browse_bot(self) -> None:
        self._browse(self.bot_edit, "Choose the bot's checkout")

    def home(self) -> Path:
        """The home folder given."""
        return Path(self.home_edit.text().strip()).expanduser()

    def bot_dir(self) -> Path | None:
        """The bot checkout given, or None when left empty."""
        text = self.bot_edit.text().strip()
        return Path(text).expanduser() if text else None

    def check(self) -> str:
        """What is wrong with the fields ("" when they can be opened)."""
        if not self.home_edit.text().strip():
            return "Give the LifeOS home folder."
        if not self.home().is_dir():
            return f"{self.home()} is not a folder."
        bot = self.bot_dir()
        if bot is not None and not bot.is_dir():
            return f"{bot} is not a folder (leave the bot checkout empty if there is none)."
        return ""

    @Slot()
    def _on_accept(self) -> None:
        problem = self.check()
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        if not problem:
            self.accept()
