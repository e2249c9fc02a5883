"""Slow vault work (PBKDF2) off the UI thread, results back on the UI thread.

``hashlib.pbkdf2_hmac`` releases the GIL, so work run by ``ui.tasks.run_task``
keeps the window painting while a key is derived (KeePassXC derives off the
UI thread too). The vault's own API is a ``TaskRelay`` QObject: its signals
fire on the UI thread, and it dies with the area that started it, so a task
still deriving when the area closes reports to nobody.

A failure is reported as a message that names the error type and our own
message; our exceptions never carry a secret, and anything unexpected is
reported by type name only, so no value reaches a dialog or a log.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from ...core.vault import ImportKeyError, RotationError, WalletError
from ...db.errors import DatabaseError
from ..tasks import Task, run_task

# Exceptions whose message we wrote ourselves and know to hold no secret.
_SAFE_MESSAGES: tuple[type[BaseException], ...] = (WalletError, RotationError, ImportKeyError, DatabaseError)


def safe_message(exc: BaseException) -> str:
    """What to show for a failure: our own message, or just the type of anything else."""
    if isinstance(exc, _SAFE_MESSAGES):
        return str(exc)
    return f"unexpected {type(exc).__name__} (details withheld: they could contain key material)"


class TaskRelay(QObject):
    """Signals of one background task, and the handle its work reports through.

    Signals:
        progress(int, int): done, total.
        finished(object): the task's result.
        failed(object): the exception (show it with ``safe_message``).
    """

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.task = Task("vault-task")
        self.cancel = self.task.cancel_event  # the core functions check this Event

    def report(self, done: int, total: int) -> None:
        """Progress callback for the core functions (called on the worker thread)."""
        self.task.report(done, total)

    @Slot(int, int)
    def _deliver_progress(self, done: int, total: int) -> None:
        self.progress.emit(done, total)

    @Slot(object)
    def _deliver_result(self, result: object) -> None:
        self.finished.emit(result)
        self.deleteLater()

    @Slot(object)
    def _deliver_error(self, exc: object) -> None:
        self.failed.emit(exc)
        self.deleteLater()


def _run_with_relay(work: Callable[[TaskRelay], Any], relay: TaskRelay, _task: Task) -> Any:
    return work(relay)


def start_task(work: Callable[[TaskRelay], Any], parent: QObject, finished: Callable[[Any], None],
               failed: Callable[[Any], None], progress: Callable[[int, int], None] | None = None) -> TaskRelay:
    """Connect the slots, then run ``work(relay)`` with ``run_task``.

    The relay is a child of ``parent`` and the task's receiver: once the
    parent is deleted nothing is reported. The relay deletes itself after
    reporting.
    """
    relay = TaskRelay(parent)
    relay.finished.connect(finished)
    relay.failed.connect(failed)
    if progress is not None:
        relay.progress.connect(progress)
    run_task(partial(_run_with_relay, work, relay), relay._deliver_result, relay._deliver_error, receiver=relay,
             progress=relay._deliver_progress, name="vault-task", task=relay.task)
    return relay
