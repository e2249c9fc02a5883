"""Backup archives of a data home: make, verify, list, restore, retention.

Qt-free. Everything here opens the bot's database with Python's ``sqlite3``
(the online backup API), so inside the GUI process it must run in a child
process (docs/architecture.md, 'One SQLite library per process'): the window runs ``lifeos-desk backup|verify|
restore ... --json-progress`` through QProcess; the headless commands call
these functions directly.

Layout (docs/data-formats.md, 'Backups from the ADR script', ADR-005's ``scripts/backup.sh``)::

    <backups>/<YYYYmmdd_HHMMSS>.tar.gz
        backups/<DATE>/public_users.db
        backups/<DATE>/trading/...          state files, as `cp -r trading`
        backups/<DATE>/algorithms/...       deployed bot's metrics (console only)
        backups/<DATE>/<log>.jsonl          logs of the first log folder
        backups/<DATE>/logs-<n>/<log>.jsonl logs of log folder n >= 2 (console only)
        backups/<DATE>/postgresql/<db>.dump a PostgreSQL session's pg_dump --format=custom (pgmember.py)
        backups/<DATE>/manifest.json        console only, always the last member
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import ArchiveError, Cancelled
from .limits import Limits
from .progress import CancelFlag, Progress, ProgressFn

if TYPE_CHECKING:
    from .apply import apply_restore
    from .catalog import ArchiveEntry, apply_retention, list_archives, record_check
    from .make import BackupOptions, BackupResult, make_backup
    from .restore import RestorePlan, RestoreResult, prepare_restore
    from .verify import VerifyReport, verify_archive

# Loaded on first use: ``lifeos-desk verify`` needs none of make/restore/apply (~0.1 s of imports).
_LAZY = {"apply_restore": "apply", "ArchiveEntry": "catalog", "apply_retention": "catalog",
         "list_archives": "catalog", "record_check": "catalog", "BackupOptions": "make", "BackupResult": "make",
         "make_backup": "make", "RestorePlan": "restore", "RestoreResult": "restore",
         "prepare_restore": "restore", "VerifyReport": "verify", "verify_archive": "verify"}


def __getattr__(name: str) -> Any:
    """The names of make/verify/restore, imported when first asked for (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "ArchiveEntry", "ArchiveError", "BackupOptions", "BackupResult", "CancelFlag", "Cancelled", "Limits",
    "Progress", "ProgressFn", "RestorePlan", "RestoreResult", "VerifyReport", "apply_restore",
    "apply_retention", "list_archives", "make_backup", "prepare_restore", "record_check", "verify_archive",
]
