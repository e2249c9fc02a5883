"""Why a database could not be opened, in words an admin can act on.

Qt-free so the classification is tested without a screen; the QtSql layer
feeds it SQLite's native error code and message.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"

# SQLite primary result codes (sqlite.org/rescode.html)
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_CORRUPT = 11
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26


class DbProblem(enum.Enum):
    """What is wrong, one value per distinct message and exit code."""

    MISSING = "missing"
    NOT_SQLITE = "not a SQLite database"
    ENCRYPTED = "encrypted or unreadable"
    CORRUPT = "corrupt"
    LOCKED = "locked"
    PERMISSION = "permission denied"
    EMPTY = "empty"
    READ_ONLY = "read-only"
    OTHER = "error"


# Distinct exit codes so scripts can tell cases apart (2 is argparse's usage error).
EXIT_CODES = {
    DbProblem.MISSING: 10,
    DbProblem.NOT_SQLITE: 11,
    DbProblem.ENCRYPTED: 12,
    DbProblem.CORRUPT: 13,
    DbProblem.LOCKED: 14,
    DbProblem.PERMISSION: 15,
    DbProblem.EMPTY: 16,
    DbProblem.READ_ONLY: 17,
    DbProblem.OTHER: 19,
}


@dataclass
class DatabaseError(Exception):
    """A database problem with a one-line message for the window and the CLI."""

    problem: DbProblem
    message: str
    path: Path | None = None

    def __str__(self) -> str:
        return self.message

    @property
    def exit_code(self) -> int:
        """The CLI exit code for this problem."""
        return EXIT_CODES[self.problem]


def sniff_header(head: bytes, size: int) -> DbProblem | None:
    """Classify the first bytes of a file: None means it looks like SQLite.

    An empty file is a valid (empty) database to SQLite. A file of random-
    looking bytes whose size is a multiple of 512 is what SQLCipher and
    similar page-encrypted databases look like.
    """
    if size == 0 or head.startswith(SQLITE_HEADER):
        return None
    if size % 512 == 0 and len(head) >= 64 and _looks_random(head):
        return DbProblem.ENCRYPTED
    return DbProblem.NOT_SQLITE


def _looks_random(data: bytes) -> bool:
    distinct = len(set(data))
    printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in data)
    return distinct > len(data) // 3 and printable < len(data) * 0.8


def hot_journal(path: Path) -> Path | None:
    """``<db>-journal`` when it exists and is not empty: an interrupted write's rollback journal (maybe hot)."""
    journal = path.with_name(path.name + "-journal")
    try:
        return journal if journal.is_file() and journal.stat().st_size > 0 else None
    except OSError:
        return None


def can_write(path: Path) -> bool:
    """Whether this user may write the database file and create files beside it (journal, -wal, -shm)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _is_wal(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(20)
    except OSError:
        return False
    return len(head) == 20 and head[18] == 2


def _read_only_cause(path: Path, text: str) -> DatabaseError:
    """A read-only open that SQLite refused with "readonly": the real cause, and what to do.

    Opening read-only fails with "attempt to write a readonly database"
    when SQLite must write before it can read: a hot journal (an interrupted
    write) has to be rolled back, or a WAL database needs its -shm file in a
    folder this user cannot write to.
    """
    journal = hot_journal(path)
    if journal is not None:
        return DatabaseError(
            DbProblem.READ_ONLY,
            f"{path} has a hot journal from an interrupted write ({journal.name}) that must be rolled back "
            "before it can be read: open it once with write access (lifeos-desk info as the bot's user "
            "does it), or restore a backup; do not delete the journal",
            path,
        )
    if _is_wal(path) and not os.access(path.parent, os.W_OK | os.X_OK):
        return DatabaseError(
            DbProblem.PERMISSION,
            f"{path} is a WAL database in a folder you cannot write to ({path.parent}): SQLite needs to create "
            f"{path.name}-shm there even to read; give this user write access to the folder, or copy the "
            "database (with its -wal file) somewhere writable",
            path,
        )
    return DatabaseError(DbProblem.READ_ONLY, f"{path} cannot be written: {text.strip()}", path)


def classify_sqlite_error(code: int | None, text: str, path: Path) -> DatabaseError:
    """Turn SQLite's result code and message into a specific DatabaseError."""
    low = text.lower()
    if code in (SQLITE_BUSY, SQLITE_LOCKED) or "locked" in low or "busy" in low:
        return DatabaseError(
            DbProblem.LOCKED,
            f"{path} is locked by another program (the bot?) past the busy timeout; try again",
            path,
        )
    if code == SQLITE_NOTADB or "not a database" in low:
        return DatabaseError(DbProblem.NOT_SQLITE, f"{path} is not a SQLite database (or is encrypted)", path)
    if code == SQLITE_CORRUPT or "malformed" in low or "corrupt" in low:
        return DatabaseError(DbProblem.CORRUPT, f"{path} is corrupt: {text.strip()}", path)
    if (code is not None and code & 0xFF == SQLITE_READONLY) or "readonly" in low or "read-only" in low:
        return _read_only_cause(path, text)
    if code in (SQLITE_PERM, SQLITE_CANTOPEN) or "unable to open" in low or "permission" in low:
        if path.exists() and _is_wal(path) and not os.access(path.parent, os.W_OK | os.X_OK):
            return _read_only_cause(path, text)
        if path.exists() and not os.access(path, os.R_OK):
            return DatabaseError(DbProblem.PERMISSION, f"permission denied reading {path}", path)
        if path.exists() and not os.access(path.parent, os.W_OK | os.X_OK):
            return DatabaseError(
                DbProblem.PERMISSION,
                f"permission denied: SQLite needs write access to {path.parent} for its journal files",
                path,
            )
    return DatabaseError(DbProblem.OTHER, f"{path}: {text.strip() or 'unknown SQLite error'}", path)
