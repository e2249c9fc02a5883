"""``PRAGMA quick_check`` on a connection of the calling thread's own (the window runs it after first paint).

The window used to run the check while opening the session: 0.1-0.4 s of a
1M-trade home before anything was drawn. ``lifeos-desk info`` and the other
CLI commands still run it before answering (their exit codes depend on it);
the window runs this in a worker thread right after its first paint
(ui/startup_check.py) and shows the answer in the status bar.
"""

from __future__ import annotations

from pathlib import Path

from .connection import BUSY_TIMEOUT_MS, run_scalar
from .trades_query import Reader


def quick_check_file(path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> str:
    """'ok' or SQLite's first problem (raises DatabaseError when the file cannot be read at all)."""
    reader = Reader(path, busy_timeout_ms)
    try:
        return str(run_scalar(reader.conn, "PRAGMA quick_check(1)"))
    finally:
        reader.close()
