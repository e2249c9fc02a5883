"""Events over time for the timeline bar chart above the log (lnav's histogram).

The times come from the index (``timeorder.timeline_times``: one numpy array per
log, read in 16 MB chunks, cached and extended as the log grows), so a
million-line log is binned in well under a second, off the UI thread. Rows
without a time take their neighbour's (forward fill); rows before any time are
left out of the chart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .timeline import Timeline
from .timeorder import timeline_times

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
#: Bar widths offered, seconds: the smallest giving at most ``max_bins`` bars is used.
STEPS = (1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400)


@dataclass(frozen=True)
class Bins:
    """``counts[i]`` rows fall in ``[edges[i], edges[i + 1])`` (the last bar includes its end)."""

    edges: FloatArray
    counts: IntArray
    step: float

    @property
    def total(self) -> int:
        """Rows counted."""
        return int(self.counts.sum())

    def bar_at(self, seconds: float) -> int:
        """The bar holding ``seconds`` (clamped to the chart)."""
        k = int(np.searchsorted(self.edges, seconds, side="right")) - 1
        return min(max(k, 0), max(len(self.counts) - 1, 0))


EMPTY = Bins(np.empty(0), np.empty(0, dtype=np.int64), 0.0)


def bar_width(lo: float, hi: float, max_bins: int) -> float:
    """The smallest round width giving at most ``max_bins`` bars over [lo, hi]."""
    span = max(hi - lo, 1.0)
    return float(next((s for s in STEPS if span / s <= max_bins), STEPS[-1]))


def bin_times(times: FloatArray, max_bins: int = 120) -> Bins:
    """Count the finite times in bars of a round width (1 s … 1 year), aligned to that width."""
    finite = times[np.isfinite(times)]
    if not len(finite):
        return EMPTY
    lo, hi = float(finite.min()), float(finite.max())
    step = bar_width(lo, hi, max_bins)
    start = np.floor(lo / step) * step
    n = max(int(np.floor((hi - start) / step)) + 1, 1)
    edges = start + step * np.arange(n + 1, dtype=np.float64)
    index = np.minimum(((finite - start) // step).astype(np.int64), n - 1)
    counts = np.bincount(index, minlength=n).astype(np.int64)
    return Bins(edges, counts, step)


class LiveBins:
    """The bars of one growing time column, updated with the new rows only (thread-safe).

    A followed log grows at its end: ``update`` bins only the rows past the
    last call into the bars it has, adding bars on the right while the bar
    width stays what ``bin_times`` would choose for the whole column. Only
    when that width changes (the span outgrew ``max_bins`` bars), a time
    falls before the first bar, or the column shrank, are all rows binned
    again — so the result always equals ``bin_times(times, max_bins)``.
    """

    def __init__(self, max_bins: int) -> None:
        self.max_bins = max_bins
        self.bins = EMPTY
        self.rows = 0  # rows of the column binned so far
        self.lo = self.hi = float("nan")
        #: Full re-binnings and rows binned incrementally (tests pin that following adds, not recomputes).
        self.recomputes = 0
        self.added = 0
        self._lock = threading.Lock()

    def update(self, times: FloatArray) -> Bins:
        """The bars of ``times`` (the whole column, rows 0..n-1); reads only ``times[self.rows:]`` when it can."""
        with self._lock:
            if len(times) < self.rows or not len(self.bins.counts):
                return self._recompute(times)
            fresh = times[self.rows:]
            finite = fresh[np.isfinite(fresh)]
            self.rows = len(times)
            if not len(finite):
                return self.bins
            lo, hi = min(self.lo, float(finite.min())), max(self.hi, float(finite.max()))
            start, step = float(self.bins.edges[0]), self.bins.step
            if lo < start or bar_width(lo, hi, self.max_bins) != step:
                return self._recompute(times)
            n = max(int(np.floor((hi - start) / step)) + 1, len(self.bins.counts))
            index = np.minimum(((finite - start) // step).astype(np.int64), n - 1)
            counts = np.zeros(n, dtype=np.int64)
            counts[:len(self.bins.counts)] = self.bins.counts
            counts += np.bincount(index, minlength=n)
            self.lo, self.hi, self.added = lo, hi, self.added + len(fresh)
            self.bins = Bins(start + step * np.arange(n + 1, dtype=np.float64), counts, step)
            return self.bins

    def _recompute(self, times: FloatArray) -> Bins:
        self.recomputes += 1
        self.bins, self.rows = bin_times(times, self.max_bins), len(times)
        finite = times[np.isfinite(times)]
        self.lo, self.hi = (float(finite.min()), float(finite.max())) if len(finite) else (float("nan"),) * 2
        return self.bins


class TimesCache:
    """Each log's time column, computed once and extended with new rows (thread-safe).

    The column lives in a buffer with room to grow (doubling), so a new row
    costs its own time, not a copy of the whole column.
    """

    def __init__(self) -> None:
        self._times: dict[int, FloatArray] = {}
        self._filled: dict[int, int] = {}
        self._lock = threading.Lock()

    def times(self, timeline: Timeline, cancel: threading.Event | None = None,
              progress: Callable[[int, int], None] | None = None) -> FloatArray:
        """Times of rows 0..count-1 of ``timeline`` (forward-filled)."""
        with self._lock:
            key = id(timeline)
            buffer, filled = self._times.get(key, np.empty(0)), self._filled.get(key, 0)
            count = timeline.count
            if filled < count:
                fresh = timeline_times(timeline, filled, count, progress, cancel)
                if filled and len(fresh):
                    fresh = np.where(np.isneginf(fresh), buffer[filled - 1], fresh)  # carry the fill across the seam
                if filled + len(fresh) > len(buffer):
                    grown = np.empty(max(2 * len(buffer), filled + len(fresh), 1024), dtype=np.float64)
                    grown[:filled] = buffer[:filled]
                    buffer = self._times[key] = grown
                buffer[filled:filled + len(fresh)] = fresh
                filled = self._filled[key] = filled + len(fresh)
            return buffer[:min(count, filled)]
