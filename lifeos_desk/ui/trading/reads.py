"""Reading state files off the UI thread, one at a time, newest request wins.

Positions and trade history grow to megabytes (docs/data-formats.md,
'Positions and trade history'); parsing them must not freeze the window
(docs/architecture.md, 'Threads and child processes'). This is a small
stand-in for the shared ``run_task`` of ``ui/tasks.py``: one ``QThreadPool``
with a single thread, so the ``StateFile`` objects (which remember the last
good read) are never used by two threads at once. A path changed again
while it is being read is read once more afterwards, not many times.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Relay(QObject):
    """Lives in the UI thread; a worker's emit reaches it queued."""

    done = Signal(str, object)


class _Job(QRunnable):
    def __init__(self, key: str, work: Callable[[], object], relay: _Relay) -> None:
        super().__init__()
        self._key, self._work, self._relay = key, work, relay

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as exc:  # a bug in a reader must not kill the thread; it is shown as text
            result = exc
        self._relay.done.emit(self._key, result)


class SerialReader(QObject):
    """Runs ``work()`` for a key on one worker thread and hands the result back on the UI thread.

    Signals:
        finished(str, object): the key and ``work()``'s return value (or the exception it raised).
    """

    finished = Signal(str, object)

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._synchronous = synchronous
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)
        self._busy: set[str] = set()
        self._again: dict[str, Callable[[], object]] = {}
        self._closed = False

    def submit(self, key: str, work: Callable[[], object]) -> None:
        """Read ``key`` now, or right after its current read finishes."""
        if self._closed:
            return
        if key in self._busy:
            self._again[key] = work
            return
        self._busy.add(key)
        job = _Job(key, work, self._relay)
        if self._synchronous:
            job.run()
        else:
            self._pool.start(job)

    def busy(self) -> bool:
        """True while any read is queued or running."""
        return bool(self._busy)

    def shutdown(self, timeout_ms: int = 3000) -> None:
        """Drop queued reads and wait for the running one; nothing more is delivered."""
        self._closed = True
        self._again.clear()
        self._pool.clear()
        self._pool.waitForDone(timeout_ms)

    @Slot(str, object)
    def _on_done(self, key: str, result: object) -> None:
        self._busy.discard(key)
        if self._closed:
            return
        self.finished.emit(key, result)
        again = self._again.pop(key, None)
        if again is not None:
            self.submit(key, again)
