"""Demo homes and the live writer: counts, arithmetic, determinism, key format, log shapes.

The key check is an independent reading of docs/data-formats.md, 'Public wallet envelope' (hashlib,
base64, Fernet, Ed25519 and a base58 decoder written here), deliberately not
lifeos_desk.core.keys: a demo home must open in the bot, not merely in us.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from lifeos_desk.core.demo import POOL_MIN_WALLETS, DemoResult, DemoSpec, demo_passphrase, generate_demo_home
from lifeos_desk.core.live import run_live_writer

END = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
USERS, TRADES, LINES = 6, 500, 300
DEPLOYED_USERS = 18  # past demo.POOL_MIN_WALLETS, so keys are sealed by the pool
AUDIT_EVENT_TYPES = {
    "login", "logout", "login_failed", "api_access", "data_access", "data_modify", "data_delete",
    "config_change", "permission_change", "secret_access", "secret_rotate", "admin_action",
    "security_alert", "trade_execute", "wallet_access",
}  # fmt: skip
DEPLOYED_AUDIT_KEYS = {
    "timestamp", "event_type", "actor_id", "action", "resource_type", "resource_id", "ip_address",
    "user_agent", "details", "success", "error_message", "timestamp_iso",
}  # fmt: skip
SQL_TS = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


def make(tmp: pytest.TempPathFactory, schema: str, seed: int = 7, users: int = USERS) -> DemoResult:
    spec = DemoSpec(schema=schema, users=users, trades=TRADES, log_lines=LINES, seed=seed, end=END)
    return generate_demo_home(tmp.mktemp(f"{schema}{seed}"), spec)


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DemoResult]:
    """a/b: same seed; c: another seed."""
    assert DEPLOYED_USERS > POOL_MIN_WALLETS
    out = {}
    for schema, users in (("adr", USERS), ("deployed", DEPLOYED_USERS)):
        out[f"{schema}-a"] = make(tmp_path_factory, schema, 7, users)
        out[f"{schema}-b"] = make(tmp_path_factory, schema, 7, users)
        out[f"{schema}-c"] = make(tmp_path_factory, schema, 8, users)
    return out


def rows(home: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(home / "public_users.db")
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def lines(path: Path) -> list[dict[str, Any]]:
    out = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert all(isinstance(e, dict) for e in out)
    return out


# ------------------------------------ an independent docs/data-formats.md, 'Public wallet envelope'

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58(text: str) -> bytes:
    num = 0
    for ch in text:
        num = num * 58 + B58.index(ch)
    body = num.to_bytes((num.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def open_stored(value: str | bytes, passphrase: str) -> bytes:
    """Stored value -> 64-byte secret key, per docs/data-formats.md, 'Public wallet envelope' (both ADR BLOB forms)."""
    if isinstance(value, bytes) and value[16:22] == b"gAAAAA":
        blob = value
    else:
        blob = base64.b64decode(value if isinstance(value, str) else value.decode("ascii"), validate=True)
    salt, token = blob[:16], blob[16:]
    assert token.startswith(b"gAAAAA")
    key = base64.urlsafe_b64encode(hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, 100_000, 32))
    secret = b58(Fernet(key).decrypt(token).decode("utf-8"))
    assert len(secret) == 64
    return secret


def public_of(seed: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def wallet_rows(res: DemoResult) -> list[tuple[Any, ...]]:
    adr = "trades" in res.counts
    sql = (
        "SELECT address, encrypted_key FROM wallets" if adr else "SELECT public_key, encrypted_private_key FROM wallets"
    )
    return rows(res.home, sql + " ORDER BY rowid")


# ---------------------------------------------------------------- counts and files


@pytest.mark.parametrize("schema", ["adr", "deployed"])
def test_counts_match_the_spec_and_the_files(homes: dict[str, DemoResult], schema: str) -> None:
    res = homes[f"{schema}-a"]
    trades = "trades" if schema == "adr" else "transactions"
    users = USERS if schema == "adr" else DEPLOYED_USERS
    assert res.counts["users"] == res.counts["wallets"] == users
    assert res.counts[trades] == TRADES
    for table, n in res.counts.items():
        if "/" not in table:
            assert rows(res.home, f"SELECT COUNT(*) FROM {table}")[0][0] == n
    logs = {k: v for k, v in res.counts.items() if k.startswith("logs/")}
    for rel, n in logs.items():
        assert len(lines(res.home / rel)) == n
    assert abs(sum(logs.values()) - LINES) <= LINES * 0.05
    assert res.passphrase == demo_passphrase(7) and res.passphrase.isprintable()


def test_adr_files_and_journal(homes: dict[str, DemoResult]) -> None:
    home = homes["adr-a"].home
    assert rows(home, "PRAGMA journal_mode")[0][0] == "wal"
    assert rows(home, "SELECT COUNT(*) FROM algorithm_metrics")[0][0] == 9
    cache = json.loads((home / "trading" / "algorithm_metrics.json").read_text())
    assert set(cache) >= {"sentiment", "composite"}
    assert not (home / "algorithms").exists()


def test_deployed_files_and_journal(homes: dict[str, DemoResult]) -> None:
    home = homes["deployed-a"].home
    assert rows(home, "PRAGMA journal_mode")[0][0] == "delete"
    assert "algorithm_metrics" not in {r[0] for r in rows(home, "SELECT name FROM sqlite_master")}
    metrics = json.loads((home / "algorithms" / "global_metrics.json").read_text())
    for algo, m in metrics.items():
        assert m["algorithm_type"] == algo
        assert m["winning_signals"] + m["losing_signals"] == m["total_signals"]
        assert m["accuracy"] == round(100 * m["winning_signals"] / m["total_signals"], 2)


@pytest.mark.parametrize("schema", ["adr", "deployed"])
def test_trading_state_files(homes: dict[str, DemoResult], schema: str) -> None:
    trading = homes[f"{schema}-a"].home / "trading"
    positions = json.loads((trading / "positions.json").read_text())
    assert isinstance(positions, list) and positions
    assert set(positions[0]) == {
        "id", "token_mint", "token_symbol", "direction", "entry_price", "current_price", "amount", "amount_usd",
        "take_profit_price", "stop_loss_price", "status", "opened_at", "closed_at", "exit_price", "pnl_usd",
        "pnl_pct", "sentiment_grade", "sentiment_score", "tp_order_id", "sl_order_id", "peak_price", "ladder_exits",
    }  # fmt: skip
    intents = json.loads((trading / "exit_intents.json").read_text())
    ids = {p["id"] for p in positions}
    for key, intent in intents.items():
        assert len(key) == 8 and intent["id"] == key
        assert intent["status"] in {"active", "completed", "cancelled", "partial"}
        assert (intent["position_id"] in ids) == (intent["status"] in {"active", "partial"})
        assert intent["position_type"] in {"spot", "perps"}
        assert {"level", "price", "size_pct", "filled", "fill_price", "fill_timestamp"} == set(
            intent["take_profits"][0]
        )
        assert set(intent["stop_loss"]) == {"price", "size_pct", "adjusted", "original_price"}
        assert isinstance(intent["entry_timestamp"], float)


def test_refuses_an_existing_home(homes: dict[str, DemoResult]) -> None:
    home = homes["adr-a"].home
    before = (home / "public_users.db").stat().st_mtime_ns
    with pytest.raises(FileExistsError, match="already exists"):
        generate_demo_home(home, DemoSpec(schema="adr", users=2, trades=10))
    assert (home / "public_users.db").stat().st_mtime_ns == before


def test_demo_and_live_import_no_qt() -> None:
    code = (
        "import sys, lifeos_desk.core.demo, lifeos_desk.core.live;"
        "print([m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_rejects_a_bad_spec(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="schema"):
        generate_demo_home(tmp_path, DemoSpec(schema="postgres"))
    assert not (tmp_path / "public_users.db").exists()


# ---------------------------------------------------------------- arithmetic and time


def cents(x: float) -> float:
    return round(x * 100) / 100


def test_adr_trade_arithmetic(homes: dict[str, DemoResult]) -> None:
    statuses, opened = check_adr_arithmetic(homes["adr-a"].home)
    assert statuses["CLOSED"] > 0.8 * TRADES and statuses["OPEN"] > 0
    assert statuses["CANCELLED"] + statuses["FAILED"] > 0
    assert opened == sorted(opened)
    span = datetime.fromisoformat(opened[-1]) - datetime.fromisoformat(opened[0])
    assert 150 <= span.days <= 180 and opened[-1] <= END.strftime("%Y-%m-%d %H:%M:%S")


def check_adr_arithmetic(home: Path) -> tuple[dict[str, int], list[str]]:
    """Recompute amount_usd and every closed trade's PnL; returns statuses and opened_at in rowid order."""
    trades = rows(home, "SELECT direction, entry_price, exit_price, amount, amount_usd, status,"
                                       " pnl_usd, opened_at, closed_at FROM trades ORDER BY rowid")  # fmt: skip
    statuses: dict[str, int] = defaultdict(int)
    for direction, entry, exit_, amount, usd, status, pnl, opened, closed in trades:
        statuses[status] += 1
        assert usd == cents(entry * amount) and amount > 0 and entry > 0
        assert SQL_TS.match(opened) and direction in {"LONG", "SHORT"}
        if status == "CLOSED":
            move = exit_ - entry if direction == "LONG" else entry - exit_
            assert pnl == cents(move * amount)
            assert SQL_TS.match(closed) and closed >= opened
        else:
            assert exit_ is None and pnl == 0
            assert (closed is None) == (status == "OPEN")
    return statuses, [t[7] for t in trades]


