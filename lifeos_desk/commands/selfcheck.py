"""``lifeos-desk selfcheck``: prove this install (or frozen bundle) can do its job.

A bundle can start and print ``--version`` yet lack a Qt plugin it only
loads later (the platform plugin, the QSQLITE driver, the SVG icon engine),
or be unable to start its own child processes (the demo writer, multiprocess
work). This command exercises each of those once, on the display the window
would use (``window_platform``: QT_QPA_PLATFORM, else xcb under DISPLAY,
wayland under WAYLAND_DISPLAY, offscreen with neither), and prints one line
per check; it exits 1 if any check failed. The CI bundle
check (packaging/ci_bundle_check.sh) runs it from the bundle.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..core.paths import DataPaths
from . import CommandError

if TYPE_CHECKING:  # Qt is imported inside each check, so a missing piece fails that check only
    from PySide6.QtSql import QSqlDatabase

NAME = "selfcheck"
HELP = ("check that this install can open a window (on the display it would use), load the SQLite driver "
        "and start child processes")

Check = tuple[str, Callable[[], str]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--platform to try another display than the window would use."""
    parser.add_argument("--platform", default=None,
                        help="Qt platform plugin to use (default: the window's — QT_QPA_PLATFORM, else xcb when "
                             "DISPLAY is set, wayland when WAYLAND_DISPLAY is, offscreen otherwise)")
    parser.add_argument("--no-children", action="store_true", help="skip the child-process checks")


def window_platform(env: Mapping[str, str]) -> tuple[str, str]:
    """(platform plugin, why) the window would start on under this environment.

    The console's window takes Qt's own choice: QT_QPA_PLATFORM when set,
    else the display the session has. Checking offscreen while DISPLAY is set
    proved nothing about the display the admin will see (issue 17).
    On Windows and macOS Qt has one native plugin and needs no variable.
    """
    if env.get("QT_QPA_PLATFORM"):
        return env["QT_QPA_PLATFORM"], "QT_QPA_PLATFORM"
    wayland = bool(env.get("WAYLAND_DISPLAY"))
    if wayland and (not env.get("DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland"):
        return "wayland", "WAYLAND_DISPLAY"  # Qt 6 prefers Wayland in a Wayland session
    if env.get("DISPLAY"):
        return "xcb", "DISPLAY"
    if sys.platform == "win32":
        return "windows", "the platform"
    if sys.platform == "darwin":
        return "cocoa", "the platform"
    return "offscreen", "no DISPLAY or WAYLAND_DISPLAY"


def _ensure_application(platform: str) -> object:
    """The running QApplication, or a new one on ``platform`` (keep the reference alive)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        os.environ["QT_QPA_PLATFORM"] = platform
        app = QApplication(["lifeos-desk"])
    return app


def _check_window() -> str:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    window = QMainWindow()
    window.setCentralWidget(QLabel("lifeos-desk selfcheck"))
    window.resize(640, 400)
    window.show()
    QApplication.processEvents()
    image = window.grab()
    shown = window.isVisible() and not image.isNull()
    window.close()
    if not shown:
        raise RuntimeError("the window could not be shown and drawn")
    return f"QMainWindow shown on platform '{QApplication.platformName()}' ({image.width()}x{image.height()})"


def _check_icon() -> str:
    from PySide6.QtGui import QIcon

    from ..assets import app_icon_path

    pixmap = QIcon(str(app_icon_path())).pixmap(64, 64)
    if pixmap.isNull():
        raise RuntimeError(f"{app_icon_path()} did not render (SVG icon plugin missing?)")
    return f"SVG application icon renders ({app_icon_path().name})"


def _check_sqlite() -> str:
    from PySide6.QtSql import QSqlDatabase

    from ..db.connection import on_short_connection

    if not QSqlDatabase.isDriverAvailable("QSQLITE"):
        raise RuntimeError(f"QSQLITE driver not found (available: {QSqlDatabase.drivers()})")
    total, version = on_short_connection(_sum_in_memory)
    if total != 42:
        raise RuntimeError(f"SELECT sum(x) gave {total!r}, not 42")
    return f"QSQLITE driver loaded; in-memory database works (SQLite {version})"


def _sum_in_memory(db: QSqlDatabase) -> tuple[Any, ...]:
    """Write and read a table through db/connection's query helpers (the console's one path to SQLite)."""
    from ..db.connection import run_exec, run_rows

    run_exec(db, "CREATE TABLE t (x INTEGER)")
    run_exec(db, "INSERT INTO t VALUES (41), (1)")
    return run_rows(db, "SELECT sum(x), sqlite_version() FROM t")[0]


def _check_postgresql() -> str:
    """QPSQL and the system's libpq; missing is a warning (SQLite homes do not need it), said clearly."""
    from ..db.pg import driver_problem

    problem = driver_problem()
    if problem is not None:
        raise Unavailable(f"{problem}: --database-url cannot open a PostgreSQL database (SQLite is unaffected)")
    return "QPSQL driver loads with the system's libpq: --database-url can open PostgreSQL"


