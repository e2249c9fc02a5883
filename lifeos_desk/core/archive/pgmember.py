"""A PostgreSQL database as an archive member: ``postgresql/<db>.dump``, made by ``pg_dump --format=custom``.

Issue 16: the backup of a PostgreSQL session (``backup --database-url``,
or a ``postgresql://`` ``DATABASE_URL``) holds the dump beside the home's
other members, its size, SHA-256, server version and database name in the
manifest's ``postgresql`` section (docs/data-formats.md, 'PostgreSQL dump
member'). Everything that can refuse is checked in ``prepare`` before a
single file is written: pg_dump on PATH, the server reachable, pg_dump's
major version not older than the server's (an older pg_dump refuses a
newer server, half-way through a backup otherwise). The dump itself runs
in a thread of its own while the SQLite stores are snapshotted and
streamed, into the backup's private work folder; the archive's ``.partial``
discipline (make.py) covers it: a failed dump leaves no archive.

Passwords go libpq's ways only (docs/architecture.md, 'PostgreSQL'): a URL
on the command line must carry none; one in ``DATABASE_URL`` is taken out
of the connection string and handed to pg_dump as ``PGPASSWORD`` in its
environment. Neither argv nor the manifest ever holds it.
"""

from __future__ import annotations

import re
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..migrate.errors import MigrateError
from ..migrate.target import CONNECT_TIMEOUT_S
from ..pgdump import PgDump, PgDumpMissing, dump_database, find_pg_dump
from ..pgurl import PgParams, pg_params
from .errors import ArchiveError
from .layout import PG_DIR, PG_SECTION, pgdump_rel
from .progress import CancelFlag, LinkedCancel

FLAG = "+postgresql"  # the origin comment's mark (gz.py): the backups list tells a dump is inside
KIND = "pgdump"
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


class PgDumpTooOld(PgDumpMissing):
    """pg_dump's major version is older than the server's: it would refuse the dump."""


@dataclass(frozen=True)
class PgSource:
    """The database to dump: a connection string without password, the password apart (memory only)."""

    conninfo: str
    label: str  # user@host:port/db, for messages and the manifest
    password: str = field(default="", repr=False)


def pg_source(url: str, allow_password: bool = False) -> PgSource:
    """The source for ``url``; BadTarget (exit 2) when unusable, or a password is in it and not allowed."""
    return source_of(pg_params(url, allow_password))


def source_of(params: PgParams) -> PgSource:
    """A source from parsed parameters (the window's session): the password stays out of ``conninfo``."""
    from psycopg.conninfo import make_conninfo

    keys: dict[str, Any] = {k: v for k, v in (("host", params.host), ("dbname", params.dbname),
                                              ("user", params.user)) if v}
    if params.port:
        keys["port"] = str(params.port)
    keys.update(dict(params.options))
    return PgSource(make_conninfo(**keys), params.label, params.password)


def version_number(major: int, minor: int) -> int:
    """PostgreSQL's ``server_version_num`` of a major release (10+: 150000; 9.x: 90600)."""
    return major * 10000 if major >= 10 else major * 10000 + minor * 100


def major_of(version_num: int) -> int:
    """The major release part of a ``server_version_num`` (150004 -> 150000, 90624 -> 90600)."""
    return version_num // 10000 * 10000 if version_num >= 100000 else version_num // 100 * 100


def tool_version(tool: str) -> tuple[str, int]:
    """(``15.20``, 150000) from ``pg_dump --version``; PgDumpMissing when it does not say."""
    try:
        out = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PgDumpMissing(f"{tool} --version failed: {exc}") from None
    m = _VERSION.search(out)
    if m is None:
        raise PgDumpMissing(f"{tool} --version printed no PostgreSQL version: {out.strip()[:80]!r}")
    major, minor = int(m.group(1)), int(m.group(2) or 0)
    return (f"{major}.{minor}" if m.group(2) else str(major)), version_number(major, minor)


@dataclass(frozen=True)
class ServerFacts:
    """What the server says about itself and the database."""

    version: str
    version_num: int
    database: str


