"""Filter syntax -> SQL with bound parameters, checked by running it (in-memory sqlite3)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from lifeos_desk.core.filters import (
    Clause,
    ColumnFilter,
    ColumnKind,
    FilterError,
    Order,
    TimeStorage,
    TimeStyle,
    combine,
    in_values,
    keyset_after,
    parse_filter,
    parse_timestamp,
    search_clause,
    storage_of,
    to_stored,
)

TEXT = ColumnFilter('"name"', ColumnKind.TEXT)
NUM = ColumnFilter('"pnl"', ColumnKind.MONEY)
INT = ColumnFilter('"n"', ColumnKind.INTEGER)
SQLTIME = ColumnFilter('"at"', ColumnKind.TIME, TimeStorage(TimeStyle.SQL))
ISOTIME = ColumnFilter('"iso"', ColumnKind.TIME, TimeStorage(TimeStyle.ISO))
BOOL = ColumnFilter('"flag"', ColumnKind.BOOL)
KEY = ColumnFilter('"key"', ColumnKind.KEY)

ROWS = [
    ("alice", 10.5, 1, "2026-03-01 12:00:00", 1, b"k"),
    ("bob", -3.0, 2, "2026-03-15 00:00:00", 0, None),
    ("", 0.0, 3, "2026-04-01 00:00:00", None, b"kk"),
    (None, None, 4, None, 1, b"kkk"),
    ("100%_sure", 250.0, 5, "2025-12-31 23:59:59", 0, b"k"),
    ("'; DROP TABLE t; --", 1.0, 6, "2026-03-01 00:00:00", 0, b"k"),
]


@pytest.fixture
def con() -> sqlite3.Connection:
    c = sqlite3.connect(":memory:")
    c.execute("CREATE TABLE t (name TEXT, pnl REAL, n INTEGER, at TEXT, flag BOOLEAN, key BLOB, iso TEXT)")
    c.executemany("INSERT INTO t VALUES (?,?,?,?,?,?,NULL)", ROWS)
    return c


def names(con: sqlite3.Connection, clause: Clause | None) -> list[object]:
    c = combine([clause])
    return [r[0] for r in con.execute(f"SELECT n FROM t WHERE {c.sql} ORDER BY n", c.params)]


@pytest.mark.parametrize(("text", "column", "expected"), [
    ("ali", TEXT, [1]),
    ("ALI", TEXT, [1]),
    ("=bob", TEXT, [2]),
    ('=""', TEXT, [3]),
    ("<>bob", TEXT, [1, 3, 4, 5, 6]),
    ("%", TEXT, [5]),  # LIKE wildcards are escaped
    ("_", TEXT, [5]),
    ('"100%_"', TEXT, [5]),
    ("NULL", TEXT, [4]),
    ("not null", TEXT, [1, 2, 3, 5, 6]),
    ("a~c", TEXT, [1, 2]),
    ("10.5", NUM, [1]),
    (">0", NUM, [1, 5, 6]),
    (">=1", NUM, [1, 5, 6]),
    ("<0", NUM, [2]),
    ("<=0", NUM, [2, 3]),
    ("-5~11", NUM, [1, 2, 3, 6]),
    ("$1,000", NUM, []),
    ("$250", NUM, [5]),
    ("!=1", NUM, [1, 2, 3, 4, 5]),
    ("3", INT, [3]),
    ("2~4", INT, [2, 3, 4]),
    ("yes", BOOL, [1, 4]),
    ("no", BOOL, [2, 5, 6]),
    ("NULL", BOOL, [3]),
    ("NOT NULL", KEY, [1, 3, 4, 5, 6]),
    ("2026-03", SQLTIME, [1, 2, 6]),
    ("2026-03-01", SQLTIME, [1, 6]),
    ("2026-03-01 12", SQLTIME, [1]),
    ("2026-03-01~2026-03-15", SQLTIME, [1, 2, 6]),
    ("<2026", SQLTIME, [5]),
    (">2026-03", SQLTIME, [3]),
    (">=2026-03", SQLTIME, [1, 2, 3, 6]),
    ("<=2026-03-01", SQLTIME, [1, 5, 6]),
    ("<>2026-03", SQLTIME, [3, 4, 5]),
    ("12:00", SQLTIME, [1]),  # not a date: contains on the stored text
])
def test_filters_select_the_right_rows(con: sqlite3.Connection, text: str, column: ColumnFilter,
                                       expected: list[int]) -> None:
    assert names(con, parse_filter(text, column, utc=True)) == expected


def test_empty_filter_is_no_clause() -> None:
    assert parse_filter("   ", TEXT) is None
    assert combine([None, None]) == Clause("1")


@pytest.mark.parametrize("hostile", ["'; DROP TABLE t; --", "x' OR '1'='1", '"; DELETE FROM t; --',
                                     "=1; DROP TABLE t", "') OR 1=1 --"])
def test_hostile_text_is_a_parameter_and_changes_nothing(con: sqlite3.Connection, hostile: str) -> None:
    clause = parse_filter(hostile, TEXT)
    assert clause is not None
    assert hostile.strip("=") not in clause.sql and "DROP" not in clause.sql and "DELETE" not in clause.sql
    found = names(con, clause)
    assert found in ([], [6])  # only the row whose text really contains it
    assert con.execute("SELECT count(*) FROM t").fetchone()[0] == len(ROWS)


def test_drop_table_filter_finds_only_literal_match(con: sqlite3.Connection) -> None:
    assert names(con, parse_filter("'; DROP TABLE users; --", TEXT)) == []
    assert names(con, parse_filter("DROP TABLE t", TEXT)) == [6]


@pytest.mark.parametrize(("text", "column", "message"), [
    (">", NUM, "needs a value"),
    ("=", TEXT, '=""'),
    (">abc", NUM, "not a number"),
    ("1~", NUM, "both ends"),
    ("maybe", BOOL, "yes/no"),
    ("abc", KEY, "NULL or NOT NULL"),
    (">2026-13", SQLTIME, "not a valid date"),
    (">next week", SQLTIME, "not a time"),
    ("2026-05~2026-01", SQLTIME, "ends before"),
])
def test_bad_syntax_raises_filter_error_with_reason(text: str, column: ColumnFilter, message: str) -> None:
    with pytest.raises(FilterError, match=message):
        parse_filter(text, column)


def test_time_filter_is_converted_to_the_stored_zone_and_style(local_zone: str) -> None:
    # Typed in UTC, stored as the deployed bot's zone-less UTC ISO text: the same wall clock.
    clause = parse_filter("2026-03-01", ISOTIME, utc=True)
    assert clause is not None
    assert clause.params[:2] == ("2026-03-01T00:00:00", "2026-03-02T00:00:00")
    # Typed in local time: shifted by this zone's offset into UTC.
    clause = parse_filter("2026-03-01", ISOTIME, utc=False)
    assert clause is not None
    start = datetime(2026, 3, 1).astimezone().astimezone(UTC).replace(tzinfo=None)
    assert clause.params[0] == start.strftime("%Y-%m-%dT%H:%M:%S") != "2026-03-01T00:00:00"
    epoch = ColumnFilter('"e"', ColumnKind.TIME, TimeStorage(TimeStyle.EPOCH))
    clause = parse_filter(">=2026-03-01", epoch, utc=True)
    assert clause is not None and clause.params == (datetime(2026, 3, 1, tzinfo=UTC).timestamp(),)


def test_parse_timestamp_reads_every_stored_form(local_zone: str) -> None:
    want = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_timestamp("2026-03-01 12:00:00") == want
    assert parse_timestamp("2026-03-01T12:00:00+00:00") == want
    assert parse_timestamp("2026-03-01T12:00:00Z") == want
    assert parse_timestamp(want.timestamp()) == want
    assert parse_timestamp(str(int(want.timestamp() * 1000))) == want
    # The deployed bot's datetime.utcnow().isoformat(): zone-less, and UTC whatever this machine's zone.
    assert parse_timestamp("2026-03-01T12:00:00.000000") == want
    assert parse_timestamp("not a time") is None and parse_timestamp(None) is None


def test_storage_guess() -> None:
    assert storage_of("2026-03-01 12:00:00") == TimeStorage(TimeStyle.SQL)
    assert storage_of("2026-03-01T12:00:00.5") == TimeStorage(TimeStyle.ISO)
    assert storage_of("2026-03-01T12:00:00+00:00") == TimeStorage(TimeStyle.ISO)
    assert storage_of(1700000000.5).style is TimeStyle.EPOCH
    assert storage_of(None, TimeStorage(TimeStyle.ISO)) == TimeStorage(TimeStyle.ISO)
    assert to_stored(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), TimeStorage()) == "2026-01-02 03:04:05"


def test_search_covers_text_and_numbers(con: sqlite3.Connection) -> None:
    cols = [TEXT, NUM, SQLTIME]
    assert names(con, search_clause("bo", cols)) == [2]
    assert names(con, search_clause("250", cols)) == [5]
    assert names(con, search_clause("2026-04", cols)) == [3]
    assert search_clause("", cols) is None
    assert names(con, search_clause("x", [BOOL])) == []


def test_in_values_binds_one_json_array(con: sqlite3.Connection) -> None:
    clause = in_values('"n"', list(range(2, 2000)))
    assert len(clause.params) == 1
    assert names(con, clause) == [2, 3, 4, 5, 6]
    assert names(con, in_values('"name"', ["bob", "'; DROP TABLE t; --"])) == [2, 6]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("column", ['"pnl"', '"name"', None])
def test_keyset_walks_every_row_in_order_with_nulls(con: sqlite3.Connection, column: str | None,
                                                    descending: bool) -> None:
    con.executemany("INSERT INTO t (name, pnl, n) VALUES (?,?,?)", [(None, None, 7), ("bob", -3.0, 8)])
    order = Order(column, descending)
    want = [r[0] for r in con.execute(f"SELECT rowid FROM t ORDER BY {order.sql()}")]
    got: list[int] = []
    last = None
    while True:
        if last is None:
            rows = con.execute(f"SELECT rowid, {column or 'rowid'} FROM t ORDER BY {order.sql()} LIMIT 2").fetchall()
        else:
            rows = []
            for phase in keyset_after(order, last[1], last[0]):
                if len(rows) >= 2:
                    break
                rows += con.execute(f"SELECT rowid, {column or 'rowid'} FROM t WHERE {phase.sql}"
                                    f" ORDER BY {order.sql()} LIMIT ?", (*phase.params, 2 - len(rows))).fetchall()
        if not rows:
            break
        got += [r[0] for r in rows]
        last = rows[-1]
    assert got == want
    back = [r[0] for r in con.execute(f"SELECT rowid FROM t ORDER BY {order.reversed().sql()}")]
    assert back == want[::-1]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("column", ['"v"', None])
def test_item13_keyset_on_a_composite_key_walks_every_row_once(column: str | None, descending: bool) -> None:
    c = sqlite3.connect(":memory:")
    c.execute("CREATE TABLE p (a INTEGER NOT NULL, b TEXT NOT NULL, v REAL, PRIMARY KEY (a, b)) WITHOUT ROWID")
    c.executemany("INSERT INTO p VALUES (?,?,?)", [(i % 3, f"k{i % 7}", None if i % 4 == 0 else i % 5)
                                                    for i in range(21)])
    order = Order(column, descending, ('"a"', '"b"'))
    assert order.sql() == (f"{column} {'DESC' if descending else 'ASC'}, " if column else "") + \
        ", ".join(f'"{k}" {"DESC" if descending else "ASC"}' for k in "ab")
    sel = f"SELECT a, b, {column or 'NULL'} FROM p"
    want = [r[:2] for r in c.execute(f"{sel} ORDER BY {order.sql()}")]
    got: list[tuple[object, ...]] = []
    last: tuple[object, ...] | None = None
    while True:
        if last is None:
            rows = c.execute(f"{sel} ORDER BY {order.sql()} LIMIT 4").fetchall()
        else:
            rows = []
            for phase in keyset_after(order, last[2], (last[0], last[1])):
                if len(rows) >= 4:
                    break
                rows += c.execute(f"{sel} WHERE {phase.sql} ORDER BY {order.sql()} LIMIT ?",
                                  (*phase.params, 4 - len(rows))).fetchall()
        if not rows:
            break
        got += [r[:2] for r in rows]
        last = rows[-1]
    assert got == want and len(set(got)) == 21
    with pytest.raises(TypeError):
        keyset_after(order, 1, 5)  # a composite key needs all its values
