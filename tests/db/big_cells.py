"""A database with a 50 MB text cell and a 3 MB blob (issue 14, item 12), written with sqlite3 before QtSql."""

from __future__ import annotations

import sqlite3
from pathlib import Path

HUGE_CHARS = 52_428_800
HUGE_ROW = 500  # the huge text's row: sorted by body it is the last row of the first block
BLOB_ROW = 900
ROWS = 1200


def huge_text() -> str:
    """50 MiB characters with quotes, commas, line breaks and non-ASCII (chunks count characters, not bytes)."""
    unit = 'Zürich "quoted", line\nbreak € '
    return (f"body {HUGE_ROW:05d} " + unit * (HUGE_CHARS // len(unit) + 1))[:HUGE_CHARS]


def huge_blob() -> bytes:
    """3 MB of every byte value."""
    return bytes(range(256)) * (3 * 1024 * 1024 // 256)


def make_big_db(path: Path, index_body: bool = False) -> Path:
    """notes(id, title, body, data): short rows around one huge text and one big blob."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, body TEXT, data BLOB)")
    con.executemany("INSERT INTO notes VALUES (?,?,?,?)",
                    [(i, f"note {i % 50}", f"body {i:05d}", None) for i in range(1, ROWS + 1)])
    con.execute("UPDATE notes SET body = ? WHERE id = ?", (huge_text(), HUGE_ROW))
    con.execute("UPDATE notes SET data = ? WHERE id = ?", (huge_blob(), BLOB_ROW))
    if index_body:
        con.execute("CREATE INDEX notes_body ON notes (body)")
    con.commit()
    con.close()
    return path
