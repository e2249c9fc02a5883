"""Proof that every row arrived: per table, a row count and an order-independent checksum, on both sides.

Each row becomes canonical bytes: per column a field (``|N`` for NULL,
``|<len>:<text>`` for text, ``|<digits>`` for integers and booleans as 0/1,
``|<HEX>`` for bytes, ``|YYYY-MM-DD HH:MM:SS[.fraction]`` for times in UTC,
the fraction without trailing zeros, as PostgreSQL's ISO output writes it)
and, after the text, each ``double precision`` value as its 8 IEEE-754
bytes (exact: no decimal rendering to disagree about). The row's digest is
MD5 of those bytes; the table's checksum is the sum of the digests' first 8
bytes read as signed 64-bit integers, which no row order changes.

PostgreSQL computes its side in its own SQL over the stored, typed values
(``::text`` with DateStyle ISO, ``encode``, ``float8send``, ``md5``), so a
wrong time zone, a truncated byte string or a float that lost a bit shows
as a mismatch. SQLite computes the text part in SQL over the snapshot (the
same fit rules as the load) and Python hashes it, in a second process
while the load runs (``sidecar.py``), so both sides are computed
independently from the stored data, not from what the load sent.

The SQLite side also checks an assumed plan (``profile.assume_table``): in
a column assumed to have no misfits, a value that does not fit makes the
row's text NULL and the checksum raises :class:`Refuted` instead of
summing. On a mismatch the table is compared row by row (by primary key,
or by digest for tables without one) to name the first differing key.
"""

from __future__ import annotations

import hashlib
import sqlite3
import struct
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .source import quote
from .translate import ColumnPlan, Kind, TablePlan, fits_sql, fraction_sql, time_fits

ZERO8 = "'\\x0000000000000000'::bytea"
Tick = Callable[[int], None]


@dataclass(frozen=True)
class Checksum:
    """Rows and the order-independent sum of their digests."""

    rows: int
    total: int


class Refuted(Exception):
    """A value in the snapshot does not fit the type its assumed plan gave its column."""


def _no_tick(_rows: int) -> None:
    """Progress nobody listens to."""


def _text_field(v: str) -> str:
    return f"(CASE WHEN {v} IS NULL THEN '|N' ELSE '|' || length(CAST({v} AS BLOB)) || ':' || {v} END)"


_D = "[0-9]"
# The writers' two forms, with the ranges GLOB can check; hours and the year are compared below.
_TIME_HEAD = f"{_D * 4}-[01]{_D}-[0-3]{_D}[ T][0-2]{_D}:[0-5]{_D}:[0-5]{_D}"


def _time_canon(x: str) -> str:
    """A time's canonical text (without the bar): 'N' for NULL, UTC, fraction without trailing zeros.

    NULL (refuting the row) when the value is not a time. The first two
    branches are a shape test only: a date it lets through that the
    calendar lacks (2026-02-30) never reaches a verified result, because
    PostgreSQL's COPY refuses it, the load rolls back and the store is
    profiled value by value (tests/core/test_migrate_times.py checks the
    server does refuse each such form). Everything else goes through the
    full rule.
    """
    short = f"length({x}) = 19 AND {x} GLOB '{_TIME_HEAD}' AND {x} >= '0001' AND substr({x}, 12, 2) < '24'"
    long = (f"length({x}) = 26 AND {x} GLOB '{_TIME_HEAD}.{_D * 6}' AND {x} >= '0001' "
            f"AND substr({x}, 12, 2) < '24'")
    trimmed = f"coalesce('.' || nullif(rtrim(substr({x}, 21), '0'), ''), '')"
    full = (f"strftime('%Y-%m-%d %H:%M:%S', {x}) || "
            f"coalesce('.' || nullif(rtrim({fraction_sql(x)}, '0'), ''), '')")
    return (f"(CASE WHEN {x} IS NULL THEN 'N' WHEN {short} THEN replace({x}, 'T', ' ') "
            f"WHEN {long} THEN substr(replace({x}, 'T', ' '), 1, 19) || {trimmed} "
            f"WHEN {time_fits(x)} THEN {full} END)")


