"""Tables opens every SQLite store of the deployed home: switcher, read-only, every row once, live, headers."""
# ruff: noqa: F811  (pytest fixtures imported from deployed_session.py are parameters here)

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from lifeos_desk.core.stores import StoreKind, StoreRef, StoreRole
from lifeos_desk.session import Session
from lifeos_desk.ui.area_host import UnsavedChoice
from lifeos_desk.ui.tables import create_tables_area
from lifeos_desk.ui.tables.area import TablesArea
from tests.deployed_home import DeployedHome

from .deployed_session import deployed, deployed_session  # noqa: F401  (fixtures)

# Rows each store's tables hold in tests/deployed_home.py (jarvis_core.db's only in its -wal).
EXPECTED = {
    "public_users.db": {"users": 3, "wallets": 3, "transactions": 3},
    "fees.db": {"success_fees": 1, "fee_distributions": 0},
    "jarvis_secure.db": {"subscribers": 1, "paper_wallets": 0},
    "permissions.db": {"users": 1, "allowlist": 0},
    "jarvis_core.db": {"trades": 5, "positions": 0, "treasury_orders": 0},
}


def _area(qtbot, session: Session) -> TablesArea:  # type: ignore[no-untyped-def]
    area = create_tables_area(session)
    assert isinstance(area, TablesArea)
    qtbot.addWidget(area)
    area.resize(1200, 700)
    area.show()
    return area


def _rows(area: TablesArea, table: str) -> list[tuple[object, ...]]:
    pane = area.show_table(table)
    assert pane is not None
    model = pane.model  # windowed: rowCount is every row, read in bounded windows
    return [tuple(model.value(r, c) for c in range(model.columnCount())) for r in range(model.rowCount())]


def test_switcher_lists_every_sqlite_store_users_first(qtbot, deployed_session: Session) -> None:  # type: ignore[no-untyped-def]
    area = _area(qtbot, deployed_session)
    names = [ref.path.name for ref in area.switcher.refs]
    assert names[0] == "public_users.db" and sorted(names) == sorted(EXPECTED)
    assert all(ref.kind is StoreKind.SQLITE for ref in area.switcher.refs)
    area.shutdown()


def test_each_store_opens_read_only_with_every_row_once(qtbot, qtmodeltester, deployed_session: Session) -> None:  # type: ignore[no-untyped-def]
    area = _area(qtbot, deployed_session)
    for ref in list(area.switcher.refs):
        assert area.switch_store(ref), ref
        assert area.store == ref and area.database.path == ref.path
        if ref.role is not StoreRole.USERS:
            assert area.database.read_only and area.domain is None
        listed = [area.list.item(i).data(256) for i in range(area.list.count())]
        for table, count in EXPECTED[ref.path.name].items():
            assert table in listed
            rows = _rows(area, table)
            assert len(rows) == count == len(set(rows)), (ref.path.name, table)
            pane = area.current_pane()
            assert pane is not None and pane.table == table
            qtmodeltester.check(pane.model)
    area.shutdown()


def test_treasury_tables_get_readable_headers_and_stay_read_only(qtbot, deployed_session: Session,  # type: ignore[no-untyped-def]
                                                                 deployed: DeployedHome) -> None:
    area = _area(qtbot, deployed_session)
    core = next(r for r in area.switcher.refs if r.path == deployed.wal_db)
    assert area.switch_store(core)
    pane = area.show_table("trades")
    assert pane is not None
    headers = [pane.model.headerData(c, _h()) for c in range(pane.model.columnCount())]
    assert "Amount (SOL)" in headers and "Signature" in headers and "Time (local)" in headers
    assert not any(s.editable for s in pane.model.info.specs)
    fees = next(r for r in area.switcher.refs if r.path.name == "fees.db")
    area.switch_store(fees)
    pane = area.show_table("success_fees")
    assert pane is not None
    headers = [pane.model.headerData(c, _h()) for c in range(pane.model.columnCount())]
    assert "Success fee" in headers and "Gross PnL" in headers
    area.shutdown()


def _h() -> Qt.Orientation:
    """The horizontal header orientation, for headerData."""
    return Qt.Orientation.Horizontal


def _commit_in_child(db: Path) -> None:
    """A writer in another process (this one holds QtSql connections: no sqlite3 here)."""
    code = ("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
            "c.execute(\"INSERT INTO trades VALUES ('t9','WIF','m','SELL',1,1,1,'2026-03-01T12:00:00',NULL,NULL,0)\"); "
            "c.commit(); c.close()")
    subprocess.run([sys.executable, "-c", code, str(db)], check=True, timeout=60)


def test_another_store_refreshes_live(qtbot, deployed_session: Session, deployed: DeployedHome) -> None:  # type: ignore[no-untyped-def]
    area = _area(qtbot, deployed_session)
    core = next(r for r in area.switcher.refs if r.path == deployed.wal_db)
    area.switch_store(core)
    pane = area.show_table("trades")
    assert pane is not None and pane.model.rowCount() == 5
    _commit_in_child(deployed.wal_db)
    qtbot.waitUntil(lambda: pane.model.rowCount() == 6, timeout=5000)
    area.shutdown()
    assert sqlite3  # the writer used Python's sqlite3, in its own process


def test_switching_with_a_staged_edit_asks(qtbot, deployed_session: Session) -> None:  # type: ignore[no-untyped-def]
    deployed_session.database.set_read_only(False)  # type: ignore[union-attr]
    area = _area(qtbot, deployed_session)
    users = area.show_table("users")
    assert users is not None
    users.model.setData(users.model.index(0, users.model.info.index_of("risk_level")), "DEGEN")
    asked: list[list[str]] = []
    answers = iter([UnsavedChoice.CANCEL, UnsavedChoice.DISCARD])

    def prompt(_parent: object, lines: list[str]) -> UnsavedChoice:
        asked.append(lines)
        return next(answers)

    area.ask_unsaved = prompt  # type: ignore[assignment]
    fees = next(r for r in area.switcher.refs if r.path.name == "fees.db")
    assert not area.switch_store(fees)
    assert area.store is not None and area.store.role is StoreRole.USERS and area.unsaved_changes()
    assert area.switch_store(fees)
    assert asked == [["Tables: 1 staged edit in users"]] * 2 and area.unsaved_changes() == []
    assert area.store == fees
    area.shutdown()


def test_navigator_show_store_and_show_rows_switch_stores(qtbot, deployed_session: Session,  # type: ignore[no-untyped-def]
                                                          deployed: DeployedHome) -> None:
    area = _area(qtbot, deployed_session)
    deployed_session.nav.show_store(str(deployed.wal_db))
    assert area.database.path == deployed.wal_db
    deployed_session.nav.show_rows("users", "user_id", [1001])
    assert area.store is not None and area.store.role is StoreRole.USERS
    pane = area.current_pane()
    assert pane is not None and pane.table == "users" and pane.model.rowCount() == 1
    deployed_session.nav.show_store(str(deployed.home / "nowhere.db"))
    assert "not a SQLite store" in area.message.text()
    assert isinstance(area.store, StoreRef)
    area.shutdown()
