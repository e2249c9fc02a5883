"""``migrate --check-wallets``: a sample of migrated wallets decrypts and derives its address (a real server)."""

from __future__ import annotations

import json
import random
import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from lifeos_desk.core.demo import demo_passphrase
from lifeos_desk.core.migrate.wallet_sample import DIFFERS, check_wallet_sample, pick_sample
from lifeos_desk.core.secrets import Secret
from tests.core.migrate_helpers import demo_home
from tests.core.test_migrate_cli import cli

PASSPHRASE = demo_passphrase(3)  # migrate_helpers.demo_home's seed


def run_cli(home: Path, *args: str, passphrase: str = PASSPHRASE) -> tuple[int, str, str]:
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "lifeos_desk", "--home", str(home), "migrate", *args],
                          input=passphrase + "\n", capture_output=True, text=True, timeout=300,
                          env=dict(os.environ), check=False)
    return done.returncode, done.stdout, done.stderr


def test_pick_sample_takes_first_last_and_random_others() -> None:
    assert pick_sample(0) == [] and pick_sample(1) == [0] and pick_sample(2) == [0, 1]
    chosen = pick_sample(1000, 20, random.Random(1))
    assert chosen[0] == 0 and chosen[-1] == 999 and len(chosen) == 22 and chosen == sorted(set(chosen))
    assert pick_sample(5, 20) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("schema", ["deployed", "adr"])
def test_migrate_with_check_wallets_reports_every_sampled_wallet(tmp_path: Path, pg_url: str, schema: str) -> None:
    home = demo_home(tmp_path, schema, users=30, trades=50)
    code, out, err = run_cli(home, "--to", pg_url, "--check-wallets", "--wallet-sample", "5")
    assert code == 0, err
    assert "wallet sample verified" in out and out.count(" ok") >= 7  # 5 random + the first + the last
    assert PASSPHRASE not in out + err


def test_a_planted_mismatch_is_found_and_named(tmp_path: Path, pg_url: str) -> None:
    home = demo_home(tmp_path, "deployed", users=12, trades=30)
    assert cli(home, "--to", pg_url).returncode == 0
    with psycopg.connect(pg_url) as con:  # one wallet gets another's encrypted key
        row = con.execute("SELECT wallet_id FROM wallets ORDER BY wallet_id OFFSET 5 LIMIT 1").fetchone()
        assert row is not None
        victim = str(row[0])
        con.execute("UPDATE wallets SET encrypted_private_key = (SELECT encrypted_private_key FROM wallets "
                    "WHERE wallet_id <> %s ORDER BY wallet_id LIMIT 1) WHERE wallet_id = %s", (victim, victim))
    code, out, err = run_cli(home, "--to", pg_url, "--verify-only", "--check-wallets", "--wallet-sample", "100")
    assert code == 1, err
    assert f"wallet sample FAILED: 1 wallet(s): {victim}" in out
    assert [ln for ln in out.splitlines() if "MISMATCH" in ln and victim in ln][0].endswith(DIFFERS)
    report = check_wallet_sample(pg_url, home / "public_users.db", Secret(PASSPHRASE), size=100)
    assert [c.wallet for c in report.failures] == [victim] and report.total == len(report.checks)


def test_a_wrong_passphrase_fails_every_sampled_wallet(tmp_path: Path, pg_url: str) -> None:
    home = demo_home(tmp_path, "adr", users=6, trades=20)
    code, out, err = run_cli(home, "--to", pg_url, "--check-wallets", passphrase="not the passphrase")
    assert code == 1, err
    assert "all tables verified" in out and "wallet sample FAILED" in out and "wrong passphrase" in out
    assert "not the passphrase" not in out + err


def test_json_progress_carries_the_sample_and_dry_run_refuses_it(tmp_path: Path, pg_url: str) -> None:
    home = demo_home(tmp_path, "adr", users=6, trades=20)
    code, out, err = run_cli(home, "--to", pg_url, "--check-wallets", "--json-progress")
    assert code == 0, err
    result = [json.loads(ln) for ln in out.splitlines() if '"result"' in ln][-1]
    with closing(sqlite3.connect(home / "public_users.db")) as con:
        total = int(con.execute("SELECT count(*) FROM wallets").fetchone()[0])
    assert result["ok"] and result["wallets"]["ok"] and result["wallets"]["total"] == total
    assert all(c["ok"] for c in result["wallets"]["checks"])
    code, _out, err = run_cli(home, "--to", pg_url, "--dry-run", "--check-wallets")
    assert code == 2 and "--dry-run" in err
