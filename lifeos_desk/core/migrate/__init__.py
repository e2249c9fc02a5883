"""Migrating the home's SQLite stores to PostgreSQL, verified (ADR-005's way out, issue 16).

Qt-free; Python's sqlite3 reads the snapshot, so this runs in the
``lifeos-desk migrate`` process (the window starts that command as a child,
docs/architecture.md, 'One SQLite library per process'). Modules: ``source``
(snapshot, schema), ``translate`` (types, side columns, DDL), ``profile``
(assumed or profiled plans), ``load`` (one transaction per store, COPY),
``verify`` (counts and checksums on both sides), ``sidecar`` (the SQLite
checksums in a second process beside the load), ``target`` (the URL,
without passwords), ``run`` (the whole migration, with progress and cancel).
"""

from .errors import (
    EXIT_CANCELLED,
    EXIT_FAILED,
    EXIT_NOT_EMPTY,
    EXIT_USAGE,
    BadTarget,
    MigrateError,
    TargetNotEmpty,
)
from .run import LOAD, PLAN, VERIFY, MigrateReport, TableReport, migrate, plan_stores, verify_target
from .target import check_target, describe

__all__ = [
    "EXIT_CANCELLED", "EXIT_FAILED", "EXIT_NOT_EMPTY", "EXIT_USAGE", "LOAD", "PLAN", "VERIFY", "BadTarget",
    "MigrateError", "MigrateReport", "TableReport", "TargetNotEmpty", "check_target", "describe", "migrate",
    "plan_stores", "verify_target",
]
