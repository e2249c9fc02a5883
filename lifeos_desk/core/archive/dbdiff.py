"""Rows added, removed and changed between two SQLite files, table by table, by key.

Python's ``sqlite3`` (``lifeos-desk diff`` is a headless process:
docs/architecture.md, 'One SQLite library per process'). Both files are
attached read-only (URI ``mode=ro``) to one in-memory connection, so every
comparison is one SQL statement using the tables' own keys, and the whole
diff reads both files inside one read transaction: a bot writing to the
live file meanwhile is compared as of one moment, and its checkpoints are
held up only for the length of the diff.

A row's key is its table's PRIMARY KEY (the columns in key order), or its
rowid when the table declares none. Changed means the same key with a
different value in some column both sides have; columns only one side has
are listed instead of making every row "changed".
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..query import file_uri, json_value

FIRST_KEYS = 5
BUSY_TIMEOUT_S = 30.0


@dataclass
class TableDiff:
    """One table's differences (status: same, changed, added, removed)."""

    table: str
    status: str
    key: list[str] = field(default_factory=list)
    rows_a: int = 0
    rows_b: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    added_keys: list[Any] = field(default_factory=list)
    removed_keys: list[Any] = field(default_factory=list)
    changed_keys: list[Any] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        """Anything at all differs."""
        return self.status != "same"

    def as_json(self) -> dict[str, Any]:
        """Keys as JSON values (blobs as hex)."""
        out = asdict(self)
        for name in ("added_keys", "removed_keys", "changed_keys"):
            out[name] = [json_value(k) for k in out[name]]
        return out


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Pair:
    """The two attached files, ``a`` and ``b``."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def tables(self, side: str) -> list[str]:
        return [r[0] for r in self.con.execute(
            f"SELECT name FROM {side}.sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]

    def columns(self, side: str, table: str) -> list[tuple[str, int]]:
        """(name, position in the primary key or 0) of each column."""
        return [(str(r[1]), int(r[5])) for r in self.con.execute(f"PRAGMA {side}.table_info({_q(table)})")]

    def scalar(self, sql: str) -> Any:
        return self.con.execute(sql).fetchone()[0]

    def keys(self, sql: str, width: int) -> list[Any]:
        rows = self.con.execute(sql + f" LIMIT {FIRST_KEYS}").fetchall()
        return [r[0] if width == 1 else list(r) for r in rows]


def _key_of(cols_a: list[tuple[str, int]], cols_b: list[tuple[str, int]]) -> list[str]:
    pk_a = [n for n, p in sorted(cols_a, key=lambda c: c[1]) if p]
    pk_b = [n for n, p in sorted(cols_b, key=lambda c: c[1]) if p]
    return pk_a if pk_a and pk_a == pk_b else ["rowid"]


def _diff_table(pair: _Pair, table: str) -> TableDiff:
    t = _q(table)
    cols_a, cols_b = pair.columns("a", table), pair.columns("b", table)
    key = _key_of(cols_a, cols_b)
    names_a, names_b = [c[0] for c in cols_a], [c[0] for c in cols_b]
    out = TableDiff(table, "same", key, rows_a=int(pair.scalar(f"SELECT count(*) FROM a.{t}")),
                    rows_b=int(pair.scalar(f"SELECT count(*) FROM b.{t}")),
                    columns_added=[c for c in names_b if c not in names_a],
                    columns_removed=[c for c in names_a if c not in names_b])
    keys = ", ".join(f"y.{_q(k)}" for k in key)
    match = " AND ".join(f"x.{_q(k)} IS y.{_q(k)}" for k in key)  # IS: SQLite lets a non-integer key be NULL
    only = "SELECT {keys} FROM {one}.{t} AS y WHERE NOT EXISTS (SELECT 1 FROM {other}.{t} AS x WHERE {match})"
    added = only.format(keys=keys, one="b", other="a", t=t, match=match)
    removed = only.format(keys=keys, one="a", other="b", t=t, match=match)
    out.added = int(pair.scalar(f"SELECT count(*) FROM ({added})"))
    out.removed = int(pair.scalar(f"SELECT count(*) FROM ({removed})"))
    out.added_keys = pair.keys(f"{added} ORDER BY {keys}", len(key)) if out.added else []
    out.removed_keys = pair.keys(f"{removed} ORDER BY {keys}", len(key)) if out.removed else []
    common = [c for c in names_a if c in names_b and c not in key]
    if common:
        differs = " OR ".join(f"x.{_q(c)} IS NOT y.{_q(c)}" for c in common)
        changed = f"SELECT {keys} FROM a.{t} AS x JOIN b.{t} AS y ON {match} WHERE {differs}"
        out.changed = int(pair.scalar(f"SELECT count(*) FROM ({changed})"))
        out.changed_keys = pair.keys(f"{changed} ORDER BY {keys}", len(key)) if out.changed else []
    if out.added or out.removed or out.changed or out.columns_added or out.columns_removed:
        out.status = "changed"
    return out


def _whole(pair: _Pair, side: str, table: str) -> TableDiff:
    rows = int(pair.scalar(f"SELECT count(*) FROM {side}.{_q(table)}"))
    if side == "b":
        return TableDiff(table, "added", rows_b=rows, added=rows)
    return TableDiff(table, "removed", rows_a=rows, removed=rows)


def diff_databases(a: Path, b: Path, timeout: float = BUSY_TIMEOUT_S) -> list[TableDiff]:
    """Every table of either file, compared; raises sqlite3.Error when a file cannot be read."""
    with closing(sqlite3.connect("file::memory:", uri=True, timeout=timeout, isolation_level=None)) as con:
        con.execute("ATTACH ? AS a", (file_uri(a),))
        con.execute("ATTACH ? AS b", (file_uri(b),))
        con.execute("PRAGMA query_only=ON")
        pair = _Pair(con)
        con.execute("BEGIN")  # one read transaction over both files: one snapshot of each
        try:
            tables_a, tables_b = pair.tables("a"), pair.tables("b")
            out = [_diff_table(pair, t) if t in tables_b else _whole(pair, "a", t) for t in tables_a]
            out += [_whole(pair, "b", t) for t in tables_b if t not in tables_a]
        finally:
            con.execute("COMMIT")
    return out
