"""KeePassXC's locks (issue 17): lock the vault when the screen locks or the session goes idle.

Where the desktop says so, in this order of preference:

* D-Bus (QtDBus): ``org.freedesktop.ScreenSaver`` / ``org.gnome.ScreenSaver``
  ``ActiveChanged(true)`` on the session bus (KDE, GNOME, Xfce's screensaver),
  and logind's ``Lock`` signal on the caller's session (``loginctl
  lock-session``, most lockers) on the system bus;
* ``loginctl show-session $XDG_SESSION_ID -p LockedHint -p IdleHint``, polled
  every few seconds in a QProcess, for desktops that only set logind's hints;
* everywhere: ``QGuiApplication.applicationStateChanged`` — the console in
  the background (Inactive/Hidden) longer than ``vault_lock_away_s`` (0: off),
  or Suspended.

Each is a ``LockSource`` emitting ``lockRequested(reason)``; ``ScreenLockWatch``
runs them only while a store is unlocked and ``vault_lock_on_screen_lock`` is
on, and locks every store through ``VaultController.lock`` (audited with the
reason). Tests inject a fake source with ``set_sources``: no bus needed.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import SLOT, QObject, QProcess, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication

from ...core.settings import Settings
from .controller import VaultController
from .stores import StoresController

POLL_MS = 5000  # loginctl costs ~5 ms of a core: every 5 s is nothing


class LockSource(QObject):
    """Something that can tell the vault to lock. Subclasses emit ``lockRequested`` while started.

    Signals:
        lockRequested(str): lock now; the reason goes to the audit log ("screen locked").
    """

    lockRequested = Signal(str)

    def start(self) -> None:
        """Begin listening (called when a store unlocks)."""

    def stop(self) -> None:
        """Stop listening (every store locked, or the setting turned off)."""


class DBusScreenSaver(LockSource):
    """The ScreenSaver ``ActiveChanged`` signals (session bus) and logind's ``Lock`` (system bus)."""

    _SAVERS = (("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
               ("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"))

    def __init__(self, parent: QObject | None = None, buses: tuple[Any, Any] | None = None) -> None:
        """``buses``: (session, system) QDBusConnections to use instead of the user's (tests: a private bus)."""
        super().__init__(parent)
        self.connected: list[str] = []  # what this desktop answers to (for the tooltip and tests)
        self._listening = False
        self._buses = buses

    @staticmethod
    def available() -> bool:
        """Whether QtDBus reaches a session bus here."""
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            return False
        return QDBusConnection.sessionBus().isConnected()

    def start(self) -> None:
        """Connect to the buses once (the signals arrive on the UI thread's event loop)."""
        if self._listening:
            return
        self._listening = True
        from PySide6.QtDBus import QDBusConnection

        session, system = self._buses or (QDBusConnection.sessionBus(), QDBusConnection.systemBus())
        for path, iface in self._SAVERS:
            # PySide6 wants the SLOT() text here (its stub says bytes, which it refuses at run time).
            if session.isConnected() and session.connect("", path, iface, "ActiveChanged", self,  # type: ignore[call-overload]
                                                         SLOT("_on_active_changed(bool)")):
                self.connected.append(iface)
        if system.isConnected() and system.connect(  # type: ignore[call-overload]
                "org.freedesktop.login1", "/org/freedesktop/login1/session/auto", "org.freedesktop.login1.Session",
                "Lock", self, SLOT("_on_session_lock()")):
            self.connected.append("org.freedesktop.login1.Session")

    def stop(self) -> None:
        """Signals that arrive while nothing is unlocked do nothing (``ScreenLockWatch`` checks)."""

    @Slot(bool)
    def _on_active_changed(self, active: bool) -> None:
        if active:
            self.lockRequested.emit("screen locked")

    @Slot()
    def _on_session_lock(self) -> None:
        self.lockRequested.emit("screen locked")


def parse_hints(output: str) -> str:
    """The lock reason from ``loginctl show-session -p LockedHint -p IdleHint`` output ("" when neither)."""
    hints = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    if hints.get("LockedHint", "").strip() == "yes":
        return "screen locked"
    if hints.get("IdleHint", "").strip() == "yes":
        return "session idle"
    return ""


class LoginctlPoller(LockSource):
    """Polls logind's LockedHint and IdleHint for this session in a QProcess (never blocks the window)."""

    def __init__(self, session_id: str, program: str = "loginctl", interval_ms: int = POLL_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session_id = session_id
        self.program = program
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)
        self._process = QProcess(self)
        self._process.finished.connect(self._on_finished)

    @staticmethod
    def for_this_session() -> LoginctlPoller | None:
        """A poller when logind knows this session (``XDG_SESSION_ID`` set, ``loginctl`` on PATH)."""
        session = os.environ.get("XDG_SESSION_ID", "")
        program = shutil.which("loginctl")
        return LoginctlPoller(session, program) if session and program else None

    def start(self) -> None:
        """Poll from now on."""
        self._timer.start()

    def stop(self) -> None:
        """No more polls (one running finishes and is ignored)."""
        self._timer.stop()

    @Slot()
    def poll(self) -> None:
        """Ask logind once, unless the last answer is still pending."""
        if self._process.state() == QProcess.ProcessState.NotRunning:
            self._process.start(self.program, ["show-session", self.session_id, "-p", "LockedHint",
                                               "-p", "IdleHint"])

    @Slot(int, QProcess.ExitStatus)
    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        output = bytes(self._process.readAllStandardOutput().data()).decode("utf-8", "replace")
        reason = parse_hints(output) if code == 0 and self._timer.isActive() else ""
        if reason:
            self.lockRequested.emit(reason)


class AppStateSource(LockSource):
    """The portable fallback: the console in the background longer than ``away_ms`` (0: off), or suspended."""

    def __init__(self, away_ms: Callable[[], int], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._away_ms = away_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_away)
        self._running = False
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self.state_changed)

    def start(self) -> None:
        """React to state changes from now on."""
        self._running = True

    def stop(self) -> None:
        """Ignore state changes."""
        self._running = False
        self._timer.stop()

    @Slot(Qt.ApplicationState)
    def state_changed(self, state: Qt.ApplicationState) -> None:
        """Active stops the countdown; Inactive/Hidden start it; Suspended locks at once."""
        if not self._running or state == Qt.ApplicationState.ApplicationActive:
            self._timer.stop()
            return
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.lockRequested.emit("application suspended")
            return
        away = self._away_ms()
        if away > 0 and not self._timer.isActive():
            self._timer.start(away)

    @Slot()
    def _on_away(self) -> None:
        if self._running:
            self.lockRequested.emit("in the background")


