"""Starting the window: the Qt application, the session, and demo mode.

``--demo`` makes (once) a demo home under the user data folder by running
``lifeos-desk demo`` as a child process, starts the live writer as another
child (QProcess), and stops it when the window closes. Children, because the
demo writes with Python's sqlite3 and the window reads with QtSql (fact 1).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QProcess
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from . import APP_DISPLAY_NAME, APP_NAME, __version__
from .assets import app_icon_path
from .core.demo import demo_passphrase
from .core.paths import AppDirs, DataPaths, Overrides, resolve_paths
from .core.settings import Settings, State
from .session import Session, open_session
from .signals import Prefs

DEMO_SEED = 1


def self_command(*args: str) -> list[str]:
    """argv that runs this console's CLI again (works frozen or from Python)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "lifeos_desk", *args]


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
        app = QApplication(argv or [APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_NAME)
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
        return demo_passphrase(DEMO_SEED) if home == self.home else None


def run_gui(args: argparse.Namespace, dirs: AppDirs | None = None) -> int:
    """Open the window (on the demo home with --demo) and run until it closes."""
    from .ui.main_window import MainWindow

    dirs = dirs or AppDirs.default()
    app = make_application(sys.argv[:1])
    settings, state = Settings(dirs), State(dirs)
    demo = DemoHome(dirs)
    prefs = Prefs(settings)

    def open_paths(paths: DataPaths) -> Session:
        return open_session(paths, dirs, settings, state, demo_passphrase=demo.passphrase_for(paths.home),
                            prefs=prefs)

    def open_demo() -> None:
        try:
            window.open_paths(demo.start())
        except RuntimeError as exc:
            QMessageBox.critical(window, "Demo home", f"The demo home could not be created:\n{exc}")

    if args.demo:
        try:
            paths = demo.start()
        except RuntimeError as exc:
            QMessageBox.critical(None, "Demo home", f"The demo home could not be created:\n{exc}")
            return 1
    else:
        flags = Overrides(home=args.home, logs=tuple(args.logs or ()), backups=args.backups,
                          read_only=True if args.read_only else None)
        paths = resolve_paths(flags, os.environ, settings.overrides(), Path.cwd())
    window = MainWindow(open_paths(paths), open_paths, on_demo=open_demo)
    window.show()
    try:
        return app.exec()
    finally:
        demo.stop()
