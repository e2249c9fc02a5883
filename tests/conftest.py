"""Test-wide setup: offscreen Qt, and every directory and setting in tmp paths."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterator

# Set once, here, before anything imports Qt (Picard's rule).
os.environ["QT_QPA_PLATFORM"] = "offscreen"

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from tests.pg import PgServer


@pytest.fixture(autouse=True)
def collect_between_tests() -> Iterator[None]:
    """Cyclic garbage is collected between tests, never inside a Qt event handler.

    A test's top-level widget is owned by Python; once the test returns it may
    sit in a reference cycle (signals to bound methods) while pytest-qt still
    processes its pending paint events. An automatic collection triggered by
    an allocation inside a ``paintEvent`` then deleted the C++ widget tree
    under the handler being run (a histogram's ``self.rect()`` raised
    "already deleted" and the process segfaulted). Requested before qtbot, this
    teardown runs after qtbot has closed the test's widgets.
    """
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point HOME and every platformdirs/XDG folder at a fresh temp dir.

    No test may read or write the real ~/.lifeos or the real settings.
    """
    root = tmp_path_factory.mktemp("isolated")
    for var, sub in (
        ("HOME", "home"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_RUNTIME_DIR", "runtime"),
    ):
        path = root / sub
        path.mkdir(mode=0o700)
        monkeypatch.setenv(var, str(path))
    for var in ("LIFEOS_HOME", "LIFEOS_LOGS", "JARVIS_PUBLIC_WALLET_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    return root


@pytest.fixture(params=["Asia/Tokyo", "America/Los_Angeles"])
def local_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test with this machine's zone east (UTC+9) and west (UTC-8/-7) of UTC.

    Stored times are UTC whatever the machine's zone (core/times.py); a test
    using this fixture proves it on both sides of Greenwich.
    """
    zone = str(request.param)
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    yield zone
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A real PostgreSQL server for the session (tests/pg.py; skips locally, fails in CI, when missing)."""
    from tests.pg import server_session

    yield from server_session()


@pytest.fixture
def pg_url(pg_server: PgServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database on the test server for one test; dropped afterwards."""
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    url = pg_server.create_database(name)
    yield url
    pg_server.drop_database(name)


@pytest.fixture
def immediate_tasks(qapp: QApplication) -> Iterator[Callable[[], None]]:
    """Run every ``run_task`` work at once on the test's thread; returns ``deliver_pending``.

    The work is done when ``run_task`` returns; calling the returned function
    runs the callbacks (they always wait for the event loop, as in the app).
    """
    from lifeos_desk.ui.tasks import ImmediateExecutor, deliver_pending, set_executor

    previous = set_executor(ImmediateExecutor())
    try:
        yield deliver_pending
    finally:
        set_executor(previous)
