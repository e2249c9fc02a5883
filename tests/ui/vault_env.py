"""A vault area on a fresh demo home copy, for the UI tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from lifeos_desk.core.audit import console_entries
from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.core.vault import failure_delay_s
from lifeos_desk.session import Session, open_session
from lifeos_desk.ui.vault.area import VaultArea, VaultTimings

from ..db.vault_homes import demo_copy


@dataclass
class VaultEnv:
    """The area, its session, the home's passphrase and where things are."""

    area: VaultArea
    session: Session
    passphrase: str
    home: Path
    qtbot: QtBot

    def unlock(self, passphrase: str | None = None) -> None:
        """Type the passphrase and wait for the unlock (or its refusal)."""
        form = self.area.unlock_form
        form.passphrase.setText(self.passphrase if passphrase is None else passphrase)
        form.submit()
        self.qtbot.waitUntil(lambda: not self.area.unlocking, timeout=20_000)

    def audit(self) -> list[dict[str, Any]]:
        """The console's entries in the audit log."""
        return console_entries(self.session.audit.path)  # in whichever shape the file takes

    def events(self) -> list[str]:
        """The console's audit event names, in order."""
        return [e["event"] for e in self.audit()]


def open_env(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path, schema: str = "deployed",
             read_only: bool = True, timings: VaultTimings | None = None,
             delay: Callable[[int], float] = failure_delay_s, demo: bool = False,
             prepare: Callable[[Path], None] | None = None, owned_by_qtbot: bool = True) -> VaultEnv:
    """Open a session on a demo home copy and build the vault area (closed at teardown).

    ``prepare(db_path)`` may change the copy with Python's sqlite3 before any
    QtSql connection to it exists (docs/architecture.md, 'One SQLite library per process').
    """
    factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    home, passphrase = demo_copy(factory, tmp_path / "home", schema, users=4)
    if prepare is not None:
        prepare(home / "public_users.db")
    dirs = AppDirs.default()
    paths = DataPaths(home=home, logs=(home / "logs",), backups=home / "backups", read_only=read_only)
    session = open_session(paths, dirs, Settings(dirs), State(dirs), demo_passphrase=passphrase if demo else None)
    assert session.error is None, session.error
    area = VaultArea(session, timings=timings or VaultTimings(60_000, 20_000), delay_policy=delay, workers=2)
    if owned_by_qtbot:  # False for a test that deletes the area itself
        qtbot.addWidget(area)
    request.addfinalizer(session.close)
    return VaultEnv(area, session, passphrase, home, qtbot)
