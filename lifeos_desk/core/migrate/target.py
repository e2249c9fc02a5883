"""The PostgreSQL side: the connection string, checked and shown without secrets.

Passwords travel only libpq's own ways (``~/.pgpass``, ``PGPASSWORD``, a
service file): a password inside the URL would sit in the process list and
the shell history, so it is refused, and no message ever repeats one.
"""

from __future__ import annotations

from typing import Any

from .errors import BadTarget, MigrateError

CONNECT_TIMEOUT_S = 10


def check_target(url: str) -> dict[str, str]:
    """The libpq parameters of ``url``; BadTarget when it is not usable or carries a password."""
    from psycopg.conninfo import conninfo_to_dict

    if not url.startswith(("postgresql://", "postgres://")) and "=" not in url:
        raise BadTarget("the target must be a postgresql://USER@HOST:PORT/DB URL")
    try:
        params = {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None}
    except Exception as exc:  # psycopg.ProgrammingError; its text may quote the URL
        raise BadTarget("the target URL cannot be parsed (expected postgresql://USER@HOST:PORT/DB)") from exc
    if "password" in params:
        raise BadTarget("the target URL carries a password: remove it and use ~/.pgpass, PGPASSWORD "
                        "or a service file (libpq's ways) instead")
    return params


def describe(params: dict[str, str]) -> str:
    """user@host:port/db for messages (there is no password to hide, check_target saw to that)."""
    user = params.get("user", "")
    host = params.get("host", "localhost")
    port = params.get("port", "5432")
    db = params.get("dbname", user)
    return f"{user + '@' if user else ''}{host}:{port}/{db}"


def connect(url: str, **kwargs: Any) -> Any:
    """A psycopg connection (autocommit off) with a connect timeout; MigrateError on failure."""
    import psycopg

    params = check_target(url)
    try:
        return psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, application_name="lifeos-desk migrate",
                               **kwargs)
    except psycopg.Error as exc:
        # libpq's messages name host and user, never the password (none was given on the URL).
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MigrateError(f"cannot connect to {describe(params)}: {first}") from exc
