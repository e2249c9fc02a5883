"""Desktop behaviour wired in app.py: colour scheme, a running console found, SIGTERM, selfcheck."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QMainWindow
from pytestqt.qtbot import QtBot

from lifeos_desk.app import Claim, QuitOnSignal, claim_home
from lifeos_desk.cli import main as cli_main
from lifeos_desk.ui.busy import app_registry
from lifeos_desk.ui.palette import ENV_SCHEME, SchemeFollower, dark_palette, requested_scheme
from lifeos_desk.ui.single_instance import InstanceServer

SERVER = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QTimer
from lifeos_desk.ui.single_instance import InstanceServer
app = QCoreApplication([])
server = InstanceServer()
assert server.listen(Path(sys.argv[1]))
server.activateRequested.connect(app.quit)
QTimer.singleShot(30_000, app.quit)
print("ready", flush=True)
app.exec()
server.close()  # removes the socket file
print("activated", flush=True)
"""


@pytest.fixture
def restore_look(qapp: QApplication) -> Iterator[None]:
    """The application's style and palette are global: put them back."""
    style, palette = qapp.style().name(), qapp.palette()
    yield
    qapp.setStyle(style)
    qapp.setPalette(palette)


def test_dark_scheme_gives_fusion_and_a_dark_palette(qapp: QApplication, restore_look: None,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_SCHEME, "dark")
    light_window = qapp.palette().color(QPalette.ColorRole.Window)
    follower = SchemeFollower(qapp)
    assert follower.dark_applied
    assert qapp.style().name().lower() == "fusion"
    window = qapp.palette().color(QPalette.ColorRole.Window)
    text = qapp.palette().color(QPalette.ColorRole.WindowText)
    assert window.lightness() < 80 < text.lightness()
    follower.apply(Qt.ColorScheme.Light)
    assert not follower.dark_applied
    assert qapp.palette().color(QPalette.ColorRole.Window) == light_window
    follower.deleteLater()


def test_scheme_override_and_system_value(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_SCHEME, "light")
    assert requested_scheme(qapp) == Qt.ColorScheme.Light
    monkeypatch.delenv(ENV_SCHEME)
    assert requested_scheme(qapp) == qapp.styleHints().colorScheme()


def test_dark_palette_keeps_disabled_text_readable() -> None:
    p = dark_palette()
    disabled = p.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    base = p.color(QPalette.ColorRole.Base)
    assert disabled.lightness() - base.lightness() > 60


def test_claim_home_hands_over_to_a_running_console(qtbot: QtBot, tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        ours = InstanceServer()
        assert claim_home(tmp_path, ours) is Claim.EXIT
        assert not ours.listening
        assert proc.stdout.readline().strip() == "activated"
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture
def signal_state() -> Iterator[None]:
    """QuitOnSignal installs process-wide handlers: restore them."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    yield
    signal.set_wakeup_fd(-1)
    for s, h in handlers.items():
        signal.signal(s, h)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_cancels_work_and_closes_the_window(qtbot: QtBot, signal_state: None) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    QuitOnSignal(window)
    cancelled: list[bool] = []
    app_registry().begin("Backup", cancel=lambda: cancelled.append(True))
    os.kill(os.getpid(), signal.SIGTERM)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert cancelled == [True] and app_registry().active() == []


def test_selfcheck_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["selfcheck", "--no-children"]) == 0
    out = capsys.readouterr().out
    for check in ("window", "icon", "sqlite", "postgresql", "charts"):
        assert f"ok    {check}" in out
    assert "all 5 checks passed" in out


def test_selfcheck_with_child_processes(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-m", "lifeos_desk", "selfcheck"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok    child" in proc.stdout and "ok    multiprocessing" in proc.stdout
