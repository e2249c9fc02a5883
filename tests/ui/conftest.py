"""Shared fixtures of the window tests: a deployed-schema home and the real MainWindow opened on it.

test_preferences, test_find and test_busy each built this window the same way;
``make_window`` is that one way (an extra area list for the tests that add one).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.schema import DEPLOYED_DDL
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.session import Session, open_session
from lifeos_desk.ui.areas import AreaSpec
from lifeos_desk.ui.main_window import MainWindow


@dataclass(frozen=True)
class WindowHome:
    """Where the window's home and the app's own folders are (all under the test's tmp_path)."""

    paths: DataPaths
    dirs: AppDirs


@pytest.fixture
def window_home(tmp_path: Path) -> WindowHome:
    """An empty deployed-schema ``public_users.db`` in a fresh home, written before any window opens it."""
    home = tmp_path / "home"
    home.mkdir()
    con = sqlite3.connect(home / "public_users.db")
    con.executescript(DEPLOYED_DDL)
    con.close()
    dirs = AppDirs(config=tmp_path / "cfg", state=tmp_path / "st", data=tmp_path / "data", log=tmp_path / "log")
    return WindowHome(DataPaths(home=home, logs=(home / "logs",), backups=home / "backups"), dirs)


@pytest.fixture
def make_window(qtbot: QtBot, window_home: WindowHome) -> Callable[..., MainWindow]:
    """``make_window(areas=None)``: a shown MainWindow on ``window_home`` (qtbot closes it after the test)."""
    settings, state = Settings(window_home.dirs), State(window_home.dirs)

    def opener(paths: DataPaths) -> Session:
        return open_session(paths, window_home.dirs, settings, state)

    def make(areas: list[AreaSpec] | None = None) -> MainWindow:
        window = MainWindow(opener(window_home.paths), opener, areas=areas)
        qtbot.addWidget(window)
        window.show()
        return window

    return make
