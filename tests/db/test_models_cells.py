"""Issue 14, item 12: a 50 MB text cell is read and drawn bounded.

Before, every block read the whole value into Python and every paint laid it
out (first paint 16 s, each repaint 10 s). Now windows select a prefix and the
length (db/tables/cells.py); these tests assert what crosses into Python is
bounded, not how long it takes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester

from lifeos_desk.db.connection import Database
from lifeos_desk.db.tables.cells import CELL_CHARS, value_chunks
from lifeos_desk.db.tables.columns import Clipped, ClippedBytes, export_value
from lifeos_desk.db.tables.info import load_table_info
from lifeos_desk.db.tables.snapshot import columns_sql
from lifeos_desk.db.tables.window import KeyRole, RawRole, TableWindowModel
from tests.db.big_cells import BLOB_ROW, HUGE_CHARS, HUGE_ROW, ROWS, huge_blob, huge_text, make_big_db

BOUND = CELL_CHARS + 40  # a prefix plus " … (52,428,800 chars)"


@pytest.fixture
def model(qapp: QApplication, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[TableWindowModel]:
    """The notes table with its huge cells, selected (with and without an index on the huge column)."""
    db = Database(make_big_db(tmp_path / "big.db", index_body=bool(getattr(request, "param", False))))
    m = TableWindowModel(db, load_table_info(db, "notes", None))
    assert m.select()
    yield m
    db.close()


def _paint(model: TableWindowModel) -> int:
    """Everything a full paint of every row asks for; returns the longest value handed out."""
    longest = 0
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            index = model.index(r, c)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, RawRole):
                value = index.data(role)
                longest = max(longest, len(value) if isinstance(value, str | bytes) else 0)
    return longest


def test_item12_windows_select_a_prefix_and_the_length(model: TableWindowModel) -> None:
    sql = columns_sql(model.info)
    for column in ('"title"', '"body"', '"data"'):
        assert f"substr(t.{column}, 1, {CELL_CHARS})" in sql
        assert f"length(t.{column}) > {CELL_CHARS}" in sql
    assert not re.search(r'(^|, )t\."body"(,|$)', sql)  # never the bare column as an item


@pytest.mark.parametrize("model", [False, True], ids=["plain", "body-indexed"], indirect=True)
def test_item12_first_paint_and_repaint_are_bounded(model: TableWindowModel, qtmodeltester: ModelTester) -> None:
    qtmodeltester.check(model)
    assert _paint(model) <= BOUND
    row = model.row(HUGE_ROW - 1)
    assert row is not None
    body = row[1 + model.info.index_of("body")]
    assert isinstance(body, Clipped) and body.length == HUGE_CHARS and len(body) == CELL_CHARS
    assert huge_text().startswith(body)
    text = model.index(HUGE_ROW - 1, model.info.index_of("body")).data()
    assert text.endswith(" … (52,428,800 chars)") and len(text) <= BOUND
    blob = model.value(BLOB_ROW - 1, model.info.index_of("data"))
    assert isinstance(blob, ClippedBytes) and blob.length == len(huge_blob()) and len(blob) == CELL_CHARS
    assert model.index(BLOB_ROW - 1, model.info.index_of("data")).data() == f"<{len(huge_blob()):,} bytes>"
    assert export_value(model.info.specs[2], body).endswith(" … (52,428,800 chars)")  # a copy says it is cut
    model.refresh()  # a live repaint re-reads every block
    assert _paint(model) <= BOUND
    assert model.index(ROWS - 1, 0).data(KeyRole) == ROWS


@pytest.mark.parametrize("model", [False, True], ids=["plain", "body-indexed"], indirect=True)
def test_item12_sorting_by_the_huge_column_shows_every_row_once(model: TableWindowModel) -> None:
    body = model.info.index_of("body")
    model.sort(body)
    # Unindexed: one sorted snapshot (a window's ORDER BY ... LIMIT re-reads a 50 MB key per comparison).
    # Indexed: index windows, and the huge row ends the first block: its cut value cannot anchor a keyset.
    assert model.snapshot == ("body" not in model.info.indexed)
    keys = [model.index(r, 0).data(KeyRole) for r in range(model.rowCount())]
    assert keys == list(range(1, ROWS + 1))  # "body 00500 Zürich…" sorts whole, between 00500 and 00501
    model.sort(body, Qt.SortOrder.DescendingOrder)
    back = [model.index(r, 0).data(KeyRole) for r in range(model.rowCount() - 1, -1, -1)]
    assert back == list(range(1, ROWS + 1))
    assert _paint(model) <= BOUND


def test_item12_value_chunks_rebuild_the_whole_value(model: TableWindowModel) -> None:
    con, info = model.connection(), model.info
    pieces = list(value_chunks(con, info, HUGE_ROW, info.index_of("body")))
    assert max(len(p) for p in pieces) <= 1 << 20 and len(pieces) == 50
    assert "".join(str(p) for p in pieces) == huge_text()
    blob = list(value_chunks(con, info, BLOB_ROW, info.index_of("data"), 100_000))
    assert b"".join(p for p in blob if isinstance(p, bytes)) == huge_blob() and len(blob) == 32
    assert list(value_chunks(con, info, 1, info.index_of("data"))) == []  # NULL: nothing
