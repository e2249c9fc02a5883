"""A real PostgreSQL server for the tests: initdb + pg_ctl in a temporary directory.

Why a real server: the migration is only proven against PostgreSQL's own
COPY parser, types and SQL (no mock database, tests/README rule). The
server refuses to run as root, so under root it runs as the unprivileged
``postgres`` user that Debian's package creates (docs/architecture.md,
"PostgreSQL"); its data directory and unix socket live in a temp dir that
user owns, it listens on 127.0.0.1 on a free port with trust auth, and it is
stopped when the session ends.

Missing binaries: a local run skips with the reason; with ``CI`` set the
tests FAIL instead (CI installs ``postgresql`` and ``libpq5``, .ci/run).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "lifeos_test"


def find_bindir() -> Path | None:
    """The newest /usr/lib/postgresql/<v>/bin holding initdb and pg_ctl (or initdb on PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                        if Path(p).parent.name.isdigit() else 0)
    for cand in reversed(candidates):
        if (Path(cand) / "initdb").exists() and (Path(cand) / "pg_ctl").exists():
            return Path(cand)
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _runner() -> list[str]:
    """The command prefix that drops root (the server refuses to run as root)."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError("running as root and runuser is missing: cannot start PostgreSQL unprivileged")
    return [runuser, "-u", "postgres", "--"]


@dataclass
class PgServer:
    """A running test server; ``url(db)`` is a libpq URL without any password."""

    bindir: Path
    root: Path
    port: int

    @property
    def data(self) -> Path:
        """The data directory."""
        return self.root / "data"

    def url(self, db: str = "postgres") -> str:
        """postgresql://SUPERUSER@127.0.0.1:PORT/db."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{db}"

    def create_database(self, name: str) -> str:
        """A fresh empty database; returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}"')
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Remove a test database (connections are forced off)."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")


def start_server(bindir: Path) -> PgServer:
    """initdb + pg_ctl start in a new temp dir owned by the server's user."""
    root = Path(tempfile.mkdtemp(prefix="lifeos-pg-"))
    prefix = _runner()
    if prefix:
        shutil.chown(root, user="postgres", group="postgres")
    os.chmod(root, 0o700)
    server = PgServer(bindir, root, _free_port())
    _run([*prefix, str(bindir / "initdb"), "-D", str(server.data), "-U", SUPERUSER, "-A", "trust",
          "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], "initdb")
    options = (f"-c listen_addresses=127.0.0.1 -p {server.port} -k {root} -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off")
    _run([*prefix, str(bindir / "pg_ctl"), "-D", str(server.data), "-l", str(root / "server.log"),
          "-o", options, "-w", "-t", "60", "start"], "pg_ctl start")
    return server


def stop_server(server: PgServer) -> None:
    """pg_ctl stop -m fast, then remove the temp dir."""
    subprocess.run([*_runner(), str(server.bindir / "pg_ctl"), "-D", str(server.data), "-m", "fast", "-w",
                    "stop"], capture_output=True, check=False)
    shutil.rmtree(server.root, ignore_errors=True)


def unavailable(reason: str) -> None:
    """Skip locally; fail in CI, where the server must be there (.ci/run installs it)."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason} (apt-get install postgresql libpq5)")


def server_session() -> Iterator[PgServer]:
    """Generator behind the session fixture ``pg_server``."""
    bindir = find_bindir()
    if bindir is None:
        unavailable("initdb/pg_ctl not found under /usr/lib/postgresql/*/bin or on PATH")
        return
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("the psycopg package is not installed")
        return
    server = start_server(bindir)
    try:
        yield server
    finally:
        stop_server(server)
