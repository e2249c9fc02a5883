"""The console opened on a PostgreSQL database (``--database-url``, ``DATABASE_URL``; issue 16)."""

from .window import POLL_MS, PgWindow

__all__ = ["POLL_MS", "PgWindow"]
