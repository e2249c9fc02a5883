"""Status-bar row counts follow appends without COUNT(*) over a table that only grew.

Writes after the QtSql connection opened go through a child process
(docs/architecture.md, 'One SQLite library per process').
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lifeos_desk.db import row_counts
from lifeos_desk.db.connection import Database
from lifeos_desk.db.row_counts import FULL_RECOUNT_S, RowCounter


def _write(db: Path, sql: str) -> None:
    subprocess.run([sys.executable, "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]);"
                    " c.executescript(sys.argv[2]); c.commit()", str(db), sql], check=True)


@pytest.fixture
def traced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the counter runs, through the one helper it reads with."""
    seen: list[str] = []
    real = row_counts.run_rows  # type: ignore[attr-defined]  # the name the module reads with, patched below

    def run_rows(db: Any, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        seen.append(sql)
        return real(db, sql, params)

    monkeypatch.setattr(row_counts, "run_rows", run_rows)
    return seen


def _unbounded_counts(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if "count(*)" in s.lower() and f'"{table}"' in s and "rowid >" not in s]


def test_appends_are_counted_without_a_full_count(qapp, tmp_path: Path, traced: list[str]) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bot.db"
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE tx (id INTEGER PRIMARY KEY, v TEXT);"
                      "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;")
    con.executemany("INSERT INTO tx (v) VALUES (?)", [("a",)] * 500)
    con.execute("INSERT INTO kv VALUES ('x', '1')")
    con.commit()
    con.close()
    db = Database(path, read_only=True)
    now = [100.0]
    counter = RowCounter(db.connection, ["tx", "kv"], clock=lambda: now[0])
    counter.seed({"tx": 500, "kv": 1})
    traced.clear()
    _write(path, "INSERT INTO tx (v) VALUES ('b'); INSERT INTO tx (v) VALUES ('c'); INSERT INTO kv VALUES ('y','2');")
    now[0] += 1
    assert counter.counts() == {"tx": 502, "kv": 2}
    assert _unbounded_counts(traced, "tx") == []  # the grown table: only the rows above the last rowid
    assert _unbounded_counts(traced, "kv")  # no rowid to follow: counted in full
    traced.clear()
    _write(path, "DELETE FROM tx WHERE id < 100;")  # old rows went: seen at the next full count
    now[0] += FULL_RECOUNT_S
    assert counter.counts()["tx"] == 403
    assert _unbounded_counts(traced, "tx")
    traced.clear()
    _write(path, "DELETE FROM tx WHERE id > 500;")  # the last rows went: the highest rowid fell
    now[0] += 1
    assert counter.counts()["tx"] == 401
    assert _unbounded_counts(traced, "tx")
    db.close()
