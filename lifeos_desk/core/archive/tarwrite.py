"""Writing tar members straight into the compressor, hashing as the bytes pass.

tarfile.addfile() would do, but reading a growing log needs more control:
the size in the header is fixed at the moment the file is opened (the log's
size "at that moment"), exactly that many bytes are streamed (appends after
that belong to the next backup), and each chunk is hashed once, counted for
progress and checked for cancel on its way to the compressor.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
from typing import IO

from .errors import ArchiveError
from .progress import Reporter

CHUNK = 1 << 20
BLOCK = tarfile.BLOCKSIZE
RECORD = tarfile.RECORDSIZE


class TarWriter:
    """A minimal streaming tar writer (pax format, like tarfile's default)."""

    def __init__(self, out: IO[bytes], comment: str) -> None:
        self._out = out
        self._written = 0
        self._emit(tarfile.TarInfo.create_pax_global_header({"comment": comment}))

    def switch(self, out: IO[bytes]) -> None:
        """Continue the tar stream into another writer (a new gzip member at another level)."""
        self._out = out

    def _emit(self, data: bytes) -> None:
        self._out.write(data)
        self._written += len(data)

    def _header(self, name: str, size: int, mtime: float, kind: bytes, mode: int) -> None:
        ti = tarfile.TarInfo(name)
        ti.size, ti.mtime, ti.type, ti.mode = size, int(mtime), kind, mode
        ti.uname = ti.gname = ""
        if hasattr(os, "getuid"):
            ti.uid, ti.gid = os.getuid(), os.getgid()
        self._emit(ti.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"))

    def add_dir(self, name: str, mtime: float) -> None:
        """A folder entry, as ``tar -czf DIR`` writes one (so ``tar -x`` recreates it)."""
        self._header(name.rstrip("/") + "/", 0, mtime, tarfile.DIRTYPE, 0o700)

    def add_bytes(self, name: str, data: bytes, mtime: float) -> str:
        """A member from memory; returns its SHA-256."""
        self._header(name, len(data), mtime, tarfile.REGTYPE, 0o600)
        self._emit(data)
        self._pad(len(data))
        return hashlib.sha256(data).hexdigest()

    def add_stream(self, name: str, src: IO[bytes], size: int, mtime: float, reporter: Reporter) -> str:
        """Exactly ``size`` bytes of ``src`` as a member; returns their SHA-256.

        Raises ArchiveError when the source ends early (a log truncated while
        being read): the archive would otherwise hold a lie.
        """
        self._header(name, size, mtime, tarfile.REGTYPE, 0o600)
        digest = hashlib.sha256()
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        left = size
        while left:
            n = src.readinto(view[: min(CHUNK, left)])  # type: ignore[attr-defined]
            if not n:
                raise ArchiveError(f"{name} shrank while being read (truncated or rewritten?); run the backup again")
            piece = view[:n]
            digest.update(piece)
            self._out.write(piece)
            left -= n
            reporter.add(n, name)
        self._written += size
        self._pad(size)
        return digest.hexdigest()

    def _pad(self, size: int) -> None:
        rest = size % BLOCK
        if rest:
            self._emit(bytes(BLOCK - rest))

    def close(self) -> None:
        """The end-of-archive marker (two zero blocks), padded to a whole record as tar does."""
        self._emit(bytes(2 * BLOCK))
        rest = self._written % RECORD
        if rest:
            self._emit(bytes(RECORD - rest))
