"""Issue 14, archive items 11, 16, 17, 18 and the kill test of restore's apply step: clear lines, exit codes."""

from __future__ import annotations

import io
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
from typing import TYPE_CHECKING

import pytest

from lifeos_desk.cli import main
from lifeos_desk.core.archive import list_archives, make_backup
from lifeos_desk.core.archive.layout import date_of, parse_member
from lifeos_desk.core.paths import DataPaths
from lifeos_desk.db import errors as db_errors

from .archive_helpers import counts, make_home, table_digest

if TYPE_CHECKING:
    from _typeshed import FileDescriptorOrPath

ARABIC = "\u0662\u0660\u0662\u0666\u0660\u0661\u0660\u0661_\u0661\u0662\u0660\u0660\u0660\u0660"


def _cli(paths: DataPaths, *args: str) -> int:
    return main(["--home", str(paths.home), "--logs", str(paths.home / "logs"), "--backups", str(paths.backups),
                 *args])


def test_item11_impossible_dates_are_unrecognised_not_a_crash(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_home(tmp_path)
    good = make_backup(paths).path
    for name in ("20261340_000000.tar.gz", f"{ARABIC}.tar.gz"):
        (paths.backups / name).write_bytes(b"x")
    assert date_of("20261340_000000.tar.gz") is None and date_of(f"{ARABIC}.tar.gz") is None
    assert parse_member(f"backups/{ARABIC}/public_users.db", False) is None
    entries = list_archives(paths.backups)
    assert entries[0].path == good
    assert [e.origin for e in entries[1:]] == ["unrecognised", "unrecognised"]
    capsys.readouterr()
    assert _cli(paths, "list") == 0
    out = capsys.readouterr().out
    assert "20261340_000000.tar.gz" in out and "unrecognised" in out
    assert _cli(paths, "list", "--json") == 0
    assert len(json.loads(capsys.readouterr().out)) == 3


def _nested_manifest_archive(paths: DataPaths, out: Path) -> Path:
    date = "20250102_030405"
    db = paths.db.read_bytes()
    deep = b"[" * 100_000 + b"]" * 100_000
    with tarfile.open(out, "w:gz", format=tarfile.PAX_FORMAT) as tf:
        for name, data in ((f"backups/{date}/public_users.db", db), (f"backups/{date}/manifest.json", deep)):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    return out


def test_item16_a_manifest_nested_100000_deep_is_one_clear_line(tmp_path: Path) -> None:
    paths = make_home(tmp_path)
    archive = _nested_manifest_archive(paths, tmp_path / "20250102_030405.tar.gz")
    base = [sys.executable, "-m", "lifeos_desk", "--home", str(paths.home), "--backups", str(paths.backups)]
    for args in (["verify", str(archive)], ["restore", str(archive), "--yes"]):
        done = subprocess.run(base + args, capture_output=True, text=True, timeout=120)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr and "nested too deeply" in done.stderr
        errors = [line for line in done.stderr.splitlines() if line.startswith("lifeos-desk")]
        assert len(errors) == 1  # one line (the others are the stage names a log file gets)


def _hot_journal_home(tmp_path: Path) -> DataPaths:
    """A rollback-journal home whose writer was killed after its journal was synced: a real hot journal."""
    paths = make_home(tmp_path, "deployed", trades=3000)
    code = textwrap.dedent("""
        import os, signal, sqlite3, sys
        con = sqlite3.connect(sys.argv[1], isolation_level=None)
        con.execute("PRAGMA cache_size=2")  # the change spills into the file: the journal must be hot first
        con.execute("BEGIN IMMEDIATE")
        con.execute("UPDATE transactions SET rowid = rowid + 1000000")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    subprocess.run([sys.executable, "-c", code, str(paths.db)], timeout=60)
    journal = paths.db.with_name(paths.db.name + "-journal")
    assert journal.is_file() and journal.read_bytes()[:8] != bytes(8), "no hot journal was left"
    return paths


def _info(paths: DataPaths) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lifeos_desk", "--home", str(paths.home), "info"],
                          capture_output=True, text=True, timeout=120)


def test_item17_a_hot_journal_is_recovered_where_the_console_may_write(tmp_path: Path) -> None:
    paths = _hot_journal_home(tmp_path)
    done = _info(paths)
    assert done.returncode == 0, done.stderr
    assert not paths.db.with_name(paths.db.name + "-journal").exists()
    with closing(sqlite3.connect(paths.db)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_item17_read_only_messages_name_the_real_cause(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "public_users.db"
    with closing(sqlite3.connect(db)) as con:
        con.execute("CREATE TABLE t (x)")
        con.commit()
    db.with_name(db.name + "-journal").write_bytes(b"\xd9\xd5\x05\xf9" + bytes(508))
    err = db_errors.classify_sqlite_error(8, "attempt to write a readonly database", db)
    assert "hot journal from an interrupted write" in err.message and "write access" in err.message
    db.with_name(db.name + "-journal").unlink()
    with closing(sqlite3.connect(db)) as con:
        con.execute("PRAGMA journal_mode=WAL")
    real_access = os.access

    def no_folder_write(path: FileDescriptorOrPath, mode: int) -> bool:
        return False if Path(str(path)) == tmp_path and mode & os.W_OK else real_access(path, mode)

    monkeypatch.setattr(os, "access", no_folder_write)  # the os module db/errors.py asks
    err = db_errors.classify_sqlite_error(8, "attempt to write a readonly database", db)
    assert "WAL database in a folder you cannot write to" in err.message
    assert "cannot be written" not in err.message


def test_item17_backup_of_a_folder_says_no_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_home(tmp_path)
    paths.db.unlink()
    paths.db.mkdir()
    assert _cli(paths, "backup") == 11
    assert "no database" in capsys.readouterr().err


def test_item18_backup_of_a_missing_home_exits_10_like_info(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "nowhere"
    assert main(["--home", str(home), "backup"]) == 10
    assert "no database" in capsys.readouterr().err
    assert not home.exists()  # nothing was created on the way


CONCURRENT = textwrap.dedent("""
    import sys, time
    from datetime import datetime
    from pathlib import Path
    from lifeos_desk.core.archive import make_backup
    from lifeos_desk.core.paths import DataPaths
    home = Path(sys.argv[1])
    paths = DataPaths(home=home, logs=(home / "logs",), backups=home / "backups", read_only=False)
    go = float(sys.argv[2])
    while time.time() < go:
        pass
    print(make_backup(paths, now=datetime(2026, 1, 2, 3, 4, 5).astimezone()).path.name)
""")


def test_item18_concurrent_backups_in_the_same_second_get_distinct_names(tmp_path: Path) -> None:
    import time

    paths = make_home(tmp_path)
    go = str(time.time() + 1.5)
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT, str(paths.home), go], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _o, e in outs]
    names = {o.strip() for o, _e in outs}
    assert len(names) == 3 and "20260102_030405.tar.gz" in names
    assert not list(paths.backups.glob(".*.claim"))


KILL_IN_APPLY = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from lifeos_desk.core.archive import prepare_restore
    from lifeos_desk.core.archive.apply import apply_restore
    from lifeos_desk.core.paths import DataPaths
    home = Path(sys.argv[1])
    paths = DataPaths(home=home, logs=(home / "logs",), backups=home / "backups", read_only=False)
    tables = []
    def kill_mid_copy(p):
        if p.stage == "apply" and p.detail.startswith("database: "):
            tables.append(p.detail)
            if len(tables) == 3:  # two tables written into the open transaction
                os.kill(os.getpid(), signal.SIGKILL)
    with prepare_restore(Path(sys.argv[2]), paths) as plan:
        apply_restore(plan, kill_mid_copy)
""")


def test_kill_during_restore_apply_on_a_rollback_home(tmp_path: Path) -> None:
    paths = make_home(tmp_path, "deployed", trades=5000)
    archive = make_backup(paths).path
    with closing(sqlite3.connect(paths.db)) as con:
        con.execute("DELETE FROM transactions WHERE rowid % 2 = 0")
        con.commit()
    before = table_digest(paths.db, "transactions")
    done = subprocess.run([sys.executable, "-c", KILL_IN_APPLY, str(paths.home), str(archive)], timeout=120)
    assert done.returncode == -signal.SIGKILL
    info = _info(paths)
    assert info.returncode == 0, info.stderr  # no journal left that breaks the next info
    with closing(sqlite3.connect(paths.db)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert table_digest(paths.db, "transactions") == before  # the old database, whole
    assert counts(paths.db)["transactions"] > 0
