"""After a session of unlocks, reveals, shows, copies and a verify, no secret is on disk.

Scans every file under the data home, the log folders, the backups folder and
the console's own config/state/data/log folders for the passphrase and for
each decrypted key, as UTF-8 and UTF-16 text and as raw key bytes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from lifeos_desk.core.base58 import b58decode
from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.session import Session, open_session
from lifeos_desk.ui.areas import AreaSpec
from lifeos_desk.ui.main_window import MainWindow
from lifeos_desk.ui.vault import create_vault_area
from lifeos_desk.ui.vault.area import VaultArea

from ..db.vault_homes import demo_copy


def needles_for(texts: list[str]) -> list[bytes]:
    """Byte patterns that would betray a secret text on disk."""
    out: list[bytes] = []
    for text in texts:
        out += [text.encode("utf-8"), text.encode("utf-16-le")]
        try:
            raw = b58decode(text)
        except ValueError:
            continue
        if len(raw) == 64:
            out += [raw, raw[:32]]  # the secret key, and its seed
    return out


def scan(roots: list[Path], needles: list[bytes]) -> list[str]:
    """Files (and which needle index) under the roots that contain any needle."""
    hits = []
    for root in roots:
        if not root.exists():
            continue
        for path in [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()):
            data = path.read_bytes()
            hits += [f"{path} (needle {i})" for i, n in enumerate(needles) if n in data]
    return hits


def test_the_scanner_finds_a_planted_secret(tmp_path: Path) -> None:
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "f.json").write_text('{"x": "hunter2"}', encoding="utf-16-le")
    assert scan([tmp_path], needles_for(["hunter2"]))
    assert not scan([tmp_path], needles_for(["hunter3"]))


def _vault_only(session: Session) -> MainWindow:
    spec = AreaSpec("vault", "Wallet vault", "vault", create_vault_area)

    def reopen(paths: DataPaths) -> Session:
        raise AssertionError("not used")

    return MainWindow(session, reopen, areas=[spec])


def test_no_plaintext_key_or_passphrase_reaches_disk(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
                                                     qtbot: QtBot) -> None:
    home, passphrase = demo_copy(tmp_path_factory, tmp_path / "home", "deployed", users=4)
    dirs = AppDirs.default()
    settings, state = Settings(dirs), State(dirs)
    settings.set("clipboard_clear_s", 30)  # the settings file exists and is written during the session
    paths = DataPaths(home=home, logs=(home / "logs",), backups=home / "backups", read_only=True)
    session = open_session(paths, dirs, settings, state, demo_passphrase=None)
    window = _vault_only(session)
    qtbot.addWidget(window)
    window.show()
    area = window.tabs.widget(0)
    assert isinstance(area, VaultArea)
    seen_keys: list[str] = []

    area.unlock_form.passphrase.setText("a wrong guess first")
    area.unlock_form.submit()
    qtbot.waitUntil(lambda: not area.unlocking, timeout=20_000)
    area.unlock_form.passphrase.setText(passphrase)
    area.unlock_form.submit()
    qtbot.waitUntil(lambda: area.unlocked, timeout=20_000)
    for row in range(area.model.rowCount()):
        area.table.selectRow(row)
        area.copy_selected()
        qtbot.waitUntil(lambda: area.key_panel.has_key, timeout=10_000)
        area.key_panel.show_button.setChecked(True)
        seen_keys.append(area.key_panel.key_field.text())
        assert QGuiApplication.clipboard().text() == seen_keys[-1]
    with qtbot.waitSignal(area.verifyFinished, timeout=30_000):
        area.start_verify()
    settings.set("vault_idle_lock_s", 120)
    area.lock("explicit")
    window.close()  # saves geometry/state and closes the session

    assert len(set(seen_keys)) == 4 and all(len(k) in (87, 88) for k in seen_keys)
    roots = [home, *paths.logs, paths.backups, dirs.config, dirs.state, dirs.data, dirs.log]
    assert (dirs.config / "settings.json").exists() and (dirs.state / "state.json").exists()
    assert session.audit.path.exists() and "vault_copy" in session.audit.path.read_text()
    hits = scan(roots, needles_for([passphrase, "a wrong guess first", *seen_keys]))
    assert hits == []
