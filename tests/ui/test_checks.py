"""The Checks area and the trade inspector on a deployed home with planted faults.

The audit and the lifeline run in child processes (``lifeos-desk audit
--json``, ``lifeos-desk inspect ID --json``), as in the window; the planted
faults are written before any QtSql connection is opened on those files.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex
from pytestqt.qtbot import QtBot

from lifeos_desk.core.checks import AuditContext, run_checks
from lifeos_desk.core.checks.links import LinkKind, links_of
from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.core.trading import TradingPaths
from lifeos_desk.session import open_session
from lifeos_desk.signals import Navigator
from lifeos_desk.ui.checks import ChecksArea
from lifeos_desk.ui.checks.inspector import TradeInspector
from lifeos_desk.ui.logs.area import LogsArea
from lifeos_desk.ui.tables import create_tables_area
from lifeos_desk.ui.tables.area import TablesArea
from lifeos_desk.ui.trading import TradingArea
from tests.core.test_checks import _consistent, _edit_json
from tests.deployed_home import DeployedHome

CHILD_MS = 60_000


def _plant(h: DeployedHome) -> None:
    con = sqlite3.connect(h.home / "public_users.db")
    with con:
        con.execute("UPDATE user_stats SET winning_trades = 1 WHERE user_id = 1002")
    con.close()

    def intents(items: dict[str, dict[str, object]]) -> None:
        items["00000001"] = {**items["9f8e7d6c"], "id": "00000001", "position_id": "zzzzzzzz"}

    _edit_json(h.home / "trading" / "exit_intents.json", intents)
    trail = h.bot_dir / "logs" / "audit.jsonl"
    event = json.loads(trail.read_text())
    with trail.open("a") as f:
        f.write(json.dumps({**event, "resource_id": "nowhere1"}) + "\n")


def _key(f: dict[str, Any]) -> tuple[str, str, tuple[Any, ...]]:
    return f["check"], f["severity"], tuple(f["ids"])


@pytest.fixture
def home(tmp_path: Path) -> DeployedHome:
    h = _consistent(tmp_path)
    _plant(h)
    return h


@pytest.fixture
def keep() -> list[object]:
    """Widgets kept alive until after qtmodeltester's teardown (it disconnects from their models)."""
    return []


def _paths(h: DeployedHome) -> DataPaths:
    return DataPaths(home=h.home, logs=(h.home / "logs", h.bot_dir / "logs"), backups=h.home / "backups",
                     bot_dir=h.bot_dir)


def _run(qtbot: QtBot, area: ChecksArea) -> None:
    with qtbot.waitSignal(area.child.finished, timeout=CHILD_MS):
        area.run()


def test_findings_grouped_linked_and_exported(qtbot: QtBot, home: DeployedHome, tmp_path: Path,
                                              keep: list[object], qtmodeltester: Any) -> None:
    paths = _paths(home)
    baseline = _consistent(tmp_path / "clean")  # the same home without the plants, audited in-process
    clean = run_checks(AuditContext(home=baseline.home, bot_dir=baseline.bot_dir, logs=_paths(baseline).logs,
                                    now=datetime.now(UTC)))
    area = ChecksArea(paths, Navigator(), run_on_show=False)
    qtbot.addWidget(area)
    keep.append(area)
    _run(qtbot, area)
    shown = [_key(f) for f in area.model.findings]
    planted = {("aggregates.user_stats", "error", (1002,)), ("state.intents", "error", ("00000001", "zzzzzzzz")),
               ("trail.trade_events", "error", (2, "nowhere1")),
               ("state.stops", "warning", ("00000001",))}  # the copied intent's time stop has passed too
    assert sorted(shown) == sorted([*planted, *(_key(f.as_json()) for f in clean)])
    # grouped by (check, severity), errors first, a count per group
    groups = [(g.check, g.severity, len(g.findings)) for g in area.model.groups]
    assert groups[:3] == [("aggregates.user_stats", "error", 1), ("state.intents", "error", 1),
                          ("trail.trade_events", "error", 1)]
    assert area.model.index(0, 0).data() == "aggregates.user_stats  (1)"
    assert sum(n for *_, n in groups) == len(shown)
    qtmodeltester.check(area.model, force_py=True)
    # exports: CSV parses, JSON equals `audit --json`, the HTML has every finding
    rows = list(csv.DictReader(io.StringIO(area.export_text("csv"))))
    assert len(rows) == len(shown) and rows[0]["check"] == "aggregates.user_stats"
    out = tmp_path / "findings.json"
    area.export("json", out)
    cli = run_checks(AuditContext(home=home.home, bot_dir=home.bot_dir, logs=paths.logs, backups=paths.backups,
                                  now=datetime.now(UTC)))
    assert json.loads(out.read_text()) == {"findings": [f.as_json() for f in cli]}
    page = area.export_text("html")
    assert all(f["message"].replace("'", "&#x27;") in page for f in area.model.findings)
    assert "nowhere1" in page and str(home.home) in page
    area.shutdown()


