"""KeePassXC's locks (issue 17): a screen lock, an idle session or a long time away locks every store.

The mechanism is driven by a fake ``LockSource`` injected into the area; the
real sources are checked on their own: logind's hints through a stand-in
``loginctl`` script, the application state by calling its slot, and the
ScreenSaver signal on a private ``dbus-daemon`` when one is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from lifeos_desk.ui.vault.screenlock import AppStateSource, DBusScreenSaver, LockSource, LoginctlPoller, parse_hints

from .test_vault_stores import KEYPAIR_PASS, StoresEnv, _audit
from .test_vault_stores import env as env  # the fixture, shared


class FakeSource(LockSource):
    """Counts start/stop; the test emits lockRequested itself."""

    def __init__(self) -> None:
        super().__init__()
        self.running = False

    def start(self) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False


def test_a_screen_lock_locks_every_store(env: StoresEnv) -> None:
    area, fake = env.area, FakeSource()
    area.screen_lock.set_sources([fake])
    assert not fake.running  # nothing unlocked: nothing to listen for
    env.submit(env.passphrase)
    env.submit(KEYPAIR_PASS, target="keypair")
    assert fake.running and area.unlocked and area.stores.unlocked_names() == ["treasury", "keypair"]
    fake.lockRequested.emit("screen locked")
    assert not area.unlocked and area.stores.unlocked_names() == []
    assert not fake.running
    assert "Locked: screen locked." in area.message.text()
    reasons = [e.get("reason") for e in _audit(env) if e["event"] == "vault_lock"]
    assert reasons[-2:] == ["screen locked", "screen locked"]  # the stores' entry, the public one's


def test_the_setting_turns_it_off(env: StoresEnv) -> None:
    area, fake = env.area, FakeSource()
    area.screen_lock.set_sources([fake])
    env.session.settings.set("vault_lock_on_screen_lock", False)
    env.submit(env.passphrase)
    assert not fake.running
    fake.lockRequested.emit("screen locked")  # a source that fires anyway is ignored
    assert area.unlocked and area.stores.is_unlocked("treasury")


def test_logind_hints_are_parsed() -> None:
    assert parse_hints("LockedHint=yes\nIdleHint=no\n") == "screen locked"
    assert parse_hints("LockedHint=no\nIdleHint=yes\n") == "session idle"
    assert parse_hints("LockedHint=no\nIdleHint=no\n") == ""
    assert parse_hints("Failed to get session: No session\n") == ""


def test_the_loginctl_poller_reports_a_locked_session(qtbot: QtBot, tmp_path: Path) -> None:
    script = tmp_path / "loginctl"
    script.write_text('#!/bin/sh\n[ "$1 $2" = "show-session 7" ] || exit 1\nprintf "LockedHint=yes\\nIdleHint=no\\n"\n')
    script.chmod(0o755)
    poller = LoginctlPoller("7", str(script), interval_ms=20)
    poller.start()
    with qtbot.waitSignal(poller.lockRequested, timeout=5000) as blocker:
        pass
    poller.stop()
    assert blocker.args == ["screen locked"]


def test_the_application_state_fallback(qtbot: QtBot) -> None:
    away = [0]
    source = AppStateSource(lambda: away[0])
    source.start()
    with qtbot.assertNotEmitted(source.lockRequested, wait=50):
        source.state_changed(Qt.ApplicationState.ApplicationInactive)  # 0: the away lock is off
    away[0] = 30
    with qtbot.assertNotEmitted(source.lockRequested, wait=80):
        source.state_changed(Qt.ApplicationState.ApplicationInactive)
        source.state_changed(Qt.ApplicationState.ApplicationActive)  # back before the time ran out
    with qtbot.waitSignal(source.lockRequested, timeout=2000) as blocker:
        source.state_changed(Qt.ApplicationState.ApplicationHidden)
    assert blocker.args == ["in the background"]
    with qtbot.waitSignal(source.lockRequested, timeout=100) as blocker:
        source.state_changed(Qt.ApplicationState.ApplicationSuspended)
    assert blocker.args == ["application suspended"]
    source.stop()
    with qtbot.assertNotEmitted(source.lockRequested, wait=50):
        source.state_changed(Qt.ApplicationState.ApplicationSuspended)


@pytest.mark.skipif(shutil.which("dbus-daemon") is None, reason="needs dbus-daemon for a private bus")
def test_the_screensaver_signal_on_a_private_bus(qtbot: QtBot, tmp_path: Path) -> None:
    from PySide6.QtDBus import QDBusConnection, QDBusMessage

    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()
        listen = QDBusConnection.connectToBus(address, "h23-listen")
        send = QDBusConnection.connectToBus(address, "h23-send")
        source = DBusScreenSaver(buses=(listen, QDBusConnection("h23-no-system-bus")))
        source.start()
        assert source.connected == ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"]
        message = QDBusMessage.createSignal("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver",
                                            "ActiveChanged")
        message.setArguments([True])
        resend = QTimer()  # the bus applies the match rule asynchronously: send until it is heard
        resend.setInterval(100)
        resend.timeout.connect(partial(send.send, message))
        with qtbot.waitSignal(source.lockRequested, timeout=5000) as blocker:
            resend.start()
        resend.stop()
        assert blocker.args == ["screen locked"]
    finally:
        QDBusConnection.disconnectFromBus("h23-listen")
        QDBusConnection.disconnectFromBus("h23-send")
        daemon.terminate()
        daemon.wait(5)
        if daemon.stdout is not None:
            daemon.stdout.close()
