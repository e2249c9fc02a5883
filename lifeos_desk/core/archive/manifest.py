"""``backups/<DATE>/manifest.json``: what the archive holds, written as its last member.

Last, because it records each member's SHA-256 and the copy's
integrity_check, which are known only once everything has been streamed.
Format version 1::

    {"format": "lifeos-desk-backup", "format_version": 1, "app_version": "...",
     "created": "<ISO UTC>", "date": "<DATE>", "purpose": "regular" | "safety",
     "source": {"home": ..., "database": ..., "logs": [...], "backups": ...},
     "database": {"member": "public_users.db", "page_size": n, "page_count": n,
                  "journal_mode": "wal" | "delete" | ..., "schema": "ADR-005" | ...,
                  "tables": {"users": n, ...}, "integrity_check": ["ok"],
                  "check": "integrity_check" | "quick_check"},
     "databases": [{"member": "home/fees.db", "source": "/abs/path", "page_size": n, "page_count": n,
                    "journal_mode": ..., "tables": {...}, "integrity_check": [...], "check": ...}, ...],
     "members": [{"name": "public_users.db", "kind": "database" | "state" | "log" | "store" | "store-log",
                  "size": n, "sha256": "...", "source": "/abs/path"}, ...]}

``postgresql`` (a PostgreSQL session's dumps, archive/pgmember.py:
``[{"member": "postgresql/<db>.dump", "format": "custom", "database": ...,
"target": "user@host:port/db", "server_version": ..., "pg_dump_version": ...,
"size": n, "sha256": ...}]``) is absent when there is none.
``databases`` (the whole-home backup's other SQLite stores, each its own
snapshot) is absent from older archives; readers treat it as empty.
``source.bot_dir`` is the bot checkout the ``bot/`` members came from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ... import __version__
from ..paths import DataPaths
from .snapshot import DbFacts

FORMAT = "lifeos-desk-backup"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class MemberRecord:
    """One archived file as the manifest lists it."""

    name: str
    kind: str
    size: int
    sha256: str
    source: str

    def as_json(self) -> dict[str, Any]:
        """The manifest entry."""
        return {"name": self.name, "kind": self.kind, "size": self.size, "sha256": self.sha256, "source": self.source}


def build(paths: DataPaths, date: str, created: datetime, purpose: str, source_journal: str, db: DbFacts,
          members: list[MemberRecord], databases: list[dict[str, Any]] | None = None,
          sections: dict[str, Any] | None = None) -> bytes:
    """The manifest's bytes (UTF-8 JSON, indented so an admin can read it after ``tar -xzf``)."""
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": __version__,
        "created": created.isoformat(),
        "date": date,
        "purpose": purpose,
        "source": {"home": str(paths.home), "database": str(paths.db), "logs": [str(p) for p in paths.logs],
                   "backups": str(paths.backups), "bot_dir": str(paths.bot_dir) if paths.bot_dir else None},
        "database": {"member": "public_users.db", "page_size": db.page_size, "page_count": db.page_count,
                     "journal_mode": source_journal, "schema": db.schema.value, "tables": db.tables,
                     "integrity_check": db.integrity, "check": db.check},
        "databases": databases or [],
        **(sections or {}),
        "members": [m.as_json() for m in members],
    }
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def listed_members(manifest: dict[str, Any]) -> dict[str, tuple[int, str]] | None:
    """name -> (size, sha256) from a manifest; None when the list is malformed."""
    items = manifest.get("members")
    if not isinstance(items, list):
        return None
    out: dict[str, tuple[int, str]] = {}
    for m in items:
        if not (isinstance(m, dict) and isinstance(m.get("name"), str) and isinstance(m.get("size"), int)
                and isinstance(m.get("sha256"), str)):
            return None
        out[m["name"]] = (m["size"], m["sha256"])
    return out