def _lenient_field(c: ColumnPlan) -> str:
    """A column with misfits: its field where the value fits, ``|N`` where it went to the side column."""
    x = quote(c.name)
    canon = {
        Kind.TIMESTAMPTZ: _time_canon(x),
        Kind.DOUBLE: "'D'",
        Kind.BIGINT: x,
        Kind.BOOLEAN: x,
        Kind.BYTEA: f"hex({x})",
        Kind.TEXT: f"length(CAST({x} AS BLOB)) || ':' || {x}",
    }[c.kind]
    return f"(CASE WHEN {x} IS NOT NULL AND {fits_sql(c.kind, x)} THEN '|' || {canon} ELSE '|N' END)"


def _strict_field(c: ColumnPlan) -> tuple[str, list[str], str | None]:
    """(printf piece, its arguments, the condition every value must meet) for a column without misfits.

    A time column has no condition and no piece: its canonical text is NULL
    when the value is not a time, and is joined with ``||`` (see
    :func:`_sqlite_parts`), which turns the whole text NULL.
    """
    x, nullable = quote(c.name), not c.not_null
    if c.kind is Kind.TIMESTAMPTZ:
        return "", [_time_canon(x)], None
    fits = fits_sql(c.kind, x)
    guard = f"({x} IS NULL OR {fits})" if nullable else fits
    if c.kind is Kind.TEXT:
        if nullable:
            return "|%s%s", [f"(CASE WHEN {x} IS NULL THEN 'N' ELSE length(CAST({x} AS BLOB)) || ':' END)", x], guard
        return "|%d:%s", [f"length(CAST({x} AS BLOB))", x], guard
    if c.kind is Kind.DOUBLE:
        return ("|%s", [f"(CASE WHEN {x} IS NULL THEN 'N' ELSE 'D' END)"], guard) if nullable else ("|D", [], guard)
    if c.kind is Kind.BYTEA:
        return "|%s", [f"(CASE WHEN {x} IS NULL THEN 'N' ELSE hex({x}) END)"], guard
    return "|%s", [f"coalesce({x}, 'N')" if nullable else x], guard  # BIGINT, BOOLEAN


def _sqlite_real(c: ColumnPlan) -> str:
    x = c.load_sql() if c.misfits else quote(c.name)
    return x if c.not_null else f"coalesce({x}, 0.0)"


def _pg_field(c: ColumnPlan) -> tuple[str, str | None]:
    """(text part, bytea part or None) for one typed column, in PostgreSQL's SQL."""
    x = quote(c.name)
    canon = {
        Kind.DOUBLE: "'|D'",
        Kind.BIGINT: f"'|' || {x}::text",
        Kind.BOOLEAN: f"'|' || {x}::int::text",
        Kind.BYTEA: f"'|' || upper(encode({x}, 'hex'))",
        Kind.TIMESTAMPTZ: f"'|' || ({x} AT TIME ZONE 'UTC')::text",
        Kind.TEXT: f"'|' || octet_length({x}) || ':' || {x}",
    }[c.kind]
    text = f"({canon})" if c.not_null else f"(CASE WHEN {x} IS NULL THEN '|N' ELSE {canon} END)"
    if c.kind is not Kind.DOUBLE:
        return text, None
    return text, (f"float8send({x})" if c.not_null else f"coalesce(float8send({x}), {ZERO8})")


def _pg_raw(c: ColumnPlan) -> str:
    x = quote(c.raw_name)
    return f"(CASE WHEN {x} IS NULL THEN '|N' ELSE '|' || octet_length({x}) || ':' || {x} END)"


_PRINTF_ARGS = 100  # SQLite allows 127 arguments to a function by default


