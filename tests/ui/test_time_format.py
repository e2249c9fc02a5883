"""Issue 17: the metrics' "Last updated" and ``list --json`` use the one time formatting (core/times.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from lifeos_desk.cli import main
from lifeos_desk.core.archive import make_backup
from lifeos_desk.core.paths import AppDirs
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.session import open_session
from lifeos_desk.ui.charts.metrics_tab import AlgorithmMetricsPanel, describe
from tests.core.archive_helpers import make_home
from tests.ui.test_charts import _make_home


def test_metrics_last_updated_is_formatted_and_follows_utc(qtbot: QtBot, tmp_path: Path, local_zone: str) -> None:
    metrics = {"sentiment": {"algorithm_type": "sentiment", "total_signals": 20, "winning_signals": 15,
                             "accuracy": 0.75, "confidence_score": 0.6, "last_updated": "2026-12-01T08:40:30.123456"}}
    paths = _make_home(tmp_path, "deployed", metrics_json=metrics)
    dirs = AppDirs(config=tmp_path / "cfg", state=tmp_path / "st", data=tmp_path / "data", log=tmp_path / "log")
    session = open_session(paths, dirs, Settings(dirs), State(dirs))
    try:
        panel = AlgorithmMetricsPanel(session)
        qtbot.addWidget(panel)
        cell = panel.model.item(0, 7)
        local = {"Asia/Tokyo": "2026-12-01 17:40:30 JST", "America/Los_Angeles": "2026-12-01 00:40:30 PST"}
        assert cell is not None and cell.text() == local[local_zone]
        session.prefs.set_utc(True)
        cell = panel.model.item(0, 7)
        assert cell is not None and cell.text() == "2026-12-01 08:40:30 UTC"
        assert "Last updated: 2026-12-01 08:40:30 UTC" in describe(panel.order[0], True)
        panel.poll.stop()
    finally:
        session.close()


def test_list_json_dates_are_iso_with_zone(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           local_zone: str) -> None:
    from datetime import datetime

    paths = make_home(tmp_path)
    archive = make_backup(paths).path
    assert main(["--home", str(paths.home), "--backups", str(paths.backups), "verify", str(archive)]) == 0
    capsys.readouterr()
    assert main(["--home", str(paths.home), "--backups", str(paths.backups), "list", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    name_date = archive.name.removesuffix(".tar.gz")
    assert entry["name_date"] == name_date
    named_local = datetime.strptime(name_date, "%Y%m%d_%H%M%S").astimezone()
    assert entry["date"].endswith("+00:00") and datetime.fromisoformat(entry["date"]) == named_local
    check_time = entry["last_check"]["time"]
    assert check_time.endswith("+00:00") and "T" in check_time and "." not in check_time
