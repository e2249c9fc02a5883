"""``lifeos-desk info``: resolved paths, schema kind, row counts, journal mode, versions, and every store.

The store list is discovery's (core/discovery.py) with the newest backup's
coverage (core/coverage.py); SQLite stores are counted through QtSql
read-only, one store at a time and closed before the next, so this process
uses one SQLite library only (docs/architecture.md, 'One SQLite library per
process').

With ``--database-url postgresql://…`` (or a PostgreSQL ``DATABASE_URL`` in
the environment, as the ADR's code reads it): the tables and row counts of
that database instead, in a read-only session with a statement timeout
(``core.pginfo``). A password on the command line is refused (it would sit
in the process list); in ``DATABASE_URL`` it is used and never printed.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..core.paths import DataPaths
from . import CommandError

NAME = "info"
HELP = "print the resolved paths, schema kind, row counts, journal mode, SQLite versions and every store found"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--json for scripts."""
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--busy-timeout", type=int, default=30_000, metavar="MS",
                        help="how long to wait for the bot's lock (default 30000, as ADR-005)")
    parser.add_argument("--database-url", metavar="URL",
                        help="describe this PostgreSQL database instead of public_users.db (default: "
                             "DATABASE_URL when it is a postgresql:// URL; passwords via ~/.pgpass, PGPASSWORD "
                             "or a service file, never in this option)")


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Open the database read-only through QtSql and describe it (or PostgreSQL, see the module)."""
    from ..core.pginfo import url_from_env

    if args.database_url:
        return _postgres(args, args.database_url, from_env=False)
    if (env_url := url_from_env()) is not None:
        return _postgres(args, env_url, from_env=True)
    from ..db.connection import Database, opened_info, sqlite_versions
    from ..db.qtapp import ensure_core_app

    ensure_core_app()
    qt_sqlite, py_sqlite = sqlite_versions()
    from .info_stores import describe_stores, store_lines

    stores = describe_stores(paths, args.busy_timeout)  # discovery first: no database of ours is open yet
    db = Database(paths.db, read_only=True, busy_timeout_ms=args.busy_timeout)
    info = opened_info(db)
    db.close()
    report: dict[str, Any] = {
        "home": str(paths.home),
        "bot_dir": str(paths.bot_dir) if paths.bot_dir is not None else None,
        "database": str(paths.db),
        "logs": [str(p) for p in paths.logs],
        "backups": str(paths.backups),
        "schema": info.schema.value,
        "journal_mode": info.journal_mode,
        "quick_check": info.quick_check,
        "page_size": info.page_size,
        "page_count": info.page_count,
        "tables": info.row_counts,
        "sqlite_qtsql": qt_sqlite,
        "sqlite_python": py_sqlite,
        "stores": stores,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    width = max(len(t) for t in info.row_counts) if info.row_counts else 5
    lines = [
        f"home          {report['home']}",
        f"bot checkout  {report['bot_dir'] or '(none: give --bot-dir or LIFEOS_BOT_DIR)'}",
        f"database      {report['database']}",
        f"logs          {', '.join(report['logs'])}",
        f"backups       {report['backups']}",
        f"schema        {report['schema']}",
        f"journal mode  {info.journal_mode}",
        f"quick_check   {info.quick_check}",
        f"size          {info.page_count} pages x {info.page_size} bytes",
        f"SQLite        QtSql {qt_sqlite}, Python sqlite3 {py_sqlite}",
        "tables:",
        *(f"  {t:<{width}}  {n:>12,}" for t, n in info.row_counts.items()),
        *store_lines(stores),
    ]
    print("\n".join(lines))
    return 0


def _postgres(args: argparse.Namespace, url: str, from_env: bool) -> int:
    from ..core.migrate import MigrateError
    from ..core.pginfo import pg_info

    try:
        info = pg_info(url, allow_password=from_env)
    except MigrateError as exc:
        raise CommandError(str(exc), exc.exit_code) from None
    if args.json:
        print(json.dumps({"database_url": info.target, "server_version": info.server_version,
                          "database": info.database, "read_only": info.read_only, "tables": info.tables},
                         indent=2))
        return 0
    width = max((len(t) for t in info.tables), default=5)
    print("\n".join([
        f"database      {info.target}" + ("  (from DATABASE_URL)" if from_env else ""),
        f"server        PostgreSQL {info.server_version}",
        f"session       {'read-only' if info.read_only else 'READ-WRITE'}, statement timeout",
        "tables:",
        *(f"  {t:<{width}}  {n:>12,}" for t, n in info.tables.items()),
    ]))
    return 0
