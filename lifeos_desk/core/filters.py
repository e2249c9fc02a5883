"""Per-column filter syntax -> SQL text with bound parameters, and keyset paging.

Why here and Qt-free: what an admin types into a filter box must never
become SQL text (a filter of ``'; DROP TABLE users; --`` finds nothing and
changes nothing), and that rule is easiest to prove in plain functions tested
without a screen. Column names are never typed by the admin: they come from
the database file itself and are quoted by the caller.

Filter syntax (one box per column; the same text is the tooltip of each box):

========================  ====================================================
``abc``                   text contains ``abc`` (case-insensitive for ASCII);
                          on a number column: equals; on a time column: that
                          period (``2026-03`` is the whole of March)
``"a~b"``                 quoted: contains exactly this text, no operators
``=x`` ``<>x``            equal / not equal (``=""`` is the empty text)
``<x`` ``<=x`` ``>x``     comparisons (numbers as numbers, times as times)
``>=x``
``a~b``                   range, both ends included (times: whole periods)
``NULL`` ``NOT NULL``     the value is (not) NULL; NULL is not the empty text
``yes`` / ``no``          boolean columns (also true/false, 1/0)
========================  ====================================================

Times are typed in the zone the view shows (local or UTC) as ``YYYY``,
``YYYY-MM``, ``YYYY-MM-DD``, optionally `` HH``, ``:MM``, ``:SS`` (space or
``T``), and are converted to the way the column stores them (ADR
``CURRENT_TIMESTAMP`` text, the deployed bot's zone-less ISO text — both UTC,
see core/times.py — or epoch numbers) so that the comparison stays a plain,
index-friendly one.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from .times import as_utc

SYNTAX_HELP = (
    "abc: contains (numbers: equals; times: that period, e.g. 2026-03)\n"
    '"a~b": contains exactly this text\n'
    '=x  <>x  <x  <=x  >x  >=x: compare (="" is empty text)\n'
    "a~b: range, both ends included (2026-01-01~2026-01-31)\n"
    "NULL / NOT NULL: missing value (not the same as empty text)\n"
    "yes / no: check-mark columns"
)


class ColumnKind(enum.Enum):
    """How a column is filtered, formatted and sorted."""

    TEXT = "text"
    INTEGER = "integer"
    REAL = "real"
    MONEY = "money"
    PRICE = "price"
    TIME = "time"
    BOOL = "bool"
    KEY = "key"  # an encrypted wallet key: never shown, never searched

    @property
    def numeric(self) -> bool:
        """Compared as numbers."""
        return self in (ColumnKind.INTEGER, ColumnKind.REAL, ColumnKind.MONEY, ColumnKind.PRICE)


class TimeStyle(enum.Enum):
    """How a time column stores its values."""

    SQL = "sql"  # 'YYYY-MM-DD HH:MM:SS' (SQLite CURRENT_TIMESTAMP)
    ISO = "iso"  # 'YYYY-MM-DDTHH:MM:SS[.ffffff]' (datetime.isoformat())
    EPOCH = "epoch"  # seconds since 1970 as a number


@dataclass(frozen=True)
class TimeStorage:
    """A time column's stored form (zone-less text is UTC: core/times.py)."""

    style: TimeStyle = TimeStyle.SQL


class FilterError(ValueError):
    """The filter text is not valid; the message says why, for the box's tooltip."""


@dataclass(frozen=True)
class Clause:
    """A WHERE fragment and its bound parameters (never the admin's text inline)."""

    sql: str
    params: tuple[Any, ...] = ()


_OPS = ("<>", "!=", "<=", ">=", "=", "<", ">")
_TIME_RE = re.compile(
    r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[ T](\d{1,2})(?::(\d{2})(?::(\d{2})(?:\.\d+)?)?)?)?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
_TRUE = {"yes", "y", "true", "t", "1", "on", "✓"}
_FALSE = {"no", "n", "false", "f", "0", "off", "✗"}


# ---------------------------------------------------------------- times


