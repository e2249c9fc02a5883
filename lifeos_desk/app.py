"""Starting the window: the Qt application, the session, and demo mode.

``--demo`` makes (once) a demo home under the user data folder by running
``lifeos-desk demo`` as a child process, starts the live writer as another
child (QProcess), and stops it when the window closes. Children, because the
demo writes with Python's sqlite3 and the window reads with QtSql (fact 1).

Desktop behaviour set up here (issue 8): the console's diagnostics log
(lifeos_desk.diagnostics), unhandled exceptions shown as one line instead of
lost, the system light/dark scheme (ui.palette), high-DPI rounding, and one
window per data home (ui.single_instance): a second launch on the same home
brings the first window to the front and exits.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import logging
import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QProcess, QSocketNotifier, Qt, Slot
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from . import APP_DISPLAY_NAME, APP_NAME, __version__
from .assets import app_icon_path
from .core.paths import AppDirs, DataPaths
from .core.selfcmd import self_command
from .core.settings import Settings, State
from .diagnostics import ExceptionReporter, install_qt_message_handler, log_startup, setup_logging
from .session import Session, open_session
from .signals import Prefs
from .ui.single_instance import InstanceServer, Outcome, bring_to_front, contact_running

if TYPE_CHECKING:  # the URL parser loads psycopg and core.migrate: only when a URL is given
    from .core.pgurl import PgParams

DEMO_SEED = 1
# Reverse-DNS id: the .desktop file's name, the AppStream id, the macOS bundle
# identifier, and the Wayland app_id (QGuiApplication.desktopFileName).
APP_ID = "io.github.lifeos_desk.LifeOSDesk"

log = logging.getLogger("lifeos_desk.app")


def ensure_demo_home(home: Path) -> None:
    """Create the demo home once, in a child process; raises RuntimeError with its message."""
    if (home / "public_users.db").exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(self_command("demo", str(home), "--seed", str(DEMO_SEED)),
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip() or f"demo generator exited with {proc.returncode}")


class LiveWriter:
    """The demo's live writer child process, stopped with the application."""

    def __init__(self, home: Path, rate: float = 2.0) -> None:
        self.process = QProcess()
        cmd = self_command("demo", str(home), "--live", "--rate", str(rate), "--seed", str(DEMO_SEED))
        self.process.setProgram(cmd[0])
        self.process.setArguments(cmd[1:])
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.ForwardedErrorChannel)
        self.process.setStandardOutputFile(QProcess.nullDevice())

    def start(self) -> None:
        """Start writing."""
        self.process.start()

    def stop(self) -> None:
        """Ask it to stop (SIGTERM), then kill it if it does not."""
        if self.process.state() == QProcess.ProcessState.NotRunning:
            return
        self.process.terminate()
        if not self.process.waitForFinished(5000):
            self.process.kill()
            self.process.waitForFinished(2000)


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the console's name and icon (or the existing one)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        # Qt 6 scales for high DPI by itself; PassThrough keeps fractional
        # factors (125 %, 150 %) instead of rounding them. Only settable
        # before the application exists.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv or [APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(app_icon_path())))
    return app


class DemoHome:
    """The demo data home under the user data folder, and its live writer."""

    def __init__(self, dirs: AppDirs) -> None:
        self.home = dirs.demo_home
        self.writer: LiveWriter | None = None

    def paths(self) -> DataPaths:
        """Paths of the demo home (read-only, like any home at first)."""
        return DataPaths(home=self.home, logs=(self.home / "logs",), backups=self.home / "backups")

    def start(self) -> DataPaths:
        """Create the home if needed and start the live writer; RuntimeError if it cannot."""
        ensure_demo_home(self.home)
        if self.writer is None:
            self.writer = LiveWriter(self.home)
            self.writer.start()
        return self.paths()

    def stop(self) -> None:
        """Stop the live writer."""
        if self.writer is not None:
            self.writer.stop()
            self.writer = None

    def passphrase_for(self, home: Path) -> str | None:
        """The demo passphrase, shown by the vault only on the demo home."""
        if home != self.home:
            return None
        from .core.demo import demo_passphrase  # numpy and the demo generator: not on the start-up path

        return demo_passphrase(DEMO_SEED)


