"""The full ``integrity_check`` of a private database copy, spread over two cores, no check dropped.

docs/architecture.md, 'Splitting integrity_check': SQLite's
``integrity_check`` is ``quick_check`` (every b-tree of the file walked
together, so each page is accounted for exactly once: tables, indexes,
overflow chains, the freelist, ptrmap pages; cell layout and rowid order;
each row's NOT NULL, CHECK and column types) plus, for each row and each
index of its table, three things ``quick_check`` leaves out: the index entry
with that row's key exists (a b-tree seek), a UNIQUE index holds it once,
and each index has as many entries as its table has rows. One table's
index work cannot be split with ``PRAGMA integrity_check(TABLE)`` (a bot
database is one big ``trades`` table: 1.8 s of the 1.9 s), and that form
also skips the page accounting. So:

* one task runs ``PRAGMA quick_check`` on the whole file (nothing partial);
* the index seeks run as SQL over rowid ranges, the very seek SQLite does
  (``SEARCH ... USING COVERING INDEX``, checked in the query plan), one
  range per task; the entry counts and UNIQUE checks are a task per index;
* a table whose indexes are not plain column lists over a rowid table
  (WITHOUT ROWID, partial or expression indexes, generated columns, a
  shadowed rowid), or whose seek the planner would not run as above, gets
  ``PRAGMA integrity_check(TABLE)`` as one task: SQLite's own check.

Two threads run the tasks, each on its own read-only connection: Python's
sqlite3 releases the GIL while a statement steps, so they use both cores.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

MMAP_BYTES = 1 << 40
MAX_ERRORS = 100  # as integrity_check(100)
ROWS_PER_TASK = 131_072  # ~0.2 s of seeks: small enough for both threads to finish together
MAX_RANGES = 64
PROGRESS_OPS = 100_000  # SQLite calls ``stop`` every this many VM steps
MAX_NULL_KEYS = 1_000  # a seek that would scan this many equal keys per row: SQLite's own check instead
_SHADOWS = {"rowid", "oid", "_rowid_"}



@dataclass(frozen=True)
class Task:
    """One part of the check: what it covers (for an error's message) and the query that judges it."""

    label: str
    run: Callable[[sqlite3.Connection], list[str]]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def open_private(path: Path) -> sqlite3.Connection:
    """A connection to a copy nobody else writes: immutable (no locks), memory-mapped, any thread."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True, isolation_level=None,
                          check_same_thread=False)
    con.execute(f"PRAGMA mmap_size={MMAP_BYTES}")  # every page is read: mmap is ~3x faster than read()
    return con


@dataclass(frozen=True)
class Index:
    """A plain index: key columns with their collations, and whether it is UNIQUE."""

    name: str
    columns: tuple[tuple[str, str, bool], ...]  # (column, collation, NOT NULL)
    unique: bool

    def seek(self, table: str) -> str:
        """The correlated seek for row ``t``: its entry in this index, by key and rowid."""
        keys = " AND ".join(f"i.{_q(c)} IS t.{_q(c)} COLLATE {_q(coll)}" for c, coll, _nn in self.columns)
        return f"SELECT 1 FROM {_q(table)} AS i INDEXED BY {_q(self.name)} WHERE {keys} AND i.rowid = t.rowid"

    def any_null(self, alias: str = "") -> str:
        """True when a nullable key column is NULL (such entries are never duplicates)."""
        return " OR ".join(f"{alias}{_q(c)} IS NULL" for c, _coll, nn in self.columns if not nn) or "0"


@dataclass(frozen=True)
class Table:
    """A table to check: its plain indexes, or None when SQLite's own per-table check must run."""

    name: str
    indexes: tuple[Index, ...] | None


def _plain_indexes(con: sqlite3.Connection, table: str) -> tuple[Index, ...] | None:
    """The table's indexes when each is a plain column list over a rowid table; None otherwise."""
    listed = con.execute("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?", (table,)).fetchone()
    if listed is None or listed[0]:
        return None  # WITHOUT ROWID: the key is the primary key, not the rowid
    cols = con.execute(f"PRAGMA table_xinfo({_q(table)})").fetchall()  # cid, name, type, notnull, dflt, pk, hidden
    if any(c[6] for c in cols) or any(str(c[1]).lower() in _SHADOWS for c in cols):
        return None  # generated/hidden columns, or a column that shadows the rowid
    notnull = {str(c[1]): bool(c[3]) for c in cols}
    out = []
    for _seq, name, unique, _origin, partial in con.execute(f"PRAGMA index_list({_q(table)})").fetchall():
        if partial:
            return None
        keys = [r for r in con.execute(f"PRAGMA index_xinfo({_q(name)})").fetchall() if r[5]]
        if not keys or any(r[1] < 0 for r in keys):  # -2: an expression, -1: the rowid itself
            return None
        columns = tuple((str(r[2]), str(r[4]), notnull.get(str(r[2]), False)) for r in keys)
        out.append(Index(str(name), columns, bool(unique)))
    return tuple(out)


def plan_tables(con: sqlite3.Connection) -> list[Table]:
    """Every table with indexes, in schema order (views and virtual tables have none to check)."""
    names = [str(r[0]) for r in con.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND rootpage > 0 ORDER BY rowid")]
    tables = []
    for name in names:
        if not con.execute(f"PRAGMA index_list({_q(name)})").fetchall():
            continue
        indexes = _plain_indexes(con, name)
        if indexes is not None and not all(_seek_is_sound(con, name, ix) for ix in indexes):
            indexes = None
        tables.append(Table(name, indexes))
    return tables


def _seek_is_sound(con: sqlite3.Connection, table: str, ix: Index) -> bool:
    """The planner runs the seek as a SEARCH of this index (else a scan per row), bounded per row."""
    seek = ix.seek(table)
    plan = [str(r[3]) for r in con.execute(f"EXPLAIN QUERY PLAN SELECT 1 FROM {_q(table)} AS t NOT INDEXED "
                                           f"WHERE NOT EXISTS ({seek})")]
    searched = f"SEARCH i USING COVERING INDEX {ix.name} ("
    if not any(p.startswith(searched) for p in plan):
        return False
    if any(p.startswith(searched) and "rowid=?" in p for p in plan):
        return True
    # The planner took the key as unique and stops at it: fine unless many entries share one NULL key.
    nulls = con.execute(f"SELECT count(*) FROM {_q(table)} INDEXED BY {_q(ix.name)} WHERE {ix.any_null()}")
    return int(nulls.fetchone()[0]) <= MAX_NULL_KEYS


def _rowid_ranges(con: sqlite3.Connection, table: str) -> list[tuple[int | None, int | None]]:
    """(after, up_to) rowid bounds covering every rowid, open at both ends: no row can fall between."""
    count, lo, hi = con.execute(f"SELECT count(*), min(rowid), max(rowid) FROM {_q(table)} NOT INDEXED").fetchone()
    n = max(1, min(MAX_RANGES, -(-int(count) // ROWS_PER_TASK)))
    if n == 1 or lo is None:
        return [(None, None)]
    step = (int(hi) - int(lo)) / n
    cuts = sorted({int(lo) + int(step * k) for k in range(1, n)})
    bounds: list[int | None] = [None, *cuts, None]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def _missing_task(table: str, ix: Index, after: int | None, up_to: int | None) -> Task:
    where = " AND ".join(([] if after is None else ["t.rowid > ?1"]) + ([] if up_to is None else ["t.rowid <= ?2"]))
    sql = (f"SELECT t.rowid FROM {_q(table)} AS t NOT INDEXED WHERE {where + ' AND' if where else ''} "
           f"NOT EXISTS ({ix.seek(table)}) LIMIT {MAX_ERRORS}")

    params: tuple[int | None, ...] = (after, up_to) if up_to is not None else (() if after is None else (after,))

    def run(con: sqlite3.Connection) -> list[str]:
        return [f"rowid {r[0]} missing from index {ix.name}" for r in con.execute(sql, params)]

    return Task(f"index {ix.name}, rowids {after}..{up_to}", run)


def _count_task(table: str, ix: Index) -> Task:
    def run(con: sqlite3.Connection) -> list[str]:
        rows = con.execute(f"SELECT count(*) FROM {_q(table)} NOT INDEXED").fetchone()[0]  # the table's b-tree
        # Not a bare count(*): SQLite counts the smallest index for that, whatever INDEXED BY says.
        entries = con.execute(f"SELECT count(*) FROM {_q(table)} INDEXED BY {_q(ix.name)} "
                              f"WHERE typeof({_q(ix.columns[0][0])}) <> ''").fetchone()[0]
        return [] if rows == entries else [f"wrong # of entries in index {ix.name}"]

    return Task(f"entries of index {ix.name}", run)


def _unique_task(table: str, ix: Index) -> Task:
    """A UNIQUE index: its entry count, and no two entries sharing a key without NULLs, in one ordered scan.

    integrity_check compares each row's entry with the next one; equal keys
    are neighbours in the index, so a group of two or more is that finding.
    """
    group = ", ".join(f"{_q(c)} COLLATE {_q(coll)}" for c, coll, _nn in ix.columns)
    sql = (f"SELECT total(n), max(CASE WHEN has_null THEN 1 ELSE n END) FROM (SELECT count(*) AS n, "
           f"({ix.any_null()}) AS has_null FROM {_q(table)} INDEXED BY {_q(ix.name)} GROUP BY {group})")

    def run(con: sqlite3.Connection) -> list[str]:
        rows = con.execute(f"SELECT count(*) FROM {_q(table)} NOT INDEXED").fetchone()[0]
        entries, most = con.execute(sql).fetchone()
        problems = [] if int(entries) == rows else [f"wrong # of entries in index {ix.name}"]
        return problems + ([f"non-unique entry in index {ix.name}"] if (most or 0) > 1 else [])

    return Task(f"entries and uniqueness of index {ix.name}", run)


def _pragma_task(pragma: str) -> Task:
    def run(con: sqlite3.Connection) -> list[str]:
        lines = [str(r[0]) for r in con.execute(f"PRAGMA {pragma}")]
        return [] if lines == ["ok"] else lines

    return Task(pragma, run)


def plan_tasks(con: sqlite3.Connection) -> Iterator[Task]:
    """The whole check as tasks, slowest first so that two threads finish together."""
    yield _pragma_task(f"quick_check({MAX_ERRORS})")
    tables = plan_tables(con)
    for t in tables:
        if t.indexes is None:
            yield _pragma_task(f"integrity_check({_q(t.name)})")
    for t in tables:
        for ix in t.indexes or ():
            yield _unique_task(t.name, ix) if ix.unique else _count_task(t.name, ix)
    for t in tables:
        ranges = _rowid_ranges(con, t.name) if t.indexes else []
        for ix in t.indexes or ():
            for after, up_to in ranges:
                yield _missing_task(t.name, ix, after, up_to)


def _never() -> bool:
    return False


class _Connections:
    """One connection per worker thread, all closed at the end."""

    def __init__(self, path: Path, stop: Callable[[], bool]) -> None:
        self._path, self._stop = path, stop
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def get(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = open_private(self._path)
            con.set_progress_handler(self._stop, PROGRESS_OPS)  # a true ``stop`` interrupts the statement
            self._local.con = con
            with self._lock:
                self._all.append(con)
        return con

    def stopped(self) -> bool:
        """Whether the caller asked to stop (an interrupted query is no finding)."""
        return self._stop()

    def close(self) -> None:
        for con in self._all:
            con.close()


def split_integrity_check(path: Path, stop: Callable[[], bool] = _never, workers: int = 2) -> list[str]:
    """What ``PRAGMA integrity_check(100)`` would say (``["ok"]`` when intact), on ``workers`` threads.

    Raises sqlite3.Error when the file cannot be read as a database (as the
    PRAGMA would) or the check was interrupted by ``stop``. Before SQLite
    3.37 (no ``pragma_table_list``) the PRAGMA itself runs, on one thread.
    """
    if sqlite3.sqlite_version_info < (3, 37) or workers < 2:
        with closing(open_private(path)) as con:
            con.set_progress_handler(stop, PROGRESS_OPS)
            return [str(r[0]) for r in con.execute(f"PRAGMA integrity_check({MAX_ERRORS})")]
    with closing(open_private(path)) as con:
        tasks = list(plan_tasks(con))
    conns = _Connections(path, stop)
    problems: list[str] = []
    try:
        with ThreadPoolExecutor(max(1, workers), thread_name_prefix="integrity-split") as pool:
            futures = [pool.submit(_run, conns, task) for task in tasks]
            try:
                for fut in futures:
                    problems += [p for p in fut.result() if p not in problems]
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    finally:
        conns.close()
    return problems[:MAX_ERRORS] or ["ok"]


def _run(conns: _Connections, task: Task) -> list[str]:
    """The task's findings; a query SQLite refuses as corrupt is a finding too (unless we were stopped)."""
    try:
        return task.run(conns.get())
    except sqlite3.DatabaseError as exc:
        if conns.stopped():
            raise
        return [f"{exc} ({task.label})"]
