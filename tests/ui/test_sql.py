"""The SQL area: refuses writes, bounded under a running writer, cancel, history, schema, export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTreeWidgetItem
from pytestqt.qtbot import QtBot

from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.session import Session, open_session
from lifeos_desk.ui.sql import create_sql_area
from lifeos_desk.ui.sql.area import SqlArea
from lifeos_desk.ui.sql.console import HISTORY_KEY, QueryConsole

from ..core.test_query import LONG_QUERY, digest, make_db

WAIT_MS = 30_000

WRITER = r"""
import json, os, sqlite3, sys, time
path, seconds = sys.argv[1], float(sys.argv[2])
con = sqlite3.connect(path, timeout=30, isolation_level=None)
wal = path + "-wal"
biggest, incomplete, commits = 0, 0, 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    con.execute("BEGIN IMMEDIATE")
    con.executemany("INSERT INTO trades (user_id, amount) VALUES (?, ?)", [(1, i) for i in range(200)])
    con.execute("COMMIT")
    commits += 1
    busy, log, done = con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    incomplete += int(done != log)
    biggest = max(biggest, os.path.getsize(wal))
busy, log, done = con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
print(json.dumps({"biggest": biggest, "commits": commits, "incomplete": incomplete, "final": [busy, log, done]}))
"""


CHECKPOINT = r"""
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=30)
print(json.dumps(list(con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())))
"""


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    home = tmp_path / "home"
    home.mkdir()
    make_db(home / "public_users.db")
    dirs = AppDirs(config=tmp_path / "cfg", state=tmp_path / "st", data=tmp_path / "data", log=tmp_path / "log")
    paths = DataPaths(home=home, logs=(home / "logs",), backups=home / "backups")
    made = open_session(paths, dirs, Settings(dirs), State(dirs))
    yield made
    made.close()


@pytest.fixture
def area(qtbot: QtBot, session: Session) -> Iterator[SqlArea]:
    widget = create_sql_area(session)
    assert isinstance(widget, SqlArea)
    qtbot.addWidget(widget)
    widget.resize(1066, 600)
    widget.show()
    yield widget
    widget.shutdown()


def run(qtbot, console: QueryConsole, sql: str) -> str:  # type: ignore[no-untyped-def]
    console.editor.setPlainText(sql)
    with qtbot.waitSignal(console.finished, timeout=WAIT_MS) as blocker:
        console.run_action.trigger()
    return str(blocker.args[0])


def test_a_query_shows_its_rows_and_the_cap(qtbot, area: SqlArea) -> None:  # type: ignore[no-untyped-def]
    console = area.console
    console.limit = 100
    status = run(qtbot, console, "SELECT * FROM trades ORDER BY id")
    assert console.model.rowCount() == 100 and console.model.columns == ["id", "user_id", "amount"]
    assert status.startswith("First 100 rows")
    status = run(qtbot, console, "SELECT note FROM users LIMIT 1")
    assert console.model.index(0, 0).data() == "NULL" and status.startswith("1 row")


@pytest.mark.parametrize("sql", ["INSERT INTO users (name) VALUES ('x')", "UPDATE users SET name = 'x'",
                                 "DELETE FROM trades", "ATTACH 'x.db' AS x", "PRAGMA user_version = 3",
                                 "SELECT 1; DELETE FROM users",
                                 "WITH n(a) AS (SELECT 1) INSERT INTO users (name) SELECT 'w' FROM n"])
def test_writes_are_refused_inline_and_the_file_is_unchanged(qtbot, area: SqlArea, session: Session,  # type: ignore[no-untyped-def]
                                                             sql: str) -> None:
    before = digest(session.paths.db)
    status = run(qtbot, area.console, sql)
    assert status.startswith("Refused: refused") and "nothing was run" in status
    assert "c62828" in area.console.status.styleSheet()  # shown as an error, in the console itself
    assert digest(session.paths.db) == before


def test_a_bad_statement_is_shown_inline(qtbot, area: SqlArea) -> None:  # type: ignore[no-untyped-def]
    assert run(qtbot, area.console, "SELEC 1") == 'SQL error: near "SELEC": syntax error'


def test_cancel_stops_a_long_query_promptly_and_the_console_stays_usable(qtbot, area: SqlArea) -> None:  # type: ignore[no-untyped-def]
    import time

    console = area.console
    console.editor.setPlainText(LONG_QUERY)
    console.run_action.trigger()
    assert console.cancel_action.isEnabled() and not console.run_action.isEnabled()
    started = time.monotonic()
    with qtbot.waitSignal(console.finished, timeout=WAIT_MS) as blocker:
        console.cancel_action.trigger()
    assert time.monotonic() - started < 3.0
    assert str(blocker.args[0]).startswith("Cancelled")
    assert console.run_action.isEnabled()
    assert run(qtbot, console, "SELECT count(*) FROM users").startswith("1 row")
    assert console.model.index(0, 0).data() == "50"


def test_history_persists_in_the_app_state_not_the_home(qtbot, area: SqlArea, session: Session,  # type: ignore[no-untyped-def]
                                                        tmp_path: Path) -> None:
    run(qtbot, area.console, "SELECT 1")
    run(qtbot, area.console, "SELECT 2")
    run(qtbot, area.console, "SELECT 1")
    again = State(session.dirs)  # as after a restart
    assert again.get(HISTORY_KEY) == ["SELECT 1", "SELECT 2"]
    assert "SELECT" not in "".join(p.read_text(errors="ignore") for p in session.paths.home.rglob("*.json"))
    fresh = QueryConsole(session.stores.refs(), again)
    qtbot.addWidget(fresh)
    assert [fresh.history_box.itemData(i) for i in range(1, fresh.history_box.count())] == ["SELECT 1", "SELECT 2"]
    fresh.history_box.activated.emit(2)
    assert fresh.editor.toPlainText() == "SELECT 2"


def test_export_writes_the_rows_as_csv(qtbot, area: SqlArea, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run(qtbot, area.console, "SELECT user_id, name FROM users ORDER BY user_id LIMIT 3")
    out = tmp_path / "out.csv"
    area.console.export_csv(out)
    assert out.read_text().splitlines() == ["user_id,name", "1,u1", "2,u2", "3,u3"]


def test_the_schema_lists_every_kind_with_its_sql(qtbot, area: SqlArea) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(area.schema.loaded, timeout=WAIT_MS):
        area.tabs.setCurrentWidget(area.schema)
    tree = area.schema.tree
    tops = [_item(tree.topLevelItem(i)) for i in range(tree.topLevelItemCount())]
    groups = {item.text(0).split(" (")[0]: item for item in tops}
    assert list(groups) == ["Tables", "Views", "Indexes", "Triggers"]
    for title, item in groups.items():
        assert item.childCount() >= 1, title
        tree.setCurrentItem(_item(item.child(0)))
        assert "CREATE" in area.schema.sql.toPlainText(), title
    tables = groups["Tables"]
    trades = next(c for c in map(_item, map(tables.child, range(tables.childCount()))) if c.text(0) == "trades")
    assert trades.text(1) == "500"
    tree.setCurrentItem(trades)
    assert "foreign key (user_id) -> users(user_id)" in area.schema.sql.toPlainText()
    summary = area.schema.summary.text()
    assert "journal mode wal" in summary and ("dbstat" in summary)


def test_queries_under_a_running_writer_never_pin_the_wal(qtbot, area: SqlArea, session: Session) -> None:  # type: ignore[no-untyped-def]
    """A writer commits and checkpoints (PASSIVE) for 4 s while the console runs queries over and over."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(session.paths.db), "4"], env=env,
                              stdout=subprocess.PIPE, text=True)
    runs = 0
    try:
        while writer.poll() is None:
            run(qtbot, area.console, "SELECT t.*, u.name FROM trades t JOIN users u USING (user_id) ORDER BY t.id DESC")
            runs += 1
    finally:
        out, _ = writer.communicate(timeout=60)
    result = json.loads(out)
    print(f"writer {result}, console runs {runs}")
    assert runs >= 1 and result["commits"] > 20
    # The writer's own last checkpoint can meet a query still in flight (a reader at that instant is
    # normal); what must hold is that once the console is idle nothing of it keeps a read open.
    checkpoint = subprocess.run([sys.executable, "-c", CHECKPOINT, str(session.paths.db)], env=env,
                                capture_output=True, text=True, timeout=60, check=True)
    busy, log, done = json.loads(checkpoint.stdout)
    assert busy == 0 and done == log, (result, checkpoint.stdout)  # the whole WAL checkpoints
    # 200 rows a commit is ~3 pages; a pinned WAL would grow with every commit (hundreds of them)
    assert result["biggest"] < 1_000_000, result


def _item(item: QTreeWidgetItem | None) -> QTreeWidgetItem:
    assert item is not None
    return item
