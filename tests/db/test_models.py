"""The windowed table model: exact, ordered, bounded, and never pinning the WAL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtSql import QSqlTableModel
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester

from lifeos_desk.core.filters import Clause, ColumnFilter, ColumnKind, in_values, parse_filter
from lifeos_desk.core.schema import ADR_DOMAIN, DEPLOYED_DOMAIN, Domain
from lifeos_desk.db.connection import Database, run_scalar
from lifeos_desk.db.tables import snapshot, window
from lifeos_desk.db.tables.window import KeyRole, NewRole, RawRole, TableWindowModel, load_table_info
from tests.db.tables_data import ADR_TRADE_SQL, KEY_BYTES, adr_trade, child_write, make_db

SCHEMAS = [("adr", ADR_DOMAIN), ("deployed", DEPLOYED_DOMAIN)]


# The opened fixture: a schema, a table, a trade count and Database options in; a selected model,
# its database and the file's path out.
Opened = Callable[..., tuple[TableWindowModel, Database, Path]]


@pytest.fixture
def opened(qapp: QApplication, tmp_path: Path) -> Iterator[Opened]:
    """Make a database (sqlite3, before QtSql), open it, and build models on it."""
    databases: list[Database] = []

    def make(schema: str = "adr", table: str | None = None, trades: int = 600,
             **kw: Any) -> tuple[TableWindowModel, Database, Path]:
        path = make_db(tmp_path / f"{schema}-{len(databases)}" / "public_users.db", schema, trades=trades)
        db = Database(path, **kw)
        databases.append(db)
        domain = ADR_DOMAIN if schema == "adr" else DEPLOYED_DOMAIN
        info = load_table_info(db, table or domain.trades, domain)
        model = TableWindowModel(db, info)
        model.select()
        return model, db, path

    yield make
    for db in databases:
        db.close()


def expected_keys(path: Path, table: str, order_sql: str, where: str = "1", params: tuple[Any, ...] = ()) -> list[int]:
    """The rowids in order as sqlite3 sees them (read before QtSql wrote nothing: reads are safe? no -> child)."""
    import json
    import subprocess
    import sys
    code = ("import json,sqlite3,sys;c=sqlite3.connect(sys.argv[1]);"
            "print(json.dumps([r[0] for r in c.execute(sys.argv[2], json.loads(sys.argv[3]))]))")
    sql = f"SELECT rowid FROM {table} WHERE {where} ORDER BY {order_sql}"
    out = subprocess.run([sys.executable, "-c", code, str(path), sql, json.dumps(list(params))],
                         capture_output=True, text=True, check=True, timeout=60)
    return list(json.loads(out.stdout))


def model_keys(model: TableWindowModel, positions: list[int]) -> list[Any]:
    return [model.index(r, 0).data(KeyRole) for r in positions]


@pytest.mark.parametrize(("schema", "domain"), SCHEMAS)
def test_qtmodeltester_on_every_table(opened: Opened, qtmodeltester: ModelTester, schema: str, domain: Domain) -> None:
    model, db, _ = opened(schema)
    qtmodeltester.check(model)
    for table in db.tables():
        other = TableWindowModel(db, load_table_info(db, table, domain))
        other.select()
        qtmodeltester.check(other)
    model.sort(3, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)


@pytest.mark.parametrize("snapshot_min", [10**9, 50])  # OFFSET/keyset windows, and the sorted snapshot
@pytest.mark.parametrize(("column", "descending"), [(None, False), ("pnl_usd", False), ("pnl_usd", True),
                                                    ("token_symbol", True), ("id", False)])
def test_every_position_matches_sql_order(opened: Opened, monkeypatch: pytest.MonkeyPatch, snapshot_min: int,
                                          column: str | None, descending: bool) -> None:
    monkeypatch.setattr(window, "BLOCK_ROWS", 64)
    monkeypatch.setattr(window, "MAX_BLOCKS", 3)
    monkeypatch.setattr(snapshot, "SNAPSHOT_MIN_ROWS", snapshot_min)
    model, _, path = opened("adr", trades=700)
    model.sort_by(column, descending)
    order = model.order.sql()
    want = expected_keys(path, "trades", order)
    assert model.rowCount() == len(want) == 700
    n = len(want)
    # jump to the end, walk backwards (keyset from the next block), then forwards from a cold middle
    positions = [n - 1, *range(n - 2, n - 200, -1), 350, *range(351, 500), 0, *range(1, 70)]
    assert model_keys(model, positions) == [want[p] for p in positions]
    assert model.cached_blocks() <= 3
    assert [r[0] for page in model.iter_pages(100) for r in page] == want


def clause(text: str, column: ColumnFilter) -> Clause:
    """A filter box's non-empty text as its clause."""
    parsed = parse_filter(text, column)
    assert parsed is not None
    return parsed


