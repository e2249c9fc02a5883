"""Issue 14, item 13: every row exactly once on any table SQLite accepts.

A WITHOUT ROWID table with a composite key was shown as 933 distinct rows plus
blanks, a table with a user column named ``rowid`` as 600 rows plus 600
blanks: the windows were keyed on something that is not the row's identity.
Databases are written with Python's sqlite3 before QtSql opens the file
(docs/architecture.md, 'One SQLite library per process').
"""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester

from lifeos_desk.core.filters import Clause
from lifeos_desk.db.connection import Database
from lifeos_desk.db.tables import snapshot, window
from lifeos_desk.db.tables.info import load_table_info
from lifeos_desk.db.tables.keys import RowIdentity
from lifeos_desk.db.tables.window import RawRole, TableWindowModel

Sig = tuple[Any, ...]

TABLES: dict[str, tuple[str, list[Sig]]] = {}


def _pairs() -> tuple[str, list[Sig]]:
    rows = [(i % 7, 1300 - i, None if i % 11 == 0 else f"note {i % 97}") for i in range(1300)]
    return "CREATE TABLE pairs (a INTEGER NOT NULL, b INTEGER NOT NULL, note TEXT, PRIMARY KEY (a, b))" \
           " WITHOUT ROWID", rows


def _shadow() -> tuple[str, list[Sig]]:
    rows = [(None if i % 8 == 0 else i % 600, f"name {i % 37}", i) for i in range(1600)]
    return "CREATE TABLE shadow (rowid INTEGER, name TEXT, n INTEGER)", rows


def _all_shadowed() -> tuple[str, list[Sig]]:
    rows = [(i % 3, None if i % 5 == 0 else i % 4, i % 10, f"v{i % 13}") for i in range(1200)]  # duplicates too
    return "CREATE TABLE all_shadowed (rowid INTEGER, _rowid_ INTEGER, oid INTEGER, v TEXT)", rows


def _shadowed_pk() -> tuple[str, list[Sig]]:
    rows = [(i % 2, i % 3, i % 4, f"code{i:05d}") for i in range(1100)]
    return "CREATE TABLE shadowed_pk (rowid INTEGER, _rowid_ INTEGER, oid INTEGER," \
           " code TEXT NOT NULL PRIMARY KEY)", rows


MAKERS: dict[str, Callable[[], tuple[str, list[Sig]]]] = {
    "pairs": _pairs, "shadow": _shadow, "all_shadowed": _all_shadowed, "shadowed_pk": _shadowed_pk,
}


def _make(path: Path) -> dict[str, list[Sig]]:
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    out = {}
    for name, maker in MAKERS.items():
        ddl, rows = maker()
        con.execute(ddl)
        random.Random(3).shuffle(rows)  # insertion order is not key order
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
        out[name] = rows
    con.commit()
    con.close()
    return out


Opened = tuple[Database, dict[str, list[Sig]]]


@pytest.fixture
def opened(qapp: QApplication, tmp_path: Path) -> Iterator[Opened]:
    """The four tables, written before QtSql opens the file."""
    path = tmp_path / "odd.db"
    data = _make(path)
    db = Database(path)
    yield db, data
    db.close()


def _model(db: Database, table: str) -> TableWindowModel:
    model = TableWindowModel(db, load_table_info(db, table, None))
    assert model.select()
    return model


def _sig(model: TableWindowModel, r: int) -> Sig:
    return tuple(model.index(r, c).data(RawRole) for c in range(model.columnCount()))


def _walk(model: TableWindowModel, positions: list[int]) -> dict[int, Sig]:
    return {r: _sig(model, r) for r in positions}


def _in_order(walked: dict[int, Sig]) -> list[Sig]:
    return [walked[r] for r in sorted(walked)]


