"""Staged cell edits: what the admin typed, kept in memory until Save.

No write lock is held while edits are pending (DB Browser holds one, we
don't); ``editor.save_edits`` writes them in one short transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core.filters import ColumnKind
from .columns import ColumnSpec
from .info import TableInfo


@dataclass
class Edit:
    """One staged change of one cell."""

    key: Any
    column: int
    old: Any
    new: Any
    pk: tuple[tuple[str, Any], ...]


def coerce(spec: ColumnSpec, value: Any) -> Any:
    """What an editor's value means for this column (flags as 0/1, choices trimmed)."""
    if spec.kind is ColumnKind.BOOL:
        if isinstance(value, str):
            return 1 if value.strip().lower() in ("1", "true", "yes", "✓") else 0
        return 1 if value else 0
    if isinstance(value, str):
        return value.strip() if spec.choices else value
    return value


def make_edit(info: TableInfo, row: tuple[Any, ...], column: int, value: Any) -> Edit | None:
    """The edit of one cell of a stored row (None when the value is what is stored)."""
    old = row[1 + column]
    if value == old:
        return None
    pk = tuple((s.name, row[1 + i]) for i, s in enumerate(info.specs) if s.pk)
    return Edit(row[0], column, old, value, pk)
