"""Times of many rows at once, for the merged view and for jumping to a time.

Parsing a million lines as JSON takes seconds; the time is almost always
the first key, so a regular expression over each 16 MB chunk picks the
``"timestamp"`` (or ``"timestamp_iso"``) value of every line, and only
those values are parsed. A line without one takes the time of the line
before it, which keeps file order.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .entry import parse_time
from .segments import Chunk
from .timeline import Timeline

FloatArray = npt.NDArray[np.float64]
_TIME = re.compile(rb'"(?:timestamp|timestamp_iso|time|ts)"\s*:\s*("[^"\n]{1,64}"|-?[0-9][0-9.eE+-]{0,30})')


class TimesCancelled(Exception):
    """The admin switched away before the times were all read."""


def chunk_times(chunk: Chunk) -> FloatArray:
    """The time of each line in the chunk (NaN when the line has none)."""
    n = len(chunk.ends)
    out = np.full(n, np.nan)
    positions: list[int] = []
    values: list[bytes] = []
    for match in _TIME.finditer(chunk.data, 0, chunk.size):
        positions.append(match.start())
        values.append(match[1])
    if not positions:
        return out
    lines = np.searchsorted(chunk.ends, np.asarray(positions, dtype=np.int64) + chunk.base, side="left")
    _, first = np.unique(lines, return_index=True)
    cache: dict[bytes, float] = {}
    for k in first:
        raw = values[k]
        value = cache.get(raw)
        if value is None:
            text = raw.decode("utf-8", "replace").strip('"')
            parsed = parse_time(text)
            value = cache[raw] = parsed if parsed is not None else np.nan
        line = int(lines[k])
        if line < n:
            out[line] = value
    return out


def timeline_times(timeline: Timeline, first: int = 0, last: int | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   cancel: threading.Event | None = None) -> FloatArray:
    """Times of rows [first, last), forward-filled; rows whose bytes are gone take their neighbour's."""
    last = timeline.count if last is None else min(last, timeline.count)
    out = np.full(max(last - first, 0), np.nan)
    segments, starts = timeline.layout()
    for segment, start in zip(segments, starts, strict=True):
        lo, hi = max(first - start, 0), min(last - start, segment.count)
        if lo >= hi:
            continue
        for chunk in segment.chunks(lo, hi):
            if cancel is not None and cancel.is_set():
                raise TimesCancelled
            at = start + chunk.first - first
            out[at: at + len(chunk.ends)] = chunk_times(chunk)
            if progress is not None:
                progress(at + len(chunk.ends), len(out))
    return forward_fill(out)


def forward_fill(values: FloatArray) -> FloatArray:
    """Replace NaN by the last value before it (leading NaN become -inf: oldest)."""
    if not len(values):
        return values
    missing = np.isnan(values)
    if not missing.any():
        return values
    idx = np.where(~missing, np.arange(len(values)), 0)
    np.maximum.accumulate(idx, out=idx)
    filled = values[idx]
    filled[np.isnan(filled)] = -np.inf
    return filled


def merge_order(times: list[FloatArray]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
    """(log index, row) of every row of every log, ordered by time (stable: file order on ties)."""
    if not times:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int64)
    all_times = np.concatenate(times)
    logs = np.concatenate([np.full(len(t), k, dtype=np.int32) for k, t in enumerate(times)])
    rows = np.concatenate([np.arange(len(t), dtype=np.int64) for t in times])
    order = np.argsort(all_times, kind="stable")
    return logs[order], rows[order]
