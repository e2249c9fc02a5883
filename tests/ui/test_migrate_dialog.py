"""Database ▸ Migrate to PostgreSQL…: the dialog against a real server (tests/pg.py), the child for real."""

from __future__ import annotations

from pathlib import Path

import psycopg
from pytestqt.qtbot import QtBot

from lifeos_desk.core.paths import DataPaths
from lifeos_desk.core.stores import users_store
from lifeos_desk.ui.migrate import MigrateDialog
from lifeos_desk.ui.migrate.dialog import RESULT, STAGE
from tests.core.migrate_helpers import demo_home

CHILD_MS = 120_000


def tables(url: str) -> int:
    with psycopg.connect(url) as con:
        row = con.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    return int(row[0]) if row else -1


def dialog_on(qtbot: QtBot, home: Path, url: str) -> MigrateDialog:
    paths = DataPaths(home=home, logs=(home / "logs",), backups=home / "backups")
    dialog = MigrateDialog(paths, [users_store(paths)])
    qtbot.addWidget(dialog)
    dialog.url_edit.setText(url)
    return dialog


def column(dialog: MigrateDialog, col: int) -> list[str]:
    out = []
    for row in range(dialog.table.rowCount()):
        item = dialog.table.item(row, col)
        out.append(item.text() if item is not None else "")
    return out


def run(qtbot: QtBot, dialog: MigrateDialog, dry_run: bool) -> None:
    with qtbot.waitSignal(dialog.runner.finished, timeout=CHILD_MS):
        (dialog.preview if dry_run else dialog.migrate)()


def test_preview_shows_ddl_and_changes_nothing(qtbot: QtBot, tmp_path: Path, pg_url: str) -> None:
    dialog = dialog_on(qtbot, demo_home(tmp_path, "adr"), pg_url)
    run(qtbot, dialog, dry_run=True)
    assert 'CREATE TABLE "public"."trades"' in dialog.ddl_view.toPlainText()
    assert "Nothing was changed" in dialog.status_label.text()
    assert "trades" in column(dialog, 1)
    assert tables(pg_url) == 0


def test_migrate_verifies_every_table_then_refuses_again_without_replace(
        qtbot: QtBot, tmp_path: Path, pg_url: str) -> None:
    dialog = dialog_on(qtbot, demo_home(tmp_path, "deployed"), pg_url)
    run(qtbot, dialog, dry_run=False)
    assert dialog.runner.exit_code == 0, dialog.status_label.text()
    results = column(dialog, RESULT)
    assert results and all(r == "verified" for r in results)
    assert set(column(dialog, STAGE)) == {"done"}
    assert "Every table verified" in dialog.status_label.text()
    assert tables(pg_url) == len(results)
    dialog.open_target()
    assert dialog.opened is not None and dialog.opened.isVisible()
    dialog.opened.close()

    run(qtbot, dialog, dry_run=False)
    assert dialog.runner.exit_code == 4
    assert "Nothing was changed" in dialog.status_label.text() and "Replace" in dialog.status_label.text()

    dialog.replace_box.setChecked(True)
    assert dialog.replace_warning.isVisibleTo(dialog)
    run(qtbot, dialog, dry_run=False)
    assert dialog.runner.exit_code == 0, dialog.status_label.text()


def test_cancel_leaves_the_target_empty(qtbot: QtBot, tmp_path: Path, pg_url: str) -> None:
    dialog = dialog_on(qtbot, demo_home(tmp_path, "adr", users=50, trades=60_000), pg_url)
    loading: list[str] = []

    def on_progress(stage: str, _done: int, _total: int, _detail: str) -> None:
        if stage == "load" and not loading:
            loading.append(stage)
            dialog.cancel()

    dialog.runner.progress.connect(on_progress)
    run(qtbot, dialog, dry_run=False)
    assert loading, "the load never reported progress"
    assert dialog.runner.exit_code == 3
    assert "Cancelled" in dialog.status_label.text()
    assert tables(pg_url) == 0


def test_password_in_url_is_refused_before_any_child(qtbot: QtBot, tmp_path: Path, pg_url: str) -> None:
    dialog = dialog_on(qtbot, tmp_path, pg_url.replace("lifeos_test@", "lifeos_test:hunter2@"))
    dialog.migrate()
    assert not dialog.runner.busy()
    assert "PGPASSWORD" in dialog.status_label.text() and "hunter2" not in dialog.status_label.text()
