"""Verifying a PostgreSQL dump member: its hash (as every member) and ``pg_restore --list`` reading it.

The size and SHA-256 are compared with the manifest's member list like any
other member (verify.py) and with its ``postgresql`` section here. Then
``pg_restore --list`` must read the dump's table of contents: a file of the
right hash that pg_restore cannot read would otherwise pass. Without
pg_restore on PATH this part is reported as not checked (never as a
failure: the hash check stands on its own), docs/architecture.md,
'A manifest is a claim'.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .layout import PG_SECTION, Kind

LIST_TIMEOUT_S = 300
NOT_CHECKED = "not checked: pg_restore missing"


@dataclass(frozen=True)
class PgListing:
    """What ``pg_restore --list`` said: ok True/False, None when not run; entries in its table of contents."""

    ok: bool | None
    detail: str
    entries: int = 0

    def as_json(self) -> dict[str, Any]:
        """For the verify report."""
        return {"pg_restore": "ok" if self.ok else self.detail, "entries": self.entries}


def pg_restore_list(path: Path) -> PgListing:
    """Run ``pg_restore --list`` on the dump; the TOC entries counted, the last error line kept."""
    tool = shutil.which("pg_restore")
    if tool is None:
        return PgListing(None, NOT_CHECKED)
    try:
        done = subprocess.run([tool, "--list", str(path)], capture_output=True, text=True, errors="replace",
                              timeout=LIST_TIMEOUT_S, stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        return PgListing(False, f"pg_restore --list did not finish within {LIST_TIMEOUT_S} s")
    except OSError as exc:
        return PgListing(False, f"pg_restore --list could not run: {exc}")
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        return PgListing(False, f"pg_restore --list fails: {lines[-1] if lines else f'exit {done.returncode}'}")
    entries = sum(1 for ln in done.stdout.splitlines() if ln.strip() and not ln.startswith(";"))
    return PgListing(True, "ok", entries)


def pg_problems(manifest: dict[str, Any] | None, dumps: dict[str, tuple[int, str]],
                listings: dict[str, PgListing]) -> list[str]:
    """Each dump as the manifest's ``postgresql`` section describes it, and readable by pg_restore.

    ``dumps``: member rel -> (size, sha256) as read from the archive.
    """
    problems: list[str] = []
    listed = {d.get("member"): d for d in (manifest or {}).get(PG_SECTION) or [] if isinstance(d, dict)}
    for rel, (size, sha) in dumps.items():
        want = listed.get(rel)
        if manifest is not None and want is None:
            problems.append(f"{rel} is a PostgreSQL dump the manifest does not describe")
        elif want is not None and (want.get("size") != size or want.get("sha256") != sha):
            problems.append(f"{rel} does not match the size and SHA-256 of the manifest's postgresql section")
        got = listings.get(rel)
        if got is not None and got.ok is False:
            problems.append(f"{rel}: {got.detail}")
    problems += [f"{rel} is listed as a PostgreSQL dump in the manifest but missing" for rel in listed
                 if isinstance(rel, str) and rel not in dumps]
    return problems


def restore_hint(archive: Path, member: str, date: str) -> str:
    """How to restore a dump by hand (a plain ``restore`` writes the SQLite home only; ``--database-url`` does this)."""
    inner = f"backups/{date}/{member}"
    return (f"tar -xzf {archive} {inner} && pg_restore --clean --if-exists "
            f"--dbname=postgresql://USER@HOST:PORT/DB {inner}")


def dump_notes(scan: Any) -> list[dict[str, str]]:
    """The restore preview's note per dump: not restored by a plain restore, and the command that does it."""
    return [{"member": rel, "command": restore_hint(scan.archive, rel, scan.date)}
            for rel, m in scan.members.items() if m.name.kind is Kind.PGDUMP]


def refusal(scan: Any) -> str:
    """Why an archive of a PostgreSQL session without public_users.db is not restored, and what to run."""
    notes = dump_notes(scan)
    return ("refused: the archive holds a PostgreSQL dump and no public_users.db; restore the dump with "
            f"lifeos-desk restore {scan.archive.name} --database-url postgresql://USER@HOST:PORT/DB [--replace], "
            "or by hand: " + "; ".join(n["command"] for n in notes))
