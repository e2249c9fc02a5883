"""One log line as the viewer shows it, whatever wrote it (docs/data-formats.md, 'JSONL logs').

Writers differ: the ADR's ``AuditLog`` (``timestamp`` ISO with +00:00,
``event``), the deployed audit trail (epoch ``timestamp``, ``event_type``,
``actor_id``, ``success``, ``timestamp_iso`` local without zone), the
structured logger (``...Z`` timestamps, ``level``, ``message``,
``event_name``), ``trading.jsonl`` (``event``). ``normalise`` maps each onto
the same columns without configuration; ``parse_line`` never raises, so a
malformed line is shown as such instead of stopping the viewer.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..times import as_utc

#: Lines longer than this are not parsed (a megabyte line is almost surely junk).
MAX_PARSE_BYTES = 1 << 20
#: How much raw text of a line is kept for display.
MAX_RAW_CHARS = 64 * 1024

TIME_KEYS = ("timestamp", "timestamp_iso", "time", "ts")
EVENT_KEYS = ("event", "event_type", "event_name", "action", "message")
ACTOR_KEYS = ("actor_id", "user_id", "os_user")
#: Keys shown in their own columns, so the summary leaves them out.
CONSUMED = frozenset({*TIME_KEYS, "event", "event_type", "event_name", "level", "severity", "success", *ACTOR_KEYS,
                      "resource_type", "resource_id", "resource"})


_FIRST = frozenset({"error_message", "error"})


@dataclass(frozen=True, slots=True)
class Entry:
    """A parsed line. ``problem`` is set (and ``data`` None) for a malformed line."""

    raw: str
    size: int
    data: dict[str, Any] | None = None
    problem: str | None = None
    time: float | None = None
    event: str = ""
    level: str = ""
    actor: str = ""
    resource: str = ""
    summary: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def malformed(self) -> bool:
        """True when the line is not one JSON object."""
        return self.problem is not None


def parse_time(value: Any, naive_local: bool = False) -> float | None:
    """Epoch seconds from epoch numbers or ISO text; zone-less text is UTC (core/times.py).

    ``naive_local`` is only for the deployed audit trail's ``timestamp_iso``,
    the one zone-less local time the bot writes (beside its epoch ``timestamp``).
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _epoch(float(value))
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return _epoch(float(text))
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
        return (moment if naive_local else as_utc(moment)).timestamp()
    except (ValueError, OverflowError, OSError):
        return None


def _epoch(seconds: float) -> float | None:
    """Accept seconds, and milliseconds/microseconds by magnitude."""
    if not math.isfinite(seconds):
        return None
    if abs(seconds) > 1e14:
        return seconds / 1e6
    if abs(seconds) > 1e11:
        return seconds / 1e3
    return seconds


def as_text(value: Any) -> str:
    """A value as table text: strings as they are, JSON for the rest."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _first(data: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = data.get(key)
        if value is not None and value != "":
            return value
    return None


def _time_of(data: dict[str, Any]) -> float | None:
    for key in TIME_KEYS:
        if key in data:
            parsed = parse_time(data[key], naive_local=key == "timestamp_iso")
            if parsed is not None:
                return parsed
    return None


#: Trail event types that are warnings even when they succeeded.
_WARNING_EVENTS = frozenset({"login_failed", "security_alert"})


def _level_of(data: dict[str, Any]) -> str:
    """The level each writer's shape implies (docs/data-formats.md, 'JSONL logs', 'Daily audit files').

    The structured logger writes ``level`` and the daily audit files ``severity``; the
    deployed trail and the treasury array have only ``success`` (and the trail an
    ``event_type``): a failure is an ERROR (a failed login a WARNING), a success INFO,
    a security alert a WARNING. The ADR shape has none of these: no level.
    """
    for key in ("level", "severity"):
        level = data.get(key)
        if isinstance(level, str) and level:
            return level.upper()
    success = data.get("success")
    if not isinstance(success, bool):
        return ""
    kind = data.get("event_type")
    kind = kind if isinstance(kind, str) else ""  # any JSON may stand there: only text names an event
    if not success:
        return "WARNING" if kind == "login_failed" else "ERROR"
    return "WARNING" if kind in _WARNING_EVENTS else "INFO"


def _resource_of(data: dict[str, Any]) -> str:
    kind, ident = as_text(data.get("resource_type")), as_text(data.get("resource_id"))
    if not (kind or ident):
        return as_text(data.get("resource"))  # the daily audit files' one field
    return f"{kind}/{ident}" if kind and ident else kind or ident


def summarise(data: dict[str, Any], event_key: str | None, limit: int = 300) -> str:
    """The other keys as ``key=value`` text, for the table's last column."""
    parts: list[str] = []
    used = 0
    # What went wrong first: on a failed entry the error is what the admin is looking for.
    ordered = sorted(data.items(), key=lambda kv: kv[0] not in _FIRST)
    for key, value in ordered:
        if key in CONSUMED or key == event_key or value is None or value == "":
            continue
        piece = f"{key}={as_text(value)}"
        parts.append(piece)
        used += len(piece) + 2
        if used > limit:
            break
    text = "  ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def normalise(data: dict[str, Any], raw: str, size: int) -> Entry:
    """Map any writer's object onto the viewer's columns."""
    event_key = next((k for k in EVENT_KEYS if data.get(k) not in (None, "")), None)
    extra = {k: v for k, v in data.items() if k not in CONSUMED and k != event_key}
    return Entry(raw=raw, size=size, data=data, time=_time_of(data),
                 event=as_text(data[event_key]) if event_key else "", level=_level_of(data),
                 actor=as_text(_first(data, ACTOR_KEYS)), resource=_resource_of(data),
                 summary=summarise(data, event_key), extra=extra)


def malformed(raw: bytes, size: int, problem: str) -> Entry:
    """An entry standing for a line that is not one JSON object."""
    text = raw[:MAX_RAW_CHARS].decode("utf-8", errors="replace")
    return Entry(raw=text, size=size, problem=problem, summary=text[:300])


def parse_line(raw: bytes, size: int | None = None) -> Entry:
    """Parse one line (without its newline). Never raises.

    ``raw`` may be only the start of a long line; ``size`` is the line's full length.
    """
    size = len(raw) if size is None else size
    try:
        return _parse(raw, size)
    except Exception as exc:  # the viewer must survive any line
        return malformed(raw, size, f"unreadable line ({type(exc).__name__})")


def _parse(raw: bytes, size: int) -> Entry:
    if size > MAX_PARSE_BYTES:
        return malformed(raw, size, f"line of {size / (1 << 20):.1f} MB, not parsed")
    body = raw[:-1] if raw.endswith(b"\r") else raw
    if not body.strip():
        return malformed(raw, size, "empty line")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return malformed(raw, size, f"invalid UTF-8 at byte {exc.start}")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return malformed(raw, size, f"not JSON: {str(exc)[:80]}")
    if not isinstance(data, dict):
        return malformed(raw, size, f"not a JSON object (a {type(data).__name__})")
    return normalise(data, text[:MAX_RAW_CHARS], size)


def pretty(entry: Entry) -> str:
    """The detail pane's text: indented JSON, or the raw line with what is wrong with it."""
    if entry.data is None:
        return f"Malformed line: {entry.problem}\n\n{entry.raw}"
    return json.dumps(entry.data, indent=2, ensure_ascii=False, default=str)
