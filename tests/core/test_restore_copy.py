"""Restore's copy into the live file: b-tree to b-tree where SQLite can, rowids kept, and the safety
backup beside it on WAL homes - a failure of either leaves the live home and the backups folder as they were."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from lifeos_desk.core.archive import ArchiveError, apply_restore, make_backup, prepare_restore
from lifeos_desk.core.archive import apply as apply_mod
from lifeos_desk.core.archive.livecopy import LiveLock, transfers
from lifeos_desk.core.archive.multilock import LiveSet
from lifeos_desk.core.archive.progress import CancelFlag, Progress
from lifeos_desk.core.paths import DataPaths

from .archive_helpers import counts, make_home, table_digest

SCHEMA = """
CREATE TABLE keyed (id TEXT PRIMARY KEY, v INTEGER NOT NULL);
CREATE TABLE plain (v TEXT);
CREATE TABLE ipk (id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE gen (a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2) VIRTUAL);
CREATE TABLE nr (k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID;
CREATE INDEX plain_v ON plain (v);
CREATE TABLE child (id TEXT PRIMARY KEY, ref INTEGER REFERENCES ipk(id));
"""


def _db(path: Path, schema: str, rows: int) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as con:
        con.executescript(schema)
        if not rows:
            return
        con.execute("BEGIN")
        for n in range(rows):
            con.execute("INSERT INTO keyed VALUES (?, ?)", (f"k{(n * 7919) % 1009:05d}-{n}", n))
            con.execute("INSERT INTO plain VALUES (?)", (f"p{n}",))
            con.execute("INSERT INTO ipk (v) VALUES (?)", (f"i{n}",))
            con.execute("INSERT INTO gen (a) VALUES (?)", (n,))
            con.execute("INSERT INTO nr VALUES (?, ?)", (f"n{n:04d}", n))
        con.execute("COMMIT")
        for table in ("keyed", "plain", "ipk", "gen"):  # gaps: a renumbering copy would show
            con.execute(f"DELETE FROM {table} WHERE rowid % 3 = 0")


def _rows(db: Path, table: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db)) as con:
        if table == "nr":
            return con.execute("SELECT * FROM nr ORDER BY k").fetchall()
        return con.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()


def test_transfer_only_where_sqlite_keeps_the_rowid(tmp_path: Path) -> None:
    staged = tmp_path / "staged.db"
    _db(staged, SCHEMA, 10)
    with closing(sqlite3.connect(tmp_path / "live.db", isolation_level=None)) as con:
        con.execute("ATTACH DATABASE ? AS src", (staged.resolve().as_uri() + "?immutable=1",))
        sqls = dict(con.execute("SELECT name, sql FROM src.sqlite_master WHERE type = 'table'").fetchall())
        for sql in sqls.values():
            con.execute(sql)
        con.execute("CREATE INDEX main.plain_v ON plain (v)")
        # an indexed rowid table (a key index, or one of its own), WITHOUT ROWID: copied as records
        assert transfers(con, "keyed", sqls["keyed"]) and transfers(con, "plain", sqls["plain"])
        assert transfers(con, "nr", sqls["nr"])
        # a rowid table without any index would be renumbered; generated columns need the column list
        assert not transfers(con, "ipk", sqls["ipk"]) and not transfers(con, "gen", sqls["gen"])
        # an enforced foreign key: SQLite does not transfer (EXPLAIN shows it)
        assert transfers(con, "child", sqls["child"])
        con.execute("PRAGMA foreign_keys=ON")
        assert not transfers(con, "child", sqls["child"])


def test_the_copy_keeps_every_rowid_whichever_way_a_table_is_copied(tmp_path: Path) -> None:
    staged, live = tmp_path / "staged.db", tmp_path / "live.db"
    _db(staged, SCHEMA, 300)
    _db(live, "CREATE TABLE old (x);", 0)
    lock = LiveLock.open(live, staged, 5.0, CancelFlag())
    try:
        assert lock.replace_from(lambda: False, lambda _t: None) == "ok"
        lock.commit(5.0)
    finally:
        lock.close()
    for table in ("keyed", "plain", "ipk", "gen", "nr"):
        assert _rows(live, table) == _rows(staged, table), table
    with closing(sqlite3.connect(live)) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        assert "plain_v" in names and "old" not in names


def _wal_home(tmp_path: Path) -> tuple[Path, DataPaths]:
    paths = make_home(tmp_path, "adr", trades=400)
    with closing(sqlite3.connect(paths.db)) as con:
        assert str(con.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"
    archive = make_backup(paths).path
    with closing(sqlite3.connect(paths.db)) as con:
        con.execute("DELETE FROM trades WHERE rowid % 2 = 0")
        con.commit()
    return archive, paths


def _backups(paths: DataPaths) -> set[str]:
    return {p.name for p in paths.backups.iterdir() if p.name.endswith(".tar.gz")}


def test_a_safety_backup_that_fails_beside_the_copy_changes_nothing(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    archive, paths = _wal_home(tmp_path)
    db = paths.db
    before, digest, archives = counts(db), table_digest(db, "trades"), _backups(paths)
    real = make_backup

    def failing(paths: object, options: object, progress: object, cancel: object) -> object:
        def disk_full(p: Progress) -> None:
            if p.stage == "compress" and p.done:
                raise ArchiveError("disk full while writing the safety archive")

        return real(paths, options, disk_full, cancel)  # type: ignore[arg-type]

    monkeypatch.setattr(apply_mod, "make_backup", failing)
    with prepare_restore(archive, paths) as plan, pytest.raises(ArchiveError, match="disk full"):
        apply_restore(plan)
    assert counts(db) == before and table_digest(db, "trades") == digest
    assert _backups(paths) == archives
    assert not [p for p in paths.backups.iterdir() if p.name.endswith((".partial", ".claim"))]


def test_a_copy_that_fails_beside_the_safety_backup_drops_the_safety_archive(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    archive, paths = _wal_home(tmp_path)
    db = paths.db
    before, digest, archives = counts(db), table_digest(db, "trades"), _backups(paths)
    real = LiveSet.copy_all

    def failing(self: LiveSet, stop: object, report: object) -> None:
        real(self, stop, report)  # type: ignore[arg-type]
        raise ArchiveError("the copy failed")

    monkeypatch.setattr(LiveSet, "copy_all", failing)
    with prepare_restore(archive, paths) as plan, pytest.raises(ArchiveError, match="the copy failed"):
        apply_restore(plan)
    assert counts(db) == before and table_digest(db, "trades") == digest
    assert _backups(paths) == archives
    assert not [p for p in paths.backups.iterdir() if p.name.startswith(".")
                and p.name.endswith((".partial", ".claim"))]


def test_both_at_once_restore_the_archive_and_keep_the_safety_archive(tmp_path: Path) -> None:
    archive, paths = _wal_home(tmp_path)
    with prepare_restore(archive, paths) as plan:
        done = apply_restore(plan)
    assert done.safety is not None and done.safety.path.is_file() and done.quick_check == "ok"
    assert _backups(paths) == {archive.name, done.safety.path.name}
