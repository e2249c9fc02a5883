"""The one bot component that writes a JSON *array* instead of JSONL.

The treasury rewrites ``~/.lifeos/logs/audit.jsonl`` whole, as one indented
JSON array, on every entry (docs/data-formats.md, 'Treasury audit array'). Its elements are shown
as entries; the file is re-read when its stat changes, and only elements
not seen before are appended, so a capped array (oldest entries dropped)
does not repeat rows. A half-rewritten file (not valid JSON yet) is simply
read again on the next change.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from .safeopen import SkippedFile, read_all
from .segments import MemoryStore, Segment

#: Bigger array files are not loaded: they are re-parsed whole on the UI thread at each change
#: (16 MB of JSON parses in roughly 0.15 s here).
MAX_ARRAY_BYTES = 16 << 20
ARRAY_NOTICE = ("This file is one JSON array, not JSONL: a treasury component rewrites it whole on each entry. "
                "Its elements are shown as entries; it is re-read whenever it changes.")


def looks_like_array(head: bytes) -> bool:
    """True when the first non-blank byte (after a UTF-8 BOM) is ``[``."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"["


class ArrayFile:
    """Entries of a JSON-array file, as a source of segments (kept in memory)."""

    def __init__(self, path: Path, roots: Iterable[Path] = ()) -> None:
        self.path = path
        self.roots = tuple(roots) or (path.parent,)
        self.segments: list[Segment] = []
        self.notice: str | None = ARRAY_NOTICE
        self.problem: str | None = None
        self._seen: list[bytes] = []
        self._stamp: tuple[int, int, int] | None = None

    def poll(self, budget: int) -> bool:
        """Re-read the file when its identity, size or mtime changed. Always caught up."""
        try:
            st = os.stat(self.path)
        except OSError:
            return True
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        if stamp == self._stamp:
            return True
        if st.st_size > MAX_ARRAY_BYTES:
            self.problem = f"JSON array file of {st.st_size >> 20} MB is too big to show"
            self._stamp = stamp
            return True
        items = self._load()
        if items is None:
            return True  # being rewritten: try again on the next poll
        self._stamp = stamp
        self._take(items)
        return True

    def _load(self) -> list[bytes] | None:
        try:
            data = json.loads(read_all(self.path, self.roots).decode("utf-8"))
        except SkippedFile as exc:
            self.problem = str(exc)
            return None
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(data, list):
            return None
        self.problem = None
        return [json.dumps(item, ensure_ascii=False, default=str).encode("utf-8") for item in data]

    def _take(self, items: list[bytes]) -> None:
        fresh = self._unseen(items)
        if fresh is None:  # nothing in common with what we showed: a new run of entries
            fresh, self._seen = items, []
        if not fresh:
            self._seen = items
            return
        segment = self._segment()
        for line in fresh:
            store = segment.store
            assert isinstance(store, MemoryStore)
            if store.data:
                store.data += b"\n"
            store.data += line
            segment.ends.append(len(store.data))
        self._seen = items

    def _unseen(self, items: list[bytes]) -> list[bytes] | None:
        """Elements after the last one already shown (None if the old ones are all gone)."""
        if not self._seen:
            return items
        last = self._seen[-1]
        for k in range(len(items) - 1, -1, -1):
            if items[k] == last:
                return items[k + 1:]
        return None

    def _segment(self) -> Segment:
        if not self.segments:
            self.segments.append(Segment(self.path, MemoryStore(), kind="array"))
        return self.segments[-1]

    def close(self) -> None:
        """Nothing to release (memory only)."""
