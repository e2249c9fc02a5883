"""Finished parts of a log: rotated siblings and gzipped archives.

Both are read once, in budgeted slices, and never change afterwards. A
rotated file is held open so it stays readable if it is later archived or
deleted. A ``.jsonl.gz`` archive is decompressed into an anonymous temporary
file (read-only for the admin; the temp file vanishes with the viewer), so
its lines are read like any other file's.
"""

from __future__ import annotations

import os
import tempfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from .arrayfile import ArrayFile, looks_like_array
from .indexer import LineIndexer
from .safeopen import SkippedFile, open_log, read_head
from .segments import CHUNK_BYTES, FdStore, Segment, pwrite


class StaticFile:
    """A rotated file: indexed once; a last line without newline is a line."""

    def __init__(self, path: Path, roots: Iterable[Path] = ()) -> None:
        self.path = path
        self.roots = tuple(roots) or (path.parent,)
        self.segments: list[Segment] = []
        self.notice: str | None = None
        self.problem: str | None = None
        self._indexer: LineIndexer | None = None
        self._size = 0
        self.done = False

    def poll(self, budget: int) -> bool:
        """Index up to ``budget`` more bytes; True when the whole file is indexed."""
        if self.done:
            return True
        if self._indexer is None and not self._open():
            self.done = True
            return True
        assert self._indexer is not None
        if self._indexer.advance(self._size, budget):
            self._indexer.finish(self._size)
            self.done = True
        return self.done

    def _open(self) -> bool:
        try:
            fd = open_log(self.path, self.roots)
        except SkippedFile as exc:
            self.problem = str(exc)
            return False
        except OSError as exc:
            self.problem = f"cannot read {self.path.name}: {exc.strerror}"
            return False
        self._size = os.fstat(fd).st_size
        segment = Segment(self.path, FdStore(fd))
        self.segments.append(segment)
        self._indexer = LineIndexer(segment)
        return True

    def close(self) -> None:
        """Close the held descriptor."""
        for segment in self.segments:
            segment.store.close()


class GzipFile(StaticFile):
    """A ``.jsonl.gz`` archive, decompressed in slices into a temporary file."""

    def __init__(self, path: Path, roots: Iterable[Path] = (), max_bytes: int = 8 << 30) -> None:
        super().__init__(path, roots)
        self.max_bytes = max_bytes
        self._source: object | None = None
        self._inflate = zlib.decompressobj(wbits=47)  # gzip or zlib header, multi-member aware below
        self._written = 0

    def poll(self, budget: int) -> bool:
        """Decompress and index up to ``budget`` more bytes; True when done."""
        if self.done:
            return True
        if self._indexer is None and not self._open():
            self.done = True
            return True
        assert self._indexer is not None
        finished = self._inflate_some(budget)
        self._size = self._written
        self._indexer.advance(self._size, self._size)
        if finished:
            self._indexer.finish(self._size)
            self.done = True
            self._close_source()
        return self.done

    def _open(self) -> bool:
        try:
            self._source = os.fdopen(open_log(self.path, self.roots), "rb")  # held across polls, closed when done
        except SkippedFile as exc:
            self.problem = str(exc)
            return False
        except OSError as exc:
            self.problem = f"cannot read {self.path.name}: {exc.strerror}"
            return False
        fd, name = tempfile.mkstemp(prefix="lifeos-desk-archive-", suffix=".jsonl")
        os.unlink(name)  # anonymous: gone when closed, never left behind
        segment = Segment(self.path, FdStore(fd))
        self.segments.append(segment)
        self._indexer = LineIndexer(segment)
        return True

    def _inflate_some(self, budget: int) -> bool:
        """Write up to about ``budget`` decompressed bytes; True at the end (or on a broken archive)."""
        source = self._source
        assert source is not None and hasattr(source, "read")
        store = self.segments[0].store
        assert isinstance(store, FdStore)
        produced = 0
        while produced < budget:
            raw = self._inflate.unconsumed_tail or source.read(CHUNK_BYTES // 4)
            if not raw:
                return True
            try:
                out = self._inflate.decompress(raw, CHUNK_BYTES)
                if self._inflate.eof:  # next gzip member, if any
                    rest = self._inflate.unused_data
                    self._inflate = zlib.decompressobj(wbits=47)
                    out += self._inflate.decompress(rest, CHUNK_BYTES) if rest else b""
            except zlib.error as exc:
                self.problem = f"{self.path.name} is damaged after {self._written} bytes: {exc}"
                return True
            pwrite(store.fd, out, self._written)
            self._written += len(out)
            produced += len(out)
            if self._written > self.max_bytes:
                self.problem = f"{self.path.name} expands beyond {self.max_bytes >> 30} GB; shown in part"
                return True
        return False

    def _close_source(self) -> None:
        source = self._source
        if source is not None and hasattr(source, "close"):
            source.close()
        self._source = None

    def close(self) -> None:
        """Close the archive and the temporary file."""
        self._close_source()
        super().close()


def finished_source(path: Path, roots: Iterable[Path] = ()) -> StaticFile | GzipFile | ArrayFile:
    """The reader for a rotated or archived part (files outside ``roots`` are skipped when read)."""
    roots = tuple(roots) or (path.parent,)
    if path.name.endswith(".gz"):
        return GzipFile(path, roots)
    if looks_like_array(read_head(path, roots)):
        return ArrayFile(path, roots)
    return StaticFile(path, roots)
