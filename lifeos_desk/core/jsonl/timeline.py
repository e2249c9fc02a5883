"""One log as a single sequence of rows: archived parts, rotated parts, then the live file.

Rows are numbered across all segments and only ever appended, which is
what lets a view keep row numbers stable while the log is followed.
``poll`` indexes parts in order within a byte budget, so the first screen
appears after the first slice and the UI thread never blocks for long.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .discovery import LogSpec, discover
from .entry import MAX_PARSE_BYTES, Entry, malformed, parse_line
from .segments import Segment
from .sources import finished_source
from .tail import LiveFile


class Source(Protocol):
    """What a part reader offers the timeline."""

    path: Path
    segments: list[Segment]
    notice: str | None
    problem: str | None

    def poll(self, budget: int) -> bool: ...

    def close(self) -> None: ...


@dataclass
class PollResult:
    """What one poll of a log (or of all logs) found."""

    new_rows: int = 0
    caught_up: bool = True
    events: list[str] = field(default_factory=list)


class Timeline:
    """All parts of one log, as rows 0..count-1."""

    def __init__(self, spec: LogSpec) -> None:
        self.spec = spec
        self.live = LiveFile(spec.live_path, spec.allowed)
        self.parts: list[Source] = [finished_source(p.path, spec.allowed) for p in spec.parts if p.kind != "live"]
        self.parts.append(self.live)
        self._next = 0  # first part not fully indexed yet
        self._layout: tuple[list[Segment], list[int]] = ([], [])
        self.count = 0

    @property
    def name(self) -> str:
        """The log's base name (``audit``)."""
        return self.spec.name

    @property
    def folder(self) -> Path:
        """The folder it lives in."""
        return self.spec.folder

    @property
    def notice(self) -> str | None:
        """What the viewer should tell the admin about this log (the JSON-array file)."""
        return next((p.notice for p in self.parts if p.notice), None)

    @property
    def problems(self) -> list[str]:
        """Parts that could not be read (fully)."""
        return [p.problem for p in self.parts if p.problem]

    @property
    def suspects(self) -> int:
        """Lines whose shape is not one JSON object (the status line's malformed count)."""
        return sum(s.suspect for s in self._layout[0])

    def poll(self, budget: int) -> PollResult:
        """Index up to ``budget`` bytes: finished parts first, in order, then the live file."""
        before = self.count
        caught_up = True
        while self._next < len(self.parts):
            part = self.parts[self._next]
            done = part.poll(budget)
            if part is self.live:
                caught_up = done
                break
            if not done:
                caught_up = False
                break
            self._next += 1
        self._rebuild()
        events = list(self.live.events)
        self.live.events.clear()
        return PollResult(new_rows=self.count - before, caught_up=caught_up, events=events)

    def _rebuild(self) -> None:
        segments = [s for p in self.parts for s in p.segments]
        starts, total = [], 0
        for segment in segments:
            starts.append(total)
            total += segment.count
        # One attribute, swapped whole: a worker thread reading layout() never sees a mix.
        self._layout = (segments, starts)
        self.count = total

    def layout(self) -> tuple[list[Segment], list[int]]:
        """Every segment in row order, and each one's first row (a consistent pair)."""
        return self._layout

    @property
    def segments(self) -> list[Segment]:
        """Every segment, in row order."""
        return self._layout[0]

    def locate(self, row: int) -> tuple[Segment, int]:
        """The segment holding ``row`` and the row's index inside it."""
        segments, starts = self._layout
        k = bisect.bisect_right(starts, row) - 1
        while k > 0 and segments[k].count == 0:
            k -= 1
        return segments[k], row - starts[k]

    def read(self, row: int, limit: int = MAX_PARSE_BYTES + 1) -> tuple[bytes, int] | None:
        """Raw bytes of a row (up to ``limit``) and its length; None when its bytes are gone."""
        segment, local = self.locate(row)
        return segment.read(local, limit)

    def entry(self, row: int) -> Entry:
        """The parsed row (never raises)."""
        try:
            got = self.read(row)
        except OSError as exc:
            return malformed(b"", 0, f"cannot read: {exc.strerror}")
        if got is None:
            segment, _ = self.locate(row)
            return malformed(b"", 0, segment.gone or "gone")
        return parse_line(*got)

    def close(self) -> None:
        """Release every descriptor and temporary file."""
        for part in self.parts:
            part.close()


class LogSet:
    """Every log in the configured folders; ``refresh`` picks up logs that appear later."""

    def __init__(self, folders: Iterable[Path]) -> None:
        self.folders = tuple(folders)
        self.timelines: list[Timeline] = []
        #: Files named like logs that are not read, and why (links out of the log folders, FIFOs).
        self.skipped: list[str] = []
        self.refresh()

    def refresh(self) -> list[Timeline]:
        """Add logs not known yet; returns the new ones. ``skipped`` is brought up to date too."""
        known = {t.spec.key for t in self.timelines}
        skipped: list[str] = []
        specs = discover(self.folders, skipped)
        skipped += [t.live.problem for t in self.timelines if t.live.problem and t.live.problem.startswith("skipped")]
        self.skipped = list(dict.fromkeys(skipped))
        fresh = [Timeline(spec) for spec in specs if spec.key not in known]
        self.timelines.extend(fresh)
        return fresh

    def poll(self, budget: int) -> PollResult:
        """Poll every log, sharing the budget; caught_up only when all are."""
        total = PollResult()
        for timeline in self.timelines:
            result = timeline.poll(budget)
            total.new_rows += result.new_rows
            total.caught_up &= result.caught_up
            total.events += [f"{timeline.name}: {e}" for e in result.events]
            if not result.caught_up:
                total.caught_up = False
                break  # one log at a time while indexing, so the first log shows fast
        return total

    def close(self) -> None:
        """Close every log."""
        for timeline in self.timelines:
            timeline.close()
