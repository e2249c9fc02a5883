"""The Tables area on both schemas: filters, navigation, copy/export, editing, live refresh."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.db.tables import indexes
from lifeos_desk.session import Session, open_session
from lifeos_desk.ui.areas import Area
from lifeos_desk.ui.tables import create_tables_area
from lifeos_desk.ui.tables.area import TablesArea
from lifeos_desk.ui.tables.pane import TablePane
from tests.db.tables_data import ADR_TRADE_SQL, adr_trade, child_write, make_db

# The area_for fixture: a schema ("adr", "deployed") and a trade count in, a shown TablesArea out.
AreaFor = Callable[..., TablesArea]


@pytest.fixture
def area_for(qtbot: QtBot, tmp_path: Path) -> Iterator[AreaFor]:
    sessions: list[Session] = []

    def make(schema: str = "adr", trades: int = 300) -> TablesArea:
        home = tmp_path / f"home-{schema}"
        make_db(home / "public_users.db", schema, trades=trades)
        dirs = AppDirs(config=tmp_path / "cfg", state=tmp_path / "st", data=tmp_path / "data", log=tmp_path / "log")
        paths = DataPaths(home=home, logs=(home / "logs",), backups=home / "backups")
        session = open_session(paths, dirs, Settings(dirs), State(dirs))
        sessions.append(session)
        area = create_tables_area(session)
        assert isinstance(area, TablesArea)
        _SESSIONS[id(area)] = session
        qtbot.addWidget(area)
        area.resize(1200, 700)
        area.show()
        return area

    yield make
    for s in sessions:
        s.close()
    _SESSIONS.clear()


_SESSIONS: dict[int, Session] = {}  # the session each area_for() area was made from


def session_of(area: TablesArea) -> Session:
    return _SESSIONS[id(area)]


def trades_pane(area: TablesArea) -> TablePane:
    pane = area.current_pane()
    assert pane is not None
    return pane


@pytest.mark.parametrize(("schema", "tables", "trades"), [
    ("adr", ["Users", "Wallets", "Trades", "Algorithm metrics"], "trades"),
    ("deployed", ["Users", "Wallets", "Transactions", "User stats", "Positions", "Rate limits"], "transactions"),
])
def test_area_lists_domain_tables_first_and_opens_trades(area_for: AreaFor, schema: str, tables: list[str],
                                                         trades: str) -> None:
    area = area_for(schema)
    assert [area.list.item(i).text() for i in range(area.list.count())] == tables
    pane = trades_pane(area)
    assert pane.table == trades and pane.model.rowCount() == 300
    assert "300 rows" in pane.status.text()


def test_bad_filter_is_marked_not_raised(area_for: AreaFor) -> None:
    area = area_for()
    pane = trades_pane(area)
    pnl = pane.model.info.index_of("pnl_usd")
    pane.filters.set_text(pnl, ">abc")
    pane.apply_filters()
    box = pane.filters.boxes[pnl]
    assert "border" in box.styleSheet() and "not a number" in box.toolTip()
    assert pane.model.rowCount() == 300
    pane.filters.set_text(pnl, ">0")
    pane.apply_filters()
    assert box.styleSheet() == "" and 0 < pane.model.rowCount() < 300
    assert "of 300 rows match" in pane.status.text()


def test_hostile_search_finds_nothing_and_changes_nothing(area_for: AreaFor) -> None:
    area = area_for()
    pane = trades_pane(area)
    pane.search.setText("'; DROP TABLE users; --")
    pane.apply_filters()
    assert pane.model.rowCount() == 0
    users = area.show_table("users")
    assert users is not None and users.model.rowCount() == 12


def test_navigator_show_rows(area_for: AreaFor) -> None:
    area = area_for()
    nav = session_of(area).nav
    area.show_table("users")
    nav.show_rows("trades", "id", ["t000001", "t000002", "t000003"])
    pane = area.current_pane()
    assert pane is not None and pane.table == "trades"
    assert pane.model.rowCount() == 3 and "3 chosen rows" in pane.chosen_label.text()
    pane.clear_chosen()
    assert pane.model.rowCount() == 300
    nav.show_rows("trades", "user_id", [2])
    assert pane.filters.boxes[pane.model.info.index_of("user_id")].text() == "=2"
    assert pane.model.rowCount() == 25
    nav.show_rows("no_such_table", "x", [1])
    assert "no table no_such_table" in area.message.text()


def test_utc_toggle_reaches_headers(area_for: AreaFor) -> None:
    area = area_for()
    pane = trades_pane(area)
    i = pane.model.info.index_of("opened_at")
    session_of(area).prefs.set_utc(True)
    assert pane.model.headerData(i, pane.view.horizontalHeader().orientation()) == "Opened at (UTC)"
    assert pane.model.index(0, i).data() == "2026-02-01 00:00:00"


def test_copy_selected_cells_as_tsv(area_for: AreaFor) -> None:
    area = area_for()
    pane = area.show_table("wallets")
    assert pane is not None
    sel = pane.view.selectionModel()
    for c in (pane.model.info.index_of("address"), pane.model.info.index_of("encrypted_key")):
        for r in (0, 1):
            sel.select(pane.model.index(r, c), QItemSelectionModel.SelectionFlag.Select)
    pane.copy_selection()
    text = QGuiApplication.clipboard().text()
    assert text.splitlines()[0] == f"Addr{1:040d}\tkey present (140 bytes)"


def test_csv_export_streams_filtered_sorted_rows(area_for: AreaFor, qtbot: QtBot, tmp_path: Path) -> None:
    area = area_for(trades=2500)
    pane = trades_pane(area)
    pane.filters.set_text(pane.model.info.index_of("token_symbol"), "=SOL")
    pane.apply_filters()
    pane.sort_by("pnl_usd", descending=True)
    out = tmp_path / "out.csv"
    export = pane.export_to(out)
    with qtbot.waitSignal(export.finished, timeout=10_000):
        pass
    rows = list(csv.reader(out.open()))
    assert rows[0][:2] == ["id", "user_id"] and len(rows) == 1 + 500
    pnl = [float(r[10]) for r in rows[1:] if r[10]]
    assert pnl == sorted(pnl, reverse=True)
    assert not out.with_name("out.csv.part").exists()
    wallets = area.show_table("wallets")
    assert wallets is not None
    export = wallets.export_to(tmp_path / "w.csv")
    with qtbot.waitSignal(export.finished, timeout=10_000):
        pass
    body = (tmp_path / "w.csv").read_text()
    assert "key present (140 bytes)" in body and body.count("\n") == 14


def test_editing_unlocked_from_the_database_menu(area_for: AreaFor) -> None:
    area = area_for()
    session = session_of(area)
    users = area.show_table("users")
    assert users is not None and not users.save_button.isVisible()
    assert session.database is not None
    session.database.set_read_only(False)  # what Database ▸ Allow editing does
    assert users.model.editable and users.save_button.isVisible()
    name = users.model.info.index_of("username")
    users.model.setData(users.model.index(0, name), "edited")
    assert users.save_button.text() == "Save (1)" and "1 pending edit" in users.status.text()
    assert users.save()
    entries = [json.loads(x) for x in session.audit.path.read_text().splitlines()]
    assert entries[-1]["new"] == "edited" and entries[-1]["table"] == "users"
    assert users.model.index(0, name).data() == "edited"


def test_live_refresh_from_a_child_process(area_for: AreaFor, qtbot: QtBot) -> None:
    area = area_for()
    pane = trades_pane(area)
    pane.view.scrollToBottom()
    current = pane.model.index(5, 0)
    pane.view.setCurrentIndex(current)
    child_write(session_of(area).paths.db, ADR_TRADE_SQL, [adr_trade(i) for i in range(4)])
    qtbot.waitUntil(lambda: pane.model.rowCount() == 304, timeout=5000)
    assert pane.view.currentIndex().row() == 5  # selection kept
    assert pane.model.index(303, 0).data() == "new000003"
    assert pane.model.index(303, 0).data(8) is not None  # BackgroundRole: highlighted


def test_user_detail_panel(area_for: AreaFor, qtbot: QtBot) -> None:
    area = area_for("deployed")
    users = area.show_table("users")
    assert users is not None and users.detail is not None
    detail = users.detail
    users.select_row(1)
    qtbot.waitUntil(lambda: "tg2" in detail.title.text(), timeout=3000)
    summary = detail.summary.text()
    assert "Count" in summary and "Win rate" in summary
    assert detail.wallets.rowCount() == 1
    key_cell = detail.wallets.item(0, 3)
    assert key_cell is not None and key_cell.text() == "key present (160 bytes)"
    detail.trades_button.click()
    pane = area.current_pane()
    assert pane is not None and pane.table == "transactions" and pane.model.rowCount() == 25


def test_recommended_indexes_are_explicit(area_for: AreaFor) -> None:
    area = area_for()
    session = session_of(area)
    pane = trades_pane(area)
    assert session.database is not None and session.domain is not None
    todo = indexes.missing(session.database, session.domain)
    assert [s.column for s in todo] == ["user_id", "opened_at", "closed_at", "status"]
    assert "busy timeout" in indexes.cost_text(session.database, todo)
    session.database.set_read_only(False)
    pane.create_indexes(todo)
    assert not indexes.missing(session.database, session.domain)
    assert "opened_at" in pane.model.info.indexed
    events = [json.loads(x)["event"] for x in session.audit.path.read_text().splitlines()]
    assert events.count("create_index") == 4


def test_screenshot_states_and_unsaved_edits(area_for: AreaFor) -> None:
    area = area_for()
    assert isinstance(area, Area)
    states = list(area.screenshot_states())
    assert [name for name, _ in states] == ["tables-trades", "tables-trades-filtered", "tables-user-detail",
                                            "tables-editing"]
    for _name, enter in states:
        enter()
    database = session_of(area).database
    assert database is area.database and not database.read_only  # the editing state unlocked it
    assert area.unsaved_changes() == ["Tables: 1 staged edit in users"]
    area.discard_changes()
    users = area.pane("users")
    assert users is not None and not users.model.edits and area.unsaved_changes() == []


def test_save_changes_writes_staged_edits(area_for: AreaFor) -> None:
    area = area_for()
    area.database.set_read_only(False)
    users = area.show_table("users")
    assert users is not None
    risk = users.model.info.index_of("risk_level")
    users.model.setData(users.model.index(0, risk), "DEGEN")
    users.model.setData(users.model.index(1, risk), "DEGEN")
    assert area.unsaved_changes() == ["Tables: 2 staged edits in users"]
    assert area.save_changes()
    assert area.unsaved_changes() == []
    events = [json.loads(x)["event"] for x in session_of(area).audit.path.read_text().splitlines()]
    assert events.count("table_edit") == 2


def test_unknown_schema_still_browsable(qtbot: QtBot, tmp_path: Path) -> None:
    import sqlite3

    home = tmp_path / "odd"
    home.mkdir()
    con = sqlite3.connect(home / "public_users.db")
    con.execute("CREATE TABLE notes (body TEXT, created_at TEXT, secret_flag BOOLEAN)")
    con.executemany("INSERT INTO notes VALUES (?,?,?)", [("a", "2026-01-01 00:00:00", 1), (None, None, 0)])
    con.commit()
    con.close()
    dirs = AppDirs(config=tmp_path / "c", state=tmp_path / "s", data=tmp_path / "d", log=tmp_path / "l")
    session = open_session(DataPaths(home=home, logs=(home / "logs",), backups=home / "b"), dirs,
                           Settings(dirs), State(dirs))
    try:
        area = create_tables_area(session)
        qtbot.addWidget(area)
        assert isinstance(area, TablesArea)
        pane = area.current_pane()
        assert pane is not None and pane.table == "notes" and pane.model.rowCount() == 2
        assert pane.model.index(1, 0).data() == "NULL" and pane.model.index(0, 2).data() == "✓"
        assert not pane.index_button.isVisibleTo(pane) and not pane.model.editable
    finally:
        session.close()


def test_no_database_explains_itself(qtbot: QtBot, tmp_path: Path) -> None:
    dirs = AppDirs(config=tmp_path / "c", state=tmp_path / "s", data=tmp_path / "d", log=tmp_path / "l")
    session = open_session(DataPaths(home=tmp_path / "none", logs=(), backups=tmp_path / "b"), dirs,
                           Settings(dirs), State(dirs))
    widget = create_tables_area(session)
    qtbot.addWidget(widget)
    assert not isinstance(widget, TablesArea)
    assert "cannot be shown" in " ".join(label.text() for label in widget.findChildren(QLabel))


def test_the_pane_styles_cells_the_db_model_does_not(area_for: AreaFor) -> None:
    """Colours, fonts and tooltips come from ui/tables/style.py; the db model serves data only."""
    from PySide6.QtCore import Qt

    from lifeos_desk.db.tables.window import TableWindowModel
    from lifeos_desk.ui.tables.style import LOSS, NULL_FG, StyledTableModel

    area = area_for("adr")
    pane = area.show_table("trades")
    assert pane is not None and isinstance(pane.model, StyledTableModel)
    model = pane.model
    pnl = model.info.index_of("pnl_usd")
    rows = range(model.rowCount())
    loss = next(r for r in rows if (model.index(r, pnl).data() or "").startswith("-$"))
    assert model.index(loss, pnl).data(Qt.ItemDataRole.ForegroundRole).color() == LOSS
    null = next(r for r in rows if model.index(r, pnl).data() == "NULL")
    assert model.index(null, pnl).data(Qt.ItemDataRole.ForegroundRole).color() == NULL_FG
    assert model.index(null, pnl).data(Qt.ItemDataRole.FontRole).italic()
    assert "NULL" in model.index(null, pnl).data(Qt.ItemDataRole.ToolTipRole)
    assert "pnl_usd" in model.headerData(pnl, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    database = session_of(area).database
    assert database is not None
    plain = TableWindowModel(database, model.info)
    assert plain.index(null, pnl).data(Qt.ItemDataRole.ForegroundRole) is None
    assert plain.index(null, pnl).data(Qt.ItemDataRole.ToolTipRole) is None


def test_item18_tables_csv_export_survives_a_lone_surrogate(area_for: AreaFor, qtbot: QtBot, tmp_path: Path) -> None:
    # QtSql itself turns bad UTF-8 into U+FFFD, so the surrogate is handed to the writer directly:
    # whatever reaches it must not abort the export half-way.
    area = area_for()
    pane = trades_pane(area)
    out = tmp_path / "odd.csv"
    export = pane.export_to(out)
    export._write(["lone \ud800 surrogate"])
    with qtbot.waitSignal(export.finished, timeout=10_000):
        pass
    text = out.read_text(encoding="utf-8")
    assert "lone \\ud800 surrogate" in text and text.count("\n") == 1 + 1 + 300
