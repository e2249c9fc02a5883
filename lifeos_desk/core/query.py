"""Running an admin's SQL read-only: one statement, nothing written, a bounded result.

Qt-free, with Python's ``sqlite3``: it runs in ``lifeos-desk query``, a
process of its own (docs/architecture.md, 'One SQLite library per process'),
which the window starts for its SQL console and kills to cancel.

Three independent locks keep a statement from writing:

1. SQLite's own compiler answers first: an authorizer (``set_authorizer``)
   sees every action a statement would take while it is prepared, and
   anything but reading (INSERT, UPDATE, DELETE, CREATE, DROP, ATTACH,
   BEGIN, a PRAGMA that sets a value...) is denied before a row is touched.
   The statement is compiled with ``EXPLAIN`` first, so a refused or bad
   statement never runs at all, and more than one statement is refused.
2. ``PRAGMA query_only=ON`` (SQLite refuses every write on the connection;
   the authorizer keeps it from being switched off).
3. The file is opened with the URI ``mode=ro``: even a write that slipped
   past both is refused by the pager ("attempt to write a readonly database").

Bounded: at most ``limit + 1`` rows are read, then the statement is reset,
which ends its read transaction (docs/architecture.md, 'Half-read
statements pin the WAL'); the process then exits. ``SELECT * FROM (<sql>)
LIMIT n`` was not used: a subquery renames duplicate column names (``id``,
``id:1``) and a trailing comment or semicolon breaks it, while the reset
gives the same guarantee for every kind of statement (PRAGMA, EXPLAIN too).
"""

from __future__ import annotations

import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROW_CAP = 10_000
BUSY_TIMEOUT_S = 30.0  # as ADR-005
PROGRESS_OPS = 50_000  # VM steps between two looks at the cancel flag

# Authorizer actions a read needs (sqlite.org/c3ref/c_alter_table.html).
_READ_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
_SCHEMA_TABLES = ("sqlite_master", "sqlite_temp_master")
_ACTION_WORDS = {
    sqlite3.SQLITE_INSERT: "INSERT", sqlite3.SQLITE_UPDATE: "UPDATE", sqlite3.SQLITE_DELETE: "DELETE",
    sqlite3.SQLITE_ATTACH: "ATTACH", sqlite3.SQLITE_DETACH: "DETACH", sqlite3.SQLITE_ALTER_TABLE: "ALTER TABLE",
    sqlite3.SQLITE_REINDEX: "REINDEX", sqlite3.SQLITE_ANALYZE: "ANALYZE", sqlite3.SQLITE_TRANSACTION: "a transaction",
    sqlite3.SQLITE_SAVEPOINT: "SAVEPOINT", sqlite3.SQLITE_CREATE_VTABLE: "CREATE VIRTUAL TABLE",
    sqlite3.SQLITE_DROP_VTABLE: "DROP VIRTUAL TABLE", sqlite3.SQLITE_PRAGMA: "PRAGMA",
}
# PRAGMAs that only read. Those marked with an argument take a table/index name, not a new value.
READ_PRAGMAS_WITH_ARGUMENT = frozenset({
    "table_info", "table_xinfo", "table_list", "index_info", "index_xinfo", "index_list", "foreign_key_list",
    "foreign_key_check", "integrity_check", "quick_check",
})
READ_PRAGMAS = READ_PRAGMAS_WITH_ARGUMENT | {
    "application_id", "auto_vacuum", "busy_timeout", "cache_size", "collation_list", "compile_options",
    "data_version", "database_list", "encoding", "foreign_keys", "freelist_count", "function_list",
    "journal_mode", "journal_size_limit", "max_page_count", "mmap_size", "module_list", "page_count",
    "page_size", "pragma_list", "query_only", "schema_version", "secure_delete", "synchronous", "temp_store",
    "user_version", "wal_autocheckpoint", "recursive_triggers", "automatic_index", "cell_size_check",
}

# Insert/Delete are not here: a recursive CTE or DISTINCT writes them to its own ephemeral tables;
# a write to a stored table needs OpenWrite (or a write Transaction) first.
WRITE_OPCODES = frozenset({"OpenWrite", "Vacuum", "VCreate", "VDestroy", "VUpdate", "CreateBtree", "Destroy",
                           "Clear", "ParseSchema", "Checkpoint", "IncrVacuum", "SetCookie"})


class QueryError(Exception):
    """Base of what a query run reports instead of rows."""


