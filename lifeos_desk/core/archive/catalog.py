"""The backups folder: listing, retention, verification records, leftovers.

The console keeps one small JSON file there, ``.lifeos-desk-backups.json``:
the last verification result of each archive (keyed by name, valid while
the archive's size and mtime are unchanged) and the name of the safety
archive of the last restore (retention never deletes it). Archives are told
apart by their first kilobyte (the console's pax comment, ``gz.py``), so
listing never reads a whole archive.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..settings import atomic_write_text
from ..times import json_time, local_naive_as_utc, parse_stored_time
from .errors import ArchiveError
from .gz import comment_flags, parse_comment, read_comment
from .layout import DATE_FORMAT, date_of

INDEX = ".lifeos-desk-backups.json"
CONSOLE, SCRIPT, UNREADABLE, UNRECOGNISED = "console", "script", "unreadable", "unrecognised"


@dataclass(frozen=True)
class ArchiveEntry:
    """One archive in the backups folder."""

    path: Path
    date: str  # "" for an unrecognised name
    when: datetime | None  # None for an unrecognised name
    size: int
    origin: str  # console | script | unreadable | unrecognised (a *.tar.gz whose name is no real DATE)
    purpose: str  # regular | safety | "" (script)
    check: dict[str, Any] | None  # last verification: {"ok", "message", "time"} or None
    postgresql: bool = False  # holds a PostgreSQL dump (its origin comment's ``+postgresql``, pgmember.py)

    def as_json(self) -> dict[str, Any]:
        """For ``lifeos-desk list --json``: times ISO-8601 in UTC with the zone (core/times.py, ``json_time``).

        ``date`` is the moment the name says (the ADR script names archives in
        local time); ``name_date`` is the name's own ``YYYYmmdd_HHMMSS``.
        """
        check = None if self.check is None else {
            **self.check, "time": json_time(parse_stored_time(self.check.get("time"))) or self.check.get("time")}
        return {"path": str(self.path), "date": json_time(local_naive_as_utc(self.when)) if self.when else None,
                "name_date": self.date, "size": self.size, "origin": self.origin, "purpose": self.purpose,
                "last_check": check, "postgresql": self.postgresql}


def _load(backups: Path) -> dict[str, Any]:
    try:
        data = json.loads((backups / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(backups: Path, data: dict[str, Any]) -> None:
    atomic_write_text(backups / INDEX, json.dumps(data, indent=1, sort_keys=True))


def _stamp(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def record_check(archive: Path, ok: bool, message: str) -> None:
    """Remember a verification result of an archive in its folder."""
    data = _load(archive.parent)
    checks = data.setdefault("checks", {})
    checks[archive.name] = {"ok": ok, "message": message, "time": datetime.now().astimezone().isoformat(),
                            "stamp": _stamp(archive)}
    _save(archive.parent, data)


def set_last_safety(backups: Path, name: str) -> None:
    """Remember the safety archive of the latest restore (protected from retention)."""
    data = _load(backups)
    data["last_restore_safety"] = name
    _save(backups, data)


def last_safety(backups: Path) -> str | None:
    """The safety archive of the latest restore, if recorded."""
    value = _load(backups).get("last_restore_safety")
    return value if isinstance(value, str) else None


def _check_of(data: dict[str, Any], path: Path) -> dict[str, Any] | None:
    found = data.get("checks", {}).get(path.name)
    if not isinstance(found, dict):
        return None
    try:
        if found.get("stamp") != _stamp(path):
            return None
    except OSError:
        return None
    return {k: found.get(k) for k in ("ok", "message", "time")}


def _origin(path: Path) -> tuple[str, str, bool]:
    """Who made it, its purpose, and whether it holds a PostgreSQL dump."""
    try:
        comment = read_comment(path)
    except ArchiveError:
        return UNREADABLE, "", False
    parsed = parse_comment(comment)
    return (CONSOLE, parsed[1], "+postgresql" in comment_flags(comment)) if parsed else (SCRIPT, "", False)


def list_archives(backups: Path) -> list[ArchiveEntry]:
    """Archives named ``<DATE>.tar.gz`` in the folder, newest first; then other ``*.tar.gz`` as unrecognised.

    A name is never parsed blindly: ``20261340_000000.tar.gz`` (no such
    month) or digits of another script are listed as unrecognised, by name.
    """
    if not backups.is_dir():
        return []
    data = _load(backups)
    out: list[ArchiveEntry] = []
    odd: list[ArchiveEntry] = []
    for path in backups.iterdir():
        if path.name.startswith(".") or not path.name.endswith(".tar.gz"):
            continue
        try:
            if not path.is_file():
                continue
            size = path.stat().st_size
        except OSError:
            continue  # deleted meanwhile
        date = date_of(path.name)
        if date is None:
            odd.append(ArchiveEntry(path, "", None, size, UNRECOGNISED, "", _check_of(data, path)))
            continue
        origin, purpose, pg = _origin(path)
        out.append(ArchiveEntry(path, date, datetime.strptime(date, DATE_FORMAT), size, origin, purpose,
                                _check_of(data, path), pg))
    return sorted(out, key=lambda e: e.date, reverse=True) + sorted(odd, key=lambda e: e.path.name)


def apply_retention(backups: Path, keep: int, protect: set[str] | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` archives; never the protected names nor the last safety archive.

    Protected archives count towards ``keep`` (so "keep 20" never holds more
    than 20 plus the protected ones). Returns the deleted paths.
    """
    keep = max(keep, 1)
    spared = set(protect or ()) | ({last_safety(backups)} - {None})
    names = sorted((p.name for p in backups.glob("*.tar.gz") if date_of(p.name)), reverse=True)
    deleted: list[Path] = []
    for name in names[keep:]:
        if name in spared:
            continue
        path = backups / name
        path.unlink(missing_ok=True)
        deleted.append(path)
    return deleted


def delete_archive(archive: Path) -> None:
    """Delete one archive (the window's Delete action) and forget its check."""
    archive.unlink()
    data = _load(archive.parent)
    if archive.name in data.get("checks", {}):
        del data["checks"][archive.name]
        _save(archive.parent, data)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(backups: Path) -> list[Path]:
    """Remove temporary files and folders left by a killed run (whose process is gone)."""
    import shutil

    removed: list[Path] = []
    for path in backups.glob(".*"):
        pid = _leftover_pid(path)
        if pid is None or _pid_alive(pid):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _leftover_pid(path: Path) -> int | None:
    """The pid in ``.<DATE>.tar.gz.<pid>.partial``, ``.lifeos-desk-tmp-<pid>-xxxx`` or a ``.<DATE>.tar.gz.claim``."""
    name = path.name
    parts: list[str] = []
    if name.endswith(".tar.gz.claim"):  # a backup's claim on its DATE: the pid is its content
        try:
            parts = [path.read_text().strip()]
        except OSError:
            parts = []
    elif name.endswith(".partial"):
        parts = name.split(".")[-2:-1]
    elif name.startswith(".lifeos-desk-tmp-"):
        parts = name[len(".lifeos-desk-tmp-"):].split("-")[:1]
    return int(parts[0]) if parts and parts[0].isdigit() else None
