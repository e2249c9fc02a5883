"""Slow vault work (PBKDF2) on a Python thread, results back on the UI thread.

``hashlib.pbkdf2_hmac`` releases the GIL, so a plain thread keeps the window
painting while a key is derived (KeePassXC derives off the UI thread too).
The thread reports through a ``TaskRelay`` QObject that lives on the UI thread:
Qt queues signals emitted from other threads, so slots run on the UI thread.

A failure is reported as a message that names the error type and our own
message; our exceptions never carry a secret, and anything unexpected is
reported by type name only, so no value reaches a dialog or a log.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from ...core.vault import ImportKeyError, RotationError, WalletError
from ...db.errors import DatabaseError

# Exceptions whose message we wrote ourselves and know to hold no secret.
_SAFE_MESSAGES: tuple[type[BaseException], ...] = (WalletError, RotationError, ImportKeyError, DatabaseError)


def safe_message(exc: BaseException) -> str:
    """What to show for a failure: our own message, or just the type of anything else."""
    if isinstance(exc, _SAFE_MESSAGES):
        return str(exc)
    return f"unexpected {type(exc).__name__} (details withheld: they could contain key material)"


class TaskRelay(QObject):
    """Signals of one background task.

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
        self.cancel = threading.Event()

    def report(self, done: int, total: int) -> None:
        """Progress callback for the core functions (called on the worker thread)."""
        self._emit(self.progress, done, total)

    def _emit(self, signal: Any, *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the area was closed meanwhile: nobody listens
            signal.emit(*args)


def start_task(work: Callable[[TaskRelay], Any], parent: QObject, finished: Callable[[Any], None],
               failed: Callable[[Any], None], progress: Callable[[int, int], None] | None = None) -> TaskRelay:
    """Connect the slots, then run ``work(relay)`` on a daemon thread.

    Connecting before the thread starts means even an instant result is
    delivered. The relay deletes itself after reporting.
    """
    relay = TaskRelay(parent)
    relay.finished.connect(finished)
    relay.failed.connect(failed)
    if progress is not None:
        relay.progress.connect(progress)
    relay.finished.connect(relay.deleteLater)
    relay.failed.connect(relay.deleteLater)

    def run() -> None:
        try:
            result = work(relay)
        except BaseException as exc:  # reported, never raised on a thread nobody joins
            relay._emit(relay.failed, exc)
            return
        relay._emit(relay.finished, result)

    threading.Thread(target=run, name="vault-task", daemon=True).start()
    return relay
