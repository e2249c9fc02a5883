"""The PostgreSQL window's Charts: the SQLite window's Trade PnL page, the same figures, live by the new rows.

A demo home is migrated into the real test server (tests/pg.py); the SQLite
window's page reads the file, the PostgreSQL window's page the server, and
every view (all users, one user, a date range; headline, cumulative, daily,
tokens) must agree. The "bot" writing to the server is a psycopg
connection, closed after each write so its statistics reach
``pg_stat_user_tables`` (the change signal) at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import psycopg
import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from lifeos_desk.core import pnl
from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.pgurl import pg_params
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.session import Session, open_session
from lifeos_desk.ui.charts import ChartsArea
from lifeos_desk.ui.charts.trades_tab import TradePnlPanel
from lifeos_desk.ui.pg import PgWindow
from lifeos_desk.ui.pg.charts_loader import PgTradeLoader
from tests.ui.test_pg_window import migrated


def _pg_page(qtbot: QtBot, url: str) -> tuple[PgWindow, TradePnlPanel]:
    window = PgWindow(pg_params(url))
    qtbot.addWidget(window)
    window.resize(1300, 900)
    window.show()
    assert window.charts is not None
    window.tabs.setCurrentWidget(window.charts)
    charts = window.charts
    qtbot.waitUntil(lambda: charts.panel is not None and charts.panel.loaded_once and not charts.panel.loader.busy,
                    timeout=30_000)
    assert charts.panel is not None
    return window, charts.panel


def _sqlite_page(qtbot: QtBot, tmp_path: Path, home: Path) -> tuple[ChartsArea, TradePnlPanel, Session]:
    dirs = AppDirs(config=tmp_path / "cfg", state=tmp_path / "st", data=tmp_path / "data", log=tmp_path / "log")
    session = open_session(DataPaths(home=home, logs=(home / "logs",), backups=home / "backups"), dirs,
                           Settings(dirs), State(dirs))
    area = ChartsArea(session)
    qtbot.addWidget(area)
    area.resize(1300, 900)
    area.show()
    panel = area.trades
    assert panel is not None
    qtbot.waitUntil(lambda: panel.loaded_once and not panel.loader.busy, timeout=30_000)
    return area, panel, session


def _same_figures(a: pnl.Figures, b: pnl.Figures) -> None:
    assert a.headline == b.headline
    assert np.array_equal(a.curve.cumulative, b.curve.cumulative)
    assert (a.curve.max_drawdown, a.curve.peak_index, a.curve.trough_index) == \
        (b.curve.max_drawdown, b.curve.peak_index, b.curve.trough_index)
    assert np.array_equal(a.days.day, b.days.day) and np.array_equal(a.days.pnl, b.days.pnl)
    assert np.array_equal(a.days.count, b.days.count) and np.array_equal(a.days.wins, b.days.wins)
    assert a.tokens.name == b.tokens.name and np.array_equal(a.tokens.pnl, b.tokens.pnl)
    assert np.array_equal(a.tokens.count, b.tokens.count)
    assert np.array_equal(a.histogram.counts, b.histogram.counts)
    assert a.notes == b.notes


def _select(panel: TradePnlPanel, user: int | None, days: tuple[QDate, QDate] | None) -> pnl.Figures:
    panel.user_box.setCurrentIndex(panel.user_box.findData(user) if user is not None else 0)
    if days is None:
        panel.period_box.setCurrentIndex(0)
    else:
        panel.period_box.setCurrentIndex(panel.period_box.findData(-1))
        panel.from_edit.setDate(days[0])
        panel.to_edit.setDate(days[1])
    assert panel.figures is not None
    return panel.figures


@pytest.mark.parametrize("schema", ["adr", "deployed"])
def test_every_view_equals_the_sqlite_windows(qtbot: QtBot, tmp_path: Path, pg_url: str, schema: str) -> None:
    home = migrated(tmp_path, pg_url, schema=schema, trades=900)
    area, on_file, session = _sqlite_page(qtbot, tmp_path, home)
    window, on_pg = _pg_page(qtbot, pg_url)
    assert on_pg.tz == on_file.tz
    users = [on_file.user_box.itemText(i) for i in range(on_file.user_box.count())]
    assert [on_pg.user_box.itemText(i) for i in range(on_pg.user_box.count())] == users
    assert any("(" in u and not u.startswith("All") for u in users), "users shown by name, as on the file"
    first, last = on_file.from_edit.date(), on_file.to_edit.date()
    assert (on_pg.from_edit.date(), on_pg.to_edit.date()) == (first, last)
    middle = (first.addDays(first.daysTo(last) // 4), first.addDays(first.daysTo(last) // 2))
    someone = on_file.user_box.itemData(2)
    seen = 0
    for user in (None, someone):
        for days in (None, middle):
            a, b = _select(on_pg, user, days), _select(on_file, user, days)
            _same_figures(a, b)
            seen += a.headline.trade_count
            assert len(b.tokens.name) > 1 and len(b.days.day) > 1 or user is not None
    assert seen > 0
    window.close()
    area.shutdown()
    area.close()
    session.close()


_ADR_INSERT = ("INSERT INTO trades (id, user_id, token_mint, token_symbol, direction, entry_price, exit_price, amount, "
               "amount_usd, status, pnl_usd, opened_at, closed_at) "
               "SELECT 'live_' || g, (SELECT min(id) FROM users), 'mint', 'LIVE', 'LONG', 1.0, 1.1, 1.0, 100.0, "
               "'CLOSED', g * 1.25, %(t)s::timestamptz + g * interval '1 second', "
               "%(t)s::timestamptz + g * interval '1 second' FROM generate_series(1, %(n)s) g")


def test_live_refresh_reads_only_the_new_rows(qtbot: QtBot, tmp_path: Path, pg_url: str) -> None:
    migrated(tmp_path, pg_url, schema="adr", trades=500)
    window, page = _pg_page(qtbot, pg_url)
    loader = page.loader
    assert isinstance(loader, PgTradeLoader) and page.figures is not None
    before = page.figures.headline
    rows = len(page.trades)
    later = (datetime.now(UTC) + timedelta(days=400)).isoformat()  # after every demo trade: the figures extend

    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute(_ADR_INSERT, {"t": later, "n": 7})
        opened = con.execute("SELECT id FROM trades WHERE status = 'OPEN' ORDER BY id LIMIT 1").fetchone()
    assert opened is not None, "the demo home has open trades"
    qtbot.waitUntil(lambda: len(page.trades) == rows + 7 and not loader.busy, timeout=30_000)
    assert loader.rows_read == 7, "the update read the seven new rows, not the table"
    assert page.extended >= 1, "the figures grew by the new rows (core/pnl_live.py)"
    assert page.figures.headline.trade_count == before.trade_count + 7
    assert page.figures.headline.net_pnl == pytest.approx(before.net_pnl + 1.25 * sum(range(1, 8)))
    assert "LIVE" in page.figures.tokens.name

    with psycopg.connect(pg_url, autocommit=True) as con:  # the ADR bot closes a trade by UPDATE
        con.execute("UPDATE trades SET status = 'CLOSED', exit_price = 2.0, pnl_usd = 10.0, "
                    "closed_at = %(t)s::timestamptz + interval '1 hour' WHERE id = %(id)s",
                    {"t": later, "id": opened[0]})
    counted = before.trade_count + 8
    qtbot.waitUntil(lambda: page.figures is not None and page.figures.headline.trade_count == counted
                    and not loader.busy, timeout=30_000)
    assert loader.rows_read == 1 and len(page.trades) == rows + 7, "the new version replaced the held row"

    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("DELETE FROM trades WHERE id = 'live_3'")
    qtbot.waitUntil(lambda: len(page.trades) == rows + 6 and not loader.busy, timeout=30_000)
    assert loader.rows_read == rows + 6, "a deletion is found by reading everything again"
    window.close()
