"""Issue 17: File ▸ Preferences is generated from the declared options; a change persists and takes effect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtWidgets import QCheckBox, QSpinBox
from pytestqt.qtbot import QtBot

from lifeos_desk.core.settings import OPTIONS, Settings, preference_options
from lifeos_desk.ui.main_window import MainWindow
from lifeos_desk.ui.preferences import PreferencesDialog
from lifeos_desk.ui.vault.timings import VaultTimings

from .conftest import WindowHome


def test_dialog_rows_come_from_the_declared_options(qtbot: QtBot, make_window: Callable[..., MainWindow]) -> None:
    w = make_window()
    dialog = PreferencesDialog(w.session.settings, w.session.prefs, w)
    qtbot.addWidget(dialog)
    shown = list(dialog.editors)
    assert shown == [o.name for o in preference_options()]
    for name in ("busy_timeout_ms", "clipboard_clear_s", "vault_idle_lock_s", "backup_keep", "time_utc",
                 "state_poll_ms", "home_poll_ms", "metrics_poll_ms"):
        assert name in shown, name
    by_name = {o.name: o for o in OPTIONS}
    for name, editor in dialog.editors.items():
        opt = by_name[name]
        assert opt.description in editor.toolTip()
        assert isinstance(editor, QCheckBox if opt.type is bool else QSpinBox), name
        if isinstance(editor, QSpinBox):
            assert (editor.minimum(), editor.maximum()) == (opt.minimum, opt.maximum)
    for banned in ("home", "logs", "backups", "bot_dir"):  # set with File ▸ Open data home
        assert banned not in shown
    assert not any(w_ in n for n in shown for w_ in ("pass", "secret", "token"))


def test_preferences_is_in_the_file_menu_with_ctrl_comma(make_window: Callable[..., MainWindow]) -> None:
    w = make_window()
    from PySide6.QtWidgets import QMenu

    file_menu = w.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu) and w.preferences_action in file_menu.actions()
    assert w.preferences_action.shortcut().toString() == "Ctrl+,"


def test_a_change_persists_and_takes_effect(qtbot: QtBot, make_window: Callable[..., MainWindow],
                                            window_home: WindowHome) -> None:
    w, dirs = make_window(), window_home.dirs
    dialog = PreferencesDialog(w.session.settings, w.session.prefs, w)
    qtbot.addWidget(dialog)
    clip = dialog.editors["clipboard_clear_s"]
    utc = dialog.editors["time_utc"]
    assert isinstance(clip, QSpinBox) and isinstance(utc, QCheckBox)
    clip.setValue(7)
    utc.setChecked(True)
    assert dialog.changes() == {"clipboard_clear_s": 7, "time_utc": True}
    with qtbot.waitSignal(w.session.prefs.utcChanged) as changed:
        dialog.accept()
    assert changed.args == [True]
    # Takes effect: every area's time display follows, the View menu shows it, the vault copies for 7 s.
    assert w.session.prefs.utc and w.utc_action.isChecked()
    moment = datetime(2026, 12, 1, 8, 40, 30, tzinfo=UTC)
    assert w._stop_time(moment) == "2026-12-01 08:40:30 UTC"  # the emergency banner's times
    assert VaultTimings.from_settings(w.session.settings).clipboard_clear_ms == 7000
    # Persists: a fresh Settings on the same folder reads it back.
    again = Settings(dirs)
    assert again.get("clipboard_clear_s") == 7 and again.get("time_utc") is True


def test_cancel_and_defaults(qtbot: QtBot, make_window: Callable[..., MainWindow],
                             window_home: WindowHome) -> None:
    w, dirs = make_window(), window_home.dirs
    w.session.settings.set("backup_keep", 5)
    dialog = PreferencesDialog(w.session.settings, w.session.prefs, w)
    qtbot.addWidget(dialog)
    keep = dialog.editors["backup_keep"]
    assert isinstance(keep, QSpinBox) and keep.value() == 5
    dialog.restore_defaults()
    assert keep.value() == 20
    dialog.reject()
    assert Settings(dirs).get("backup_keep") == 5