def test_adr_users_and_wallets(homes: dict[str, DemoResult]) -> None:
    home = homes["adr-a"].home
    for tg, risk in rows(home, "SELECT telegram_id, risk_level FROM users"):
        assert 100_000_000 <= tg < 10_000_000_000 and risk in {"CONSERVATIVE", "MODERATE", "AGGRESSIVE", "DEGEN"}
    assert rows(home, "SELECT COUNT(DISTINCT user_id), MIN(is_default) FROM wallets") == [(USERS, 1)]
    mint = rows(home, "SELECT token_mint FROM trades LIMIT 1")[0][0]
    assert len(b58(mint)) == 32


def recompute_stats(txs: list[tuple[Any, ...]]) -> dict[int, dict[str, Any]]:
    """user_stats from transactions, in plain Python, per the bot's record_trade (every row counts)."""
    out: dict[int, dict[str, Any]] = {}
    for user, action, usd, _status, pnl in txs:
        s = out.setdefault(user, {"n": 0, "win": [], "loss": [], "pnl": 0.0, "vol": 0.0, "ws": 0, "ls": 0})
        s["n"] += 1
        s["pnl"] += pnl
        s["vol"] += usd
        if action == "SELL":
            if pnl > 0:
                s["win"].append(pnl)
                s["ws"], s["ls"] = s["ws"] + 1, 0
            elif pnl < 0:
                s["loss"].append(pnl)
                s["ws"], s["ls"] = 0, s["ls"] + 1
    return out


