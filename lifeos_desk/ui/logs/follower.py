"""Polling the logs on the UI thread in small slices (docs/architecture.md, 'File watching is only a hint').

A QTimer polls every 100 ms: ``LogSet.poll`` stats each live file and reads
what was appended, at most ``BUDGET`` bytes per tick. While a big file is
still being indexed the next tick comes at once (0 ms), so a 300 MB file is
indexed in ~40 short slices with the event loop running between them. A
QFileSystemWatcher only wakes the timer early; it is never trusted to
report every change (on Linux it drops a path after rotation).

A quiet log is polled less often: after ``IDLE_POLLS`` polls that found
nothing the interval doubles, up to ``MAX_POLL_MS``, and goes back to
``POLL_MS`` as soon as a poll finds lines (or a watcher hint comes, which
polls within ``MIN_GAP_MS`` anyway). An idle poll stats each live file and
reads nothing (core/jsonl/tail.py), so idling costs next to nothing and a
rotation is still noticed within ``MAX_POLL_MS``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QFileSystemWatcher, QObject, QTimer, Signal

from ...core.jsonl.timeline import LogSet

POLL_MS = 100
MAX_POLL_MS = 800
IDLE_POLLS = 10
BUDGET = 6 << 20
#: A watcher hint polls at once only if the last poll is this old: a busy writer gives hundreds of
#: hints a second, and polling (and repainting) on each would starve the event loop.
MIN_GAP_MS = 40
#: The first slice is small: the first screen needs a few hundred lines, not megabytes.
FIRST_BUDGET = 1 << 20
REDISCOVER_MS = 2000


class Follower(QObject):
    """Drives ``LogSet.poll`` and reports growth.

    Signals:
        polled(int, bool, list): new rows, caught up, events ("audit: rotated").
        logsAdded(): rediscovery found a new log.
        skippedChanged(): the files named like logs that are not read (links out, FIFOs) changed.
    """

    polled = Signal(int, bool, list)
    logsAdded = Signal()
    skippedChanged = Signal()

    def __init__(self, logs: LogSet, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.logs = logs
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.tick)
        self.rediscover = QTimer(self)
        self.rediscover.setInterval(REDISCOVER_MS)
        self.rediscover.timeout.connect(self.refresh)
        self.caught_up = False
        self.interval = POLL_MS
        self._idle = 0
        self._since = QElapsedTimer()
        self._since.start()
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self.wake)
        self.watcher.directoryChanged.connect(self.wake)
        self._watch()

    def start(self) -> None:
        """Index the first slice now (the first screen), then keep polling."""
        self.tick(FIRST_BUDGET)
        self.rediscover.start()

    def stop(self) -> None:
        """Stop polling."""
        self.timer.stop()
        self.rediscover.stop()

    def tick(self, budget: int = BUDGET) -> None:
        """One poll slice; schedules the next one."""
        self._since.restart()
        result = self.logs.poll(budget)
        self.caught_up = result.caught_up
        self._pace(bool(result.new_rows or result.events))
        self.timer.start(0 if not result.caught_up else self.interval)
        if result.new_rows or result.events:
            self.polled.emit(result.new_rows, result.caught_up, result.events)
            if result.events:
                self._watch()

    def _pace(self, changed: bool) -> None:
        """Back off while nothing changes; poll every ``POLL_MS`` again on a change."""
        if changed:
            self._idle, self.interval = 0, POLL_MS
            return
        self._idle += 1
        if self._idle >= IDLE_POLLS:
            self._idle, self.interval = 0, min(2 * self.interval, MAX_POLL_MS)

    def wake(self, _path: str = "") -> None:
        """A change hint: poll soon, but not more often than every MIN_GAP_MS."""
        due = max(MIN_GAP_MS - self._since.elapsed(), 1)
        if self.timer.remainingTime() > due:
            self.timer.start(due)

    def refresh(self) -> None:
        """Pick up logs that appeared in the folders (and files that are now skipped)."""
        before = list(self.logs.skipped)
        if self.logs.refresh():
            self._watch()
            self.logsAdded.emit()
            self.wake()
        if self.logs.skipped != before:
            self.skippedChanged.emit()

    def _watch(self) -> None:
        """(Re-)add paths: after a rotation Linux drops the live file from the watch list."""
        wanted = [str(f) for f in self.logs.folders if Path(f).is_dir()]
        wanted += [str(t.live.path) for t in self.logs.timelines if t.live.path.is_file() and not t.live.problem]
        present = set(self.watcher.files()) | set(self.watcher.directories())
        missing = [p for p in wanted if p not in present]
        if missing:
            self.watcher.addPaths(missing)
