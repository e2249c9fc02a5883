"""Running slow log work (filter, time order, export) off the UI thread, with progress and cancel.

The work runs through ``ui.tasks.run_task``; this runner adds the log
viewer's rule: only one task at a time. Starting a new one cancels the old,
whose late progress and result are then ignored.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..tasks import Task, run_task

Work = Callable[[Callable[[int, int], None], threading.Event], Any]


def _call(work: Work, task: Task) -> Any:
    return work(task.report, task.cancel_event)


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
        self._task: Task | None = None
        self.name = ""

    @property
    def running(self) -> bool:
        """True while a task's work has not returned and was not cancelled."""
        return self._task is not None and self._task.running

    def start(self, name: str, work: Work) -> None:
        """Cancel any running task and start ``work``."""
        self.cancel()
        self.name = name
        task = Task(name)
        self._task = task
        run_task(partial(_call, work), partial(self._on_result, task), partial(self._on_error, task),
                 receiver=self, progress=partial(self._on_progress, task), name=f"logs-{name}", task=task)

    def cancel(self) -> None:
        """Ask the running task to stop (it checks between chunks)."""
        if self._task is not None:
            self._task.cancel()

    def wait(self, timeout: float = 5.0) -> None:
        """Wait for the current task's work to return (tests, closing)."""
        if self._task is not None:
            self._task.wait(timeout)

    def _on_progress(self, task: Task, done: int, total: int) -> None:
        if task is self._task:
            self.progress.emit(done, total)

    def _on_result(self, task: Task, result: object) -> None:
        if task is not self._task:
            return
        if task.cancelled:
            self.failed.emit(task.name, "")
        else:
            self.finished.emit(task.name, result)

    def _on_error(self, task: Task, exc: BaseException) -> None:
        if task is self._task:  # one line for the admin, never a traceback
            self.failed.emit(task.name, "" if task.cancelled else f"{type(exc).__name__}: {exc}")
