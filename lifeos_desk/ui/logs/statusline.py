"""How often the Audit log's table and status line change while a log is followed.

Why its own module: following a bot that appends lines twice a second must
cost little (issue 18: ≤ 5 % of a core on every area), and each append
that reaches the table repaints all of it (the rows move up; ~10 ms on a
1600-pixel window, most of it Qt's own painting). So while following, new
lines reach the table at most every ``FOLLOW_MS`` (``Coalescer``: the first
line after a quiet spell shows at once, a burst waits for the end of the
gap), which bounds the cost however fast the bot writes. Setting a
selectable label's text re-lays out its text document, so the status
line's counts follow at most every ``EVERY_MS`` too, while anything the
admin did (filter, pause, export) updates it at once. The label takes the
width it is given (``Ignored``), so a longer text never re-lays out the area.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QSizePolicy

from ...core.jsonl.timeline import Timeline
from .model import LogTableModel

EVERY_MS = 1000
FOLLOW_MS = 1000


class Coalescer(QObject):
    """Calls ``work`` at most once every ``gap_ms``: a request inside the gap runs once when it ends."""

    def __init__(self, work: Callable[[], None], gap_ms: int = EVERY_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self.gap_ms = gap_ms
        self._since = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.run)

    def request(self) -> None:
        """Run now if the last run is ``gap_ms`` old, else once at the end of the gap."""
        if self._timer.isActive():
            return
        left = self.gap_ms - self._since.elapsed() if self._since.isValid() else 0
        if left <= 0:
            self.run()
        else:
            self._timer.start(left)

    def run(self) -> None:
        """Run ``work`` now (and start a new gap)."""
        self._timer.stop()
        self._since.restart()
        self.work()

    def stop(self) -> None:
        """Drop a pending run."""
        self._timer.stop()


def status_label(tip: str) -> QLabel:
    """A selectable one-line label that takes the width it is given."""
    label = QLabel()
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setToolTip(tip)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    return label


def status_text(timelines: Sequence[Timeline], unfiltered: bool, model: LogTableModel, paused: bool, follow: bool,
                last_event: str) -> str:
    """Lines, size, malformed count, matching rows, paused count, the last rotation, problems."""
    lines = sum(t.count for t in timelines)
    size = sum(s.ends[-1] for t in timelines for s in t.segments if s.count)
    bad = sum(t.suspects for t in timelines)
    parts = [f"{lines:,} lines", f"{size / 1e6:,.1f} MB"]
    if not unfiltered:
        parts.insert(0, f"{model.rowCount():,} matching")
    parts.append(f"{bad:,} malformed" if bad else "no malformed lines")
    if paused:
        parts.append(f"paused: {model.pending():,} new lines not shown yet")
    elif follow:
        parts.append("following")
    if last_event:
        parts.append(last_event)
    problems = [p for t in timelines for p in t.problems]
    if problems:
        parts.append("; ".join(problems))
    return "  ·  ".join(parts)
