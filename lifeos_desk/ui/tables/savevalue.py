""""Save value to file…": one cell's whole value streamed out, one bounded query per event-loop turn.

A window holds only a prefix of a long text or blob (db/tables/cells.py). The
whole value is read in ``cells.CHUNK_CHARS`` pieces, each a finished query
(docs/architecture.md, 'Half-read statements pin the WAL'), written as it
comes (texts as UTF-8, blobs as their bytes): memory stays at one piece and
the window stays responsive for a 50 MB cell. Written under ``.part`` and
renamed at the end; a failure or a value the bot changed meanwhile leaves no file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ...db.errors import DatabaseError
from ...db.tables.cells import CHUNK_CHARS, value_chunks
from ...db.tables.window import TableWindowModel


class ValueSave(QObject):
    """Streams one cell (row key, column) of the model's table to a file.

    Signals:
        finished(str): done; the message says where and how much.
        failed(str): stopped (nothing was left at the path).
    """

    finished = Signal(str)
    failed = Signal(str)

    def __init__(self, model: TableWindowModel, key: Any, column: int, path: Path,
                 chunk: int = CHUNK_CHARS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._part = path.with_name(path.name + ".part")
        self._pieces: Iterator[str | bytes] = value_chunks(model.connection(), model.info, key, column, chunk)
        self._file: IO[bytes] | None = None
        self.written = 0
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._step)

    def start(self) -> None:
        """Open the part file and start streaming."""
        try:
            self._file = open(self._part, "wb")  # noqa: SIM115 - closed in _close
        except OSError as exc:
            self.failed.emit(f"Cannot write {self.path}: {exc.strerror}")
            return
        self._timer.start()

    @Slot()
    def _step(self) -> None:
        assert self._file is not None
        try:
            piece = next(self._pieces, None)
            if piece is None:
                self._close(keep=True)
                self.finished.emit(f"Saved the value ({self.written:,} bytes) to {self.path}")
                return
            data = piece if isinstance(piece, bytes) else piece.encode("utf-8", "surrogatepass")
            self._file.write(data)
            self.written += len(data)
        except (DatabaseError, OSError, UnicodeError) as exc:
            self._close(keep=False)
            self.failed.emit(f"Could not save the value: {exc}")

    def _close(self, keep: bool) -> None:
        self._timer.stop()
        if self._file is not None:
            self._file.close()
            self._file = None
        if keep:
            os.replace(self._part, self.path)
        else:
            self._part.unlink(missing_ok=True)
