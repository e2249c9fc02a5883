"""Incremental newline indexing of one segment, shared by every kind of source.

``LineIndexer.advance`` reads at most ``budget`` bytes per call, so the UI
thread can index a 300 MB file in slices of a few milliseconds each and a
tailer can catch up without ever blocking the event loop for long.
"""

from __future__ import annotations

import numpy as np

from .entry import MAX_PARSE_BYTES
from .offsets import Int64Array, newline_positions
from .segments import CHUNK_BYTES, Segment, scratch_buffer


class LineIndexer:
    """Appends the ends of complete lines of ``segment`` as bytes arrive.

    ``pos`` is the offset just after the last complete line; ``scanned`` is
    how far we know there is no newline (so a megabyte line being written is
    not rescanned on every poll).
    """

    def __init__(self, segment: Segment) -> None:
        self.segment = segment
        self.pos = segment.origin
        self.scanned = segment.origin

    def advance(self, size: int, budget: int) -> bool:
        """Index complete lines below ``size``; True when everything below ``size`` was scanned."""
        limit = min(size, self.scanned + max(budget, 1))
        while self.scanned < limit:
            want = min(CHUNK_BYTES, limit - self.scanned)
            buffer = scratch_buffer()
            got = self.segment.store.readinto(buffer, want, self.scanned)
            if not got:
                return True  # shrank under us: the caller's next stat sees it
            found = newline_positions(buffer, got, self.scanned)
            if len(found):
                self._add(memoryview(buffer)[:got], self.scanned, found)
            self.scanned += got
        return self.scanned >= size

    def finish(self, size: int) -> None:
        """The file will not grow: a last line without newline counts as a line."""
        if size > self.pos:
            self.advance(size, size)
        if size > self.pos:
            self._add(b"", size, np.array([size], dtype=np.int64))
            self.pos = self.scanned = size

    def _add(self, data: bytes | memoryview, base: int, ends: Int64Array) -> None:
        starts = np.empty_like(ends)
        starts[0] = self.pos
        starts[1:] = ends[:-1] + 1
        self.segment.suspect += self._suspects(data, base, starts, ends)
        self.segment.ends.append_many(ends)
        self.pos = int(ends[-1]) + 1

    def _suspects(self, data: bytes | memoryview, base: int, starts: Int64Array, ends: Int64Array) -> int:
        """Lines that are surely malformed, found without parsing: not ``{`` first or ``}`` last (not JSON,
        not an object, cut short), longer than the parse limit, or not valid UTF-8.

        A line that passes can still fail to parse; the viewer says so when it shows it.
        """
        view = np.frombuffer(data, dtype=np.uint8, count=len(data))
        firsts = self._bytes_at(view, base, starts)
        lasts = self._bytes_at(view, base, ends - 1)
        cr = (lasts == 13) & (ends - 1 > starts)
        if cr.any():
            lasts = np.where(cr, self._bytes_at(view, base, ends - 2), lasts)
        bad = (ends <= starts) | (firsts != ord("{")) | (lasts != ord("}")) | (ends - starts > MAX_PARSE_BYTES)
        self._mark_bad_utf8(view, base, starts, ends, bad)
        return int(np.count_nonzero(bad))

    @staticmethod
    def _mark_bad_utf8(view: np.ndarray, base: int, starts: Int64Array, ends: Int64Array,
                       bad: np.ndarray) -> None:
        """Flag lines holding invalid UTF-8. All-ASCII chunks (the bot's json.dumps default) cost one compare."""
        if not len(view) or int(view.max()) < 0x80:  # SIMD max: no temporary array
            return
        high = np.flatnonzero(view >= 0x80)
        try:
            bytes(view).decode("utf-8")
            return
        except UnicodeDecodeError:
            pass
        for k in np.unique(np.searchsorted(ends, high + base, side="left")):
            if k >= len(ends) or bad[k]:
                continue
            lo, hi = max(int(starts[k]) - base, 0), int(ends[k]) - base
            try:
                bytes(view[lo:hi]).decode("utf-8")
            except UnicodeDecodeError:
                bad[k] = True

    def _bytes_at(self, view: np.ndarray, base: int, offsets: Int64Array) -> Int64Array:
        """Bytes at file offsets; the few outside this chunk (a line spanning chunks) are read one by one."""
        rel = offsets - base
        if len(rel) and rel[0] >= 0 and rel[-1] < len(view):  # offsets ascend: all inside (the usual case)
            return view[rel]
        inside = (rel >= 0) & (rel < len(view))
        out = np.zeros(len(offsets), dtype=np.int64)
        out[inside] = view[rel[inside]]
        for k in np.flatnonzero(~inside):
            byte = self.segment.store.pread(1, int(offsets[k])) if offsets[k] >= 0 else b""
            out[k] = byte[0] if byte else -1
        return out