def assert_stats_agree(home: Path, avg_tolerance: float) -> None:
    txs = rows(home, "SELECT user_id, action, amount_usd, status, pnl_usd FROM transactions ORDER BY rowid")
    want = recompute_stats(txs)
    stats = rows(home, "SELECT user_id, total_trades, winning_trades, losing_trades, total_pnl_usd, win_rate,"
                       " avg_win_usd, avg_loss_usd, best_trade_usd, worst_trade_usd, total_volume_usd,"
                       " win_streak, loss_streak FROM user_stats")  # fmt: skip
    assert stats
    for uid, n, wins, losses, pnl, rate, avg_win, avg_loss, best, worst, volume, ws, ls in stats:
        w = want.get(uid, {"n": 0, "win": [], "loss": [], "pnl": 0.0, "vol": 0.0, "ws": 0, "ls": 0})
        assert (n, wins, losses, ws, ls) == (w["n"], len(w["win"]), len(w["loss"]), w["ws"], w["ls"])
        assert pnl == pytest.approx(w["pnl"], abs=0.006) and volume == pytest.approx(w["vol"], abs=0.006)
        assert rate == pytest.approx(100 * wins / n if n else 0.0, abs=0.006)  # the bot's BUY-diluted rate
        assert avg_win == pytest.approx(sum(w["win"]) / wins if wins else 0.0, abs=avg_tolerance)
        assert avg_loss == pytest.approx(sum(w["loss"]) / losses if losses else 0.0, abs=avg_tolerance)
        assert best == max([0.0, *w["win"], *w["loss"]]) and worst == min([0.0, *w["win"], *w["loss"]])


