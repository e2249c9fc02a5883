"""The read-only query runner: writes refused before they run, results bounded, cancel prompt."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from lifeos_desk.core.query import BadSql, Interrupted, ReadOnlyConnection, Refused
from lifeos_desk.core.sqlschema import read_schema, schema_from_json

LONG_QUERY = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
              "SELECT count(*) FROM c")


def make_db(path: Path, wal: bool = True) -> Path:
    con = sqlite3.connect(path)
    if wal:
        con.execute("PRAGMA journal_mode=WAL")
    con.executescript("""
        CREATE TABLE users (user_id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT);
        CREATE TABLE trades (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(user_id) ON DELETE CASCADE,
                             amount REAL);
        CREATE INDEX trades_user ON trades(user_id);
        CREATE VIEW big AS SELECT * FROM trades WHERE amount > 10;
        CREATE TRIGGER t_ins AFTER INSERT ON trades BEGIN SELECT 1; END;
    """)
    con.executemany("INSERT INTO users VALUES (?, ?, NULL)", [(i, f"u{i}") for i in range(1, 51)])
    con.executemany("INSERT INTO trades (user_id, amount) VALUES (?, ?)", [(i % 50 + 1, i) for i in range(500)])
    con.commit()
    con.close()
    return path


def digest(path: Path) -> str:
    """The database and its WAL, byte for byte."""
    h = hashlib.sha256()
    for p in (path, path.with_name(path.name + "-wal")):
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()


WRITES = [
    "INSERT INTO users (name) VALUES ('x')",
    "UPDATE users SET name = 'x'",
    "DELETE FROM trades",
    "ATTACH DATABASE 'other.db' AS o",
    "PRAGMA user_version = 7",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA query_only = 0",
    "PRAGMA wal_checkpoint(TRUNCATE)",
    "SELECT 1; DELETE FROM users",
    "SELECT 1; SELECT 2",
    "WITH x(n) AS (SELECT 1) INSERT INTO users (name) SELECT 'w' FROM x",
    "REPLACE INTO users VALUES (1, 'r', NULL)",
    "CREATE TABLE z (a)",
    "CREATE TEMP TABLE z (a)",
    "DROP TABLE trades",
    "ALTER TABLE users ADD COLUMN c",
    "VACUUM",
    "VACUUM INTO 'copy.db'",
    "BEGIN IMMEDIATE",
    "ANALYZE",
    "UPDATE sqlite_master SET sql = 'x'",
]


@pytest.mark.parametrize("sql", WRITES)
def test_a_writing_statement_is_refused_and_the_file_is_unchanged(tmp_path: Path, sql: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    db = make_db(tmp_path / "a.db")
    monkeypatch.chdir(tmp_path)
    before = digest(db)
    with ReadOnlyConnection(db) as con, pytest.raises((Refused, BadSql)) as caught:
        con.query(sql)
    assert digest(db) == before
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "other.db").exists()
    if caught.type is Refused:
        assert "refused" in str(caught.value) and "nothing was run" in str(caught.value)
    else:  # SQLite itself refuses to compile it (the schema table may not be modified)
        assert sql.startswith("UPDATE sqlite_master")


def test_reads_of_every_kind_run(tmp_path: Path) -> None:
    db = make_db(tmp_path / "a.db")
    with ReadOnlyConnection(db) as con:
        assert con.query("SELECT count(*) FROM trades").rows == [(500,)]
        assert con.query("PRAGMA table_info(users)").rows[1][1] == "name"
        assert con.query("SELECT a.user_id, b.user_id FROM users a JOIN users b USING (user_id) LIMIT 1;"
                         " -- trailing comment").columns == ["user_id", "user_id"]
        assert con.query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5) "
                         "SELECT x FROM c").rows[-1] == (5,)
        assert con.query("EXPLAIN QUERY PLAN SELECT * FROM trades WHERE user_id = 3").rows
        with pytest.raises(BadSql, match="no such table"):
            con.query("SELECT * FROM nope")
        with pytest.raises(BadSql, match="empty"):
            con.query("  ;  ")


def test_the_result_is_bounded_and_says_so(tmp_path: Path) -> None:
    db = make_db(tmp_path / "a.db")
    with ReadOnlyConnection(db) as con:
        result = con.query("SELECT * FROM trades", limit=100)
        assert len(result.rows) == 100 and result.truncated
        assert result.message.startswith("first 100 rows")
        whole = con.query("SELECT * FROM trades", limit=500)
        assert len(whole.rows) == 500 and not whole.truncated


def test_cancel_stops_a_long_query_promptly_and_the_connection_stays_usable(tmp_path: Path) -> None:
    db = make_db(tmp_path / "a.db")
    with ReadOnlyConnection(db) as con:
        threading.Timer(0.3, con.cancel).start()
        started = time.monotonic()
        with pytest.raises(Interrupted):
            con.query(LONG_QUERY)
        assert time.monotonic() - started < 3.0


def test_schema_lists_every_kind_with_sql_counts_and_keys(tmp_path: Path) -> None:
    db = make_db(tmp_path / "a.db")
    with ReadOnlyConnection(db) as con:
        schema = schema_from_json(read_schema(con).as_json())  # through JSON, as the window gets it
    kinds = {o.kind for o in schema.objects}
    assert kinds == {"table", "index", "view", "trigger"}
    by_name = {o.name: o for o in schema.objects}
    assert by_name["trades"].rows == 500 and "CREATE TABLE trades" in by_name["trades"].sql
    assert by_name["big"].sql.startswith("CREATE VIEW") and by_name["t_ins"].sql.startswith("CREATE TRIGGER")
    fk = by_name["trades"].foreign_keys[0]
    assert (fk.columns, fk.table, fk.to, fk.on_delete) == (["user_id"], "users", ["user_id"], "CASCADE")
    assert by_name["trades_user"].columns == ["user_id"]
    assert schema.index_covers("trades", "user_id") == "trades_user"
    assert schema.index_covers("trades", "amount") is None
    if schema.dbstat:  # Python's SQLite here has dbstat; a build without it says so instead
        assert by_name["trades"].pages and by_name["trades"].bytes
    else:
        assert "dbstat" in schema.note
