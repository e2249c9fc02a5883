"""Issue 14, restore items 1-7: forged manifests, the bot's rows, schema, all or nothing, damaged homes,
locks and links. Each test names its item."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from pathlib import Path

import pytest

from lifeos_desk.cli import main
from lifeos_desk.core.archive import ArchiveError, make_backup, prepare_restore, verify_archive
from lifeos_desk.core.archive import make as make_mod
from lifeos_desk.core.archive.apply import apply_restore
from lifeos_desk.core.archive.snapshot import DbFacts, facts
from lifeos_desk.core.archive.stage import Staged, Stager
from lifeos_desk.core.paths import DataPaths

from .archive_helpers import counts, make_home, table_digest, tree
from .writer_helpers import Writer, archived_ids, ids


def _cli(paths: DataPaths, *args: str) -> int:
    return main(["--home", str(paths.home), "--logs", str(paths.home / "logs"), "--backups", str(paths.backups),
                 *args])


def _forge_index(db: Path) -> None:
    """An index that disagrees with its table, made through writable_schema (quick_check does not see it)."""
    with closing(sqlite3.connect(db)) as con:
        con.execute("CREATE TABLE forged (a INTEGER, b TEXT)")
        con.executemany("INSERT INTO forged VALUES (?, ?)", [(i, f"v{i}") for i in range(2737)])
        con.execute("CREATE INDEX forged_a ON forged(a)")
        con.commit()
        con.execute("PRAGMA writable_schema=ON")
        con.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX forged_a ON forged(b)' WHERE name = 'forged_a'")
        con.commit()


def test_item1_forged_manifest_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_home(tmp_path)
    _forge_index(paths.db)
    real_facts = facts  # what make.py imported by name, and the test replaces there

    def lying_facts(path: Path, check: str = "full", stop: object = None) -> DbFacts:
        out = real_facts(path, "")
        out.integrity, out.check = ["ok"], "integrity_check"  # the forger's claim
        return out

    monkeypatch.setattr(make_mod, "facts", lying_facts)
    archive = make_backup(paths).path  # SHA-256s match the bytes; the manifest claims integrity_check ok
    monkeypatch.undo()
    with closing(sqlite3.connect(paths.db)) as con:
        con.execute("DROP TABLE forged")
        con.commit()
    before, digest = tree(paths.home), table_digest(paths.db, "trades")
    with pytest.raises(ArchiveError, match="fails integrity_check"):
        prepare_restore(archive, paths)
    assert _cli(paths, "restore", str(archive), "--yes", "--accept-schema") == 1
    assert table_digest(paths.db, "trades") == digest
    assert {k: v for k, v in tree(paths.home).items() if not k.startswith("backups")} == \
        {k: v for k, v in before.items() if not k.startswith("backups")}


@pytest.mark.parametrize("schema", ["adr", "deployed"])  # WAL home, rollback-journal home
def test_item2_rows_the_bot_commits_during_a_restore_are_kept(tmp_path: Path, schema: str) -> None:
    paths = make_home(tmp_path, schema, trades=20000)
    table = "trades" if schema == "adr" else "transactions"
    archive = make_backup(paths).path
    bot = Writer(paths.db, table, tmp_path / "bot")
    try:
        bot.wait_rows(20)  # the bot commits before the restore ...
        with prepare_restore(archive, paths) as plan:
            assert plan.preview()["lock_seconds"] > 0
            result = apply_restore(plan)
        bot.wait_rows(20)  # ... and after it
    finally:
        stats, err = bot.stop()
    assert stats["errors"] == 0, err
    committed = bot.committed()
    assert len(committed) > 20
    assert result.safety is not None
    kept = ids(paths.db, table) | archived_ids(result.safety.path, table, tmp_path / "x")
    lost = committed - kept
    assert not lost, f"{len(lost)} of {len(committed)} committed rows are nowhere"
    with closing(sqlite3.connect(paths.db)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _plant_trigger(paths: DataPaths) -> Path:
    with closing(sqlite3.connect(paths.db)) as con:
        con.execute("CREATE TRIGGER no_trades BEFORE INSERT ON trades BEGIN SELECT RAISE(ABORT, 'planted'); END")
        con.commit()
    archive = make_backup(paths).path
    with closing(sqlite3.connect(paths.db)) as con:
        con.execute("DROP TRIGGER no_trades")
        con.commit()
    return archive


def test_item3_schema_changes_are_listed_and_need_acceptance(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_home(tmp_path)
    archive = _plant_trigger(paths)
    with prepare_restore(archive, paths) as plan:
        changes = plan.preview()["schema_changes"]
        assert [(c["type"], c["name"], c["change"]) for c in changes] == [("trigger", "no_trades", "added")]
        assert "RAISE(ABORT, 'planted')" in changes[0]["sql_archive"]
        with pytest.raises(ArchiveError, match="schema"):
            apply_restore(plan)
    capsys.readouterr()
    assert _cli(paths, "restore", str(archive), "--yes") == 1
    captured = capsys.readouterr()
    assert "no_trades" in captured.out and "--accept-schema" in captured.err
    with closing(sqlite3.connect(paths.db)) as con:
        con.execute("INSERT INTO trades SELECT * FROM trades LIMIT 0")
        assert not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'no_trades'").fetchone()
    assert _cli(paths, "restore", str(archive), "--yes", "--accept-schema") == 0
    with closing(sqlite3.connect(paths.db)) as con:
        assert con.execute("SELECT 1 FROM sqlite_master WHERE name = 'no_trades'").fetchone()


def test_item4_a_folder_where_a_state_file_goes_is_refused_before_anything_changes(tmp_path: Path) -> None:
    paths = make_home(tmp_path)
    archive = make_backup(paths).path
    with closing(sqlite3.connect(paths.db)) as con:
        con.execute("DELETE FROM trades")
        con.commit()
    (paths.home / "trading" / "positions.json").unlink()
    (paths.home / "trading" / "positions.json").mkdir()
    (paths.home / "logs" / "errors.jsonl").unlink()  # a missing log the restore would bring back
    before = tree(paths.home)
    with pytest.raises(ArchiveError, match=r"positions.json is a folder.*nothing was changed"):
        prepare_restore(archive, paths)
    assert tree(paths.home) == before


def test_item4_a_failure_half_way_puts_everything_back_and_is_audited(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_home(tmp_path)
    archive = make_backup(paths).path
    with closing(sqlite3.connect(paths.db)) as con:
        con.execute("DELETE FROM trades")
        con.commit()
    for name in ("positions.json", "exit_intents.json"):
        (paths.home / "trading" / name).write_text('{"changed": true}\n')
    (paths.home / "logs" / "errors.jsonl").unlink()
    before = {k: v for k, v in tree(paths.home).items() if not k.startswith(("backups", "logs/audit"))}
    digest = table_digest(paths.db, "trades")
    real = Stager._place
    calls: list[Staged] = []

    def failing_place(self: Stager, item: Staged) -> None:
        calls.append(item)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(self, item)

    monkeypatch.setattr(Stager, "_place", failing_place)
    with prepare_restore(archive, paths) as plan, pytest.raises(ArchiveError, match="put back as it was"):
        apply_restore(plan)
    assert table_digest(paths.db, "trades") == digest
    after = {k: v for k, v in tree(paths.home).items() if not k.startswith(("backups", "logs/audit"))}
    assert after == before
    audit = [json.loads(line) for line in (paths.home / "logs" / "audit.jsonl").read_text().splitlines()]
    assert audit[-1]["event"] == "backup_restore_failed" and audit[-1]["rolled_back"] is True
    assert list(paths.backups.glob("*.tar.gz")) == [archive]  # the unused safety archive is gone


@pytest.mark.parametrize("damage", ["deleted", "random bytes"])
def test_item5_restore_goes_on_over_a_missing_or_random_database(tmp_path: Path, damage: str) -> None:
    paths = make_home(tmp_path)
    original = counts(paths.db)
    archive = make_backup(paths).path
    junk = os.urandom(50_000)
    if damage == "deleted":
        paths.db.unlink()
    else:
        paths.db.write_bytes(junk)
    with prepare_restore(archive, paths) as plan:
        result = apply_restore(plan)
    assert counts(paths.db) == original
    assert result.safety is not None
    import tarfile

    with tarfile.open(result.safety.path) as tf:
        dbs = [m for m in tf.getmembers() if m.name.endswith("/public_users.db")]
        states = [m for m in tf.getmembers() if "/trading/" in m.name]
        assert states
        if damage == "deleted":
            assert not dbs
        else:
            f = tf.extractfile(dbs[0])
            assert f is not None and f.read() == junk  # whatever bytes were there, as a plain file
    assert not verify_archive(result.safety.path).ok  # it says why: it holds no (readable) database


HOLDER = textwrap.dedent("""
    import sqlite3, sys, time
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    con.execute("CREATE TABLE IF NOT EXISTS holder_probe (x)")
    print("locked", flush=True)
    sys.stdin.read()
