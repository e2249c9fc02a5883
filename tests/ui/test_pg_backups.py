"""The Backups tab of the PostgreSQL window: Back up now puts the database's pg_dump into the home's archive."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from lifeos_desk.core.migrate import migrate
from lifeos_desk.core.paths import AppDirs
from lifeos_desk.core.pgurl import pg_params
from lifeos_desk.core.settings import Settings
from lifeos_desk.ui.backups.model import Column
from lifeos_desk.ui.pg import PgWindow
from lifeos_desk.ui.pg.backups import pg_backups_panel
from tests.core.archive_helpers import make_home

CHILD_MS = 120_000  # a backup child plus pg_dump on a busy 2-core machine


@pytest.fixture(autouse=True)
def _no_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)


def test_back_up_now_in_a_pg_session_includes_the_dump(qtbot: QtBot, tmp_path: Path, pg_url: str) -> None:
    paths = make_home(tmp_path)
    migrate(pg_url, [paths.db])
    window = PgWindow(pg_params(pg_url), paths=paths, settings=Settings(AppDirs.default()))
    qtbot.addWidget(window)
    assert window.error == "" and window.backups is not None
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())][-1] == "Backups"
    panel = window.backups
    with qtbot.waitSignal(panel.workFinished, timeout=CHILD_MS) as blocker:
        panel.backup_action.trigger()
    command, ok, result = blocker.args
    assert command == "backup" and ok, panel.result_label.text()
    dbname = pg_url.rsplit("/", 1)[1]
    assert result["postgresql"]["member"] == f"postgresql/{dbname}.dump"
    assert Path(result["path"]).is_file()
    assert f"PostgreSQL dump postgresql/{dbname}.dump" in panel.backup_label.text()
    row = panel.model.index(0, Column.ORIGIN).data()
    assert row == "this console + PostgreSQL dump"
    window.close()  # closing closes its connection; qtbot holds widgets weakly (see tests/ui/test_pg_window.py)


def test_the_window_without_a_home_has_no_backups_tab(qtbot: QtBot, pg_url: str) -> None:
    window = PgWindow(pg_params(pg_url))
    qtbot.addWidget(window)
    assert window.backups is None and "Backups" not in [window.tabs.tabText(i) for i in range(window.tabs.count())]
    window.close()


def test_a_password_goes_to_the_child_environment_only(qtbot: QtBot, tmp_path: Path, pg_url: str) -> None:
    paths = make_home(tmp_path)
    params = pg_params(pg_url.replace("lifeos_test@", "lifeos_test:s3cret-pw@"), allow_password=True)
    panel = pg_backups_panel(params, paths, Settings(AppDirs.default()))
    qtbot.addWidget(panel)
    args = panel._backup_args  # what goes on the child's argv
    assert args[0] == "--database-url" and "s3cret-pw" not in " ".join(args) and "lifeos_test" in args[1]
    assert panel._backup_env == {"PGPASSWORD": "s3cret-pw"}
