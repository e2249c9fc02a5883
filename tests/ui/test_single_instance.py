"""One window per data home: a later launch (a real second process) activates the first."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from lifeos_desk.app import Claim, claim_home
from lifeos_desk.ui.single_instance import (
    Contact,
    InstanceServer,
    Outcome,
    bring_to_front,
    contact_running,
    outcome_for_error,
    parse_reply,
    server_name,
)

CLIENT = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from lifeos_desk.ui.single_instance import contact_running
app = QCoreApplication([])
user = sys.argv[2] if len(sys.argv) > 2 else None
contact = contact_running(Path(sys.argv[1]), user=user)
print(contact.outcome.value, contact.other_user or "")
"""


def _launch(home: Path, user: str | None = None) -> subprocess.Popen[str]:
    """A second launch's client side, in its own process (as it is for real)."""
    args = [sys.executable, "-c", CLIENT, str(home)] + ([user] if user else [])
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(qtbot: QtBot, proc: subprocess.Popen[str]) -> str:
    """Keep our event loop running (the server answers from it) until the client exits."""
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30_000)
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    return out.strip()


@pytest.fixture
def server(qtbot: QtBot) -> Iterator[InstanceServer]:
    instance = InstanceServer(user="alice")
    yield instance
    instance.close()


def test_second_launch_on_same_home_activates_the_first(qtbot: QtBot, server: InstanceServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert server.listen(home)
    with qtbot.waitSignal(server.activateRequested, timeout=30_000):
        proc = _launch(home, user="alice")
    assert _finish(qtbot, proc) == "activated"


def test_same_home_by_another_path_spelling_activates(qtbot: QtBot, server: InstanceServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "link").symlink_to(home)
    assert server.listen(home)
    with qtbot.waitSignal(server.activateRequested, timeout=30_000):
        proc = _launch(tmp_path / "link" / ".", user="alice")
    assert _finish(qtbot, proc) == "activated"


def test_a_different_home_does_not_activate(qtbot: QtBot, server: InstanceServer, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert server.listen(tmp_path / "a")
    activated: list[bool] = []
    server.activateRequested.connect(lambda: activated.append(True))
    assert _finish(qtbot, _launch(tmp_path / "b", user="alice")) == "none"
    assert activated == []


def test_another_users_console_is_reported_not_activated(qtbot: QtBot, server: InstanceServer, tmp_path: Path) -> None:
    assert server.listen(tmp_path)
    activated: list[bool] = []
    server.activateRequested.connect(lambda: activated.append(True))
    assert _finish(qtbot, _launch(tmp_path, user="bob")) == "other-user alice"
    assert activated == []


def test_nobody_listening(tmp_path: Path) -> None:
    assert contact_running(tmp_path / "nothing-here", timeout_ms=200) == Contact(Outcome.NONE)


def test_permission_denied_means_another_user() -> None:
    """The OS refusing the socket (it belongs to another user) is reported as such, not ignored."""
    assert outcome_for_error(QLocalSocket.LocalSocketError.SocketAccessError) is Outcome.OTHER_USER
    assert outcome_for_error(QLocalSocket.LocalSocketError.ServerNotFoundError) is Outcome.NONE
    assert outcome_for_error(QLocalSocket.LocalSocketError.ConnectionRefusedError) is Outcome.NONE
    message = Contact(Outcome.OTHER_USER, other_user="carol", socket_path="/tmp/x").message(Path("/srv/lifeos"))
    assert "/srv/lifeos" in message and "carol" in message and "read-only" in message


@pytest.mark.parametrize(("reply", "outcome", "user"), [
    (b"activated\n", Outcome.ACTIVATED, None),
    (b"other-user dave\n", Outcome.OTHER_USER, "dave"),
    (b"", Outcome.NONE, None),
    (b"HTTP/1.1 400\n", Outcome.NONE, None),
])
def test_parse_reply(reply: bytes, outcome: Outcome, user: str | None) -> None:
    assert parse_reply(reply) == Contact(outcome, other_user=user)


def test_server_name_is_per_home(tmp_path: Path) -> None:
    assert server_name(tmp_path) == server_name(tmp_path / "x" / "..")
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert len(server_name(tmp_path)) < 60  # Unix socket paths are short (108 bytes)


@pytest.mark.skipif(sys.platform == "win32", reason="Unix socket files")
def test_stale_socket_left_by_a_crash_is_replaced(server: InstanceServer, tmp_path: Path) -> None:
    path = os.path.join(QDir.tempPath(), server_name(tmp_path))
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)  # a socket file nobody listens on, as a killed console leaves it
    stale.close()
    try:
        assert contact_running(tmp_path, timeout_ms=200).outcome is Outcome.NONE
        assert server.listen(tmp_path)
    finally:
        server.close()
        QLocalServer.removeServer(server_name(tmp_path))


def test_follow_moves_to_the_new_home(server: InstanceServer, tmp_path: Path) -> None:
    server.listen(tmp_path / "a")
    server.follow(tmp_path / "b")
    assert server.home == tmp_path / "b" and server.listening


def test_follow_leaves_a_home_another_console_has(server: InstanceServer, tmp_path: Path) -> None:
    other = InstanceServer(user="alice")
    try:
        assert other.listen(tmp_path / "b")
        server.listen(tmp_path / "a")
        server.follow(tmp_path / "b")
        assert server.home is None and not server.listening
    finally:
        other.close()


def test_claim_home_listens_when_nobody_has_it(server: InstanceServer, tmp_path: Path) -> None:
    assert claim_home(tmp_path, server) is Claim.OPEN
    assert server.listening and server.home == tmp_path


def test_bring_to_front_restores_a_minimised_window(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.showMinimized()
    bring_to_front(window)
    assert window.isVisible() and not window.isMinimized()
