"""What a PostgreSQL database holds, read in a read-only session (``lifeos-desk info --database-url``).

The same discipline as with SQLite (issue 16, "Open a PostgreSQL
database"): the session is read-only by default
(``default_transaction_read_only``), every statement has a timeout, and each
query is fetched to the end at once (a long-open snapshot holds back
PostgreSQL's vacuum the way a half-read statement pins SQLite's WAL,
docs/architecture.md, 'PostgreSQL'). Qt-free: psycopg, in the command's
process; the window's QPSQL side is another stage.

``DATABASE_URL`` is read as the ADR's code reads it; there (in the
environment, not on argv) a password is tolerated, and no message ever
repeats one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from .migrate.errors import BadTarget, MigrateError
from .migrate.target import CONNECT_TIMEOUT_S, check_target, describe

STATEMENT_TIMEOUT_MS = 30_000
ENV = "DATABASE_URL"


@dataclass
class PgInfo:
    """Server, database and rows per table (``schema.table``)."""

    target: str
    server_version: str
    database: str
    read_only: bool
    tables: dict[str, int] = field(default_factory=dict)


def url_from_env() -> str | None:
    """``DATABASE_URL`` when it names PostgreSQL (a SQLite URL there is the default store: ignored)."""
    url = os.environ.get(ENV, "").strip()
    return url if url.startswith(("postgresql://", "postgres://")) else None


def connect_read_only(url: str, allow_password: bool = False,
                      statement_timeout_ms: int = STATEMENT_TIMEOUT_MS) -> Any:
    """A psycopg connection whose transactions are read-only and whose statements time out."""
    import psycopg

    params = _params(url, allow_password)
    options = f"-c default_transaction_read_only=on -c statement_timeout={int(statement_timeout_ms)}"
    try:
        return psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, application_name="lifeos-desk info",
                               options=options, autocommit=True)
    except psycopg.Error as exc:
        raise MigrateError(f"cannot connect to {describe(params)}: {_first_line(exc)}") from None


def _params(url: str, allow_password: bool) -> dict[str, str]:
    if not allow_password:
        return check_target(url)
    try:
        return check_target(url)
    except BadTarget as exc:
        if "password" not in str(exc):
            raise
        from psycopg.conninfo import conninfo_to_dict

        return {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None and k != "password"}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


_TABLES = ("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
           "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1, 2")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def pg_info(url: str, allow_password: bool = False) -> PgInfo:
    """Tables and exact row counts of the database at ``url`` (MigrateError with a clear message)."""
    import psycopg

    params = _params(url, allow_password)
    con = connect_read_only(url, allow_password)
    try:
        version = str(con.execute("SHOW server_version").fetchone()[0])
        database = str(con.execute("SELECT current_database()").fetchone()[0])
        read_only = str(con.execute("SHOW default_transaction_read_only").fetchone()[0]) == "on"
        info = PgInfo(describe(params), version, database, read_only)
        for schema, table in con.execute(_TABLES).fetchall():
            count = con.execute(f"SELECT count(*) FROM {_quote(schema)}.{_quote(table)}").fetchone()[0]
            info.tables[table if schema == "public" else f"{schema}.{table}"] = int(count)
        return info
    except psycopg.Error as exc:
        raise MigrateError(f"reading {describe(params)} failed: {_first_line(exc)}") from None
    finally:
        con.close()
