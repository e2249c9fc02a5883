"""Finding links, the trade lifeline and the report exports, without a screen."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lifeos_desk.cli import main
from lifeos_desk.core.checks import AuditContext
from lifeos_desk.core.checks.inspect import lifeline
from lifeos_desk.core.checks.links import Link, LinkKind, links_of, split_store
from lifeos_desk.core.checks.report import to_csv, to_html, to_json
from tests.core.test_checks import _consistent
from tests.deployed_home import NOW, DeployedHome, _iso


@pytest.fixture
def home(tmp_path: Path) -> DeployedHome:
    h = _consistent(tmp_path)
    con = sqlite3.connect(h.home / "public_users.db")
    with con:  # a winning SELL the fixture's fee (tx_1: user 1001, BONK, gross 50) charges
        con.execute("INSERT INTO transactions VALUES ('tx_sell_1', 1001, 'w', 'BONK', 'SELL', 100.0, ?, 'completed',"
                    " 50.0)", (_iso(),))
    con.close()
    con = sqlite3.connect(h.home / "fees.db")
    with con:
        con.execute("INSERT INTO success_fees VALUES ('tx_1', 1001, 'BONK', 1.0, 1.5, 50.0, 0.25, ?)", (_iso(),))
    con.close()
    trail = h.bot_dir / "logs" / "audit.jsonl"
    event = json.loads(trail.read_text())
    with trail.open("a") as f:
        f.write(json.dumps({**event, "resource_type": "transaction", "resource_id": "tx_sell_1"}) + "\n")
    return h


def _ctx(h: DeployedHome) -> AuditContext:
    return AuditContext(home=h.home, bot_dir=h.bot_dir, logs=(h.home / "logs",), now=NOW + timedelta(hours=3))


def test_links_follow_the_checks_conventions() -> None:
    db = "/h/public_users.db"
    assert split_store(f"{db}:user_stats") == (db, "user_stats")
    assert split_store("/h/logs/audit.jsonl") == ("/h/logs/audit.jsonl", "")
    assert links_of([f"{db}:user_stats", f"{db}:transactions"], [1002]) == [
        Link(LinkKind.ROW, db, "user_stats", (1002,))]
    assert links_of([f"{db}:transactions"], ["tx_9"])[1] == Link(LinkKind.INSPECT, db, "transactions", ("tx_9",))
    assert links_of(["/b/logs/audit.jsonl"], [3, "a1"]) == [
        Link(LinkKind.LINE, "/b/logs/audit.jsonl", line=3), Link(LinkKind.INSPECT, "/b/logs/audit.jsonl", key=("a1",))]
    intents, pos = "/h/trading/exit_intents.json", "/b/data/trader/positions.json"
    assert links_of([intents, pos], ["i1", "p1"]) == [
        Link(LinkKind.INTENT, intents, key=("i1",)), Link(LinkKind.POSITION, pos, key=("p1",)),
        Link(LinkKind.INSPECT, pos, key=("p1",))]
    assert links_of([pos, "/b/data/trader/trade_history.json"], ["p2"])[0] == Link(LinkKind.POSITION, pos, key=("p2",))
    assert links_of([], [1]) == []


def test_lifeline_of_a_treasury_position(home: DeployedHome) -> None:
    doc = lifeline(_ctx(home), "a1b2c3d4")
    assert doc["found"] and set(doc["related_ids"]) == {"a1b2c3d4", "9f8e7d6c"}
    assert [p["record"]["id"] for p in doc["positions"]] == ["a1b2c3d4"]
    (intent,) = doc["intents"]
    assert intent["key"] == "9f8e7d6c" and len(intent["record"]["take_profits"]) == 3
    assert [(Path(e["store"]).name, e["line"]) for e in doc["events"]] == [("audit.jsonl", 1)]
    assert {f["check"] for f in doc["findings"]} >= {"state.stops"}  # the time stop passed at NOW + 3 h
    kinds = {(lv["kind"], lv["price"]) for lv in doc["chart"]["levels"]}
    assert {("entry", 1.0), ("tp", 1.08), ("tp", 1.18), ("tp", 1.4), ("sl", 0.91), ("sl", 0.9)} <= kinds
    assert [p["label"] for p in doc["chart"]["points"]][:1] == ["entry"]
    assert doc["chart"]["deadline"] == NOW.timestamp() + 90 * 60


def test_lifeline_of_a_public_trade_with_its_fee(home: DeployedHome) -> None:
    doc = lifeline(_ctx(home), "tx_sell_1")
    assert [(r["table"], r["record"]["tx_id"]) for r in doc["rows"]] == [("transactions", "tx_sell_1")]
    assert [f["record"]["tx_id"] for f in doc["fees"]] == ["tx_1"]
    assert [e["line"] for e in doc["events"]] == [2]
    assert {"label": "exit (fee)", "time": NOW.timestamp(), "price": 1.5} in doc["chart"]["points"]


def test_inspect_command(home: DeployedHome, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--home", str(home.home), "--bot-dir", str(home.bot_dir)]
    assert main([*args, "inspect", "a1b2c3d4", "--json", "--no-findings"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["id"] == "a1b2c3d4" and doc["findings"] == [] and doc["intents"]
    assert main([*args, "inspect", "nothing-here"]) == 1
    assert main(["--home", str(home.home / "missing"), "inspect", "x"]) == 2


FINDINGS: list[dict[str, Any]] = [
    {"check": "state.stops", "severity": "error", "stores": ["/h/a.json"], "ids": ["p<1>"], "expected": "a, b",
     "found": "<script>alert(1)</script>", "message": "Why & how."},
    {"check": "aggregates.rate_limits", "severity": "warning", "stores": ["/h/u.db:rate_limits"], "ids": [1001, 7],
     "expected": "1", "found": "2", "message": "Limits."},
]


def test_exports() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(FINDINGS))))
    assert [r["ids"] for r in rows] == ["p<1>", "1001; 7"] and rows[0]["found"] == "<script>alert(1)</script>"
    assert json.loads(to_json(FINDINGS)) == {"findings": FINDINGS}
    page = to_html(FINDINGS, "/home/<me>", datetime(2026, 3, 1, tzinfo=UTC))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "/home/&lt;me&gt;" in page and "2026-03-01T00:00:00+00:00" in page
    assert "1 error" in page and "1 warning" in page and "0 info" in page
    assert "http" not in page and "<link" not in page  # self-contained
    assert page.index("state.stops") < page.index("aggregates.rate_limits")  # errors first
