"""File ▸ Preferences (Ctrl+,): a dialog generated from the declared options (core/settings.py).

Every option with a label gets one row: a check box for a bool, a spin box
(bounded, with its unit) for an int, a line edit for text; the option's
description is the row's tooltip and shows below the form for the focused
row. OK stores what changed (Settings writes the file atomically); "Times
in UTC" goes through ``Prefs`` so every area redraws at once. No option can
hold a secret (core/settings.py), so nothing typed here is one.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.settings import Option, Settings, preference_options
from ..signals import Prefs

Editor = QCheckBox | QSpinBox | QLineEdit


def _editor(opt: Option, value: Any) -> Editor:
    if opt.type is bool:
        box = QCheckBox()
        box.setChecked(bool(value))
        return box
    if opt.type is int:
        spin = QSpinBox()
        spin.setRange(opt.minimum, opt.maximum or 2_000_000_000)
        spin.setValue(int(value))
        if opt.unit:
            spin.setSuffix(f" {opt.unit}")
        spin.setGroupSeparatorShown(True)
        return spin
    edit = QLineEdit(str(value))
    return edit


def _value(editor: Editor) -> Any:
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QSpinBox):
        return editor.value()
    return editor.text()


class PreferencesDialog(QDialog):
    """The declared options, each with its type's editor and its description."""

    def __init__(self, settings: Settings, prefs: Prefs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setObjectName("preferencesDialog")
        self._settings = settings
        self._prefs = prefs
        self.editors: dict[str, Editor] = {}
        form = QFormLayout()
        for opt in preference_options():
            editor = _editor(opt, settings.get(opt.name))
            editor.setObjectName(f"pref_{opt.name}")
            editor.setToolTip(f"{opt.description} (default: {self._default_text(opt)})")
            editor.setAccessibleDescription(opt.description)
            self.editors[opt.name] = editor
            form.addRow(f"{opt.label}:", editor)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setStyleSheet("color: palette(placeholder-text);")
        self.description.setMinimumHeight(self.fontMetrics().lineSpacing() * 2)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        defaults = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        defaults.clicked.connect(self.restore_defaults)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.description)
        layout.addWidget(buttons)
        for editor in self.editors.values():
            editor.installEventFilter(self)

    @staticmethod
    def _default_text(opt: Option) -> str:
        if opt.type is bool:
            return "on" if opt.default else "off"
        return f"{opt.default:,} {opt.unit}".strip() if opt.type is int else repr(opt.default)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Show the focused row's description below the form."""
        if event.type() == QEvent.Type.FocusIn:
            for opt in preference_options():
                if self.editors.get(opt.name) is watched:
                    self.description.setText(opt.description)
        return False

    def changes(self) -> dict[str, Any]:
        """The options whose editor differs from the stored value."""
        return {name: _value(ed) for name, ed in self.editors.items() if _value(ed) != self._settings.get(name)}

    @Slot()
    def restore_defaults(self) -> None:
        """Put every editor back to its option's default (stored only on OK)."""
        for opt in preference_options():
            editor = self.editors[opt.name]
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(opt.default))
            elif isinstance(editor, QSpinBox):
                editor.setValue(int(opt.default))
            else:
                editor.setText(str(opt.default))

    def accept(self) -> None:
        """Store what changed, then close."""
        self.apply()
        super().accept()

    def apply(self) -> None:
        """Store every change; the time display through Prefs, so every area follows at once."""
        for name, value in self.changes().items():
            if name == "time_utc":
                self._prefs.set_utc(bool(value))
            else:
                self._settings.set(name, value)
