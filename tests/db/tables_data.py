"""Fixture databases and child-process writers for the table-view tests.

Databases are written with Python's sqlite3 *before* any QtSql connection to
the file exists (docs/architecture.md, 'One SQLite library per process'); later writes ("the bot") run in a
child process.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from lifeos_desk.core.schema import ADR_DDL, DEPLOYED_DDL

KEY_BYTES = 140
SYMBOLS = ("SOL", "BONK", "WIF", "JUP", "O'REILLY")


def make_db(path: Path, schema: str = "adr", trades: int = 600, users: int = 12, wal: bool = True) -> Path:
    """A small database in either schema with NULLs, negatives and a hostile-looking symbol."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    con = sqlite3.connect(path)
    if wal:
        con.execute("PRAGMA journal_mode=WAL")
    con.executescript(ADR_DDL if schema == "adr" else DEPLOYED_DDL)
    (_fill_adr if schema == "adr" else _fill_deployed)(con, rng, trades, users)
    con.commit()
    con.close()
    return path


def _fill_adr(con: sqlite3.Connection, rng: random.Random, trades: int, users: int) -> None:
    for u in range(1, users + 1):
        name = None if u == 3 else f"user{u}"
        con.execute("INSERT INTO users VALUES (?,?,?,?,?,?)",
                    (u, 1000 + u, name, "MODERATE", f"2026-01-{u:02d} 10:00:00", None))
        con.execute("INSERT INTO wallets VALUES (?,?,?,?,?,?,?)",
                    (u, u, f"Addr{u:040d}", os.urandom(KEY_BYTES), "Main", 1, "2026-01-01 10:00:00"))
    con.execute("INSERT INTO wallets VALUES (?,?,?,?,?,?,?)",
                (users + 1, 1, "AddrSecond", os.urandom(KEY_BYTES), "Trading", 0, "2026-01-02 10:00:00"))
    for i in range(trades):
        closed = i % 3 != 0
        pnl = round(rng.uniform(-50, 80), 2) if closed else 0.0
        opened = f"2026-02-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00"
        con.execute(
            "INSERT INTO trades VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (f"t{i:06d}", 1 + i % users, "mint", SYMBOLS[i % len(SYMBOLS)], "LONG", 1.0 + i / 1000,
             (1.1 if closed else None), 2.0, round(rng.uniform(1, 500), 2), "CLOSED" if closed else "OPEN",
             pnl if i % 17 else None, opened, opened if closed else None))


def _fill_deployed(con: sqlite3.Connection, rng: random.Random, trades: int, users: int) -> None:
    for u in range(1, users + 1):
        uid = 5000 + u
        con.execute("INSERT INTO users (user_id, telegram_username, risk_level, created_at, last_active, is_active)"
                    " VALUES (?,?,?,?,?,?)", (uid, f"tg{u}", "MODERATE", "2026-01-01T10:00:00",
                                              "2026-01-05T10:00:00.123456", 1))
        con.execute("INSERT INTO wallets VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (f"wallet_{uid}_{u:016x}", uid, f"Pub{u:040d}", "QUJD" * 40, "generated",
                     "2026-01-01T10:00:00", "2026-01-01T10:00:00", 1.5, 10.0, 1))
    for i in range(trades):
        uid = 5001 + i % users
        sell = i % 2 == 1
        con.execute("INSERT INTO transactions VALUES (?,?,?,?,?,?,?,?,?)",
                    (f"tx_{uid}_{i:016x}", uid, f"wallet_{uid}_{1 + i % users:016x}", SYMBOLS[i % len(SYMBOLS)],
                     "SELL" if sell else "BUY", round(rng.uniform(1, 500), 2),
                     f"2026-02-{1 + i % 28:02d}T{i % 24:02d}:00:00.000000", "completed" if i % 5 else "pending",
                     round(rng.uniform(-40, 60), 2) if sell and i % 5 else 0.0))


_WRITER = r"""
import json, sqlite3, sys
path, sql, params, checkpoint = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4] == "1"
con = sqlite3.connect(path, timeout=5)
for p in params:
    con.execute(sql, p)
con.commit()
out = {"changes": con.total_changes}
if checkpoint:
    out["checkpoint"] = con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
con.close()
print(json.dumps(out))
"""


def child_write(path: Path, sql: str, params: list[list[Any]], checkpoint: bool = False) -> dict[str, Any]:
    """Run writes (and optionally a passive checkpoint) in a child process, as the bot would."""
    proc = subprocess.run([sys.executable, "-c", _WRITER, str(path), sql, json.dumps(params),
                           "1" if checkpoint else "0"], capture_output=True, text=True, timeout=60, check=True)
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def adr_trade(i: int, user: int = 1) -> list[Any]:
    """Parameters of one new ADR trade row."""
    return [f"new{i:06d}", user, "mint", "SOL", "LONG", 1.0, None, 1.0, 10.0, "OPEN", 0.0,
            "2026-03-01 00:00:00", None]


ADR_TRADE_SQL = "INSERT INTO trades VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
