"""Reading small key files safely: no symlinks, regular files only, bounded size.

The same rules as store discovery (docs/architecture.md, 'Symlinks and
FIFOs'): ``O_NOFOLLOW | O_NONBLOCK`` so neither a symlink nor a FIFO swapped
in is followed or blocks, ``fstat`` to admit only a regular file, and a size
cap, since a key file is a few hundred bytes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

MAX_KEY_FILE_BYTES = 1 << 20
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class KeyFileError(OSError):
    """The file cannot be read as a small regular file; the message names why, not its content."""


def read_small(path: Path, cap: int = MAX_KEY_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``cap`` bytes (symlinks and FIFOs refused)."""
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        raise KeyFileError(f"cannot open ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise KeyFileError("not a regular file")
        if st.st_size > cap:
            raise KeyFileError(f"{st.st_size:,} bytes, more than a key file's {cap:,}")
        chunks = []
        while chunk := os.read(fd, cap + 1):
            chunks.append(chunk)
            if sum(map(len, chunks)) > cap:
                raise KeyFileError(f"more than a key file's {cap:,} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def regular_files(folder: Path) -> Iterator[Path]:
    """The regular files directly inside a folder (no symlinks), sorted by name."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        try:
            if stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
                yield Path(entry.path)
        except OSError:
            continue


def real_dir(path: Path) -> bool:
    """A folder that is no symlink itself."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False
