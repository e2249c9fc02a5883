"""Following a live log file by polling ``os.stat`` (docs/architecture.md, 'File watching is only a hint').

Each poll compares the path's (device, inode) with the descriptor we hold
and the descriptor's size with how far we have read:

- grown: index the new complete lines; a half-written last line waits;
- shrunk (or the byte before our position is no longer our newline):
  truncated, so a new segment starts at offset 0 of the same file;
- another inode at the path, or no file: rotated or deleted. The old
  descriptor is read to its end first (a last line without newline counts,
  since nobody will finish it), then the new file is followed from its start.

Lines are only ever appended to the timeline, so none is shown twice, and
the old descriptor is drained before switching, so none is lost.

An idle poll (same inode at the path, same size and modification time as
the last caught-up poll) reads nothing: two ``stat`` calls and no ``pread``,
so a viewer polling ten times a second costs next to nothing while the bot
is quiet. A truncation that rewrites the file to exactly its old size
within the same nanosecond timestamp would go unseen; any later write
changes the size and is caught by the newline check.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .arrayfile import ArrayFile, looks_like_array
from .indexer import LineIndexer
from .safeopen import SkippedFile, open_log
from .segments import FdStore, MemoryStore, Segment, pread

TRUNCATED = "the file was truncated after this line was read; its bytes are gone"


class LiveFile:
    """The live file of one log (``audit.jsonl``), followed through rotation and truncation.

    ``events`` collects short notes ("rotated", "truncated", "deleted") for
    the viewer's status line; the caller clears it.
    """

    def __init__(self, path: Path, roots: Iterable[Path] = ()) -> None:
        self.path = path
        self.roots = tuple(roots) or (path.parent,)
        self.segments: list[Segment] = []
        self.events: list[str] = []
        self.notice: str | None = None
        self.problem: str | None = None
        self.array: ArrayFile | None = None
        self._fd: int | None = None
        self._ident: tuple[int, int] | None = None
        self._indexer: LineIndexer | None = None
        self._skipped: tuple[int, int, int] | None = None  # lstat of a path found unreadable, not retried
        self._idle_stamp: tuple[int, int] | None = None  # (size, mtime_ns) when last caught up
        #: Polls that found something to do (tests pin that idle polls read nothing).
        self.busy_polls = 0

    def poll(self, budget: int) -> bool:
        """Read up to ``budget`` new bytes; True when caught up with the file."""
        if self.array is not None:
            return self._poll_array(budget)
        path_ident = self._path_ident()
        if self._fd is None:
            if path_ident is None or not self._open():
                return True
            if self.array is not None:
                return self._poll_array(budget)
            path_ident = self._ident
        assert self._fd is not None and self._indexer is not None
        st = os.fstat(self._fd)
        size, stamp = st.st_size, (st.st_size, st.st_mtime_ns)
        if stamp == self._idle_stamp and path_ident == self._ident:
            return True  # nothing changed since the last caught-up poll: read nothing
        self._idle_stamp = None
        self.busy_polls += 1
        if self._still_empty() and size and self._became_array():
            return self._poll_array(budget)
        if self._truncated(size):
            self._restart()
        caught_up = self._indexer.advance(size, budget)
        if not caught_up:
            return False
        if path_ident == self._ident:
            self._idle_stamp = stamp
        else:
            self._finish_old("rotated" if path_ident is not None else "deleted")
            if path_ident is not None:
                return self.poll(budget)
        return True

    def _path_ident(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def _open(self) -> bool:
        """Open what is at the path now; a link out of the log folders or a FIFO is skipped (and named)."""
        try:
            link = os.lstat(self.path)
        except OSError:
            return False
        stamp = (link.st_dev, link.st_ino, link.st_mtime_ns)
        if stamp == self._skipped:
            return False
        try:
            fd = open_log(self.path, self.roots)
        except SkippedFile as exc:
            self.problem, self._skipped = str(exc), stamp
            return False
        except OSError:
            return False
        self._skipped = None
        if self.problem and self.problem.startswith("skipped"):
            self.problem = None
        st = os.fstat(fd)
        head = pread(fd, 4096, 0)
        if head.strip() and looks_like_array(head):
            os.close(fd)
            self.array = ArrayFile(self.path, self.roots)
            self.notice = self.array.notice
            return True
        self._fd, self._ident = fd, (st.st_dev, st.st_ino)
        self._new_segment(FdStore(fd), 0)
        return True

    def _still_empty(self) -> bool:
        return self._indexer is not None and self._indexer.pos == 0 and self._indexer.segment.count == 0

    def _became_array(self) -> bool:
        """A file that was empty when opened may turn out to be the treasury's JSON array."""
        assert self._fd is not None
        head = pread(self._fd, 4096, 0)
        if not (head.strip() and looks_like_array(head)):
            return False
        os.close(self._fd)
        self.segments.clear()
        self._fd, self._ident, self._indexer = None, None, None
        self.array = ArrayFile(self.path, self.roots)
        self.notice = self.array.notice
        return True

    def _new_segment(self, store: FdStore, origin: int) -> None:
        segment = Segment(self.path, store, origin=origin)
        self.segments.append(segment)
        self._indexer = LineIndexer(segment)

    def _truncated(self, size: int) -> bool:
        """Shrunk below what we read, or our last newline is no longer there."""
        assert self._fd is not None and self._indexer is not None
        pos = self._indexer.pos
        if size < self._indexer.scanned:
            return True
        return pos > self._indexer.segment.origin and pread(self._fd, 1, pos - 1) != b"\n"

    def _restart(self) -> None:
        """Truncation: the old rows keep their place; reading restarts at offset 0."""
        assert self._indexer is not None and self._fd is not None
        old = self._indexer.segment
        old.gone = TRUNCATED
        old.store = MemoryStore()  # never read again (gone), and must not close the shared descriptor
        self._new_segment(FdStore(self._fd), 0)
        self.events.append("truncated")

    def _finish_old(self, why: str) -> None:
        """Drain the old descriptor to its end and stop following it (it stays readable)."""
        assert self._fd is not None and self._indexer is not None
        size = os.fstat(self._fd).st_size
        self._indexer.advance(size, size)
        self._indexer.finish(size)
        self._fd, self._ident, self._indexer = None, None, None
        self.events.append(why)

    def _poll_array(self, budget: int) -> bool:
        assert self.array is not None
        done = self.array.poll(budget)
        self.segments = self.array.segments
        self.problem = self.array.problem
        return done

    def close(self) -> None:
        """Close every descriptor held."""
        closed: set[int] = set()
        for segment in self.segments:
            store = segment.store
            if isinstance(store, FdStore) and store.fd not in closed and not store.closed:
                closed.add(store.fd)
                store.close()
        self.segments = []
