"""Backup -> verify -> restore round trips, the ADR script's archives, the log rule, retention."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import tarfile
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from lifeos_desk.core.archive import (
    ArchiveError,
    BackupOptions,
    CancelFlag,
    Cancelled,
    apply_restore,
    apply_retention,
    list_archives,
    make_backup,
    prepare_restore,
    verify_archive,
)
from lifeos_desk.core.archive.catalog import set_last_safety
from lifeos_desk.core.archive.progress import Progress
from lifeos_desk.core.audit import console_entries

from .archive_helpers import counts, make_home, script_archive, table_digest, tree


def _trades_table(schema: str) -> str:
    return "trades" if schema == "adr" else "transactions"


def _journal(db: Path) -> str:
    with closing(sqlite3.connect(db)) as con:
        return str(con.execute("PRAGMA journal_mode").fetchone()[0])


@pytest.mark.parametrize("schema", ["adr", "deployed"])
def test_round_trip(tmp_path: Path, schema: str) -> None:
    paths = make_home(tmp_path, schema)
    table = _trades_table(schema)
    before_counts, before_digest = counts(paths.db), table_digest(paths.db, table)
    state_before = (paths.home / "trading" / "exit_intents.json").read_bytes()
    journal = _journal(paths.db)
    stages: list[str] = []

    result = make_backup(paths, progress=lambda p: stages.append(p.stage))
    assert {"snapshot", "compress", "verify"} <= set(stages)
    assert result.path.name == f"{result.date}.tar.gz"
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert result.integrity == ["ok"] and result.tables == before_counts
    assert verify_archive(result.path).ok

    # the admin's habit: plain tar -xzf gives the ADR layout, manifest included
    out = tmp_path / "untar"
    out.mkdir()
    subprocess.run(["tar", "-xzf", str(result.path)], cwd=out, check=True)
    folder = out / "backups" / result.date
    assert (folder / "public_users.db").is_file() and (folder / "trading" / "exit_intents.json").is_file()
    assert (folder / "audit.jsonl").is_file()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["schema"] == ("ADR-005" if schema == "adr" else "deployed bot")
    assert manifest["database"]["tables"] == before_counts
    assert {m["name"] for m in manifest["members"]} >= {"public_users.db", "trading/exit_intents.json", "audit.jsonl"}

    # damage the live data, then restore
    with closing(sqlite3.connect(paths.db)) as con:
        con.execute(f'DELETE FROM "{table}" WHERE rowid % 3 = 0')
        con.commit()
    (paths.home / "trading" / "exit_intents.json").write_text("{}")
    with prepare_restore(result.path, paths) as plan:
        preview = plan.preview()
        row = next(t for t in preview["tables"] if t["table"] == table)
        assert row["archive"] == before_counts[table] and row["now"] < row["archive"]
        assert {"path": "trading/exit_intents.json", "action": "replace"} in preview["state_files"]
        # the manifest is a claim: restore runs integrity_check on the extracted copy itself (item 1)
        assert plan.db.check == "integrity_check" and plan.db.intact
        done = apply_restore(plan)
    assert counts(paths.db) == before_counts and table_digest(paths.db, table) == before_digest
    assert (paths.home / "trading" / "exit_intents.json").read_bytes() == state_before
    assert _journal(paths.db) == journal  # the journal mode belongs to the bot
    assert done.quick_check == "ok"
    assert done.safety is not None and verify_archive(done.safety.path).ok
    audit = console_entries(paths.home / "logs" / "audit.jsonl")  # in the shape of the home's audit file
    assert audit[-1]["event"] == "backup_restored" and audit[-1]["archive"] == str(result.path)
    assert not [p for p in paths.backups.iterdir() if p.name.startswith(".lifeos-desk-tmp")]


def test_restore_of_an_adr_script_archive(tmp_path: Path) -> None:
    paths = make_home(tmp_path / "a", "adr")
    archive = script_archive(paths, tmp_path / "bot-cwd")
    original = counts(paths.db)
    with tarfile.open(archive) as tf:
        assert not tf.pax_headers  # really the script's shape: no console mark, no manifest
        assert all(n.startswith("backups/20250102_030405") for n in tf.getnames())
    report = verify_archive(archive)
    assert report.ok and report.origin == "script", report.message
    with closing(sqlite3.connect(paths.db)) as con:
        con.execute("DELETE FROM trades")
        con.commit()
    with prepare_restore(archive, paths) as plan:
        assert plan.preview()["origin"] == "script"
        apply_restore(plan)
    assert counts(paths.db) == original


def test_restore_between_page_sizes_and_journal_modes(tmp_path: Path) -> None:
    """A WAL archive (ADR) restored into a rollback-journal file with another page size keeps both."""
    paths = make_home(tmp_path / "a", "adr")
    archive = make_backup(paths).path
    target = make_home(tmp_path / "b", "adr")
    with closing(sqlite3.connect(target.db)) as con:
        con.execute("PRAGMA journal_mode=DELETE")
        con.execute("PRAGMA page_size=8192")
        con.execute("VACUUM")
    with prepare_restore(archive, target) as plan:
        apply_restore(plan)
    with closing(sqlite3.connect(target.db)) as con:
        assert con.execute("PRAGMA page_size").fetchone()[0] == 8192
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert counts(target.db) == counts(paths.db)


def _append(path: Path, line: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def test_log_that_continues_the_archived_one_is_kept(tmp_path: Path) -> None:
    paths = make_home(tmp_path)
    archive = make_backup(paths).path
    log = paths.home / "logs" / "trading.jsonl"
    _append(log, '{"event": "after the backup"}')
    current = log.read_bytes()
    with prepare_restore(archive, paths) as plan:
        action = next(a for a in plan.logs if a.target == log)
        assert action.action == "keep"
        apply_restore(plan)
    assert log.read_bytes() == current
    assert not list(log.parent.glob("trading.restored-*"))


def test_log_that_differs_gets_the_archived_copy_beside_it(tmp_path: Path) -> None:
    paths = make_home(tmp_path)
    result = make_backup(paths)
    log = paths.home / "logs" / "errors.jsonl"
    archived = log.read_bytes()
    log.write_text('{"event": "a new file after rotation"}\n')  # rotated: a different history
    missing = paths.home / "logs" / "trading.jsonl"
    missing_bytes = missing.read_bytes()
    missing.unlink()
    with prepare_restore(result.path, paths) as plan:
        actions = {a.target.name: a.action for a in plan.logs}
        assert actions["errors.jsonl"] == "beside" and actions["trading.jsonl"] == "restore"
        apply_restore(plan)
    assert log.read_text() == '{"event": "a new file after rotation"}\n'  # never overwritten
    beside = log.with_name(f"errors.restored-{result.date}.jsonl")
    assert beside.read_bytes() == archived
    assert missing.read_bytes() == missing_bytes


def _archive_at(paths_backups: Path, template: Path, when: datetime) -> Path:
    name = when.strftime("%Y%m%d_%H%M%S") + ".tar.gz"
    (paths_backups / name).write_bytes(template.read_bytes())
    return paths_backups / name


def test_retention_keeps_newest_and_protected(tmp_path: Path) -> None:
    paths = make_home(tmp_path)
    template = make_backup(paths, now=datetime(2020, 1, 1)).path
    start = datetime(2021, 1, 1)
    made = [_archive_at(paths.backups, template, start + timedelta(days=i)) for i in range(6)]
    set_last_safety(paths.backups, made[0].name)  # the safety archive of the last restore: oldest
    newest = make_backup(paths, BackupOptions(keep=3)).path
    left = sorted(p.name for p in paths.backups.glob("*.tar.gz"))
    assert left == sorted([made[0].name, made[4].name, made[5].name, newest.name])
    deleted = apply_retention(paths.backups, 1, protect={made[4].name})
    assert {p.name for p in deleted} == {made[5].name}
    assert newest.exists() and made[0].exists() and made[4].exists()


def test_list_tells_console_script_and_safety_apart(tmp_path: Path) -> None:
    paths = make_home(tmp_path)
    script = script_archive(paths, tmp_path / "cwd")
    os.replace(script, paths.backups / script.name)
    mine = make_backup(paths)
    with prepare_restore(mine.path, paths) as plan:
        done = apply_restore(plan)
    (paths.backups / "20200101_000000.tar.gz").write_bytes(b"not gzip")
    (paths.backups / "notes.txt").write_text("ignored")
    entries = {e.path.name: e for e in list_archives(paths.backups)}
    assert entries[script.name].origin == "script"
    assert entries[mine.path.name].origin == "console" and entries[mine.path.name].purpose == "regular"
    assert done.safety is not None and entries[done.safety.path.name].purpose == "safety"
    assert entries["20200101_000000.tar.gz"].origin == "unreadable"
    assert "notes.txt" not in entries
    assert [e.date for e in entries.values()] == sorted((e.date for e in entries.values()), reverse=True)


def test_verify_names_a_tampered_member(tmp_path: Path) -> None:
    paths = make_home(tmp_path)
    archive = make_backup(paths).path
    out = tmp_path / "x"
    out.mkdir()
    subprocess.run(["tar", "-xzf", str(archive)], cwd=out, check=True)
    log = next(out.glob("backups/*/errors.jsonl"))
    log.write_bytes(log.read_bytes().replace(b"error", b"errer", 1))
    bad = tmp_path / archive.name
    subprocess.run(["tar", "-czf", str(bad), "backups"], cwd=out, check=True)
    report = verify_archive(bad)
    assert not report.ok
    assert any("errors.jsonl does not match its SHA-256" in p for p in report.problems)


def test_cancel_leaves_nothing(tmp_path: Path) -> None:
    paths = make_home(tmp_path, log_lines=3000)
    cancel = CancelFlag()

    def stop_in_compress(p: Progress) -> None:
        if p.stage == "compress" and p.done > 0:  # mid-stream: the .partial file exists
            cancel.set()

    before = tree(paths.home)
    with pytest.raises(Cancelled):
        make_backup(paths, progress=stop_in_compress, cancel=cancel)
    assert tree(paths.home) == before


def test_missing_database_is_named(tmp_path: Path) -> None:
    paths = make_home(tmp_path)
    paths.db.unlink()
    with pytest.raises(ArchiveError, match="no database at"):
        make_backup(paths)
    assert not list(paths.backups.iterdir())


def test_a_recorded_check_is_dropped_when_the_archive_changes(tmp_path: Path) -> None:
    paths = make_home(tmp_path)
    archive = make_backup(paths).path
    assert verify_archive(archive).ok
    assert list_archives(paths.backups)[0].check is not None
    with open(archive, "ab") as f:
        f.write(b"\0")
    assert list_archives(paths.backups)[0].check is None  # size changed: the old result no longer applies


def test_cancel_during_the_check_stops_it_at_once(tmp_path: Path) -> None:
    """SQLite's progress handler ends integrity_check when cancel is set; nothing is left behind."""
    from lifeos_desk.core.archive.snapshot import facts

    paths = make_home(tmp_path, trades=5000)
    cancel = CancelFlag()
    cancel.set()
    stopped = facts(paths.db, "full", cancel.is_set)
    assert not stopped.intact and "interrupt" in " ".join(stopped.integrity)
    assert facts(paths.db, "full", lambda: False).intact
