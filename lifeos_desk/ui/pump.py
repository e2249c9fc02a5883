"""Running the event loop until something is true, for tools outside a test.

The screenshot tool and the areas' ``screenshot_states`` (their shots.py) drive the real
window without pytest-qt, so they need a bounded wait of their own. Tests
use ``qtbot.waitUntil`` instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtWidgets import QApplication


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    """Process events until ``condition()`` holds or ``seconds`` pass; returns the condition."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    QApplication.processEvents()
    return condition()


def settle(seconds: float) -> None:
    """Let timers and queued work run for a fixed, bounded time."""
    wait_until(lambda: False, seconds)