def test_deployed_user_stats_agree_with_transactions(homes: dict[str, DemoResult]) -> None:
    assert_stats_agree(homes["deployed-a"].home, avg_tolerance=0.006)


def test_deployed_side_tables_agree(homes: dict[str, DemoResult]) -> None:
    home = homes["deployed-a"].home
    volume = dict(rows(home, "SELECT user_id, ROUND(SUM(amount_usd), 2) FROM transactions GROUP BY user_id"))
    for uid, traded, wallet_id, source, primary in rows(
        home, "SELECT user_id, total_traded_usd, wallet_id, source, is_primary FROM wallets"
    ):
        assert traded == pytest.approx(volume.get(uid, 0.0), abs=0.006)
        assert re.fullmatch(rf"wallet_{uid}_[0-9a-f]{{16}}", wallet_id) and primary == 1
        assert source in {"generated", "imported", "recovered"}
    for tx_id, uid, action, status, pnl, when in rows(
        home, "SELECT tx_id, user_id, action, status, pnl_usd, executed_at FROM transactions"
    ):
        assert re.fullmatch(rf"tx_{uid}_[0-9a-f]{{16}}", tx_id)
        assert action in {"BUY", "SELL"} and status in {"completed", "pending", "failed"}
        assert datetime.fromisoformat(when).tzinfo is None
        if action == "BUY" or status != "completed":
            assert pnl == 0
    limits = rows(home, "SELECT user_id, trades_today, loss_today_usd, last_reset FROM rate_limits")
    assert len(limits) == DEPLOYED_USERS
    for uid, today, loss, reset in limits:
        done = rows(home, "SELECT pnl_usd FROM transactions WHERE user_id = ? AND action = 'BUY'"
                          " AND executed_at >= ?", uid, reset)  # fmt: skip
        assert today == len(done) and loss == pytest.approx(-sum(min(p, 0) for (p,) in done), abs=0.006)
    executed = [r[0] for r in rows(home, "SELECT executed_at FROM transactions ORDER BY rowid")]
    assert executed == sorted(executed)
    for uid, symbol, qty, cost in rows(home, "SELECT user_id, symbol, quantity, cost_basis_usd FROM positions"):
        last = rows(home, "SELECT action, amount_usd FROM transactions WHERE user_id = ? AND symbol = ?"
                          " ORDER BY rowid DESC LIMIT 1", uid, symbol)  # fmt: skip
        assert last == [("BUY", cost)] and qty > 0


# ---------------------------------------------------------------- determinism and keys


