"""``lifeos-desk migrate`` end to end in a child process: output, --dry-run, exit codes, no password echo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from tests.core.migrate_helpers import demo_home


def cli(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lifeos_desk", "--home", str(home), "migrate", *args],
                          capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})},
                          check=False)


def tables(url: str) -> int:
    with psycopg.connect(url) as con:
        row = con.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    return int(row[0]) if row else -1


def test_dry_run_prints_ddl_and_changes_nothing(tmp_path: Path, pg_url: str) -> None:
    home = demo_home(tmp_path, "adr")
    done = cli(home, "--to", pg_url, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert 'CREATE TABLE "public"."trades"' in done.stdout and '"encrypted_key" bytea NOT NULL' in done.stdout
    assert tables(pg_url) == 0


def test_exit_codes_migrate_refuse_replace_and_mismatch(tmp_path: Path, pg_url: str) -> None:
    home = demo_home(tmp_path, "deployed")
    first = cli(home, "--to", pg_url)
    assert first.returncode == 0, first.stderr
    assert "transactions" in first.stdout and "verified" in first.stdout and "MISMATCH" not in first.stdout
    again = cli(home, "--to", pg_url)
    assert again.returncode == 4 and "--replace" in again.stderr
    assert cli(home, "--to", pg_url, "--replace").returncode == 0
    with psycopg.connect(pg_url) as con:
        con.execute("UPDATE users SET risk_level = 'DEGEN!' WHERE user_id = (SELECT min(user_id) FROM users)")
    check = cli(home, "--to", pg_url, "--verify-only")
    assert check.returncode == 1
    assert "users" in check.stdout and "MISMATCH" in check.stdout and "first difference: user_id=" in check.stdout


def test_password_in_url_is_refused_and_never_printed(tmp_path: Path, pg_url: str) -> None:
    home = demo_home(tmp_path, "adr", users=1, trades=1)
    url = pg_url.replace("lifeos_test@", "lifeos_test:hunter2@")
    done = cli(home, "--to", url)
    assert done.returncode == 2 and "PGPASSWORD" in done.stderr
    assert "hunter2" not in done.stdout + done.stderr
    assert tables(pg_url) == 0
