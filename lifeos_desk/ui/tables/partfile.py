"""A file written piece by piece on the event loop, under ``<name>.part`` and renamed at the end.

The CSV export (export.py) and "Save value to file…" (savevalue.py) both
stream from the database in bounded queries, one piece per event-loop turn so
the window keeps painting (docs/architecture.md, 'Half-read statements pin
the WAL'), and both must never leave a half-written file at the path the
admin chose: the work goes to ``<name>.part``, is renamed over the path only
when every piece is written, and is removed on failure or cancel. This base
holds that shape; a subclass opens its file and writes one piece per step.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ...db.errors import DatabaseError


class PartFileWriter(QObject):
    """Writes ``path`` through ``<path>.part``, one ``_write_step`` per event-loop turn.

    Signals:
        finished(str): done and renamed; the message says where and how much.
        failed(str): stopped (nothing was left at the path, and the part file is gone).
    """

    finished = Signal(str)
    failed = Signal(str)

    #: What a step may raise that stops the write with a message (anything else is a bug).
    errors: tuple[type[Exception], ...] = (DatabaseError, OSError)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._part = path.with_name(path.name + ".part")
        self._file: IO[Any] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)

    # ---------------------------------------------------------------- what a subclass says
    def _open_file(self, part: Path) -> IO[Any]:
        """Open the part file (binary or text, as the subclass writes)."""
        raise NotImplementedError

    def _begin(self) -> None:
        """After the part file is open, before the first step (a header, a busy token)."""

    def _write_step(self) -> bool:
        """Write one piece; True when nothing is left to write."""
        raise NotImplementedError

    def _done_message(self) -> str:
        raise NotImplementedError

    def _failed_message(self, exc: Exception) -> str:
        raise NotImplementedError

    def _end(self) -> None:
        """Once the write is over, kept or not (release what ``_begin`` took)."""

    # ---------------------------------------------------------------- the shape
    def start(self) -> None:
        """Open the part file and start writing."""
        try:
            self._file = self._open_file(self._part)
        except OSError as exc:
            self.failed.emit(f"Cannot write {self.path}: {exc.strerror}")
            return
        self._begin()
        self._timer.start()

    @Slot()
    def cancel(self) -> None:
        """Stop and remove the partial file."""
        if self._file is not None:
            self._close(keep=False)

    @Slot()
    def _tick(self) -> None:
        try:
            if self._write_step():
                self._close(keep=True)
                self.finished.emit(self._done_message())
        except self.errors as exc:
            self._close(keep=False)
            self.failed.emit(self._failed_message(exc))

    def _close(self, keep: bool) -> None:
        self._timer.stop()
        self._end()
        if self._file is not None:
            self._file.close()
            self._file = None
        if keep:
            os.replace(self._part, self.path)
        else:
            self._part.unlink(missing_ok=True)
