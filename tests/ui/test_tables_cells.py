"""Issue 14, item 12 in the UI: a 50 MB cell's tooltip is bounded, its whole value is saved and exported.

"Save value to file…" and the CSV export stream the value in 1 MB pieces of
bounded queries (db/tables/cells.py); the file must equal the original.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.db.connection import Database
from lifeos_desk.db.tables.info import load_table_info
from lifeos_desk.session import open_session
from lifeos_desk.ui.tables import create_tables_area
from lifeos_desk.ui.tables.area import TablesArea
from lifeos_desk.ui.tables.export import CsvExport, csv_field
from lifeos_desk.ui.tables.pane import TablePane
from lifeos_desk.ui.tables.savevalue import ValueSave
from lifeos_desk.ui.tables.style import TIP_CHARS, StyledTableModel
from tests.db.big_cells import BLOB_ROW, HUGE_CHARS, HUGE_ROW, ROWS, huge_blob, huge_text, make_big_db
from tests.db.tables_data import make_db


@pytest.fixture
def model(qapp: QApplication, tmp_path: Path) -> Iterator[StyledTableModel]:
    """The notes table with its huge cells, as the pane shows it."""
    db = Database(make_big_db(tmp_path / "home" / "big.db"))
    m = StyledTableModel(db, load_table_info(db, "notes", None))
    assert m.select()
    yield m
    db.close()


def test_item12_tooltip_is_bounded_and_says_how_to_get_it_all(model: StyledTableModel) -> None:
    body = model.info.index_of("body")
    tip = model.index(HUGE_ROW - 1, body).data(Qt.ItemDataRole.ToolTipRole)
    assert f"{HUGE_CHARS:,} characters stored" in tip and "Save value to file…" in tip
    assert len(tip) < TIP_CHARS * 2  # escaped prefix plus the note, never the value
    blob_tip = model.index(BLOB_ROW - 1, model.info.index_of("data")).data(Qt.ItemDataRole.ToolTipRole)
    assert f"{len(huge_blob()):,} bytes stored" in blob_tip


def test_item12_save_value_to_file_equals_the_original(model: StyledTableModel, qtbot: QtBot,
                                                       tmp_path: Path) -> None:
    out = tmp_path / "body.txt"
    save = ValueSave(model, HUGE_ROW, model.info.index_of("body"), out)
    with qtbot.waitSignal(save.finished, timeout=120_000) as done:
        save.start()
    assert out.read_bytes() == huge_text().encode("utf-8")
    assert str(out) in str(done.args[0]) and not out.with_name("body.txt.part").exists()
    blob = tmp_path / "data.bin"
    save = ValueSave(model, BLOB_ROW, model.info.index_of("data"), blob)
    with qtbot.waitSignal(save.finished, timeout=60_000):
        save.start()
    assert blob.read_bytes() == huge_blob()


def test_item12_save_value_of_a_deleted_row_leaves_no_file(model: StyledTableModel, qtbot: QtBot,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "gone.txt"
    save = ValueSave(model, ROWS + 50, model.info.index_of("body"), out)
    with qtbot.waitSignal(save.failed, timeout=10_000) as failed:
        save.start()
    assert "deleted" in str(failed.args[0]) and not out.exists() and not out.with_name("gone.txt.part").exists()


def test_item12_csv_export_streams_the_whole_value(model: StyledTableModel, qtbot: QtBot, tmp_path: Path) -> None:
    out = tmp_path / "notes.csv"
    export = CsvExport(model, out)
    with qtbot.waitSignal(export.finished, timeout=180_000):
        export.start()
    csv.field_size_limit(HUGE_CHARS * 2)
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert len(rows) == 1 + ROWS and rows[0] == ["id", "title", "body", "data"]
    by_id = {int(r[0]): r for r in rows[1:]}
    assert by_id[HUGE_ROW][2] == huge_text()
    assert by_id[BLOB_ROW][3] == huge_blob().hex()
    assert by_id[1] == ["1", "note 1", "body 00001", ""]


def test_item12_csv_field_quotes_like_the_csv_module() -> None:
    for text in ("plain", "a,b", 'say "hi"', "two\nlines", "cr\r", ""):
        written = io.StringIO()
        csv.writer(written).writerow([text, "x"])
        assert written.getvalue() == csv_field(text) + ",x\r\n"


@pytest.fixture
def notes_pane(qtbot: QtBot, tmp_path: Path) -> Iterator[TablePane]:
    """A Tables area on a home whose users database also holds the notes table, showing it."""
    home = tmp_path / "home"
    make_db(home / "public_users.db", "adr", trades=20)
    make_big_db(home / "public_users.db")  # the notes table, in the same file, before QtSql opens it
    dirs = AppDirs(config=tmp_path / "cfg", state=tmp_path / "st", data=tmp_path / "data", log=tmp_path / "log")
    session = open_session(DataPaths(home=home, logs=(home / "logs",), backups=home / "backups"), dirs,
                           Settings(dirs), State(dirs))
    area = create_tables_area(session)
    assert isinstance(area, TablesArea)
    qtbot.addWidget(area)
    area.show()
    pane = area.show_table("notes")
    assert pane is not None
    yield pane
    session.close()


def test_item12_pane_paints_the_huge_cell_and_saves_it_from_the_row_menu(notes_pane: TablePane, qtbot: QtBot,
                                                                          tmp_path: Path) -> None:
    pane, body = notes_pane, notes_pane.model.info.index_of("body")
    index = pane.model.index(HUGE_ROW - 1, body)
    pane.view.scrollTo(index)
    pane.view.setCurrentIndex(index)
    pane.view.viewport().repaint()  # a real paint of the rows around the 50 MB cell
    assert pane.view.model().data(index).endswith(f" … ({HUGE_CHARS:,} chars)")
    menu, entries = pane._row_menu, QMenu(pane)
    menu._add_cell_entries(entries, index)  # what the right-click menu lists (not popped up: offscreen)
    assert "Save value to file…" in [a.text() for a in entries.actions()]
    out = tmp_path / "saved.txt"
    save = menu.save_value(HUGE_ROW - 1, body, out)
    assert save is not None
    with qtbot.waitSignal(save.finished, timeout=120_000):
        pass
    assert out.read_bytes() == huge_text().encode("utf-8")
    assert str(out) in pane.status.text()