def desktop_sources(settings: Settings, parent: QObject) -> list[LockSource]:
    """What this desktop can report: D-Bus and logind on Linux, the application state everywhere."""
    out: list[LockSource] = []
    if sys.platform.startswith("linux"):
        if DBusScreenSaver.available():
            out.append(DBusScreenSaver(parent))
        poller = LoginctlPoller.for_this_session()
        if poller is not None:
            poller.setParent(parent)
            out.append(poller)
    out.append(AppStateSource(lambda: max(0, int(settings.get("vault_lock_away_s"))) * 1000, parent))
    return out


class ScreenLockWatch(QObject):
    """Runs the lock sources while a store is unlocked; a source's request locks every store."""

    def __init__(self, vault: VaultController, stores: StoresController, settings: Settings,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.vault, self.stores, self.settings = vault, stores, settings
        self._sources: list[LockSource] | None = None  # made on first unlock (tests inject theirs first)
        self._running = False
        vault.lockedChanged.connect(self.update)
        stores.storesChanged.connect(self.update)

    @property
    def sources(self) -> list[LockSource]:
        """The sources in use (the desktop's, made now if none was given)."""
        if self._sources is None:
            self.set_sources(desktop_sources(self.settings, self))
        assert self._sources is not None
        return self._sources

    def set_sources(self, sources: Sequence[LockSource]) -> None:
        """Use these sources instead (tests: a fake one)."""
        for source in self._sources or []:
            source.stop()
        self._sources = list(sources)
        for source in self._sources:
            source.lockRequested.connect(self.lock_requested)
        self._running = False
        self.update()

    @property
    def enabled(self) -> bool:
        """Whether the admin wants these locks (vault_lock_on_screen_lock)."""
        return bool(self.settings.get("vault_lock_on_screen_lock"))

    def _anything_unlocked(self) -> bool:
        return self.vault.unlocked or bool(self.stores.unlocked_names())

    @Slot()
    def update(self) -> None:
        """Start the sources when something unlocks (and the setting is on); stop them when all is locked."""
        want = self.enabled and self._anything_unlocked()
        if want == self._running:
            return
        self._running = want
        for source in self.sources:
            if want:
                source.start()
            else:
                source.stop()

    @Slot(str)
    def lock_requested(self, reason: str) -> None:
        """A source says lock: lock every store (the setting is read again: it may have changed)."""
        if not self.enabled or not self._anything_unlocked():
            return
        self.vault.lock(reason)
        self.vault.message.emit(f"Locked: {reason}.", False)
