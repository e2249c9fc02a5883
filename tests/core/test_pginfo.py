"""``lifeos-desk info`` on a PostgreSQL database: tables and counts, read-only session, no password echo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from lifeos_desk.core.migrate import MigrateError, migrate
from lifeos_desk.core.paths import DB_FILENAME
from lifeos_desk.core.pginfo import connect_read_only, pg_info
from tests.core.migrate_helpers import demo_home


def info(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "lifeos_desk", "--home", str(home), "info", *args],
                          capture_output=True, text=True, timeout=120, env={**base, **(env or {})}, check=False)


def test_counts_match_the_migrated_store_and_the_session_is_read_only(tmp_path: Path, pg_url: str) -> None:
    home = demo_home(tmp_path, "adr")
    report = migrate(pg_url, [home / DB_FILENAME])
    found = pg_info(pg_url)
    assert found.read_only and found.tables == {t.table: t.source_rows for t in report.tables}
    con = connect_read_only(pg_url)
    try:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            con.execute("DELETE FROM users")
        assert con.execute("SHOW statement_timeout").fetchone()[0] == "30s"
    finally:
        con.close()


def test_cli_flag_env_and_password_refusal(tmp_path: Path, pg_url: str) -> None:
    home = demo_home(tmp_path, "deployed", users=2, trades=5)
    migrate(pg_url, [home / DB_FILENAME])
    done = info(home, "--database-url", pg_url)
    assert done.returncode == 0, done.stderr
    assert "transactions" in done.stdout and "read-only" in done.stdout
    from_env = info(home, "--json", env={"DATABASE_URL": pg_url})
    assert from_env.returncode == 0, from_env.stderr
    assert '"transactions": 5' in from_env.stdout
    secret = pg_url.replace("lifeos_test@", "lifeos_test:hunter2@")
    refused = info(home, "--database-url", secret)
    assert refused.returncode == 2 and "hunter2" not in refused.stdout + refused.stderr


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MigrateError, match="cannot connect to nobody@127.0.0.1:1/x"):
        pg_info("postgresql://nobody@127.0.0.1:1/x")
