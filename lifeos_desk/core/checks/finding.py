"""One finding of the trade audit: which check, how bad, where, which records, and why it matters.

A finding names records by their own key values (a trade id, a user id, an
intent id, a position id) as plain values, never a composite string, so the
window can link each one to its row, line or intent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

Id = str | int | float


class Severity(StrEnum):
    """Error: two stores disagree, arithmetic fails, something points nowhere, a log was rewritten.

    Warning: something that may be deliberate. Info: a note (for example a
    definition in the bot that misleads), never a fault.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """What one check found about one record (or one store)."""

    check: str
    severity: Severity
    stores: tuple[str, ...]
    ids: tuple[Id, ...]
    expected: str
    found: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The document ``lifeos-desk audit --json`` prints for it."""
        doc: dict[str, Any] = {
            "check": self.check, "severity": self.severity.value, "stores": list(self.stores),
            "ids": list(self.ids), "expected": self.expected, "found": self.found, "message": self.message,
        }
        if self.extra:
            doc["extra"] = self.extra
        return doc


def finding(check: str, severity: Severity, stores: tuple[Path | str, ...], ids: tuple[object, ...],
            expected: object, found: object, message: str, **extra: Any) -> Finding:
    """A Finding with stores as text and expected/found formatted once, here."""
    plain = tuple(i if isinstance(i, str | int | float) and not isinstance(i, bool) else str(i) for i in ids)
    return Finding(check, severity, tuple(str(s) for s in stores), plain, _text(expected), _text(found), message,
                   dict(extra))


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)
