"""``PRAGMA quick_check`` on a connection of the calling thread's own (the window runs it after first paint).

The window used to run the check while opening the session: 0.1-0.4 s of a
1M-trade home before anything was drawn. ``lifeos-desk info`` and the other
CLI commands still run it before answering (their exit codes depend on it);
the window runs this in a worker thread right after its first paint
(ui/startup_check.py) and shows the answer in the status bar. (It imports
no numpy: it is on the start-up path.)
"""

from __future__ import annotations

import itertools
from pathlib import Path

from PySide6.QtSql import QSqlDatabase

from .connection import BUSY_TIMEOUT_MS, run_scalar
from .errors import DatabaseError, DbProblem

_names = itertools.count(1)


def quick_check_file(path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> str:
    """'ok' or SQLite's first problem (raises DatabaseError when the file cannot be read at all)."""
    name = f"lifeos-quick-check-{next(_names)}"
    result: str | DatabaseError = _check(name, path, busy_timeout_ms)
    QSqlDatabase.removeDatabase(name)  # no handle is left: _check's frame is gone
    if isinstance(result, DatabaseError):
        raise result
    return result


def _check(name: str, path: Path, busy_timeout_ms: int) -> str | DatabaseError:
    db = QSqlDatabase.addDatabase("QSQLITE", name)
    db.setDatabaseName(str(path))
    db.setConnectOptions(f"QSQLITE_BUSY_TIMEOUT={busy_timeout_ms};QSQLITE_OPEN_READONLY")
    if not db.open():
        err = db.lastError().databaseText() or db.lastError().text()
        return DatabaseError(DbProblem.OTHER, f"cannot open {path} for quick_check: {err}", path)
    try:
        return str(run_scalar(db, "PRAGMA quick_check(1)"))
    except DatabaseError as exc:
        return exc.with_traceback(None)  # its frames would hold the handle
    finally:
        db.close()
