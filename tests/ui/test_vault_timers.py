"""The vault's clocks: clipboard clearing, auto-lock after idle, lock on minimise and on close."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import SIGNAL, QEvent, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from lifeos_desk.ui.vault.area import VaultTimings
from lifeos_desk.ui.vault.clipboard import SecretClipboard, secret_markers, secret_mime_data
from lifeos_desk.ui.vault.idle import IdleWatcher

from .vault_env import VaultEnv, open_env


def _copy_first_key(env: VaultEnv) -> str:
    env.unlock()
    env.area.table.selectRow(0)
    env.area.copy_selected()  # decrypts first, then copies
    env.qtbot.waitUntil(lambda: env.area.clipboard.holding, timeout=10_000)
    return env.area.key_panel.key_field.text()


@pytest.mark.parametrize(("platform", "expected"), [
    ("linux", {"x-kde-passwordManagerHint": b"secret"}),
    ("darwin", {"application/x-nspasteboard-concealed-type": b"secret"}),
    ("win32", {"ExcludeClipboardContentFromMonitorProcessing": b"1",
               "CanIncludeInClipboardHistory": b"\0\0\0\0", "CanUploadToCloudClipboard": b"\0\0\0\0"}),
])
def test_copied_data_is_marked_secret_for_clipboard_managers(qapp: QApplication, platform: str,
                                                             expected: dict[str, bytes]) -> None:
    assert secret_markers(platform) == expected
    mime = secret_mime_data("value", platform)
    assert mime.text() == "value"
    for fmt, value in expected.items():
        assert bytes(mime.data(fmt).data()) == value


def test_clipboard_is_cleared_after_its_timeout(request: pytest.FixtureRequest, qtbot: QtBot,
                                                tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path, timings=VaultTimings(60_000, 1500))
    seconds: list[int] = []
    env.area.clipboard.countdown.connect(seconds.append)
    key = _copy_first_key(env)
    clip = QGuiApplication.clipboard()
    assert clip.text() == key and len(key) in (87, 88)
    assert clip.mimeData().hasFormat("x-kde-passwordManagerHint")
    assert "Clipboard clears in" in env.area.key_panel.clipboard_label.text()
    with qtbot.waitSignal(env.area.clipboard.cleared, timeout=5000) as blocker:
        pass
    assert blocker.args == [True] and clip.text() == ""
    assert seconds[0] == 2 and 1 in seconds  # the countdown was shown, counting down
    assert env.area.key_panel.clipboard_label.text() == "Clipboard cleared."
    copy = [e for e in env.audit() if e["event"] == "vault_copy"][0]
    assert copy["clear_after_s"] == 1.5 and key not in str(copy)


def test_clipboard_is_left_alone_when_the_admin_copied_something_else(request: pytest.FixtureRequest,
                                                                      qtbot: QtBot, tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path, timings=VaultTimings(60_000, 400))
    _copy_first_key(env)
    QGuiApplication.clipboard().setText("the admin's own text")
    with qtbot.waitSignal(env.area.clipboard.cleared, timeout=5000) as blocker:
        pass
    assert blocker.args == [False]
    assert QGuiApplication.clipboard().text() == "the admin's own text"
    assert "something else" in env.area.key_panel.clipboard_label.text()


def test_lock_clears_the_clipboard_at_once(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path)  # 20 s timeout: only the lock can clear it in time
    key = _copy_first_key(env)
    assert QGuiApplication.clipboard().text() == key
    env.area.lock("explicit")
    assert QGuiApplication.clipboard().text() == "" and not env.area.clipboard.holding


def test_exit_clears_the_clipboard(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> None:
    app = QApplication.instance()
    assert app is not None
    before = app.receivers(SIGNAL("aboutToQuit()"))
    env = open_env(request, qtbot, tmp_path)
    assert app.receivers(SIGNAL("aboutToQuit()")) == before + 1  # wired to the area's exit slot
    _copy_first_key(env)
    env.area.lock_on_exit()  # what aboutToQuit calls (emitting it here would reach every area of the run)
    assert QGuiApplication.clipboard().text() == "" and not env.area.unlocked
    assert env.audit()[-1]["event"] == "vault_lock" and env.audit()[-1]["reason"] == "exit"


def test_secret_clipboard_on_its_own(qapp: QApplication, qtbot: QtBot) -> None:
    clip = SecretClipboard()
    clip.copy("abc", 10_000)
    assert clip.still_ours() and clip.seconds_left() == 10
    clip.clear_now()
    assert not clip.holding and QGuiApplication.clipboard().text() == ""


def test_vault_locks_after_idle_time(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path, timings=VaultTimings(600, 20_000))
    env.unlock()
    env.area.table.selectRow(0)
    env.area.reveal_selected()
    qtbot.waitUntil(lambda: env.area.key_panel.has_key, timeout=10_000)
    with qtbot.waitSignal(env.area.lockedChanged, timeout=5000) as blocker:
        pass
    assert blocker.args == [True] and not env.area.unlocked and not env.area.key_panel.has_key
    assert env.audit()[-1]["reason"] == "idle"
    assert "inactivity" in env.area.message.text()


def test_idle_time_is_reset_by_user_input(qapp: QApplication, qtbot: QtBot) -> None:
    target = QWidget()
    qtbot.addWidget(target)
    watcher = IdleWatcher(300)
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    watcher.start()
    for _ in range(6):  # 6 x 100 ms of typing: twice the timeout, never idle
        qtbot.wait(100)
        QApplication.sendEvent(target, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier,
                                                 "a"))
    assert not fired
    qtbot.waitUntil(lambda: bool(fired), timeout=3000)
    watcher.stop()


def _in_window(env: VaultEnv, qtbot: QtBot) -> QMainWindow:
    window = QMainWindow()
    window.setCentralWidget(env.area)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_minimise_locks_only_when_enabled(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path)
    window = _in_window(env, qtbot)
    env.unlock()
    window.setWindowState(Qt.WindowState.WindowMinimized)
    assert env.area.unlocked  # the setting is off by default
    window.setWindowState(Qt.WindowState.WindowNoState)
    env.session.settings.set("vault_lock_on_minimize", True)
    window.setWindowState(Qt.WindowState.WindowMinimized)
    qtbot.waitUntil(lambda: not env.area.unlocked, timeout=2000)
    assert env.audit()[-1]["reason"] == "minimised"


def test_closing_the_window_locks(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path)
    window = _in_window(env, qtbot)
    env.unlock()
    window.close()
    assert not env.area.unlocked and env.audit()[-1]["reason"] == "window closed"


def test_deleting_the_area_forgets_and_clears_the_clipboard(request: pytest.FixtureRequest, qtbot: QtBot,
                                                             tmp_path: Path) -> None:
    """Opening another home deletes the area: it must not leave a key on the clipboard."""
    env = open_env(request, qtbot, tmp_path, owned_by_qtbot=False)
    window = _in_window(env, qtbot)
    _copy_first_key(env)
    taken = window.takeCentralWidget()
    assert taken is env.area
    gone: list[bool] = []

    def on_destroyed(*_args: object) -> None:
        gone.append(True)

    taken.destroyed.connect(on_destroyed)
    taken.deleteLater()
    qtbot.waitUntil(lambda: bool(gone), timeout=5000)
    assert QGuiApplication.clipboard().text() == ""
    assert not env.area.controller.unlocked  # forgotten: the passphrase is wiped
    assert env.audit()[-1]["event"] == "vault_lock" and env.audit()[-1]["reason"] == "area closed"


def test_switching_tabs_does_not_lock(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path)
    window = _in_window(env, qtbot)
    env.unlock()
    env.area.hide()
    env.area.show()
    assert env.area.unlocked
    window.close()


def test_idle_lock_follows_the_setting(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path)
    settings = env.session.settings
    assert VaultTimings.from_settings(settings) == VaultTimings(300_000, 20_000)  # the defaults: 5 min, 20 s
    settings.set("vault_idle_lock_s", 0)
    assert VaultTimings.from_settings(settings).idle_lock_ms == 0
    settings.set("vault_idle_lock_s", 1)
    assert VaultTimings.from_settings(settings).idle_lock_ms == 5000  # never shorter than 5 s
    settings.set("clipboard_clear_s", 7)
    assert VaultTimings.from_settings(settings).clipboard_clear_ms == 7000
