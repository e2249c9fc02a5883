"""The open areas of one session, as the window holds them.

The host builds every ``AreaSpec`` into a tab, puts each area's window-wide
actions on the toolbar and in the Actions menu (an action on a hidden tab
never fires its shortcut; there it works from every area), collects the
unsaved work for the quit prompt, and shuts the areas down before the window
drops them (on close, on opening another home).

An area whose spec is ``lazy`` starts as a placeholder (an empty area) and
is built when its tab is first shown: start-up then pays only for the areas
the admin sees (issue 18). Lazy areas have no window actions, so nothing on
the toolbar or in the menus waits for them. A lazy area's ``warm`` work (the
charts read their million trades in worker threads) starts ``WARM_DELAY_MS``
after the window is built, and the area takes it over when first shown.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QTabWidget, QToolBar, QWidget

from ..session import Session
from .areas import AdoptsWarm, Area, AreaDefaults, AreaSpec, SavesChanges, Warm

WARM_DELAY_MS = 1000

log = logging.getLogger(__name__)


def shortcut_text(act: QAction) -> str:
    """The action's shortcut as the platform writes it ("" when it has none)."""
    return act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def add_shortcut_tip(act: QAction) -> QAction:
    """End the action's tooltip in its shortcut, so no tooltip spells a key by hand."""
    keys = shortcut_text(act)
    if keys and not act.toolTip().endswith(f"({keys})"):
        act.setToolTip(f"{act.toolTip()} ({keys})")
    return act


