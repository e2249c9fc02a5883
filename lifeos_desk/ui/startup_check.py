"""The users database's quick_check, run right after the window's first paint instead of before it.

Opening the session no longer waits for ``PRAGMA quick_check`` (0.1-0.4 s on
a 1M-trade home; issue 18's start-up target is the window and first table in
1 s). Shortly after the window is first shown the check runs in a worker
thread on a read-only connection of its own (db/quick_check.py); "ok" is a
passing status-bar message, anything else a red status-bar label that stays
(and a diagnostics-log warning), so the admin is still told of corruption.
CLI commands keep checking first and keep their exit codes.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QStatusBar

from ..db.errors import DatabaseError
from ..db.quick_check import quick_check_file
from ..session import Session
from .tasks import Task, run_task

log = logging.getLogger(__name__)
AFTER_SHOW_MS = 250  # long enough for the first paint and the first table's window of rows


class DeferredQuickCheck(QObject):
    """Runs one session's quick_check after the window shows, and shows the answer.

    Signals:
        finished(str): "ok", or the problem (also when the file could not be read).
    """

    finished = Signal(str)

    def __init__(self, bar: QStatusBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bar = bar
        self._session: Session | None = None
        self._task: Task | None = None
        self.label = QLabel()
        self.label.setObjectName("quickCheckLabel")
        self.label.setStyleSheet("color: white; background: #b3261e; padding: 0 6px; font-weight: bold;")
        self.label.hide()
        bar.insertWidget(0, self.label)  # left, never cut short (after the emergency banner, inserted later)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AFTER_SHOW_MS)
        self._timer.timeout.connect(self._start)
        app = QCoreApplication.instance()
        if app is not None:  # never leave the worker inside QtSql while the interpreter exits
            app.aboutToQuit.connect(self.shutdown)

    def follow(self, session: Session) -> None:
        """A new session: check it once the window shows (only when opening it did not already)."""
        self.shutdown()
        self.label.hide()
        info = session.info
        self._session = session if info is not None and info.quick_check == "not run" else None

    def window_shown(self) -> None:
        """The window is on screen: the check starts a moment later (after its first paint)."""
        if self._session is not None and self._task is None and not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _start(self) -> None:
        session = self._session
        if session is None:
            return
        path, timeout = session.paths.db, int(session.settings.get("busy_timeout_ms"))
        self._task = run_task(lambda _task: quick_check_file(path, timeout), self._on_result, self._on_error,
                              receiver=self, name="lifeos-quick-check")

    def _on_result(self, result: str) -> None:
        session, self._session, self._task = self._session, None, None
        if session is None:
            return
        if session.info is not None:
            session.info.quick_check = result
        if result == "ok":
            self._bar.showMessage("Database quick_check: ok", 5000)
        else:
            self._say(f"{session.paths.db.name} is corrupt: quick_check says {result}")
        self.finished.emit(result)

    def _on_error(self, exc: BaseException) -> None:
        session, self._session, self._task = self._session, None, None
        if session is None:
            return
        if not isinstance(exc, DatabaseError):
            log.error("quick_check failed: %s: %s", type(exc).__name__, exc)
        self._say(f"quick_check could not run: {exc}")
        self.finished.emit(str(exc))

    def _say(self, text: str) -> None:
        log.warning("%s", text)
        self.label.setText(text)
        self.label.setToolTip(text + "\nRestore from a backup (Backups) or check it with `lifeos-desk info`.")
        self.label.show()

    @Slot()
    def shutdown(self) -> None:
        """Stop a pending check and wait for a running one (before the database closes)."""
        self._timer.stop()
        if self._task is not None:
            self._task.wait()
            self._task = None
        self._session = None
