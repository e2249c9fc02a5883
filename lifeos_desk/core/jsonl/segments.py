"""A segment: a run of lines stored in one place (a file descriptor or memory).

A log's timeline is a list of segments. A live file gives a new segment each
time it is truncated, rotated or re-created, so rows already shown never
change meaning. Lines are located by ``ends`` (the offset just past each
line's last byte, excluding the newline); line ``i`` starts one byte after
line ``i - 1`` ends.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .offsets import GrowableOffsets, Int64Array

#: Bytes read at a time by bulk scans (index, filter, time order).
CHUNK_BYTES = 16 << 20
_HAS_PREADV = hasattr(os, "preadv")
_seek_lock = threading.Lock()


def pread(fd: int, size: int, offset: int) -> bytes:
    """``os.pread`` where it exists; seek + read under a lock elsewhere (Windows)."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    with _seek_lock:  # pragma: no cover - not POSIX
        os.lseek(fd, offset, os.SEEK_SET)
        return os.read(fd, size)


def pwrite(fd: int, data: bytes, offset: int) -> int:
    """``os.pwrite`` where it exists; seek + write under a lock elsewhere."""
    if hasattr(os, "pwrite"):
        return os.pwrite(fd, data, offset)
    with _seek_lock:  # pragma: no cover - not POSIX
        os.lseek(fd, offset, os.SEEK_SET)
        return os.write(fd, data)
_scratch = threading.local()


def scratch_buffer(name: str = "index", size: int = CHUNK_BYTES) -> bytearray:
    """A reusable buffer of at least ``size`` bytes for this thread (one per purpose)."""
    buffer: bytearray | None = getattr(_scratch, name, None)
    if buffer is None or len(buffer) < size:
        buffer = bytearray(max(size, CHUNK_BYTES))
        setattr(_scratch, name, buffer)
    return buffer


class Store:
    """Random-access bytes: ``pread(n, offset)``."""

    def pread(self, size: int, offset: int) -> bytes:
        """Up to ``size`` bytes at ``offset``."""
        raise NotImplementedError

    def readinto(self, buffer: bytearray, size: int, offset: int) -> int:
        """Fill ``buffer[:size]`` from ``offset``; the count read. Reusing one buffer avoids
        fresh 16 MB allocations (page faults) on every chunk: 0.14 s instead of 0.38 s for 420 MB."""
        data = self.pread(size, offset)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        """Release what the store holds."""


class FdStore(Store):
    """A file descriptor held open, so a rotated or deleted file stays readable."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.closed = False

    def pread(self, size: int, offset: int) -> bytes:
        if self.closed or size <= 0:
            return b""
        return pread(self.fd, size, offset)

    def readinto(self, buffer: bytearray, size: int, offset: int) -> int:
        if self.closed or size <= 0:
            return 0
        if _HAS_PREADV:
            return os.preadv(self.fd, [memoryview(buffer)[:size]], offset)
        return super().readinto(buffer, size, offset)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.fd)


class MemoryStore(Store):
    """Bytes kept in memory (the entries of a JSON-array file)."""

    def __init__(self) -> None:
        self.data = bytearray()

    def pread(self, size: int, offset: int) -> bytes:
        return bytes(self.data[offset: offset + size])


@dataclass
class Chunk:
    """Whole lines ``first .. first + len(ends) - 1`` in ``data[:size]`` (which starts at file offset ``base``).

    ``data`` is a per-thread buffer reused by the next chunk: copy what you keep.
    """

    data: bytearray
    size: int
    base: int
    first: int
    ends: Int64Array

    def line(self, k: int) -> bytes:
        """The k-th line of this chunk (0-based), without its newline."""
        start = self.base if k == 0 else int(self.ends[k - 1]) + 1
        return bytes(self.data[start - self.base: int(self.ends[k]) - self.base])


class Segment:
    """Lines of one file identity (or one memory buffer).

    ``gone`` says why lines can no longer be read (a truncated file's old
    bytes are overwritten); the rows stay so nothing shifts or is counted twice.
    """

    def __init__(self, path: Path, store: Store, origin: int = 0, kind: str = "jsonl") -> None:
        self.path = path
        self.store = store
        self.origin = origin
        self.kind = kind
        self.ends = GrowableOffsets()
        self.gone: str | None = None
        self.suspect = 0

    @property
    def count(self) -> int:
        """Lines in this segment."""
        return len(self.ends)

    def span(self, i: int) -> tuple[int, int]:
        """Byte range [start, end) of line i."""
        start = self.origin if i == 0 else self.ends[i - 1] + 1
        return start, self.ends[i]

    def read(self, i: int, limit: int) -> tuple[bytes, int] | None:
        """Up to ``limit`` bytes of line i and its full length, or None when gone."""
        if self.gone is not None:
            return None
        start, end = self.span(i)
        return self.store.pread(min(end - start, limit), start), end - start

    def chunks(self, first: int = 0, last: int | None = None, size: int = CHUNK_BYTES) -> Iterator[Chunk]:
        """Lines first..last-1 in big reads; a line longer than ``size`` comes alone."""
        last = self.count if last is None else min(last, self.count)
        ends = self.ends.view()
        i = first
        while i < last and self.gone is None:
            start = self.span(i)[0]
            j = int(np.searchsorted(ends, start + size, side="right"))
            j = min(max(j, i + 1), last)
            stop = int(ends[j - 1])
            buffer = scratch_buffer("chunks", stop - start)
            got = self.store.readinto(buffer, stop - start, start)
            if got < stop - start:  # the file shrank under us; the tailer will notice
                return
            yield Chunk(data=buffer, size=got, base=start, first=i, ends=ends[i:j])
            i = j

