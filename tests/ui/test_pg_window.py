"""The console opened on a PostgreSQL database migrated from a demo home (QPSQL, a real server)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from PySide6.QtSql import QSqlDatabase
from pytestqt.qtbot import QtBot

from lifeos_desk.core import pnl
from lifeos_desk.core.pgurl import pg_params
from lifeos_desk.core.schema import ADR_DOMAIN
from lifeos_desk.db.pg import PAGE_ROWS, PgDatabase, PgError, PgTable, PgTableModel
from lifeos_desk.db.pg.connection import COUNT_WATCHERS
from lifeos_desk.db.trades_query import load_trades, trade_source
from lifeos_desk.ui.pg import PgWindow
from lifeos_desk.ui.pg.charts import headline_text
from tests.core.migrate_helpers import demo_home


def migrated(tmp_path: Path, url: str, schema: str = "deployed", trades: int = 1200) -> Path:
    home = demo_home(tmp_path, schema, users=8, trades=trades)
    done = subprocess.run([sys.executable, "-m", "lifeos_desk", "--home", str(home), "migrate", "--to", url],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ), check=False)
    assert done.returncode == 0, done.stderr
    return home


def sqlite_counts(db: Path) -> dict[str, int]:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%'")]
        return {n: int(con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}


def test_window_shows_the_sqlite_row_counts_and_pages_to_the_end(qtbot: QtBot, tmp_path: Path, pg_url: str,
                                                                  pg_window: Callable[[str], PgWindow],
                                                                  immediate_tasks: Callable[[], None]) -> None:
    home = migrated(tmp_path, pg_url)
    window = pg_window(pg_url)
    assert window.error == "" and window.tables is not None
    expected = sqlite_counts(home / "public_users.db")
    qtbot.waitUntil(window.tables.all_exact, timeout=20_000)
    assert window.tables.counts == expected
    table = max(expected, key=lambda t: expected[t])
    window.tables.show_table(table)
    model = window.tables.model
    assert model is not None and model.rowCount() == expected[table] > 2 * PAGE_ROWS
    keys = [model.row(r) for r in range(model.rowCount())]  # page by page: keyset after the first
    assert all(k is not None for k in keys) and model.queries == -(-expected[table] // PAGE_ROWS)
    key = model.table.key
    assert key, "a migrated table keeps its primary key"
    at = [n for n, _t in model.table.columns].index(key[0])
    firsts = [k[at] for k in keys if k is not None]
    assert firsts == sorted(firsts) and len(set(firsts)) == len(firsts)
    assert model.data(model.index(model.rowCount() - 1, at)) == str(firsts[-1])


def test_session_is_read_only_and_a_write_is_refused(qtbot: QtBot, tmp_path: Path, pg_url: str) -> None:
    migrated(tmp_path, pg_url, trades=50)
    db = PgDatabase(pg_params(pg_url))
    try:
        assert db.read_only()
        with pytest.raises(PgError, match="read-only transaction"):
            db.exec("UPDATE users SET user_id = user_id")
        assert db.scalar("SHOW statement_timeout") == "30s"
    finally:
        db.close()


def test_a_session_setting_refused_leaves_no_connection(pg_url: str) -> None:
    """The connection opened but a session setting failed: it is closed and removed, not left registered."""
    with pytest.raises(PgError, match="statement_timeout"):
        PgDatabase(pg_params(pg_url), statement_timeout_ms=-1)
    assert not [n for n in QSqlDatabase.connectionNames() if n.startswith("lifeos-pg")]


UNREFERENCED = ("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.reltuples <> 0 AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint f WHERE f.confrelid = c.oid) ORDER BY 1 LIMIT 1")


def test_live_refresh_follows_the_change_counter(qtbot: QtBot, tmp_path: Path, pg_url: str,
                                                pg_window: Callable[[str], PgWindow],
                                                immediate_tasks: Callable[[], None]) -> None:
    migrated(tmp_path, pg_url, trades=50)
    window = pg_window(pg_url)
    assert window.tables is not None
    qtbot.waitUntil(window.tables.all_exact, timeout=20_000)
    with psycopg.connect(pg_url, autocommit=True) as con:
        row = con.execute(UNREFERENCED).fetchone()
        assert row is not None
        table = str(row[0])
        before = window.tables.counts[table]
        window.tables.show_table(table)
        con.execute(f'DELETE FROM "{table}" WHERE ctid = (SELECT min(ctid) FROM "{table}")')
    qtbot.waitUntil(lambda: window.tables is not None and window.tables.counts[table] == before - 1,
                    timeout=20_000)
    assert window.tables.model is not None and window.tables.model.rowCount() == before - 1


@pytest.fixture
def counted() -> Iterator[list[tuple[str, bool]]]:
    """Every exact count(*) as (table, ran on the UI thread), through the connection's hook."""
    seen: list[tuple[str, bool]] = []

    def watch(label: str) -> None:
        seen.append((label, threading.current_thread() is threading.main_thread()))

    COUNT_WATCHERS.append(watch)
    yield seen
    COUNT_WATCHERS.remove(watch)


