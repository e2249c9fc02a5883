"""Running slow log work (filter, time order, export) off the UI thread, with progress and cancel.

A plain Python thread does the work; results travel back as Qt signals of a
QObject living in the UI thread (queued across threads), as Picard's
``run_task`` does. Only one task runs at a time per runner: starting a new
one cancels the old, whose late result is then ignored.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

Work = Callable[[Callable[[int, int], None], threading.Event], Any]


class TaskRunner(QObject):
    """Runs one ``work(progress, cancel)`` at a time.

    Signals:
        progress(int, int): done, total (throttled by the work itself).
        finished(str, object): the task's name and result.
        failed(str, str): the task's name and a one-line message ("" when cancelled).
    """

    progress = Signal(int, int)
    finished = Signal(str, object)
    failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._generation = 0
        self.name = ""

    @property
    def running(self) -> bool:
        """True while a task's thread is alive and not cancelled."""
        return self._thread is not None and self._thread.is_alive() and not (self._cancel and self._cancel.is_set())

    def start(self, name: str, work: Work) -> None:
        """Cancel any running task and start ``work`` on a new thread."""
        self.cancel()
        self._generation += 1
        self.name = name
        cancel = threading.Event()
        self._cancel = cancel
        self._thread = threading.Thread(target=self._run, args=(work, cancel, self._generation, name),
                                        name=f"logs-{name}", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Ask the running task to stop (it checks between chunks)."""
        if self._cancel is not None:
            self._cancel.set()

    def wait(self, timeout: float = 5.0) -> None:
        """Join the current thread (tests, closing)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, work: Work, cancel: threading.Event, generation: int, name: str) -> None:
        def report(done: int, total: int) -> None:
            if generation == self._generation:
                self._emit(self.progress, done, total)

        try:
            result = work(report, cancel)
        except Exception as exc:  # reported to the admin as one line, never a traceback
            if generation == self._generation:
                self._emit(self.failed, name, "" if cancel.is_set() else f"{type(exc).__name__}: {exc}")
            return
        if generation == self._generation and not cancel.is_set():
            self._emit(self.finished, name, result)
        elif generation == self._generation:
            self._emit(self.failed, name, "")

    @staticmethod
    def _emit(signal: Any, *args: object) -> None:
        """Emit unless the runner was deleted meanwhile (its area closed while the task ran)."""
        with contextlib.suppress(RuntimeError):
            signal.emit(*args)
