"""The main window on both schemas, in both modes, and on a bad home."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.schema import ADR_DDL, DEPLOYED_DDL
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.session import Session, open_session
from lifeos_desk.ui.areas import default_areas
from lifeos_desk.ui.main_window import ErrorPanel, MainWindow


def _home(tmp_path: Path, ddl: str | None) -> DataPaths:
    home = tmp_path / "home"
    home.mkdir()
    if ddl is not None:
        con = sqlite3.connect(home / "public_users.db")
        con.executescript(ddl)
        con.close()
    return DataPaths(home=home, logs=(home / "logs",), backups=home / "backups")


# The window_for fixture: a data home in, a shown MainWindow on it out.
WindowFor = Callable[[DataPaths], MainWindow]


@pytest.fixture
def window_for(qtbot: QtBot, tmp_path: Path) -> WindowFor:
    dirs = AppDirs(config=tmp_path / "cfg", state=tmp_path / "st", data=tmp_path / "data", log=tmp_path / "log")
    settings, state = Settings(dirs), State(dirs)

    def opener(paths: DataPaths) -> Session:
        return open_session(paths, dirs, settings, state)

    def make(paths: DataPaths) -> MainWindow:
        w = MainWindow(opener(paths), opener)
        qtbot.addWidget(w)
        w.show()
        return w

    return make


@pytest.mark.parametrize(("ddl", "label"), [(ADR_DDL, "ADR-005"), (DEPLOYED_DDL, "deployed bot")])
def test_opens_on_both_schemas(window_for: WindowFor, tmp_path: Path, ddl: str, label: str) -> None:
    w = window_for(_home(tmp_path, ddl))
    assert w.tabs.count() == len(default_areas())
    assert w.centralWidget() is w.tabs
    assert label in w.schema_label.text()
    assert "READ-ONLY" in w.mode_label.text()
    assert "[read-only]" in w.windowTitle()
    assert "users: 0" in w.counts_label.toolTip() and w.counts_label.text().endswith(" tables")
    assert "backupNowAction" in [a.objectName() for a in w.toolbar.actions()]  # Ctrl+B from every area


def test_editing_unlock_shows_mode(window_for: WindowFor, tmp_path: Path) -> None:
    w = window_for(_home(tmp_path, DEPLOYED_DDL))
    w.edit_action.setChecked(True)
    assert "EDITING" in w.mode_label.text()
    assert w.session.database is not None and not w.session.database.read_only
    assert "[editing]" in w.windowTitle()
    w.edit_action.setChecked(False)
    assert "READ-ONLY" in w.mode_label.text()


def test_missing_database_explains_and_offers_choices(window_for: WindowFor, tmp_path: Path) -> None:
    w = window_for(_home(tmp_path, None))
    panel = w.centralWidget()
    assert isinstance(panel, ErrorPanel)
    message = panel.findChild(QLabel, "errorMessage")
    assert message is not None and "no database at" in message.text()
    assert "NOT OPEN" in w.mode_label.text()
    assert not w.edit_action.isEnabled()


def test_reopen_and_geometry_remembered(window_for: WindowFor, tmp_path: Path) -> None:
    paths = _home(tmp_path, ADR_DDL)
    w = window_for(paths)
    w.resize(w.width(), 560)  # the offscreen screen is 800 px wide: vary the height
    w.open_paths(paths)
    assert w.tabs.count() == len(default_areas())
    w.close()
    w2 = window_for(paths)
    assert w2.height() == 560
    assert w2.session.state.recent_homes()[0] == str(paths.home)


def test_bot_commit_updates_row_counts(window_for: WindowFor, tmp_path: Path, qtbot: QtBot) -> None:
    import subprocess
    import sys

    paths = _home(tmp_path, DEPLOYED_DDL)
    w = window_for(paths)
    subprocess.run([sys.executable, "-c",
                    "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO rate_limits"
                    " VALUES (1, 0, 0, 'x')\"); c.commit()", str(paths.db)], check=True)
    qtbot.waitUntil(lambda: "rate_limits: 1" in w.counts_label.toolTip(), timeout=3000)
    assert w.counter is not None and w.counter.full_counts == 0  # appended rows counted, no COUNT(*) of a table


def test_charts_read_the_trades_before_their_tab_opens(window_for, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    from lifeos_desk.ui.area_host import PendingArea
    from lifeos_desk.ui.charts import ChartsArea
    from lifeos_desk.ui.charts.loader import TradeLoader

    paths = _home(tmp_path, DEPLOYED_DDL)
    con = sqlite3.connect(paths.db)
    con.executemany("INSERT INTO transactions VALUES (?, 1, 'w', 'BONK', 'SELL', 10.0, ?, 'completed', ?)",
                    [(f"tx{i}", f"2026-03-01T00:00:{i:02d}", float(i)) for i in range(20)])
    con.commit()
    con.close()
    w = window_for(paths)
    index = [s.key for s in default_areas()].index("charts")
    pending = w.tabs.widget(index)
    assert isinstance(pending, PendingArea)
    qtbot.waitUntil(lambda: getattr(pending.work, "last", None) is not None, timeout=15_000)
    loader = pending.work
    assert isinstance(loader, TradeLoader)
    w.tabs.setCurrentIndex(index)
    area = w.tabs.widget(index)
    assert isinstance(area, ChartsArea) and area.trades is not None
    assert area.trades.loader is loader  # taken over, not started again
    figures = area.trades.figures
    assert area.trades.loaded_once and figures is not None and figures.headline.trade_count == 20  # drawn at once
    qtbot.waitUntil(lambda: not loader.busy, timeout=15_000)


def _deep_home(tmp_path: Path) -> DataPaths:
    """A home whose path is far too long for the status bar at 1066 px."""
    deep = tmp_path / ("a-rather-long-folder-name-" * 3) / "another-level-of-folders" / "home"
    deep.parent.mkdir(parents=True)
    paths = _home(deep.parent, DEPLOYED_DDL)
    return paths


def test_status_bar_reads_at_the_default_width(window_for: WindowFor, tmp_path: Path, qtbot: QtBot) -> None:
    import json

    paths = _deep_home(tmp_path)
    (paths.home / "trading").mkdir()
    (paths.home / "trading" / "emergency_stop.json").write_text(json.dumps(
        {"level": "HARD_STOP", "reason": "manual kill switch from the admin", "activated_by": "admin"}))
    w = window_for(paths)
    w.resize(1066, 666)
    assert w.emergency_banner.isVisible(), w.emergency_banner.label.text()
    qtbot.waitUntil(lambda: w.width() == 1066, timeout=3000)
    qtbot.waitUntil(lambda: w.home_label.width() < w.home_label.sizeHint().width(), timeout=3000)
    # Every label but the home path shows its whole text.
    for label in [*w.status.labels()[1:], w.emergency_banner.label]:
        assert label.width() >= label.sizeHint().width(), (label.text(), label.width(), label.sizeHint().width())
    home = w.home_label
    assert "…" in home.text() and home.text().endswith("/home") and home.text().startswith("Home: /")
    assert home.full_text() == f"Home: {paths.home}" and str(paths.home) in home.toolTip()
    assert home.fontMetrics().horizontalAdvance(home.text()) <= home.width()
    assert "EMERGENCY STOP: HARD_STOP" in w.emergency_banner.label.text()
    assert w.counts_label.text() == f"{len(w.session.info.row_counts)} tables"  # type: ignore[union-attr]


def test_every_action_lives_in_a_menu(window_for: WindowFor, tmp_path: Path) -> None:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu

    w = window_for(_home(tmp_path, DEPLOYED_DDL))

    def in_menus(menu: QMenu) -> list[QAction]:
        found: list[QAction] = []
        for act in menu.actions():
            found.append(act)
            if act.menu() is not None and isinstance(act.menu(), QMenu):
                found += in_menus(act.menu())  # type: ignore[arg-type]
        return found

    menus = [act for top in w.menuBar().actions() if isinstance(top.menu(), QMenu)
             for act in in_menus(top.menu())]  # type: ignore[arg-type]
    for act in w.actions() + w.toolbar.actions():
        assert act in menus, act.text()
    texts = [act.text().replace("&", "") for act in menus]
    assert "Back up now" in texts


def test_relaunch_returns_to_the_area_and_table_left(window_for: WindowFor, tmp_path: Path) -> None:
    from lifeos_desk.ui.tables.area import TablesArea

    paths = _home(tmp_path, DEPLOYED_DDL)
    first = window_for(paths)
    first.show_area("tables")
    tables = first.tabs.currentWidget()
    assert isinstance(tables, TablesArea)
    default = tables.current_pane()
    assert default is not None and default.table != "wallets"
    assert tables.show_table("wallets") is not None
    first.close()

    second = window_for(paths)
    assert second.tabs.currentIndex() == [s.key for s in default_areas()].index("tables")
    again = second.tabs.currentWidget()
    assert isinstance(again, TablesArea)
    pane = again.current_pane()
    assert pane is not None and pane.table == "wallets"
    current = again.list.currentItem()
    assert current is not None and current.data(256) == "wallets"  # Qt.ItemDataRole.UserRole
    second.show_area("home")
    second.close()
    third = window_for(paths)
    assert third.tabs.currentIndex() == 0


def test_a_remembered_table_that_is_gone_is_ignored(window_for: WindowFor, tmp_path: Path) -> None:
    from lifeos_desk.ui.memory import LAST_AREA, LAST_TABLES
    from lifeos_desk.ui.tables.area import TablesArea

    paths = _home(tmp_path, DEPLOYED_DDL)
    w = window_for(paths)
    w.close()  # closing remembers where it was: overwrite that with names that do not exist
    w.session.state.update({LAST_AREA: "no-such-area", LAST_TABLES: {str(paths.db): "no_such_table"}})
    w2 = window_for(paths)
    assert w2.tabs.currentIndex() == 0
    w2.show_area("tables")
    tables = w2.tabs.currentWidget()
    assert isinstance(tables, TablesArea) and tables.current_pane() is not None
