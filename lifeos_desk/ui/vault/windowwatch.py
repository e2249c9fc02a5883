"""Minimise and close are events of the top-level window, not of the vault tab: watch them.

The vault locks on close, and on minimise when the admin asked for it
(``vault_lock_on_minimize``); ``VaultController`` decides, this only reports.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from .controller import VaultController


class WindowWatch(QObject):
    """An event filter on the area's top-level window that tells the controller about minimise and close."""

    def __init__(self, controller: VaultController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.window: QObject | None = None

    def watch(self, window: QWidget) -> None:
        """Filter this window's events (once per window)."""
        if window is not self.window:
            window.installEventFilter(self)
            self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Tell the controller about minimise and close (it locks as the settings say)."""
        if watched is self.window:
            if event.type() == QEvent.Type.WindowStateChange and isinstance(watched, QWidget) \
                    and watched.isMinimized():
                self.controller.window_minimised()
            elif event.type() == QEvent.Type.Close:
                self.controller.window_closed()
        return False
