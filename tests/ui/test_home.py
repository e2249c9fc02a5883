"""The Home area on the deployed home: every store listed, grouped, risks worded plainly, opens Tables."""
# ruff: noqa: F811  (pytest fixtures imported from deployed_session.py are parameters here)

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QStatusBar, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from lifeos_desk.core.coverage import Coverage
from lifeos_desk.core.discovery import Tree
from lifeos_desk.core.stores import StoreKind, StoreRole
from lifeos_desk.session import Session
from lifeos_desk.ui.areas import Area
from lifeos_desk.ui.home import create_home_area
from lifeos_desk.ui.home.area import HomeArea
from lifeos_desk.ui.home.facts import ago, facts_of, grouped, journal_text, size_text, summary
from lifeos_desk.ui.status_bar import StatusLabels
from lifeos_desk.ui.tables import create_tables_area
from lifeos_desk.ui.tables.area import TablesArea
from tests.deployed_home import DeployedHome

from .deployed_session import deployed, deployed_session  # noqa: F401  (fixtures)


def _home(qtbot, session: Session) -> HomeArea:  # type: ignore[no-untyped-def]
    area = create_home_area(session)
    assert isinstance(area, HomeArea) and isinstance(area, Area)
    qtbot.addWidget(area)
    area.resize(1066, 666)
    area.show()
    return area


def test_every_store_is_found_and_registered(deployed_session: Session, deployed: DeployedHome) -> None:
    found = {s.path for s in deployed_session.discovery.stores}
    registered = {r.path for r in deployed_session.stores.refs()}
    assert found <= registered and len(found) >= 20
    for path in (deployed.home / "fees.db", deployed.wal_db, deployed.audit_day, deployed.bot_dir / ".env",
                 deployed.bot_dir / "data" / "trader" / "positions.json",
                 deployed.home / "trading" / "exit_intents.json"):
        assert path in registered, path
    sqlite = {r.path.name for r in deployed_session.stores.refs() if r.kind is StoreKind.SQLITE}
    assert sqlite == {"public_users.db", "fees.db", "jarvis_secure.db", "permissions.db", "jarvis_core.db"}
    assert deployed_session.stores.refs(StoreRole.USERS)[0].path == deployed.home / "public_users.db"
    core = deployed_session.discovery.get(deployed.wal_db)
    assert core is not None and core.journal == "wal" and core.role is StoreRole.TREASURY


def test_the_area_lists_every_store_by_tree_and_kind_with_risks(qtbot, deployed_session: Session,  # type: ignore[no-untyped-def]
                                                                 deployed: DeployedHome) -> None:
    area = _home(qtbot, deployed_session)
    tops = [_top(area, i).text(0) for i in range(area.tree.topLevelItemCount())]
    assert tops == [f"LifeOS home — {deployed.home}", f"Bot checkout — {deployed.bot_dir}"]
    groups = [_child(_top(area, 0), j).text(0) for j in range(_top(area, 0).childCount())]
    assert groups[0].startswith("SQLite databases (4,")
    for store in deployed_session.discovery.stores:
        item = area.item_of(str(store.path))
        assert item is not None, store.path
        assert item.text(3).endswith(" ago") or item.text(3) == "just now"
    env = area.item_of(str(deployed.bot_dir / ".env"))
    assert env is not None and "plaintext secret" in env.text(5) and "not in any backup" in env.text(5)
    intents = area.item_of(str(deployed.home / "trading" / "exit_intents.json"))
    assert intents is not None and "written without atomic rename" in intents.text(5)
    core = area.item_of(str(deployed.wal_db))
    assert core is not None and core.text(4).startswith("wal") and core.text(1) == "treasury"
    n = len(deployed_session.discovery.stores)
    assert area.summary.text().startswith(f"<b>{n} stores · {n} at risk · no backup yet")
    area.shutdown()


