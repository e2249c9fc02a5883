"""Writing filtered entries out: JSONL (the lines as they are) or CSV (the viewer's columns).

The file is written next to its final name and renamed into place, so a
cancelled or failed export never leaves half a file under the chosen name.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from .entry import Entry
from .timeline import Timeline

CSV_COLUMNS = ("time", "log", "level", "event", "actor", "resource", "details", "problem")
#: A JSON line may hold a lone surrogate (``"\\ud800"`` is valid JSON), which UTF-8 cannot encode.
#: ``backslashreplace`` writes it as the six characters ``\ud800``: the CSV stays valid UTF-8 for any
#: reader, nothing is dropped silently (``replace`` would write "?"), and ``surrogateescape`` would
#: still fail on every surrogate outside U+DC80..U+DCFF.
CSV_ERRORS = "backslashreplace"


class ExportCancelled(Exception):
    """The admin cancelled the export."""


def moment(seconds: float | None, utc: bool = True) -> datetime | None:
    """Epoch seconds as an aware datetime in UTC or local time; None when unknown or out of range."""
    if seconds is None:
        return None
    try:
        value = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return value if utc else value.astimezone()


def iso(seconds: float | None, utc: bool = True) -> str:
    """A readable time for CSV ("" when unknown)."""
    value = moment(seconds, utc)
    return "" if value is None else value.isoformat(timespec="milliseconds")


def csv_row(entry: Entry, log: str) -> list[str]:
    """One CSV row in CSV_COLUMNS order."""
    return [iso(entry.time), log, entry.level, entry.event, entry.actor, entry.resource,
            entry.summary, entry.problem or ""]


def export_rows(path: Path, rows: Iterable[tuple[Timeline, int]], fmt: str,
                progress: Callable[[int], None] | None = None, cancel: threading.Event | None = None) -> int:
    """Write the given (log, row) pairs as ``fmt`` ("jsonl" or "csv"); the number written.

    JSONL keeps each line's bytes; a line whose bytes are gone is skipped.
    """
    if fmt not in ("jsonl", "csv"):
        raise ValueError(f"unknown export format {fmt!r} (jsonl or csv)")
    tmp = path.with_name(f".{path.name}.part")
    written = 0
    try:
        with open(tmp, "wb") as out:
            text = io.TextIOWrapper(out, encoding="utf-8", errors=CSV_ERRORS, newline="") if fmt == "csv" else None
            writer = csv.writer(text) if text is not None else None
            if writer is not None:
                writer.writerow(CSV_COLUMNS)
            for n, (timeline, row) in enumerate(rows):
                if cancel is not None and n % 2048 == 0 and cancel.is_set():
                    raise ExportCancelled
                if writer is not None:
                    writer.writerow(csv_row(timeline.entry(row), timeline.name))
                    written += 1
                else:
                    got = timeline.read(row, limit=1 << 62)
                    if got is not None:
                        out.write(got[0].rstrip(b"\r") + b"\n")
                        written += 1
                if progress is not None and n % 2048 == 0:
                    progress(n)
            if text is not None:
                text.flush()
                text.detach()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return written
