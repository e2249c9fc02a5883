"""A PostgreSQL session's backup against the real server: the pg_dump member, verify, list, restore, refusals.

Issue 16: ``backup --database-url`` (or a PostgreSQL ``DATABASE_URL``) puts
``pg_dump --format=custom`` beside the home's members with its hash in the
manifest; verify checks the hash and reads it with ``pg_restore --list``;
without pg_dump (or with one older than the server) the backup says so,
exits 20 and leaves no archive.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import tarfile
from pathlib import Path
from typing import Any

import pytest

from lifeos_desk.cli import main
from lifeos_desk.core.archive import list_archives, verify_archive
from lifeos_desk.core.archive.layout import Kind, parse_member, pgdump_rel
from lifeos_desk.core.migrate import migrate
from lifeos_desk.core.paths import DataPaths
from tests.pg import PgServer

from .archive_helpers import counts, make_home


@pytest.fixture(autouse=True)
def _no_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)


def _cli(paths: DataPaths, *args: str) -> int:
    return main(["--home", str(paths.home), "--logs", str(paths.home / "logs"), "--backups", str(paths.backups),
                 *args])


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tf:
        return {m.name: tf.extractfile(m).read() for m in tf.getmembers() if m.isfile()}  # type: ignore[union-attr]


def _manifest(archive: Path) -> dict[str, Any]:
    return next(json.loads(v) for k, v in _members(archive).items() if k.endswith("/manifest.json"))


def _repack(archive: Path, change: dict[str, bytes]) -> None:
    """Rewrite the archive with some members' bytes replaced (same names, same origin comment)."""
    with tarfile.open(archive, "r:gz") as tf:
        comment = tf.pax_headers.get("comment", "")
        items = [(m, tf.extractfile(m).read() if m.isfile() else b"") for m in tf.getmembers()]  # type: ignore[union-attr]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT, pax_headers={"comment": comment}) as out:
        for m, data in items:
            data = change.get(m.name, data)
            m.size = len(data)
            out.addfile(m, io.BytesIO(data) if m.isfile() else None)
    archive.write_bytes(buf.getvalue())


def _migrated_home(tmp_path: Path, pg_url: str) -> DataPaths:
    paths = make_home(tmp_path)
    migrate(pg_url, [paths.db])
    return paths


