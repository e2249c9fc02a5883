"""The area contract: every area keeps it, and one AreaSpec entry is all a new area needs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from lifeos_desk import APP_DISPLAY_NAME
from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.schema import ADR_DDL, DEPLOYED_DDL
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.session import Session, open_session
from lifeos_desk.ui.area_host import UnsavedChoice, ask_unsaved
from lifeos_desk.ui.areas import Area, AreaDefaults, AreaSpec, SavesChanges, default_areas
from lifeos_desk.ui.main_window import MainWindow
from lifeos_desk.ui.tables.area import TablesArea


class DummyArea(QWidget, AreaDefaults):
    """A test area: one window action, pending notes, and a record of what the window asked."""

    made: list[DummyArea] = []

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session_home = session.paths.home
        self.pending: list[str] = []
        self.calls: list[str] = []
        self.poke = QAction("Poke the dummy", self)
        self.poke.setShortcut(QKeySequence("Ctrl+Shift+D"))
        self.poke.setToolTip("Poke it")
        DummyArea.made.append(self)

    def window_actions(self) -> Sequence[QAction]:
        return [self.poke]

    def shutdown(self) -> None:
        self.calls.append("shutdown")

    def unsaved_changes(self) -> list[str]:
        return list(self.pending)

    def save_changes(self) -> bool:
        self.calls.append("save")
        self.pending.clear()
        return True

    def discard_changes(self) -> None:
        self.calls.append("discard")
        self.pending.clear()


def _home(tmp_path: Path, ddl: str, name: str = "home") -> DataPaths:
    home = tmp_path / name
    home.mkdir()
    con = sqlite3.connect(home / "public_users.db")
    con.executescript(ddl)
    con.close()
    return DataPaths(home=home, logs=(home / "logs",), backups=home / "backups")


# The window_for fixture: a data home (and extra areas after the default ones) in, a shown MainWindow out.
WindowFor = Callable[..., MainWindow]


@pytest.fixture
def window_for(qtbot: QtBot, tmp_path: Path) -> WindowFor:
    dirs = AppDirs(config=tmp_path / "cfg", state=tmp_path / "st", data=tmp_path / "data", log=tmp_path / "log")
    settings, state = Settings(dirs), State(dirs)
    DummyArea.made.clear()

    def opener(paths: DataPaths) -> Session:
        return open_session(paths, dirs, settings, state)

    def make(paths: DataPaths, extra: list[AreaSpec] | None = None) -> MainWindow:
        w = MainWindow(opener(paths), opener, areas=default_areas() + (extra or []))
        qtbot.addWidget(w)
        w.show()
        return w

    return make


DUMMY = AreaSpec("dummy", "Dummy", "A test area", DummyArea)


class Prompt:
    """Stands in for the Save/Discard/Cancel box: records the lines, gives the set answer."""

    def __init__(self, answer: UnsavedChoice) -> None:
        self.answer = answer
        self.asked: list[list[str]] = []

    def __call__(self, _parent: QWidget, lines: list[str]) -> UnsavedChoice:
        self.asked.append(lines)
        return self.answer


@pytest.mark.parametrize("ddl", [ADR_DDL, DEPLOYED_DDL, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);"],
                         ids=["adr", "deployed", "unknown-schema"])
def test_every_default_area_keeps_the_contract(window_for: WindowFor, tmp_path: Path, ddl: str) -> None:
    w = window_for(_home(tmp_path, ddl))
    keys = [s.key for s in default_areas()]
    assert w.tabs.count() == len(keys)
    assert keys[0] == "home" and w.tabs.tabText(0) == "Home"  # the map comes first
    assert keys.index("checks") == keys.index("logs") + 1  # Checks comes right after the Audit log
    assert [w.tabs.tabText(i) for i in range(w.tabs.count())] == [spec.title for spec in default_areas()]
    for i, spec in enumerate(default_areas()):
        w.tabs.setCurrentIndex(i)  # builds a lazy area
        area = w.tabs.widget(i)
        assert isinstance(area, Area), type(area).__name__
        assert not (spec.lazy and area.window_actions()), spec.key  # they would be missing until it is shown
        assert isinstance(area.unsaved_changes(), list)
        assert all(isinstance(a, QAction) for a in area.window_actions())
        assert all(isinstance(name, str) and callable(enter) for name, enter in area.screenshot_states())


def test_one_spec_entry_adds_tab_menu_shortcut_and_help(window_for: WindowFor, tmp_path: Path) -> None:
    w = window_for(_home(tmp_path, ADR_DDL), [DUMMY])
    n = len(default_areas())  # the dummy comes after the default areas
    key = f"Ctrl+{(n + 1) % 10}"  # Ctrl+1 … Ctrl+9, then Ctrl+0 for the tenth
    assert w.tabs.count() == n + 1 and w.tabs.tabText(n) == "Dummy"
    assert isinstance(w.tabs.widget(n), DummyArea)
    assert w.tabs.tabToolTip(n) == f"A test area ({key})"  # generated from the View action's shortcut
    view = next(a.menu() for a in w.menuBar().actions() if a.text() == "&View")
    assert isinstance(view, QMenu)
    entry = next(a for a in view.actions() if a.text() == "Dummy")
    assert entry.shortcut().toString() == key and entry.toolTip() == f"A test area ({key})"
    entry.trigger()
    assert w.tabs.currentIndex() == n

    poke = DummyArea.made[-1].poke
    assert poke in w.toolbar.actions() and poke in w.actions_menu.actions()  # every action lives in a menu
    assert poke.toolTip() == "Poke it (Ctrl+Shift+D)"
    rows = w.shortcut_rows()
    for keys in (key, "Ctrl+Shift+D", "Ctrl+B", "Ctrl+C", "Ctrl+Q", "Ctrl+1"):
        assert keys in [k for k, _ in rows], keys
    assert (key, "Dummy") in rows
    assert ("Ctrl+C", "Copy (Tables)") in rows


def test_tooltips_end_in_their_shortcut_once(window_for: WindowFor, tmp_path: Path) -> None:
    w = window_for(_home(tmp_path, DEPLOYED_DDL))
    for act in w.actions() + w.toolbar.actions():
        keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            assert act.toolTip().endswith(f"({keys})") and act.toolTip().count(keys) == 1, act.toolTip()


def test_title_names_the_app_at_most_once(window_for: WindowFor, tmp_path: Path) -> None:
    paths = _home(tmp_path, ADR_DDL)
    w = window_for(paths)
    # Qt appends the application's display name (set by app.make_application) itself.
    assert w.windowTitle() == f"{paths.home} [read-only]"
    assert APP_DISPLAY_NAME not in w.windowTitle()


def test_unsaved_work_is_listed_and_cancel_keeps_the_window(window_for: WindowFor, tmp_path: Path) -> None:
    w = window_for(_home(tmp_path, ADR_DDL), [DUMMY])
    dummy = DummyArea.made[-1]
    dummy.pending = ["Dummy: 3 unsaved notes"]
    prompt = Prompt(UnsavedChoice.CANCEL)
    w.ask_unsaved = prompt
    w.close()
    assert w.isVisible() and prompt.asked == [["Dummy: 3 unsaved notes"]]
    assert dummy.calls == [] and dummy.pending
    prompt.answer = UnsavedChoice.SAVE
    w.close()
    assert not w.isVisible()
    assert dummy.calls == ["save", "shutdown"]


def test_nothing_unsaved_closes_without_asking(window_for: WindowFor, tmp_path: Path) -> None:
    w = window_for(_home(tmp_path, ADR_DDL), [DUMMY])
    prompt = Prompt(UnsavedChoice.CANCEL)
    w.ask_unsaved = prompt
    w.close()
    assert not w.isVisible() and prompt.asked == []
    assert DummyArea.made[-1].calls == ["shutdown"]


def test_opening_another_home_asks_then_shuts_the_areas_down(window_for: WindowFor, tmp_path: Path) -> None:
    first, second = _home(tmp_path, ADR_DDL, "one"), _home(tmp_path, DEPLOYED_DDL, "two")
    w = window_for(first, [DUMMY])
    old = DummyArea.made[-1]
    old.pending = ["Dummy: a draft"]
    prompt = Prompt(UnsavedChoice.CANCEL)
    w.ask_unsaved = prompt
    w.open_paths(second)
    assert w.session.paths.home == first.home and old.calls == []  # cancelled: nothing changed
    prompt.answer = UnsavedChoice.DISCARD
    w.open_paths(second)
    assert old.calls == ["discard", "shutdown"]
    new = DummyArea.made[-1]
    assert new is not old and new.session_home == second.home
    assert old.poke not in w.toolbar.actions() and old.poke not in w.actions_menu.actions()
    assert new.poke in w.toolbar.actions()
    assert [a.text() for a in w.toolbar.actions()].count("Back up now") == 1


def _stage_edit(w: MainWindow) -> TablesArea:
    area = w.tabs.widget(1)
    assert isinstance(area, TablesArea)
    w.edit_action.setChecked(True)
    users = area.show_table("users")
    assert users is not None
    users.model.setData(users.model.index(0, users.model.info.index_of("risk_level")), "DEGEN")
    return area


def _with_user(paths: DataPaths) -> DataPaths:
    con = sqlite3.connect(paths.db)
    con.execute("INSERT INTO users (telegram_id, username, risk_level) VALUES (1, 'ann', 'MODERATE')")
    con.commit()
    con.close()
    return paths


def _quit_action(w: MainWindow) -> QAction:
    return next(a for a in w.actions() if a.shortcut() == QKeySequence("Ctrl+Q"))


def test_ctrl_q_with_a_staged_edit_asks(window_for: WindowFor, tmp_path: Path) -> None:
    w = window_for(_with_user(_home(tmp_path, ADR_DDL)))
    area = _stage_edit(w)
    assert isinstance(area, SavesChanges)
    prompt = Prompt(UnsavedChoice.CANCEL)
    w.ask_unsaved = prompt
    _quit_action(w).trigger()
    assert w.isVisible() and prompt.asked == [["Tables: 1 staged edit in users"]]
    assert area.unsaved_changes() == ["Tables: 1 staged edit in users"]  # the edit is kept
    prompt.answer = UnsavedChoice.DISCARD
    _quit_action(w).trigger()
    assert not w.isVisible()
    con = sqlite3.connect(w.session.paths.db)
    assert con.execute("SELECT risk_level FROM users").fetchall() == [("MODERATE",)]  # nothing written
    con.close()


def test_save_from_the_prompt_writes_the_edit(window_for: WindowFor, tmp_path: Path) -> None:
    w = window_for(_with_user(_home(tmp_path, ADR_DDL)))
    _stage_edit(w)
    w.ask_unsaved = Prompt(UnsavedChoice.SAVE)
    w.close()
    assert not w.isVisible()
    con = sqlite3.connect(w.session.paths.db)
    assert con.execute("SELECT risk_level FROM users").fetchall() == [("DEGEN",)]
    con.close()


def _answer_box(button: QMessageBox.StandardButton, seen: list[str]) -> Callable[[], None]:
    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.button(button).click()
    return answer


@pytest.mark.parametrize(("button", "choice"), [(QMessageBox.StandardButton.Save, UnsavedChoice.SAVE),
                                                (QMessageBox.StandardButton.Discard, UnsavedChoice.DISCARD),
                                                (QMessageBox.StandardButton.Cancel, UnsavedChoice.CANCEL)])
def test_the_real_prompt_lists_the_work_and_returns_the_answer(qtbot: QtBot, button: QMessageBox.StandardButton,
                                                               choice: UnsavedChoice) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[str] = []
    QTimer.singleShot(0, _answer_box(button, seen))
    assert ask_unsaved(parent, ["Tables: 1 staged edit in users", "Dummy: a draft"]) is choice
    assert "• Tables: 1 staged edit in users" in seen[0] and "• Dummy: a draft" in seen[0]


def test_vault_shutdown_locks_and_its_states_are_named(request: pytest.FixtureRequest, qtbot: QtBot,
                                                       tmp_path: Path) -> None:
    from .vault_env import open_env

    env = open_env(request, qtbot, tmp_path, demo=True)
    assert isinstance(env.area, Area)
    assert [name for name, _ in env.area.screenshot_states()] == ["vault-locked", "vault-unlocked", "vault-health"]
    env.unlock()
    assert env.area.unlocked and env.area.unsaved_changes() == []
    env.area.shutdown()
    assert not env.area.unlocked
    assert env.events()[-1] == "vault_lock" and env.audit()[-1]["reason"] == "area closed"


def test_a_lazy_area_is_built_when_its_tab_is_first_shown(window_for: WindowFor, tmp_path: Path) -> None:
    from lifeos_desk.ui.area_host import PendingArea

    lazy = AreaSpec("dummy", "Dummy", "A test area", DummyArea, lazy=True)
    w = window_for(_home(tmp_path, ADR_DDL), [lazy])
    n = len(default_areas())
    assert DummyArea.made == [] and isinstance(w.tabs.widget(n), PendingArea)  # start-up did not build it
    assert isinstance(w.tabs.widget(n), Area) and w.host.unsaved_changes() == []
    tip = w.tabs.tabToolTip(n)
    shown: list[int] = []
    w.tabs.currentChanged.connect(shown.append)
    w.tabs.setCurrentIndex(n)
    area = w.tabs.widget(n)
    assert isinstance(area, DummyArea)
    assert DummyArea.made == [area] and w.tabs.currentIndex() == n and w.tabs.count() == n + 1
    assert (w.tabs.tabText(n), w.tabs.tabToolTip(n)) == ("Dummy", tip)
    assert shown == [n]  # one change of tab, straight to the built area
    assert area.poke in w.toolbar.actions()  # its window actions arrive with it
    w.tabs.setCurrentIndex(0)
    w.tabs.setCurrentIndex(n)
    assert DummyArea.made == [area]  # built once
    w.close()
    assert area.calls == ["shutdown"]


def test_the_default_areas_that_cost_start_up_are_lazy() -> None:
    lazy = [s.key for s in default_areas() if s.lazy]
    assert lazy == ["trading", "vault", "logs", "charts"]
