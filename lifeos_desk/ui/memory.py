"""Where the admin was: the area in front and the table shown per store, restored on the next launch.

Kept in ``State`` (core/settings.py: remembered, not configured), as
``last_area`` (an ``AreaSpec.key``) and ``last_tables`` ({store path: table}).
A remembered name that no longer exists is ignored, never an error.
"""

from __future__ import annotations

from pathlib import Path

from ..core.settings import State

LAST_AREA = "last_area"
LAST_TABLES = "last_tables"
MAX_STORES = 50  # remembered tables: the homes an admin opens are few; the list must not grow forever


def remembered_area(state: State) -> str | None:
    """The key of the area in front when the window last closed."""
    value = state.get(LAST_AREA)
    return value if isinstance(value, str) and value else None


def remembered_table(state: State, store: Path) -> str | None:
    """The table last shown from this store."""
    tables = state.get(LAST_TABLES)
    value = tables.get(str(store)) if isinstance(tables, dict) else None
    return value if isinstance(value, str) and value else None


def remembered_tables(state: State, shown: dict[Path, str]) -> dict[str, str]:
    """The stored map updated with the tables shown this session (newest last, at most MAX_STORES)."""
    old = state.get(LAST_TABLES)
    items = old.items() if isinstance(old, dict) else ()
    tables = {k: v for k, v in items if isinstance(k, str) and isinstance(v, str)}
    for store, table in shown.items():
        tables.pop(str(store), None)
        tables[str(store)] = table
    return dict(list(tables.items())[-MAX_STORES:])


def remember_tables(state: State, shown: dict[Path, str]) -> None:
    """Store the tables shown this session (one write)."""
    if shown:
        state.update({LAST_TABLES: remembered_tables(state, shown)})