def _sqlite_parts(plan: TablePlan, cols: list[ColumnPlan]) -> tuple[str, list[str]]:
    """The row's text part as one expression, and its reals.

    ``printf`` builds the text (a chain of ``||`` allocates a string per
    piece and costs several times more); one CASE holds the fit condition
    of every column without misfits, and a time column's text is NULL when
    it is not a time, so a value that does not fit makes the whole text NULL
    (sqlite_checksum's Refuted).
    """
    parts: list[str] = []  # SQL expressions joined with ||
    fmt, args = "", list[str]()
    guards, reals = [], []

    def flush() -> None:
        nonlocal fmt, args
        if fmt:
            parts.append(f"printf('{fmt}', {', '.join(args)})" if args else f"'{fmt}'")
        fmt, args = "", []

    for c in cols:
        if c.kind is Kind.DOUBLE:
            reals.append(_sqlite_real(c))
        if c.misfits:
            piece, more = "%s%s", [_lenient_field(c), _text_field(c.raw_sql())]
        else:
            piece, more, guard = _strict_field(c)
            if guard:
                guards.append(guard)
            if not piece:  # a time: its own expression, so a NULL spreads to the whole text
                flush()
                parts += ["'|'", *more]
                continue
        if len(args) + len(more) > _PRINTF_ARGS:
            flush()
        fmt, args = fmt + piece, args + more
    flush()
    text = " || ".join(parts) or "''"
    return (f"(CASE WHEN {' AND '.join(guards)} THEN {text} END)" if guards else text), reals


def sqlite_canon_sql(plan: TablePlan, extra: str = "") -> tuple[str, int]:
    """SELECT [extra,] text part, reals... over the snapshot; returns the SQL and the number of reals."""
    text, reals = _sqlite_parts(plan, plan.columns)
    cols = ", ".join([*([extra] if extra else []), text, *reals])
    return f"SELECT {cols} FROM {quote(plan.name)}", len(reals)


def pg_digest_sql(plan: TablePlan, cols: list[ColumnPlan] | None = None) -> str:
    """PostgreSQL expression: the row's MD5 (hex) over its canonical bytes."""
    texts, blobs = [], []
    for c in plan.columns if cols is None else cols:
        text, blob = _pg_field(c)
        texts.append(text)
        if blob:
            blobs.append(blob)
        if c.misfits and cols is None:
            texts.append(_pg_raw(c))
    body = " || ".join([f"convert_to(concat({', '.join(texts) or chr(39) * 2}), 'UTF8')", *blobs])
    return f"md5({body})"


def _qualified(schema: str, name: str) -> str:
    return f"{quote(schema)}.{quote(name)}"


def prepare_session(pg: Any) -> None:
    """The settings the PostgreSQL side's canonical text depends on (times in UTC, ISO output)."""
    pg.execute("SET TimeZone = 'UTC'")
    pg.execute("SET DateStyle = 'ISO, YMD'")


def pg_checksum(pg: Any, plan: TablePlan, schema: str) -> Checksum:
    """Rows and checksum computed by PostgreSQL (in a session set up by :func:`prepare_session`)."""
    digest = pg_digest_sql(plan)
    row = pg.execute(f"SELECT count(*), coalesce(sum(('x' || substr({digest}, 1, 16))::bit(64)::bigint), 0) "
                     f"FROM {_qualified(schema, plan.name)}").fetchone()
    return Checksum(int(row[0]), int(row[1]))


def _digester(n_reals: int) -> Callable[[tuple[Any, ...]], bytes]:
    """MD5 of a row's text part (str or bytes) and its reals packed as IEEE-754 big-endian."""
    def data(text: str | bytes) -> bytes:
        return text.encode() if isinstance(text, str) else text

    if not n_reals:
        return lambda row: hashlib.md5(data(row[0])).digest()
    pack = struct.Struct(f">{n_reals}d").pack
    return lambda row: hashlib.md5(data(row[0]) + pack(*row[1:])).digest()


