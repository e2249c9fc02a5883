"""Which schema objects a restore would change: tables, indexes, views and triggers, with their SQL.

A restore brings in the archive's whole schema. A trigger planted in an
archive (``RAISE(ABORT)`` on insert) would make every later write of the
bot fail, so the preview lists every object that differs from the live
database, and a restore that changes any needs the admin's explicit
acceptance (``restore --accept-schema``, a tick in the window).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from .snapshot import connect, open_copy

Objects = dict[tuple[str, str], str]


def _objects(con: sqlite3.Connection) -> Objects:
    rows = con.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                       "AND name NOT LIKE 'sqlite_%'").fetchall()
    return {(str(t), str(n)): " ".join(str(s).split()) for t, n, s in rows}


def live_objects(path: Path) -> Objects:
    """The live database's schema objects (read-only); empty when there is no readable database."""
    if not path.is_file():
        return {}
    try:
        with closing(connect(path)) as con:
            con.execute("PRAGMA query_only=1")
            return _objects(con)
    except sqlite3.Error:
        return {}


def copy_objects(path: Path) -> Objects:
    """A private copy's schema objects."""
    with closing(open_copy(path)) as con:
        return _objects(con)


def schema_changes(now: Objects, archived: Objects) -> list[dict[str, Any]]:
    """Objects added, removed or changed by the restore: ``{"type", "name", "change", "sql_now", "sql_archive"}``."""
    out: list[dict[str, Any]] = []
    for key in sorted(set(now) | set(archived)):
        before, after = now.get(key), archived.get(key)
        if before == after:
            continue
        change = "added" if before is None else "removed" if after is None else "changed"
        out.append({"type": key[0], "name": key[1], "change": change, "sql_now": before, "sql_archive": after})
    return out


__all__ = ["copy_objects", "live_objects", "schema_changes"]
