"""``core.pgdump`` against the real server: a custom-format dump pg_restore can read, its hash, clear errors."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from lifeos_desk.core.migrate import BadTarget, MigrateError, migrate
from lifeos_desk.core.paths import DB_FILENAME
from lifeos_desk.core.pgdump import PgDumpMissing, dump_database, find_pg_dump
from tests.core.migrate_helpers import demo_home
from tests.pg import PgServer


def test_dump_is_custom_format_with_its_sha256(tmp_path: Path, pg_url: str, pg_server: PgServer) -> None:
    migrate(pg_url, [demo_home(tmp_path, "adr") / DB_FILENAME])
    dest = tmp_path / "out" / "public_users.pgdump"
    done = dump_database(pg_url, dest)
    data = dest.read_bytes()
    assert done.path == dest and data.startswith(b"PGDMP") and done.size == len(data)
    assert done.sha256 == hashlib.sha256(data).hexdigest()
    listing = subprocess.run([str(pg_server.bindir / "pg_restore"), "--list", str(dest)], capture_output=True,
                             text=True, check=True).stdout
    assert "TABLE DATA public trades" in listing and "TABLE DATA public wallets" in listing
    assert [p.name for p in dest.parent.iterdir()] == [dest.name]  # no temporary left beside it


def test_missing_pg_dump_and_failures_are_clear_and_leave_nothing(tmp_path: Path, pg_url: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "d.pgdump"
    with pytest.raises(PgDumpMissing, match="pg_dump not found at"):
        dump_database(pg_url, dest, pg_dump=str(tmp_path / "no-such-pg_dump"))
    with pytest.raises(MigrateError, match="pg_dump of .*nope.* failed"):
        dump_database(pg_url.rsplit("/", 1)[0] + "/nope", dest)
    with pytest.raises(BadTarget, match="password"):
        dump_database(pg_url.replace("lifeos_test@", "lifeos_test:hunter2@"), dest)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PgDumpMissing, match="postgresql-client"):
        find_pg_dump()
