"""What long work is running, so closing the window can ask first.

An area that starts long work (a backup, a restore, verify-all, a large
export, filtering a huge log) registers it and unregisters it when it ends::

    registry = app_registry()
    token = registry.begin("Backup of ~/.lifeos", cancel=self.cancel_backup)
    ...                       # when the work finishes, fails or is cancelled:
    registry.end(token)

or, for work done inside one call, ``with registry.running("Export"): ...``.

When the window is closed while something is registered, the main window
asks "<label> is still running — quit anyway?". If the admin says yes, every
``cancel`` callback is called (synchronously, before the window goes): it must
stop the work and leave no half-written file behind (write to a temporary
name and rename at the end, and delete the temporary file on cancel).

The registry belongs to the QApplication (one per process, found with
:func:`app_registry`), not to a module global, so tests that make their own
``BusyRegistry`` stay independent.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

_REGISTRY_NAME = "lifeosDeskBusyRegistry"


@dataclass(frozen=True)
class BusyToken:
    """Handle of one piece of registered work."""

    id: int
    label: str


class BusyRegistry(QObject):
    """The long work running now, in start order.

    Signals:
        changed(): work was begun or ended.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._work: dict[int, tuple[BusyToken, Callable[[], None] | None]] = {}

    def begin(self, label: str, cancel: Callable[[], None] | None = None) -> BusyToken:
        """Register work named ``label`` (shown to the admin); ``cancel`` stops it on quit."""
        token = BusyToken(next(self._ids), label)
        self._work[token.id] = (token, cancel)
        self.changed.emit()
        return token

    def end(self, token: BusyToken) -> None:
        """The work is over (finished, failed or cancelled); ending twice is harmless."""
        if self._work.pop(token.id, None) is not None:
            self.changed.emit()

    def active(self) -> list[str]:
        """Labels of the work still running, oldest first."""
        return [token.label for token, _ in self._work.values()]

    def cancel_all(self) -> None:
        """Call every cancel callback (newest first) and forget all work."""
        for token, cancel in reversed(list(self._work.values())):
            if cancel is not None:
                cancel()
            self._work.pop(token.id, None)
        self.changed.emit()

    @contextmanager
    def running(self, label: str, cancel: Callable[[], None] | None = None) -> Iterator[BusyToken]:
        """``begin`` on entry and ``end`` on exit, even when the block raises."""
        token = self.begin(label, cancel)
        try:
            yield token
        finally:
            self.end(token)


def app_registry(app: QCoreApplication | None = None) -> BusyRegistry:
    """The registry of this QApplication (created on first use)."""
    app = app or QCoreApplication.instance()
    if app is None:
        raise RuntimeError("app_registry() needs a QApplication")
    found = app.findChild(BusyRegistry, _REGISTRY_NAME)
    if isinstance(found, BusyRegistry):
        return found
    registry = BusyRegistry(app)
    registry.setObjectName(_REGISTRY_NAME)
    return registry


def quit_question(labels: list[str]) -> str:
    """The question asked before quitting during ``labels``."""
    if len(labels) == 1:
        return f"{labels[0]} is still running — quit anyway?"
    listed = "".join(f"\n  • {label}" for label in labels)
    return f"{len(labels)} tasks are still running:{listed}\n\nQuit anyway?"


def confirm_quit(parent: QWidget, registry: BusyRegistry) -> bool:
    """True if nothing runs, or the admin agrees to stop it (then it is cancelled)."""
    labels = registry.active()
    if not labels:
        return True
    answer = QMessageBox.question(
        parent, "Work in progress",
        quit_question(labels) + "\n\nQuitting cancels it; no half-written file is left behind.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
    if answer != QMessageBox.StandardButton.Yes:
        return False
    registry.cancel_all()
    return True