""")


def _holder(db: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


@pytest.mark.parametrize("schema", ["adr", "deployed"])
def test_item6_a_locked_database_stops_within_the_busy_timeout(tmp_path: Path, schema: str) -> None:
    paths = make_home(tmp_path, schema)
    archive = make_backup(paths).path
    before = tree(paths.home)
    holder = _holder(paths.db)
    try:
        with prepare_restore(archive, paths) as plan:
            t0 = time.monotonic()
            with pytest.raises(ArchiveError, match="locked by another program"):
                apply_restore(plan, busy_timeout=1.0)
            assert time.monotonic() - t0 < 5
    finally:
        holder.communicate("", timeout=30)
    assert tree(paths.home) == before


def test_item6_sigterm_while_waiting_for_the_lock_stops_cleanly(tmp_path: Path) -> None:
    paths = make_home(tmp_path)
    archive = make_backup(paths).path
    before = tree(paths.home)
    holder = _holder(paths.db)
    try:
        argv = [sys.executable, "-m", "lifeos_desk", "--home", str(paths.home), "--backups", str(paths.backups),
                "restore", str(archive), "--yes", "--json-progress", "--busy-timeout", "120000"]
        child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert child.stdout is not None
        for line in child.stdout:
            if "write lock" in line:
                break
        t0 = time.monotonic()
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=30)
        assert time.monotonic() - t0 < 3
        assert child.returncode == 3, err
        assert '"cancelled": true' in out
    finally:
        holder.communicate("", timeout=30)
    assert tree(paths.home) == before


def test_item7_restore_never_writes_through_a_symlink(tmp_path: Path) -> None:
    paths = make_home(tmp_path / "a")
    archive = make_backup(paths).path
    outside = tmp_path / "outside"
    (paths.home / "trading").rename(outside)
    (paths.home / "trading").symlink_to(outside, target_is_directory=True)
    (outside / "positions.json").write_text('{"outside": true}\n')
    seen = tree(outside)
    with pytest.raises(ArchiveError, match="symbolic link"):
        prepare_restore(archive, paths)
    assert _cli(paths, "restore", str(archive), "--yes") == 1
    assert tree(outside) == seen


def test_item2_the_copy_inside_the_transaction_keeps_every_kind_of_table(tmp_path: Path) -> None:
    """The logical copy (livecopy.py): rowids, WITHOUT ROWID, a user column named rowid, AUTOINCREMENT,
    generated columns, sqlite_stat1, user_version - all as in the archive."""
    from lifeos_desk.core.archive.livecopy import LiveLock
    from lifeos_desk.core.archive.progress import CancelFlag

    src, live = tmp_path / "src.db", tmp_path / "live.db"
    with closing(sqlite3.connect(src)) as con:
        con.executescript("""
            CREATE TABLE plain (a TEXT);
            CREATE TABLE wr (k1 INTEGER, k2 TEXT, v TEXT, PRIMARY KEY (k1, k2)) WITHOUT ROWID;
            CREATE TABLE odd (rowid TEXT, v INTEGER);
            CREATE TABLE auto (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
            CREATE TABLE gen (a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2) STORED);
            CREATE INDEX plain_a ON plain(a);
            CREATE VIEW v_plain AS SELECT a FROM plain;
            PRAGMA user_version = 7;
        """)
        con.executemany("INSERT INTO plain (rowid, a) VALUES (?, ?)", [(i * 3, f"p{i}") for i in range(50)])
        con.executemany("INSERT INTO wr VALUES (?, ?, ?)", [(i % 7, f"k{i}", "v") for i in range(60)])
        con.executemany("INSERT INTO odd VALUES (?, ?)", [(f"r{i}", i) for i in range(40)])
        con.executemany("INSERT INTO auto (v) VALUES (?)", [("x",)] * 30)
        con.execute("DELETE FROM auto WHERE id > 20")
        con.executemany("INSERT INTO gen (a) VALUES (?)", [(i,) for i in range(10)])
        con.execute("ANALYZE")
        con.commit()
    with closing(sqlite3.connect(live)) as con:
        con.executescript("CREATE TABLE other (x); INSERT INTO other VALUES (1); "
                          "CREATE TRIGGER t AFTER INSERT ON other BEGIN SELECT 1; END;")
    lock = LiveLock.open(live, src, 5.0, CancelFlag())
    assert lock.replace_from(lambda: False, lambda _t: None) == "ok"
    lock.commit(5.0)

    def dump(db: Path) -> list[object]:
        with closing(sqlite3.connect(db)) as con:
            out: list[object] = [con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall(),
                                 con.execute("PRAGMA user_version").fetchone()]
            out.append(con.execute("SELECT rowid, * FROM plain ORDER BY rowid").fetchall())
            out.append(con.execute("SELECT _rowid_, * FROM odd ORDER BY _rowid_").fetchall())
            for t in ("wr", "auto", "gen", "sqlite_sequence", "sqlite_stat1"):
                out.append(sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr))
            return out

    assert dump(live) == dump(src)
    with closing(sqlite3.connect(live)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.execute("INSERT INTO auto (v) VALUES ('next')")
        assert con.execute("SELECT max(id) FROM auto").fetchone()[0] == 31  # the sequence came along
