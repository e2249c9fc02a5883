"""Issue 17: Edit ▸ Find (Ctrl+F) in every area that has something to find; disabled where it has not."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QWidget
from pytestqt.qtbot import QtBot

from lifeos_desk.session import Session
from lifeos_desk.ui.areas import Area, AreaDefaults, AreaSpec, Finds, default_areas
from lifeos_desk.ui.home.area import HomeArea
from lifeos_desk.ui.main_window import MainWindow
from lifeos_desk.ui.tables.area import TablesArea


class PlainArea(QWidget, AreaDefaults):
    """An area with nothing to find: it still keeps the contract."""


def _plain(_session: Session) -> QWidget:
    return PlainArea()


def _window(qtbot: QtBot, make_window: Callable[..., MainWindow]) -> MainWindow:
    """The shared window (tests/ui/conftest.py) with an area that has nothing to find, made active."""
    w = make_window([*default_areas(), AreaSpec("plain", "Plain", "nothing", _plain)])
    w.activateWindow()
    qtbot.waitActive(w)
    return w


def _box_of(area: QWidget) -> QLineEdit:
    if isinstance(area, TablesArea):
        pane = area.current_pane()
        assert pane is not None
        return pane.search
    box = getattr(area, "find_box", None)
    assert isinstance(box, QLineEdit), type(area).__name__
    return box


def test_find_focuses_each_areas_box_and_is_disabled_elsewhere(qtbot: QtBot,
                                                              make_window: Callable[..., MainWindow]) -> None:
    w = _window(qtbot, make_window)
    assert w.find_action.shortcut().toString() == "Ctrl+F"
    edit_menu = w.menuBar().actions()[1]
    menu = edit_menu.menu()
    assert edit_menu.text() == "&Edit" and isinstance(menu, QMenu) and w.find_action in menu.actions()
    with_find = {"home", "tables", "trading", "vault", "logs", "checks"}
    for spec in [*default_areas(), AreaSpec("plain", "Plain", "nothing", _plain)]:
        w.show_area(spec.key)
        area = w.tabs.currentWidget()
        assert isinstance(area, Area)
        assert w.find_action.isEnabled() == (spec.key in with_find), spec.key
        assert isinstance(area, Finds) == (spec.key in with_find), spec.key
        if spec.key not in with_find:
            continue
        box = _box_of(area)
        box.setText("abc")
        w.find_action.trigger()
        qtbot.waitUntil(box.hasFocus, timeout=2000)
        assert box.selectedText() == "abc", spec.key
        assert QApplication.focusWidget() is box


def test_find_text_types_into_the_box(qtbot: QtBot, make_window: Callable[..., MainWindow]) -> None:
    w = _window(qtbot, make_window)
    w.show_area("logs")
    area = w.tabs.currentWidget()
    assert isinstance(area, Finds)
    area.find_text("Jupiter")
    assert _box_of(w.tabs.currentWidget()).text() == "Jupiter"


def test_home_find_hides_the_stores_that_do_not_match(qtbot: QtBot, make_window: Callable[..., MainWindow]) -> None:
    w = _window(qtbot, make_window)
    w.show_area("home")
    area = w.tabs.currentWidget()
    assert isinstance(area, HomeArea)
    tree = area.tree
    model = tree.model()

    def shown_leaves(parent: QModelIndex = QModelIndex()) -> list[str]:  # noqa: B008 - Qt's root index
        out: list[str] = []
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            if tree.isRowHidden(row, parent):
                continue
            out += shown_leaves(index) if model.hasChildren(index) else [str(index.data())]
        return out

    everything = shown_leaves()
    assert any("public_users.db" in s for s in everything)
    area.find_text("public_users")
    found = shown_leaves()
    assert found and all("public_users" in s for s in found) and len(found) < len(everything)
    area.find_text("no such store anywhere")
    assert area.row_filter.visible_rows(tree) == 0
    area.find_text("")
    assert shown_leaves() == everything
