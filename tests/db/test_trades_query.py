"""Reading trades through QtSql into arrays: every timestamp form, both schemas, batches and threads.

Fixture databases are written with Python's sqlite3 before any QtSql
connection opens them (docs/architecture.md, 'One SQLite library per process').
"""

from __future__ import annotations

import math
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from lifeos_desk.core.pnl import Trades
from lifeos_desk.core.schema import ADR_DDL, ADR_DOMAIN, DEPLOYED_DDL, DEPLOYED_DOMAIN
from lifeos_desk.db.trades_query import (
    Reader,
    load_algorithm_metrics,
    load_trades,
    load_trades_db,
    pk_values,
    trade_source,
    user_names,
)

T0 = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)
EPOCH0 = T0.timestamp()
BIG_USER = 7_123_456_789  # Telegram ids pass 2**32

# (closed_at as stored, expected epoch or None, status, entry, exit, amount_usd, direction, pnl_usd, expected pnl)
ADR_ROWS = [
    ("2026-03-08 23:30:00", EPOCH0, "CLOSED", 1.0, 1.1, 100.0, "LONG", 10.0, 10.0),
    ("2026-03-08T23:30:01.250000", EPOCH0 + 1.25, "CLOSED", 1.0, 0.9, 100.0, "SHORT", 10.0, 10.0),
    ("2026-03-09T01:30:02+02:00", EPOCH0 + 2, "CLOSED", 2.0, 1.5, 50.0, "SHORT", None, 12.5),  # derived, short
    ("2026-03-08T23:30:03Z", EPOCH0 + 3, "CLOSED", 2.0, 1.5, 50.0, "LONG", None, -12.5),  # derived, long
    (int(EPOCH0 + 4), EPOCH0 + 4, "CLOSED", 1.0, None, 10.0, "LONG", 0.0, None),  # no exit price: unknown PnL
    (int((EPOCH0 + 5) * 1000), EPOCH0 + 5, "CLOSED", 1.0, None, 10.0, "LONG", -3.5, -3.5),  # epoch ms, PnL kept
    ("not a time", None, "CLOSED", 1.0, 1.0, 10.0, "LONG", 1.0, 1.0),
    (None, EPOCH0 - 60, "OPEN", 1.0, None, 10.0, "LONG", 0.0, None),  # open: time falls back to opened_at
    ("2026-03-08 23:30:09", EPOCH0 + 9, "CANCELLED", 1.0, None, 10.0, "LONG", 0.0, None),
    ("2026-03-08 23:30:10", EPOCH0 + 10, "FAILED", 1.0, None, 10.0, "LONG", 0.0, None),
    ("2026-03-08 23:30:11", EPOCH0 + 11, "CLOSED", 1.0, 1.2, 10.0, "LONG", 2.0, 2.0),
]
ROWIDS = [1, 2, 3, 4, 5, 6, 107, 108, 109, 110, 111]
REALISED = [True] * 7 + [False, False, False, True]
SYMBOLS = ["BONK", "WIF", "JUP", "BONK", "ÄPFEL", "AVERYLONGTOKENNAME42", "WIF", "BONK", "JUP", "JUP", "PYTH"]


def _adr_db(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.executescript(ADR_DDL)
    con.execute("INSERT INTO users (id, telegram_id, username) VALUES (1, 11, 'alice'), (2, 22, NULL)")
    for i, (closed, _e, status, entry, exit_price, usd, direction, pnl, _p) in enumerate(ADR_ROWS):
        con.execute("INSERT INTO trades VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (f"tr_{i:03d}", 1 + i % 2, "mint", SYMBOLS[i], direction, entry, exit_price, 1.0, usd, status,
                     pnl, "2026-03-08 23:29:00", closed))
    con.execute("UPDATE trades SET rowid = rowid + 100 WHERE rowid > 6")  # a gap in rowids: keyset batches skip it
    con.executemany("INSERT INTO algorithm_metrics (algorithm_type, total_signals, winning_signals, accuracy,"
                    " confidence_score) VALUES (?,?,?,?,?)", [("whale", 10, 6, 60.0, 55.0), ("news", 4, 1, 25.0, 40.0)])
    con.commit()
    con.close()
    return path


