"""The backups panel: the child-process runner, the list model, the preview and its confirmation.

The panel runs ``python -m lifeos_desk ... --json-progress`` children for
real, on small demo homes; this test process never opens the database with
QtSql, so reading it here with sqlite3 is safe (docs/architecture.md, 'One SQLite library per process').
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QTableWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from lifeos_desk.core.archive import make_backup
from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.settings import Settings
from lifeos_desk.ui.backups.model import ArchiveModel, Column
from lifeos_desk.ui.backups.panel import BackupsPanel
from lifeos_desk.ui.busy import app_registry
from tests.core.archive_helpers import counts, make_home

CHILD_S = 60_000  # ms: a child process on a busy 2-core machine


@pytest.fixture
def paths(tmp_path: Path) -> DataPaths:
    return make_home(tmp_path)


@pytest.fixture
def panel(qtbot: QtBot, paths: DataPaths) -> BackupsPanel:
    widget = BackupsPanel(paths, Settings(AppDirs.default()))
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    return widget


def cell(table: QTableWidget, row: int, column: int) -> str:
    """The text of a cell that must exist."""
    item = table.item(row, column)
    assert item is not None
    return item.text()


def _run(qtbot: QtBot, panel: BackupsPanel, start: Callable[[], object]) -> tuple[bool, dict[str, Any]]:
    with qtbot.waitSignal(panel.workFinished, timeout=CHILD_S) as blocker:
        start()
    _command, ok, result = blocker.args
    return ok, result


def test_model(qtmodeltester: ModelTester, paths: DataPaths) -> None:
    make_backup(paths)
    (paths.backups / "20200101_000000.tar.gz").write_bytes(b"junk")
    model = ArchiveModel(paths.backups)
    model.refresh()
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert model.index(1, Column.ORIGIN).data() == "unreadable"
    assert model.index(0, Column.CHECK).data() == "never verified"


def test_backup_action_makes_an_archive_and_shows_it(qtbot: QtBot, panel: BackupsPanel, paths: DataPaths) -> None:
    act = panel.backup_action
    assert act.objectName() == "backupNowAction" and act.shortcut() == QKeySequence("Ctrl+B")
    assert act.shortcutContext() == Qt.ShortcutContext.ApplicationShortcut
    stages: list[str] = []
    panel.runner.progress.connect(lambda stage, *_: stages.append(stage))
    with qtbot.waitSignal(panel.workFinished, timeout=CHILD_S) as blocker:
        act.trigger()
        assert app_registry().active()  # closing the window would ask first
        assert not act.isEnabled()
    _cmd, ok, result = blocker.args
    assert ok, panel.result_label.text()
    archive = Path(result["path"])
    assert archive.is_file() and archive.parent == paths.backups
    assert {"snapshot", "compress", "verify"} <= set(stages)
    assert str(archive) in panel.backup_label.text() and "Backup made" in panel.backup_label.text()
    assert panel.selected() == archive and panel.model.rowCount() == 1
    assert not app_registry().active() and act.isEnabled()


def test_verify_records_the_result_in_the_list(qtbot: QtBot, panel: BackupsPanel, paths: DataPaths) -> None:
    good = make_backup(paths).path
    bad = paths.backups / "20200101_000000.tar.gz"
    bad.write_bytes(good.read_bytes()[:-100])
    panel.refresh()
    panel.select(good)
    ok, _ = _run(qtbot, panel, panel.verify_selected)
    assert ok
    assert panel.model.index(panel.model.row_of(good), Column.CHECK).data().startswith("OK")
    panel.select(bad)
    ok, _ = _run(qtbot, panel, panel.verify_selected)
    assert not ok
    assert "truncated or damaged" in panel.result_label.text()
    assert panel.model.index(panel.model.row_of(bad), Column.CHECK).data().startswith("FAILED")


def _damage(db: Path) -> None:
    with closing(sqlite3.connect(db)) as con:
        con.execute("DELETE FROM trades WHERE rowid % 2 = 0")
        con.commit()


def test_restore_previews_and_needs_the_explicit_tick(qtbot: QtBot, panel: BackupsPanel, paths: DataPaths) -> None:
    archive = make_backup(paths).path
    original = counts(paths.db)
    _damage(paths.db)
    panel.refresh()
    panel.select(archive)
    with qtbot.waitSignal(panel.workFinished, timeout=CHILD_S) as blocker:
        panel.restore_selected()
        qtbot.waitUntil(lambda: panel.preview_dialog is not None, timeout=CHILD_S)
        dialog = panel.preview_dialog
        assert dialog is not None
        trades = next(r for r in range(dialog.tables.rowCount()) if cell(dialog.tables, r, 0) == "trades")
        assert cell(dialog.tables, trades, 2) == f"{original['trades']:,}"
        assert int(cell(dialog.tables, trades, 1).replace(",", "")) < original["trades"]
        assert not dialog.restore_button.isEnabled()  # the warning must be acknowledged first
        dialog.stopped.setChecked(True)
        dialog.restore_button.click()
    _cmd, ok, result = blocker.args
    assert ok, panel.result_label.text()
    assert counts(paths.db) == original
    assert result["safety_archive"] and Path(result["safety_archive"]).is_file()
    assert "Restored" in panel.result_label.text()


def test_item18_restore_cancelled_at_the_preview_says_cancelled(qtbot: QtBot, panel: BackupsPanel,
                                                                paths: DataPaths) -> None:
    archive = make_backup(paths).path
    _damage(paths.db)
    before = paths.db.read_bytes()
    panel.refresh()
    panel.select(archive)
    with qtbot.waitSignal(panel.workFinished, timeout=CHILD_S) as blocker:
        panel.restore_selected()
        qtbot.waitUntil(lambda: panel.preview_dialog is not None, timeout=CHILD_S)
        assert panel.preview_dialog is not None
        panel.preview_dialog.reject()
    assert blocker.args[1] is False and blocker.args[2].get("cancelled") is True
    assert "Restore cancelled" in panel.result_label.text() and "failed" not in panel.result_label.text()
    assert "not confirmed" in panel.result_label.text()
    assert paths.db.read_bytes() == before
    assert len(list(paths.backups.glob("*.tar.gz"))) == 1  # no safety archive either


def test_cancel_leaves_no_archive(qtbot: QtBot, panel: BackupsPanel, paths: DataPaths) -> None:
    with qtbot.waitSignal(panel.workFinished, timeout=CHILD_S) as blocker:
        panel.backup_now()
        panel.cancel()
    assert blocker.args[1] is False
    assert not list(paths.backups.glob("*.tar.gz"))
    assert not panel.runner.busy() and panel.backup_action.isEnabled()


def test_delete_removes_the_archive(panel: BackupsPanel, paths: DataPaths) -> None:
    archive = make_backup(paths).path
    panel.refresh()
    assert panel.model.rowCount() == 1
    panel.delete(archive)
    assert not archive.exists() and panel.model.rowCount() == 0


def test_retention_setting_is_stored(panel: BackupsPanel) -> None:
    panel.keep_spin.setValue(7)
    assert Settings(AppDirs.default()).get("backup_keep") == 7


def test_ctrl_b_works_from_another_area(qtbot: QtBot, paths: DataPaths) -> None:
    """The panel sits on a hidden tab; with its action on the window's toolbar, Ctrl+B backs up from anywhere."""
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QTabWidget

    window = QMainWindow()
    qtbot.addWidget(window)
    tabs = QTabWidget()
    tabs.addTab(QLabel("another area"), "Tables")
    panel = BackupsPanel(paths, Settings(AppDirs.default()))
    tabs.addTab(panel, "Backups")
    window.setCentralWidget(tabs)
    window.addToolBar("Main").addAction(panel.backup_action)  # what the main window does with it
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    assert tabs.currentIndex() == 0 and not panel.isVisible()
    with qtbot.waitSignal(panel.workFinished, timeout=CHILD_S) as blocker:
        qtbot.keyClick(tabs.widget(0), Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
        assert panel.runner.busy()
    assert blocker.args[0] == "backup" and blocker.args[1] is True


def test_a_damaged_archive_is_refused_with_the_reason(qtbot: QtBot, panel: BackupsPanel, paths: DataPaths) -> None:
    good = make_backup(paths).path
    bad = paths.backups / "20200101_000000.tar.gz"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    before = paths.db.read_bytes()
    panel.refresh()
    panel.select(bad)
    ok, _ = _run(qtbot, panel, panel.restore_selected)
    assert not ok and panel.preview_dialog is None  # refused before any preview
    assert "Restore failed" in panel.result_label.text() and "truncated or damaged" in panel.result_label.text()
    assert paths.db.read_bytes() == before


def test_item3_schema_changes_need_their_own_tick_in_the_preview(qtbot: QtBot, panel: BackupsPanel,
                                                                 paths: DataPaths) -> None:
    with closing(sqlite3.connect(paths.db)) as con:
        con.execute("CREATE TRIGGER no_trades BEFORE INSERT ON trades BEGIN SELECT RAISE(ABORT, 'planted'); END")
        con.commit()
    archive = make_backup(paths).path
    with closing(sqlite3.connect(paths.db)) as con:
        con.execute("DROP TRIGGER no_trades")
        con.commit()
    panel.refresh()
    panel.select(archive)
    with qtbot.waitSignal(panel.workFinished, timeout=CHILD_S) as blocker:
        panel.restore_selected()
        qtbot.waitUntil(lambda: panel.preview_dialog is not None, timeout=CHILD_S)
        dialog = panel.preview_dialog
        assert dialog is not None and dialog.schema is not None and dialog.accept_schema is not None
        assert cell(dialog.schema, 0, 0) == "trigger no_trades"
        assert "RAISE(ABORT" in cell(dialog.schema, 0, 3)
        dialog.stopped.setChecked(True)
        assert not dialog.restore_button.isEnabled()  # the schema tick is needed as well
        dialog.accept_schema.setChecked(True)
        assert dialog.restore_button.isEnabled()
        dialog.restore_button.click()
    assert blocker.args[1] is True, panel.result_label.text()
    with closing(sqlite3.connect(paths.db)) as con:
        assert con.execute("SELECT 1 FROM sqlite_master WHERE name = 'no_trades'").fetchone()


def test_item11_impossible_archive_dates_are_listed_as_unrecognised(qtbot: QtBot, paths: DataPaths) -> None:
    make_backup(paths)
    arabic_digits = "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in "20260101_120000")
    for name in ("20261340_000000.tar.gz", f"{arabic_digits}.tar.gz"):
        (paths.backups / name).write_bytes(b"not really")
    widget = BackupsPanel(paths, Settings(AppDirs.default()))
    qtbot.addWidget(widget)
    assert widget.model.rowCount() == 3
    shown = [widget.model.index(r, Column.DATE).data() for r in range(3)]
    assert shown.count("unrecognised name") == 2


def test_empty_list_says_what_to_do_and_keeps_its_columns(panel: BackupsPanel, paths: DataPaths) -> None:
    from lifeos_desk.ui.backups.columns import SAMPLES

    assert panel.model.rowCount() == 0 and panel.view.showing_placeholder()
    hint = panel.view.placeholder_text()
    assert hint == f"No backups yet in {paths.backups}.\nBack up now (Ctrl+B) makes one."
    header = panel.view.horizontalHeader()
    metrics = panel.view.fontMetrics()
    for col, sample in SAMPLES.items():  # not crushed to the header's text
        assert header.sectionSize(col) >= metrics.horizontalAdvance(sample), col
    assert panel.folder_label.full_text() == f"0 archives in {paths.backups}"
    make_backup(paths)
    panel.refresh()
    assert not panel.view.showing_placeholder()
