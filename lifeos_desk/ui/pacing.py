"""A call the bot's commits may ask for often, run at most once per gap that grows with its cost.

Re-reading what the bot changed costs the console CPU on every commit; a
bot writing twice a second must cost it a few percent of a core at most
(docs/architecture.md, 'Work that grows with what changed'). So a request
starts a single-shot timer for whatever is left of
``max(min_gap_s, cost_factor × the last run's duration)`` since the last run,
and further requests meanwhile are folded into it. Given a ``shown`` widget,
a request while it is hidden only marks the work stale; ``catch_up`` (from
its showEvent) runs it then.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QWidget


class PacedCall(QObject):
    """Runs ``work`` on request, paced; ``run_now`` runs it at once (and resets the pace)."""

    def __init__(self, work: Callable[[], None], min_gap_s: float, cost_factor: float,
                 parent: QObject | None = None, shown: QWidget | None = None) -> None:
        super().__init__(parent)
        self._work, self._shown, self.stale = work, shown, False
        self._min_gap_s, self._cost_factor = min_gap_s, cost_factor
        self._last_s, self._last_at = 0.0, 0.0
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.run_now)

    @Slot()
    def request(self) -> None:
        """Run soon: when the gap since the last run has passed (one run for a burst of requests)."""
        if self._shown is not None and not self._shown.isVisible():
            self.stale = True
        elif not self.timer.isActive():
            gap = max(self._min_gap_s, self._cost_factor * self._last_s) - (time.monotonic() - self._last_at)
            self.timer.start(max(0, int(gap * 1000)))

    @Slot()
    def run_now(self) -> None:
        """Run the work now and time it for the next gap."""
        self.timer.stop()
        started = time.monotonic()
        self._work()
        self._last_at = time.monotonic()
        self._last_s = self._last_at - started

    def catch_up(self) -> None:
        """Run now if a request came while the widget was hidden."""
        if self.stale:
            self.stale = False
            self.run_now()

    def stop(self) -> None:
        """Forget a pending run."""
        self.timer.stop()
