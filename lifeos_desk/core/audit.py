"""The console's own audit entries, written in the shape of the file they go into.

The console appends to the first log folder's ``audit.jsonl``, a file the bot
also writes and reads. Its own reader (the deployed ``AuditTrail.query()``)
indexes ``event["timestamp"]`` as a number and ``event["event_type"]``,
``event["actor_id"]``, ``event["resource_type"]`` on every line and skips only
lines that are not JSON, so a line of another shape makes it raise. Hence
each entry takes the shape of the file (docs/data-formats.md, "JSONL logs"):

- ``ADR``: ADR-005's ``AuditLog.log(event, **kwargs)`` — ``timestamp``
  (ISO-8601, UTC, +00:00), ``event``, the caller's fields, the OS user and
  ``"source": "lifeos-desk"``.
- ``TRAIL``: the deployed audit trail — epoch ``timestamp``, ``event_type``
  ``"admin_action"``, ``actor_id`` (the OS user), ``action`` (the console's
  event name), ``resource_type``/``resource_id``, ``ip_address``,
  ``user_agent``, ``details`` (the caller's fields), ``success``,
  ``error_message``, ``timestamp_iso`` (local, no zone, as the bot writes it).
- ``CHAIN``: the deployed ``AuditLogger`` — ``category``, ``action``, …,
  ``previous_hash``/``entry_hash``. When the file's last entry carries a hash,
  the chain is continued (the bot's own rule: first 16 hex digits of SHA-256
  over timestamp, category, action, user_id, ``str(details)`` and the previous
  hash); otherwise both stay null as the bot leaves them.
- ``ARRAY``: the treasury's whole-file JSON array. Appending a line would
  break it, so the entry goes (ADR-shaped) into ``lifeos-desk-audit.jsonl``
  beside it.

The shape comes from the file's newest lines that are not the console's own
(an older console may have left ADR lines in a bot's file), then from its
newest rotated sibling, then from the home's schema kind, else ADR. Each entry
is one ``os.write`` of one whole line on an ``O_APPEND`` descriptor, so a
concurrent writer's lines are never interleaved mid-line. (The bot takes no
lock either, so a bot entry appended between our read of the last hash and
our write would fork a chain; the bot keeps its chain off by default.)
Callers must never pass a secret.
"""

from __future__ import annotations

import enum
import getpass
import hashlib
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .paths import DataPaths
from .schema import SchemaKind

SOURCE = "lifeos-desk"
#: Where entries go when the audit file must not be appended to (the treasury's JSON array).
OWN_FILE = "lifeos-desk-audit.jsonl"
TRAIL_EVENT_TYPE = "admin_action"
_TAIL_BYTES = 64 << 10
_FLAGS_READ = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
#: O_NONBLOCK: a FIFO at the path fails at once (ENXIO) instead of blocking the caller.
_FLAGS_APPEND = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0)


class Shape(enum.Enum):
    """The kinds of audit file the console may append to."""

    ADR = "ADR-005 AuditLog"
    TRAIL = "deployed audit trail"
    CHAIN = "deployed audit logger"
    ARRAY = "treasury JSON array"


def audit_log_path(paths: DataPaths) -> Path:
    """Where the console appends its audit entries: the first log folder's audit.jsonl."""
    return (paths.logs[0] if paths.logs else paths.home / "logs") / "audit.jsonl"


def os_user() -> str:
    """The OS account running the console (for the audit trail)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields as JSON gives them back (paths and other objects as text), so a hash over
    ``str(details)`` is the same when the bot recomputes it from the file."""
    plain: dict[str, Any] = json.loads(json.dumps(fields, ensure_ascii=False, default=str))
    return plain


def audit_line(event: str, fields: dict[str, Any], now: datetime | None = None) -> bytes:
    """One ADR-shaped JSONL entry, newline included."""
    entry: dict[str, Any] = {"timestamp": (now or datetime.now(UTC)).isoformat(), "event": event}
    entry.update(fields)
    entry.setdefault("os_user", os_user())
    entry["source"] = SOURCE
    return _encode(entry)


