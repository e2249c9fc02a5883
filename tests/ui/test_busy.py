"""Long work is registered, and closing the window during it asks first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from lifeos_desk.ui.busy import BusyRegistry, app_registry, confirm_quit, quit_question
from lifeos_desk.ui.main_window import MainWindow


def test_begin_end_active(qtbot: QtBot) -> None:
    registry = BusyRegistry()
    with qtbot.waitSignal(registry.changed):
        backup = registry.begin("Backup")
    export = registry.begin("Export of trades")
    assert registry.active() == ["Backup", "Export of trades"]
    registry.end(backup)
    registry.end(backup)  # twice is harmless
    assert registry.active() == ["Export of trades"]
    registry.end(export)
    assert registry.active() == []


def test_running_ends_even_when_the_block_raises() -> None:
    registry = BusyRegistry()
    with pytest.raises(OSError), registry.running("Restore"):
        assert registry.active() == ["Restore"]
        raise OSError("disk full")
    assert registry.active() == []


def test_cancel_all_calls_every_cancel_newest_first() -> None:
    registry = BusyRegistry()
    calls: list[str] = []
    registry.begin("Backup", cancel=lambda: calls.append("backup"))
    registry.begin("Verify all")  # no cancel callback: just forgotten
    registry.begin("Export", cancel=lambda: calls.append("export"))
    registry.cancel_all()
    assert calls == ["export", "backup"]
    assert registry.active() == []


def test_app_registry_is_one_per_application(qapp: QApplication) -> None:
    assert app_registry() is app_registry(qapp)
    assert app_registry().parent() is qapp


def test_quit_question_names_the_work() -> None:
    assert quit_question(["Backup"]) == "Backup is still running — quit anyway?"
    many = quit_question(["Backup", "Export"])
    assert many.startswith("2 tasks are still running") and "• Backup" in many and "• Export" in many


@dataclass
class QuestionBox:
    """Stands in for QMessageBox.question: gives the set button, records each question's text."""

    button: QMessageBox.StandardButton = QMessageBox.StandardButton.No
    asked: list[str] = field(default_factory=list)

    def __call__(self, _parent: QWidget | None, _title: str, text: str, *_args: object) -> QMessageBox.StandardButton:
        self.asked.append(text)
        return self.button


@pytest.fixture
def answer(monkeypatch: pytest.MonkeyPatch) -> Iterator[QuestionBox]:
    """Replace the question box: tests set answer.button and read answer.asked."""
    box = QuestionBox()
    monkeypatch.setattr(QMessageBox, "question", box)
    yield box


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    """The window the quit question would sit on."""
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_confirm_quit_without_work_does_not_ask(parent: QWidget, answer: QuestionBox) -> None:
    assert confirm_quit(parent, BusyRegistry())
    assert answer.asked == []


def test_confirm_quit_no_keeps_the_work(parent: QWidget, answer: QuestionBox) -> None:
    registry = BusyRegistry()
    cancelled: list[bool] = []
    registry.begin("Backup of /srv/lifeos", cancel=lambda: cancelled.append(True))
    assert not confirm_quit(parent, registry)
    assert "Backup of /srv/lifeos is still running — quit anyway?" in answer.asked[0]
    assert registry.active() == ["Backup of /srv/lifeos"] and cancelled == []


def test_confirm_quit_yes_cancels_the_work(parent: QWidget, answer: QuestionBox) -> None:
    answer.button = QMessageBox.StandardButton.Yes
    registry = BusyRegistry()
    cancelled: list[bool] = []
    registry.begin("Backup", cancel=lambda: cancelled.append(True))
    assert confirm_quit(parent, registry)
    assert cancelled == [True] and registry.active() == []


# -- the main window ------------------------------------------------------------------------------------

@pytest.fixture
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    """The shared window on a deployed-schema home (tests/ui/conftest.py)."""
    return make_window()


def test_closing_during_work_asks_and_stays_open_on_no(window: MainWindow, answer: QuestionBox) -> None:
    registry = app_registry()
    token = registry.begin("Verify all backups")
    try:
        window.close()
        assert window.isVisible()
        assert "Verify all backups is still running" in answer.asked[0]
    finally:
        registry.end(token)
    window.close()
    assert not window.isVisible()
    assert len(answer.asked) == 1  # nothing running the second time: no question


def test_toolbar_actions_have_tooltips_with_shortcuts(window: MainWindow) -> None:
    actions = window.toolbar.actions()
    assert [a.text() for a in actions] == ["&Open data home…", "&Refresh facts", "Allow &editing", "Times in &UTC",
                                           "Back up now"]  # the last one comes from the backups area
    for action in actions:
        keys = action.shortcut().toString()
        assert action.toolTip() != action.text() and keys and keys in action.toolTip()
    assert actions[2] is window.edit_action and actions[3] is window.utc_action


def test_help_opens_the_diagnostics_folder(window: MainWindow, monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    help_menu = window.menuBar().actions()[-1].menu()
    assert isinstance(help_menu, QMenu)
    help_actions = {a.text(): a for a in help_menu.actions()}
    help_actions["Open &diagnostics folder"].trigger()
    assert opened == [QUrl.fromLocalFile(str(tmp_path / "log"))]
    assert (tmp_path / "log").is_dir()
