"""Following the bot's trades reads what changed, not the table (issue 18).

After N new rows an update reads N rows, with keyset statements
(``rowid > ?``) only; the ADR bot's closes (UPDATE of an OPEN trade) are
re-read by rowid, bounded by the open trades; deletions and edits of old
rows fall back to a full read. Each result is checked against a full read
of the same file. Writes after QtSql opened the file run in a child process
(docs/architecture.md, 'One SQLite library per process').
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lifeos_desk.core.schema import ADR_DDL, ADR_DOMAIN, DEPLOYED_DDL, DEPLOYED_DOMAIN
from lifeos_desk.db import trades_live
from lifeos_desk.db.trades_live import FULL_CHECK_S, RECHECK_S, load_full, update
from lifeos_desk.db.trades_query import trade_source

ADR_COLUMNS = ["id", "user_id", "token_mint", "token_symbol", "direction", "entry_price", "exit_price", "amount",
               "amount_usd", "status", "pnl_usd", "opened_at", "closed_at"]
DEP_COLUMNS = ["tx_id", "user_id", "wallet_id", "symbol", "action", "amount_usd", "executed_at", "status", "pnl_usd"]


def _write(db: Path, sql: str) -> None:
    subprocess.run([sys.executable, "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=30);"
                    " c.executescript(sys.argv[2]); c.commit()", str(db), sql], check=True, timeout=60)


def _deployed(path: Path, n: int) -> Path:
    con = sqlite3.connect(path)
    con.executescript(DEPLOYED_DDL)
    con.executemany("INSERT INTO transactions VALUES (?,?,'w',?,?,10.0,?,'completed',?)",
                    [(f"tx{i}", 1 + i % 5, f"S{i % 7}", "SELL" if i % 2 else "BUY",
                      f"2026-03-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}", round((i % 13) - 6.5, 2))
                     for i in range(n)])
    con.commit()
    con.close()
    return path


def _adr(path: Path, n: int) -> Path:
    con = sqlite3.connect(path)
    con.executescript(ADR_DDL)
    rows = []
    for i in range(n):
        open_ = i % 10 == 0
        rows.append((f"t{i}", 1 + i % 4, "m", f"S{i % 5}", "LONG", 1.0, None if open_ else 1.1, 1.0, 100.0,
                     "OPEN" if open_ else "CLOSED", 0.0 if open_ else round(i % 9 - 4.0, 2),
                     f"2026-03-01 00:{i // 60 % 60:02d}:{i % 60:02d}",
                     None if open_ else f"2026-03-02 00:{i // 60 % 60:02d}:{i % 60:02d}"))
    con.executemany("INSERT INTO trades VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    con.commit()
    con.close()
    return path


@pytest.fixture
def traced(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """(statement, rows in its result) of every read the live update makes."""
    seen: list[tuple[str, int]] = []
    real_chunk = trades_live.fetch_chunk  # type: ignore[attr-defined]  # the names the module reads with,
    real_rows = trades_live.run_rows  # type: ignore[attr-defined]  # patched below

    def fetch_chunk(db: Any, sql: str, params: Any) -> Any:
        chunk = real_chunk(db, sql, params)
        seen.append((sql, len(chunk.records)))
        return chunk

    def run_rows(db: Any, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        rows = real_rows(db, sql, params)
        seen.append((sql, len(rows)))
        return rows

    monkeypatch.setattr(trades_live, "fetch_chunk", fetch_chunk)
    monkeypatch.setattr(trades_live, "run_rows", run_rows)
    return seen


def _same(a: Any, b: Any) -> None:
    assert a.rowid.tolist() == b.rowid.tolist()
    np.testing.assert_array_equal(a.time, b.time)
    np.testing.assert_array_equal(a.pnl, b.pnl)
    assert a.realised.tolist() == b.realised.tolist() and a.user.tolist() == b.user.tolist()
    assert [a.symbol_name(int(c)) for c in a.symbol] == [b.symbol_name(int(c)) for c in b.symbol]


def test_new_rows_cost_reads_bounded_by_them(qapp, tmp_path: Path, traced: list[tuple[str, int]]) -> None:  # type: ignore[no-untyped-def]
    path = _deployed(tmp_path / "dep.db", 3000)
    source = trade_source(DEPLOYED_DOMAIN, DEP_COLUMNS)
    clock = [0.0]
    held = load_full(path, source, clock=lambda: clock[0]).held
    traced.clear()
    n = 7
    _write(path, "".join(f"INSERT INTO transactions VALUES ('new{i}', 9, 'w', 'NEWTOKEN', 'SELL', 10.0, "
                         f"'2026-03-02T00:00:0{i}', 'completed', {i}.5);" for i in range(n)))
    clock[0] += 1
    result = update(path, source, held, clock=lambda: clock[0])
    assert not result.full and result.rows_read == n and len(result.added) == n
    assert result.added.realised.all() and "NEWTOKEN" in result.held.trades.symbols
    reads = [(sql, rows) for sql, rows in traced if "group_concat" in sql]
    assert reads and all("rowid >" in sql for sql, _ in reads) and sum(r for _, r in reads) == n
    assert all("rowid >" in sql for sql, _ in traced)  # every statement is a keyset range, none scans the table
    _same(result.held.trades, load_full(path, source).held.trades)
    traced.clear()
    clock[0] += 1
    quiet = update(path, source, result.held, clock=lambda: clock[0])  # a commit to another table
    assert not quiet.changed and quiet.rows_read == 0


def test_adr_closes_are_reread_by_rowid(qapp, tmp_path: Path, traced: list[tuple[str, int]]) -> None:  # type: ignore[no-untyped-def]
    path = _adr(tmp_path / "adr.db", 1000)  # 100 trades still OPEN
    source = trade_source(ADR_DOMAIN, ADR_COLUMNS)
    clock = [0.0]
    held = load_full(path, source, clock=lambda: clock[0]).held
    assert len(held.open_records) == 100
    _write(path, "UPDATE trades SET status='CLOSED', exit_price=1.2, pnl_usd=20.0, closed_at='2026-03-03 00:00:00'"
                 " WHERE id IN ('t10', 't990');"
                 "INSERT INTO trades VALUES ('n1',1,'m','S1','LONG',1.0,NULL,1.0,100.0,'OPEN',0.0,"
                 "'2026-03-03 00:00:01',NULL);")
    clock[0] += RECHECK_S
    traced.clear()
    result = update(path, source, held, clock=lambda: clock[0])
    assert not result.full and result.rows_read == 1 + 2  # the new row and the two closed ones, not the table
    assert sorted(result.dropped.rowid.tolist()) == [11, 991] and len(result.added) == 3
    assert len(result.held.open_records) == 100 - 2 + 1
    records = [(sql, rows) for sql, rows in traced if "group_concat(CASE" not in sql and "rowid IN" in sql]
    assert records and sum(rows for _, rows in records) == 2  # only the closed rows' records were read again
    _same(result.held.trades, load_full(path, source).held.trades)


def test_adr_inserts_only_reread_no_open_trade(qapp, tmp_path: Path, traced: list[tuple[str, int]]) -> None:  # type: ignore[no-untyped-def]
    path = _adr(tmp_path / "adr.db", 1000)
    source = trade_source(ADR_DOMAIN, ADR_COLUMNS)
    clock = [0.0]
    held = load_full(path, source, clock=lambda: clock[0]).held
    n = 4
    _write(path, "".join(f"INSERT INTO trades VALUES ('n{i}',1,'m','S1','LONG',1.0,NULL,1.0,100.0,'OPEN',0.0,"
                         f"'2026-03-03 00:00:0{i}',NULL);" for i in range(n)))
    clock[0] += RECHECK_S  # the look at the open rows is due
    traced.clear()
    result = update(path, source, held, clock=lambda: clock[0])
    assert not result.full and result.rows_read == n and len(result.added) == n
    assert not [sql for sql, _ in traced if "group_concat(printf" in sql and "rowid IN" in sql]  # no record re-read
    assert len(result.held.open_records) == 100 + n
    _same(result.held.trades, load_full(path, source).held.trades)


def test_adr_closes_before_the_whole_check_cost_no_full_read(qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The whole-table check counts the closed rows in their new versions (it once saw them as edits)."""
    path = _adr(tmp_path / "adr.db", 1000)
    source = trade_source(ADR_DOMAIN, ADR_COLUMNS)
    clock = [0.0]
    held = load_full(path, source, clock=lambda: clock[0]).held
    _write(path, "UPDATE trades SET status='CLOSED', exit_price=1.2, pnl_usd=20.0, closed_at='2026-03-03 00:00:00'"
                 " WHERE id = 't500'")
    clock[0] += FULL_CHECK_S
    result = update(path, source, held, clock=lambda: clock[0])
    assert not result.full and result.dropped.rowid.tolist() == [501]
    assert result.held.checked_at == clock[0]  # the whole check ran and matched
    _same(result.held.trades, load_full(path, source).held.trades)


