"""The SQLite side: a consistent snapshot of a store and what its schema declares.

The snapshot is the online-backup copy the backup already makes
(``core.archive.snapshot``, one step): it holds a read snapshot only for the
fraction of a second the copy takes, so the bot keeps writing while the
migration reads the copy for as long as it needs (docs/architecture.md,
"Threads and child processes"). Rows the bot writes later are not migrated;
``live_counts`` after the load says how many.

Python's sqlite3: this module runs in the ``lifeos-desk migrate`` process,
never in the window's (docs/architecture.md, 'One SQLite library per process'; the window starts the command).
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..archive.errors import ArchiveError
from ..archive.snapshot import live_counts, open_copy, snapshot
from .errors import MigrateError


@dataclass(frozen=True)
class SourceColumn:
    """One column as ``PRAGMA table_xinfo`` reports it (hidden/generated ones are left out)."""

    name: str
    decl: str
    notnull: bool
    default: str | None
    pk: int  # position in the primary key, 0 = not in it


@dataclass(frozen=True)
class SourceIndex:
    """An index: ``origin`` is c (CREATE INDEX), u (UNIQUE constraint) or pk."""

    name: str
    unique: bool
    origin: str
    columns: tuple[str, ...]
    partial: bool
    expression: bool  # an index on an expression (a column id of -2)


@dataclass(frozen=True)
class SourceForeignKey:
    """A declared foreign key; empty ``ref_columns`` means the referenced table's primary key."""

    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class SourceTable:
    """A table of the store."""

    name: str
    columns: tuple[SourceColumn, ...]
    indexes: tuple[SourceIndex, ...]
    foreign_keys: tuple[SourceForeignKey, ...]

    @property
    def primary_key(self) -> tuple[str, ...]:
        """Primary key columns in key order (empty: none, rows are keyed by rowid)."""
        return tuple(c.name for c in sorted((c for c in self.columns if c.pk), key=lambda c: c.pk))


def quote(name: str) -> str:
    """An identifier quoted for SQLite and PostgreSQL alike."""
    return '"' + name.replace('"', '""') + '"'


def _columns(con: sqlite3.Connection, table: str) -> tuple[SourceColumn, ...]:
    rows = con.execute(f"PRAGMA table_xinfo({quote(table)})").fetchall()
    # hidden: 0 normal, 1 virtual-table hidden, 2/3 generated columns (computed, not stored data).
    return tuple(SourceColumn(str(r[1]), str(r[2] or ""), bool(r[3]), None if r[4] is None else str(r[4]), int(r[5]))
                 for r in rows if int(r[6]) == 0)


def _indexes(con: sqlite3.Connection, table: str) -> tuple[SourceIndex, ...]:
    out = []
    for r in con.execute(f"PRAGMA index_list({quote(table)})").fetchall():
        name, unique, origin, partial = str(r[1]), bool(r[2]), str(r[3]), bool(r[4])
        info = con.execute(f"PRAGMA index_info({quote(name)})").fetchall()
        expression = any(int(i[1]) < 0 for i in info)
        cols = tuple(str(i[2]) for i in info if i[2] is not None)
        out.append(SourceIndex(name, unique, origin, cols, partial, expression))
    return tuple(sorted(out, key=lambda i: i.name))


def _foreign_keys(con: sqlite3.Connection, table: str) -> tuple[SourceForeignKey, ...]:
    groups: dict[int, list[tuple[str, str, str | None]]] = {}
    for r in con.execute(f"PRAGMA foreign_key_list({quote(table)})").fetchall():
        groups.setdefault(int(r[0]), []).append((str(r[2]), str(r[3]), None if r[4] is None else str(r[4])))
    out = []
    for _fk_id, parts in sorted(groups.items()):
        ref_cols = tuple(p[2] for p in parts if p[2] is not None)
        out.append(SourceForeignKey(tuple(p[1] for p in parts), parts[0][0], ref_cols))
    return tuple(out)


def read_tables(con: sqlite3.Connection) -> list[SourceTable]:
    """Every ordinary table of the store (sqlite_* internals and virtual tables left out), by name."""
    names = [str(r[0]) for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]
    return [SourceTable(n, _columns(con, n), _indexes(con, n), _foreign_keys(con, n)) for n in names]


@contextmanager
def snapshot_of(store: Path) -> Iterator[tuple[sqlite3.Connection, Path]]:
    """A read-only connection to a private, consistent copy of ``store``, and the copy's path.

    The copy is removed after; a second process may read it meanwhile (it is immutable).
    """
    if not store.is_file():
        raise MigrateError(f"no SQLite store at {store}")
    with tempfile.TemporaryDirectory(prefix="lifeos-desk-migrate-") as tmp:
        copy = Path(tmp) / "snapshot.db"
        try:
            snapshot(store, copy)
        except ArchiveError as exc:
            raise MigrateError(str(exc)) from exc
        try:
            with closing(open_copy(copy)) as con:
                con.execute("PRAGMA mmap_size=1099511627776")
                yield con, copy
        except sqlite3.Error as exc:
            raise MigrateError(f"cannot read the snapshot of {store}: {exc}") from exc


def counts_now(store: Path) -> dict[str, int] | None:
    """Rows per table in the live store now (to report what was written after the snapshot)."""
    found = live_counts(store)
    return None if found is None else found[0]