def test_item13_identity_is_the_real_row_identity(opened: Opened) -> None:
    db, _ = opened
    assert load_table_info(db, "pairs", None).identity == RowIdentity(('"a"', '"b"'), rowid=False, exact=True)
    assert load_table_info(db, "shadow", None).identity == RowIdentity("_rowid_", rowid=True, exact=True)
    assert load_table_info(db, "shadowed_pk", None).identity == RowIdentity('"code"', rowid=False, exact=True)
    odd = load_table_info(db, "all_shadowed", None).identity
    assert not odd.rowid and not odd.exact


@pytest.mark.parametrize("table", list(MAKERS))
def test_item13_every_row_once_scrolling_and_jumping(opened: Opened, qtmodeltester: ModelTester, table: str) -> None:
    db, data = opened
    want = Counter(data[table])
    forward = _model(db, table)
    qtmodeltester.check(forward)
    n = len(data[table])
    assert forward.rowCount() == n
    ahead = _in_order(_walk(forward, list(range(n))))  # block by block: keysets from the previous block
    assert Counter(ahead) == want
    backward = _model(db, table)
    back = _in_order(_walk(backward, list(range(n - 1, -1, -1))))  # keysets from the next block
    assert back == ahead
    jumps = list(range(n))
    random.Random(5).shuffle(jumps)
    jumped = _model(db, table)
    assert _in_order(_walk(jumped, jumps)) == ahead  # OFFSET from either end, then keysets around
    exported = [r for page in forward.iter_pages(page_rows=300) for r in page]
    assert len(exported) == n and Counter(r[1:1 + forward.columnCount()] for r in exported) == want


def test_item13_default_order_is_the_key(opened: Opened) -> None:
    db, data = opened
    pairs = _in_order(_walk(_model(db, "pairs"), list(range(1300))))
    assert [(r[0], r[1]) for r in pairs] == sorted((r[0], r[1]) for r in data["pairs"])
    shadow = _in_order(_walk(_model(db, "shadow"), list(range(1600))))
    assert shadow == data["shadow"]  # insertion order: the real rowid, not the user's "rowid" column


@pytest.mark.parametrize("table", ["pairs", "shadow", "all_shadowed"])
@pytest.mark.parametrize("snapshots", [False, True])
def test_item13_sort_and_filter_stay_correct(opened: Opened, qtmodeltester: ModelTester,
                                             monkeypatch: pytest.MonkeyPatch, table: str, snapshots: bool) -> None:
    if snapshots:
        monkeypatch.setattr(snapshot, "SNAPSHOT_MIN_ROWS", 100)  # the sorted-snapshot path on small tables
    db, data = opened
    model = _model(db, table)
    last = model.columnCount() - 1  # note / n / v: an unindexed column
    model.sort(last, Qt.SortOrder.DescendingOrder)
    assert model.snapshot == (snapshots and model.info.identity.exact)
    qtmodeltester.check(model)
    rows = _in_order(_walk(model, list(range(model.rowCount()))))
    assert Counter(rows) == Counter(data[table])
    keys = [r[last] for r in rows]
    present = [k for k in keys if k is not None]
    assert present == sorted(present, reverse=True) and keys[len(present):] == [None] * (len(keys) - len(present))
    column = model.info.specs[last].sql
    model.set_where(Clause(f"{column} LIKE ?", ("%3%",)))
    want = Counter(r for r in data[table] if r[last] is not None and "3" in str(r[last]))
    jumps = list(range(model.rowCount()))
    random.Random(9).shuffle(jumps)
    assert Counter(_walk(model, jumps).values()) == want
    assert model.rowCount() == sum(want.values())


def test_item13_editing_stays_off_without_a_usable_rowid(opened: Opened) -> None:
    db, _ = opened
    assert not load_table_info(db, "pairs", None).identity.rowid
    assert not load_table_info(db, "all_shadowed", None).identity.rowid
    shadow = _model(db, "shadow")
    assert shadow.info.identity.rowid and shadow.info.key == "_rowid_"
    assert window.BLOCK_ROWS < 1600  # more than one block: windows really were joined