class ErrorBox:
    """Shows an unhandled exception as one line over the window (the reporter's ``show``)."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.parent: QWidget | None = None

    def __call__(self, line: str) -> None:
        """One modal message; the console keeps running afterwards."""
        QMessageBox.critical(self.parent, "Unexpected error",
                             f"{line}\n\nThe console keeps running. The details were written to "
                             f"{self.log_path} (Help ▸ Open diagnostics folder).")


class Claim(enum.Enum):
    """What a launch does after looking for a console already open on its home."""

    OPEN = "open"
    OPEN_READ_ONLY = "open read-only"  # another user has it open; the admin chose to look anyway
    EXIT = "exit"  # our own console there was brought to the front


def claim_home(home: Path, server: InstanceServer) -> Claim:
    """Bring a running console on ``home`` to the front, or become the one later launches find."""
    contact = contact_running(home)
    if contact.outcome is Outcome.ACTIVATED:
        log.info("%s is already open in another window of this user; activated it", home)
        if sys.stderr is not None:
            print(f"lifeos-desk: already open on {home}; brought that window to the front.", file=sys.stderr)
        return Claim.EXIT
    if contact.outcome is Outcome.OTHER_USER:
        log.warning("%s is open by another user (%s)", home, contact.other_user or "unknown")
        answer = QMessageBox.question(None, "Data home open elsewhere",
                                      contact.message(home) + "\n\nOpen it here too, read-only?")
        return Claim.OPEN_READ_ONLY if answer == QMessageBox.StandardButton.Yes else Claim.EXIT
    server.listen(home)
    return Claim.OPEN


def run_gui(paths: DataPaths, demo: bool = False, dirs: AppDirs | None = None,
            settings: Settings | None = None) -> int:
    """Open the window on ``paths`` (on the demo home instead with ``demo``) and run until it closes.

    The caller (cli.main) resolves the paths from its flags, so this module
    never imports the command line (tests/test_import_graph.py).
    """
    dirs = dirs or AppDirs.default()
    settings = settings if settings is not None else Settings(dirs)
    diagnostics = setup_logging(dirs.log)
    install_qt_message_handler()
    app = make_application(sys.argv[:1])
    error_box = ErrorBox(diagnostics.path)
    reporter = ExceptionReporter(error_box)
    reporter.install()
    try:
        return _run_window(app, paths, demo, dirs, settings, error_box)
    finally:
        reporter.uninstall()
        log.info("lifeos-desk stopped")
        diagnostics.close()


def run_pg_gui(params: PgParams, dirs: AppDirs | None = None, paths: DataPaths | None = None) -> int:
    """Open the window on a PostgreSQL database (``--database-url``, ``DATABASE_URL``) until it closes.

    ui/pg/window.py: Tables in a read-only QPSQL session; nothing of the connection goes to settings.
    ``paths``: the data home whose Backups tab backs it up with the database's pg_dump inside.
    """
    from .ui.pg import PgWindow

    dirs = dirs or AppDirs.default()
    diagnostics = setup_logging(dirs.log)
    install_qt_message_handler()
    app = make_application(sys.argv[:1])
    reporter = ExceptionReporter(ErrorBox(diagnostics.path))
    reporter.install()
    try:
        log.info("opening PostgreSQL %s", params.label)
        window = PgWindow(params, paths=paths, settings=Settings(dirs) if paths is not None else None, dirs=dirs)
        QuitOnSignal(window)
        window.show()
        return app.exec()
    finally:
        reporter.uninstall()
        diagnostics.close()


def _run_window(app: QApplication, paths: DataPaths, on_demo: bool, dirs: AppDirs, settings: Settings,
                error_box: ErrorBox) -> int:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    from .ui.main_window import MainWindow
    from .ui.palette import SchemeFollower

    log_startup(__version__, qVersion(), pyside_version)
    SchemeFollower(app)
    state = State(dirs)
    demo = DemoHome(dirs)
    prefs = Prefs(settings)
    server = InstanceServer(parent=app)

    def open_paths(paths: DataPaths) -> Session:
        server.follow(paths.home)
        log.info("opening data home %s (read-only=%s)", paths.home, paths.read_only)
        return open_session(paths, dirs, settings, state, demo_passphrase=demo.passphrase_for(paths.home),
                            prefs=prefs, defer_quick_check=True)  # checked after the first paint

    def open_demo() -> None:
        try:
            window.open_paths(demo.start())
        except RuntimeError as exc:
            QMessageBox.critical(window, "Demo home", f"The demo home could not be created:\n{exc}")

    claim = claim_home(demo.home if on_demo else paths.home, server)
    if claim is Claim.EXIT:
        return 0
    if on_demo:
        try:
            paths = demo.start()
        except RuntimeError as exc:
            QMessageBox.critical(None, "Demo home", f"The demo home could not be created:\n{exc}")
            return 1
    if claim is Claim.OPEN_READ_ONLY:
        paths = dataclasses.replace(paths, read_only=True)
    window = MainWindow(open_paths(paths), open_paths, on_demo=open_demo)
    error_box.parent = window
    raiser = WindowRaiser(window)
    server.activateRequested.connect(raiser.raise_window)
    QuitOnSignal(window)
    window.show()
    log.info("window shown: %s", window.windowTitle())
    try:
        return app.exec()
    finally:
        server.close()
        demo.stop()


class WindowRaiser(QObject):
    """Brings the window to the front when a later launch asks (a named slot, not a lambda)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window

    @Slot()
    def raise_window(self) -> None:
        """Un-minimise, raise and focus the window."""
        log.info("a later launch asked for this window")
        bring_to_front(self._window)


class QuitOnSignal(QObject):
    """Close the window cleanly on SIGTERM/SIGINT (logout, ``kill``, Ctrl+C in the terminal).

    Python runs signal handlers only between bytecodes, which never happen
    while Qt's event loop waits; ``signal.set_wakeup_fd`` writes to a socket a
    QSocketNotifier watches, so the loop wakes up. Long work is cancelled
    (its cancel callbacks leave no half-written file) and the window closes
    without asking, then the demo writer stops as on a normal quit.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._pending: int | None = None
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_wakeup)
        signal.set_wakeup_fd(self._writer.fileno())
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._pending = signum

    @Slot()
    def _on_wakeup(self) -> None:
        with contextlib.suppress(OSError):
            self._reader.recv(64)
        if self._pending is None:
            return
        log.info("signal %s: closing the window", self._pending)
        self._pending = None
        from .ui.busy import app_registry

        app_registry().cancel_all()
        self._window.close()