def _dep_db(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.executescript(DEPLOYED_DDL)
    naive = datetime(2026, 3, 8, 23, 30, 0, 123456)  # datetime.utcnow().isoformat(): zone-less UTC
    rows = [
        ("tx_1", BIG_USER, "SELL", naive.isoformat(), "completed", 5.0),
        ("tx_2", BIG_USER, "BUY", (naive + timedelta(seconds=1)).isoformat(), "completed", 0.0),
        ("tx_3", 42, "SELL", "2026-03-08T23:30:02+00:00", "completed", -2.0),
        ("tx_4", 42, "SELL", (naive + timedelta(seconds=3)).isoformat(), "pending", 0.0),
        ("tx_5", 42, "SELL", (naive + timedelta(seconds=4)).isoformat(), "failed", 0.0),
    ]
    con.executemany("INSERT INTO transactions VALUES (?,?,'w',?,?,10.0,?,?,?)",
                    [(tx, uid, "SOL", action, when, status, pnl) for tx, uid, action, when, status, pnl in rows])
    con.execute("INSERT INTO users (user_id, telegram_username, created_at, last_active) VALUES (?, 'bob', '', '')",
                (BIG_USER,))
    con.commit()
    con.close()
    return path


ADR_COLUMNS = ["id", "user_id", "token_mint", "token_symbol", "direction", "entry_price", "exit_price", "amount",
               "amount_usd", "status", "pnl_usd", "opened_at", "closed_at"]


@pytest.fixture
def adr(tmp_path: Path) -> Path:
    return _adr_db(tmp_path / "adr.db")


def _by_rowid(trades: Trades) -> Trades:
    """The loader returns time order (unknown times last); the checks read rowid order."""
    finite = trades.time[np.isfinite(trades.time)]
    assert (np.diff(finite) >= 0).all() and np.isfinite(trades.time[: len(finite)]).all()
    return trades.take(np.argsort(trades.rowid, kind="stable"))


def _check_adr(trades: Trades) -> None:
    trades = _by_rowid(trades)
    assert trades.rowid.tolist() == ROWIDS
    for i, (_c, epoch, *_rest, pnl) in enumerate(ADR_ROWS):
        got_t, got_p = trades.time[i], trades.pnl[i]
        assert (math.isnan(got_t) if epoch is None else got_t == pytest.approx(epoch, abs=1e-3)), (i, got_t, epoch)
        assert (math.isnan(got_p) if pnl is None else got_p == pytest.approx(pnl, abs=1e-6)), (i, got_p, pnl)
    assert trades.realised.tolist() == REALISED
    names = [trades.symbol_name(int(c)) for c in trades.symbol]
    expect = [s.encode()[:16].decode("utf-8", "replace") for s in SYMBOLS]
    assert names == expect
    assert trades.user.tolist() == [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


@pytest.mark.parametrize("batch", [3, 1000])
def test_adr_every_timestamp_form_and_pnl_rule(qapp: QApplication, adr: Path, batch: int) -> None:
    source = trade_source(ADR_DOMAIN, ADR_COLUMNS)
    reader = Reader(adr)
    try:
        trades = load_trades_db(reader.conn, source, batch=batch)
    finally:
        reader.close()
    _check_adr(trades)


def test_parallel_threads_give_the_same_arrays(qapp: QApplication, adr: Path) -> None:
    source = trade_source(ADR_DOMAIN, ADR_COLUMNS)
    trades = load_trades(adr, source, workers=3, batch=2)
    _check_adr(trades)


def test_user_filter_in_sql(qapp: QApplication, adr: Path) -> None:
    trades = load_trades(adr, trade_source(ADR_DOMAIN, ADR_COLUMNS), user_id=2, batch=4)
    assert _by_rowid(trades).rowid.tolist() == [2, 4, 6, 108, 110]


def test_deployed_naive_times_are_utc_and_realised_rule(qapp: QApplication, tmp_path: Path,
                                                        local_zone: str) -> None:
    path = _dep_db(tmp_path / "dep.db")
    source = trade_source(DEPLOYED_DOMAIN, ["tx_id", "user_id", "wallet_id", "symbol", "action", "amount_usd",
                                            "executed_at", "status", "pnl_usd"])
    trades = _by_rowid(load_trades(path, source, batch=2))
    assert trades.time.tolist() == pytest.approx([EPOCH0 + 0.123, EPOCH0 + 1.123, EPOCH0 + 2, EPOCH0 + 3.123,
                                                  EPOCH0 + 4.123], abs=1e-3)
    assert trades.realised.tolist() == [True, False, True, False, False]
    assert trades.user.tolist() == [BIG_USER, BIG_USER, 42, 42, 42]
    assert trades.pnl.tolist() == [5.0, 0.0, -2.0, 0.0, 0.0]
    reader = Reader(path)
    try:
        assert pk_values(reader.conn, source, [3, 1]) == ["tx_1", "tx_3"]
        assert user_names(reader.conn, DEPLOYED_DOMAIN) == {BIG_USER: "bob"}
    finally:
        reader.close()


def test_zone_less_rows_are_utc_in_every_zone(qapp: QApplication, tmp_path: Path,
                                             local_zone: str) -> None:
    path = tmp_path / "naive.db"
    con = sqlite3.connect(path)
    con.executescript(DEPLOYED_DDL)
    walls = [datetime(2026, 3, 9, 8, 30) + timedelta(minutes=i) for i in range(1200)]
    con.executemany("INSERT INTO transactions VALUES (?,1,'w','SOL','SELL',10.0,?,'completed',1.0)",
                    [(f"tx_{i}", w.isoformat()) for i, w in enumerate(walls)])
    con.commit()
    con.close()
    trades = load_trades(path, trade_source(DEPLOYED_DOMAIN, ["action"]), batch=500)
    assert trades.time.tolist() == pytest.approx([w.replace(tzinfo=UTC).timestamp() for w in walls])


def test_empty_table_and_metrics(qapp: QApplication, tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    con = sqlite3.connect(path)
    con.executescript(ADR_DDL)
    con.close()
    trades = load_trades(path, trade_source(ADR_DOMAIN, ADR_COLUMNS))
    assert len(trades) == 0 and trades.symbols == ()
    filled = _adr_db(tmp_path / "full.db")
    reader = Reader(filled)
    try:
        metrics = load_algorithm_metrics(reader.conn)
    finally:
        reader.close()
    assert [(m.algorithm, m.accuracy, m.confidence, m.win_share) for m in metrics] == [
        ("whale", 60.0, 55.0, 60.0), ("news", 25.0, 40.0, 25.0)]


def test_many_rows_round_trip_exactly(qapp: QApplication, tmp_path: Path) -> None:
    """Random PnL to the micro-dollar and times to the millisecond survive the hex stream."""
    rng = np.random.default_rng(3)
    n = 5000
    pnl = np.round(rng.normal(0, 500, n), 6)
    epoch = np.round(EPOCH0 + rng.uniform(0, 3e7, n), 3)
    path = tmp_path / "many.db"
    con = sqlite3.connect(path)
    con.executescript(ADR_DDL)
    con.executemany("INSERT INTO trades VALUES (?,?,'m',?,'LONG',1,1,1,1,'CLOSED',?,'x',?)",
                    [(f"t{i}", int(rng.integers(1, 9)), f"S{i % 37}", float(pnl[i]),
                      datetime.fromtimestamp(float(epoch[i]), UTC).isoformat(timespec="milliseconds"))
                     for i in range(n)])
    con.commit()
    con.close()
    trades = _by_rowid(load_trades(path, trade_source(ADR_DOMAIN, ADR_COLUMNS), batch=700))
    np.testing.assert_allclose(trades.pnl, pnl, atol=5e-7)
    np.testing.assert_allclose(trades.time, epoch, atol=5e-4)
    assert len(trades.symbols) == 37


def test_fingerprint_sees_trade_changes_only(qapp: QApplication, tmp_path: Path) -> None:
    from lifeos_desk.db.trades_query import read_fingerprint

    path = _adr_db(tmp_path / "fp.db")
    source = trade_source(ADR_DOMAIN, ADR_COLUMNS)
    first = read_fingerprint(path, source)
    for sql, changes in [("UPDATE users SET username = 'zed' WHERE id = 1", False),
                         ("UPDATE trades SET status = 'CLOSED', closed_at = '2026-03-09' WHERE rowid = 108", True),
                         ("UPDATE trades SET status = 'CANCELLED' WHERE rowid = 110", False),  # was FAILED: no change
                         ("UPDATE trades SET pnl_usd = pnl_usd + 0.01 WHERE rowid = 1", True),
                         ("DELETE FROM trades WHERE rowid = 2", True)]:
        before = read_fingerprint(path, source)
        child = subprocess.run([sys.executable, "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
                                "c.execute(sys.argv[2]); c.commit()", str(path), sql], check=True, timeout=60)
        assert child.returncode == 0
        assert (read_fingerprint(path, source) != before) is changes, sql
    assert first != read_fingerprint(path, source)


def test_fingerprint_of_the_batches_equals_the_whole_table(qapp: QApplication, tmp_path: Path) -> None:
    from lifeos_desk.db.trades_query import load_trades_marked, read_fingerprint

    path = _adr_db(tmp_path / "fp2.db")
    source = trade_source(ADR_DOMAIN, ADR_COLUMNS)
    _trades, mark = load_trades_marked(path, source, batch=3, workers=2)
    assert mark == read_fingerprint(path, source)
    assert mark[0] == len(ADR_ROWS) and mark[1] == 111 and mark[3] == sum(REALISED)
    assert load_trades_marked(path, source, user_id=1)[1] == ()


def test_deployed_day_buckets_follow_the_shown_zone(qapp: QApplication, tmp_path: Path,
                                                     local_zone: str) -> None:
    """A sell stored as 23:30 UTC is on 8 March in UTC and Los Angeles, on 9 March in Tokyo."""
    from lifeos_desk.core import pnl

    path = _dep_db(tmp_path / "dep.db")
    trades = load_trades(path, trade_source(DEPLOYED_DOMAIN, ["action"]))
    series = pnl.realised(trades)
    utc_days = pnl.daily(series, UTC).day.tolist()
    local_days = pnl.daily(series, None).day.tolist()
    march_8 = (datetime(2026, 3, 8, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)).days
    assert utc_days == [march_8]
    assert local_days == [march_8 + 1 if local_zone == "Asia/Tokyo" else march_8]
