"""Backup of a PostgreSQL database: ``pg_dump --format=custom`` into a file, with its SHA-256.

Issue 16: a PostgreSQL home is backed up with PostgreSQL's own tool when it
is on PATH (Debian: ``postgresql-client``), and says clearly when it is not.
The archive member built from it (``postgresql/<db>.dump``, its hash in
the manifest) is ``archive/pgmember.py``; this is the Qt-free step it calls.

Rules kept: the URL carries no password (pg_dump's argv is visible in the
process list; libpq's ``~/.pgpass``, ``PGPASSWORD`` or a service file
apply); the dump is written to a temporary name in the destination folder
and renamed only when pg_dump succeeded, so a failure or a cancel leaves no
half-written file; pg_dump's own session is read-only
(``default_transaction_read_only``), as every session the console opens.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .archive.errors import Cancelled
from .archive.progress import CancelFlag
from .migrate.errors import MigrateError
from .migrate.target import check_target, describe

_POLL_S = 0.2
_CHUNK = 1 << 20


EXIT_PG_TOOL = 20  # pg_dump/pg_restore missing, or older than the server (README, 'Exit codes')


class PgDumpMissing(MigrateError):
    """pg_dump is not installed (or not on PATH), or too old for the server."""

    exit_code = EXIT_PG_TOOL


@dataclass(frozen=True)
class PgDump:
    """The dump file, its SHA-256 (hex) and size."""

    path: Path
    sha256: str
    size: int


def find_pg_tool(name: str, purpose: str) -> str:
    """``name`` (pg_dump, pg_restore) on PATH; PgDumpMissing (exit 20) naming the package to install otherwise."""
    found = shutil.which(name)
    if found is None:
        raise PgDumpMissing(f"{name} is not on PATH: install PostgreSQL's client tools (Debian: "
                            f"apt-get install postgresql-client) to {purpose}")
    return found


def find_pg_dump() -> str:
    """The pg_dump on PATH; PgDumpMissing with the package to install otherwise."""
    return find_pg_tool("pg_dump", "back up a PostgreSQL database")


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def run_pg_tool(argv: list[str], env: dict[str, str], cancel: CancelFlag | None,
                cancelled: str = "") -> tuple[int, list[str]]:
    """Run a PostgreSQL client tool (pg_dump, pg_restore) to its end: (exit status, its non-blank stderr lines).

    Polled so a cancel terminates it (raising ``Cancelled(cancelled)``); never left running on any path.
    """
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        try:
            while True:
                try:
                    proc.wait(_POLL_S)
                    break
                except subprocess.TimeoutExpired:
                    if cancel is not None and cancel.is_set():
                        proc.terminate()
                        proc.wait()
                        raise Cancelled(cancelled) if cancelled else Cancelled() from None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        errors.seek(0)
        return proc.returncode, [ln for ln in errors.read().decode(errors="replace").splitlines() if ln.strip()]


def dump_database(url: str, dest: Path, cancel: CancelFlag | None = None, pg_dump: str | None = None,
                  password: str = "") -> PgDump:
    """Run ``pg_dump --format=custom`` for ``url`` into the file ``dest`` (replaced only on success).

    ``password`` (from DATABASE_URL or the window's prompt) reaches pg_dump as ``PGPASSWORD`` in its
    environment only, never on its argv.
    """
    params = check_target(url)
    tool = pg_dump or find_pg_dump()
    if not Path(tool).is_file():
        raise PgDumpMissing(f"pg_dump not found at {tool}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    env = {**os.environ, "PGOPTIONS": "-c default_transaction_read_only=on",
           "PGAPPNAME": "lifeos-desk backup", "PGCONNECT_TIMEOUT": "10"}
    if password:
        env["PGPASSWORD"] = password
    try:
        returncode, text = run_pg_tool([tool, "--format=custom", "--no-password", f"--file={tmp}",
                                        f"--dbname={url}"], env, cancel)
        if returncode != 0:
            why = text[-1] if text else f"exit status {returncode}"
            raise MigrateError(f"pg_dump of {describe(params)} failed: {why}")
        result = PgDump(dest, sha256_of(tmp), tmp.stat().st_size)
        os.replace(tmp, dest)
        return result
    finally:
        tmp.unlink(missing_ok=True)
