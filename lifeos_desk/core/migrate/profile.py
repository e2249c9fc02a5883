"""Typing each table's columns: assumed from the declarations, or profiled from every value.

Two ways to the same plan (translate.py has the rules):

- :func:`assume_table` (the migration's fast path): every column keeps its
  declared type and no value is assumed not to fit; a text column named
  like a time is a ``timestamptz`` when a bounded sample of its first rows
  holds a time. It costs one ``count(*)`` and the sample. The assumption is
  checked value by value by the source checksum, which reads every row
  anyway (``verify.py``), in a second process while the load runs; a value
  that does not fit refutes it, the load is rolled back and the store is
  profiled and loaded again. When the assumption holds, the profile would
  have produced exactly this plan.
- :func:`profile_table` (``--dry-run``, ``--verify-only``, the fallback, and
  tables with untyped columns or time-named text columns the sample cannot
  decide): one aggregate statement per table counts, per column, the values
  that do not fit. Cheap tests come first inside CASE conditions, so the
  full time rule runs only on values the cheap one rejects.
"""

from __future__ import annotations

import sqlite3

from .errors import MigrateError
from .source import SourceColumn, SourceTable, quote
from .translate import (
    PG_NAME_MAX,
    ColumnPlan,
    Kind,
    TablePlan,
    declared_kind,
    fits_sql,
    time_candidate,
    time_ok,
    translate_default,
)

SAMPLE_ROWS = 1000


def _count(condition: str) -> str:
    """SQL aggregate: rows where ``condition`` holds (a CASE condition, so AND/OR short-circuit)."""
    return f"total(CASE WHEN {condition} THEN 1 END)"


def _resolve_auto(counts: tuple[int, int, int, int]) -> Kind:
    n_int, n_real, n_text, n_blob = counts
    if n_text == 0 and n_blob == 0:
        return Kind.DOUBLE if n_real else Kind.BIGINT
    if n_blob == 0 and n_int == 0 and n_real == 0:
        return Kind.TEXT
    if n_text == 0 and n_int == 0 and n_real == 0:
        return Kind.BYTEA
    return Kind.TEXT  # mixed: text, and the numbers and blobs go to the side column


def profile_table(con: sqlite3.Connection, table: SourceTable) -> TablePlan:
    """One scan of the table: row count, and for each column the values that do not fit."""
    exprs = ["count(*)"]
    slots: list[tuple[SourceColumn, Kind, int]] = []
    for col in table.columns:
        x, kind = quote(col.name), declared_kind(col)
        if kind is Kind.AUTO:
            slots.append((col, kind, len(exprs)))
            exprs += [f"total(typeof({x}) = '{t}')" for t in ("integer", "real", "text", "blob")]
        elif kind is Kind.TEXT and time_candidate(col):
            slots.append((col, Kind.TIMESTAMPTZ, len(exprs)))
            exprs += [_count(f"{x} IS NOT NULL AND NOT {time_ok(x)}"), f"count({x})",
                      _count(f"{x} IS NOT NULL AND typeof({x}) <> 'text'")]
        else:
            slots.append((col, kind, len(exprs)))
            exprs.append(_count(f"{x} IS NOT NULL AND NOT {fits_sql(kind, x)}"))
    row = con.execute(f"SELECT {', '.join(exprs)} FROM {quote(table.name)}").fetchone()
    values = [int(v) for v in row]
    plan = TablePlan(table, [], rows=values[0])
    for col, kind, at in slots:
        if kind is Kind.AUTO:
            counts = (values[at], values[at + 1], values[at + 2], values[at + 3])
            kind = _resolve_auto(counts)
            fits = {Kind.BIGINT: counts[0], Kind.DOUBLE: counts[0] + counts[1], Kind.TEXT: counts[2],
                    Kind.BYTEA: counts[3]}[kind]
            misfits = sum(counts) - fits
        elif kind is Kind.TIMESTAMPTZ and declared_kind(col) is Kind.TEXT:
            if values[at + 1] - values[at] == 0:  # no time at all: a plain text column after all
                kind, misfits = Kind.TEXT, values[at + 2]
            else:
                misfits = values[at]
        else:
            misfits = values[at]
        plan.columns.append(ColumnPlan(col, kind, misfits))
    return _finish(plan)


def assume_table(con: sqlite3.Connection, table: SourceTable) -> TablePlan:
    """The plan from the declarations, no misfits assumed; :func:`profile_table` when that cannot decide."""
    kinds: dict[str, Kind] = {}
    candidates = []
    for col in table.columns:
        kind = declared_kind(col)
        if kind is Kind.AUTO:  # typed by content: only the profile can say
            return profile_table(con, table)
        if kind is Kind.TEXT and time_candidate(col):
            candidates.append(col)
        kinds[col.name] = kind
    rows = int(con.execute(f"SELECT count(*) FROM {quote(table.name)}").fetchone()[0])
    if candidates:
        cols = ", ".join(quote(c.name) for c in candidates)
        times = [_count(f"{quote(c.name)} IS NOT NULL AND {time_ok(quote(c.name))}") for c in candidates]
        found = con.execute(f"SELECT {', '.join(times)} FROM (SELECT {cols} FROM {quote(table.name)} "
                            f"LIMIT {SAMPLE_ROWS})").fetchone()
        if not all(found):  # a time-named column without a time in the sample: count them all
            return profile_table(con, table)
        kinds.update({c.name: Kind.TIMESTAMPTZ for c in candidates})
    plan = TablePlan(table, [ColumnPlan(c, kinds[c.name]) for c in table.columns], rows=rows, assumed=True)
    return _finish(plan)


def _finish(plan: TablePlan) -> TablePlan:
    _check_names(plan)
    for c in plan.columns:
        c.default = translate_default(c, plan.notes)
    _structure_notes(plan)
    return plan


def _structure_notes(plan: TablePlan) -> None:
    """What of the table's keys and indexes cannot be carried as declared."""
    pk = plan.table.primary_key
    if pk and not plan.key_columns():
        plan.notes.append(f"primary key ({', '.join(pk)}) not added: some key values do not fit their type")
    for ix in plan.table.indexes:
        if ix.partial or ix.expression:
            plan.notes.append(f"index {ix.name} not carried (partial or on an expression)")
    for c in plan.columns:
        if c.misfits:
            plan.notes.append(f"column {c.name}: {c.misfits} value(s) that are not {c.kind.value} kept as text "
                              f"in {c.raw_name}")


def _check_names(plan: TablePlan) -> None:
    names = [plan.name, *plan.target_columns()]
    too_long = [n for n in names if len(n.encode()) > PG_NAME_MAX]
    if too_long:
        raise MigrateError(f"table {plan.name}: the name {too_long[0]!r} is longer than PostgreSQL's "
                           f"{PG_NAME_MAX} bytes; rename it in SQLite first")
    taken = {c.name.lower() for c in plan.columns}
    for c in plan.columns:
        if c.misfits and c.raw_name.lower() in taken:
            raise MigrateError(f"table {plan.name}: column {c.name} needs a side column {c.raw_name}, "
                               "which already exists")
