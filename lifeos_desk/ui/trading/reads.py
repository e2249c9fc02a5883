"""Reading state files off the UI thread through ``run_task``, one read per file at a time.

Positions and trade history grow to megabytes (docs/data-formats.md,
'Positions and trade history'); parsing them must not freeze the window
(docs/architecture.md, 'Threads and child processes'). Each file's
``StateFile`` remembers its last good read, so it is never read by two
threads at once: a file that changes again while it is being read is read
once more afterwards, with the newest request, not many times over.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from ..tasks import Executor, ImmediateExecutor, Task, run_task


class SerialReader(QObject):
    """Runs ``work()`` for a key on a worker and hands the result back on the UI thread.

    Signals:
        finished(str, object): the key and ``work()``'s return value (or the exception it raised).
    """

    finished = Signal(str, object)

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False) -> None:
        super().__init__(parent)
        self._executor: Executor | None = ImmediateExecutor() if synchronous else None
        self._tasks: dict[str, Task] = {}
        self._again: dict[str, Callable[[], object]] = {}
        self._closed = False

    def submit(self, key: str, work: Callable[[], object]) -> None:
        """Read ``key`` now, or right after its current read finishes."""
        if self._closed:
            return
        if key in self._tasks:
            self._again[key] = work
            return

        def done(result: object) -> None:
            self._on_done(key, result)

        self._tasks[key] = run_task(lambda _task: work(), done, done, receiver=self, name=f"trading-{key}",
                                    executor=self._executor)

    def busy(self) -> bool:
        """True while any read is running or its result is on its way."""
        return bool(self._tasks)

    def shutdown(self, timeout_s: float = 3.0) -> None:
        """Deliver nothing more; wait (bounded) for running reads, which hold no lock of the bot's."""
        self._closed = True
        self._again.clear()
        for task in list(self._tasks.values()):
            task.wait(timeout_s)
        self._tasks.clear()

    def _on_done(self, key: str, result: object) -> None:
        self._tasks.pop(key, None)
        if self._closed:
            return
        self.finished.emit(key, result)
        again = self._again.pop(key, None)
        if again is not None:
            self.submit(key, again)
