"""The timeline chart's bins: what a plain count gives, over the index's time column."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lifeos_desk.core.jsonl.histogram import TimesCache, bin_times
from lifeos_desk.core.jsonl.timeline import LogSet


def test_bins_equal_a_count_of_the_same_times() -> None:
    rng = np.random.default_rng(5)
    times = np.sort(1_790_000_000 + rng.exponential(3000, 50_000).cumsum() / 50)
    bins = bin_times(times, max_bins=100)
    assert len(bins.counts) <= 101 and bins.total == len(times)
    lo, hi = bins.edges[:-1], bins.edges[1:]
    expected = [int(((times >= a) & (times < b)).sum()) for a, b in zip(lo, hi, strict=True)]
    expected[-1] += int((times == hi[-1]).sum())
    assert bins.counts.tolist() == expected
    assert bins.bar_at(float(times[0])) == 0 and bins.bar_at(float(times[-1])) == len(bins.counts) - 1


def test_nan_times_are_left_out_and_empty_gives_no_bars() -> None:
    assert bin_times(np.array([np.nan, np.inf])).total == 0
    assert bin_times(np.array([5.0, np.nan, 7.0])).total == 2


def test_times_cache_extends_with_new_rows(tmp_path: Path) -> None:
    live = tmp_path / "audit.jsonl"
    live.write_text("".join(json.dumps({"timestamp": 1000.0 + i}) + "\n" for i in range(10)))
    logs = LogSet([tmp_path])
    logs.poll(1 << 20)
    cache = TimesCache()
    timeline = logs.timelines[0]
    assert cache.times(timeline).tolist() == [1000.0 + i for i in range(10)]
    with live.open("a") as f:
        f.write("not json\n" + json.dumps({"timestamp": 2000.0}) + "\n")
    logs.poll(1 << 20)
    assert cache.times(timeline).tolist()[9:] == [1009.0, 1009.0, 2000.0]  # a line without time takes its neighbour's
    logs.close()
