"""Restoring an archive's PostgreSQL dump into a database: ``restore ARCHIVE --database-url URL``.

The archive is read and checked first as by verify (hostile-archive
rules, every hash, ``pg_restore --list``, pgverify.py); a refused archive
changes nothing. Then the refusal rules of ``migrate`` apply: into a
target that already holds any of the dump's tables only with ``--replace``
(exit 4 otherwise, nothing changed). pg_restore runs in one transaction
(``--single-transaction --exit-on-error``): a failure, or a cancel that
stops it, leaves the target as it was. With ``--replace`` it drops what
it recreates first (``--clean --if-exists``). The password goes libpq's
ways only, as for the backup (pgmember.py).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..migrate.errors import MigrateError, TargetNotEmpty
from ..migrate.target import CONNECT_TIMEOUT_S
from ..pgdump import find_pg_tool, run_pg_tool
from .pgmember import PgSource
from .progress import CancelFlag

_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (.+) \S+$")


@dataclass
class PgRestoreResult:
    """What was restored, where."""

    member: str
    target: str
    tables: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """For ``--json-progress``."""
        return {"member": self.member, "database_url": self.target, "tables": self.tables, "replaced": self.replaced}


def find_pg_restore() -> str:
    """pg_restore on PATH; PgDumpMissing (exit 20) naming the package otherwise."""
    return find_pg_tool("pg_restore", "restore a PostgreSQL dump")


def dump_tables(tool: str, dump: Path) -> list[str]:
    """``schema.table`` of every table the dump creates (from ``pg_restore --list``)."""
    done = subprocess.run([tool, "--list", str(dump)], capture_output=True, text=True, errors="replace",
                          stdin=subprocess.DEVNULL, timeout=300, check=False)
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        raise MigrateError(f"pg_restore --list fails: {lines[-1] if lines else done.returncode}")
    return [f"{m.group(1)}.{m.group(2)}" for ln in done.stdout.splitlines() if (m := _TABLE.match(ln))]


def existing(source: PgSource, tables: list[str]) -> list[str]:
    """Which of ``tables`` (``schema.table``) the target already has."""
    import psycopg

    extra: dict[str, Any] = {"password": source.password} if source.password else {}
    pairs = [t.split(".", 1) for t in tables]
    try:
        with psycopg.connect(source.conninfo, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True,
                             application_name="lifeos-desk restore", **extra) as con:
            rows = con.execute("SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n "
                               "ON n.oid = c.relnamespace WHERE (n.nspname, c.relname) IN "
                               "(SELECT * FROM unnest(%s::text[], %s::text[]))",
                               ([p[0] for p in pairs], [p[1] for p in pairs])).fetchall()
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MigrateError(f"cannot connect to {source.label}: {first}") from None
    return sorted(str(r[0]) for r in rows)


def restore_dump(dump: Path, member: str, source: PgSource, replace: bool, cancel: CancelFlag) -> PgRestoreResult:
    """pg_restore ``dump`` into the target in one transaction; TargetNotEmpty without ``replace``."""
    tool = find_pg_restore()
    tables = dump_tables(tool, dump)
    present = existing(source, tables)
    if present and not replace:
        raise TargetNotEmpty(f"{source.label} already has {', '.join(present)}: nothing was changed "
                             "(use --replace to drop and restore them)")
    argv = [tool, "--single-transaction", "--exit-on-error", "--no-password", f"--dbname={source.conninfo}"]
    if replace:
        argv += ["--clean", "--if-exists"]
    env = {**os.environ, "PGAPPNAME": "lifeos-desk restore", "PGCONNECT_TIMEOUT": str(CONNECT_TIMEOUT_S)}
    if source.password:
        env["PGPASSWORD"] = source.password
    _run(argv + [str(dump)], env, cancel, source.label)
    return PgRestoreResult(member, source.label, tables, present)


def _run(argv: list[str], env: dict[str, str], cancel: CancelFlag, label: str) -> None:
    """pg_restore to its end; terminated on cancel (its transaction is rolled back: the target is unchanged)."""
    returncode, text = run_pg_tool(argv, env, cancel, "cancelled: pg_restore stopped, its transaction rolled back")
    if returncode != 0:
        why = next((ln for ln in text if "error" in ln.lower()), text[-1] if text else f"exit {returncode}")
        raise MigrateError(f"pg_restore into {label} failed, nothing was changed: {why}")
