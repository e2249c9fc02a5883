"""What the table shows, as row → (log, row) maps that only grow at the end.

- ``SingleView``: one log's timeline, row for row (no arrays at all).
- ``MergedView``: every log, ordered by time; built off the UI thread from
  each log's times, then extended with new lines as they arrive.
- ``FilteredView``: the rows of another view that match a filter; new rows
  of the base view are checked as they arrive (a few per tick).

Qt-free on purpose (plain numpy), so the model stays a thin adapter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from ...core.jsonl.filtering import FilterSpec, filter_timeline
from ...core.jsonl.offsets import GrowableOffsets, Int64Array
from ...core.jsonl.timeline import Timeline
from ...core.jsonl.timeorder import merge_order, timeline_times

Progress = Callable[[int, int], None]
#: Rows taken in per ``extend`` call on the UI thread (parsing 5,000 lines takes ~15 ms).
EXTEND_ROWS = 5000


class RowView:
    """Rows 0..available()-1, each naming a timeline index and a row in it."""

    timelines: list[Timeline]

    def available(self) -> int:
        """Rows that can be shown now."""
        raise NotImplementedError

    def extend(self) -> None:
        """Take in (a bounded number of) rows the logs gained since the last call."""

    def backlog(self) -> bool:
        """True when ``extend`` left rows for a later call (to keep each UI-thread slice short)."""
        return False

    def locate(self, index: int) -> tuple[int, int]:
        """(timeline index, row) of view row ``index``."""
        raise NotImplementedError

    def find_time(self, seconds: float) -> int:
        """The first view row at or after ``seconds`` (by binary search, assuming time order)."""
        lo, hi = 0, self.available()
        while lo < hi:
            mid = (lo + hi) // 2
            log, row = self.locate(mid)
            t = self.timelines[log].entry(row).time
            if t is not None and t < seconds:
                lo = mid + 1
            else:
                hi = mid
        return min(lo, max(self.available() - 1, 0))


class SingleView(RowView):
    """One log."""

    def __init__(self, timelines: list[Timeline], index: int) -> None:
        self.timelines = timelines
        self.index = index

    def available(self) -> int:
        return self.timelines[self.index].count if self.index < len(self.timelines) else 0  # no logs yet

    def locate(self, index: int) -> tuple[int, int]:
        return self.index, index


class PairsView(RowView):
    """A view backed by two growable arrays (timeline index, row)."""

    def __init__(self, timelines: list[Timeline]) -> None:
        self.timelines = timelines
        self.logs = GrowableOffsets()
        self.rows = GrowableOffsets()

    def available(self) -> int:
        return len(self.rows)

    def locate(self, index: int) -> tuple[int, int]:
        return self.logs[index], self.rows[index]

    def append(self, logs: Int64Array, rows: Int64Array) -> None:
        """Add pairs at the end."""
        self.logs.append_many(logs.astype(np.int64, copy=False))
        self.rows.append_many(rows.astype(np.int64, copy=False))


class MergedView(PairsView):
    """All logs by time. ``build`` runs on a worker thread; ``extend`` on the UI thread."""

    def __init__(self, timelines: list[Timeline]) -> None:
        super().__init__(timelines)
        self.known = [0] * len(timelines)
        self.ready = False

    def build(self, progress: Progress, cancel: threading.Event) -> MergedView:
        """Read every log's times (as far as indexed now) and order all rows by them."""
        counts = [t.count for t in self.timelines]
        total = max(sum(counts), 1)
        done = 0
        times = []
        for timeline, count in zip(self.timelines, counts, strict=True):
            base = done

            def step(d: int, _n: int, base: int = base) -> None:
                progress(base + d, total)

            times.append(timeline_times(timeline, 0, count, step, cancel))
            done += count
        logs, rows = merge_order(times)
        self.append(logs.astype(np.int64), rows)
        self.known = counts
        self.ready = True
        return self

    def extend(self) -> None:
        """New lines of every log, ordered by time among themselves, go at the end (they are the newest)."""
        if not self.ready:
            return  # build() has not finished on its thread yet
        fresh_times, fresh_logs, fresh_rows = [], [], []
        for k, timeline in enumerate(self.timelines):
            if k >= len(self.known):
                self.known.append(0)
            first = self.known[k]
            last = min(timeline.count, first + EXTEND_ROWS)
            if last > first:
                fresh_times.append(timeline_times(timeline, first, last))
                fresh_logs.append(np.full(last - first, k, dtype=np.int64))
                fresh_rows.append(np.arange(first, last, dtype=np.int64))
                self.known[k] = last
        if not fresh_times:
            return
        order = np.argsort(np.concatenate(fresh_times), kind="stable")
        self.append(np.concatenate(fresh_logs)[order], np.concatenate(fresh_rows)[order])

    def backlog(self) -> bool:
        return self.ready and any(t.count > k for t, k in zip(self.timelines, self.known, strict=False))


class FilteredView(PairsView):
    """The rows of ``base`` that ``spec`` accepts."""

    def __init__(self, base: RowView, spec: FilterSpec) -> None:
        super().__init__(base.timelines)
        self.base = base
        self.spec = spec
        self.scanned = 0

    def build(self, progress: Progress, cancel: threading.Event) -> FilteredView:
        """Filter the base as it is now (worker thread)."""
        count = self.base.available()
        if isinstance(self.base, SingleView):
            hits = filter_timeline(self.timelines[self.base.index], self.spec, 0, count, progress, cancel)
            self.append(np.full(len(hits), self.base.index, dtype=np.int64), hits)
        else:
            self._filter_pairs(0, count, progress, cancel)
        self.scanned = count
        return self

    def _filter_pairs(self, first: int, last: int, progress: Progress | None = None,
                      cancel: threading.Event | None = None) -> None:
        """Filter base rows [first, last) of a pairs view, log by log, keeping the base's order."""
        assert isinstance(self.base, PairsView)
        logs = self.base.logs.view()[first:last]
        rows = self.base.rows.view()[first:last]
        keep = np.zeros(len(rows), dtype=bool)
        total, done = max(len(rows), 1), 0
        for k in np.unique(logs):
            mine = np.flatnonzero(logs == k)
            lo, hi = int(rows[mine].min()), int(rows[mine].max()) + 1
            base = done

            def step(d: int, _n: int, base: int = base) -> None:
                if progress is not None:
                    progress(min(base + d, total), total)

            hits = filter_timeline(self.timelines[int(k)], self.spec, lo, hi, step, cancel)
            keep[mine] = np.isin(rows[mine], hits, assume_unique=False)
            done += len(mine)
        chosen = np.flatnonzero(keep)
        self.append(logs[chosen], rows[chosen])

    def extend(self) -> None:
        """Check the base's new rows."""
        self.base.extend()
        count = min(self.base.available(), self.scanned + EXTEND_ROWS)
        if count <= self.scanned:
            return
        if isinstance(self.base, SingleView):
            hits = filter_timeline(self.timelines[self.base.index], self.spec, self.scanned, count)
            self.append(np.full(len(hits), self.base.index, dtype=np.int64), hits)
        else:
            self._filter_pairs(self.scanned, count)
        self.scanned = count

    def backlog(self) -> bool:
        return self.base.backlog() or self.base.available() > self.scanned
