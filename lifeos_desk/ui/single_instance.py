"""One window per data home: a second launch brings the first to the front.

The running console listens on a local socket (QLocalServer: a Unix socket
in the temp folder, a named pipe on Windows) whose name is a hash of the
resolved data home. A new launch first tries to connect to that name:

- it connects and the server answers ``activated``: the running window was
  raised; the new launch exits (no second writer on the same home);
- the socket exists but the OS refuses the connection (permission denied:
  the server listens for its own user only), or the server answers
  ``other-user NAME``: another user has this home open, which the admin is
  told in words;
- nothing answers: this launch becomes the server.

Why the user is not part of the name: two users on one shared data home is
exactly the case the admin must hear about, and a per-user name would never
meet the other user's server. The server is created with
``UserAccessOption``, so only its own user can talk to it.

The protocol is one line each way: ``activate USER\\n`` → ``activated\\n`` or
``other-user NAME\\n``.
"""

from __future__ import annotations

import enum
import getpass
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

log = logging.getLogger("lifeos_desk.single_instance")

CONNECT_TIMEOUT_MS = 1000
REPLY_TIMEOUT_MS = 2000


def current_user() -> str:
    """The login name (falls back to the numeric id when there is none)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry / no login name in a container
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def server_name(home: Path) -> str:
    """The socket name for a data home (same resolved folder → same name)."""
    digest = hashlib.sha256(str(home.expanduser().resolve()).encode("utf-8")).hexdigest()[:24]
    return f"lifeos-desk-{digest}"


class Outcome(enum.Enum):
    """What a launch found when it looked for a running console."""

    NONE = "none"  # nobody has this home open: become the server
    ACTIVATED = "activated"  # our own running console was brought to the front
    OTHER_USER = "other-user"  # another user's console has this home open


@dataclass(frozen=True)
class Contact:
    """The outcome, and who the other user is (if known) and where their socket is."""

    outcome: Outcome
    other_user: str | None = None
    socket_path: str | None = None

    def message(self, home: Path) -> str:
        """What to tell the admin when the outcome is OTHER_USER."""
        who = f"user “{self.other_user}”" if self.other_user else "another user"
        where = f" (socket {self.socket_path})" if self.socket_path else ""
        return (f"LifeOS Desk is already open on {home} by {who}{where}.\n\n"
                "Two consoles on one data home can both unlock editing. Ask them to close it, or open "
                "it here too and keep it read-only. If their console crashed, the stale socket must be "
                "removed by them or an administrator.")


def _socket_owner(path: str) -> str | None:
    """Login name of the socket file's owner (Unix only)."""
    try:
        import pwd

        return pwd.getpwuid(os.stat(path).st_uid).pw_name
    except (ImportError, KeyError, OSError):
        return None


def outcome_for_error(error: QLocalSocket.LocalSocketError) -> Outcome:
    """A failed connection means nobody listens, unless the OS refused us."""
    if error == QLocalSocket.LocalSocketError.SocketAccessError:
        return Outcome.OTHER_USER
    return Outcome.NONE


def parse_reply(reply: bytes) -> Contact:
    """The server's one-line answer."""
    text = reply.decode("utf-8", "replace").strip()
    if text == "activated":
        return Contact(Outcome.ACTIVATED)
    if text.startswith("other-user"):
        return Contact(Outcome.OTHER_USER, other_user=text.partition(" ")[2] or None)
    return Contact(Outcome.NONE)  # not our protocol: treat as absent


def contact_running(home: Path, user: str | None = None, timeout_ms: int = CONNECT_TIMEOUT_MS) -> Contact:
    """Ask a console running on ``home`` to come to the front (blocking, ~ms)."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(home))
    if not socket.waitForConnected(timeout_ms):
        outcome = outcome_for_error(socket.error())
        path = socket.fullServerName() or None
        if outcome is Outcome.OTHER_USER:
            return Contact(outcome, other_user=_socket_owner(path) if path else None, socket_path=path)
        return Contact(outcome)
    socket.write(f"activate {user or current_user()}\n".encode())
    socket.flush()
    reply = b""
    while b"\n" not in reply and socket.waitForReadyRead(REPLY_TIMEOUT_MS):
        reply += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return parse_reply(reply)


def answers(home: Path, timeout_ms: int = 200) -> bool:
    """Whether some console listens on ``home`` (connects, says nothing, hangs up)."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(home))
    connected = socket.waitForConnected(timeout_ms)
    if connected:
        socket.abort()
    return connected or outcome_for_error(socket.error()) is Outcome.OTHER_USER


class InstanceServer(QObject):
    """Listens for later launches on the current data home and asks to be activated.

    Signals:
        activateRequested(): a later launch by the same user wants the window in front.
    """

    activateRequested = Signal()

    def __init__(self, user: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._user = user or current_user()
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)
        self.home: Path | None = None

    @property
    def listening(self) -> bool:
        """Whether later launches can find this console."""
        return self._server.isListening()

    def listen(self, home: Path) -> bool:
        """Listen under ``home``'s name (after a contact found nobody); False if the OS refused."""
        self.close()
        name = server_name(home)
        QLocalServer.removeServer(name)  # a stale socket of ours, left by a crash
        if not self._server.listen(name):
            log.warning("single instance: cannot listen on %s: %s", name, self._server.errorString())
            return False
        self.home = home
        log.info("single instance: listening for %s on %s", home, self._server.fullServerName())
        return True

    def follow(self, home: Path) -> None:
        """The window now shows ``home``: listen under its name, unless another console already does."""
        if self.home is not None and self.home == home:
            return
        self.close()
        if answers(home):
            log.info("single instance: %s is open in another console; not listening for it", home)
            return
        self.listen(home)

    def close(self) -> None:
        """Stop listening."""
        if self._server.isListening():
            self._server.close()
        self.home = None

    @Slot()
    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(self._on_ready_read)
            socket.disconnected.connect(socket.deleteLater)

    @Slot()
    def _on_ready_read(self) -> None:
        socket = self.sender()
        if not isinstance(socket, QLocalSocket) or not socket.canReadLine():
            return
        line = bytes(socket.readLine().data()).decode("utf-8", "replace").strip()
        command, _, user = line.partition(" ")
        if command != "activate":
            socket.disconnectFromServer()
            return
        if user and user != self._user:
            log.info("single instance: user %s asked for this window; told them it is %s's", user, self._user)
            socket.write(f"other-user {self._user}\n".encode())
        else:
            socket.write(b"activated\n")
            self.activateRequested.emit()
        socket.flush()
        socket.disconnectFromServer()


def bring_to_front(window: QWidget) -> None:
    """Un-minimise, show, raise and focus a window (the window manager may still decline focus)."""
    if window.isMinimized():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()
