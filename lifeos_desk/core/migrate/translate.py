"""SQLite's dynamic types to PostgreSQL's, as a plan per table and the DDL it runs.

Rules (issue 16, docs/data-formats.md for the two schemas):

- integer columns and keys -> ``bigint``; ``REAL`` -> ``double precision``;
  ``BLOB`` -> ``bytea`` (text in a BLOB column moves as its UTF-8 bytes, so
  encrypted keys move byte for byte whichever form the writer used);
  ``BOOLEAN`` holding 0/1 -> ``boolean``; text -> ``text``; an untyped or
  ``NUMERIC`` column by what it holds.
- Timestamp text -> ``timestamptz``: columns declared TIMESTAMP/DATETIME/DATE,
  and text columns named like times (``*_at``, ``last_*``, ``*time*``,
  ``*date*``) holding at least one ISO time. A time without a zone is UTC:
  the ADR's ``CURRENT_TIMESTAMP`` text and the deployed bot's
  ``utcnow().isoformat()`` both are. The session runs with ``TimeZone=UTC``.
- A value that does not fit its column's type (text in an integer column, a
  time that does not parse, a 2 in a boolean) is never dropped or guessed:
  the typed column gets NULL and the value goes, as text, to a side column
  ``<col>__raw`` that exists only when such values do; the report counts them.
- Primary keys, UNIQUE constraints, plain indexes and defaults are carried;
  keys and indexes are built after the COPY (faster than maintaining them
  row by row), foreign keys last, NOT VALID first and then validated.

Which values fit is decided in SQLite's own SQL (the profile in
``profile.py``, the load query and the source checksum use the same
predicates), so the DDL is known before the load and ``--dry-run`` shows
exactly what would run.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from .source import SourceColumn, SourceTable, quote


class Kind(enum.Enum):
    """A PostgreSQL column type the migration produces."""

    BIGINT = "bigint"
    DOUBLE = "double precision"
    TEXT = "text"
    BYTEA = "bytea"
    BOOLEAN = "boolean"
    TIMESTAMPTZ = "timestamptz"
    AUTO = "by content"  # untyped/NUMERIC: decided by the profile


RAW_SUFFIX = "__raw"
PG_NAME_MAX = 63  # NAMEDATALEN - 1: PostgreSQL truncates longer identifiers silently
_TIME_NAME = re.compile(r"(_at$|^last_|time|date)", re.IGNORECASE)
_DIGITS = "[0-9]"


def declared_kind(col: SourceColumn) -> Kind:
    """The target type a declaration asks for (SQLite's affinity rules, plus BOOLEAN and times)."""
    decl = col.decl.upper()
    if "BOOL" in decl:
        return Kind.BOOLEAN
    if "INT" in decl:
        return Kind.BIGINT
    if "TIME" in decl or "DATE" in decl:
        return Kind.TIMESTAMPTZ
    if any(t in decl for t in ("CHAR", "CLOB", "TEXT")):
        return Kind.TEXT
    if "BLOB" in decl:
        return Kind.BYTEA
    if any(t in decl for t in ("REAL", "FLOA", "DOUB")):
        return Kind.DOUBLE
    return Kind.AUTO


def time_candidate(col: SourceColumn) -> bool:
    """A text column whose name says it holds times."""
    return declared_kind(col) in (Kind.TEXT, Kind.AUTO) and bool(_TIME_NAME.search(col.name))


def _tail(x: str) -> str:
    return f"substr({x}, 20)"


def _zone_len(x: str) -> str:
    t = _tail(x)
    return (f"(CASE WHEN {t} GLOB '*Z' THEN 1 WHEN {t} GLOB '*[+-]{_DIGITS}{_DIGITS}:{_DIGITS}{_DIGITS}' "
            "THEN 6 ELSE 0 END)")


def fraction_sql(x: str) -> str:
    """The fraction digits of an ISO time (without the dot), '' when there are none."""
    t = _tail(x)
    return f"(CASE WHEN substr({t}, 1, 1) = '.' THEN substr({t}, 2, length({t}) - 1 - {_zone_len(x)}) ELSE '' END)"


def time_fits(x: str) -> str:
    """SQL: the value is ISO date or date-time text PostgreSQL reads as the same instant.

    ``YYYY-MM-DD``, or ``YYYY-MM-DD[ T]HH:MM:SS`` with up to 6 fraction
    digits and an optional ``Z`` or ``+HH:MM`` zone. Strict on purpose:
    PostgreSQL would also take 'now' or 'yesterday', which are not data.
    Year 0000 is out: SQLite's date functions take it, PostgreSQL does not.
    This is the reference rule; use it only in a CASE condition after
    :func:`time_fast` (see ``time_ok``), where it costs a few microseconds per
    value instead of being evaluated for every value.
    """
    d4, d2 = _DIGITS * 4, _DIGITS * 2
    # date() alone echoes 2026-02-31; through julianday it normalises to 2026-03-03, which differs.
    date_ok = f"date(julianday(substr({x}, 1, 10))) = substr({x}, 1, 10)"
    t = _tail(x)
    frac = f"substr({t}, 1, length({t}) - {_zone_len(x)})"
    return (
        f"(typeof({x}) = 'text' AND substr({x}, 1, 4) <> '0000' AND {date_ok} AND ("
        f"length({x}) = 10 AND {x} GLOB '{d4}-{d2}-{d2}'"
        f" OR {x} GLOB '{d4}-{d2}-{d2}[ T]{d2}:{d2}:{d2}*'"
        f" AND substr({x}, 12, 2) <= '23' AND substr({x}, 15, 2) <= '59' AND substr({x}, 18, 2) <= '59'"
        f" AND ({frac} = '' OR {frac} GLOB '.[0-9]*' AND NOT substr({frac}, 2) GLOB '*[^0-9]*'"
        f" AND length({frac}) <= 7)"
        f" AND ({_zone_len(x)} <> 6 OR substr({t}, -5, 2) <= '14' AND substr({t}, -2, 2) <= '59')))"
    )


_LONG_MONTHS = "('01', '03', '05', '07', '08', '10', '12')"


def time_fast(x: str) -> str:
    """SQL: the writers' usual forms, checked with GLOB and substring comparisons only; implies :func:`time_fits`.

    ``YYYY-MM-DD HH:MM:SS`` (ADR ``CURRENT_TIMESTAMP``) and
    ``YYYY-MM-DDTHH:MM:SS[.ffffff]`` (the deployed bot's ``isoformat()``),
    without a zone, with the calendar checked by hand (month lengths, leap
    years) instead of through ``julianday``. A value this rejects may still
    fit: :func:`time_ok` then asks :func:`time_fits`.
    """
    d4, d2 = _DIGITS * 4, _DIGITS * 2
    p19 = f"{d4}-{d2}-{d2}[ T]{d2}:{d2}:{d2}"
    year, month, day = f"substr({x}, 1, 4)", f"substr({x}, 6, 2)", f"substr({x}, 9, 2)"
    leap = (f"(CAST({year} AS INTEGER) % 4 = 0 AND (CAST({year} AS INTEGER) % 100 <> 0 "
            f"OR CAST({year} AS INTEGER) % 400 = 0))")
    calendar = (f"({month} BETWEEN '01' AND '12' AND {day} BETWEEN '01' AND '28'"
                f" OR {month} BETWEEN '01' AND '12' AND {month} <> '02' AND {day} IN ('29', '30')"
                f" OR {month} IN {_LONG_MONTHS} AND {day} = '31'"
                f" OR {month} = '02' AND {day} = '29' AND {leap})")
    return (f"(typeof({x}) = 'text' AND (length({x}) = 19 AND {x} GLOB '{p19}'"
            f" OR length({x}) BETWEEN 21 AND 26 AND {x} GLOB '{p19}.{_DIGITS}*'"
            f" AND NOT substr({x}, 21) GLOB '*[^0-9]*')"
            f" AND substr({x}, 12, 2) <= '23' AND substr({x}, 15, 2) <= '59' AND substr({x}, 18, 2) <= '59'"
            f" AND {year} <> '0000' AND {calendar})")


def time_ok(x: str) -> str:
    """SQL condition: the value fits ``timestamptz``; the cheap test first, the full one only when it says no.

    Only short-circuited inside a CASE condition or a WHERE clause (SQLite
    evaluates both sides of OR in a plain value expression).
    """
    return f"({time_fast(x)} OR {time_fits(x)})"


def fits_sql(kind: Kind, x: str) -> str:
    """SQL: a non-NULL value ``x`` fits ``kind`` as is."""
    return {
        Kind.BIGINT: f"typeof({x}) = 'integer'",
        Kind.DOUBLE: f"typeof({x}) IN ('integer', 'real')",
        Kind.TEXT: f"typeof({x}) = 'text'",
        Kind.BYTEA: f"typeof({x}) IN ('blob', 'text')",
        Kind.BOOLEAN: f"(typeof({x}) = 'integer' AND {x} IN (0, 1))",
        Kind.TIMESTAMPTZ: time_ok(x),
    }[kind]


def raw_text_sql(x: str) -> str:
    """SQL: a value as the text kept in the side column (a BLOB as ``\\x`` + hex)."""
    return f"(CASE typeof({x}) WHEN 'blob' THEN '\\x' || lower(hex({x})) ELSE CAST({x} AS TEXT) END)"


@dataclass
class ColumnPlan:
    """One source column in the target: its type, and whether it needs a side column."""

    source: SourceColumn
    kind: Kind
    misfits: int = 0
    default: str | None = None

    @property
    def name(self) -> str:
        """The column name (kept as in SQLite)."""
        return self.source.name

    @property
    def not_null(self) -> bool:
        """NOT NULL in the target: declared so and every value fits (SQLite enforces NOT NULL)."""
        return self.source.notnull and not self.misfits

    @property
    def raw_name(self) -> str:
        """The side column for values that do not fit."""
        return self.name + RAW_SUFFIX

    def load_sql(self) -> str:
        """SQL over the snapshot: the value to COPY into the typed column."""
        x = quote(self.name)
        if self.kind is Kind.BYTEA:
            return f"(CASE WHEN typeof({x}) = 'text' THEN CAST({x} AS BLOB) WHEN typeof({x}) = 'blob' THEN {x} END)"
        if not self.misfits:
            return x
        return f"(CASE WHEN {fits_sql(self.kind, x)} THEN {x} END)"

    def raw_sql(self) -> str:
        """SQL over the snapshot: the side column's value (NULL when the value fits)."""
        x = quote(self.name)
        return f"(CASE WHEN {x} IS NOT NULL AND NOT {fits_sql(self.kind, x)} THEN {raw_text_sql(x)} END)"


@dataclass
class TablePlan:
    """How one table moves: columns, keys, indexes, foreign keys, and what cannot move as declared."""

    table: SourceTable
    columns: list[ColumnPlan]
    rows: int = 0
    notes: list[str] = field(default_factory=list)
    # True: typed from the declarations (and a sample) with no misfits assumed; the source
    # checksum, which looks at every value, confirms it or the store is profiled and reloaded.
    assumed: bool = False

    @property
    def name(self) -> str:
        """The table name (kept as in SQLite)."""
        return self.table.name

    def target_columns(self) -> list[str]:
        """Column names in the target, side columns right after their column."""
        out: list[str] = []
        for c in self.columns:
            out.append(c.name)
            if c.misfits:
                out.append(c.raw_name)
        return out

    def select_sql(self) -> str:
        """The query over the snapshot whose rows are COPYed, in ``target_columns`` order."""
        parts: list[str] = []
        for c in self.columns:
            parts.append(c.load_sql())
            if c.misfits:
                parts.append(c.raw_sql())
        return f"SELECT {', '.join(parts)} FROM {quote(self.name)}"

    def key_columns(self) -> tuple[str, ...]:
        """The primary key, when every key value fits its type (else rows are compared by content)."""
        pk = self.table.primary_key
        by_name = {c.name: c for c in self.columns}
        return () if any(by_name[k].misfits for k in pk) else pk


# ---------------------------------------------------------------- defaults and DDL

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_STRING = re.compile(r"^'(?:[^']|'')*'$")
_BLOB = re.compile(r"^[xX]'([0-9a-fA-F]*)'$")
_NOW = {"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME"}


def translate_default(col: ColumnPlan, notes: list[str]) -> str | None:
    """The PostgreSQL DEFAULT for a column's SQLite default; a note when it cannot be carried."""
    text = (col.source.default or "").strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if not text or text.upper() == "NULL":
        return None
    upper = text.upper()
    if upper in _NOW:
        if col.kind is Kind.TIMESTAMPTZ:
            return "CURRENT_TIMESTAMP"
        if col.kind is Kind.TEXT:  # keep the writer's text form, in UTC as SQLite writes it
            return "to_char(CURRENT_TIMESTAMP AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
    elif col.kind is Kind.BOOLEAN and text in ("0", "1"):
        return "true" if text == "1" else "false"
    elif _literal_fits(col.kind, text):
        return text
    elif col.kind is Kind.BYTEA and (m := _BLOB.match(text)):
        return f"'\\x{m.group(1).lower()}'::bytea"
    elif col.kind is Kind.TEXT and _NUMBER.match(text):
        return f"'{text}'"
    notes.append(f"column {col.name}: default {col.source.default} not carried (no PostgreSQL equivalent)")
    return None


def _literal_fits(kind: Kind, text: str) -> bool:
    """A number for a numeric column, a quoted string for a text or time column: the same in both SQLs."""
    if kind in (Kind.BIGINT, Kind.DOUBLE):
        return bool(_NUMBER.match(text))
    return kind in (Kind.TEXT, Kind.TIMESTAMPTZ) and bool(_STRING.match(text))


def _q(schema: str, name: str) -> str:
    return f"{quote(schema)}.{quote(name)}"


def create_table_sql(plan: TablePlan, schema: str) -> str:
    """CREATE TABLE with types, NOT NULL (where every value fits) and defaults; keys come after the load."""
    lines = []
    for c in plan.columns:
        parts = [quote(c.name), c.kind.value]
        if c.not_null:
            parts.append("NOT NULL")
        if c.default is not None:
            parts.append(f"DEFAULT {c.default}")
        lines.append(" ".join(parts))
        if c.misfits:
            lines.append(f"{quote(c.raw_name)} text")
    body = ",\n    ".join(lines)
    return f"CREATE TABLE {_q(schema, plan.name)} (\n    {body}\n)"


def constraint_sql(plan: TablePlan, schema: str) -> list[str]:
    """Primary key, UNIQUE constraints and indexes, to run after the table is loaded."""
    out: list[str] = []
    table = _q(schema, plan.name)
    pk = plan.table.primary_key
    if pk and plan.key_columns():
        out.append(f"ALTER TABLE {table} ADD PRIMARY KEY ({', '.join(map(quote, pk))})")
    for ix in plan.table.indexes:
        if ix.origin == "pk":
            continue
        if ix.partial or ix.expression:
            continue
        cols = ", ".join(map(quote, ix.columns))
        if ix.origin == "u":
            out.append(f"ALTER TABLE {table} ADD UNIQUE ({cols})")
        else:
            unique = "UNIQUE " if ix.unique else ""
            out.append(f"CREATE {unique}INDEX {quote(ix.name)} ON {table} ({cols})")
    return out


def foreign_key_sql(plan: TablePlan, schema: str) -> list[tuple[str, str]]:
    """(constraint name, ADD ... NOT VALID) for each foreign key; validated one by one after."""
    out = []
    for n, fk in enumerate(plan.table.foreign_keys, 1):
        name = f"{plan.name}_fk{n}"[:PG_NAME_MAX]
        ref = f" ({', '.join(map(quote, fk.ref_columns))})" if fk.ref_columns else ""
        out.append((name, f"ALTER TABLE {_q(schema, plan.name)} ADD CONSTRAINT {quote(name)} FOREIGN KEY "
                          f"({', '.join(map(quote, fk.columns))}) REFERENCES {_q(schema, fk.ref_table)}{ref} "
                          "NOT VALID"))
    return out


def copy_sql(plan: TablePlan, schema: str) -> str:
    """The COPY statement for the table's rows.

    FREEZE: the table was created in this same transaction, so its rows can
    be written already frozen; the verification's scan right after then
    reads them without setting hint bits on (writing) every page.
    """
    cols = ", ".join(map(quote, plan.target_columns()))
    return f"COPY {_q(schema, plan.name)} ({cols}) FROM STDIN (FREEZE)"