def server_facts(source: PgSource) -> ServerFacts:
    """Version and database name, in a read-only session; MigrateError naming the target otherwise."""
    import psycopg

    extra: dict[str, Any] = {"password": source.password} if source.password else {}
    try:
        with psycopg.connect(source.conninfo, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True,
                             application_name="lifeos-desk backup",
                             options="-c default_transaction_read_only=on", **extra) as con:
            row = con.execute("SELECT current_setting('server_version'), "
                              "current_setting('server_version_num')::int, current_database()").fetchone()
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MigrateError(f"cannot connect to {source.label}: {first}") from None
    assert row is not None
    return ServerFacts(str(row[0]), int(row[1]), str(row[2]))


@dataclass(frozen=True)
class PgDumpFacts:
    """The manifest's ``postgresql`` section for one dump (docs/data-formats.md, 'PostgreSQL dump member')."""

    member: str
    database: str
    target: str
    server_version: str
    pg_dump_version: str
    size: int
    sha256: str

    def as_json(self) -> dict[str, Any]:
        """The section; never a password (``target`` is user@host:port/db)."""
        return {"member": self.member, "format": "custom", "database": self.database, "target": self.target,
                "server_version": self.server_version, "pg_dump_version": self.pg_dump_version,
                "size": self.size, "sha256": self.sha256}


class PgMember:
    """One dump for one backup: ``prepare`` (refuses early), then the hooks make.py calls.

    make.py (``BackupOptions.extras``): ``start`` when the job has its work folder, ``finish`` to get the
    file to stream (waits for pg_dump), ``section`` for the manifest, ``close`` before the work folder is
    removed (stops pg_dump when the backup failed).
    """

    flag = FLAG

    def __init__(self, source: PgSource, tool: str, tool_version: str, server: ServerFacts) -> None:
        self.source, self.tool, self.tool_version, self.server = source, tool, tool_version, server
        self.member = pgdump_rel(server.database)
        self.facts: PgDumpFacts | None = None
        self._thread: threading.Thread | None = None
        self._cancel: LinkedCancel | None = None
        self._done: PgDump | None = None
        self._error: BaseException | None = None

    @classmethod
    def prepare(cls, source: PgSource) -> PgMember:
        """pg_dump found and new enough, the server reachable: raises PgDumpMissing (exit 20) or MigrateError."""
        tool = find_pg_dump()
        shown, tool_num = tool_version(tool)
        server = server_facts(source)
        if tool_num < major_of(server.version_num):
            raise PgDumpTooOld(f"pg_dump {shown} ({tool}) is older than the server (PostgreSQL {server.version}) "
                               "and would refuse to dump it: install the client tools of the server's version "
                               f"(Debian: apt-get install postgresql-client-{major_of(server.version_num) // 10000})")
        return cls(source, tool, shown, server)

    def start(self, work: Path, cancel: CancelFlag) -> None:
        """Run pg_dump into the work folder in a thread (the SQLite stores stream meanwhile)."""
        self._cancel = LinkedCancel(cancel)
        dest = work / PG_DIR / Path(self.member).name
        self._thread = threading.Thread(target=self._run, args=(dest,), name="pg_dump", daemon=True)
        self._thread.start()

    def _run(self, dest: Path) -> None:
        try:
            self._done = dump_database(self.source.conninfo, dest, self._cancel, self.tool, self.source.password)
        except BaseException as exc:  # handed to the job's thread by finish()
            self._error = exc

    def finish(self) -> list[tuple[Path, str, str, str]]:
        """(file, member rel, kind, source) to stream, once pg_dump is done; raises ArchiveError when it failed."""
        assert self._thread is not None
        self._thread.join()
        if isinstance(self._error, ArchiveError):
            raise self._error
        if self._error is not None:
            raise ArchiveError(str(self._error)) from self._error
        assert self._done is not None
        self.facts = PgDumpFacts(self.member, self.server.database, self.source.label, self.server.version,
                                 self.tool_version, self._done.size, self._done.sha256)
        return [(self._done.path, self.member, KIND, f"postgresql://{self.source.label}")]

    def section(self) -> tuple[str, Any]:
        """The manifest's key and value."""
        return PG_SECTION, [self.facts.as_json()] if self.facts else []

    def close(self, failed: bool) -> None:
        """Stop pg_dump (a failed backup) and wait for its thread, so the work folder can go."""
        if failed and self._cancel is not None:
            self._cancel.set()
        if self._thread is not None:
            self._thread.join()
