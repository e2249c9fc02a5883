"""Whole-home backup and restore on a home laid out like the deployed bot's (issue 12).

Every store discovery finds is in the archive (databases as their own snapshots, so rows only in a
``-wal`` are kept), each one comes back after being deleted or altered, ``--only`` touches just the
named ones, the new ``home/``/``bot/`` prefixes keep the hostile-archive rules, and a bot writing to two
stores during a backup loses nothing and sees no error.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import sqlite3
import stat
import tarfile
from contextlib import closing
from pathlib import Path

import pytest

from lifeos_desk.core.archive import ArchiveError, Limits, apply_restore, make_backup, prepare_restore, verify_archive
from lifeos_desk.core.discovery import Kind, discover
from lifeos_desk.core.paths import DataPaths
from tests.deployed_home import DeployedHome, build_deployed_home

from .writer_helpers import Writer, archived_ids, ids

D = "20250102_030405"


def _paths(d: DeployedHome, root: Path) -> DataPaths:
    return DataPaths(home=d.home, logs=(d.home / "logs",), backups=root / "backups", read_only=False,
                     bot_dir=d.bot_dir)


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tf:
        out = {}
        for m in tf.getmembers():
            if m.isfile():
                f = tf.extractfile(m)
                assert f is not None
                out[m.name.split("/", 2)[2]] = f.read()
        return out


def _rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with closing(sqlite3.connect(db)) as con:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall() for n in names}


def _member_of(paths: DataPaths, path: Path) -> str:
    if path == paths.db:
        return "public_users.db"
    if path.is_relative_to(paths.home / "logs") and path.name.endswith(".jsonl"):
        return path.name
    rel = path.relative_to(paths.home).as_posix() if path.is_relative_to(paths.home) else None
    if rel is not None and rel.split("/")[0] in ("trading", "algorithms"):
        return rel
    assert paths.bot_dir is not None
    return f"home/{rel}" if rel is not None else f"bot/{path.relative_to(paths.bot_dir).as_posix()}"


def _snapshot_state(paths: DataPaths) -> dict[str, object]:
    """Every store's content: rows for databases, bytes for files."""
    out: dict[str, object] = {}
    for s in discover(paths.home, paths.bot_dir, backups_dir=paths.backups).stores:
        if s.path.name == "lifeos-desk-audit.jsonl":
            continue  # the console's own audit log: every backup and restore appends to it
        out[str(s.path)] = _rows(s.path) if s.kind is Kind.SQLITE else s.path.read_bytes()
    return out


@pytest.fixture
def deployed(tmp_path: Path) -> tuple[DeployedHome, DataPaths]:
    d = build_deployed_home(tmp_path / "d")
    return d, _paths(d, tmp_path)


def test_whole_home_backup_holds_every_store_discovery_finds(deployed: tuple[DeployedHome, DataPaths],
                                                             tmp_path: Path) -> None:
    d, paths = deployed
    found = discover(paths.home, paths.bot_dir, backups_dir=paths.backups).stores
    result = make_backup(paths)
    members = _members(result.path)
    for store in found:
        assert _member_of(paths, store.path) in members, store.path
    # The WAL database's rows exist only in its -wal: the archive has them (a snapshot, not a file copy).
    copy = tmp_path / "core.db"
    copy.write_bytes(members["bot/data/jarvis_core.db"])
    assert len(_rows(copy)["trades"]) == 5
    # No source code, no companions.
    assert not [m for m in members if m.endswith(("-wal", "-shm", ".lock", ".tmp"))]
    manifest_dbs = {x["member"]: x for x in result.stores}
    assert manifest_dbs["bot/data/jarvis_core.db"]["tables"]["trades"] == 5
    assert manifest_dbs["home/fees.db"]["integrity_check"] == ["ok"]
    assert manifest_dbs["home/fees.db"]["page_size"] > 0
    report = verify_archive(result.path)
    assert report.ok, report.problems
    assert set(report.databases) == set(manifest_dbs)


def _damage(paths: DataPaths, d: DeployedHome) -> None:
    """Delete or alter every store."""
    for s in discover(paths.home, paths.bot_dir, backups_dir=paths.backups).stores:
        if s.kind is Kind.SQLITE:
            with closing(sqlite3.connect(s.path)) as con:
                for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
                    con.execute(f'DELETE FROM "{name}"')
                con.commit()
        elif s.kind in (Kind.JSONL, Kind.TEXT_LOG) or s.path.name.endswith(".jsonl"):
            s.path.unlink()  # logs are never overwritten: a missing one comes back
        else:
            s.path.write_text('{"altered": true}\n')


