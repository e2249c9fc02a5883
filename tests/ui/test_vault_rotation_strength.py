"""The rotation dialog's strength meter and generator (issue 17)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from lifeos_desk.core.paths import AppDirs
from lifeos_desk.core.strength import GENERATED_LENGTH, READABLE_ALPHABET
from lifeos_desk.ui.vault.clipboard import SecretClipboard
from lifeos_desk.ui.vault.dialogs import RotateDialog

from .test_vault_leak_scan import needles_for, scan


def _dialog(qtbot: QtBot, clipboard: SecretClipboard | None = None, clear_ms: int = 20_000) -> RotateDialog:
    dialog = RotateDialog(3, clipboard=clipboard, clear_after_ms=clear_ms)
    qtbot.addWidget(dialog)
    return dialog


def test_the_meter_follows_what_is_typed(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.new.setText("password")
    assert dialog.meter.verdict == "weak" and "weak" in dialog.meter.words.text()
    assert "Weak" in dialog.problem.text()
    weak_bar = dialog.meter.bar.value()
    dialog.new.setText("k7#Qm2vX!p9Lw4zR@t6Yn8")
    assert dialog.meter.verdict == "strong" and dialog.meter.bar.value() > weak_bar
    assert "k7#Qm2" not in dialog.meter.words.text()  # bits and a word, never the passphrase


def test_generate_fills_both_fields_masked_with_a_strong_passphrase(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.generate_button.click()
    text = dialog.new.text()
    assert len(text) == GENERATED_LENGTH and set(text) <= set(READABLE_ALPHABET)
    assert dialog.confirm.text() == text and dialog.ok.isEnabled()
    assert dialog.new.echoMode() == dialog.confirm.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.meter.verdict == "strong" and "139 bits" in dialog.generated_label.text()
    dialog.show_button.click()
    assert dialog.new.echoMode() == QLineEdit.EchoMode.Normal
    dialog.generate_button.click()  # a new one is masked again
    assert dialog.new.text() != text and dialog.new.echoMode() == QLineEdit.EchoMode.Password
    secret, iterations = dialog.values()
    with secret:
        assert len(secret.reveal()) == GENERATED_LENGTH
    assert dialog.new.text() == dialog.confirm.text() == ""


def test_copy_uses_the_secret_clipboard_and_it_is_cleared(qtbot: QtBot) -> None:
    clipboard = SecretClipboard()
    dialog = _dialog(qtbot, clipboard, clear_ms=200)
    assert not dialog.copy_button.isEnabled()
    dialog.generate_button.click()
    text = dialog.new.text()
    with qtbot.waitSignal(clipboard.cleared, timeout=5000) as cleared:
        dialog.copy_button.click()
        assert QGuiApplication.clipboard().text() == text
        mime = QGuiApplication.clipboard().mimeData()
        assert mime is not None and "x-kde-passwordManagerHint" in mime.formats()
    assert cleared.args == [True] and QGuiApplication.clipboard().text() == ""


def test_a_generated_passphrase_reaches_no_settings_or_log(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _dialog(qtbot)
    dialog.generate_button.click()
    text = dialog.new.text()
    dialog.values()[0].wipe()
    dirs = AppDirs.default()
    assert scan([dirs.config, dirs.state, dirs.data, dirs.log], needles_for([text])) == []
