"""``lifeos-desk query "SQL"``: one read-only statement, headless, bounded; ``--schema`` for the schema.

The same rules as the window's SQL console, which runs exactly this as a
child process (``--json``) and kills it to cancel: the rules themselves are
in ``core/query.py``.

Exit codes: 0 rows printed; 2 the SQL is bad (syntax, unknown table) or the
arguments are; 3 the statement would write (refused, nothing ran, the file
unchanged); 10-19 the database could not be read (``db/errors.py``
EXIT_CODES: 10 missing, 11 not SQLite, 13 corrupt, 14 locked...); 130
interrupted (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import argparse
import csv
import json
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from ..core.paths import DataPaths
from ..core.query import ROW_CAP, BadSql, Interrupted, QueryError, ReadOnlyConnection, Refused, StoreProblem, json_value

NAME = "query"
HELP = "run one read-only SQL statement (or --schema) on a store and print the rows"
EXIT_BAD_SQL = 2
EXIT_REFUSED = 3
EXIT_INTERRUPTED = 130


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The statement, the store, the output shape and the row cap."""
    parser.add_argument("sql", nargs="?", default=None,
                        help="one SQL statement (quote it); - reads it from stdin (the window does: argv is public)")
    parser.add_argument("--store", type=Path, default=None, metavar="PATH",
                        help="the SQLite file to read (default: <home>/public_users.db)")
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print one JSON object (columns, rows, truncated)")
    shape.add_argument("--csv", action="store_true", help="print CSV with a header row")
    parser.add_argument("--limit", type=int, default=ROW_CAP, metavar="N",
                        help=f"read at most N rows (default {ROW_CAP:,}); more are reported, not printed")
    parser.add_argument("--schema", action="store_true",
                        help="describe every table, index, view and trigger instead of running SQL")
    parser.add_argument("--no-counts", action="store_true", help="with --schema: skip the count(*) of each table")
    parser.add_argument("--busy-timeout", type=int, default=30_000, metavar="MS",
                        help="how long to wait for the bot's lock (default 30000, as ADR-005)")


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Open the store read-only, run, print; exit codes as the module says."""
    from ..db.errors import DatabaseError, DbProblem, classify_sqlite_error

    store = args.store or paths.db
    if args.sql == "-":
        args.sql = sys.stdin.read()
    if (args.sql is None) == (not args.schema):
        return _fail(args, EXIT_BAD_SQL, "give one SQL statement, or --schema" if args.sql is None
                     else "give either a SQL statement or --schema, not both")
    if args.limit < 1:
        return _fail(args, EXIT_BAD_SQL, "--limit must be at least 1")
    if not store.is_file():
        raise DatabaseError(DbProblem.MISSING, f"no database at {store}", store)
    try:
        with ReadOnlyConnection(store, timeout=args.busy_timeout / 1000) as con, _interruptible(con):
            return _run_on(con, args)
    except StoreProblem as exc:
        raise classify_sqlite_error(exc.code, str(exc), store) from None
    except Refused as exc:
        return _fail(args, EXIT_REFUSED, str(exc))
    except Interrupted as exc:
        return _fail(args, EXIT_INTERRUPTED, str(exc))
    except BadSql as exc:
        return _fail(args, EXIT_BAD_SQL, str(exc))


def _run_on(con: ReadOnlyConnection, args: argparse.Namespace) -> int:
    if args.schema:
        from ..core.sqlschema import read_schema

        schema = read_schema(con, count_rows=not args.no_counts)
        if args.json:
            print(json.dumps(schema.as_json()))
        else:
            for obj in schema.objects:
                rows = "" if obj.rows is None else f"  ({obj.rows:,} rows)"
                print(f"-- {obj.kind} {obj.name}{rows}\n{obj.sql or '(internal)'};\n")
            if schema.note:
                print(f"-- {schema.note}")
        return 0
    result = con.query(args.sql, args.limit)
    if args.json:
        print(json.dumps(result.as_json()))
    elif args.csv:
        _print_csv(result.columns, result.rows)
    else:
        _print_text(result.columns, result.rows)
    print(result.message, file=sys.stderr)
    return 0


def _fail(args: argparse.Namespace, code: int, message: str) -> int:
    if args.json:
        print(json.dumps({"error": message, "exit_code": code}))
    print(f"lifeos-desk query: {message}", file=sys.stderr)
    return code


def _print_csv(columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(columns)
    out.writerows([json_value(v) for v in r] for r in rows)


def _cell(value: Any) -> str:
    return "NULL" if value is None else str(json_value(value)).replace("\n", "\\n")


def _print_text(columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    if not columns:
        return
    cells = [[_cell(v) for v in r] for r in rows]
    widths = [min(40, max([len(c)] + [len(r[i]) for r in cells])) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w)[:w] for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(v.ljust(w)[:w] for v, w in zip(r, widths, strict=True)))


class _interruptible:
    """Ctrl-C and SIGTERM cancel the running statement (``Connection.interrupt`` via the progress handler)."""

    def __init__(self, con: ReadOnlyConnection) -> None:
        self._con = con
        self._old: dict[int, Any] = {}

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        self._con.cancel()

    def __enter__(self) -> _interruptible:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._old[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *_exc: object) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


__all__ = ["EXIT_BAD_SQL", "EXIT_INTERRUPTED", "EXIT_REFUSED", "NAME", "QueryError", "add_arguments", "run"]