class Refused(QueryError):
    """The statement would write, or there was more than one: nothing ran."""


class BadSql(QueryError):
    """SQLite could not compile or run the statement (syntax, unknown table...)."""


class Interrupted(QueryError):
    """Cancelled (Ctrl-C, SIGTERM) while it ran."""


class StoreProblem(QueryError):
    """The database itself could not be read (missing, locked, corrupt...): SQLite's code and message."""

    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class QueryResult:
    """Rows of one statement, at most ``limit`` of them."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool
    limit: int
    seconds: float = 0.0

    @property
    def message(self) -> str:
        """One line for the console's status and the CLI's stderr."""
        n = len(self.rows)
        if self.truncated:
            return f"first {n:,} rows (the result has more; the cap is {self.limit:,}) in {self.seconds:.2f} s"
        return f"{n:,} row{'s' if n != 1 else ''} in {self.seconds:.2f} s"

    def as_json(self) -> dict[str, Any]:
        """For ``lifeos-desk query --json`` (blobs as hex text, so the JSON stays valid)."""
        return {"columns": self.columns, "rows": [[json_value(v) for v in r] for r in self.rows],
                "truncated": self.truncated, "limit": self.limit, "seconds": round(self.seconds, 4),
                "message": self.message}


def json_value(value: Any) -> Any:
    """A cell as JSON can carry it: blobs become ``x'…'`` hex text, as SQLite writes blob literals."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "x'" + bytes(value).hex() + "'"
    return value


@dataclass
class _Guard:
    """The authorizer: allows reading, denies and remembers the first write it sees."""

    denied: str = ""
    log: list[str] = field(default_factory=list)

    def __call__(self, action: int, arg1: str | None, arg2: str | None, _db: str | None,
                 _trigger: str | None) -> int:
        if action in _READ_ACTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and self._reading_pragma(arg1, arg2):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_UPDATE and arg1 in _SCHEMA_TABLES:
            # Reading an eponymous virtual table (dbstat, pragma_table_info) asks for this while SQLite
            # registers it; a real UPDATE of the schema table still has OpenWrite in its program,
            # which query() refuses.
            return sqlite3.SQLITE_OK
        if not self.denied:
            self.denied = self._describe(action, arg1, arg2)
        return sqlite3.SQLITE_DENY

    @staticmethod
    def _reading_pragma(name: str | None, argument: str | None) -> bool:
        name = (name or "").lower()
        if name not in READ_PRAGMAS:
            return False
        return argument is None or name in READ_PRAGMAS_WITH_ARGUMENT

    @staticmethod
    def _describe(action: int, arg1: str | None, arg2: str | None) -> str:
        if action == sqlite3.SQLITE_PRAGMA:
            if arg2 is not None:
                return f"PRAGMA {arg1} = {arg2} would change a setting"
            return f"PRAGMA {arg1} is not a read-only PRAGMA"
        word = _ACTION_WORDS.get(action)
        if word is None:
            word = "CREATE or DROP" if 1 <= action <= 17 else f"action {action}"
        if action == sqlite3.SQLITE_ATTACH:
            return f"ATTACH {arg1} would open another database"
        target = f" on {arg1}" if arg1 and action != sqlite3.SQLITE_TRANSACTION else ""
        return f"{word}{target} would write"


def file_uri(path: Path) -> str:
    """``file:`` URI of a path, read-only (``?`` and ``#`` in folder names percent-encoded)."""
    return "file:" + urllib.parse.quote(str(path.absolute())) + "?mode=ro"


