"""The trade audit finds exactly what was planted, and nothing on a consistent or demo home."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lifeos_desk.cli import main
from lifeos_desk.core.checks import AuditContext, Severity, run_checks, select
from tests.deployed_home import NOW, DeployedHome, _iso, build_deployed_home, daily_audit_hash


def _consistent(root: Path) -> DeployedHome:
    """The deployed fixture with its deliberate loose ends tied: stats, limits, fee, stop and intent agree."""
    h = build_deployed_home(root)
    con = sqlite3.connect(h.home / "public_users.db")
    with con:
        con.execute("UPDATE user_stats SET total_trades = 1, total_volume_usd = 25.0")
        con.execute("UPDATE rate_limits SET trades_today = 1")
        con.execute("UPDATE transactions SET pnl_usd = 0")
    con.close()
    con = sqlite3.connect(h.home / "fees.db")
    with con:
        con.execute("DELETE FROM success_fees")
    con.close()
    stop = json.loads((h.home / "trading" / "emergency_stop.json").read_text())
    stop.update(level="NONE", activated_at=None)
    (h.home / "trading" / "emergency_stop.json").write_text(json.dumps(stop))
    _edit_json(h.bot_dir / "data" / "trader" / "trade_history.json",
               lambda rows: rows[0].update(opened_at=_iso(-3600), closed_at=_iso(-3000)))
    return h


Row = tuple[str, str, tuple[object, ...]]


def _audit(h: DeployedHome, now: datetime = NOW + timedelta(minutes=5), **kw: object) -> list[Row]:
    ctx = AuditContext(home=h.home, bot_dir=h.bot_dir, logs=(h.home / "logs",), backups=h.home / "backups", now=now)
    found = run_checks(ctx, select(kw.get("checks")))  # type: ignore[arg-type]
    return sorted((f.check, f.severity.value, f.ids) for f in found if f.severity is not Severity.INFO)


def _edit_json(path: Path, change: object) -> None:
    data = json.loads(path.read_text())
    change(data)  # type: ignore[operator]
    path.write_text(json.dumps(data, indent=2))


@pytest.fixture
def home(tmp_path: Path) -> DeployedHome:
    return _consistent(tmp_path)


def test_consistent_home_has_no_finding(home: DeployedHome) -> None:
    assert _audit(home) == []


def test_user_stats_and_fee_planted(home: DeployedHome) -> None:
    con = sqlite3.connect(home.home / "public_users.db")
    with con:
        con.execute("UPDATE user_stats SET winning_trades = 1 WHERE user_id = 1002")
        con.execute("INSERT INTO positions VALUES (1003, 'WIF', 1.0, 10.0, ?)", (_iso(),))
    con.close()
    con = sqlite3.connect(home.home / "fees.db")
    with con:
        con.execute("INSERT INTO success_fees VALUES ('tx_1001_SOL_1', 1001, 'SOL', 1, 2, 40.0, 0.3, ?)", (_iso(),))
    con.close()
    assert _audit(home) == [
        ("aggregates.fees", "error", ("tx_1001_SOL_1",)),  # not 0.5%
        ("aggregates.fees", "error", ("tx_1001_SOL_1",)),  # charges no winning trade
        ("aggregates.positions", "error", (1003, "WIF")),
        ("aggregates.user_stats", "error", (1002,)),
    ]


def test_state_findings_are_exactly_the_planted(home: DeployedHome) -> None:
    trader = home.bot_dir / "data" / "trader"
    _edit_json(trader / "trade_history.json", lambda rows: rows[0].update(pnl_usd=99.0))
    _edit_json(trader / "positions.json", lambda rows: rows[0].update(current_price=0.8))  # below stop 0.9

    def intents(items: dict[str, dict[str, object]]) -> None:
        base = items["9f8e7d6c"]
        items["00000001"] = {**base, "id": "00000001", "position_id": "zzzzzzzz"}
        items["00000002"] = {**base, "id": "00000002", "token_mint": "OTHERmint"}
        items["00000003"] = {**base, "id": "00000003", "status": "completed"}
        items["00000004"] = {**base, "id": "00000004", "trailing_stop": {"active": True, "current_stop": 0.0}}

    _edit_json(home.home / "trading" / "exit_intents.json", intents)
    assert _audit(home, checks=["state", "arithmetic.treasury_history"]) == [
        ("arithmetic.treasury_history", "error", ("e5f6a7b8",)),
        ("state.intents", "error", ("00000001", "zzzzzzzz")),
        ("state.intents", "error", ("00000002", "a1b2c3d4")),
        ("state.intents", "error", ("00000003", "a1b2c3d4")),
        ("state.stops", "error", ("00000004",)),
        ("state.stops", "error", ("a1b2c3d4",)),
    ]


def test_time_stop_and_emergency_stop(home: DeployedHome) -> None:
    _edit_json(home.home / "trading" / "emergency_stop.json",
               lambda s: s.update(level="HARD_STOP", activated_at=_iso(-60)))
    late = NOW + timedelta(hours=3)
    assert _audit(home, now=late, checks=["state"]) == [
        ("state.emergency_stop", "error", ("a1b2c3d4",)),
        ("state.stops", "warning", ("9f8e7d6c",)),
    ]


def test_trail_event_pointing_nowhere(home: DeployedHome) -> None:
    trail = home.bot_dir / "logs" / "audit.jsonl"
    event = json.loads(trail.read_text())
    with trail.open("a") as f:
        f.write(json.dumps({**event, "resource_id": "nowhere1"}) + "\n")
        f.write(json.dumps({**event, "timestamp": event["timestamp"] + 3600}) + "\n")
        f.write(json.dumps({**event, "success": False, "error_message": "boom"}) + "\n")
    assert _audit(home, checks=["trail"]) == [
        ("trail.trade_events", "error", (2, "nowhere1")),
        ("trail.trade_events", "error", (3, "a1b2c3d4")),
        ("trail.trade_events", "warning", (4, "a1b2c3d4")),
    ]


def test_daily_chain_broken(home: DeployedHome) -> None:
    lines = home.audit_day.read_text().splitlines()
    edited = json.loads(lines[1])
    edited["action"] = "sell"
    lines[1] = json.dumps(edited)
    home.audit_day.write_text("\n".join(lines) + "\n")
    assert _audit(home, checks=["integrity.daily_chain"]) == [("integrity.daily_chain", "error", (2,))]
    assert daily_audit_hash(json.loads(lines[0])) == json.loads(lines[0])["entry_hash"]


def test_open_with_exit_and_closed_before_open_in_every_treasury_store(home: DeployedHome) -> None:
    """The checks all record kinds share (arithmetic._exit_and_time) name each record once, in its own words."""
    trader = home.bot_dir / "data" / "trader"
    _edit_json(trader / "positions.json", lambda rows: rows[0].update(exit_price=1.1))
    _edit_json(trader / "trade_history.json", lambda rows: rows[0].update(closed_at=_iso(-7200)))
    con = sqlite3.connect(home.wal_db)
    with con:
        con.execute("INSERT INTO positions (id, symbol, token_mint, entry_price, entry_amount_sol, entry_amount_tokens,"
                    " status, exit_price, exit_amount_sol, pnl_sol, pnl_pct, opened_at, closed_at)"
                    " VALUES ('p1', 'WIF', 'WIFmint1111', 1, 1, 1, 'closed_sl', 1, 1, 0, 0, ?, ?)",
                    (_iso(), _iso(-7200)))
    con.close()
    ctx = AuditContext(home=home.home, bot_dir=home.bot_dir, logs=(home.home / "logs",),
                       backups=home.home / "backups", now=NOW + timedelta(minutes=5))
    found = run_checks(ctx, select(["arithmetic.treasury_history", "arithmetic.treasury_db"]))
    assert sorted((f.check, f.ids, f.message) for f in found  # (the scorecard now counts one loss more)
                  if f.severity is Severity.ERROR and f.check != "arithmetic.scorecard") == [
        ("arithmetic.treasury_db", ("p1",), "A position closed before it opened has a wrong time on one side."),
        ("arithmetic.treasury_history", ("a1b2c3d4",),
         "An open position with an exit was closed without its status saying so."),
        ("arithmetic.treasury_history", ("e5f6a7b8",),
         "A position closed before it opened has a wrong time on one side."),
    ]


def test_adr_arithmetic(tmp_path: Path) -> None:
    assert main(["demo", "--schema", "adr", "--users", "5", "--trades", "200", str(tmp_path / "h")]) == 0
    con = sqlite3.connect(tmp_path / "h" / "public_users.db")
    with con:
        ids = [r[0] for r in con.execute("SELECT id FROM trades WHERE status = 'CLOSED' ORDER BY id LIMIT 3")]
        con.execute("UPDATE trades SET pnl_usd = pnl_usd + 5 WHERE id = ?", (ids[0],))
        con.execute("UPDATE trades SET amount_usd = amount_usd * 2 WHERE id = ?", (ids[1],))
        con.execute("UPDATE trades SET closed_at = '2000-01-01 00:00:00' WHERE id = ?", (ids[2],))
    con.close()
    ctx = AuditContext(home=tmp_path / "h")
    found = sorted((f.check, f.ids) for f in run_checks(ctx, select(["arithmetic.adr_trades"])))
    assert found == sorted([("arithmetic.adr_trades", (i,)) for i in ids])


@pytest.mark.parametrize("schema", ["adr", "deployed"])
def test_demo_home_audits_without_error(tmp_path: Path, schema: str, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "h"
    assert main(["demo", "--schema", schema, "--users", "30", "--trades", "3000", str(home)]) == 0
    capsys.readouterr()
    assert main(["audit", "--json", "--home", str(home)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert not [f for f in doc["findings"] if f["severity"] == "error"]
    assert all({"check", "severity", "stores", "ids", "message"} <= f.keys() for f in doc["findings"])


def test_rewritten_log_found_against_earlier_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "h"
    assert main(["demo", "--schema", "adr", "--users", "5", "--trades", "200", str(home)]) == 0
    assert main(["backup", "--home", str(home)]) == 0
    log = home / "logs" / "trading.jsonl"
    lines = log.read_text().splitlines()
    lines[0] = lines[0].replace("TRADE", "TRADX")
    log.write_text("\n".join(lines) + "\n" + '{"timestamp": "2099-01-01T00:00:00+00:00"}\n')
    capsys.readouterr()
    assert main(["audit", "--json", "--home", str(home), "--check", "integrity.rewritten_logs"]) == 1
    (f,) = json.loads(capsys.readouterr().out)["findings"]
    assert f["ids"] == ["trading.jsonl"] and f["severity"] == "error" and f["extra"]["archive"].endswith(".tar.gz")


def test_appended_log_is_not_rewritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "h"
    assert main(["demo", "--schema", "adr", "--users", "5", "--trades", "200", str(home)]) == 0
    assert main(["backup", "--home", str(home)]) == 0
    with (home / "logs" / "trading.jsonl").open("a") as f:
        f.write('{"timestamp": "2099-01-01T00:00:00+00:00", "event": "TRADE_EXECUTED"}\n')
    assert main(["audit", "--home", str(home), "--check", "integrity.rewritten_logs"]) == 0


def test_cli_exit_codes(tmp_path: Path) -> None:
    assert main(["audit", "--home", str(tmp_path / "missing")]) == 2
    assert main(["audit", "--home", str(tmp_path), "--check", "no.such"]) == 2
    assert datetime.now(UTC) > NOW - timedelta(days=3650)
