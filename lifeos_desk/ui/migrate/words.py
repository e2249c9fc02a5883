"""What the migrate child's exit codes and report mean, in the admin's words.

Qt-free so the tests read the same sentences the dialog shows. The codes
are ``lifeos-desk migrate``'s (lifeos_desk/core/migrate/errors.py): 0 all
verified, 1 a failure or a mismatch, 2 bad options, 3 cancelled, 4 target
not empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core.migrate.errors import EXIT_CANCELLED, EXIT_FAILED, EXIT_NOT_EMPTY, EXIT_USAGE


@dataclass(frozen=True)
class ReportRow:
    """One table of the verification report, as the dialog lists it."""

    store: str
    table: str
    source_rows: int
    target_rows: int | None
    verified: bool
    difference: str
    not_migrated: int
    notes: tuple[str, ...]

    @property
    def status(self) -> str:
        """'verified' or 'MISMATCH' (the command's own words)."""
        return "verified" if self.verified else "MISMATCH"


def report_rows(result: dict[str, Any]) -> list[ReportRow]:
    """The ``tables`` of a ``result`` event (commands/migrate.py), typed; malformed entries skipped."""
    rows = []
    for t in result.get("tables") or []:
        if not isinstance(t, dict):
            continue
        target = t.get("target_rows")
        rows.append(ReportRow(str(t.get("store", "")), str(t.get("table", "")), int(t.get("source_rows") or 0),
                              int(target) if target is not None else None, bool(t.get("verified")),
                              str(t.get("difference") or ""), int(t.get("not_migrated") or 0),
                              tuple(str(n) for n in t.get("notes") or [])))
    return rows


def outcome(code: int | None, message: str, dry_run: bool = False) -> str:
    """One sentence for the status line: what happened and what the target looks like now."""
    if dry_run:
        if code == 0:
            return "Preview only: this is the DDL the migration would run. Nothing was changed in the target."
        return f"The preview failed (nothing was changed): {message}"
    if code == 0:
        return "Every table verified: the target holds exactly the rows of the snapshot (exit status 0)."
    if code == EXIT_NOT_EMPTY:
        return ("Nothing was changed: the target already holds tables of these stores. Tick “Replace "
                "existing tables” to drop and reload them (exit status 4).")
    if code == EXIT_CANCELLED:
        return f"Cancelled: {message or 'the load was rolled back, the target is as it was'} (exit status 3)."
    if code == EXIT_USAGE:
        return f"The target or an option cannot be used, nothing was changed: {message} (exit status 2)."
    if code == EXIT_FAILED:
        if message:
            return f"Failed: {message} (exit status 1)."
        return "Verification FAILED: the tables marked MISMATCH differ between SQLite and PostgreSQL (exit status 1)."
    if code is None:
        return f"The migration process stopped unexpectedly: {message or 'no exit status'}."
    return f"The migration ended with exit status {code}: {message}"