class ReadOnlyConnection:
    """A guarded, read-only connection to one database file, with cancel.

    ``cancel()`` may be called from a signal handler or another thread: the
    progress handler sees it within ``PROGRESS_OPS`` VM steps (a Python
    signal handler cannot run while SQLite holds the main thread, but it
    runs when the progress handler's Python code does).
    """

    def __init__(self, path: Path, timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = path
        self._stop = threading.Event()
        self._guard = _Guard()
        try:
            self._con = sqlite3.connect(file_uri(path), uri=True, timeout=timeout, isolation_level=None,
                                        check_same_thread=False)
        except sqlite3.Error as exc:
            raise _store_problem(exc) from None
        try:
            self._con.execute("PRAGMA query_only=ON")
            self._con.set_authorizer(self._guard)
            self._con.set_progress_handler(self._stopped, PROGRESS_OPS)
        except sqlite3.Error as exc:
            self._con.close()
            raise _store_problem(exc) from None

    def _stopped(self) -> int:
        return 1 if self._stop.is_set() else 0

    def cancel(self) -> None:
        """Stop the running statement at its next progress check (any thread, signal handlers)."""
        self._stop.set()
        self._con.interrupt()

    def close(self) -> None:
        """Close the connection."""
        self._con.close()

    def __enter__(self) -> ReadOnlyConnection:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def query(self, sql: str, limit: int = ROW_CAP, params: tuple[Any, ...] = ()) -> QueryResult:
        """Run one read-only statement; at most ``limit`` rows. Raises a QueryError subclass."""
        text = sql.strip()
        if not text.strip(";").strip():
            raise BadSql("nothing to run: the query is empty")
        started = time.monotonic()
        if not _is_explain(text):
            program = self._run(lambda: self._con.execute("EXPLAIN " + text, params).fetchall())  # never runs it
            writes = _writing_opcodes(program)
            if writes:
                raise Refused(f"refused: the statement would write (its program has {', '.join(writes)}); "
                              "the console only reads, and nothing was run")
        columns, rows, more = self._run(lambda: self._fetch(text, params, limit))
        return QueryResult(columns, rows, more, limit, time.monotonic() - started)

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Every row of a small statement of our own (schema facts), under the same guard."""
        rows: list[tuple[Any, ...]] = self._run(lambda: self._con.execute(sql, params).fetchall())
        return rows

    def _fetch(self, sql: str, params: tuple[Any, ...], limit: int) -> tuple[list[str], list[tuple[Any, ...]], bool]:
        cursor = self._con.execute(sql, params)
        try:
            columns = [d[0] for d in cursor.description or ()]
            rows = cursor.fetchmany(limit + 1) if columns else []
        finally:
            cursor.close()  # resets the statement: its read transaction ends here, read to the end or not
        return columns, rows[:limit], len(rows) > limit

    def _run(self, work: Callable[[], Any]) -> Any:
        self._guard.denied = ""
        try:
            return work()
        except sqlite3.ProgrammingError as exc:
            if "one statement at a time" in str(exc):
                raise Refused("refused: run one statement at a time (this text holds more than one); "
                              "nothing was run") from None
            raise BadSql(str(exc)) from None
        except sqlite3.Error as exc:
            raise self._classified(exc) from None

    def _classified(self, exc: sqlite3.Error) -> QueryError:
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        if self._guard.denied or primary == sqlite3.SQLITE_AUTH:
            what = self._guard.denied or "the statement would write"
            return Refused(f"refused: {what}; the console only reads, and nothing was run")
        if primary == sqlite3.SQLITE_INTERRUPT or self._stop.is_set():
            return Interrupted("interrupted: the query was cancelled")
        if primary == sqlite3.SQLITE_READONLY and "readonly database" in str(exc) and not _hot_journal(self.path):
            return Refused(f"refused: {exc} (the console opens the file read-only)")
        if primary == sqlite3.SQLITE_ERROR or primary is None:
            return BadSql(str(exc))
        return _store_problem(exc)


def _writing_opcodes(program: list[tuple[Any, ...]]) -> list[str]:
    """Opcodes of an EXPLAIN listing that write, as ``sqlite3_stmt_readonly`` would judge them.

    The authorizer never sees VACUUM, and ``VACUUM INTO 'file'`` writes a
    new file even on a read-only connection: its ``Vacuum`` opcode is caught
    here, as is a write transaction (``Transaction`` with P2 > 0).
    """
    found: list[str] = []
    for row in program:
        opcode = str(row[1])
        writing = opcode in WRITE_OPCODES or (opcode == "Transaction" and int(row[3] or 0) > 0)
        if writing and opcode not in found:
            found.append(opcode)
    return found


def _is_explain(text: str) -> bool:
    return text[:7].upper() == "EXPLAIN" and (len(text) == 7 or not text[7].isalnum())


def _hot_journal(path: Path) -> bool:
    journal = path.with_name(path.name + "-journal")
    try:
        return journal.is_file() and journal.stat().st_size > 0
    except OSError:
        return False


def _store_problem(exc: sqlite3.Error) -> StoreProblem:
    code = getattr(exc, "sqlite_errorcode", None)
    return StoreProblem(code if isinstance(code, int) else None, str(exc))