def _index_of(area: ChecksArea, check: str) -> QModelIndex:
    for row, group in enumerate(area.model.groups):
        if group.check == check and group.severity == "error":
            return area.model.index(0, 0, area.model.index(row, 0))
    raise AssertionError(check)


def test_activating_a_finding_navigates_and_the_target_selects_it(qtbot: QtBot, home: DeployedHome,
                                                                  tmp_path: Path) -> None:
    paths = _paths(home)
    dirs = AppDirs(config=tmp_path / "c", state=tmp_path / "s", data=tmp_path / "d", log=tmp_path / "l")
    session = open_session(paths, dirs, Settings(dirs), State(dirs))
    try:
        area = ChecksArea(paths, session.nav, run_on_show=False)
        qtbot.addWidget(area)
        _run(qtbot, area)
        tables = create_tables_area(session)
        assert isinstance(tables, TablesArea)
        qtbot.addWidget(tables)
        trading = TradingArea(TradingPaths(home.home, home.bot_dir), synchronous=True, nav=session.nav)
        session.nav.showTrading.connect(trading.show_record)
        qtbot.addWidget(trading)
        logs = LogsArea((home.bot_dir / "logs",))
        session.nav.showLogLine.connect(logs.show_line)
        qtbot.addWidget(logs)

        with qtbot.waitSignal(session.nav.showRow) as row:
            area.tree.activated.emit(_index_of(area, "aggregates.user_stats"))
        assert row.args == [str(home.home / "public_users.db"), "user_stats", [1002]]
        pane = tables.current_pane()
        assert pane is not None and pane.table == "user_stats"
        qtbot.waitUntil(lambda: pane.view.currentIndex().isValid())
        assert pane.model.rowCount() == 1 and pane._value(pane.view.currentIndex().row(), "user_id") == 1002

        with qtbot.waitSignal(session.nav.showTrading) as shown:
            area.tree.activated.emit(_index_of(area, "state.intents"))
        assert shown.args == ["intent", str(home.home / "trading" / "exit_intents.json"), "00000001"]
        qtbot.waitUntil(lambda: trading.intents.selected_key() == "00000001")  # selected once its file is read
        assert trading.tabs.currentIndex() == 1

        qtbot.waitUntil(lambda: any(t.count >= 2 for t in logs.logs.timelines), timeout=10_000)
        with qtbot.waitSignal(session.nav.showLogLine) as line:
            area.tree.activated.emit(_index_of(area, "trail.trade_events"))
        assert line.args == [str(home.bot_dir / "logs" / "audit.jsonl"), 2]
        current = logs.table.currentIndex()
        assert current.isValid() and "nowhere1" in logs.model.entry(current.row()).raw

        trail = area.model.finding_at(_index_of(area, "trail.trade_events"))
        assert trail is not None
        assert [link.kind for link in links_of(trail["stores"], trail["ids"])] == [LinkKind.LINE, LinkKind.INSPECT]
        for widget in (area, tables, trading, logs):
            widget.shutdown()
    finally:
        session.close()


def test_cancel_kills_the_child(qtbot: QtBot, home: DeployedHome) -> None:
    area = ChecksArea(_paths(home), Navigator(), run_on_show=False)
    qtbot.addWidget(area)
    area.run()
    qtbot.waitUntil(lambda: area.child.pid() > 0)
    pid = area.child.pid()
    with qtbot.waitSignal(area.child.failed) as failed:
        area.cancel_button.click()
    assert failed.args == ["cancelled"] and not area.busy()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert area.status.text().startswith("Cancelled") and area.run_button.isEnabled()


def test_inspector_shows_every_part(qtbot: QtBot, home: DeployedHome, keep: list[object],
                                   qtmodeltester: Any) -> None:
    inspector = TradeInspector(_paths(home))
    qtbot.addWidget(inspector)
    keep.append(inspector)
    with qtbot.waitSignal(inspector.child.finished, timeout=CHILD_MS):
        inspector.inspect("a1b2c3d4")
    model = inspector.model
    heads = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert heads[0].startswith("Findings about it (") and not heads[0].endswith("(0)")
    assert "Treasury position records (1)" in heads and "Exit intent and ladder (1)" in heads
    assert "Audit events (1)" in heads
    intent = model.index(heads.index("Exit intent and ladder (1)"), 0)
    ladder = model.index(0, 0, model.index(0, 0, intent))
    assert ladder.data() == "take-profit ladder" and model.rowCount(ladder) == 3
    assert {lv["kind"] for lv in inspector.chart.marks["levels"]} >= {"entry", "tp", "sl"}
    assert "a1b2c3d4" in inspector.summary.text() and "finding" in inspector.summary.text()
    qtmodeltester.check(model, force_py=True)
    inspector.done(0)
