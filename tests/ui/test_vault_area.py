"""The vault area: the list, unlocking, reveal, verify-all, rotation and import through the UI."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from lifeos_desk.core.base58 import b58encode
from lifeos_desk.core.keys import BOT_ITERATIONS
from lifeos_desk.core.secrets import Secret
from lifeos_desk.core.vault import VerifyResult, VerifyStatus, address_of, parse_import_key, verify_all
from lifeos_desk.db.wallets import load_wallets
from lifeos_desk.ui.vault.dialogs import ImportDialog, RotateDialog
from lifeos_desk.ui.vault.keypanel import MASKED_HINT, SHOWN_HINT
from lifeos_desk.ui.vault.model import Column, StatusRole, WalletTableModel
from lifeos_desk.ui.vault.unlock import caps_lock_guess

from .vault_env import VaultEnv, open_env

ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.EditRole)


def _all_model_text(model: WalletTableModel) -> str:
    return "\n".join(str(model.index(r, c).data(role)) for r in range(model.rowCount())
                     for c in range(model.columnCount()) for role in ROLES)


def test_model_passes_the_model_tester(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path,
                                       qtmodeltester: ModelTester) -> None:
    env = open_env(request, qtbot, tmp_path)
    model = env.area.model
    first = model.record(0)
    model.set_results({first.key: VerifyResult(first.key, VerifyStatus.ADDRESS_MISMATCH, "the key belongs to X")})
    qtmodeltester.check(model)
    assert model.index(0, Column.STATUS).data(StatusRole) is VerifyStatus.ADDRESS_MISMATCH
    assert model.index(0, Column.STATUS).data(Qt.ItemDataRole.ToolTipRole) == "the key belongs to X"
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)] == \
        ["Store", "Wallet", "Owner", "Source", "Address", "Primary", "Status"]


def test_locked_area_lists_wallets_but_no_secret(request: pytest.FixtureRequest, qtbot: QtBot,
                                                 tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path, schema="adr")
    area = env.area
    assert area.model.rowCount() == 4 and not area.unlocked
    assert area.unlock_form.isVisibleTo(area) and not area.verify_button.isEnabled()
    text = _all_model_text(area.model)
    for record in area.model.records():
        assert record.address in text
        stored = record.stored if isinstance(record.stored, str) else bytes(record.stored or b"").decode("latin-1")
        assert stored[:40] not in text
    assert "stored" not in repr(area.model.record(0))


def test_demo_passphrase_is_shown_next_to_the_prompt(request: pytest.FixtureRequest, qtbot: QtBot,
                                                     tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path, demo=True)
    assert env.passphrase in env.area.unlock_form.demo_label.text()
    assert env.area.unlock_form.demo_label.isVisibleTo(env.area)
    plain = open_env(request, qtbot, tmp_path / "other")
    assert not plain.area.unlock_form.demo_label.isVisibleTo(plain.area)


def test_wrong_passphrase_stays_locked_with_a_growing_delay(request: pytest.FixtureRequest, qtbot: QtBot,
                                                            tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path, delay=lambda n: 0.0 if n < 2 else 0.3)
    form = env.area.unlock_form
    env.unlock("not the passphrase")
    assert not env.area.unlocked and form.error_label.isVisibleTo(env.area)
    assert "Wrong passphrase" in form.error_label.text() and not form.holding
    assert form.passphrase.text() == ""  # the typed text does not stay in the field
    env.unlock("still not it")
    assert form.holding and not form.unlock_button.isEnabled()
    qtbot.waitUntil(lambda: not form.holding, timeout=5000)
    assert form.unlock_button.isEnabled()
    env.unlock()
    assert env.area.unlocked and not form.isVisibleTo(env.area)
    events = env.audit()
    assert [e["event"] for e in events] == ["vault_unlock_failed", "vault_unlock_failed", "vault_unlock"]
    assert events[1]["consecutive_failures"] == 2
    assert all("not the passphrase" not in str(e) and env.passphrase not in str(e) for e in events)


def test_derivation_runs_off_the_ui_thread(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path)
    form = env.area.unlock_form
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(2)
    timer.timeout.connect(lambda: ticks.append(1) if form.busy.isVisibleTo(env.area) else None)
    timer.start()
    form.passphrase.setText(env.passphrase)
    form.submit()
    assert not form.unlock_button.isEnabled() and not form.passphrase.isEnabled()  # disabled while working
    assert form.busy.isVisibleTo(env.area)
    qtbot.waitUntil(lambda: env.area.unlocked, timeout=20_000)
    timer.stop()
    assert len(ticks) >= 3, "the event loop did not run while the key was derived"


def test_caps_lock_warning(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> None:
    assert caps_lock_guess("A", shift=False) is True
    assert caps_lock_guess("a", shift=True) is True
    assert caps_lock_guess("a", shift=False) is False
    assert caps_lock_guess("1", shift=False) is None
    env = open_env(request, qtbot, tmp_path)
    form = env.area.unlock_form
    event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "A")
    QApplication.sendEvent(form.passphrase, event)
    assert form.caps_label.isVisibleTo(env.area)
    event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_B, Qt.KeyboardModifier.NoModifier, "b")
    QApplication.sendEvent(form.passphrase, event)
    assert not form.caps_label.isVisibleTo(env.area)


def _reveal(env: VaultEnv, row: int = 0) -> None:
    env.area.table.selectRow(row)
    env.area.reveal_selected()
    env.qtbot.waitUntil(lambda: env.area.key_panel.has_key, timeout=10_000)


def test_reveal_is_masked_until_shown_and_remasked_on_lock(request: pytest.FixtureRequest, qtbot: QtBot,
                                                           tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path)
    env.unlock()
    _reveal(env)
    panel = env.area.key_panel
    record = env.area.selected_record()
    assert record is not None
    assert panel.key_field.echoMode() == QLineEdit.EchoMode.Password
    key_text = panel.key_field.text()
    assert verify_all([record], Secret(env.passphrase)).all_verified and len(key_text) in (87, 88)
    assert panel.status_label.text() == MASKED_HINT
    panel.show_button.setChecked(True)
    assert panel.shown and panel.status_label.text() == SHOWN_HINT
    panel.show_button.setChecked(False)
    assert panel.status_label.text() == MASKED_HINT
    panel.show_button.setChecked(True)
    env.area.lock("explicit")
    assert panel.key_field.text() == "" and not panel.shown and not panel.show_button.isChecked()
    assert not panel.reveal_button.isEnabled()
    events = env.audit()
    assert [e["event"] for e in events] == ["vault_unlock", "vault_reveal", "vault_key_shown", "vault_key_shown",
                                            "vault_lock"]  # shown twice: each Show is audited
    assert events[1]["wallet"] == str(record.key) and events[1]["address"] == record.address
    assert all(key_text not in str(e) for e in events)


def test_selecting_another_wallet_drops_the_revealed_key(request: pytest.FixtureRequest, qtbot: QtBot,
                                                         tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path)
    env.unlock()
    _reveal(env, 0)
    env.area.table.selectRow(1)
    assert not env.area.key_panel.has_key


def test_verify_all_shows_statuses_and_can_be_cancelled(request: pytest.FixtureRequest, qtbot: QtBot,
                                                        tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path, schema="adr")
    env.unlock()
    area = env.area
    with qtbot.waitSignal(area.verifyFinished, timeout=30_000) as blocker:
        area.start_verify()
        assert area.progress.isVisibleTo(area) and area.cancel_button.isVisibleTo(area)
    report = blocker.args[0]
    assert report.all_verified
    statuses = {area.model.index(r, Column.STATUS).data() for r in range(area.model.rowCount())}
    assert statuses == {"verified"} and "4 verified" in area.message.text()
    area.controller.workers = 1
    with qtbot.waitSignal(area.verifyFinished, timeout=30_000) as blocker:
        area.start_verify()
        area.cancel_running()
    assert blocker.args[0].cancelled and len(blocker.args[0].results) < 4
    assert not area.progress.isVisibleTo(area)
    verifies = [e for e in env.audit() if e["event"] == "vault_verify"]
    assert [v["cancelled"] for v in verifies] == [False, True] and verifies[0]["verified"] == 4


def test_rotation_and_import_need_editing(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path, read_only=True)
    env.unlock()
    env.area.start_rotation(Secret("new one"), BOT_ITERATIONS)
    assert "read-only" in env.area.message.text() and not env.area.controller.running
    env.area.start_import(parse_import_key(b58encode(bytes([4]) * 32)), 1, "imported", False)
    assert "read-only" in env.area.message.text()


NEW = "the new wallet passphrase"


def test_rotation_through_the_area(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path, read_only=False)
    env.unlock()
    area = env.area
    area.start_rotation(Secret(NEW), BOT_ITERATIONS)
    qtbot.waitUntil(lambda: "Re-encrypted" in area.message.text() or "Nothing" in area.message.text(),
                    timeout=30_000)
    assert "Re-encrypted 4 wallets" in area.message.text(), area.message.text()
    database, domain = env.session.database, env.session.domain
    assert database is not None and domain is not None
    records = load_wallets(database.connection(), domain)
    assert verify_all(records, Secret(NEW)).all_verified
    _reveal(env)  # the vault now holds the new passphrase
    rotate = [e for e in env.audit() if e["event"] == "vault_rotate"]
    assert rotate[0]["success"] is True and rotate[0]["wallets"] == 4 and NEW not in str(rotate)


def _fail_last_wallet_update(db_path: Path) -> None:
    """An injected mid-way failure: the UPDATE of the last wallet in write order aborts."""
    con = sqlite3.connect(db_path)
    last = con.execute("SELECT wallet_id FROM wallets ORDER BY user_id DESC, wallet_id DESC LIMIT 1").fetchone()[0]
    con.execute(f"CREATE TRIGGER fail BEFORE UPDATE ON wallets WHEN old.wallet_id = '{last}' "
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
    con.commit()
    con.close()


def test_rotation_failing_mid_write_changes_nothing(request: pytest.FixtureRequest, qtbot: QtBot,
                                                    tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path, read_only=False, prepare=_fail_last_wallet_update)
    area, db, domain = env.area, env.session.database, env.session.domain
    assert db is not None and domain is not None
    before = {r.key: r.stored for r in load_wallets(db.connection(), domain)}
    env.unlock()
    area.start_rotation(Secret(NEW), BOT_ITERATIONS)
    qtbot.waitUntil(lambda: "Nothing was changed" in area.message.text() or "Re-encrypted" in area.message.text(),
                    timeout=30_000)
    assert "injected failure" in area.message.text()
    assert {r.key: r.stored for r in load_wallets(db.connection(), domain)} == before
    _reveal(env)  # still unlocked with the old passphrase, which still opens the keys
    assert [e["success"] for e in env.audit() if e["event"] == "vault_rotate"] == [False]


def test_import_through_the_area(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path, schema="adr", read_only=False)
    env.unlock()
    area = env.area
    user_id = area.model.record(0).user_id
    assert user_id is not None
    area.start_import(parse_import_key(b58encode(bytes([4]) * 32)), user_id, "cold storage", True)
    qtbot.waitUntil(lambda: "mported" in area.message.text(), timeout=20_000)
    assert area.message.text().startswith("Imported wallet"), area.message.text()
    assert area.model.rowCount() == 5
    record = area.selected_record()
    assert record is not None and record.label == "cold storage" and record.is_default
    entry = [e for e in env.audit() if e["event"] == "vault_import"][0]
    assert entry["success"] is True and entry["address"] == record.address


def test_rotate_dialog_warns_about_other_iteration_counts(qtbot: QtBot) -> None:
    dialog = RotateDialog(12)
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled() and not dialog.warning.isVisibleTo(dialog)
    dialog.new.setText("abc")
    dialog.confirm.setText("abd")
    assert not dialog.ok.isEnabled() and "differ" in dialog.problem.text()
    dialog.confirm.setText("abc")
    assert dialog.ok.isEnabled()
    dialog.iterations.setValue(600_000)
    assert dialog.warning.isVisibleTo(dialog) and "will not be able to read" in dialog.warning.text()
    secret, iterations = dialog.values()
    assert secret.reveal() == "abc" and iterations == 600_000 and dialog.new.text() == ""


def test_import_dialog_previews_the_address_and_never_echoes_the_key(qtbot: QtBot) -> None:
    dialog = ImportDialog([(1, "alice"), (2, "bob")], "Label", "Default")
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()
    bad = b58encode(bytes([3]) * 40)
    dialog.key.setText(bad)
    assert not dialog.ok.isEnabled() and "40 bytes" in dialog.address.text() and bad not in dialog.address.text()
    seed = b58encode(bytes([4]) * 32)
    dialog.key.setText(seed)
    assert dialog.ok.isEnabled() and dialog.address.text() == address_of(parse_import_key(seed))
    dialog.user.setCurrentIndex(1)
    secret, user_id, label, default = dialog.values()
    assert user_id == 2 and label == "imported" and not default and dialog.key.text() == ""
    assert len(secret.reveal()) in (87, 88)


def test_import_button_opens_the_dialog_and_imports(request: pytest.FixtureRequest, qtbot: QtBot,
                                                    tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path, read_only=False)
    env.unlock()
    filled: list[str] = []

    def fill_and_accept() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ImportDialog)
        dialog.key.setText(b58encode(bytes([6]) * 32))
        filled.append(dialog.address.text())
        dialog.ok.click()

    QTimer.singleShot(0, fill_and_accept)
    env.area.import_button.click()
    qtbot.waitUntil(lambda: "Imported wallet" in env.area.message.text(), timeout=20_000)
    assert env.area.model.rowCount() == 5 and filled[0] in env.area.message.text()


def test_the_key_field_cannot_be_copied_around_the_secret_copy(request: pytest.FixtureRequest, qtbot: QtBot,
                                                               tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path)
    env.unlock()
    _reveal(env)
    panel = env.area.key_panel
    panel.show_button.setChecked(True)
    with qtbot.waitSignal(panel.copyRequested, timeout=1000):
        QApplication.sendEvent(panel.key_field, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_C,
                                                          Qt.KeyboardModifier.ControlModifier, "c"))
    qtbot.mouseDClick(panel.key_field, Qt.MouseButton.LeftButton)  # would select a word
    assert panel.key_field.selectedText() == ""
    qtbot.waitUntil(lambda: env.area.clipboard.holding, timeout=5000)  # the Ctrl+C became the secret copy
    assert QGuiApplication.clipboard().mimeData().hasFormat("x-kde-passwordManagerHint")


def test_a_burst_of_bot_commits_rereads_the_wallets_once(request: pytest.FixtureRequest, qtbot: QtBot,
                                                         tmp_path: Path) -> None:
    env = open_env(request, qtbot, tmp_path)
    area = env.area
    area.show()
    qtbot.waitExposed(area)
    reads: list[int] = []
    real = area.controller.reload_wallets

    def counted() -> None:
        reads.append(1)
        real()

    area.controller.reload_wallets = counted  # type: ignore[method-assign]
    area.reload_wallets()
    for _ in range(5):  # the bot commits five times in a moment (issue 18: re-reads are paced)
        area.reloads.request()
    assert area.reloads.timer.isActive() and len(reads) == 1
    qtbot.waitUntil(lambda: not area.reloads.timer.isActive(), timeout=10_000)
    assert len(reads) == 2