def test_adr_edit_of_a_still_open_trade_is_found_by_the_whole_check(qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _adr(tmp_path / "adr.db", 1000)
    source = trade_source(ADR_DOMAIN, ADR_COLUMNS)
    clock = [0.0]
    held = load_full(path, source, clock=lambda: clock[0]).held
    _write(path, "UPDATE trades SET pnl_usd = 7.5 WHERE id = 't500'")  # stays OPEN
    clock[0] += FULL_CHECK_S
    result = update(path, source, held, clock=lambda: clock[0])
    assert result.full
    _same(result.held.trades, load_full(path, source).held.trades)


@pytest.mark.parametrize(("sql", "advance"), [
    ("DELETE FROM transactions WHERE rowid = 5", FULL_CHECK_S),  # an old row: the whole-table check sees it
    ("UPDATE transactions SET pnl_usd = 99 WHERE rowid = 10", FULL_CHECK_S),
    ("DELETE FROM transactions WHERE rowid = 3000", 1.0),  # the last row: the highest rowid fell
    ("UPDATE transactions SET pnl_usd = 99 WHERE rowid = 2990", 1.0),  # near the end: the tail check sees it
])
def test_rows_gone_or_changed_mean_a_full_read(qapp, tmp_path: Path, sql: str, advance: float) -> None:  # type: ignore[no-untyped-def]
    path = _deployed(tmp_path / "dep.db", 3000)
    source = trade_source(DEPLOYED_DOMAIN, DEP_COLUMNS)
    clock = [0.0]
    held = load_full(path, source, clock=lambda: clock[0]).held
    _write(path, sql)
    clock[0] += advance
    result = update(path, source, held, clock=lambda: clock[0])
    assert result.full
    _same(result.held.trades, load_full(path, source).held.trades)