def trail_line(event: str, fields: dict[str, Any], now: datetime | None = None) -> bytes:
    """One entry in the deployed audit trail's shape: every key its reader touches, typed as it expects."""
    moment = now or datetime.now(UTC)
    details = _plain(fields)
    actor = str(details.pop("os_user", None) or os_user())
    success = details.get("success", True)
    error = details.get("error", "")
    details["source"] = SOURCE
    entry = {
        "timestamp": moment.timestamp(),
        "event_type": TRAIL_EVENT_TYPE,
        "actor_id": actor,
        "action": event,
        "resource_type": SOURCE,
        "resource_id": str(next((details[k] for k in ("table", "archive", "wallet", "path") if k in details), "")),
        "ip_address": "",
        "user_agent": SOURCE,
        "details": details,
        "success": success if isinstance(success, bool) else True,
        "error_message": error if isinstance(error, str) else str(error),
        "timestamp_iso": datetime.fromtimestamp(moment.timestamp()).isoformat(),  # local, no zone (the bot's)
    }
    return _encode(entry)


def chain_hash(entry: dict[str, Any]) -> str:
    """The deployed audit logger's entry hash (its ``compute_hash``, restated)."""
    data = (f"{entry['timestamp']}{entry['category']}{entry['action']}{entry['user_id']}"
            f"{entry['details']}{entry['previous_hash']}")
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def chain_line(event: str, fields: dict[str, Any], previous: str | None, now: datetime | None = None) -> bytes:
    """One entry in the deployed audit logger's shape; hashed when ``previous`` continues a chain."""
    details = _plain(fields)
    details["source"] = SOURCE
    entry: dict[str, Any] = {
        "timestamp": (now or datetime.now(UTC)).isoformat(), "category": "system", "action": event,
        "user_id": str(details.pop("os_user", None) or os_user()), "resource": SOURCE, "details": details,
        "severity": "info", "success": True, "ip_address": None, "user_agent": SOURCE, "session_id": None,
        "request_id": None, "previous_hash": previous, "entry_hash": None,
    }
    if previous is not None:
        entry["entry_hash"] = chain_hash(entry)
    return _encode(entry)


