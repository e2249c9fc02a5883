"""Migration to a real PostgreSQL server: round trips, awkward stores, refusal, tampering, cancel.

No mock database: tests/pg.py starts PostgreSQL for the session. The checks
read PostgreSQL back with psycopg, independently of the migration's own
verification, and then also trust that verification to find a planted change.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from lifeos_desk.core.archive import CancelFlag, Cancelled, Progress
from lifeos_desk.core.migrate import MigrateError, TargetNotEmpty, migrate, plan_stores, verify_target
from lifeos_desk.core.paths import DB_FILENAME
from tests.core.migrate_helpers import AWKWARD_TABLE, KEY_BYTES, awkward_store, demo_home


def pg_rows(url: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql, args or None).fetchall()


def sqlite_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize("schema", ["adr", "deployed"])
def test_round_trip_of_both_schemas_counts_pnl_and_keys(tmp_path: Path, pg_url: str, schema: str) -> None:
    home = demo_home(tmp_path, schema)
    db = home / DB_FILENAME
    report = migrate(pg_url, [db])
    assert report.ok, [(t.table, t.difference) for t in report.tables]
    trades, pk, key_table, key_col = (("trades", "id", "wallets", "encrypted_key") if schema == "adr"
                                      else ("transactions", "tx_id", "wallets", "encrypted_private_key"))
    for t in report.tables:
        assert t.source_rows == t.target_rows == sqlite_rows(db, f'SELECT count(*) FROM "{t.table}"')[0][0]
    assert pg_rows(pg_url, f"SELECT sum(pnl_usd) FROM {trades}")[0][0] == pytest.approx(
        sqlite_rows(db, f"SELECT sum(pnl_usd) FROM {trades}")[0][0], abs=1e-6)
    # Encrypted keys byte for byte, whatever their stored form (ADR: bytes; deployed: base64 text).
    mine = sorted(bytes(k) if isinstance(k, bytes) else str(k).encode()
                  for (k,) in sqlite_rows(db, f"SELECT {key_col} FROM {key_table}"))
    theirs = sorted(bytes(k) if isinstance(k, bytes | memoryview) else str(k).encode()
                    for (k,) in pg_rows(pg_url, f"SELECT {key_col} FROM {key_table}"))
    assert mine == theirs
    assert pg_rows(pg_url, "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                           "AND a.attnum = ANY(i.indkey) WHERE i.indisprimary AND i.indrelid = %s::regclass",
                   trades) == [(pk,)]


def test_times_are_utc_timestamptz(tmp_path: Path, pg_url: str) -> None:
    home = demo_home(tmp_path, "deployed")
    migrate(pg_url, [home / DB_FILENAME])
    first = sqlite_rows(home / DB_FILENAME, "SELECT executed_at FROM transactions ORDER BY tx_id LIMIT 1")[0][0]
    (got,) = pg_rows(pg_url, "SELECT executed_at FROM transactions ORDER BY tx_id COLLATE \"C\" LIMIT 1")[0]
    assert got == datetime.fromisoformat(first).replace(tzinfo=UTC)
    assert pg_rows(pg_url, "SELECT data_type FROM information_schema.columns WHERE table_name = 'transactions' "
                           "AND column_name = 'executed_at'") == [("timestamp with time zone",)]


def test_awkward_store_keeps_every_value(tmp_path: Path, pg_url: str) -> None:
    home = demo_home(tmp_path, "adr", users=2, trades=10)
    extra = awkward_store(tmp_path / "awkward.db")
    report = migrate(pg_url, [home / DB_FILENAME, extra], schema="odd schema")
    assert report.ok, [(t.table, t.difference) for t in report.tables]
    q = '"odd schema"."' + AWKWARD_TABLE.replace('"', '""') + '"'
    got = {r[0]: r[1:] for r in pg_rows(pg_url, f'SELECT "order", "my ""quoted"" col", "user", payload, flag, '
                                                f'seen_at, seen_at__raw, amount FROM {q}')}
    assert got[1][:4] == ("tab\there", "new\nline", KEY_BYTES, True)
    assert got[1][4] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC) and got[1][6] == 0.1 + 0.2
    assert got[2][4] == datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
    assert got[3] == (None,) * 7
    assert got[4][4] == datetime(2026, 1, 1, 21, 34, 5, tzinfo=UTC) and got[4][6] == 1.7976931348623157e308
    assert got[5][4] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC) and got[5][6] == 5e-324
    # Values that do not fit: NULL in the typed column, the text kept beside it, never guessed.
    assert got[6][3:6] == (None, None, "yesterday")
    assert got[7][4:6] == (None, "2026-02-31 10:00:00") and got[7][2] == b"text in a blob"
    assert got[8][4] == datetime(2026, 3, 1, tzinfo=UTC)
    assert pg_rows(pg_url, f"SELECT flag__raw FROM {q} WHERE flag__raw IS NOT NULL") == [("2",)]
    notes = [n for t in report.tables for n in t.notes]
    assert any("seen_at" in n and "2 value(s)" in n for n in notes)
    assert any("foreign key" in n and "NOT VALID" in n for n in notes)  # the orphan parent_order 99
    assert pg_rows(pg_url, "SELECT created_at__raw FROM \"odd schema\".\"group\" WHERE created_at__raw "
                           "IS NOT NULL") == [("not a time",)]


def test_target_not_empty_is_refused_and_unchanged_then_replaced(tmp_path: Path, pg_url: str) -> None:
    db = demo_home(tmp_path, "adr") / DB_FILENAME
    assert migrate(pg_url, [db]).ok
    with psycopg.connect(pg_url) as con:
        con.execute("UPDATE users SET username = 'marker' WHERE id = 1")
    with pytest.raises(TargetNotEmpty):
        migrate(pg_url, [db])
    assert pg_rows(pg_url, "SELECT username FROM users WHERE id = 1") == [("marker",)]
    assert migrate(pg_url, [db], replace=True).ok
    assert pg_rows(pg_url, "SELECT username FROM users WHERE id = 1") != [("marker",)]


@pytest.mark.parametrize(("tamper", "expect"), [
    ("UPDATE trades SET pnl_usd = pnl_usd + 0.01 WHERE id = (SELECT min(id) FROM trades)", "values differ"),
    ("DELETE FROM trades WHERE id = (SELECT max(id) FROM trades)", "missing in PostgreSQL"),
    ("UPDATE wallets SET encrypted_key = encrypted_key || '\\x00'::bytea WHERE id = 2", "id=2: values differ"),
])
def test_a_change_planted_after_the_load_is_found(tmp_path: Path, pg_url: str, tamper: str, expect: str) -> None:
    db = demo_home(tmp_path, "adr") / DB_FILENAME
    assert migrate(pg_url, [db]).ok
    assert verify_target(pg_url, [db]).ok
    with psycopg.connect(pg_url) as con:
        con.execute(tamper)
    report = verify_target(pg_url, [db])
    assert not report.ok
    bad = [t for t in report.tables if not t.verified]
    assert len(bad) == 1 and expect in bad[0].difference


def test_a_failed_load_leaves_the_target_as_it_was(tmp_path: Path, pg_url: str) -> None:
    db = tmp_path / "nullkey.db"
    with closing(sqlite3.connect(db)) as con:  # SQLite lets a non-integer primary key hold NULL; PostgreSQL not
        con.executescript("CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);"
                          "CREATE TABLE k (id TEXT PRIMARY KEY, v INTEGER); INSERT INTO k VALUES (NULL, 1);")
    with pytest.raises(MigrateError, match="rolled back, the target is unchanged"):
        migrate(pg_url, [db])
    assert pg_rows(pg_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_cancel_rolls_the_load_back(tmp_path: Path, pg_url: str) -> None:
    db = demo_home(tmp_path, "adr", trades=30_000) / DB_FILENAME
    flag = CancelFlag()

    def progress(p: Progress) -> None:
        if p.stage == "load" and p.done > 0:
            flag.set()

    with pytest.raises(Cancelled):
        migrate(pg_url, [db], progress=progress, cancel=flag)
    assert pg_rows(pg_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_plan_shows_ddl_and_touches_nothing(tmp_path: Path, pg_url: str) -> None:
    db = demo_home(tmp_path, "deployed") / DB_FILENAME
    report = plan_stores([db])
    ddl = "\n".join(report.ddl)
    assert 'CREATE TABLE "public"."transactions"' in ddl and '"executed_at" timestamptz NOT NULL' in ddl
    assert '"is_primary" boolean' in ddl and 'ADD PRIMARY KEY ("tx_id")' in ddl
    assert pg_rows(pg_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
