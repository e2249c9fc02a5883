"""Regression guard for PySide6 6.12.0 on Python 3.11 (docs/architecture.md, 'PySide6 6.12 on Python 3.11').

That release lost one reference to None per call of a method returning
nothing, and the process died with "none_dealloc". Python 3.12+ makes None
immortal, so the count cannot drop there; on 3.11 it must stay steady.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer


def test_none_returning_calls_keep_none_refcount(qapp: object) -> None:
    timer = QTimer()
    before = sys.getrefcount(None)
    for _ in range(10_000):
        timer.stop()  # returns None
        timer.setInterval(5)
    after = sys.getrefcount(None)
    assert after >= before - 50, f"None lost {before - after} references over 20,000 void calls"
