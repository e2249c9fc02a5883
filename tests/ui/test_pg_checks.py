"""The Checks tab of the PostgreSQL window: the same findings as on the SQLite file, the rest not applicable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pytestqt.qtbot import QtBot

from lifeos_desk.core.checks import CHECK_IDS
from lifeos_desk.core.checks.pg import NEEDS
from lifeos_desk.core.pgurl import pg_params
from lifeos_desk.ui.pg.checks import PgChecksPane

from .test_pg_window import migrated

APPLY = {"deployed": ("aggregates.user_stats", "aggregates.positions", "aggregates.rate_limits"),
         "adr": ("arithmetic.adr_trades",)}


def sqlite_findings(home: Path, checks: tuple[str, ...]) -> list[dict[str, Any]]:
    """``lifeos-desk audit --json`` on the SQLite home, for the same checks."""
    args = [a for c in checks for a in ("--check", c)]
    done = subprocess.run([sys.executable, "-m", "lifeos_desk", "--home", str(home), "audit", "--json", *args],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ), check=False)
    assert done.returncode in (0, 1), done.stderr
    return list(json.loads(done.stdout)["findings"])


def comparable(findings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """A finding without its store names (a file path on SQLite, the database's label on PostgreSQL)."""
    return sorted((f["check"], f["severity"], tuple(str(i) for i in f["ids"]), f["expected"], f["found"])
                  for f in findings)


def run_pane(qtbot: QtBot, url: str) -> PgChecksPane:
    pane = PgChecksPane(pg_params(url), run_on_show=False)
    qtbot.addWidget(pane)
    pane.run()
    qtbot.waitUntil(lambda: not pane.running, timeout=60_000)
    assert pane.result is not None, pane.status.text()
    return pane


@pytest.mark.parametrize("schema", ["deployed", "adr"])
def test_the_checks_that_apply_find_what_they_find_on_sqlite(qtbot: QtBot, tmp_path: Path, pg_url: str,
                                                             schema: str) -> None:
    home = migrated(tmp_path, pg_url, schema=schema, trades=300)
    with psycopg.connect(pg_url) as con:  # a planted disagreement on both sides' terms
        if schema == "deployed":
            con.execute("UPDATE user_stats SET total_trades = total_trades + 1 "
                        "WHERE user_id = (SELECT min(user_id) FROM user_stats)")
        else:
            con.execute("UPDATE trades SET pnl_usd = pnl_usd + 5 WHERE id = (SELECT min(id) FROM trades "
                        "WHERE status = 'CLOSED')")
    pane = run_pane(qtbot, pg_url)
    assert pane.result is not None
    outcomes = {o.check.id: o for o in pane.result.outcomes}
    assert list(outcomes) == list(CHECK_IDS)
    ran = [i for i, o in outcomes.items() if not o.not_applicable]
    assert ran == list(APPLY[schema])
    ours = [f.as_json() for i in ran for f in outcomes[i].findings]
    planted = [f for f in ours if f["severity"] == "error"]
    assert len(planted) >= 1
    assert all(s.startswith("lifeos_test@") for f in ours for s in f["stores"])
    # The same findings as the audit on the SQLite file, once the planted row is left aside.
    theirs = comparable(sqlite_findings(home, APPLY[schema]))
    assert [f for f in comparable(ours) if f not in theirs] == comparable(planted)
    assert [f for f in theirs if f not in comparable(ours)] == []
    assert len(theirs) >= (schema == "deployed")  # the deployed checks always add their note on win rate
    assert pane.model.counts()["error"] == len(planted)
    assert pane.list.rowCount() == len(CHECK_IDS)


def test_checks_needing_files_say_not_applicable_and_why(qtbot: QtBot, tmp_path: Path, pg_url: str) -> None:
    migrated(tmp_path, pg_url, schema="deployed", trades=50)
    pane = run_pane(qtbot, pg_url)
    assert pane.result is not None
    cells = [(pane.list.item(r, 0), pane.list.item(r, 2)) for r in range(pane.list.rowCount())]
    texts = {a.text(): b.text() for a, b in cells if a is not None and b is not None}
    for check, needs in NEEDS.items():
        assert texts[check] == f"not applicable: it reads {needs}, absent from a PostgreSQL session"
    assert texts["arithmetic.adr_trades"].startswith("not applicable: it checks ADR-005's trades table")
    assert "3 of 15 checks apply" in pane.status.text()


def test_an_empty_database_runs_nothing_and_fails_nothing(qtbot: QtBot, pg_url: str) -> None:
    pane = run_pane(qtbot, pg_url)
    assert pane.result is not None and all(o.not_applicable for o in pane.result.outcomes)
    assert "0 of 15 checks apply" in pane.status.text()


def test_rate_limits_over_postgresql_match_sqlite_on_the_homes_clock(qtbot: QtBot, tmp_path: Path,
                                                                     pg_url: str) -> None:
    """With the audit's clock at the demo's end the daily counters are live, so the BUYs since reset are read."""
    from datetime import timedelta

    from lifeos_desk.core.checks import AuditContext, run_checks, select
    from lifeos_desk.core.checks.pg import run_over_pg
    from lifeos_desk.core.schema import SchemaKind
    from lifeos_desk.db.pg import PgDatabase
    from lifeos_desk.db.pg.wallets import detect
    from tests.core.migrate_helpers import END

    home = migrated(tmp_path, pg_url, schema="deployed", trades=600)
    now = END + timedelta(hours=1)
    on_file = run_checks(AuditContext(home=home, now=now), select(["aggregates.rate_limits"]))
    with psycopg.connect(pg_url) as con:  # one live counter off by two
        row = con.execute("UPDATE rate_limits SET trades_today = trades_today + 2, last_reset = %s "
                          "WHERE user_id = (SELECT min(user_id) FROM rate_limits) RETURNING user_id",
                          (END - timedelta(hours=2),)).fetchone()
        assert row is not None
        planted = int(row[0])
    db = PgDatabase(pg_params(pg_url))
    try:
        schema, kind, tables = detect(db)
        assert kind is SchemaKind.DEPLOYED
        outcomes = {o.check.id: o for o in run_over_pg(db.rows, db.label, schema, kind, list(tables), now=now)}
    finally:
        db.close()
    found = outcomes["aggregates.rate_limits"].findings
    assert planted in [f.ids[0] for f in found], "the planted counter is found"
    others = comparable([f.as_json() for f in found if f.ids[0] != planted])
    assert others == comparable([f.as_json() for f in on_file if f.ids[0] != planted])
