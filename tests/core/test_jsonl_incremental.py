"""Following a live log costs work that grows with the new lines only (issue 18).

An idle poll reads no byte; N appended lines are read once and extend the
chart's time column and bars by N rows, without binning the old rows again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lifeos_desk.core.jsonl import histogram, timeorder
from lifeos_desk.core.jsonl.histogram import LiveBins, TimesCache, bin_times
from lifeos_desk.core.jsonl.tail import LiveFile
from lifeos_desk.core.jsonl.timeline import LogSet

T0 = 1_780_000_000.0


def append(path: Path, first: int, n: int, step: float = 1.0) -> None:
    with path.open("a") as f:
        for i in range(first, first + n):
            f.write(json.dumps({"timestamp": T0 + i * step, "event": "tick", "n": i}) + "\n")


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Patch every read the tailer can make; the list collects the sizes asked for."""
    asked: list[int] = []
    real_pread, real_preadv = os.pread, os.preadv

    def pread(fd: int, size: int, offset: int) -> bytes:
        asked.append(size)
        return real_pread(fd, size, offset)

    def preadv(fd: int, buffers: Any, offset: int) -> int:
        asked.append(sum(len(b) for b in buffers))
        return real_preadv(fd, buffers, offset)

    monkeypatch.setattr(os, "pread", pread)
    monkeypatch.setattr(os, "preadv", preadv)
    return asked


def test_an_idle_poll_reads_nothing_and_new_lines_are_read_once(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "audit.jsonl"
    append(path, 0, 100)
    live = LiveFile(path)
    assert live.poll(1 << 20)
    assert live.segments[0].count == 100
    asked = count_reads(monkeypatch)
    busy = live.busy_polls
    for _ in range(20):
        assert live.poll(1 << 20)
    assert asked == [] and live.busy_polls == busy  # twenty idle polls: stat only
    size = path.stat().st_size
    append(path, 100, 7)
    assert live.poll(1 << 20)
    assert live.segments[0].count == 107
    read = sum(asked) - 1  # the one byte that checks our last newline is still there
    assert read >= path.stat().st_size - size  # the new lines …
    assert read < 1.5 * (path.stat().st_size - size) + 4096  # … not the whole file again
    asked.clear()
    assert live.poll(1 << 20) and asked == []
    live.close()


def test_rotation_is_still_seen_after_idle_polls(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    append(path, 0, 10)
    logs = LogSet((tmp_path,))
    logs.poll(1 << 20)
    for _ in range(5):
        logs.poll(1 << 20)
    path.rename(tmp_path / "audit.20260101_000000.jsonl")
    append(path, 10, 3)
    result = logs.poll(1 << 20)
    assert result.new_rows == 3 and any("rotated" in e for e in result.events)
    logs.close()


def test_live_bins_add_the_new_rows_and_equal_a_full_binning() -> None:
    rng = np.random.default_rng(7)
    times = np.sort(T0 + rng.uniform(0, 3000, 5000))
    live = LiveBins(120)
    live.update(times[:4000])
    assert live.recomputes == 1
    for end in range(4100, 5001, 100):  # new lines arrive at the end, within the bar width
        bins = live.update(times[:end])
        expect = bin_times(times[:end], 120)
        assert np.array_equal(bins.edges, expect.edges) and np.array_equal(bins.counts, expect.counts)
    assert live.recomputes == 1 and live.added == 1000  # ten updates of 100 rows each, no re-binning
    later = np.concatenate([times, [T0 + 10 * 86400]])  # the span outgrew 120 bars: the width changes
    assert np.array_equal(live.update(later).counts, bin_times(later, 120).counts)
    assert live.recomputes == 2


def test_times_cache_reads_only_the_new_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "audit.jsonl"
    append(path, 0, 300)
    logs = LogSet((tmp_path,))
    logs.poll(1 << 20)
    timeline = logs.timelines[0]
    asked: list[tuple[int, int | None]] = []
    real = timeorder.timeline_times

    def spy(tl: Any, first: int = 0, last: int | None = None, *args: Any) -> Any:
        asked.append((first, last))
        return real(tl, first, last, *args)

    monkeypatch.setattr(histogram, "timeline_times", spy)
    cache = TimesCache()
    assert len(cache.times(timeline)) == 300
    append(path, 300, 25)
    logs.poll(1 << 20)
    times = cache.times(timeline)
    assert asked == [(0, 300), (300, 325)]
    assert len(times) == 325 and times[-1] == T0 + 324
    assert len(cache.times(timeline)) == 325 and len(asked) == 2  # nothing new: nothing read
    logs.close()