def _item_texts(window: PgWindow) -> list[str]:
    assert window.tables is not None
    listed = window.tables.table_list
    return [listed.item(r).text() for r in range(listed.count())]


def test_counts_run_off_the_ui_thread_and_only_for_tables_that_moved(qtbot: QtBot, tmp_path: Path, pg_url: str,
                                                                     counted: list[tuple[str, bool]],
                                                                     pg_window: Callable[[str], PgWindow]) -> None:
    home = migrated(tmp_path, pg_url, trades=600)
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("CREATE TABLE notes (id serial PRIMARY KEY, v int)")
    window = pg_window(pg_url)
    tables = window.tables
    assert tables is not None
    expected = {**sqlite_counts(home / "public_users.db"), "notes": 0}
    biggest = max(expected, key=lambda t: expected[t])
    tables.show_table(biggest)
    assert tables.model is not None and tables.model.rowCount() > 0  # the estimate: no count waited for
    assert not [c for c in counted if c[1]], "the window counted on the UI thread"
    assert any("≈" in t or "counting…" in t for t in _item_texts(window))
    qtbot.waitUntil(tables.all_exact, timeout=20_000)
    assert tables.counts == expected and tables.model.rowCount() == expected[biggest]
    assert sorted(label for label, _ui in counted) == sorted(expected) and not any(ui for _l, ui in counted)
    assert not any("≈" in t or "counting…" in t for t in _item_texts(window))
    counted.clear()
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("INSERT INTO notes (v) VALUES (1), (2), (3)")
    qtbot.waitUntil(lambda: tables.counts["notes"] == 3 and tables.all_exact(), timeout=20_000)
    assert counted == [("notes", False)]
    assert "notes  (3)" in _item_texts(window)


def test_closing_the_window_waits_for_a_running_count(qtbot: QtBot, pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("CREATE TABLE big AS SELECT g AS v FROM generate_series(1, 200000) g")
    earlier = set(QSqlDatabase.connectionNames())  # other tests' windows may still hold theirs
    window = PgWindow(pg_params(pg_url))
    qtbot.addWidget(window)
    assert window.tables is not None and not window.tables.all_exact()  # counting in the background
    window.close()
    assert set(QSqlDatabase.connectionNames()) - earlier == set()  # the window's and the worker's are closed


def test_a_bad_target_is_explained_in_the_window(pg_url: str, pg_window: Callable[[str], PgWindow]) -> None:
    bad = pg_url.rsplit("/", 1)[0] + "/no_such_database"
    window = pg_window(bad)
    assert window.tables is None and "no_such_database" in window.error


def test_a_table_without_primary_key_pages_by_ctid(qtbot: QtBot, pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("CREATE TABLE loose (v integer, k bytea)")
        con.execute("INSERT INTO loose SELECT g, '\\x0102'::bytea FROM generate_series(1, 1200) g")
    db = PgDatabase(pg_params(pg_url))
    try:
        model = PgTableModel(db, PgTable("public", "loose"))
        assert model.rowCount() == 1200 and model.data(model.index(1199, 1)) == "<2 bytes>"
        assert sorted(int(model.data(model.index(r, 0))) for r in range(1200)) == list(range(1, 1201))
    finally:
        db.close()


def test_charts_tab_shows_the_sqlite_files_pnl_figures(qtbot: QtBot, tmp_path: Path, pg_url: str,
                                                       pg_window: Callable[[str], PgWindow]) -> None:
    home = migrated(tmp_path, pg_url, schema="adr", trades=300)
    window = pg_window(pg_url)
    window.show()
    assert window.charts is not None
    window.tabs.setCurrentWidget(window.charts)
    charts = window.charts
    qtbot.waitUntil(lambda: charts.figures is not None, timeout=20_000)
    fig = charts.figures
    assert fig is not None and charts.panel is not None
    assert window.db is not None
    cols = [c for c, _t in window.db.described(PgTable("public", "trades")).columns]
    on_file = pnl.compute(load_trades(home / "public_users.db", trade_source(ADR_DOMAIN, cols)), charts.panel.tz)
    assert fig.headline == on_file.headline and fig.headline.trade_count > 0
    assert headline_text(on_file).startswith("Net PnL ")
    window.close()
