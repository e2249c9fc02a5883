"""Loading one store: DDL, COPY, keys and indexes, foreign keys, all in ONE transaction.

A failure or a cancel anywhere rolls the transaction back, so the target is
exactly as it was (PostgreSQL's DDL is transactional). Tables already in
the target are refused unless ``replace`` is set, checked in the same
transaction that would drop them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from ..archive.progress import CancelFlag
from .errors import TargetNotEmpty
from .source import quote
from .translate import TablePlan, constraint_sql, copy_sql, create_table_sql, foreign_key_sql

BATCH = 10_000
Tick = Callable[[str, int], None]  # (table, rows just copied); may raise to abort the load
# Sorting for the primary keys and indexes built after the COPY; PostgreSQL's default (64MB)
# spills a million-row text key to disk. Per index build, for this transaction only.
MAINTENANCE_WORK_MEM = "256MB"


def existing_tables(pg: Any, schema: str, names: Sequence[str]) -> list[str]:
    """Which of ``names`` already exist in ``schema`` (tables, views, anything in pg_class)."""
    rows = pg.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE n.nspname = %s AND c.relname = ANY(%s) ORDER BY 1", (schema, list(names))).fetchall()
    return [str(r[0]) for r in rows]


def create_sql(plans: Sequence[TablePlan], schema: str, replace: bool) -> list[str]:
    """The statements before the load: schema, drops (with replace), CREATE TABLE."""
    out = [] if schema == "public" else [f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}"]
    if replace:
        out += [f"DROP TABLE IF EXISTS {quote(schema)}.{quote(p.name)} CASCADE" for p in plans]
    return out + [create_table_sql(p, schema) for p in plans]


def _settings() -> list[str]:
    return ["SET LOCAL TimeZone = 'UTC'", "SET LOCAL lock_timeout = '10s'",
            f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'"]


def ddl_preview(plans: Sequence[TablePlan], schema: str, replace: bool) -> list[str]:
    """Every statement a load runs, in order (``--dry-run``): COPY shown as its statement."""
    out = [*_settings(), *create_sql(plans, schema, replace)]
    out += [copy_sql(p, schema) for p in plans]
    for p in plans:
        out += constraint_sql(p, schema)
    for p in plans:
        for name, sql in foreign_key_sql(p, schema):
            out += [sql, f"ALTER TABLE {quote(schema)}.{quote(p.name)} VALIDATE CONSTRAINT {quote(name)}"]
    return out


def _copy_table(src: sqlite3.Connection, pg: Any, plan: TablePlan, schema: str, cancel: CancelFlag,
                tick: Tick) -> int:
    rows = 0
    with pg.cursor() as cur, cur.copy(copy_sql(plan, schema)) as copy:
        write = copy.write_row
        reader = src.execute(plan.select_sql())
        while batch := reader.fetchmany(BATCH):
            for row in batch:
                write(row)
            rows += len(batch)
            cancel.check()
            tick(plan.name, len(batch))
    return rows


def _foreign_keys(pg: Any, plans: Sequence[TablePlan], schema: str) -> None:
    """Add each foreign key NOT VALID, then validate it; one that fails stays NOT VALID and is noted.

    SQLite does not enforce foreign keys unless asked, so real stores hold
    orphans; refusing the whole migration for them would help nobody.
    """
    for plan in plans:
        for name, sql in foreign_key_sql(plan, schema):
            try:
                with pg.transaction():
                    pg.execute(sql)
            except Exception as exc:  # psycopg.Error: no unique key to reference, a missing table
                plan.notes.append(f"foreign key {name} not added: {_first_line(exc)}")
                continue
            try:
                with pg.transaction():
                    pg.execute(f"ALTER TABLE {quote(schema)}.{quote(plan.name)} VALIDATE CONSTRAINT {quote(name)}")
            except Exception as exc:  # psycopg.Error: orphan rows
                plan.notes.append(f"foreign key {name} kept NOT VALID: {_first_line(exc)}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _nothing() -> None:
    """No last check before the commit."""


def load_store(src: sqlite3.Connection, pg: Any, plans: Sequence[TablePlan], schema: str, replace: bool,
               cancel: CancelFlag, tick: Tick, before_commit: Callable[[], None] = _nothing) -> dict[str, int]:
    """Load every table of one store in one transaction; returns rows copied per table.

    Raises TargetNotEmpty (nothing changed) when a table exists and
    ``replace`` is false; any other failure rolls everything back, and so
    does an exception from ``before_commit`` (the migration waits there for
    the source checksums that confirm an assumed plan).
    """
    copied: dict[str, int] = {}
    with pg.transaction():
        for sql in _settings():
            pg.execute(sql)
        present = existing_tables(pg, schema, [p.name for p in plans])
        if present and not replace:
            raise TargetNotEmpty(f"the target already has {', '.join(present)} in schema {schema}: "
                                 "nothing was changed (use --replace to drop and reload them)")
        for sql in create_sql(plans, schema, replace):
            pg.execute(sql)
        for plan in plans:
            copied[plan.name] = _copy_table(src, pg, plan, schema, cancel, tick)
        for plan in plans:
            for sql in constraint_sql(plan, schema):
                cancel.check()
                pg.execute(sql)
        _foreign_keys(pg, plans, schema)
        cancel.check()
        before_commit()
    return copied