@pytest.mark.parametrize("schema", ["adr", "deployed"])
def test_same_seed_same_data_other_seed_other_data(homes: dict[str, DemoResult], schema: str) -> None:
    table = "trades" if schema == "adr" else "transactions"
    a, b, c = (homes[f"{schema}-{x}"] for x in "abc")
    dump = [rows(h.home, f"SELECT * FROM {table} ORDER BY rowid") for h in (a, b, c)]
    assert dump[0] == dump[1] and dump[0] != dump[2]
    users = [rows(h.home, "SELECT * FROM users ORDER BY rowid") for h in (a, b, c)]
    assert users[0] == users[1] and users[0] != users[2]
    for other in set(a.counts) - {"wallets", table, "users"}:  # every other table, and every file
        if "/" in other:
            assert (a.home / other).read_bytes() == (b.home / other).read_bytes(), other
        else:
            assert rows(a.home, f"SELECT * FROM {other} ORDER BY rowid") == rows(
                b.home, f"SELECT * FROM {other} ORDER BY rowid"
            )
    wallets = [wallet_rows(h) for h in (a, b, c)]
    assert [w[0] for w in wallets[0]] == [w[0] for w in wallets[1]]
    assert {w[0] for w in wallets[0]}.isdisjoint(w[0] for w in wallets[2])
    secrets = [[open_stored(w[1], h.passphrase) for w in ws[:4]] for h, ws in zip((a, b), wallets[:2], strict=True)]
    assert secrets[0] == secrets[1]


@pytest.mark.parametrize("schema", ["adr", "deployed"])
def test_keys_follow_formats_section_3(homes: dict[str, DemoResult], schema: str) -> None:
    res = homes[f"{schema}-a"]
    forms = set()
    for address, stored in wallet_rows(res):
        if schema == "deployed":
            assert isinstance(stored, str)
        else:
            assert isinstance(stored, bytes)
            forms.add("raw" if stored[16:22] == b"gAAAAA" else "base64")
        secret = open_stored(stored, res.passphrase)
        assert public_of(secret[:32]) == secret[32:] == b58(address)
    if schema == "adr":
        assert forms == {"raw", "base64"}


def test_a_wrong_passphrase_does_not_open_a_key(homes: dict[str, DemoResult]) -> None:
    stored = wallet_rows(homes["deployed-a"])[0][1]
    with pytest.raises(InvalidToken):
        open_stored(stored, "demo-7-wrong")


# ---------------------------------------------------------------- logs


def test_adr_log_shapes(homes: dict[str, DemoResult]) -> None:
    logs = homes["adr-a"].home / "logs"
    assert sorted(p.name for p in logs.iterdir()) == ["audit.jsonl", "errors.jsonl", "trading.jsonl"]
    for entry in lines(logs / "audit.jsonl"):
        assert entry["timestamp"].endswith("+00:00") and isinstance(entry["event"], str)
        offset = datetime.fromisoformat(entry["timestamp"]).utcoffset()
        assert offset is not None and offset.total_seconds() == 0
    check_trading(logs / "trading.jsonl")
    check_errors(logs / "errors.jsonl")


def test_deployed_log_shapes_and_rotation(homes: dict[str, DemoResult]) -> None:
    logs = homes["deployed-a"].home / "logs"
    rotated = [p for p in logs.iterdir() if re.fullmatch(r"audit\.\d{8}_\d{6}\.jsonl", p.name)]
    assert len(rotated) == 1
    older, current = lines(rotated[0]), lines(logs / "audit.jsonl")
    assert older and current and older[-1]["timestamp"] <= current[0]["timestamp"]
    for entry in older + current:
        assert set(entry) == DEPLOYED_AUDIT_KEYS
        assert isinstance(entry["timestamp"], float) and entry["event_type"] in AUDIT_EVENT_TYPES
        assert isinstance(entry["success"], bool) and (entry["details"] is None or isinstance(entry["details"], dict))
        assert datetime.fromisoformat(entry["timestamp_iso"]).tzinfo is None
        assert (entry["error_message"] is None) == entry["success"]
    times = [e["timestamp"] for e in older + current]
    assert times == sorted(times)
    check_trading(logs / "trading.jsonl")
    check_errors(logs / "errors.jsonl")


def check_trading(path: Path) -> None:
    entries = lines(path)
    assert entries
    for e in entries:
        assert {"timestamp", "event", "token", "pnl_usd"} <= set(e)
        assert e["event"] in {"TRADE_EXECUTED", "TRADE_FAILED"} and isinstance(e["pnl_usd"], float)
        datetime.fromisoformat(e["timestamp"])


