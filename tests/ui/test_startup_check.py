"""The window opens without waiting for quick_check, runs it after its first paint, and says when it fails."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.session import Session, open_session
from lifeos_desk.ui.main_window import MainWindow

OpenWindow = Callable[[DataPaths], MainWindow]


def _home(tmp_path: Path, corrupt_pages: bool) -> DataPaths:
    """A home whose table opens and counts, and whose leaf pages may fail quick_check (bad cell pointers)."""
    home = tmp_path / "home"
    home.mkdir()
    db = home / "public_users.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, pad TEXT)")
    con.execute("CREATE INDEX ik ON t(k)")  # count(*) walks this index, so only quick_check meets the damage
    con.executemany("INSERT INTO t VALUES (?,?,?)", [(i, i % 7, "x" * 300) for i in range(2000)])
    con.commit()
    con.close()
    if corrupt_pages:
        data = bytearray(db.read_bytes())
        damaged = 0
        for page in range(2, len(data) // 4096):
            at = page * 4096
            if data[at] == 0x0D and damaged < 3:  # a table leaf page: point its first cells past the page
                data[at + 8:at + 16] = b"\xff" * 8
                damaged += 1
        db.write_bytes(bytes(data))
    return DataPaths(home=home, logs=(home / "logs",), backups=home / "backups", read_only=True)


@pytest.fixture
def open_window(qtbot: QtBot, tmp_path: Path) -> Iterator[OpenWindow]:
    dirs = AppDirs(config=tmp_path / "cfg", state=tmp_path / "st", data=tmp_path / "data", log=tmp_path / "log")
    settings, state = Settings(dirs), State(dirs)
    made: list[MainWindow] = []

    def opener(paths: DataPaths) -> Session:
        return open_session(paths, dirs, settings, state, defer_quick_check=True)  # as app.py opens them

    def make(paths: DataPaths) -> MainWindow:
        w = MainWindow(opener(paths), opener)
        qtbot.addWidget(w)
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()


@pytest.mark.parametrize("corrupt", [False, True])
def test_quick_check_runs_after_the_window_shows(open_window: OpenWindow, tmp_path: Path, qtbot: QtBot,
                                                 corrupt: bool) -> None:
    window = open_window(_home(tmp_path, corrupt))
    info = window.session.info
    assert info is not None and window.session.error is None
    assert info.quick_check == "not run"  # opening did not wait for it
    with qtbot.waitSignal(window.quick_check.finished, timeout=15_000) as done:
        window.show()
    if corrupt:
        assert done.args is not None and done.args[0] != "ok" and info.quick_check == done.args[0]
        assert window.quick_check.label.isVisible() and "corrupt" in window.quick_check.label.text()
    else:
        assert info.quick_check == "ok" and not window.quick_check.label.isVisible()
        assert "quick_check: ok" in window.statusBar().currentMessage()


def test_the_cli_way_still_checks_before_opening(tmp_path: Path) -> None:
    """Without deferring (CLI commands, tests), a corrupt file fails the opening as before."""
    dirs = AppDirs(config=tmp_path / "cfg", state=tmp_path / "st", data=tmp_path / "data", log=tmp_path / "log")
    session = open_session(_home(tmp_path, True), dirs, Settings(dirs), State(dirs))
    try:
        assert session.error is not None and "corrupt" in str(session.error)
    finally:
        session.close()