def parse_timestamp(value: object) -> datetime | None:
    """An aware UTC datetime from ISO text, CURRENT_TIMESTAMP text or epoch numbers.

    Naive text is UTC whatever its separator (the ADR's CURRENT_TIMESTAMP and
    the deployed bot's ``datetime.utcnow().isoformat()``: core/times.py).
    None when not a time.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    text = str(value).strip()
    if not text:
        return None
    try:
        return _from_epoch(float(text))
    except ValueError:
        pass
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return as_utc(dt)


def _from_epoch(seconds: float) -> datetime | None:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000.0
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def storage_of(sample: object, default: TimeStorage | None = None) -> TimeStorage:
    """Guess a column's TimeStorage from one stored value (None: ``default``).

    ``T`` text is ISO (the deployed bot's), space text is the ADR's
    ``CURRENT_TIMESTAMP``; zone-less or not, both are compared in UTC.
    """
    if sample is None or sample == "":
        return default or TimeStorage()
    if isinstance(sample, int | float) and not isinstance(sample, bool):
        return TimeStorage(TimeStyle.EPOCH)
    text = str(sample).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return TimeStorage(TimeStyle.EPOCH)
    return TimeStorage(TimeStyle.ISO if "T" in text else TimeStyle.SQL)


def _period(text: str, zone: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of a typed time, aware; raises FilterError."""
    m = _TIME_RE.match(text.strip())
    if not m:
        raise FilterError(f"'{text}' is not a time: use YYYY-MM-DD, optionally HH:MM:SS")
    parts = [int(p) if p else None for p in m.groups()[:6]]
    year, month, day, hour, minute, second = parts
    try:
        start = datetime(year or 1, month or 1, day or 1, hour or 0, minute or 0, second or 0)
    except ValueError as exc:
        raise FilterError(f"'{text}' is not a valid date ({exc})") from None
    tz: tzinfo = zone
    if m.group(7):
        tz = datetime.fromisoformat("2000-01-01T00:00:00" + m.group(7).replace("Z", "+00:00")).tzinfo or UTC
    start = start.replace(tzinfo=tz) if tz is not _LOCAL else start.astimezone()
    if month is None:
        end = start.replace(year=start.year + 1)
    elif day is None:
        end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    else:
        step = {0: timedelta(days=1), 1: timedelta(hours=1), 2: timedelta(minutes=1)}.get(
            sum(p is not None for p in (hour, minute, second)), timedelta(seconds=1))
        end = start + step
    return start, end


class _LocalZone(tzinfo):
    """Marker for "the machine's local zone" (resolved per date, DST-correct)."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return "local"


_LOCAL = _LocalZone()


def input_zone(utc: bool) -> tzinfo:
    """The zone typed times are read in: UTC, or the machine's local zone."""
    return UTC if utc else _LOCAL


def to_stored(moment: datetime, storage: TimeStorage) -> object:
    """An aware datetime in the column's stored form, for a bound parameter."""
    if storage.style is TimeStyle.EPOCH:
        return moment.timestamp()
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    sep = "T" if storage.style is TimeStyle.ISO else " "
    return naive.strftime(f"%Y-%m-%d{sep}%H:%M:%S")


# ---------------------------------------------------------------- parsing


@dataclass(frozen=True)
class ColumnFilter:
    """What one column's filter needs to know about the column."""

    sql: str  # the quoted column expression, e.g. '"pnl_usd"'
    kind: ColumnKind = ColumnKind.TEXT
    storage: TimeStorage = TimeStorage()


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's wildcards escaped (ESCAPE '\\')."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _contains(col: str, text: str) -> Clause:
    return Clause(f"{col} LIKE ? ESCAPE '\\'", (like_pattern(text),))


def _number(text: str, kind: ColumnKind) -> float | int:
    cleaned = text.strip().replace(",", "").replace("_", "").lstrip("$").replace("$", "")
    try:
        return int(cleaned) if kind is ColumnKind.INTEGER and re.fullmatch(r"[+-]?\d+", cleaned) else float(cleaned)
    except ValueError:
        raise FilterError(f"'{text.strip()}' is not a number") from None


def _unquote(text: str) -> str:
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] == '"':
        return t[1:-1]
    return t


