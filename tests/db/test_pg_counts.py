"""db/pg/counts.py on a real server: which tables a poll of the counters says to recount, and the exact counts."""

from __future__ import annotations

import psycopg
from pytestqt.qtbot import QtBot

from lifeos_desk.core.pgurl import pg_params
from lifeos_desk.db.pg import PgDatabase
from lifeos_desk.db.pg.counts import PgRowCounts, TableStats, count_exact, read_stats


def _settled(db: PgDatabase, qtbot: QtBot, want: dict[str, int]) -> dict[str, TableStats]:
    """The counters once the statistics show ``want`` inserted tuples per table (they lag a commit by ~1 s)."""
    out: dict[str, TableStats] = {}

    def seen() -> bool:
        out.update(read_stats(db))
        return all(out[t].inserted == n for t, n in want.items())

    qtbot.waitUntil(seen, timeout=15_000)
    return out


def test_only_tables_whose_counters_moved_are_stale(qtbot: QtBot, pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("CREATE TABLE a (id serial PRIMARY KEY, v int)")
        con.execute("CREATE TABLE b (id serial PRIMARY KEY, v int)")
        con.execute("INSERT INTO a (v) SELECT g FROM generate_series(1, 300) g")
        con.execute("INSERT INTO b (v) SELECT g FROM generate_series(1, 40) g")
    db = PgDatabase(pg_params(pg_url))
    try:
        counts = PgRowCounts()
        stats = _settled(db, qtbot, {"a": 300, "b": 40})
        assert sorted(counts.update(stats)) == ["a", "b"]
        assert counts.text("a") == "≈300" and counts.estimated == {"a", "b"}  # n_live_tup before any count
        tables = {t.label: t for t in db.tables()}
        counts.counted(count_exact(db.params, [tables["a"], tables["b"]]), stats)
        assert counts.counts == {"a": 300, "b": 40} and counts.exact == {"a", "b"} and counts.text("a") == "300"
        assert counts.update(read_stats(db)) == []  # nothing moved: nothing to count
        with psycopg.connect(pg_url, autocommit=True) as con:
            con.execute("UPDATE a SET v = v + 1")  # updates move no count
            con.execute("INSERT INTO b (v) VALUES (1), (2)")
        stats = _settled(db, qtbot, {"b": 42})
        assert counts.update(stats) == ["b"] and counts.text("b") == "40"  # the last exact count meanwhile
        counts.counted(count_exact(db.params, [tables["b"]]), stats)
        assert counts.counts["b"] == 42 and counts.exact == {"a", "b"}
        with psycopg.connect(pg_url, autocommit=True) as con:
            con.execute("TRUNCATE a")  # no deletion counted: the new relfilenode shows it
        qtbot.waitUntil(lambda: counts.update(read_stats(db)) == ["a"], timeout=15_000)
        counts.counted(count_exact(db.params, [tables["a"]]), read_stats(db))
        assert counts.counts["a"] == 0
    finally:
        db.close()


def test_a_new_table_is_counted_and_a_dropped_one_forgotten(qtbot: QtBot, pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("CREATE TABLE a (id int)")
    db = PgDatabase(pg_params(pg_url))
    try:
        counts = PgRowCounts()
        assert counts.update(read_stats(db)) == ["a"] and counts.text("a") == "≈0"
        with psycopg.connect(pg_url, autocommit=True) as con:
            con.execute("CREATE TABLE c (id int)")
            con.execute("DROP TABLE a")
        assert counts.update(read_stats(db)) == ["c"] and "a" not in counts.counts
    finally:
        db.close()