def _encode(entry: dict[str, Any]) -> bytes:
    return (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")


# -- the shape of a file ----------------------------------------------------------
def shape_of(entry: object) -> Shape | None:
    """The shape of one parsed line, or None when it is none of the known ones."""
    if not isinstance(entry, dict):
        return None
    stamp = entry.get("timestamp")
    if "event_type" in entry and isinstance(stamp, int | float) and not isinstance(stamp, bool):
        return Shape.TRAIL
    if "category" in entry and "entry_hash" in entry and isinstance(stamp, str):
        return Shape.CHAIN
    if "event" in entry and isinstance(stamp, str):
        return Shape.ADR
    return None


def _read_ends(path: Path) -> tuple[bytes, bytes]:
    """(first 4 KB, last 64 KB) of a regular file; empty when missing, unreadable or not a regular file."""
    try:
        fd = os.open(path, _FLAGS_READ)
    except OSError:
        return b"", b""
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return b"", b""
        head = os.pread(fd, 4096, 0)
        tail = os.pread(fd, _TAIL_BYTES, max(st.st_size - _TAIL_BYTES, 0))
        return head, tail
    except OSError:
        return b"", b""
    finally:
        os.close(fd)


def _last_entries(tail: bytes) -> list[dict[str, Any]]:
    """The whole lines of a file's tail that are JSON objects, newest first."""
    found = []
    for line in reversed(tail.split(b"\n")[1:] if len(tail) >= _TAIL_BYTES else tail.split(b"\n")):
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            found.append(obj)
    return found


def file_shape(path: Path) -> tuple[Shape | None, list[dict[str, Any]]]:
    """The shape of an existing audit file (None: empty or unknown) and its newest entries."""
    head, tail = _read_ends(path)
    if head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"[":
        return Shape.ARRAY, []
    entries = _last_entries(tail)
    bot = [shape_of(e) for e in entries if e.get("source") != SOURCE]
    ours = [shape_of(e) for e in entries]
    shape = next((s for s in bot if s is not None), None) or next((s for s in ours if s is not None), None)
    return shape, entries


def _sibling_shape(path: Path) -> Shape | None:
    """The shape of the newest rotated sibling (``audit.<YYYYmmdd_HHMMSS>.jsonl``)."""
    stem = path.name.removesuffix(".jsonl")
    try:
        siblings = sorted(p for p in path.parent.glob(f"{stem}.*.jsonl") if p != path)
    except OSError:
        return None
    for sibling in reversed(siblings[-3:]):
        shape, _ = file_shape(sibling)
        if shape is not None and shape is not Shape.ARRAY:
            return shape
    return None


class AuditWriter:
    """Appends entries to one audit.jsonl (created with its folder if missing), in that file's shape.

    ``schema`` is the home's schema kind: it decides the shape of a file that is
    empty or new (deployed: the audit trail's, else ADR-005's).
    """

    def __init__(self, path: Path, schema: SchemaKind | None = None) -> None:
        self.path = path
        self.schema = schema

    def plan(self, event: str, fields: dict[str, Any]) -> tuple[Path, bytes]:
        """Where the entry goes and its bytes (reads the file's newest lines; writes nothing)."""
        shape, entries = file_shape(self.path)
        if shape is None:
            shape = _sibling_shape(self.path) or (Shape.TRAIL if self.schema is SchemaKind.DEPLOYED else Shape.ADR)
        if shape is Shape.ARRAY:
            return self.path.with_name(OWN_FILE), audit_line(event, fields)
        if shape is Shape.TRAIL:
            return self.path, trail_line(event, fields)
        if shape is Shape.CHAIN:
            last = entries[0].get("entry_hash") if entries else None
            return self.path, chain_line(event, fields, last if isinstance(last, str) else None)
        return self.path, audit_line(event, fields)

    def log(self, event: str, **fields: Any) -> None:
        """Append one entry as one write; raises OSError if it cannot."""
        path, data = self.plan(event, fields)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, _FLAGS_APPEND, 0o600)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(f"{path} is not a regular file")
            written = os.write(fd, data)
            if written != len(data):  # pragma: no cover - disk full mid-write
                raise OSError(f"short write to {path}: {written} of {len(data)} bytes")
        finally:
            os.close(fd)


def console_entries(path: Path) -> list[dict[str, Any]]:
    """The console's own entries in an audit file (or in the file beside it), each as the ADR shape
    gives them: ``timestamp``, ``event``, the caller's fields, ``os_user``, ``source``.

    For tests and reports; the bot's lines are left out. Unreadable lines are skipped.
    """
    found: list[dict[str, Any]] = []
    for where in (path, path.with_name(OWN_FILE)):
        try:
            lines = where.read_bytes().splitlines()
        except OSError:
            continue
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            plain = _as_adr(entry)
            if plain is not None:
                found.append(plain)
    return found


def _as_adr(entry: object) -> dict[str, Any] | None:
    shape = shape_of(entry)
    if not isinstance(entry, dict) or shape is None:
        return None
    if shape is Shape.ADR:
        return entry if entry.get("source") == SOURCE else None
    details = entry.get("details")
    if not isinstance(details, dict) or details.get("source") != SOURCE:
        return None
    actor = entry.get("actor_id") if shape is Shape.TRAIL else entry.get("user_id")
    return {"timestamp": entry["timestamp"], "event": entry.get("action"), **details, "os_user": actor}