def _split_op(text: str) -> tuple[str | None, str]:
    for op in _OPS:
        if text.startswith(op):
            return ("<>" if op == "!=" else op), text[len(op):].strip()
    return None, text


def parse_filter(text: str, column: ColumnFilter, utc: bool = False) -> Clause | None:
    """One filter box's text as a Clause (None when empty); raises FilterError."""
    raw = text.strip()
    if not raw:
        return None
    col = column.sql
    upper = " ".join(raw.upper().split())
    if upper == "NULL":
        return Clause(f"{col} IS NULL")
    if upper in ("NOT NULL", "!NULL"):
        return Clause(f"{col} IS NOT NULL")
    kind = column.kind
    if kind is ColumnKind.KEY:
        raise FilterError("key columns can only be filtered by NULL or NOT NULL")
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return _contains(col, raw[1:-1]) if kind is not ColumnKind.BOOL else _bool(col, raw[1:-1])
    if kind is ColumnKind.BOOL:
        return _bool(col, raw)
    op, value = _split_op(raw)
    if op is None and "~" in raw:
        low, high = raw.split("~", 1)
        if not low.strip() or not high.strip():
            raise FilterError("a range needs both ends: a~b")
        return _range(column, low, high, utc)
    if op is not None and not value:
        raise FilterError(f"'{op}' needs a value" + (' (="" is the empty text)' if op == "=" else ""))
    if kind is ColumnKind.TIME:
        return _time(column, op, value, utc)
    if kind.numeric:
        return _compare(col, op or "=", _number(value, kind))
    if op is None:
        return _contains(col, value)
    return _compare(col, op, _unquote(value))


def _bool(col: str, text: str) -> Clause:
    word = text.strip().lower()
    if word in _TRUE:
        return Clause(f"{col} = 1")
    if word in _FALSE:
        return Clause(f"{col} = 0")
    raise FilterError(f"'{text.strip()}' is not yes/no (true/false, 1/0)")


def _compare(col: str, op: str, value: object) -> Clause:
    if op == "<>":
        return Clause(f"{col} IS NOT ?", (value,))
    return Clause(f"{col} {op} ?", (value,))


def _range(column: ColumnFilter, low: str, high: str, utc: bool) -> Clause:
    col, kind = column.sql, column.kind
    if kind is ColumnKind.TIME:
        zone = input_zone(utc)
        start, _ = _period(low, zone)
        _, end = _period(high, zone)
        if end <= start:
            raise FilterError("the range ends before it starts")
        return Clause(f"{col} >= ? AND {col} < ?", (to_stored(start, column.storage), to_stored(end, column.storage)))
    lo: object
    hi: object
    if kind.numeric:
        lo, hi = _number(low, kind), _number(high, kind)
    else:
        lo, hi = _unquote(low), _unquote(high)
    return Clause(f"{col} BETWEEN ? AND ?", (lo, hi))


def _time(column: ColumnFilter, op: str | None, value: str, utc: bool) -> Clause:
    col, storage = column.sql, column.storage
    if op is None and not _TIME_RE.match(value):
        return _contains(col, value)  # e.g. "T12:" or a fragment of the stored text
    start, end = _period(value, input_zone(utc))
    s, e = to_stored(start, storage), to_stored(end, storage)
    if op in (None, "="):
        return Clause(f"{col} >= ? AND {col} < ?", (s, e))
    if op == "<>":
        return Clause(f"({col} < ? OR {col} >= ? OR {col} IS NULL)", (s, e))
    bound = {"<": s, "<=": e, ">": e, ">=": s}[op]
    sql_op = {"<": "<", "<=": "<", ">": ">=", ">=": ">="}[op]
    return Clause(f"{col} {sql_op} ?", (bound,))


