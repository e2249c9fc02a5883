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


def bin_times(times: FloatArray, max_bins: int = 120) -> Bins:
    """Count the finite times in bars of a round width (1 s … 1 year), aligned to that width."""
    finite = times[np.isfinite(times)]
    if not len(finite):
        return EMPTY
    lo, hi = float(finite.min()), float(finite.max())
    span = max(hi - lo, 1.0)
    step = float(next((s for s in STEPS if span / s <= max_bins), STEPS[-1]))
    start = np.floor(lo / step) * step
    n = max(int(np.floor((hi - start) / step)) + 1, 1)
    edges = start + step * np.arange(n + 1, dtype=np.float64)
    index = np.minimum(((finite - start) // step).astype(np.int64), n - 1)
    counts = np.bincount(index, minlength=n).astype(np.int64)
    return Bins(edges, counts, step)


class TimesCache:
    """Each log's time column, computed once and extended with new rows (thread-safe)."""

    def __init__(self) -> None:
        self._times: dict[int, FloatArray] = {}
        self._lock = threading.Lock()

    def times(self, timeline: Timeline, cancel: threading.Event | None = None,
              progress: Callable[[int, int], None] | None = None) -> FloatArray:
        """Times of rows 0..count-1 of ``timeline`` (forward-filled)."""
        with self._lock:
            have = self._times.get(id(timeline), np.empty(0))
            count = timeline.count
            if len(have) < count:
                fresh = timeline_times(timeline, len(have), count, progress, cancel)
                if len(have) and len(fresh):
                    fresh = np.where(np.isneginf(fresh), have[-1], fresh)  # carry the fill across the seam
                have = np.concatenate([have, fresh])
                self._times[id(timeline)] = have
            return have[:count]
