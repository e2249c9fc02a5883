"""Every object of a database with its SQL, row counts, page usage and foreign keys.

Read through ``core/query.py``'s guarded read-only connection, in the
``lifeos-desk query --schema`` child (docs/architecture.md, 'One SQLite
library per process'). Page usage comes from the ``dbstat`` virtual table,
which only SQLite builds with ``SQLITE_ENABLE_DBSTAT_VTAB`` have (Python's
usually does, PySide6's QtSql build does not): without it the figures are
left out and the report says so.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .query import QueryError, ReadOnlyConnection

KINDS = ("table", "view", "index", "trigger")


@dataclass
class ForeignKey:
    """One ``PRAGMA foreign_key_list`` row, grouped by its id."""

    columns: list[str]
    table: str
    to: list[str]
    on_update: str
    on_delete: str


@dataclass
class SchemaObject:
    """A table, view, index or trigger."""

    kind: str
    name: str
    table: str
    sql: str
    rows: int | None = None  # tables only
    pages: int | None = None  # from dbstat
    bytes: int | None = None
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # indexes: the indexed columns in order


@dataclass
class Schema:
    """What the schema view shows."""

    objects: list[SchemaObject]
    page_size: int
    page_count: int
    journal_mode: str
    sqlite_version: str
    dbstat: bool
    note: str = ""

    def of_kind(self, kind: str) -> list[SchemaObject]:
        """The objects of one kind, in file order."""
        return [o for o in self.objects if o.kind == kind]

    def index_covers(self, table: str, column: str) -> str | None:
        """The name of an index of ``table`` whose first column is ``column``, if there is one."""
        for obj in self.of_kind("index"):
            if obj.table == table and obj.columns[:1] == [column]:
                return obj.name
        return None

    def as_json(self) -> dict[str, Any]:
        """For ``lifeos-desk query --schema --json``."""
        return asdict(self)


def schema_from_json(data: dict[str, Any]) -> Schema:
    """The Schema a ``--schema --json`` child printed (the window reads it)."""
    objects = []
    for raw in data.get("objects", []):
        keys = [ForeignKey(**fk) for fk in raw.get("foreign_keys", [])]
        objects.append(SchemaObject(**{**raw, "foreign_keys": keys}))
    return Schema(objects=objects, page_size=int(data.get("page_size", 0)), page_count=int(data.get("page_count", 0)),
                  journal_mode=str(data.get("journal_mode", "")), sqlite_version=str(data.get("sqlite_version", "")),
                  dbstat=bool(data.get("dbstat")), note=str(data.get("note", "")))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _foreign_keys(con: ReadOnlyConnection, table: str) -> list[ForeignKey]:
    grouped: dict[int, ForeignKey] = {}
    for row in con.rows(f"PRAGMA foreign_key_list({_quote(table)})"):
        fk_id, _seq, target, src, dst, on_update, on_delete = row[:7]
        key = grouped.setdefault(int(fk_id), ForeignKey([], str(target), [], str(on_update), str(on_delete)))
        key.columns.append(str(src))
        key.to.append("" if dst is None else str(dst))  # None: the target's primary key
    return list(grouped.values())


def _page_usage(con: ReadOnlyConnection) -> tuple[dict[str, tuple[int, int]], str]:
    """name -> (pages, bytes) from dbstat, or {} and why not."""
    try:
        rows = con.rows("SELECT name, count(*), sum(pgsize) FROM dbstat GROUP BY name")
    except QueryError as exc:
        if "dbstat" in str(exc):
            return {}, "page usage unavailable: this SQLite was built without the dbstat table"
        raise
    return {str(r[0]): (int(r[1]), int(r[2] or 0)) for r in rows}, ""


def read_schema(con: ReadOnlyConnection, count_rows: bool = True) -> Schema:
    """The whole schema; ``count_rows`` adds an exact count(*) per table (a scan of each)."""
    rows = con.rows("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master "
                    "WHERE type IN ('table', 'view', 'index', 'trigger') ORDER BY rowid")
    usage, note = _page_usage(con)
    objects = []
    for kind, name, table, sql in rows:
        obj = SchemaObject(str(kind), str(name), str(table), str(sql))
        if obj.name in usage:
            obj.pages, obj.bytes = usage[obj.name]
        if obj.kind == "index":
            obj.columns = [str(r[2]) for r in con.rows(f"PRAGMA index_info({_quote(obj.name)})")]
        if obj.kind == "table":
            obj.foreign_keys = _foreign_keys(con, obj.name)
            if count_rows:
                obj.rows = int(con.rows(f"SELECT count(*) FROM {_quote(obj.name)}")[0][0])
        objects.append(obj)
    facts = con.rows("SELECT (SELECT page_size FROM pragma_page_size), (SELECT page_count FROM pragma_page_count), "
                     "sqlite_version()")[0]
    mode = con.rows("PRAGMA journal_mode")[0][0]
    return Schema(objects, int(facts[0]), int(facts[1]), str(mode), str(facts[2]), bool(usage) or not note, note)