def search_clause(text: str, columns: Sequence[ColumnFilter]) -> Clause | None:
    """The global search box: text columns contain it, or numeric columns equal it."""
    term = text.strip()
    if not term:
        return None
    parts: list[str] = []
    params: list[Any] = []
    number: float | None
    try:
        number = float(term.replace(",", ""))
    except ValueError:
        number = None
    for c in columns:
        if c.kind in (ColumnKind.TEXT, ColumnKind.TIME):
            parts.append(f"{c.sql} LIKE ? ESCAPE '\\'")
            params.append(like_pattern(term))
        elif c.kind.numeric and number is not None:
            parts.append(f"{c.sql} = ?")
            params.append(number)
    if not parts:
        return Clause("0")
    return Clause("(" + " OR ".join(parts) + ")", tuple(params))


def in_values(col: str, values: Iterable[object]) -> Clause:
    """``col IN (values)`` as one bound JSON array, however many values there are."""
    return Clause(f"{col} IN (SELECT value FROM json_each(?))", (json.dumps(list(values), default=str),))


def combine(clauses: Iterable[Clause | None]) -> Clause:
    """AND together the given clauses (an empty result is ``1``)."""
    real = [c for c in clauses if c is not None]
    if not real:
        return Clause("1")
    sql = " AND ".join(f"({c.sql})" for c in real)
    return Clause(sql, tuple(p for c in real for p in c.params))


# ---------------------------------------------------------------- ordering and keyset paging


@dataclass(frozen=True)
class Order:
    """Sort by one column (None: by the row key, i.e. insertion order), the row key breaking ties.

    ``key`` is one expression (``rowid``, ``_rowid_``) or several (a WITHOUT ROWID
    table's composite primary key): together they identify one row.
    """

    column: str | None = None  # quoted column expression
    descending: bool = False
    key: str | tuple[str, ...] = "rowid"

    @property
    def keys(self) -> tuple[str, ...]:
        """The key's expressions as a tuple (one for a rowid)."""
        return (self.key,) if isinstance(self.key, str) else self.key

    def sql(self, reverse: bool = False) -> str:
        """The ORDER BY list; ``reverse`` flips it (to page from the end)."""
        desc = self.descending != reverse
        word = "DESC" if desc else "ASC"
        keys = ", ".join(f"{k} {word}" for k in self.keys)
        if self.column is None:
            return keys
        return f"{self.column} {word}, {keys}"

    def reversed(self) -> Order:
        """The same order read backwards."""
        return Order(self.column, not self.descending, self.key)


def _key_values(order: Order, key: object) -> tuple[object, ...]:
    """A row's key as bind values (a composite key is a tuple of its columns' values)."""
    if len(order.keys) == 1:
        return (key,)
    if not isinstance(key, tuple | list):
        raise TypeError(f"a composite key needs a tuple of {len(order.keys)} values, got {key!r}")
    return tuple(key)


def _row_value(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"({', '.join(parts)})"


def keyset_after(order: Order, value: object, key: object) -> list[Clause]:
    """Clauses that select, in order, the rows after the row (value, key).

    Returned as phases to run one after another: SQLite sorts NULL first in
    ascending order, and a row-value comparison never matches NULL, so rows
    with a NULL sort value get a phase of their own. Each phase is a plain
    range (``(col, rowid) > (?, ?)``) that SQLite answers from an index.
    """
    keys, kv = order.keys, _key_values(order, key)
    k, marks = _row_value(keys), _row_value(["?"] * len(keys))
    if order.column is None:
        return [Clause(f"{k} {'<' if order.descending else '>'} {marks}", kv)]
    c = order.column
    both, both_marks = _row_value([c, *keys]), _row_value(["?"] * (1 + len(keys)))
    if not order.descending:
        if value is None:
            return [Clause(f"{c} IS NULL AND {k} > {marks}", kv), Clause(f"{c} IS NOT NULL")]
        return [Clause(f"{both} > {both_marks}", (value, *kv))]
    if value is None:
        return [Clause(f"{c} IS NULL AND {k} < {marks}", kv)]
    return [Clause(f"{both} < {both_marks}", (value, *kv)), Clause(f"{c} IS NULL")]