class UnsavedChoice(enum.Enum):
    """The answer to "save the pending work before closing?"."""

    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask_unsaved(parent: QWidget, lines: list[str]) -> UnsavedChoice:
    """Save / Discard / Cancel, listing every area's pending work."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                      "Some work is not saved yet:\n\n" + "\n".join(f"• {line}" for line in lines),
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("unsavedChangesBox")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    answer = box.exec()
    if answer == QMessageBox.StandardButton.Save:
        return UnsavedChoice.SAVE
    if answer == QMessageBox.StandardButton.Discard:
        return UnsavedChoice.DISCARD
    return UnsavedChoice.CANCEL


class PendingArea(QWidget, AreaDefaults):
    """The stand-in for a lazy area until its tab is first shown: an area with nothing in it yet.

    It holds the spec's warm work until the area is built, and stops it if
    the area never is.
    """

    def __init__(self) -> None:
        super().__init__()
        self.work: Warm | None = None

    def shutdown(self) -> None:
        """Stop warm work nobody took over."""
        if self.work is not None:
            self.work.shutdown()
            self.work = None


class AreaHost(QObject):
    """The areas of the session shown now, built from the one spec list."""

    def __init__(self, specs: Sequence[AreaSpec], toolbar: QToolBar, menu: QMenu) -> None:
        super().__init__(toolbar)
        self.specs = list(specs)
        self._toolbar = toolbar
        self._menu = menu
        self.widgets: list[QWidget] = []
        self._actions: list[QAction] = []
        self._session: Session | None = None
        self._tabs: QTabWidget | None = None
        self._menu.menuAction().setVisible(False)

    def build(self, session: Session, tab_tips: Sequence[str]) -> QTabWidget:
        """One tab per spec; their window actions on the toolbar and in the menu (lazy ones: a placeholder)."""
        tabs = QTabWidget()
        tabs.setDocumentMode(True)
        self._session, self._tabs = session, tabs
        for i, (spec, tip) in enumerate(zip(self.specs, tab_tips, strict=True)):
            widget = PendingArea() if spec.lazy and i > 0 else self._make(spec, session)
            index = tabs.addTab(widget, spec.title)
            tabs.setTabToolTip(index, tip)
            self.widgets.append(widget)
        self._menu.menuAction().setVisible(bool(self._actions))
        tabs.currentChanged.connect(self._on_current_changed)
        pairs = zip(self.specs, self.widgets, strict=True)
        if any(isinstance(w, PendingArea) and spec.warm is not None for spec, w in pairs):
            QTimer.singleShot(WARM_DELAY_MS, self._warm)
        return tabs

    @Slot()
    def _warm(self) -> None:
        """Start the warm work of lazy areas not built yet (a moment after start-up)."""
        if self._session is None:
            return
        for spec, widget in zip(self.specs, self.widgets, strict=True):
            if isinstance(widget, PendingArea) and spec.warm is not None and widget.work is None:
                widget.work = spec.warm(self._session)

    def _make(self, spec: AreaSpec, session: Session, pending: PendingArea | None = None) -> QWidget:
        widget = spec.factory(session)
        if not isinstance(widget, Area):
            raise TypeError(f"area {spec.key!r}: {type(widget).__name__} does not implement ui.areas.Area")
        if pending is not None and pending.work is not None:
            work, pending.work = pending.work, None
            if isinstance(widget, AdoptsWarm):
                widget.adopt_warm(work)
            else:
                work.shutdown()
        actions = list(widget.window_actions())
        if actions:
            self._menu.addSection(spec.title)
        for act in actions:
            add_shortcut_tip(act)
            self._toolbar.addAction(act)
            self._menu.addAction(act)
            self._actions.append(act)
        self._menu.menuAction().setVisible(bool(self._actions))
        return widget

    @Slot(int)
    def _on_current_changed(self, index: int) -> None:
        """A lazy area's tab is shown for the first time: build it in place of its placeholder."""
        tabs, session = self._tabs, self._session
        if tabs is None or session is None or not 0 <= index < len(self.widgets):
            return
        pending = self.widgets[index]
        if not isinstance(pending, PendingArea):
            return
        widget = self._make(self.specs[index], session, pending)
        tip = tabs.tabToolTip(index)
        tabs.blockSignals(True)
        try:  # insert before, show it, then drop the placeholder: no other tab is shown meanwhile
            tabs.insertTab(index, widget, self.specs[index].title)
            tabs.setTabToolTip(index, tip)
            tabs.setCurrentIndex(index)
            tabs.removeTab(index + 1)
        finally:
            tabs.blockSignals(False)
        self.widgets[index] = widget
        pending.deleteLater()

    def areas(self) -> list[Area]:
        """The area widgets, as the contract sees them."""
        return [w for w in self.widgets if isinstance(w, Area)]

    def drop(self) -> None:
        """Shut every area down and take its actions off the toolbar and menu."""
        for area in self.areas():
            try:
                area.shutdown()
            except Exception:  # one area failing to stop must not keep the others running
                log.exception("area %s did not shut down cleanly", type(area).__name__)
        for act in self._actions:
            self._toolbar.removeAction(act)
        self._menu.clear()
        self._menu.menuAction().setVisible(False)
        self._actions.clear()
        self.widgets.clear()
        if self._tabs is not None:
            self._tabs.currentChanged.disconnect(self._on_current_changed)
        self._tabs = self._session = None

    def unsaved_changes(self) -> list[str]:
        """Every area's pending work, in tab order."""
        return [line for area in self.areas() for line in area.unsaved_changes()]

    def save_all(self) -> bool:
        """Save each area's pending work; False at the first that could not save (the rest is kept)."""
        for area in self.areas():
            if area.unsaved_changes() and isinstance(area, SavesChanges) and not area.save_changes():
                return False
        return not self.unsaved_changes()

    def discard_all(self) -> None:
        """Drop every area's pending work."""
        for area in self.areas():
            if area.unsaved_changes() and isinstance(area, SavesChanges):
                area.discard_changes()

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, what it does) for every action with a shortcut inside the areas."""
        rows: list[tuple[str, str]] = []
        for spec, widget in zip(self.specs, self.widgets, strict=False):
            area_actions = list(widget.window_actions()) if isinstance(widget, Area) else []
            for act in area_actions + widget.findChildren(QAction):
                keys = shortcut_text(act)
                row = (keys, f"{act.text().replace('&', '')} ({spec.title})")
                if keys and row not in rows:
                    rows.append(row)
        return rows
