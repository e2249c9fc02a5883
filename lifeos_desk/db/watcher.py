"""Noticing the bot's commits cheaply (docs/architecture.md, 'Noticing commits').

``PRAGMA data_version`` changes when another connection commits. It is asked
on a connection of its own that never holds an unfinished statement (on one
that does, the value never changes). One call costs microseconds, so polling
every few hundred milliseconds is cheaper than any file watching, and never
touches the database files with another library.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from .connection import Database, run_scalar
from .errors import DatabaseError

DEFAULT_INTERVAL_MS = 300


class ChangeWatcher(QObject):
    """Emits ``changed`` after another connection commits to the database.

    Signals:
        changed(): the file's content changed since the last poll.
        failed(str): polling failed (locked past the timeout, file gone...).
    """

    changed = Signal()
    failed = Signal(str)

    def __init__(self, database: Database, interval_ms: int = DEFAULT_INTERVAL_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._database = database
        self._last: int | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)

    def start(self) -> None:
        """Begin polling (the first poll records the starting version)."""
        self.poll()
        self._timer.start()

    def stop(self) -> None:
        """Stop polling."""
        self._timer.stop()

    @Slot()
    def poll(self) -> None:
        """Ask data_version once; emit ``changed`` if it moved."""
        try:
            version = int(run_scalar(self._database.connection("watch"), "PRAGMA data_version") or 0)
        except DatabaseError as exc:
            self.failed.emit(str(exc))
            return
        if self._last is not None and version != self._last:
            self._last = version
            self.changed.emit()
        self._last = version
