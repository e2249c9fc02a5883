"""The Audit log's comforts: shape columns, Event popup, chart, bookmarks, saved filters, hash chain, array rows."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, Qt

from lifeos_desk.core.jsonl.histogram import bin_times
from lifeos_desk.core.paths import AppDirs
from lifeos_desk.core.settings import State
from lifeos_desk.ui.logs.area import LogsArea
from lifeos_desk.ui.logs.model import Column
from tests.core.test_jsonl_chain import entries

T0 = 1_790_000_000.0


def adr_lines(path: Path, n: int, first: int = 0) -> None:
    with path.open("a") as f:
        for i in range(first, first + n):
            f.write(json.dumps({"timestamp": T0 + i * 60, "event": f"event {i % 4}", "n": i}) + "\n")


def make(qtbot, folder: Path, state: State | None = None) -> LogsArea:  # type: ignore[no-untyped-def]
    area = LogsArea((folder,), state=state)
    qtbot.addWidget(area)
    area.resize(1066, 666)
    area.show()
    return area


def state_in(tmp_path: Path) -> State:
    return State(AppDirs(config=tmp_path / "c", state=tmp_path / "s", data=tmp_path / "d", log=tmp_path / "l"))


def test_columns_empty_for_the_shape_are_hidden(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "logs"
    folder.mkdir()
    adr_lines(folder / "audit.jsonl", 50)
    area = make(qtbot, folder)
    qtbot.waitUntil(lambda: area.model.rowCount() == 50)
    area.workbench.hide_empty_columns()
    hidden = [c for c in (Column.LEVEL, Column.ACTOR, Column.RESOURCE) if area.table.isColumnHidden(c)]
    assert hidden == [Column.LEVEL, Column.ACTOR, Column.RESOURCE]
    assert not area.table.isColumnHidden(Column.EVENT)
    with (folder / "trail.jsonl").open("w") as f:
        f.write(json.dumps({"timestamp": T0, "event_type": "login", "actor_id": "7", "success": False}) + "\n")
    area.follower.refresh()
    qtbot.waitUntil(lambda: area.picker.findText("trail", Qt.MatchFlag.MatchStartsWith) >= 0)
    area.picker.setCurrentIndex(area.picker.findText("trail", Qt.MatchFlag.MatchStartsWith))
    qtbot.waitUntil(lambda: area.model.rowCount() == 1)
    assert not area.table.isColumnHidden(Column.LEVEL) and not area.table.isColumnHidden(Column.ACTOR)
    assert area.table.isColumnHidden(Column.RESOURCE)
    assert area.model.index(0, Column.LEVEL).data() == "ERROR"
    assert area.model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None  # level colour


def test_event_popup_is_as_wide_as_its_longest_item(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "logs"
    folder.mkdir()
    long = "Jupiter quote failed after the route expired, retrying"
    with (folder / "audit.jsonl").open("w") as f:
        f.write(json.dumps({"timestamp": T0, "event": long}) + "\n")
    area = make(qtbot, folder)
    qtbot.waitUntil(lambda: area.filter_bar.event_box.findText(long) >= 0)
    box = area.filter_bar.event_box
    assert box.view().minimumWidth() >= box.view().fontMetrics().horizontalAdvance(long)
    assert box.width() < box.view().minimumWidth()  # the box stays narrow; only its popup widens


def test_chart_bins_match_a_count_and_a_click_jumps(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "logs"
    folder.mkdir()
    adr_lines(folder / "audit.jsonl", 600)
    area = make(qtbot, folder)
    qtbot.waitUntil(lambda: area.model.rowCount() == 600)
    area.workbench.refresh_chart()
    chart = area.workbench.histogram
    qtbot.waitUntil(lambda: chart.bins.total == 600, timeout=5000)
    times = (T0 + 60.0 * np.arange(600)).astype(np.float64)
    assert chart.bins.counts.tolist() == bin_times(times, 120).counts.tolist()
    k = len(chart.bins.counts) // 2
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=chart.bar_rect(k).center().toPoint())
    row = area.table.currentIndex().row()
    assert area.model.entry(row).time == min(t for t in times if t >= chart.bins.edges[k])
    area.filter_bar.text.setText('"event 1"')
    area.apply_filter()
    qtbot.waitUntil(lambda: area.model.rowCount() == 150, timeout=5000)
    qtbot.waitUntil(lambda: chart.bins.total == 150, timeout=5000)  # the filter applies to the chart


def test_bookmarks_survive_reopening_the_window(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "logs"
    folder.mkdir()
    adr_lines(folder / "audit.jsonl", 100)
    area = make(qtbot, folder, state_in(tmp_path))
    qtbot.waitUntil(lambda: area.model.rowCount() == 100)
    area.activateWindow()
    qtbot.waitUntil(area.isActiveWindow)
    for row in (10, 40):
        area.select_row(row)
        area.table.setFocus()
        qtbot.keyClick(area.table, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert area.workbench.marked_rows() == [10, 40]
    area.shutdown()
    again = make(qtbot, folder, state_in(tmp_path))  # a new window over the same State
    qtbot.waitUntil(lambda: again.model.rowCount() == 100)
    assert again.workbench.marked_rows() == [10, 40]
    assert again.model.index(40, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    again.select_row(0)
    again.workbench.next_bookmark()
    assert again.table.currentIndex().row() == 10
    again.workbench.next_bookmark()
    assert again.table.currentIndex().row() == 40
    again.workbench.previous_bookmark()
    assert again.table.currentIndex().row() == 10
    again.workbench._fill_bookmarks()
    texts = [a.text() for a in again.workbench.bookmark_button.menu().actions()]
    assert any("line 41" in t for t in texts)
    again.workbench.toggle_bookmark()  # row 10 is selected: unmark it
    assert again.workbench.marked_rows() == [40]
    assert state_in(tmp_path).get("log_bookmarks") == {str(folder / "audit.jsonl"): [41]}
    assert not (folder / "state.json").exists()


def test_saved_filters(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "logs"
    folder.mkdir()
    adr_lines(folder / "audit.jsonl", 40)
    area = make(qtbot, folder, state_in(tmp_path))
    qtbot.waitUntil(lambda: area.model.rowCount() == 40)
    area.filter_bar.text.setText("n=3")
    area.workbench.save_filter("third")
    area.clear_filter()
    again = make(qtbot, folder, state_in(tmp_path))
    qtbot.waitUntil(lambda: again.model.rowCount() == 40)
    again.workbench._fill_saved()
    names = [a.text() for a in again.workbench.saved_button.menu().actions()]
    assert "third" in names
    again.workbench.apply_saved("third")
    qtbot.waitUntil(lambda: again.model.rowCount() == 1, timeout=5000)
    assert again.filter_bar.text.text() == "n=3"
    again.workbench.saved.remove("third")
    assert again.workbench.saved.all() == {}


def test_daily_audit_chain_break_on_the_row_and_in_the_notice(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "audit"
    folder.mkdir()
    rows = entries(12)
    rows[7]["action"] = "edited"
    for e in rows:
        e["resource"] = "positions"  # not hashed
    (folder / "audit_20260102.jsonl").write_text("".join(json.dumps(e) + "\n" for e in rows))
    area = make(qtbot, folder)
    qtbot.waitUntil(lambda: area.model.rowCount() == 12)
    qtbot.waitUntil(lambda: "Hash chain broken" in area.notice.text(), timeout=3000)
    assert "audit_20260102.jsonl line 8" in area.notice.text() and rows[7]["entry_hash"] in area.notice.text()
    assert "Hash chain broken" in area.model.index(7, Column.EVENT).data(Qt.ItemDataRole.ToolTipRole)
    assert area.model.index(6, Column.EVENT).data(Qt.ItemDataRole.ToolTipRole) is None
    assert area.model.index(7, Column.LEVEL).data() == "INFO"  # severity
    assert area.table.isColumnHidden(Column.RESOURCE) is False  # the daily files have resource


def test_treasury_array_rows_refresh_when_rewritten(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "logs"
    folder.mkdir()
    path = folder / "audit.jsonl"

    def rewrite(first: int, last: int) -> None:
        items = [{"timestamp": f"2026-01-02T10:{i // 60:02d}:{i % 60:02d}", "action": "OPEN_POSITION",
                  "user_id": "treasury", "success": i % 4 != 0, "details": {"i": i}} for i in range(first, last)]
        path.write_text(json.dumps(items, indent=2))  # in place, as the treasury writes it
        os.utime(path, ns=(last * 10**9, last * 10**9))

    rewrite(0, 5)
    area = make(qtbot, folder)
    qtbot.waitUntil(lambda: area.model.rowCount() == 5)
    assert area.model.index(0, Column.EVENT).data() == "OPEN_POSITION"
    assert area.model.index(0, Column.LEVEL).data() == "ERROR" and area.model.index(1, Column.LEVEL).data() == "INFO"
    assert area.model.index(0, Column.ACTOR).data() == "treasury"
    rewrite(2, 9)  # capped: the oldest dropped, four new
    qtbot.waitUntil(lambda: area.model.rowCount() == 9, timeout=3000)
    assert "JSON array" in area.notice.text()
    assert json.loads(area.model.entry(8).raw)["details"] == {"i": 8}
    area.table.viewport().update()
    assert area.table.indexAt(QPoint(5, 5)).isValid()
