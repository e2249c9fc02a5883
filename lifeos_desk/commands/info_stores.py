"""The ``stores`` part of ``lifeos-desk info``: every store found, as JSON objects and as text lines.

One object per store: ``path`` (absolute), ``tree`` (home / bot), ``kind``
(sqlite, json, jsonl, keys, text-log, unknown), ``role``, ``label``,
``size``, ``modified`` (UTC ISO), ``journal``, ``risks`` (words, including
"not in any backup"), ``covered`` and, for SQLite, ``tables`` (name -> row
count, read through QtSql read-only, so rows still only in a ``-wal`` file
are counted) or ``error`` when the file could not be read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..core.coverage import newest_coverage
from ..core.discovery import FoundStore, discover
from ..core.paths import DataPaths
from ..core.stores import StoreKind, StoreRole, role_text

NOT_BACKED_UP = "not in any backup"


def _tables(store: FoundStore, busy_timeout_ms: int) -> dict[str, Any]:
    from ..db.connection import Database
    from ..db.errors import DatabaseError

    db = Database(store.path, read_only=True, busy_timeout_ms=busy_timeout_ms)
    try:
        return {"tables": {t: db.row_count(t) for t in db.tables()}}
    except DatabaseError as exc:
        return {"error": str(exc)}
    finally:
        db.close()


def describe_stores(paths: DataPaths, busy_timeout_ms: int = 30_000) -> list[dict[str, Any]]:
    """Every store under the home and the bot checkout, with coverage and (SQLite) row counts."""
    found = discover(paths.home, paths.bot_dir, backups_dir=paths.backups)
    coverage = newest_coverage(paths)
    out = []
    for store in found.stores:
        covered = coverage.covers(store.path)
        risks = sorted(r.value for r in store.risks) + ([] if covered else [NOT_BACKED_UP])
        item: dict[str, Any] = {
            "path": str(store.path.absolute()), "tree": store.tree.value, "kind": store.kind.value,
            "role": store.role.value if store.role else None, "label": store.label, "size": store.size,
            "modified": datetime.fromtimestamp(store.mtime, UTC).isoformat(timespec="seconds"),
            "journal": store.journal, "has_wal": store.has_wal, "risks": risks, "covered": covered,
        }
        if store.kind is StoreKind.SQLITE:
            item.update(_tables(store, busy_timeout_ms))
        out.append(item)
    return out


def store_lines(stores: list[dict[str, Any]]) -> list[str]:
    """The text form: one line per store, its tables indented under it."""
    lines = [f"stores ({len(stores)} found, {sum(bool(s['risks']) for s in stores)} at risk):"]
    for s in stores:
        facts = [s["kind"], role_text(None if s["role"] is None else StoreRole(s["role"])),
                 f"{s['size']:,} bytes", f"written {s['modified']}"]
        if s["journal"]:
            facts.append(f"journal {s['journal']}")
        lines.append(f"  {s['path']}")
        lines.append(f"      {', '.join(facts)}" + (f"; at risk: {', '.join(s['risks'])}" if s["risks"] else ""))
        for table, n in s.get("tables", {}).items():
            lines.append(f"        {table:<24} {n:>12,}")
        if s.get("error"):
            lines.append(f"        cannot be read: {s['error']}")
    return lines
