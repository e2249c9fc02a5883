"""The Audit log area: model checks, live lines, follow and pause, detail pane, filter, export."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.session import open_session
from lifeos_desk.ui.logs import create_logs_area
from lifeos_desk.ui.logs.area import LogsArea
from lifeos_desk.ui.logs.model import Column

T0 = 1_790_000_000.0


def entry(i: int, **extra: object) -> bytes:
    obj = {"timestamp": T0 + i, "event_type": "login" if i % 3 else "wallet_access", "actor_id": str(i % 5),
           "success": i % 7 != 0, "seq": i, **extra}
    return json.dumps(obj).encode() + b"\n"


def append(path: Path, first: int, n: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, b"".join(entry(i) for i in range(first, first + n)))
    finally:
        os.close(fd)


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    append(folder / "audit.jsonl", 0, 200)
    (folder / "trading.jsonl").write_bytes(
        b"".join(json.dumps({"timestamp": T0 + i + 0.5, "event": "TRADE_EXECUTED", "token": "SOL"}).encode() + b"\n"
                 for i in range(0, 200, 50)) + b"not json\n")
    return folder


def seq(area: LogsArea, row: int) -> int:
    """The "seq" field of the entry the area shows at a row."""
    data = area.model.entry(row).data
    assert data is not None
    return int(data["seq"])


@pytest.fixture
def area(qtbot: QtBot, logs: Path) -> LogsArea:
    widget = LogsArea((logs,))
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 200, timeout=3000)
    return widget


def test_models_pass_qtmodeltester(qtmodeltester: ModelTester, area: LogsArea, qtbot: QtBot) -> None:
    qtmodeltester.check(area.model)
    area.picker.setCurrentIndex(area.picker.findData(-1))
    qtbot.waitUntil(lambda: area.model.rowCount() == 205, timeout=5000)
    qtmodeltester.check(area.model)
    logs = [area.model.index(r, Column.LOG).data() for r in range(4)]
    assert logs == ["audit", "trading", "audit", "audit"]  # ordered by time across logs
    area.toggle_column("seq")
    assert area.model.index(3, len(Column)).data() == "2"
    qtmodeltester.check(area.model)


def test_first_log_is_audit_and_status_counts_malformed(area: LogsArea, qtbot: QtBot) -> None:
    assert area.picker.currentText().startswith("audit")
    assert "no malformed lines" in area.status.text()
    area.picker.setCurrentIndex(area.picker.findText("trading", Qt.MatchFlag.MatchStartsWith))
    qtbot.waitUntil(lambda: area.model.rowCount() == 5)
    assert "1 malformed" in area.status.text()
    assert area.model.index(4, Column.LEVEL).data() == "MALFORMED"


def test_new_lines_appear_and_follow_keeps_newest_in_view(area: LogsArea, logs: Path, qtbot: QtBot) -> None:
    bar = area.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    append(logs / "audit.jsonl", 200, 50)
    qtbot.waitUntil(lambda: area.model.rowCount() == 250, timeout=2000)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())
    assert seq(area, 249) == 249
    bar.setValue(0)  # the admin scrolls up
    assert not area.follow and not area.follow_button.isChecked()
    append(logs / "audit.jsonl", 250, 50)
    qtbot.waitUntil(lambda: area.model.rowCount() == 300, timeout=2000)
    assert bar.value() == 0
    area.follow_button.setChecked(True)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())


def test_pause_counts_then_resume_shows(area: LogsArea, logs: Path, qtbot: QtBot) -> None:
    area.pause_button.setChecked(True)
    append(logs / "audit.jsonl", 200, 30)
    qtbot.waitUntil(lambda: "30 new lines" in area.status.text(), timeout=2000)
    assert area.model.rowCount() == 200
    area.pause_button.setChecked(False)
    assert area.model.rowCount() == 230
    assert area.pause_button.text() == "Pause"


def test_detail_pane_pretty_json_and_copy(area: LogsArea) -> None:
    area.select_row(7)
    text = area.detail.text.toPlainText()
    assert json.loads(text)["seq"] == 7
    assert text.startswith("{\n  ")
    assert "line 8" in area.detail.title.text()
    area.detail.copy_button.click()
    assert QGuiApplication.clipboard().text() == text


def test_filter_off_thread_then_live_lines_filtered(area: LogsArea, logs: Path, qtbot: QtBot) -> None:
    area.filter_bar.text.setText("actor_id=3 wallet_access")
    area.filter_bar.apply_button.click()
    expected = [i for i in range(200) if i % 5 == 3 and i % 3 == 0]
    qtbot.waitUntil(lambda: area.model.rowCount() == len(expected) and not area.busy.isVisible(), timeout=5000)
    assert [seq(area, r) for r in range(len(expected))] == expected
    assert "matching" in area.status.text()
    append(logs / "audit.jsonl", 200, 30)
    more = [i for i in range(200, 230) if i % 5 == 3 and i % 3 == 0]
    qtbot.waitUntil(lambda: area.model.rowCount() == len(expected) + len(more), timeout=2000)
    area.filter_bar.clear_button.click()
    assert area.model.rowCount() == 230


def test_filter_errors_are_plain_words(area: LogsArea) -> None:
    area.filter_bar.since.setText("last tuesday")
    area.apply_filter()
    assert "not a date and time" in area.status.text()
    assert area.model.rowCount() == 200


def test_level_and_time_range_filters(area: LogsArea, qtbot: QtBot) -> None:
    area.model.utc = True
    area.filter_bar.level_box.setCurrentText("ERROR")
    area.filter_bar.since.setText("2026-09-21 14:13:20")  # T0 + 0 in UTC
    area.filter_bar.until.setText("2026-09-21 14:14:30")  # T0 + 70
    area.apply_filter()
    qtbot.waitUntil(lambda: not area.tasks.running and area.model.rowCount() == 11, timeout=5000)
    assert {seq(area, r) % 7 for r in range(11)} == {0}


def test_jump_to_time(area: LogsArea) -> None:
    area.model.utc = True
    area.jump.setText("2026-09-21 14:15:00")  # T0 + 100
    area.jump.returnPressed.emit()
    assert area.table.currentIndex().row() == 100
    assert not area.follow


def test_export_jsonl_and_csv(area: LogsArea, tmp_path: Path, qtbot: QtBot) -> None:
    out = tmp_path / "shown.jsonl"
    area.exporter.export_to(out, "jsonl")
    qtbot.waitUntil(lambda: "Exported 200" in area.status.text(), timeout=5000)
    assert [json.loads(x)["seq"] for x in out.read_text().splitlines()] == list(range(200))
    area.exporter.export_to(tmp_path / "shown.csv", "csv")
    qtbot.waitUntil(lambda: "Exported 200" in area.status.text() and (tmp_path / "shown.csv").exists(), timeout=5000)
    assert (tmp_path / "shown.csv").read_text().splitlines()[0].startswith("time,log,level,event")


def test_json_array_file_notice(qtbot: QtBot, tmp_path: Path) -> None:
    (tmp_path / "audit.jsonl").write_text(json.dumps([{"timestamp": T0, "event": "treasury_move"}], indent=2))
    widget = LogsArea((tmp_path,))
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.model.rowCount() == 1)
    assert widget.notice.isVisibleTo(widget) and "JSON array" in widget.notice.text()
    assert widget.model.index(0, Column.EVENT).data() == "treasury_move"


def test_empty_folders_say_what_to_do(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "nothing-here"
    widget = LogsArea((folder,))
    qtbot.addWidget(widget)
    assert "No *.jsonl logs" in widget.notice.text()
    assert widget.model.rowCount() == 0
    folder.mkdir()
    append(folder / "errors.jsonl", 0, 3)  # a log that appears later is picked up
    qtbot.waitUntil(lambda: widget.model.rowCount() == 3, timeout=5000)
    assert widget.picker.currentText().startswith("errors")
    assert not widget.notice.isVisibleTo(widget)


def test_factory_uses_session_log_folders_and_utc(qtbot: QtBot, logs: Path, tmp_path: Path) -> None:
    dirs = AppDirs(config=tmp_path / "c", state=tmp_path / "s", data=tmp_path / "d", log=tmp_path / "l")
    home, bot = tmp_path / "home", tmp_path / "bot"  # no database: the logs area needs none
    home.mkdir()
    paths = DataPaths(home=home, logs=(logs,), backups=home / "backups", bot_dir=bot)
    session = open_session(paths, dirs, Settings(dirs), State(dirs))
    try:
        widget = create_logs_area(session)
        qtbot.addWidget(widget)
        assert isinstance(widget, LogsArea)
        assert widget.logs.folders == (logs, home / "logs", bot / "logs", bot / "data" / "audit")
        qtbot.waitUntil(lambda: widget.model.rowCount() == 200)
        prefs = session.prefs
        prefs.set_utc(not prefs.utc)
        assert widget.model.utc == prefs.utc
    finally:
        session.close()


def test_rotation_and_truncation_while_following(area: LogsArea, logs: Path, qtbot: QtBot) -> None:
    live = logs / "audit.jsonl"
    live.rename(logs / "audit.20260921_000000.jsonl")
    append(live, 200, 10)  # the writer starts a new audit.jsonl
    qtbot.waitUntil(lambda: area.model.rowCount() == 210, timeout=3000)
    assert "rotated" in area.status.text()
    shown = [seq(area, r) for r in range(200, 210)]
    live.write_bytes(entry(210))  # open("w") on the live file: truncated and rewritten
    qtbot.waitUntil(lambda: area.model.rowCount() == 211, timeout=3000)
    assert "truncated" in area.status.text()
    # rows already shown keep their text (the model's cache) though the truncated bytes are gone
    assert shown == list(range(200, 210))
    assert [seq(area, r) for r in range(195, 211)] == list(range(195, 211))


def test_closing_the_area_releases_files(qtbot: QtBot, logs: Path) -> None:
    widget = LogsArea((logs,))
    qtbot.waitUntil(lambda: widget.model.rowCount() == 200)
    store = widget.logs.timelines[0].segments[0].store
    widget.deleteLater()
    qtbot.waitUntil(lambda: getattr(store, "closed", False), timeout=2000)


def test_item9_link_out_of_the_log_folder_is_listed_as_skipped_not_shown(qtbot: QtBot, logs: Path,
                                                                          tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text('{"root": "$6$very-secret"}\n')
    (logs / "secret.jsonl").symlink_to(secret)
    widget = LogsArea((logs,))
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 200, timeout=3000)
    assert all("secret" not in widget.picker.itemText(k) for k in range(widget.picker.count()))
    assert widget.notice.isVisibleTo(widget)
    assert "secret.jsonl" in widget.notice.text() and "outside the log folders" in widget.notice.text()
    live = logs / "audit.jsonl"  # a rotation puts such a link where the live file was
    live.rename(logs / "audit.20260921_000000.jsonl")
    live.symlink_to(secret)
    qtbot.waitUntil(lambda: "audit.jsonl" in widget.notice.text(), timeout=5000)
    assert widget.model.rowCount() == 200
    assert "outside the log folders" in widget.status.text()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_item10_fifo_audit_log_does_not_freeze_the_area(qtbot: QtBot, tmp_path: Path) -> None:
    from tests.core.fifo_guard import fifo_watchdog

    append(tmp_path / "audit.20260921_000000.jsonl", 0, 20)
    fifo = tmp_path / "audit.jsonl"
    os.mkfifo(fifo)
    with fifo_watchdog(fifo) as fired:
        widget = LogsArea((tmp_path,))
        qtbot.addWidget(widget)
        widget.show()
        qtbot.waitUntil(widget.isVisible, timeout=3000)
        qtbot.waitUntil(lambda: widget.model.rowCount() == 20, timeout=3000)
    assert not fired[0], "the UI thread blocked opening the FIFO"
    assert "audit.jsonl" in widget.notice.text() and "FIFO" in widget.notice.text()