def test_restore_puts_every_store_back(deployed: tuple[DeployedHome, DataPaths]) -> None:
    d, paths = deployed
    before = _snapshot_state(paths)
    archive = make_backup(paths).path
    _damage(paths, d)
    with prepare_restore(archive, paths) as plan:
        result = apply_restore(plan)
    after = _snapshot_state(paths)
    assert after == before
    assert len(result.databases) == 5
    for key in (paths.home / "secrets" / "keys.json", d.bot_dir / "bots" / "treasury" / ".wallets" / "registry.json"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_only_restores_just_the_named_stores(deployed: tuple[DeployedHome, DataPaths]) -> None:
    d, paths = deployed
    fees, keys = paths.home / "fees.db", paths.home / "secrets" / "keys.json"
    want_fees, want_keys = _rows(fees), keys.read_bytes()
    archive = make_backup(paths).path
    _damage(paths, d)
    damaged = _snapshot_state(paths)
    digests = {p: hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in damaged
               if p not in (str(fees), str(keys))}
    with prepare_restore(archive, paths) as plan:
        plan.pick([str(fees), f"backups/{plan.scan.date}/home/secrets/keys.json"])
        apply_restore(plan)
    assert _rows(fees) == want_fees
    assert keys.read_bytes() == want_keys
    for p, digest in digests.items():
        assert hashlib.sha256(Path(p).read_bytes()).hexdigest() == digest, p
    with prepare_restore(archive, paths) as plan, pytest.raises(ArchiveError, match="not in the archive"):
        plan.pick(["/nowhere/else.db"])


def _hostile(path: Path, paths: DataPaths, extra: tarfile.TarInfo, data: bytes | None) -> Path:
    db = paths.db.read_bytes()
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT) as tf:
        ti = tarfile.TarInfo(f"backups/{D}/public_users.db")
        ti.size = len(db)
        tf.addfile(ti, io.BytesIO(db))
        tf.addfile(extra, io.BytesIO(data) if data is not None else None)
    return path


def _ti(name: str, size: int = 0, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    ti = tarfile.TarInfo(name)
    ti.size, ti.type, ti.linkname = size, kind, link
    return ti


@pytest.mark.parametrize(("extra", "data", "why"), [
    (_ti(f"backups/{D}/home/../../../x.json", 2), b"{}", "unexpected member name"),
    (_ti(f"backups/{D}/bot/data/../../../.bashrc", 2), b"{}", "unexpected member name"),
    (_ti(f"/backups/{D}/home/fees.db", 2), b"{}", "unexpected member name"),
    (_ti(f"backups/{D}/home//fees.db", 2), b"{}", "unexpected member name"),
    (_ti(f"backups/{D}/home/a/b/c/d/e/f/g/h/i.json", 2), b"{}", "unexpected member name"),
    (_ti(f"backups/{D}/home/.x.123.restore", 2), b"{}", "unexpected member name"),
    (_ti(f"backups/{D}/home/secrets/keys.json", 0, tarfile.SYMTYPE, "/etc/passwd"), None, "symbolic link"),
    (_ti(f"backups/{D}/bot/data/x.json", 0, tarfile.LNKTYPE, f"backups/{D}/public_users.db"), None, "hard link"),
    (_ti(f"backups/{D}/bot/logs/pipe.log", 0, tarfile.FIFOTYPE), None, "FIFO"),
    (_ti(f"backups/{D}/home/fees.db", 3 << 20), b"\0" * (3 << 20), "bytes \\(limit"),
])
def test_hostile_members_under_the_new_prefixes_are_refused(deployed: tuple[DeployedHome, DataPaths], tmp_path: Path,
                                                            extra: tarfile.TarInfo, data: bytes | None,
                                                            why: str) -> None:
    _, paths = deployed
    archive = _hostile(tmp_path / f"{D}.tar.gz", paths, extra, data)
    before = _snapshot_state(paths)
    limits = Limits(max_member_bytes=2 << 20)
    report = verify_archive(archive, limits=limits, record=False)
    assert not report.ok
    assert any(re.search(why, p) for p in report.problems), report.problems
    with pytest.raises(ArchiveError):
        prepare_restore(archive, paths, limits=limits)
    assert _snapshot_state(paths) == before


def test_backup_while_the_bot_writes_to_two_stores(deployed: tuple[DeployedHome, DataPaths],
                                                   tmp_path: Path) -> None:
    d, paths = deployed
    core, fees = d.wal_db, paths.home / "fees.db"
    bots = [Writer(core, "trades", tmp_path / "w1"), Writer(fees, "success_fees", tmp_path / "w2")]
    try:
        for bot in bots:
            bot.wait_rows(10)
        before = [bot.committed() for bot in bots]  # committed before the backup started
        result = make_backup(paths)
        for bot in bots:
            bot.wait_rows(10)
    finally:
        stats = [bot.stop() for bot in bots]
    for s, err in stats:
        assert s["errors"] == 0, err
    work = tmp_path / "x"
    work.mkdir()
    members = _members(result.path)
    for name, rows, table in (("bot/data/jarvis_core.db", before[0], "trades"),
                              ("home/fees.db", before[1], "success_fees")):
        copy = work / name.replace("/", "_")
        copy.write_bytes(members[name])
        assert rows <= ids(copy, table), name
    assert archived_ids(result.path, "users", work / "p")  # the bot's own database is in it too
    assert os.path.getsize(result.path) > 0
