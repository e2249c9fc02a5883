"""A PostgreSQL URL turned into the pieces QtSql's QPSQL driver takes, with the password kept apart.

QPSQL takes host, port, database, user and password through setters and
every other libpq keyword (``service``, ``sslmode``, ...) as connect
options. A password is refused on argv (``--database-url``: it would sit in
the process list, core/migrate/target.py); from ``DATABASE_URL`` in the
environment, as the ADR's code reads it, it is tolerated and kept in memory
only. ``~/.pgpass``, ``PGPASSWORD`` and a service file are libpq's own ways
and need nothing here (docs/architecture.md, 'PostgreSQL').
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .migrate.errors import BadTarget
from .migrate.target import CONNECT_TIMEOUT_S, check_target, describe

SETTERS = ("host", "port", "dbname", "user", "password")


@dataclass(frozen=True)
class PgParams:
    """libpq parameters of one database; ``password`` is never written anywhere."""

    host: str = ""
    port: int = 0
    dbname: str = ""
    user: str = ""
    password: str = field(default="", repr=False)
    options: tuple[tuple[str, str], ...] = ()
    label: str = ""  # user@host:port/db for titles and messages (no password)

    def connect_options(self) -> str:
        """QPSQL's connect-options string: the other libpq keywords, ';'-separated, and a connect timeout."""
        opts = dict(self.options)
        opts.setdefault("connect_timeout", str(CONNECT_TIMEOUT_S))
        opts.setdefault("application_name", "lifeos-desk")
        return ";".join(f"{k}={_quoted(v)}" for k, v in opts.items())


def _quoted(value: str) -> str:
    """A libpq conninfo value (QPSQL joins the options with spaces)."""
    if value and all(c not in value for c in " '\\;"):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pg_params(url: str, allow_password: bool = False) -> PgParams:
    """The parameters of ``url``; BadTarget when it is unusable, or carries a password and ``allow_password`` is off."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        check_target(url)
    except BadTarget as exc:
        if not allow_password or "password" not in str(exc):
            raise
    raw = {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None}
    safe = {k: v for k, v in raw.items() if k != "password"}
    try:
        port = int(raw.get("port", "0") or 0)
    except ValueError:
        raise BadTarget("the port of the URL is not a number") from None
    return PgParams(raw.get("host", ""), port, raw.get("dbname", ""), raw.get("user", ""), raw.get("password", ""),
                    tuple((k, v) for k, v in raw.items() if k not in SETTERS), describe(safe))
