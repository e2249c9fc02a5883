"""Database ▸ Migrate to PostgreSQL…: ADR-005's way out, run as a child and verified (issue 16)."""

from .dialog import MigrateDialog

__all__ = ["MigrateDialog"]
