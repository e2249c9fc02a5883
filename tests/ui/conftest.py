"""Shared fixtures of the window tests: a deployed-schema home and the real MainWindow opened on it.

test_preferences, test_find and test_busy each built this window the same way;
``make_window`` is that one way (an extra area list for the tests that add one).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtSql import QSqlDatabase
from pytestqt.qtbot import QtBot

from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.pgurl import pg_params
from lifeos_desk.core.schema import DEPLOYED_DDL
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.session import Session, open_session
from lifeos_desk.ui.areas import AreaSpec
from lifeos_desk.ui.main_window import MainWindow
from lifeos_desk.ui.pg import PgWindow


@pytest.fixture(autouse=True)
def _nothing_outlives_a_test() -> Iterator[None]:
    """No QPSQL connection and no PostgreSQL worker may outlive its test (every window test): the test's
    database is dropped WITH (FORCE) at its end, and what still used it logged QPSQL warnings into
    whichever test ran next."""
    yield
    leaked = [n for n in QSqlDatabase.connectionNames() if n.startswith("lifeos-pg")]
    loads = [t.name for t in threading.enumerate() if t.name.startswith(("lifeos-pg-trades", "pg-checks"))]
    for name in leaked:  # so one leak fails one test, not every later one
        QSqlDatabase.removeDatabase(name)
    assert not leaked and not loads, f"left open: {leaked}, still loading: {loads}"


@pytest.fixture
def pg_window(qtbot: QtBot) -> Iterator[Callable[..., PgWindow]]:
    """``pg_window(url, **options)``: a PgWindow closed when the test ends (closing is what closes its connection;
    qtbot holds widgets weakly, so a window the test no longer references was never closed). Tests that
    open one take ``immediate_tasks`` too, so its charts load runs inline instead of on a thread."""
    windows: list[PgWindow] = []

    def make(url: str, **options: Any) -> PgWindow:
        window = PgWindow(pg_params(url), **options)
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


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
