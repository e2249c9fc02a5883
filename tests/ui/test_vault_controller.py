"""The vault controller on its own: lock state, secrets, audit and clipboard without any widget laid out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from lifeos_desk.core.audit import console_entries
from lifeos_desk.core.keys import BOT_ITERATIONS
from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.secrets import Secret
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.core.vault import verify_all
from lifeos_desk.session import Session, open_session
from lifeos_desk.ui.vault.controller import VaultController
from lifeos_desk.ui.vault.timings import VaultTimings

from ..db.vault_homes import demo_copy


@pytest.fixture
def made(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> tuple[VaultController, Session, str]:
    """A controller (no parent, no widget) on a fresh demo home copy (qtbot: QtSql needs the app)."""
    factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    home, passphrase = demo_copy(factory, tmp_path / "home", "deployed", users=4)
    dirs = AppDirs.default()
    paths = DataPaths(home=home, logs=(home / "logs",), backups=home / "backups", read_only=True)
    session = open_session(paths, dirs, Settings(dirs), State(dirs))
    assert session.error is None, session.error
    controller = VaultController(session, timings=VaultTimings(60_000, 20_000), delay_policy=lambda n: 0.0,
                                 workers=2)
    controller.reload_wallets()
    request.addfinalizer(session.close)
    request.addfinalizer(controller.deleteLater)
    return controller, session, passphrase


def _events(session: Session) -> list[dict[str, Any]]:
    return console_entries(session.audit.path)  # in whichever shape the home's audit file takes


def _unlock(qtbot: QtBot, controller: VaultController, passphrase: str) -> None:
    with qtbot.waitSignal(controller.lockedChanged, timeout=20_000) as blocker:
        controller.unlock(Secret(passphrase), BOT_ITERATIONS)
    assert blocker.args == [False] and controller.unlocked


def test_no_widget_is_made(made: tuple[VaultController, Session, str]) -> None:
    controller, _session, _ = made
    assert controller.model.rowCount() == 4 and not controller.unlocked
    # It owns no widget and hangs under none (a vault area left by another test does not count here).
    assert not controller.findChildren(QWidget) and not isinstance(controller.parent(), QWidget)


def test_wrong_passphrase_is_refused_and_audited(qtbot: QtBot, made: tuple[VaultController, Session, str]) -> None:
    controller, session, passphrase = made
    with qtbot.waitSignal(controller.unlockRefused, timeout=20_000) as blocker:
        controller.unlock(Secret("not it"), BOT_ITERATIONS)
    assert "Wrong passphrase" in blocker.args[0] and blocker.args[1] == 0.0 and not controller.unlocked
    _unlock(qtbot, controller, passphrase)
    assert [e["event"] for e in _events(session)] == ["vault_unlock_failed", "vault_unlock"]
    assert all("not it" not in str(e) and passphrase not in str(e) for e in _events(session))


def test_reveal_holds_one_key_and_lock_wipes_it(qtbot: QtBot, made: tuple[VaultController, Session, str]) -> None:
    controller, session, passphrase = made
    _unlock(qtbot, controller, passphrase)
    first, second = controller.model.record(0), controller.model.record(1)
    with qtbot.waitSignal(controller.keyRevealed, timeout=10_000) as blocker:
        controller.reveal(first)
    assert blocker.args == [first.key] and controller.revealed_key == first.key
    text = controller.revealed_text()
    assert verify_all([first], Secret(passphrase)).all_verified and len(text) in (87, 88)
    with qtbot.waitSignal(controller.revealDropped, timeout=1000):
        controller.set_selection(second)
    assert controller.revealed_key is None and controller.revealed_text() == ""
    with qtbot.waitSignals([controller.lockApplied, controller.lockedChanged], timeout=1000):
        controller.lock("explicit")
    assert not controller.unlocked
    assert [e["event"] for e in _events(session)] == ["vault_unlock", "vault_reveal", "vault_lock"]
    assert all(text not in str(e) for e in _events(session))


def test_copy_goes_to_the_clipboard_and_lock_takes_it_back(qtbot: QtBot,
                                                          made: tuple[VaultController, Session, str]) -> None:
    controller, session, passphrase = made
    _unlock(qtbot, controller, passphrase)
    controller.copy(controller.model.record(0))  # decrypts first, then copies
    qtbot.waitUntil(lambda: controller.clipboard.holding, timeout=10_000)
    assert QGuiApplication.clipboard().text() == controller.revealed_text() != ""
    controller.lock("explicit")
    assert QGuiApplication.clipboard().text() == "" and not controller.clipboard.holding
    assert _events(session)[-2]["event"] == "vault_copy" and _events(session)[-2]["clear_after_s"] == 20


def test_window_events_lock_as_the_settings_say(qtbot: QtBot, made: tuple[VaultController, Session, str]) -> None:
    controller, session, passphrase = made
    _unlock(qtbot, controller, passphrase)
    controller.window_minimised()
    assert controller.unlocked  # vault_lock_on_minimize is off by default
    session.settings.set("vault_lock_on_minimize", True)
    controller.window_minimised()
    assert not controller.unlocked and _events(session)[-1]["reason"] == "minimised"
    _unlock(qtbot, controller, passphrase)
    controller.window_closed()
    assert not controller.unlocked and _events(session)[-1]["reason"] == "window closed"


def test_forget_wipes_without_signals(qtbot: QtBot, made: tuple[VaultController, Session, str]) -> None:
    controller, session, passphrase = made
    _unlock(qtbot, controller, passphrase)
    heard: list[object] = []
    controller.lockedChanged.connect(heard.append)
    controller.lockApplied.connect(heard.append)
    controller.forget("area closed")
    assert not controller.unlocked and heard == []
    assert _events(session)[-1] == {**_events(session)[-1], "event": "vault_lock", "reason": "area closed"}


def test_writes_refused_on_a_read_only_database(qtbot: QtBot, made: tuple[VaultController, Session, str]) -> None:
    controller, _session, passphrase = made
    _unlock(qtbot, controller, passphrase)
    new = Secret("another passphrase")
    with qtbot.waitSignal(controller.message, timeout=1000) as blocker:
        controller.start_rotation(new, BOT_ITERATIONS)
    assert "read-only" in blocker.args[0] and blocker.args[1] is True and not controller.running
