"""Backups of a database the bot is writing, and backups killed mid-way.

The bot is a child process (docs/architecture.md, 'One SQLite library per process' keeps writers out of the
test's process too, so the two never share a SQLite library's locks).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tarfile
import textwrap
from contextlib import closing
from pathlib import Path

import pytest

from lifeos_desk.core.archive import make_backup, verify_archive

from .archive_helpers import counts, make_home

WRITER = textwrap.dedent("""
    import json, sqlite3, sys, time, uuid, pathlib
    db, table, stop = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    con = sqlite3.connect(db, timeout=30)  # the bot's busy timeout (ADR-005)
    cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
    row = con.execute(f"SELECT * FROM {table} LIMIT 1").fetchone()
    done = errors = 0
    print("started", flush=True)
    while not stop.exists():
        try:
            values = list(row)
            values[0] = uuid.uuid4().hex
            con.execute(f"INSERT INTO {table} VALUES ({','.join('?' * len(cols))})", values)
            con.commit()
            done += 1
            time.sleep(0.002)  # a busy bot: hundreds of commits a second, not a tight loop
        except sqlite3.Error as exc:
            errors += 1
            print("error", exc, file=sys.stderr, flush=True)
    print(json.dumps({"inserted": done, "errors": errors}), flush=True)
""")


@pytest.mark.parametrize("schema", ["adr", "deployed"])  # WAL, and the deployed bot's rollback journal
def test_backup_while_the_bot_writes(tmp_path: Path, schema: str) -> None:
    paths = make_home(tmp_path, schema, trades=20000, log_lines=500)
    table = "trades" if schema == "adr" else "transactions"
    stop = tmp_path / "stop"
    bot = subprocess.Popen([sys.executable, "-c", WRITER, str(paths.db), table, str(stop)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert bot.stdout is not None and bot.stdout.readline().strip() == "started"
        before = counts(paths.db)[table]
        result = make_backup(paths)
        after = counts(paths.db)[table]
    finally:
        stop.touch()
        out, err = bot.communicate(timeout=60)
    stats = json.loads(out.strip().splitlines()[-1])
    assert stats["errors"] == 0, err
    assert before < after, "the bot did not write during the backup"
    assert result.integrity == ["ok"]
    assert before <= result.tables[table] <= after
    report = verify_archive(result.path)
    assert report.ok, report.message


KILLED = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from lifeos_desk.core.archive import make_backup
    from lifeos_desk.core.paths import DataPaths
    home = Path(sys.argv[1])
    paths = DataPaths(home=home, logs=(home / "logs",), backups=home / "backups", read_only=False)
    def hold(p):
        if p.stage == "compress" and p.done > 0:  # the .partial archive is being written
            print("mid-way", flush=True)
            time.sleep(120)
    make_backup(paths, progress=hold)
""")


def test_backup_killed_mid_way_leaves_no_archive(tmp_path: Path) -> None:
    paths = make_home(tmp_path)
    child = subprocess.Popen([sys.executable, "-c", KILLED, str(paths.home)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "mid-way"
        leftovers = [p.name for p in paths.backups.iterdir()]
        assert any(n.endswith(".partial") for n in leftovers), leftovers
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert not list(paths.backups.glob("*.tar.gz"))
    # the next run removes what the killed one left, and makes a complete archive
    result = make_backup(paths)
    assert [p.name for p in paths.backups.iterdir() if p.name != ".lifeos-desk-backups.json"] == [result.path.name]
    with tarfile.open(result.path) as tf:
        assert tf.getnames()[-1].endswith("/manifest.json")


def test_rollback_journal_bot_is_not_made_wal(tmp_path: Path) -> None:
    """A backup only reads: the deployed bot's journal mode stays as it was."""
    paths = make_home(tmp_path, "deployed")
    make_backup(paths)
    with closing(sqlite3.connect(paths.db)) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