def test_filters_are_sql_with_bound_parameters(opened: Opened) -> None:
    model, db, path = opened("adr")
    spec = model.info.specs[model.info.index_of("token_symbol")]
    model.set_where(clause("'; DROP TABLE users; --", spec.filter_column()))
    assert model.rowCount() == 0
    model.set_where(clause("O'REILLY", spec.filter_column()))
    assert model.rowCount() == 120
    assert model.index(0, model.info.index_of("token_symbol")).data() == "O'REILLY"
    assert run_scalar(db.connection(), "SELECT count(*) FROM users") == 12
    pnl = model.info.specs[model.info.index_of("pnl_usd")]
    model.set_where(clause("NULL", pnl.filter_column()))
    assert model.rowCount() == len(expected_keys(path, "trades", "rowid", "pnl_usd IS NULL"))
    model.set_where(in_values('"id"', ["t000001", "t000005", "nope"]))
    assert model.rowCount() == 2


def test_cells_are_formatted_and_null_is_not_empty(opened: Opened) -> None:
    model, _, _ = opened("adr", table="users")
    name = model.info.index_of("username")
    assert model.index(2, name).data() == "NULL"
    assert model.index(2, name).data(RawRole) is None  # NULL: the UI greys and italicises it (ui/tables/style.py)
    assert model.index(2, name).data(Qt.ItemDataRole.FontRole) is None  # no presentation in db
    assert model.index(0, name).data() == "user1"
    trades, _, _ = opened("adr")
    pnl = trades.info.index_of("pnl_usd")
    texts = [trades.index(r, pnl).data() for r in range(40)]
    assert any(t.startswith("-$") for t in texts) and any(t.startswith("$") for t in texts)
    user = trades.info.index_of("user_id")
    assert trades.index(0, user).data() == "user1 (1)"
    assert trades.headerData(trades.info.index_of("opened_at"), Qt.Orientation.Horizontal) == "Opened at (local)"
    trades.set_utc(True)
    assert trades.index(0, trades.info.index_of("opened_at")).data() == "2026-02-01 00:00:00"


@pytest.mark.parametrize(("schema", "domain"), SCHEMAS)
def test_encrypted_keys_are_never_read_into_the_model(opened: Opened, schema: str, domain: Domain) -> None:
    model, _, _ = opened(schema, table=domain.wallets)
    col = model.info.index_of(domain.wallet_secret)
    assert model.info.specs[col].kind is ColumnKind.KEY
    size = KEY_BYTES if schema == "adr" else 160
    assert model.index(0, col).data() == f"key present ({size} bytes)"
    assert model.index(0, col).data(RawRole) == size
    for r in range(model.rowCount()):
        row = model.row(r)
        assert row is not None
        assert not any(isinstance(v, bytes) or (isinstance(v, str) and "QUJD" in v) for v in row)


def test_live_refresh_keeps_position_and_highlights_new_rows(opened: Opened) -> None:
    model, _, path = opened("adr")
    model.row(599)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, a, b: inserted.append((a, b)))
    child_write(path, ADR_TRADE_SQL, [adr_trade(i) for i in range(5)])
    model.refresh()
    assert model.rowCount() == 605
    assert inserted == [(600, 604)]
    assert model.index(604, 0).data() == "new000004"
    assert model.index(604, 0).data(NewRole) is True
    assert model.index(10, 0).data(NewRole) is False


