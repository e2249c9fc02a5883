"""The test server itself: it runs, it is PostgreSQL 12+, and each test gets an empty database."""

from __future__ import annotations

import psycopg


def test_server_answers_with_an_empty_database(pg_url: str) -> None:
    with psycopg.connect(pg_url) as con:
        version = con.execute("SHOW server_version_num").fetchone()
        tables = con.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert version is not None and int(version[0]) >= 120000
    assert tables == (0,)
