"""Opening a log file without following it out of the log folders or blocking on it.

A ``*.jsonl`` name can be a symbolic link (``secret.jsonl -> /etc/shadow``)
or a FIFO, also after a rotation put one where the live file was. Both
must never be read: a link is followed only when its target lies inside
one of the configured log folders, and only regular files are opened. The
open itself uses ``O_NONBLOCK`` (a FIFO that appears between the check and
the open then does not block the UI thread) and ``O_NOFOLLOW`` on the
resolved path, and the opened descriptor is checked again with ``fstat``.
Every reopen (rotation, re-creation) goes through here, so the check is
repeated each time.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class SkippedFile(OSError):
    """A log file that is not read, with the reason in plain words (``str(exc)``)."""


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _inside(path: str, roots: Iterable[Path]) -> bool:
    for root in roots:
        base = os.path.realpath(root)
        if path == base or path.startswith(base.rstrip(os.sep) + os.sep):
            return True
    return False


def check(path: Path, roots: Iterable[Path]) -> str | None:
    """Why ``path`` must not be read ("a link to /etc/shadow, outside the log folders"), or None.

    Only stats are taken; nothing is opened. A missing file gives None (the caller's open says so).
    """
    try:
        link = os.lstat(path)
    except OSError:
        return None
    real = os.path.realpath(path)
    if not _inside(real, roots):
        what = "a link" if stat.S_ISLNK(link.st_mode) else "a file in a linked folder"
        return f"skipped {path}: {what} to {real}, outside the log folders"
    try:
        target = os.stat(real)
    except OSError:
        return None
    if not stat.S_ISREG(target.st_mode):
        return f"skipped {path}: {_kind(target.st_mode)}, not a log file"
    return None


def open_log(path: Path, roots: Iterable[Path]) -> int:
    """A read-only descriptor of the regular file at ``path`` (inside ``roots``).

    Raises ``SkippedFile`` when the file must not be read, ``OSError`` when it cannot be.
    """
    roots = tuple(roots)
    reason = check(path, roots)
    if reason is not None:
        raise SkippedFile(reason)
    try:
        fd = os.open(os.path.realpath(path), _FLAGS)
    except OSError as exc:
        if exc.errno in (getattr(os, "ELOOP", -1), getattr(os, "EMLINK", -1)):  # swapped for a link meanwhile
            raise SkippedFile(f"skipped {path}: it became a link while being opened") from exc
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise SkippedFile(f"skipped {path}: {_kind(mode)}, not a log file")
    return fd


def read_head(path: Path, roots: Iterable[Path], size: int = 4096) -> bytes:
    """The first bytes of a log file, or b'' when it cannot (or must not) be read."""
    try:
        fd = open_log(path, roots)
    except OSError:
        return b""
    try:
        return os.pread(fd, size, 0) if hasattr(os, "pread") else os.read(fd, size)
    finally:
        os.close(fd)


def read_all(path: Path, roots: Iterable[Path]) -> bytes:
    """A whole (small) log file; raises ``SkippedFile``/``OSError`` like ``open_log``."""
    with os.fdopen(open_log(path, roots), "rb") as handle:
        return handle.read()
