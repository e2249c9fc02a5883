"""The console's own audit entries, appended to the bot's audit log.

Shape: ADR-005's ``AuditLog.log(event, **kwargs)`` — ``timestamp`` (ISO-8601,
UTC, +00:00), ``event``, then the caller's fields, plus the OS user and
``"source": "lifeos-desk"``. Each entry is one ``os.write`` of one whole line
on an ``O_APPEND`` descriptor, so a concurrent writer's lines are never
interleaved mid-line (POSIX appends of a single write are atomic for regular
files on local filesystems). Callers must never pass a secret.
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .paths import DataPaths

SOURCE = "lifeos-desk"


def audit_log_path(paths: DataPaths) -> Path:
    """Where the console appends its audit entries: the first log folder's audit.jsonl."""
    return (paths.logs[0] if paths.logs else paths.home / "logs") / "audit.jsonl"


def os_user() -> str:
    """The OS account running the console (for the audit trail)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def audit_line(event: str, fields: dict[str, Any], now: datetime | None = None) -> bytes:
    """One encoded JSONL entry, newline included."""
    entry: dict[str, Any] = {"timestamp": (now or datetime.now(UTC)).isoformat(), "event": event}
    entry.update(fields)
    entry.setdefault("os_user", os_user())
    entry["source"] = SOURCE
    return (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")


class AuditWriter:
    """Appends entries to one audit.jsonl (created with its folder if missing)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def log(self, event: str, **fields: Any) -> None:
        """Append one entry as one write; raises OSError if it cannot."""
        data = audit_line(event, fields)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            written = os.write(fd, data)
            if written != len(data):  # pragma: no cover - disk full mid-write
                raise OSError(f"short write to {self.path}: {written} of {len(data)} bytes")
        finally:
            os.close(fd)
