"""The detail pane: the selected entry as indented JSON (or a malformed line's raw text), with Copy."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ...core.jsonl.entry import Entry, pretty


class DetailPane(QWidget):
    """Shows one entry; ``Copy`` puts the shown text on the clipboard."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Select an entry to see all of it.")
        self.title.setWordWrap(True)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy this entry's JSON to the clipboard")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.text, 1)

    def show_entry(self, entry: Entry, where: str) -> None:
        """Show ``entry``; ``where`` names its file and line for the title."""
        self.title.setText(where + (f" — <b>malformed</b>: {entry.problem}" if entry.malformed else ""))
        self.text.setPlainText(pretty(entry))
        self.copy_button.setEnabled(True)

    def clear(self) -> None:
        """Nothing selected."""
        self.title.setText("Select an entry to see all of it.")
        self.text.clear()
        self.copy_button.setEnabled(False)

    def copy(self) -> None:
        """Copy the shown JSON (log entries hold no secrets the admin cannot already read)."""
        QGuiApplication.clipboard().setText(self.text.toPlainText())
