"""gzip streams through ISA-L (python-isal), and the console's origin mark.

Why ISA-L: ``tar -czf`` (zlib level 6) is the ADR script's bottleneck, at
30-70 MB/s here; ISA-L's DEFLATE at level 1 runs several hundred MB/s per
core with archives a few percent larger, and its threaded writer
(pigz-style: independent blocks primed with the previous 32 KiB) uses both
cores. The output is one ordinary gzip member: ``tar -xzf`` reads it.

The origin mark is a pax *global* header (``comment``) written before the
first member: GNU tar, bsdtar and Python's tarfile read it silently, and it
lets the backups list tell console archives from the script's by reading the
first kilobyte instead of the whole archive.
"""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path
from typing import IO, cast

from isal import igzip, igzip_lib, igzip_threaded

from .errors import ArchiveError

COMMENT_PREFIX = "lifeos-desk backup"
DEFAULT_LEVEL = 1
DB_LEVEL = 3
BLOCK = 1 << 20
# What a damaged gzip stream raises: ISA-L's error (not an OSError), zlib-style EOF and value errors.
# (isal's stub declares IsalError as an instance; it is the exception class.)
GZIP_ERRORS: tuple[type[Exception], ...] = (cast("type[Exception]", igzip_lib.IsalError), EOFError, ValueError)
_READ_ERRORS: tuple[type[Exception], ...] = (OSError, *GZIP_ERRORS)


GZIP_MAGIC = b"\x1f\x8b"
NOT_AN_ARCHIVE = "not a gzip/tar archive"


def require_gzip_magic(file: IO[bytes]) -> None:
    """Refuse a file that does not start with the gzip signature, before decompressing a byte.

    Without it a text file or an empty one reaches the decompressor and the
    admin reads "truncated or damaged (Compressed file ended…)" (issue 17);
    it was never an archive. The file position is put back.
    """
    start = file.tell()
    head = file.read(len(GZIP_MAGIC))
    file.seek(start)
    if head != GZIP_MAGIC:
        what = "it is empty" if not head else "it does not start with the gzip signature 1f 8b"
        raise ArchiveError(f"{NOT_AN_ARCHIVE} ({what})")


def origin_comment(format_version: int, purpose: str, *flags: str) -> str:
    """The pax comment of a console archive, e.g. ``lifeos-desk backup 1 regular`` (``+postgresql``: a dump inside)."""
    return " ".join((COMMENT_PREFIX, str(format_version), purpose, *flags))


def parse_comment(comment: str | None) -> tuple[int, str] | None:
    """(format version, purpose) from a console comment; None for anything else."""
    if not comment or not comment.startswith(COMMENT_PREFIX + " "):
        return None
    parts = comment[len(COMMENT_PREFIX) + 1:].split()
    if len(parts) < 2 or not parts[0].isdigit() or not all(p.startswith("+") for p in parts[2:]):
        return None
    return int(parts[0]), parts[1]


def comment_flags(comment: str | None) -> set[str]:
    """The ``+flag`` words of a console comment (``+postgresql``: the archive holds a PostgreSQL dump)."""
    return set(comment.split()[4:]) if parse_comment(comment) and comment else set()


def open_writer(raw: IO[bytes], level: int = DEFAULT_LEVEL, threads: int = 0) -> IO[bytes]:
    """A gzip writer over ``raw`` (not closed with it); threads 0 = one per core, at most 4."""
    if threads <= 0:
        threads = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2))
    return cast(IO[bytes], igzip_threaded.open(  # type: ignore[no-untyped-call]
        raw, "wb", compresslevel=level, threads=threads, block_size=BLOCK))


def open_reader(raw: IO[bytes]) -> IO[bytes]:
    """A gzip reader that decompresses in a background thread (so hashing overlaps it)."""
    return cast(IO[bytes], igzip_threaded.open(raw, "rb", threads=1, block_size=BLOCK))  # type: ignore[no-untyped-call]


def read_comment(path: Path) -> str | None:
    """The pax global comment at the start of an archive, reading only its first blocks.

    None when there is none (the ADR script's archives) or the file is not a
    readable .tar.gz (the list shows that as "unreadable" after a verify).
    """
    try:
        with open(path, "rb") as raw, igzip.open(raw, "rb") as gz:  # type: ignore[no-untyped-call]
            head = gz.read(8 * 512)
    except _READ_ERRORS as exc:
        raise ArchiveError(f"{path.name}: not a readable gzip file ({exc})") from exc
    if len(head) < 512 or head[156:157] != b"g":
        return None
    try:
        with tarfile.open(fileobj=io.BytesIO(head + bytes(2048)), mode="r:") as tf:
            tf.next()
            comment = tf.pax_headers.get("comment")
    except (tarfile.TarError, EOFError):
        return None
    return comment if isinstance(comment, str) else None
