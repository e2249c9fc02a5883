"""Reading one JSON state file of the bot safely: complete JSON or a clear reason why not.

The trading state files are rewritten while the console reads them. Exit
intents and the emergency stop are rewritten in place (``open('w')``, which
truncates first), so a reader can find them empty or cut off
(docs/data-formats.md, 'Exit intents', 'Emergency stop'). A read here either
returns the whole parsed document or a :class:`JsonProblem` that says what
was found — "not complete JSON (byte N of M)", "empty", "too large" — and the
callers keep what they read last (see ``state.py``).

Every read goes through ``lstat`` + ``S_ISREG`` first and opens with
``O_NONBLOCK | O_NOFOLLOW``, then checks with ``fstat`` that it holds the file
it looked at: a FIFO never blocks the reader and a symlink is never followed
(docs/architecture.md, 'Symlinks and FIFOs'). A path under ``root`` whose
folders are symlinks is refused too, so nothing outside the data folders is
read.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)

MIB = 1024 * 1024


class Problem(StrEnum):
    """Why a state file gave no document."""

    MISSING = "missing"
    NOT_REGULAR = "not a regular file"
    OUTSIDE = "outside the data folder"
    TOO_LARGE = "too large"
    EMPTY = "empty"
    INCOMPLETE = "not complete JSON"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class JsonProblem:
    """A file that could not be taken as a whole JSON document, and why, in words."""

    problem: Problem
    message: str
    byte: int | None = None  # where parsing stopped (INCOMPLETE)
    size: int | None = None

    @property
    def transient(self) -> bool:
        """True when the writer is likely mid-write: a later read may well succeed."""
        return self.problem in (Problem.EMPTY, Problem.INCOMPLETE)


@dataclass(frozen=True)
class JsonDocument:
    """A whole JSON document and the stat of the file it came from."""

    data: object
    size: int
    mtime: float


def _symlinked_folder(root: Path | None, path: Path) -> bool:
    """True when a folder between ``root`` and ``path`` is a symlink (or not a folder)."""
    if root is None:
        return False
    try:
        rel = path.relative_to(root)
    except ValueError:
        return True
    current = root
    for part in rel.parts[:-1]:
        current = current / part
        try:
            if not stat.S_ISDIR(os.lstat(current).st_mode):
                return True
        except OSError:
            return False  # missing folder: the file is simply missing
    return False


def _read_bytes(path: Path, expected: os.stat_result, limit: int) -> bytes | JsonProblem:
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        return JsonProblem(Problem.UNREADABLE, f"{path.name}: cannot be opened ({exc.strerror})")
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (expected.st_dev, expected.st_ino):
            return JsonProblem(Problem.NOT_REGULAR, f"{path.name}: replaced while it was opened; not read")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(MIB, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                return _too_large(path, total, limit)
        return b"".join(chunks)
    except OSError as exc:
        return JsonProblem(Problem.UNREADABLE, f"{path.name}: read failed ({exc.strerror})")
    finally:
        os.close(fd)


def human_bytes(n: int) -> str:
    """A bound in words: ``64 MiB``, ``1 KiB``, ``512 bytes``."""
    if n >= MIB and n % MIB == 0:
        return f"{n // MIB} MiB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n:,} bytes"


def _too_large(path: Path, size: int, limit: int) -> JsonProblem:
    return JsonProblem(Problem.TOO_LARGE, f"{path.name} is larger than the {human_bytes(limit)} bound for this "
                       "file; not read", size=size)


def _parse(path: Path, raw: bytes) -> object | JsonProblem:
    size = len(raw)
    if not raw.strip():
        return JsonProblem(Problem.EMPTY, f"{path.name} is empty ({size} bytes): being written", byte=0, size=size)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return JsonProblem(Problem.INCOMPLETE, f"{path.name} is being written or damaged: not valid UTF-8 "
                           f"(byte {exc.start} of {size})", byte=exc.start, size=size)
    try:
        parsed: object = json.loads(text)
    except json.JSONDecodeError as exc:
        byte = len(text[: exc.pos].encode("utf-8"))
        return JsonProblem(Problem.INCOMPLETE, f"{path.name} is being written or damaged: not complete JSON "
                           f"(byte {byte} of {size}: {exc.msg})", byte=byte, size=size)
    except RecursionError:
        return JsonProblem(Problem.INCOMPLETE, f"{path.name} is nested too deeply to read", size=size)
    return parsed


def read_json(path: Path, limit: int, root: Path | None = None) -> JsonDocument | JsonProblem:
    """The whole JSON document at ``path`` (at most ``limit`` bytes), or why there is none.

    ``root`` is the data folder the path must stay in: a symlinked folder on
    the way is refused, like a symlinked file.
    """
    if _symlinked_folder(root, path):
        return JsonProblem(Problem.OUTSIDE, f"{path.name}: a folder on its path is a symlink; not followed")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return JsonProblem(Problem.MISSING, f"{path} does not exist")
    except OSError as exc:
        return JsonProblem(Problem.UNREADABLE, f"{path.name}: {exc.strerror}")
    if stat.S_ISLNK(st.st_mode):
        return JsonProblem(Problem.NOT_REGULAR, f"{path.name} is a symlink; not followed")
    if not stat.S_ISREG(st.st_mode):
        return JsonProblem(Problem.NOT_REGULAR, f"{path.name} is not a regular file (a FIFO or device?); not read")
    if st.st_size > limit:
        return _too_large(path, st.st_size, limit)
    raw = _read_bytes(path, st, limit)
    if isinstance(raw, JsonProblem):
        return raw
    parsed = _parse(path, raw)
    if isinstance(parsed, JsonProblem):
        return parsed
    return JsonDocument(parsed, len(raw), st.st_mtime)