def test_snapshot_counts_new_rows_until_resorted(opened: Opened, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "SNAPSHOT_MIN_ROWS", 10)
    model, _, path = opened("adr")
    model.sort_by("pnl_usd", True)
    assert model.snapshot
    child_write(path, ADR_TRADE_SQL, [adr_trade(i) for i in range(3)])
    model.refresh()
    assert model.rowCount() == 600 and model.unplaced == 3
    model.select()
    assert model.rowCount() == 603 and model.unplaced == 0


def _checkpoint(path: Path, n: int = 50) -> list[int]:
    result = child_write(path, ADR_TRADE_SQL, [adr_trade(10_000 + i) for i in range(n)], checkpoint=True)
    return list(result["checkpoint"])


def test_no_statement_stays_open_so_the_bot_can_checkpoint(opened: Opened, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "SNAPSHOT_MIN_ROWS", 100)
    model, _, path = opened("adr", trades=3000)
    model.row(0)
    model.row(2999)
    model.row(1500)
    model.sort_by("opened_at", True)  # unindexed: goes through the snapshot
    model.row(1700)
    list(model.iter_pages(500))
    model.refresh()
    model.row(5)
    busy, log, done = _checkpoint(path)
    assert busy == 0 and log > 0 and done == log  # every frame checkpointed: nobody pins the WAL


def test_control_plain_qsqltablemodel_pins_the_wal(opened: Opened) -> None:
    """The reason for the design (fact 2): this same check fails with a plain QSqlTableModel."""
    model, db, path = opened("adr", trades=3000)
    plain = QSqlTableModel(None, db.connection("plain"))
    plain.setTable("trades")
    plain.select()
    assert plain.canFetchMore()
    busy, log, done = _checkpoint(path)
    assert done < log
    plain.clear()


def _value(db: Database, sql: str) -> Any:
    return run_scalar(db.connection("check"), sql)


def test_write_through_sqlite3_is_not_used_in_this_process() -> None:
    """Guard for fact 1: the model modules never import Python's sqlite3."""
    import lifeos_desk.db.tables.editor as editor

    for module in (window, editor):
        assert "sqlite3" not in vars(module)
    assert sqlite3  # the tests themselves use it only before QtSql opens a file


def test_filtered_and_sorted_big_results_go_through_the_snapshot(opened: Opened,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(window, "BLOCK_ROWS", 64)
    monkeypatch.setattr(snapshot, "SNAPSHOT_MIN_ROWS", 100)
    model, _, path = opened("adr", trades=900)
    spec = model.info.specs[model.info.index_of("status")]
    model.set_where(clause("=CLOSED", spec.filter_column()))
    model.sort_by("id", True)  # indexed, but filtered: deep OFFSETs would look up every row
    assert model.snapshot
    want = expected_keys(path, "trades", "id DESC, rowid DESC", "status = ?", ("CLOSED",))
    assert model.rowCount() == len(want) == 600
    positions = [599, 300, 301, 0, 63, 64]
    assert model_keys(model, positions) == [want[p] for p in positions]
    model.sort_by("id", False)
    model.set_where(clause("=OPEN", spec.filter_column()))
    assert model.rowCount() == 300 and model.snapshot
    model.sort_by(None, False)
    assert not model.snapshot  # file order: OFFSET over the table is a plain scan


def test_live_count_adds_appended_rows_and_recounts_fully_in_time(opened: Opened,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(window, "FULL_RECOUNT_S", 3600.0)
    model, _, path = opened("adr")
    spec = model.info.specs[model.info.index_of("status")]
    model.set_where(clause("=OPEN", spec.filter_column()))
    assert model.rowCount() == 200
    child_write(path, ADR_TRADE_SQL, [adr_trade(i) for i in range(5)])  # 5 new OPEN trades
    before = model.queries
    model.refresh()
    assert model.rowCount() == 205 and model.queries == before  # appended rows counted, no window re-read yet
    child_write(path, "DELETE FROM trades WHERE id IN (?, ?)", [["t000000", "t000003"]])
    model.refresh()
    assert model.rowCount() == 205  # a deletion waits for the periodic full recount...
    monkeypatch.setattr(window, "FULL_RECOUNT_S", 0.0)
    model.refresh()
    assert model.rowCount() == 203  # ...which makes the count exact again