def test_a_new_file_appears_after_a_poll(qtbot, immediate_tasks, deployed_session: Session,  # type: ignore[no-untyped-def]
                                         deployed: DeployedHome) -> None:
    area = _home(qtbot, deployed_session)
    new = deployed.home / "trading" / "perps_state.json"
    new.write_text("{}", encoding="utf-8")
    area.poll()
    immediate_tasks()
    item = area.item_of(str(new))
    assert item is not None and item.text(1) == "trading state"
    assert new in {r.path for r in deployed_session.stores.refs()}  # registered too
    users = area.item_of(str(deployed.home / "public_users.db"))
    assert users is not None and users.text(4) == "delete"  # held open now: its connection's answer
    area.shutdown()


def test_home_and_status_bar_name_the_same_journal_mode(qtbot: QtBot, immediate_tasks: Callable[[], None],
                                                        deployed_session: Session, deployed: DeployedHome) -> None:
    """Both say what ``PRAGMA journal_mode`` answers: "delete" for the rollback file, "wal" after a switch."""
    bar = QStatusBar()
    qtbot.addWidget(bar)
    labels = StatusLabels(bar)
    labels.show_session(deployed_session)
    area = _home(qtbot, deployed_session)
    users_path = str(deployed.home / "public_users.db")
    users = area.item_of(users_path)
    assert users is not None and labels.journal_label.text() == "Journal: delete"
    assert users.text(4) == "delete"
    db = deployed_session.database
    assert db is not None
    assert db.switch_to_wal() == "wal"
    deployed_session.info = db.info(with_quick_check=False)
    labels.show_session(deployed_session)
    area.poll()
    immediate_tasks()
    users = area.item_of(users_path)
    assert labels.journal_label.text() == "Journal: wal"
    assert users is not None and users.text(4) == "wal (-wal present)"
    area.shutdown()


def test_a_rotated_audit_log_shows_its_real_role(qtbot: QtBot, immediate_tasks: Callable[[], None],
                                                 deployed_session: Session, deployed: DeployedHome) -> None:
    """The demo and the bot rotate ``logs/audit.jsonl`` to ``audit.<stamp>.jsonl``: the part is that audit log."""
    area = _home(qtbot, deployed_session)
    rotated = deployed.bot_dir / "logs" / "audit.20260301_101010.jsonl"
    numbered = deployed.bot_dir / "logs" / "audit.jsonl.1"
    for path in (rotated, numbered):
        path.write_bytes(deployed.bot_dir.joinpath("logs", "audit.jsonl").read_bytes())
    area.poll()
    immediate_tasks()
    for path in (rotated, numbered):
        item = area.item_of(str(path))
        assert item is not None and item.text(1) == "security audit", path
        assert item.text(0).startswith("Security audit trail (rotated)")
    area.shutdown()


def test_double_click_opens_a_database_in_tables(qtbot, deployed_session: Session, deployed: DeployedHome) -> None:  # type: ignore[no-untyped-def]
    tables = create_tables_area(deployed_session)
    assert isinstance(tables, TablesArea)
    qtbot.addWidget(tables)
    area = _home(qtbot, deployed_session)
    shown: list[str] = []
    deployed_session.nav.showArea.connect(shown.append)
    item = area.item_of(str(deployed.wal_db))
    assert item is not None
    area.tree.itemDoubleClicked.emit(item, 0)
    assert shown == ["tables"] and tables.database.path == deployed.wal_db
    keys = area.item_of(str(deployed.bot_dir / ".env"))
    assert keys is not None
    area.tree.itemDoubleClicked.emit(keys, 0)
    assert shown == ["tables"] and "only databases and trading state" in area.message.text()
    area.shutdown()
    tables.shutdown()


def test_no_bot_checkout_is_said(qtbot, deployed_session: Session) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    deployed_session.paths = dataclasses.replace(deployed_session.paths, bot_dir=None)
    area = _home(qtbot, deployed_session)
    last = _top(area, area.tree.topLevelItemCount() - 1).text(0)
    assert last.startswith("Bot checkout — none given")
    area.shutdown()


