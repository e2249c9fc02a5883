"""run_task: results, errors, progress and cancel come back on the UI thread, never to a deleted receiver."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shiboken6 import delete

from lifeos_desk.ui.tasks import Executor, ImmediateExecutor, Task, deliver_pending, run_task


class Receiver(QObject):
    """Collects what run_task delivers, and on which thread."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[object] = []
        self.errors: list[BaseException] = []
        self.progress: list[tuple[int, int]] = []
        self.threads: list[threading.Thread] = []

    def on_result(self, result: object) -> None:
        self.threads.append(threading.current_thread())
        self.results.append(result)

    def on_error(self, exc: BaseException) -> None:
        self.threads.append(threading.current_thread())
        self.errors.append(exc)

    def on_progress(self, done: int, total: int) -> None:
        self.threads.append(threading.current_thread())
        self.progress.append((done, total))

    def run(self, work: Callable[[Task], object], *, name: str = "task", task: Task | None = None,
            executor: Executor | None = None) -> Task:
        return run_task(work, self.on_result, self.on_error, receiver=self, progress=self.on_progress, name=name,
                        task=task, executor=executor)


def _worker_name(task: Task) -> str:
    return threading.current_thread().name


def _fail(task: Task) -> None:
    secret = "hunter2"  # a local of the failing frame: must not outlive the failure
    raise ValueError(f"bad input ({len(secret)})")


def _count_to_three(task: Task) -> int:
    for i in range(1, 4):
        task.report(i, 3)
    return 3


def test_result_arrives_on_the_ui_thread(qtbot: QtBot) -> None:
    receiver = Receiver()
    task = receiver.run(_worker_name, name="unit-task")
    qtbot.waitUntil(lambda: bool(receiver.results), timeout=5000)
    assert receiver.results == ["unit-task"]  # the work ran on its own thread, named
    assert receiver.threads == [threading.main_thread()]
    assert task.finished and not task.running


def test_exception_arrives_without_its_traceback(qtbot: QtBot) -> None:
    receiver = Receiver()
    receiver.run(_fail)
    qtbot.waitUntil(lambda: bool(receiver.errors), timeout=5000)
    (exc,) = receiver.errors
    assert isinstance(exc, ValueError) and str(exc) == "bad input (7)"
    assert exc.__traceback__ is None
    assert receiver.results == [] and receiver.threads == [threading.main_thread()]


def test_progress_arrives_in_order_before_the_result(qtbot: QtBot) -> None:
    receiver = Receiver()
    receiver.run(_count_to_three)
    qtbot.waitUntil(lambda: bool(receiver.results), timeout=5000)
    assert receiver.progress == [(1, 3), (2, 3), (3, 3)]
    assert receiver.results == [3]
    assert set(receiver.threads) == {threading.main_thread()}


def test_cancel_stops_the_work_and_its_outcome_is_still_delivered(qtbot: QtBot) -> None:
    started = threading.Event()

    def until_cancelled(task: Task) -> str:
        started.set()
        task.cancel_event.wait(10)
        return "stopped" if task.cancelled else "timed out"

    receiver = Receiver()
    task = receiver.run(until_cancelled)
    assert started.wait(5)
    assert task.running
    task.cancel()
    assert not task.running
    qtbot.waitUntil(lambda: bool(receiver.results), timeout=5000)
    assert receiver.results == ["stopped"]


def test_a_late_result_is_dropped_once_the_receiver_is_deleted(qtbot: QtBot) -> None:
    gate = threading.Event()

    def slow(task: Task) -> str:
        task.report(1, 2)
        gate.wait(10)
        task.report(2, 2)
        return "late"

    receiver = Receiver()
    task = receiver.run(slow)
    delete(receiver)  # the area closed while its work ran
    gate.set()
    assert task.wait(5)
    witness = Receiver()  # a task posted after the late one: once it arrives, the late one was handled
    witness.run(_worker_name)
    qtbot.waitUntil(lambda: bool(witness.results), timeout=5000)
    assert receiver.results == [] and receiver.progress == [] and receiver.threads == []


def test_callbacks_never_run_inside_run_task(immediate_tasks: Callable[[], None]) -> None:
    receiver = Receiver()
    task = receiver.run(_count_to_three)
    assert task.finished  # the immediate executor did the work already...
    assert receiver.results == [] and receiver.progress == []  # ...but delivery waits for the event loop
    immediate_tasks()
    assert receiver.progress == [(1, 3), (2, 3), (3, 3)] and receiver.results == [3]


def test_immediate_executor_runs_tasks_synchronously(immediate_tasks: Callable[[], None]) -> None:
    receiver = Receiver()
    receiver.run(_worker_name)
    receiver.run(_fail)
    immediate_tasks()
    assert receiver.results == [threading.main_thread().name]  # ran on the test's own thread
    assert [type(e) for e in receiver.errors] == [ValueError]


def test_an_executor_can_be_given_per_task(qapp: QApplication) -> None:
    submitted: list[str] = []

    class Recording(ImmediateExecutor):
        def submit(self, job: Callable[[], None], name: str) -> None:
            submitted.append(name)
            super().submit(job, name)

    receiver = Receiver()
    task = receiver.run(_worker_name, name="recorded", executor=Recording())
    assert submitted == ["recorded"] and task.finished


@pytest.mark.parametrize("given", [False, True])
def test_a_premade_task_shares_its_cancel_event(immediate_tasks: Callable[[], None], given: bool) -> None:
    event = threading.Event()
    event.set()
    premade = Task("premade", cancel_event=event) if given else None
    receiver = Receiver()
    task = receiver.run(lambda t: t.cancelled, task=premade)
    immediate_tasks()
    assert (task is premade) == given
    assert receiver.results == [given]


class _SlowPost(Task):
    """A task whose result takes a while to post, as a worker preempted between returning and emitting."""

    def __init__(self) -> None:
        super().__init__("slow-post")
        self.may_post = threading.Event()

    def _post(self, callback: Callable[..., object], *args: object) -> None:
        self.may_post.wait(5)
        super()._post(callback, *args)


@pytest.mark.parametrize("work", [_worker_name, _fail])
def test_wait_returns_only_once_the_outcome_is_posted(qtbot: QtBot, work: Callable[[Task], object]) -> None:
    """Closing code waits and may quit at once: a worker still emitting then crashed the process."""
    receiver = Receiver()
    task = _SlowPost()
    receiver.run(work, task=task)
    qtbot.waitUntil(lambda: task.finished, timeout=5000)  # the work returned; its outcome is not posted yet
    assert not task.wait(0)
    task.may_post.set()
    assert task.wait(5)
    deliver_pending()  # already posted: delivered without waiting for the worker
    assert len(receiver.results) + len(receiver.errors) == 1
