"""The log viewer's TaskRunner: one task at a time, a superseded task's late outcome ignored."""

from __future__ import annotations

import threading
from collections.abc import Callable

from pytestqt.qtbot import QtBot

from lifeos_desk.ui.logs.tasks import TaskRunner
from lifeos_desk.ui.tasks import deliver_pending


class Recorder:
    def __init__(self, runner: TaskRunner) -> None:
        self.finished: list[tuple[str, object]] = []
        self.failed: list[tuple[str, str]] = []
        self.progress: list[tuple[int, int]] = []
        runner.finished.connect(self.on_finished)
        runner.failed.connect(self.on_failed)
        runner.progress.connect(self.on_progress)

    def on_finished(self, name: str, result: object) -> None:
        self.finished.append((name, result))

    def on_failed(self, name: str, message: str) -> None:
        self.failed.append((name, message))

    def on_progress(self, done: int, total: int) -> None:
        self.progress.append((done, total))


def _blocking(started: threading.Event) -> Callable[[Callable[[int, int], None], threading.Event], str]:
    def work(progress: Callable[[int, int], None], cancel: threading.Event) -> str:
        progress(1, 2)
        started.set()
        cancel.wait(10)
        progress(2, 2)
        return "old"
    return work


def _quick(progress: Callable[[int, int], None], cancel: threading.Event) -> str:
    progress(5, 5)
    return "new"


def _broken(progress: Callable[[int, int], None], cancel: threading.Event) -> str:
    raise OSError("disk full")


def test_a_new_task_cancels_the_old_and_only_its_outcome_arrives(qtbot: QtBot) -> None:
    runner = TaskRunner()
    seen = Recorder(runner)
    started = threading.Event()
    runner.start("filter", _blocking(started))
    assert started.wait(5) and runner.running
    old = runner._task
    runner.start("export", _quick)
    assert old is not None and old.cancelled and old.wait(5)
    qtbot.waitUntil(lambda: bool(seen.finished), timeout=5000)
    deliver_pending()  # the old task's late result and progress, posted before it returned
    assert seen.finished == [("export", "new")] and seen.failed == []
    assert (2, 2) not in seen.progress and (5, 5) in seen.progress
    assert not runner.running and runner.name == "export"


def test_cancel_reports_an_empty_message(qtbot: QtBot) -> None:
    runner = TaskRunner()
    seen = Recorder(runner)
    started = threading.Event()
    runner.start("merge", _blocking(started))
    assert started.wait(5)
    runner.cancel()
    assert not runner.running
    qtbot.waitUntil(lambda: bool(seen.failed), timeout=5000)
    assert seen.failed == [("merge", "")] and seen.finished == []


def test_a_failure_is_one_line(immediate_tasks: Callable[[], None]) -> None:
    runner = TaskRunner()
    seen = Recorder(runner)
    runner.start("export", _broken)
    immediate_tasks()
    assert seen.failed == [("export", "OSError: disk full")]