def test_words(deployed_session: Session, deployed: DeployedHome) -> None:
    assert ago(0.2) == "written just now" and ago(3) == "written 3 s ago" and ago(300) == "written 5 min ago"
    assert ago(7200) == "written 2 h ago" and ago(86400 * 5) == "written 5 days ago" and ago(-5) == "written just now"
    assert size_text(512) == "512 B" and size_text(45056) == "44.0 KB" and size_text(3 << 20) == "3.0 MB"
    users = deployed.home / "public_users.db"
    coverage = Coverage(Path("/b/20260301_120000.tar.gz"), datetime(2026, 3, 1, 12), frozenset({users}))
    facts = facts_of(deployed_session.discovery.stores, coverage)
    covered = next(f for f in facts if f.store.path == users)
    assert covered.covered and "not in any backup" not in covered.risks
    line = summary(facts, coverage, datetime(2026, 3, 1, 12, 0, 30))
    assert "last backup 20260301_120000.tar.gz, 30 s ago, holds 1 of them" in line
    trees = [tree for tree, _ in grouped(facts)]
    assert trees == [Tree.HOME, Tree.BOT]
    fees = deployed_session.discovery.get(deployed.home / "fees.db")
    env = deployed_session.discovery.get(deployed.bot_dir / ".env")
    assert fees is not None and env is not None
    assert journal_text(fees, {}) == "delete" and journal_text(fees, {fees.path: "truncate"}) == "truncate"
    assert journal_text(env, {}) == ""
    assert os.sep  # paths above are platform paths


def test_open_data_home_asks_for_the_home_and_a_bot_checkout(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from lifeos_desk.ui.open_home import OpenHomeDialog

    home, bot = tmp_path / "home", tmp_path / "bot"
    home.mkdir()
    dialog = OpenHomeDialog(home, None)
    qtbot.addWidget(dialog)
    assert dialog.home() == home and dialog.bot_dir() is None and dialog.check() == ""
    dialog.bot_edit.setText(str(bot))
    assert "is not a folder" in dialog.check()
    dialog.buttons.accepted.emit()
    assert dialog.result() != OpenHomeDialog.DialogCode.Accepted and dialog.problem.isVisibleTo(dialog)
    bot.mkdir()
    dialog.buttons.accepted.emit()
    assert dialog.result() == OpenHomeDialog.DialogCode.Accepted and dialog.bot_dir() == bot


def test_the_window_opens_home_and_bot_dir_and_remembers_the_pair(qtbot, deployed: DeployedHome,  # type: ignore[no-untyped-def]
                                                                    tmp_path: Path) -> None:
    from lifeos_desk.core.paths import AppDirs, DataPaths
    from lifeos_desk.core.settings import Settings, State
    from lifeos_desk.session import open_session
    from lifeos_desk.ui.main_window import MainWindow

    dirs = AppDirs(config=tmp_path / "cfg", state=tmp_path / "st", data=tmp_path / "data", log=tmp_path / "log")
    settings, state = Settings(dirs), State(dirs)

    def opener(paths: DataPaths) -> Session:
        return open_session(paths, dirs, settings, state)

    first = DataPaths(home=deployed.home, logs=(deployed.home / "logs",), backups=tmp_path / "b")
    w = MainWindow(opener(first), opener)
    qtbot.addWidget(w)
    assert isinstance(w.tabs.widget(0), HomeArea)
    w.open_home(deployed.home, deployed.bot_dir)
    assert w.session.paths.bot_dir == deployed.bot_dir
    assert deployed.wal_db in {r.path for r in w.session.stores.refs()}
    assert State(dirs).recent_bot_dir(deployed.home) == deployed.bot_dir
    w.close()


def _top(area: HomeArea, i: int) -> QTreeWidgetItem:
    item = area.tree.topLevelItem(i)
    assert item is not None
    return item


def _child(item: QTreeWidgetItem, j: int) -> QTreeWidgetItem:
    child = item.child(j)
    assert child is not None
    return child
