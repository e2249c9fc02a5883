"""The migration's fast paths: the cheap time tests, and assumed plans refuted by values past the sample.

The shape test of the source checksum lets impossible calendar dates
through on the promise that PostgreSQL's COPY refuses them; that promise is
checked here against the real server (tests/pg.py), as is the fallback
(rollback, profile, load again) when a value refutes an assumed plan.
"""

from __future__ import annotations

import itertools
import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from lifeos_desk.core.migrate import migrate
from lifeos_desk.core.migrate.profile import SAMPLE_ROWS
from lifeos_desk.core.migrate.translate import time_fast, time_fits
from lifeos_desk.core.migrate.verify import _time_canon

VALUES = [
    "2026-01-02 03:04:05", "2026-01-02T03:04:05.123456", "2026-01-02T03:04:05.5", "2026-02-29 00:00:00",
    "2024-02-29 00:00:00", "2000-02-29 12:00:00", "1900-02-29 12:00:00", "2026-04-31 00:00:00",
    "2026-00-10 00:00:00", "2026-13-01 00:00:00", "2026-01-00 00:00:00", "0000-01-01 00:00:00",
    "2026-01-01 24:00:00", "2026-01-01 23:60:00", "2026-01-01 23:59:60", "2026-01-01 3:04:05",
    "2026-01-02T03:04:05Z", "2026-01-02 03:04:05+05:30", "2026-03-01", "yesterday", "2026-01-02 03:04:05.1234567",
    "2026-1-02 03:04:05", "２026-01-02 03:04:05",
]
CALENDAR = [f"{y}-{m:02d}-{d:02d} 10:00:00" for y, m, d in itertools.product(
    (1900, 2000, 2023, 2024), range(0, 14), range(0, 33))]


def _eval(sql: str, value: str) -> object:
    with closing(sqlite3.connect(":memory:")) as con:
        return con.execute(f"SELECT {sql}", {"v": value}).fetchone()[0]


def test_the_fast_time_test_implies_the_full_rule() -> None:
    for value in VALUES + CALENDAR:
        fast = _eval(f"CASE WHEN {time_fast(':v')} THEN 1 ELSE 0 END", value)
        full = _eval(f"CASE WHEN {time_fits(':v')} THEN 1 ELSE 0 END", value)
        assert not fast or full, value
        if len(value) == 19 and full:  # the usual form is never sent the slow way
            assert fast, value


def test_postgresql_refuses_every_date_the_shape_test_lets_through(pg_url: str) -> None:
    through = [v for v in VALUES + CALENDAR if _eval(_time_canon(":v"), v) is not None
               and not _eval(f"CASE WHEN {time_fits(':v')} THEN 1 ELSE 0 END", v)]
    assert "2023-02-30 10:00:00" in through and "2026-04-31 00:00:00" in through  # it tests something
    with psycopg.connect(pg_url, autocommit=True) as con:
        for value in through:
            with pytest.raises(psycopg.DataError):
                con.execute("SELECT %s::timestamptz", (value,))


@pytest.mark.parametrize(("late", "side", "kept"), [
    ("yesterday", "seen_at__raw", "yesterday"),  # refuted by the source checksum
    ("2026-02-30 10:00:00", "seen_at__raw", "2026-02-30 10:00:00"),  # refused by PostgreSQL's COPY
    (b"\x01", "label__raw", "\\x01"),  # a BLOB in a TEXT column (TEXT affinity would turn a number to text)
])
def test_a_value_past_the_sample_refutes_the_assumed_plan(tmp_path: Path, pg_url: str, late: object,
                                                          side: str, kept: str) -> None:
    db = tmp_path / "store.db"
    with closing(sqlite3.connect(db)) as con:
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, seen_at TIMESTAMP NOT NULL, label TEXT)")
        rows = [(n, "2026-01-02 03:04:05", f"row {n}") for n in range(1, SAMPLE_ROWS * 3)]
        con.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
        column = "seen_at" if side == "seen_at__raw" else "label"
        con.execute(f"UPDATE t SET {column} = ? WHERE id = ?", (late, SAMPLE_ROWS * 2))
        con.commit()
    report = migrate(pg_url, [db])
    assert report.ok, [(t.table, t.difference) for t in report.tables]
    with psycopg.connect(pg_url) as con:
        assert con.execute(f"SELECT id, {side} FROM t WHERE {side} IS NOT NULL").fetchall() == [
            (SAMPLE_ROWS * 2, kept)]
        assert con.execute("SELECT count(*) FROM t").fetchone() == (SAMPLE_ROWS * 3 - 1,)
