"""``run_task``: the one way slow work leaves the UI thread and its result comes back.

Modelled on Picard's ``run_task(func, next_func, thread_pool)``: the work runs
on an executor (a daemon Python thread by default), and its result, or the
exception it raised, is handed to a callback on the UI thread. Progress
reports and cancelling are part of the handle, ``Task``, that the work gets.

Rules every caller can rely on:

- Callbacks run on the UI thread, from the event loop, never inside
  ``run_task`` itself: code after the call (showing a busy bar, keeping the
  handle) always runs before the result arrives, whatever the executor.
- Nothing is delivered once the ``receiver`` QObject is deleted: an area
  closed while its work ran gets no late result or progress.
- Cancelling is cooperative: the work checks ``task.cancelled`` (or hands
  ``task.cancel_event`` to core code) and returns or raises; whatever it
  does is delivered, so the caller can reset its widgets.
- Exceptions arrive without their traceback: the frames hold the work's
  locals (a passphrase, a million trades, a QSqlDatabase handle that keeps a
  connection from being removed), which must not outlive the failure.

Tests swap the executor for ``ImmediateExecutor`` (the ``immediate_tasks``
fixture in tests/conftest.py), which runs the work at once, and call
``deliver_pending()`` to run the callbacks without waiting.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from shiboken6 import isValid

T = TypeVar("T")


class Executor(Protocol):
    """Where the work of a task runs."""

    def submit(self, job: Callable[[], None], name: str) -> None:
        """Run ``job`` (which never raises) somewhere, now or soon."""


class ThreadExecutor:
    """One daemon Python thread per task.

    Plain threads rather than QThreadPool: the slow parts (PBKDF2, SQLite
    reads, JSON parsing in C) release the GIL, and a daemon thread never
    holds up quitting, where the global QThreadPool waits for every runnable
    when the application object is destroyed.
    """

    def submit(self, job: Callable[[], None], name: str) -> None:
        """Start ``job`` on a new daemon thread called ``name``."""
        threading.Thread(target=job, name=name, daemon=True).start()


class ImmediateExecutor:
    """Runs each task at once on the calling thread (tests); results still wait for the event loop."""

    def submit(self, job: Callable[[], None], name: str) -> None:
        """Run ``job`` now."""
        job()


_executor: Executor = ThreadExecutor()


def set_executor(executor: Executor) -> Executor:
    """Make ``executor`` the default for every later ``run_task``; returns the previous one."""
    global _executor
    previous, _executor = _executor, executor
    return previous


class _Dispatcher(QObject):
    """Lives on the UI thread; a queued signal carries each delivery to it."""

    posted = Signal(object)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        # Queued even when emitted on the UI thread: callbacks never run inside run_task.
        self.posted.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _deliver(self, delivery: tuple[Task, Callable[..., object], tuple[Any, ...]]) -> None:
        task, callback, args = delivery
        if task.receiver_alive():
            callback(*args)


_dispatcher: _Dispatcher | None = None


def _the_dispatcher() -> _Dispatcher:
    """The dispatcher of the running application, made on first use (on the UI thread)."""
    global _dispatcher
    if _dispatcher is None or not isValid(_dispatcher):
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("run_task needs a running QApplication")
        _dispatcher = _Dispatcher(app)  # dies with the application, never before
    return _dispatcher


def deliver_pending() -> None:
    """Run the callbacks of every result and progress report already posted (tests)."""
    if _dispatcher is not None and isValid(_dispatcher):
        QCoreApplication.sendPostedEvents(_dispatcher, 0)


class Task:
    """The handle of one task, shared by the work (worker thread) and the caller (UI thread).

    ``cancel_event`` may be given so older code that hands out its own
    ``threading.Event`` keeps working.
    """

    def __init__(self, name: str = "task", cancel_event: threading.Event | None = None) -> None:
        self.name = name
        self.cancel_event = cancel_event if cancel_event is not None else threading.Event()
        self._returned = threading.Event()
        self._posted = threading.Event()  # the result is posted: the worker touches Qt no more
        self._receiver: QObject | None = None
        self._progress: Callable[[int, int], object] | None = None

    def cancel(self) -> None:
        """Ask the work to stop (it checks between chunks)."""
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        """Cancel was asked for."""
        return self.cancel_event.is_set()

    @property
    def finished(self) -> bool:
        """The work returned or raised (its result may still be on its way)."""
        return self._returned.is_set()

    @property
    def running(self) -> bool:
        """The work has not returned and nobody asked it to stop."""
        return not self.finished and not self.cancelled

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work returned and its result was posted (closing, tests); False on timeout.

        Waiting only for the return let a caller that quits right after
        ``wait()`` destroy the application while the worker was still
        emitting its result, which crashed the process at exit.
        """
        return self._posted.wait(timeout)

    def report(self, done: int, total: int) -> None:
        """Progress from the work, any thread; delivered on the UI thread (throttle in the work)."""
        if self._progress is not None:
            self._post(self._progress, done, total)

    def receiver_alive(self) -> bool:
        """The receiver's C++ object still exists (it was not deleted while the work ran)."""
        return self._receiver is not None and isValid(self._receiver)

    def _post(self, callback: Callable[..., object], *args: Any) -> None:
        dispatcher = _dispatcher
        if dispatcher is None:
            return
        with contextlib.suppress(RuntimeError):  # the application is gone (quitting): nobody listens
            dispatcher.posted.emit((self, callback, args))


def _without_tracebacks(exc: BaseException) -> BaseException:
    """``exc`` and the exceptions chained to it, stripped of the frames they hold."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        link.__traceback__ = None
        link = link.__cause__ or link.__context__
    return exc


def run_task(work: Callable[[Task], T], next_func: Callable[[T], object],
             error_func: Callable[[BaseException], object], *, receiver: QObject,
             progress: Callable[[int, int], object] | None = None, name: str = "task",
             task: Task | None = None, executor: Executor | None = None) -> Task:
    """Run ``work(task)`` on the executor; hand its result to ``next_func`` on the UI thread.

    If the work raises, ``error_func`` gets the exception instead. ``progress``
    gets the work's ``task.report(done, total)`` calls. Call on the UI thread.
    Nothing is called once ``receiver`` is deleted. ``task`` is a handle made
    beforehand (when the work's helpers need it before this returns);
    ``executor`` overrides the default set by ``set_executor``.
    """
    handle = task if task is not None else Task(name)
    handle._receiver = receiver
    handle._progress = progress
    _the_dispatcher()

    def job() -> None:
        try:
            result = work(handle)
        except BaseException as exc:  # delivered, never raised on a thread nobody joins
            error = _without_tracebacks(exc)
            handle._returned.set()
            handle._post(error_func, error)
            handle._posted.set()
            return
        handle._returned.set()
        handle._post(next_func, result)
        handle._posted.set()

    (executor or _executor).submit(job, name)
    return handle
