"""Copy selected cells as TSV; export the filtered, sorted rows to CSV.

The export is streamed page by page from ``TableWindowModel.iter_pages``
(keyset pages, each query read to its end: no statement stays open between
pages, so the bot's checkpoints go on while a million rows are written). One
page per timer tick keeps the window responsive and the progress dialog's
Cancel working. The file is written under a temporary name and renamed at
the end; cancel or failure removes it. Key columns export only "key present
(N bytes)": a CSV never carries a wallet secret.

Long values: a window holds only a prefix of a long text or blob
(db/tables/cells.py). The export streams such a value whole, in
``cells.CHUNK_CHARS`` pieces of bounded queries, instead of truncating it: a
CSV is a copy of the data, and a silently cut value is lost data. Memory stays
at one piece. Only a table without any row key (paged by OFFSET) cannot have a
value read back by row; there the cell says it is cut ("… (N chars)").
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from PySide6.QtCore import QModelIndex, QObject, Signal

from ...db.errors import DatabaseError
from ...db.tables.cells import is_clipped, readable_by_key, value_chunks
from ...db.tables.columns import export_value
from ...db.tables.window import RawRole, Row, TableWindowModel
from ..busy import BusyToken, app_registry
from .partfile import PartFileWriter

PAGE_ROWS = 2000


def csv_field(text: str) -> str:
    """One field as ``csv.writer`` (QUOTE_MINIMAL) writes it: quoted when it holds , " or a line break."""
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def selection_tsv(model: TableWindowModel, indexes: list[QModelIndex]) -> str:
    """The selected cells as tab-separated lines (rows x the selected columns)."""
    if not indexes:
        return ""
    rows = sorted({i.row() for i in indexes})
    cols = sorted({i.column() for i in indexes})
    chosen = {(i.row(), i.column()) for i in indexes}
    lines = []
    for r in rows:
        cells = []
        for c in cols:
            value = model.index(r, c).data(RawRole) if (r, c) in chosen else None
            text = export_value(model.info.specs[c], value) if (r, c) in chosen else ""
            cells.append(text.replace("\t", " ").replace("\n", " "))
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


class CsvExport(PartFileWriter):
    """Writes the model's current rows to a CSV file, one page per event-loop turn.

    Signals:
        progressed(int): rows written so far.
        finished(str): done; the message says where and how many rows (PartFileWriter's).
        failed(str): stopped with an error (the partial file is removed).
    """

    progressed = Signal(int)
    errors = (DatabaseError, OSError, ValueError)  # ValueError: anything else the writer refuses

    def __init__(self, model: TableWindowModel, path: Path, parent: QObject | None = None) -> None:
        super().__init__(path, parent)
        self._model = model
        self._pages: Iterator[list[Row]] | None = None
        self._file: IO[str] | None = None
        self._writer: object = None
        self.rows = 0
        self._token: BusyToken | None = None

    def _open_file(self, part: Path) -> IO[str]:
        # A lone surrogate is written as "\udXXX" (as the log export does, core/jsonl/export.py
        # CSV_ERRORS): valid UTF-8 for every reader, nothing dropped, no abort mid-export.
        # Closed by PartFileWriter._close.
        return open(part, "w", newline="", encoding="utf-8", errors="backslashreplace")

    def _begin(self) -> None:
        """Write the header, then page through the rows; the export shows as busy (ui/busy.py)."""
        assert self._file is not None  # opened by start()
        self._writer = csv.writer(self._file)
        self._write([s.name for s in self._model.info.specs])
        self._pages = self._model.iter_pages(PAGE_ROWS)
        self._token = app_registry().begin(f"CSV export to {self.path.name}", cancel=self.cancel)

    def _write(self, cells: list[str]) -> None:
        self._writer.writerow(cells)  # type: ignore[attr-defined]

    def _write_row(self, row: Row) -> None:
        """One row; a value the window cut is streamed whole from the database, piece by piece."""
        specs, values = self._model.info.specs, row[1:1 + len(self._model.info.specs)]
        if not any(is_clipped(v) for v in values) or not readable_by_key(self._model.info):
            self._write([export_value(s, v) for s, v in zip(specs, values, strict=True)])  # (cut: says so)
            return
        assert self._file is not None
        for i, (spec, value) in enumerate(zip(specs, values, strict=True)):
            if i:
                self._file.write(",")
            if not is_clipped(value):
                self._file.write(csv_field(export_value(spec, value)))
                continue
            self._file.write('"')
            for piece in value_chunks(self._model.connection(), self._model.info, row[0], i):
                text = piece.hex() if isinstance(piece, bytes) else piece
                self._file.write(text.replace('"', '""'))
            self._file.write('"')
        self._file.write("\r\n")  # csv.writer's line end

    def _write_step(self) -> bool:
        assert self._pages is not None
        page = next(self._pages, None)
        if page is None:
            return True
        for row in page:
            self._write_row(row)
        self.rows += len(page)
        self.progressed.emit(self.rows)
        return False

    def _done_message(self) -> str:
        return f"Exported {self.rows:,} rows to {self.path}"

    def _failed_message(self, exc: Exception) -> str:
        return f"Export stopped: {exc}"

    def _end(self) -> None:
        if self._token is not None:
            app_registry().end(self._token)
            self._token = None
