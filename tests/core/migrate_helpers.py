"""Stores for the migration tests: demo homes in both schemas and a deliberately awkward store."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from lifeos_desk.core.demo import DemoSpec, generate_demo_home

END = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
AWKWARD_TABLE = 'select "odd" table'
KEY_BYTES = bytes(range(256))  # every byte value, as an encrypted key could hold


def demo_home(root: Path, schema: str, users: int = 6, trades: int = 400) -> Path:
    """A demo home (the generator the console is tested and benchmarked with)."""
    home = root / schema
    generate_demo_home(home, DemoSpec(schema=schema, users=users, trades=trades, log_lines=0, seed=3, end=END))
    return home


_T = '"' + AWKWARD_TABLE.replace('"', '""') + '"'
AWKWARD_DDL = f"""
CREATE TABLE {_T} (
    "order" INTEGER PRIMARY KEY,
    "my ""quoted"" col" TEXT UNIQUE,
    "user" TEXT,
    payload BLOB,
    flag BOOLEAN,
    seen_at TIMESTAMP,
    amount REAL,
    anything
);
CREATE INDEX "the ""user"" index" ON {_T} ("user");
CREATE TABLE "group" (
    name TEXT,
    created_at TEXT,
    parent_order INTEGER REFERENCES {_T} ("order")
);
"""

AWKWARD_ROWS = [
    # order, quoted col, user, payload, flag, seen_at, amount, anything
    (1, "tab\there", "new\nline", KEY_BYTES, 1, "2026-01-02 03:04:05", 0.1 + 0.2, 42),
    (2, "back\\slash", "ünïcødé ✓", b"", 0, "2026-01-02T03:04:05.123456", -0.0, 1.5),
    (3, None, None, None, None, None, None, None),
    (4, "zone", "select", b"\x00\x01", 1, "2026-01-02T03:04:05+05:30", 1.7976931348623157e308, "text"),
    (5, "zulu", "drop table", b"\\x41", 0, "2026-01-02T03:04:05Z", 5e-324, b"\x01\x02"),
    (6, "bad time", "x", b"k", 2, "yesterday", 123456789012345.6, 2**62),
    (7, "feb 31", "y", "text in a blob", 1, "2026-02-31 10:00:00", 1e-5, None),
    (8, "date only", "z", b"z", 0, "2026-03-01", 3.0, 7),
]


def awkward_store(path: Path) -> Path:
    """Quotes, spaces and keywords in names; BLOB, boolean, NULLs, unparseable times; an orphan foreign key."""
    with closing(sqlite3.connect(path)) as con:
        con.executescript(AWKWARD_DDL)
        table = '"' + AWKWARD_TABLE.replace('"', '""') + '"'
        con.executemany(f"INSERT INTO {table} VALUES (?,?,?,?,?,?,?,?)", AWKWARD_ROWS)
        con.executemany('INSERT INTO "group" VALUES (?,?,?)', [
            ("a", "2026-01-01T00:00:00", 1), ("b", "not a time", 99), ("c", None, None)])
        con.commit()
    return path
