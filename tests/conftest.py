"""Test-wide setup: offscreen Qt, and every directory and setting in tmp paths."""

from __future__ import annotations

import os

# Set once, here, before anything imports Qt (Picard's rule).
os.environ["QT_QPA_PLATFORM"] = "offscreen"

from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


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


@pytest.fixture
def immediate_tasks(qapp: object) -> Iterator[Callable[[], None]]:
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