def test_backup_holds_the_dump_with_its_hash_and_verify_reads_it(tmp_path: Path, pg_url: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    paths = _migrated_home(tmp_path, pg_url)
    assert _cli(paths, "backup", "--database-url", pg_url, "--no-retention") == 0
    out = capsys.readouterr().out
    dbname = pg_url.rsplit("/", 1)[1]
    assert f"postgresql: postgresql/{dbname}.dump" in out and "integrity_check ok" in out
    archive = next(paths.backups.glob("*.tar.gz"))
    members = _members(archive)
    date = archive.name.split(".")[0]
    dump = members[f"backups/{date}/postgresql/{dbname}.dump"]
    assert dump.startswith(b"PGDMP")
    assert f"backups/{date}/public_users.db" in members  # the home's SQLite members stay as they are
    manifest = _manifest(archive)
    listed = {m["name"]: m for m in manifest["members"]}
    sha = hashlib.sha256(dump).hexdigest()
    record = listed[f"postgresql/{dbname}.dump"]
    assert record["sha256"] == sha and record["kind"] == "pgdump"
    (section,) = manifest["postgresql"]
    assert section["database"] == dbname and section["sha256"] == sha and section["size"] == len(dump)
    assert section["server_version"].split(".")[0].isdigit() and "@" in section["target"]
    report = verify_archive(archive)
    assert report.ok, report.problems
    assert report.postgresql[f"postgresql/{dbname}.dump"]["pg_restore"] == "ok"
    assert report.postgresql[f"postgresql/{dbname}.dump"]["entries"] > 5
    assert "pg_restore --list ok" in report.message
    (entry,) = list_archives(paths.backups)
    assert entry.postgresql and entry.origin == "console"
    assert _cli(paths, "list") == 0
    assert "console + PostgreSQL" in capsys.readouterr().out


def test_a_flipped_byte_in_the_dump_is_found(tmp_path: Path, pg_url: str) -> None:
    paths = _migrated_home(tmp_path, pg_url)
    assert _cli(paths, "backup", "--database-url", pg_url, "--no-retention") == 0
    archive = next(paths.backups.glob("*.tar.gz"))
    name = next(k for k in _members(archive) if k.endswith(".dump"))
    dump = bytearray(_members(archive)[name])
    dump[len(dump) // 2] ^= 0x01
    _repack(archive, {name: bytes(dump)})
    report = verify_archive(archive, record=False)
    assert not report.ok
    assert any("does not match its SHA-256" in p and name.split("/", 2)[2] in p for p in report.problems)


def test_a_dump_pg_restore_cannot_read_fails_even_with_matching_hashes(tmp_path: Path, pg_url: str) -> None:
    paths = _migrated_home(tmp_path, pg_url)
    assert _cli(paths, "backup", "--database-url", pg_url, "--no-retention") == 0
    archive = next(paths.backups.glob("*.tar.gz"))
    members = _members(archive)
    name = next(k for k in members if k.endswith(".dump"))
    rel = name.split("/", 2)[2]
    bad = b"NOTPG" + members[name][5:]
    manifest = _manifest(archive)
    sha = hashlib.sha256(bad).hexdigest()
    for m in manifest["members"]:
        if m["name"] == rel:
            m["sha256"] = sha
    manifest["postgresql"][0]["sha256"] = sha
    mname = next(k for k in members if k.endswith("manifest.json"))
    _repack(archive, {name: bad, mname: json.dumps(manifest).encode()})
    report = verify_archive(archive, record=False)
    assert not report.ok
    assert any(p.startswith(f"{rel}: pg_restore --list fails") for p in report.problems), report.problems


def test_verify_without_pg_restore_says_not_checked(tmp_path: Path, pg_url: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _migrated_home(tmp_path, pg_url)
    assert _cli(paths, "backup", "--database-url", pg_url, "--no-retention") == 0
    archive = next(paths.backups.glob("*.tar.gz"))
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    report = verify_archive(archive, record=False)
    assert report.ok, report.problems
    assert "pg_restore --list not checked: pg_restore missing" in report.message


def test_without_pg_dump_the_backup_exits_20_and_leaves_nothing(tmp_path: Path, pg_url: str,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    paths = _migrated_home(tmp_path, pg_url)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert _cli(paths, "backup", "--database-url", pg_url) == 20
    err = capsys.readouterr().err
    assert "pg_dump is not on PATH" in err and "postgresql-client" in err
    assert list(paths.backups.iterdir()) == []


def test_a_pg_dump_older_than_the_server_is_refused_before_anything(tmp_path: Path, pg_url: str,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    paths = _migrated_home(tmp_path, pg_url)
    old = tmp_path / "old-bin"
    old.mkdir()
    tool = old / "pg_dump"
    tool.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{old}{os.pathsep}{os.environ['PATH']}")
    assert _cli(paths, "backup", "--database-url", pg_url) == 20
    err = capsys.readouterr().err
    assert "pg_dump 9.6" in err and "older than the server" in err and "postgresql-client-" in err
    assert list(paths.backups.iterdir()) == []


def test_password_rules(tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    paths = _migrated_home(tmp_path, pg_url)
    with_password = pg_url.replace("lifeos_test@", "lifeos_test:s3cret-pw@")
    assert _cli(paths, "backup", "--database-url", with_password) == 2  # argv is public: refused
    err = capsys.readouterr().err
    assert "password" in err and "s3cret-pw" not in err
    assert list(paths.backups.iterdir()) == []
    monkeypatch.setenv("DATABASE_URL", with_password)  # the environment: used (trust auth ignores it), never written
    assert _cli(paths, "backup", "--no-retention") == 0
    assert "s3cret-pw" not in capsys.readouterr().out
    archive = next(paths.backups.glob("*.tar.gz"))
    assert b"s3cret-pw" not in json.dumps(_manifest(archive)).encode()
    assert _manifest(archive)["postgresql"]


def test_a_home_without_sqlite_gives_a_dump_archive_that_restore_refuses_with_the_command(
        tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    paths = _migrated_home(tmp_path, pg_url)
    before = counts(paths.db)
    paths.db.unlink()
    assert _cli(paths, "backup", "--database-url", pg_url, "--no-retention") == 0
    assert "no public_users.db in the home" in capsys.readouterr().out
    archive = next(paths.backups.glob("*.tar.gz"))
    assert not any(k.endswith("public_users.db") for k in _members(archive))
    report = verify_archive(archive, record=False)
    assert report.ok and "no SQLite database" in report.message and "pg_restore --list ok" in report.message
    assert _cli(paths, "restore", archive.name, "--yes") == 1
    err = capsys.readouterr().err
    assert "holds a PostgreSQL dump and no public_users.db" in err
    assert "pg_restore --clean --if-exists --dbname=" in err and "tar -xzf" in err
    assert not paths.db.exists() and before


def test_restore_preview_of_a_mixed_archive_names_the_pg_restore_command(tmp_path: Path, pg_url: str,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    paths = _migrated_home(tmp_path, pg_url)
    assert _cli(paths, "backup", "--database-url", pg_url, "--no-retention") == 0
    archive = next(paths.backups.glob("*.tar.gz"))
    capsys.readouterr()
    assert _cli(paths, "restore", archive.name, "--yes") == 0
    out = capsys.readouterr().out
    assert "PostgreSQL dump postgresql/" in out and "not restored by this command" in out


def test_dump_member_names() -> None:
    assert parse_member("backups/20260101_120000/postgresql/jarvis.dump", False).kind is Kind.PGDUMP  # type: ignore[union-attr]
    assert parse_member("backups/20260101_120000/postgresql", True) is not None
    for bad in ("postgresql/../x.dump", "postgresql/a/b.dump", "postgresql/x.txt", "postgresql/.dump",
                "postgresql/.x.dump"):
        assert parse_member(f"backups/20260101_120000/{bad}", False) is None, bad
    assert pgdump_rel("jarvis") == "postgresql/jarvis.dump"
    assert pgdump_rel('we "ird"/../db') == "postgresql/we__ird__.._db.dump"
    assert pgdump_rel(".hidden") == "postgresql/_.hidden.dump"


def _pg_counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        names = [r[0] for r in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {n: int(con.execute(f'SELECT count(*) FROM public."{n}"').fetchone()[0]) for n in names}  # type: ignore[index]


def test_restore_database_url_into_an_empty_target_then_replace_rules(tmp_path: Path, pg_url: str,
                                                                     pg_server: PgServer,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    paths = _migrated_home(tmp_path, pg_url)
    assert _cli(paths, "backup", "--database-url", pg_url, "--no-retention") == 0
    archive = next(paths.backups.glob("*.tar.gz"))
    target = pg_server.create_database("t_restore_target")
    try:
        assert _cli(paths, "restore", archive.name, "--database-url", target, "--yes") == 0
        assert "restored postgresql/" in capsys.readouterr().out
        want = _pg_counts(pg_url)
        assert _pg_counts(target) == want and want["trades"] > 0
        assert _cli(paths, "restore", archive.name, "--database-url", target, "--yes") == 4  # as migrate refuses
        err = capsys.readouterr().err
        assert "already has public." in err and "public.trades" in err and "--replace" in err
        assert _pg_counts(target) == want
        import psycopg

        with psycopg.connect(target, autocommit=True) as con:
            con.execute("DELETE FROM trades")
        assert _cli(paths, "restore", archive.name, "--database-url", target, "--replace", "--yes") == 0
        assert _pg_counts(target) == want
        with_password = target.replace("lifeos_test@", "lifeos_test:pw@")
        assert _cli(paths, "restore", archive.name, "--database-url", with_password, "--yes") == 2
    finally:
        pg_server.drop_database("t_restore_target")


def test_restore_database_url_refuses_a_damaged_archive_and_changes_nothing(tmp_path: Path, pg_url: str,
                                                                          pg_server: PgServer) -> None:
    paths = _migrated_home(tmp_path, pg_url)
    assert _cli(paths, "backup", "--database-url", pg_url, "--no-retention") == 0
    archive = next(paths.backups.glob("*.tar.gz"))
    name = next(k for k in _members(archive) if k.endswith(".dump"))
    dump = bytearray(_members(archive)[name])
    dump[-10] ^= 0xFF
    _repack(archive, {name: bytes(dump)})
    target = pg_server.create_database("t_restore_damaged")
    try:
        assert _cli(paths, "restore", archive.name, "--database-url", target, "--yes") == 1
        assert _pg_counts(target) == {}
    finally:
        pg_server.drop_database("t_restore_damaged")


@pytest.mark.parametrize("kind", ["symlink", "escape", "nested"])
def test_hostile_dump_members_are_refused(tmp_path: Path, kind: str) -> None:
    date = "20260101_120000"
    archive = tmp_path / f"{date}.tar.gz"
    with tarfile.open(archive, "w:gz", format=tarfile.PAX_FORMAT) as tf:
        if kind == "symlink":
            link = tarfile.TarInfo(f"backups/{date}/postgresql/jarvis.dump")
            link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tf.addfile(link)
        else:
            rel = "postgresql/../../../x.dump" if kind == "escape" else "postgresql/a/jarvis.dump"
            info = tarfile.TarInfo(f"backups/{date}/{rel}")
            info.size = 5
            tf.addfile(info, io.BytesIO(b"PGDMP"))
    report = verify_archive(archive, record=False)
    assert not report.ok
    assert "refused" in report.problems[0] and ("symbolic link" if kind == "symlink" else "unexpected member name") \
        in report.problems[0]
