"""What a table is, as the views see it: columns and their kinds, row key, indexes.

Read once per table with a few bounded queries (``PRAGMA table_info``, one
sample value per time column to learn how times are stored, ``PRAGMA
index_list``); the models and the pane take it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core.filters import ColumnKind, TimeStorage, TimeStyle, storage_of
from ...core.schema import Domain, SchemaKind
from ..connection import Database, quote_ident
from ..errors import DatabaseError, DbProblem
from .columns import ColumnSpec, build_specs
from .keys import ROWID, RowIdentity, row_identity
from .sql import fetch_one, fetch_rows


@dataclass(frozen=True)
class UserLookup:
    """Where user names live, to show them beside user ids."""

    table: str
    pk: str
    name: str


@dataclass(frozen=True)
class TableInfo:
    """A table as the models see it."""

    name: str
    specs: tuple[ColumnSpec, ...]
    identity: RowIdentity = ROWID  # what identifies a row: breaks sort ties, keys keysets (db/tables/keys.py)
    users: UserLookup | None = None
    indexed: frozenset[str] = frozenset()  # columns an index (or the rowid) sorts cheaply

    @property
    def key(self) -> str | tuple[str, ...]:
        """The row key's SQL: a rowid alias, or the primary key's quoted columns."""
        return self.identity.key

    def index_of(self, column: str) -> int:
        """The position of a column by name, or -1."""
        return next((i for i, s in enumerate(self.specs) if s.name == column), -1)


def _default_storage(domain: Domain | None) -> TimeStorage:
    if domain is not None and domain.kind is SchemaKind.DEPLOYED:
        return TimeStorage(TimeStyle.ISO)
    return TimeStorage(TimeStyle.SQL)


def load_table_info(database: Database, table: str, domain: Domain | None, role: str = "tables") -> TableInfo:
    """Columns, kinds, time storage and row key of a table (a few bounded queries)."""
    db = database.connection(role)
    t = quote_ident(table)
    pragma = fetch_rows(db, f"PRAGMA table_info({t})")
    cols = [(str(r[1]), str(r[2] or ""), bool(r[5])) for r in pragma]
    if not cols:
        raise DatabaseError(DbProblem.OTHER, f"there is no table {table} in {database.path}", database.path)
    specs = build_specs(table, cols, domain)
    default = _default_storage(domain)
    timed = []
    for spec in specs:
        if spec.kind is ColumnKind.TIME:
            sample = fetch_one(db, f"SELECT {spec.sql} FROM {t} WHERE {spec.sql} IS NOT NULL LIMIT 1")
            spec = spec.with_storage(storage_of(sample, default))
        timed.append(spec)
    identity = row_identity(db, table, pragma)
    users = None
    if domain is not None and any(s.user_ref for s in timed):
        users = UserLookup(domain.users, domain.user_pk, domain.user_name)
    return TableInfo(table, tuple(timed), identity, users, _indexed_columns(database, table, timed, role))


def _indexed_columns(database: Database, table: str, specs: list[ColumnSpec], role: str) -> frozenset[str]:
    db = database.connection(role)
    out = {s.name for s in specs if s.pk and s.decl.upper() == "INTEGER"}  # the rowid itself
    for row in fetch_rows(db, f"PRAGMA index_list({quote_ident(table)})"):
        cols = fetch_rows(db, f"PRAGMA index_info({quote_ident(str(row[1]))})")
        if cols and cols[0][2] is not None:
            out.add(str(cols[0][2]))
    return frozenset(out)