def check_errors(path: Path) -> None:
    entries = lines(path)
    assert entries
    for e in entries:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", e["timestamp"])
        assert e["level"] in {"WARNING", "ERROR", "CRITICAL"} and e["logger"] and e["message"]


# ---------------------------------------------------------------- the live writer


@pytest.fixture
def fresh(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[DemoResult]:
    spec = DemoSpec(schema=request.param, users=4, trades=200, log_lines=60, seed=3)
    yield generate_demo_home(tmp_path_factory.mktemp("live"), spec)


def counts_now(home: Path, table: str) -> tuple[int, int, int]:
    logs = home / "logs"
    return (
        rows(home, f"SELECT COUNT(*) FROM {table}")[0][0],
        len(lines(logs / "audit.jsonl")),
        len(lines(logs / "trading.jsonl")),
    )


@pytest.mark.parametrize("fresh", ["adr", "deployed"], indirect=True)
def test_live_writer_in_a_thread(fresh: DemoResult) -> None:
    adr = "trades" in fresh.counts
    table = "trades" if adr else "transactions"
    before = counts_now(fresh.home, table)
    result: dict[str, Any] = {}
    worker = threading.Thread(
        target=lambda: result.update(s=run_live_writer(fresh.home, rate=50, duration=1.0, seed=1))
    )
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive()
    stats = result["s"]
    after = counts_now(fresh.home, table)
    assert stats.errors == 0 and stats.trades_inserted >= 25 and stats.trades_closed > 0
    assert after[0] - before[0] == stats.trades_inserted
    assert (after[1] - before[1]) + (after[2] - before[2]) == stats.log_lines > 0
    if adr:
        _, opened = check_adr_arithmetic(fresh.home)
        assert opened == sorted(opened)
    else:
        assert_stats_agree(fresh.home, avg_tolerance=0.02)


def test_live_writer_refuses_what_is_not_a_demo_home(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        run_live_writer(tmp_path, duration=0.1)
    assert not (tmp_path / "public_users.db").exists()
    sqlite3.connect(tmp_path / "public_users.db").execute("CREATE TABLE notes (body TEXT)").connection.close()
    with pytest.raises(ValueError, match="not an ADR-005 or deployed-bot database"):
        run_live_writer(tmp_path, duration=0.1)


@pytest.mark.parametrize("fresh", ["deployed"], indirect=True)
def test_live_writer_process_ends_cleanly_on_sigterm(fresh: DemoResult) -> None:
    trading = fresh.home / "logs" / "trading.jsonl"
    size = trading.stat().st_size
    proc = subprocess.Popen(
        [sys.executable, "-m", "lifeos_desk.core.live", str(fresh.home), "--rate", "40", "--seed", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while trading.stat().st_size == size and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    stats = json.loads(out)
    assert stats["trades_inserted"] > 0 and stats["errors"] == 0


def test_deployed_times_are_zone_less_utc_in_every_zone(tmp_path: Path, local_zone: str) -> None:
    """As datetime.utcnow().isoformat(): no zone, and the newest time is the spec's end in UTC, east or west."""
    spec = DemoSpec(schema="deployed", users=3, trades=200, log_lines=20, seed=5, end=END)
    home = generate_demo_home(tmp_path / "home", spec).home
    newest = [r[0] for r in rows(home, "SELECT max(executed_at) FROM transactions UNION ALL SELECT max(created_at) "
                                       "FROM users UNION ALL SELECT max(last_reset) FROM rate_limits")]
    moments = [datetime.fromisoformat(text) for text in newest]
    assert all(m.tzinfo is None and m.replace(tzinfo=UTC) <= END for m in moments), newest
    assert moments[0].replace(tzinfo=UTC) >= END - timedelta(days=1), newest
    assert datetime.fromisoformat(newest[2]) == END.replace(hour=0, tzinfo=None)  # the bot's UTC day
