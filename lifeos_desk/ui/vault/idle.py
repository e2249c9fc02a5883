"""Noticing that the admin has stopped using the console (for the vault's auto-lock).

An application-wide event filter records the time of the last user input
(keys, mouse, wheel, touch) anywhere in the app; a coarse timer compares it
with the limit. Recording a timestamp per event is cheaper than restarting a
QTimer on every mouse move.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal, Slot

_ACTIVITY = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
    QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.ShortcutOverride,
})


class IdleWatcher(QObject):
    """Emits ``idle`` once after ``timeout_ms`` without user input, while started.

    Signals:
        idle(): the admin has been inactive for the whole timeout.
    """

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeout_ms = timeout_ms
        self._last = time.monotonic()
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._check)
        self._filtering = False

    def start(self) -> None:
        """Begin watching (from now)."""
        self._last = time.monotonic()
        self._tick.setInterval(max(20, min(1000, self.timeout_ms // 5)))
        app = QCoreApplication.instance()
        if app is not None and not self._filtering:
            app.installEventFilter(self)
            self._filtering = True
        self._tick.start()

    def stop(self) -> None:
        """Stop watching and remove the filter."""
        self._tick.stop()
        app = QCoreApplication.instance()
        if app is not None and self._filtering:
            app.removeEventFilter(self)
            self._filtering = False

    def seconds_idle(self) -> float:
        """Seconds since the last user input."""
        return time.monotonic() - self._last

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Note user input; never consumes the event."""
        if event.type() in _ACTIVITY:
            self._last = time.monotonic()
        return False

    @Slot()
    def _check(self) -> None:
        if self.seconds_idle() * 1000 >= self.timeout_ms:
            self.stop()
            self.idle.emit()