def sqlite_checksum(con: sqlite3.Connection, plan: TablePlan, tick: Tick = _no_tick) -> Checksum:
    """Rows and checksum over the snapshot; ``tick(rows)`` is called per batch (cancel and progress).

    Fetches the text as bytes (no decoding: the digest is over the bytes).
    Raises Refuted when a value does not fit its column's assumed type.
    """
    sql, n_reals = sqlite_canon_sql(plan)
    md5, from_bytes = hashlib.md5, int.from_bytes
    pack = struct.Struct(f">{n_reals}d").pack
    rows = total = 0
    factory = con.text_factory
    con.text_factory = bytes
    try:
        cur = con.execute(sql)
        while batch := cur.fetchmany(20_000):
            try:
                if n_reals:
                    total += sum(from_bytes(md5(r[0] + pack(*r[1:])).digest()[:8], "big", signed=True)
                                 for r in batch)
                else:
                    total += sum(from_bytes(md5(r[0]).digest()[:8], "big", signed=True) for r in batch)
            except (TypeError, struct.error):  # a NULL text part (or a text in a real column)
                raise Refuted(f"table {plan.name}: a value does not fit its column's declared type") from None
            rows += len(batch)
            tick(len(batch))
    finally:
        con.text_factory = factory
    return Checksum(rows, total)


def first_difference(con: sqlite3.Connection, pg: Any, plan: TablePlan, schema: str) -> str:
    """The first key (in SQLite's key order) whose row differs, is missing, or is extra in PostgreSQL."""
    keys = list(plan.key_columns())
    by_name = {c.name: c for c in plan.columns}
    key_cols = [by_name[k] for k in keys]
    table = _qualified(schema, plan.name)
    if keys:
        key_pg = pg_digest_sql(plan, key_cols)
        theirs = {str(k): str(d) for k, d in pg.execute(f"SELECT {key_pg}, {pg_digest_sql(plan)} FROM {table}")}
        key_text, _ = _sqlite_parts(plan, key_cols)
        sql, n_reals = sqlite_canon_sql(plan, extra=key_text)
        order = " ORDER BY " + ", ".join(map(quote, keys))
        digest = _digester(n_reals)
        for row in con.execute(sql + order):
            key = hashlib.md5(row[0].encode()).hexdigest() if not _has_real(key_cols) else None
            mine = digest(row[1:]).hex()
            shown = _show_key(con, plan, keys, row[0])
            if key is None:
                return f"{shown} (a real-valued key: compared by count and checksum only)"
            if key not in theirs:
                return f"{shown}: missing in PostgreSQL"
            if theirs.pop(key) != mine:
                return f"{shown}: values differ"
        return "a row only in PostgreSQL" if theirs else "no single row differs (the checksums disagree)"
    theirs_c = Counter(str(d) for (d,) in pg.execute(f"SELECT {pg_digest_sql(plan)} FROM {table}"))
    sql, n_reals = sqlite_canon_sql(plan, extra="rowid")
    digest = _digester(n_reals)
    for row in con.execute(sql + " ORDER BY rowid"):
        mine = digest(row[1:]).hex()
        if theirs_c[mine] <= 0:
            return f"rowid {row[0]} (no primary key): no identical row in PostgreSQL"
        theirs_c[mine] -= 1
    return "a row only in PostgreSQL" if +theirs_c else "no single row differs (the checksums disagree)"


def _has_real(cols: list[ColumnPlan]) -> bool:
    return any(c.kind is Kind.DOUBLE for c in cols)


def _show_key(con: sqlite3.Connection, plan: TablePlan, keys: list[str], key_text: str) -> str:
    """``col=value`` for messages, from the canonical key text (``|<len>:<text>`` or ``|<digits>``)."""
    parts = key_text.split("|")[1:]
    shown = []
    for name, part in zip(keys, parts, strict=False):
        value = part.split(":", 1)[1] if ":" in part and part.split(":", 1)[0].isdigit() else part
        shown.append(f"{name}={value}")
    return ", ".join(shown)
