""""Save value to file…": one cell's whole value streamed out, one bounded query per event-loop turn.

A window holds only a prefix of a long text or blob (db/tables/cells.py). The
whole value is read in ``cells.CHUNK_CHARS`` pieces, each a finished query
(docs/architecture.md, 'Half-read statements pin the WAL'), written as it
comes (texts as UTF-8, blobs as their bytes): memory stays at one piece and
the window stays responsive for a 50 MB cell. Written under ``.part`` and
renamed at the end (partfile.py); a failure or a value the bot changed meanwhile leaves no file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from PySide6.QtCore import QObject

from ...db.errors import DatabaseError
from ...db.tables.cells import CHUNK_CHARS, value_chunks
from ...db.tables.window import TableWindowModel
from .partfile import PartFileWriter


class ValueSave(PartFileWriter):
    """Streams one cell (row key, column) of the model's table to a file.

    Signals (PartFileWriter's):
        finished(str): done; the message says where and how much.
        failed(str): stopped (nothing was left at the path).
    """

    errors = (DatabaseError, OSError, UnicodeError)

    def __init__(self, model: TableWindowModel, key: Any, column: int, path: Path,
                 chunk: int = CHUNK_CHARS, parent: QObject | None = None) -> None:
        super().__init__(path, parent)
        self._pieces: Iterator[str | bytes] = value_chunks(model.connection(), model.info, key, column, chunk)
        self.written = 0

    def _open_file(self, part: Path) -> IO[bytes]:
        return open(part, "wb")  # closed by PartFileWriter._close

    def _write_step(self) -> bool:
        assert self._file is not None
        piece = next(self._pieces, None)
        if piece is None:
            return True
        data = piece if isinstance(piece, bytes) else piece.encode("utf-8", "surrogatepass")
        self._file.write(data)
        self.written += len(data)
        return False

    def _done_message(self) -> str:
        return f"Saved the value ({self.written:,} bytes) to {self.path}"

    def _failed_message(self, exc: Exception) -> str:
        return f"Could not save the value: {exc}"