class Unavailable(Exception):
    """An optional piece is missing: reported as ``warn``, not counted as a failure."""


def _check_charts() -> str:
    import numpy as np
    import pyqtgraph as pg

    plot = pg.PlotWidget()
    plot.plot(np.arange(100.0), np.sin(np.arange(100.0) / 10))
    plot.resize(320, 200)
    plot.show()
    drawn = not plot.grab().isNull()
    plot.close()
    if not drawn:
        raise RuntimeError("the plot could not be drawn")
    return f"pyqtgraph {pg.__version__} plots with numpy {np.__version__}"


def _check_child() -> str:
    from .. import __version__
    from ..core.selfcmd import self_command

    proc = subprocess.run(self_command("--version"), capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0 or __version__ not in proc.stdout:
        raise RuntimeError(f"'{' '.join(self_command('--version'))}' gave {proc.returncode}: "
                           f"{(proc.stdout + proc.stderr).strip()[:200]}")
    return f"child process runs this console again ({proc.stdout.strip()})"


def _spawned_child() -> None:
    """Runs in the spawned process: importing the package is the test."""
    import lifeos_desk  # noqa: F401


def _check_multiprocessing() -> str:
    ctx = multiprocessing.get_context("spawn")
    started = time.monotonic()
    process = ctx.Process(target=_spawned_child)
    process.start()
    process.join(120)
    if process.exitcode != 0:
        raise RuntimeError(f"spawned process exited with {process.exitcode}")
    return f"multiprocessing 'spawn' child ran ({time.monotonic() - started:.1f} s)"


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Run every check, print one line each, fail if any failed."""
    platform, why = (args.platform, "--platform") if args.platform else window_platform(os.environ)
    print(f"platform {platform} (from {why})", flush=True)
    app = _ensure_application(platform)  # noqa: F841 - must outlive the checks
    checks: list[Check] = [("window", _check_window), ("icon", _check_icon), ("sqlite", _check_sqlite),
                           ("postgresql", _check_postgresql), ("charts", _check_charts)]
    if not args.no_children:
        checks += [("child", _check_child), ("multiprocessing", _check_multiprocessing)]
    failed, warned = [], []
    for name, check in checks:
        try:
            print(f"ok    {name:<16} {check()}", flush=True)
        except Unavailable as exc:
            warned.append(name)
            print(f"warn  {name:<16} {exc}", flush=True)
        except Exception as exc:  # every failure is reported, none is fatal to the rest
            failed.append(name)
            print(f"FAIL  {name:<16} {type(exc).__name__}: {exc}", flush=True)
    if failed:
        raise CommandError(f"{len(failed)} of {len(checks)} checks failed: {', '.join(failed)}", 1)
    print(f"all {len(checks)} checks passed" + (f" ({', '.join(warned)}: see the warning)" if warned else ""))
    return 0
