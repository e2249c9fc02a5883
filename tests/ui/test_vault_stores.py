"""The vault over every key store: the store list, per-store unlock, verify-all, Health page, lock.

The home is a demo copy (the public wallets) plus the treasury envelopes
written by tests/core/keystore_homes.py's independent writers: a treasury
wallet folder under the demo passphrase (so one passphrase opens two
stores), a second folder sealed with "default", a keypair under its own
passphrase, a rotated keypair, and two plaintext wallet files. Argon2id runs
at small test limits (the bot's are covered by the slow core test).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QMainWindow, QTableWidgetItem, QTextEdit, QWidget
from pytestqt.qtbot import QtBot

from lifeos_desk.core.keystores.keypair import ArgonLimits
from lifeos_desk.core.keystores.model import WalletStatus
from lifeos_desk.core.keystores.unlock import UnlockOptions
from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.session import Session, open_session
from lifeos_desk.ui.vault.area import VaultArea, VaultTimings
from lifeos_desk.ui.vault.model import Column
from lifeos_desk.ui.vault.unlock import EVERY_LOCKED

from ..core.keystore_homes import keypair_file, plaintext_wallets, secret_forms, treasury_folder
from ..db.vault_homes import demo_copy
from .test_vault_leak_scan import scan

KEYPAIR_PASS = "keypair passphrase 7"
ARGON = ArgonLimits(opslimit=3, memlimit=32 << 20)  # ~50 ms: long enough to see the window keep running
OPTIONS = UnlockOptions(workers=2, argon=ARGON, treasury_iterations=1000)
BAK = "keypair-bak-20260101_120000"


@dataclass
class StoresEnv:
    area: VaultArea
    window: QMainWindow
    session: Session
    passphrase: str
    secrets: dict[str, bytes]
    roots: list[Path]
    qtbot: QtBot

    def submit(self, passphrase: str, target: str = EVERY_LOCKED) -> None:
        form = self.area.unlock_form
        assert form.choose_target(target), target
        form.passphrase.setText(passphrase)
        form.submit()
        self.qtbot.waitUntil(lambda: not self.area.unlock_flow.busy, timeout=30_000)


@pytest.fixture
def env(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path,
        tmp_path_factory: pytest.TempPathFactory) -> StoresEnv:
    home, passphrase = demo_copy(tmp_path_factory, tmp_path / "home", "deployed", users=4)
    bot = tmp_path / "bot"
    secrets = dict(treasury_folder(bot / "bots" / "treasury" / ".wallets", passphrase, count=2, iterations=1000))
    secrets.update(treasury_folder(bot / "bots" / "treasury" / ".wallets-demo", "default", count=1, iterations=1000))
    secrets["keypair"], _ = keypair_file(bot / "data" / "treasury_keypair.json", KEYPAIR_PASS, ARGON.opslimit,
                                         ARGON.memlimit)
    secrets["old"], _ = keypair_file(bot / "data" / "treasury_keypair.json.bak.20260101_120000", "old one",
                                     ARGON.opslimit, ARGON.memlimit, rotated=True)
    secrets.update(plaintext_wallets(home))
    dirs = AppDirs.default()
    paths = DataPaths(home=home, logs=(home / "logs",), backups=home / "backups", read_only=True, bot_dir=bot)
    session = open_session(paths, dirs, Settings(dirs), State(dirs), demo_passphrase=None)
    assert session.error is None, session.error
    request.addfinalizer(session.close)
    area = VaultArea(session, timings=VaultTimings(60_000, 20_000), delay_policy=lambda n: 0.0, workers=2,
                     key_options=OPTIONS)
    window = QMainWindow()
    window.setCentralWidget(area)
    window.resize(1066, 666)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    roots = [home, bot, *paths.logs, paths.backups, dirs.config, dirs.state, dirs.data, dirs.log]
    return StoresEnv(area, window, session, passphrase, secrets, roots, qtbot)


def _column(area: VaultArea, col: int) -> list[str]:
    return [str(area.model.index(r, col).data()) for r in range(area.model.rowCount())]


def _all_widget_text(root: QWidget) -> str:
    texts = []
    for w in [root, *root.findChildren(QWidget)]:
        if isinstance(w, QLabel | QAbstractButton) or (isinstance(w, QLineEdit)
                                                        and w.objectName() != "vaultKeyField"):
            texts.append(w.text())
        elif isinstance(w, QTextEdit):
            texts.append(w.toPlainText())
        texts.append(w.toolTip())
    if isinstance(root, VaultArea):  # and every cell of the wallet table, display and tooltip
        texts += [str(root.model.index(r, c).data(role)) for r in range(root.model.rowCount())
                  for c in range(root.model.columnCount()) for role in (0, 3)]
    return "\n".join(texts)


def test_every_store_is_listed_with_its_wallets(env: StoresEnv) -> None:
    area = env.area
    names = {_text(area.store_list.item(r, 0)) for r in range(area.store_list.rowCount())}
    assert {"public", "treasury", "treasury-demo", "keypair", BAK} <= names
    assert any(n.startswith("plain:") for n in names)
    stores = _column(area, Column.STORE)
    assert stores.count("public") == 4 and stores.count("treasury") == 2 and stores.count("keypair") == 1
    assert stores.count("treasury-demo") == 1 and stores.count(BAK) == 1
    assert len(area.model.store_rows()) == 2 + 1 + 1 + 1 + 2
    plain_rows = [r for r in range(area.model.rowCount()) if stores[r].startswith("plain:")]
    assert len(plain_rows) == 2
    assert all("plaintext" in str(area.model.index(r, Column.STATUS).data()) for r in plain_rows)
    assert area.store_list.state_of("keypair") == "locked"
    assert all(area.store_list.state_of(n) == "plaintext" for n in names if n.startswith("plain:"))
    kdf = {_text(area.store_list.item(r, 0)): _text(area.store_list.item(r, 3))
           for r in range(area.store_list.rowCount())}
    assert "480,000" in kdf["treasury"] and "Argon2id" in kdf["keypair"]


def test_one_passphrase_unlocks_two_stores_and_a_wrong_one_is_per_store(env: StoresEnv) -> None:
    area, form = env.area, env.area.unlock_form
    width = env.window.width()
    env.submit(env.passphrase)
    assert area.unlocked and area.stores.is_unlocked("treasury")
    assert not area.stores.is_unlocked("keypair") and not area.stores.is_unlocked("treasury-demo")
    assert area.store_list.state_of("treasury") == "unlocked"
    assert area.store_list.state_of("keypair") == "locked — wrong passphrase"
    assert "keypair (wrong passphrase)" in form.error_label.text()
    results = [area.model.store_result("treasury", w.key.key) for w in area.model.store_rows()
               if w.store == "treasury"]
    assert [r.status if r else None for r in results] == [WalletStatus.VERIFIED] * 2
    assert form.isVisibleTo(area) and "of" in form.title.text()  # some stores are still locked
    env.submit("not the keypair's", target="keypair")
    assert not area.stores.is_unlocked("keypair") and "keypair" in form.error_label.text()
    events = [e["event"] for e in _audit(env)]
    assert events.count("vault_store_unlock") == 1 and events.count("vault_store_unlock_failed") >= 2
    assert env.window.width() == width  # issue 17: unlocking never widens the window


def test_the_keypair_unlocks_off_the_ui_thread(env: StoresEnv) -> None:
    area, form = env.area, env.area.unlock_form
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(2)
    timer.timeout.connect(lambda: ticks.append(1) if area.unlock_flow.busy else None)
    timer.start()
    assert form.choose_target("keypair")
    form.passphrase.setText(KEYPAIR_PASS)
    form.submit()
    assert area.unlock_flow.busy and not form.unlock_button.isEnabled()  # submit returned before the KDF ran
    assert "Argon2id" in form.busy_label.text() and "MiB" in form.busy_label.text()
    env.qtbot.waitUntil(lambda: not area.unlock_flow.busy, timeout=30_000)
    timer.stop()
    assert area.stores.is_unlocked("keypair") and not area.unlocked
    assert ticks, "the event loop did not run while Argon2id was derived"
    result = area.model.store_result("keypair", "treasury_keypair.json")
    assert result is not None and result.status is WalletStatus.VERIFIED


def test_verify_all_runs_over_every_unlocked_store_and_lock_wipes_them(env: StoresEnv) -> None:
    area = env.area
    env.submit(env.passphrase)
    env.submit(KEYPAIR_PASS, target="keypair")
    assert area.stores.unlocked_names() == ["treasury", "keypair"]
    width = env.window.width()
    with env.qtbot.waitSignal(area.stores.verifyFinished, timeout=30_000) as blocker:
        area.start_verify()
    results = blocker.args[0]
    assert set(results) == {"treasury", "keypair"} and all(r.all_verified for r in results.values())
    env.qtbot.waitUntil(lambda: not area.controller.running, timeout=30_000)
    assert env.window.width() == width  # issue 17: Verify all never widens the window
    area.lock_by_button()
    assert not area.unlocked and area.stores.unlocked_names() == [] and not area.stores._secrets
    assert area.store_list.state_of("keypair") == "locked" and area.unlock_form.isVisibleTo(area)
    assert area.model.store_result("treasury", area.model.store_rows()[0].key.key) is None
    locks = [e for e in _audit(env) if e["event"] == "vault_lock"]
    assert [e.get("stores") for e in locks[-2:]] == [["treasury", "keypair"], None]  # the stores', the public's


def test_idle_lock_locks_every_store(env: StoresEnv) -> None:
    area = env.area
    env.submit(KEYPAIR_PASS, target="keypair")
    assert area.stores.is_unlocked("keypair") and area.controller.idle._tick.isActive()
    area.controller.lock_on_idle()
    assert area.stores.unlocked_names() == []
    assert [e for e in _audit(env) if e["event"] == "vault_lock"][-1]["reason"] == "idle"


def test_health_page_lists_the_planted_findings_and_no_secret(env: StoresEnv) -> None:
    area = env.area
    env.submit(env.passphrase)  # unlocked stores must not leak into the page either
    area.tabs.setCurrentWidget(area.health_page)  # the first show runs the check
    assert area.health_page.running and area.health_page.cancel_button.isVisibleTo(area)
    env.qtbot.waitUntil(lambda: area.health_page.has_run and not area.health_page.running, timeout=60_000)
    text = area.health_page.plain_text()
    for finding in ("plaintext-key", "default-passphrase", "rotated-keypair", "kdf-strength", "not-backed-up"):
        assert finding in text
    assert "Critical" in text and text.index("Critical") < text.index("Notes")
    assert "treasury-demo" in text
    everything = _all_widget_text(area) + "\n" + text
    needles = [env.passphrase, KEYPAIR_PASS] + [f for s in env.secrets.values() for f in secret_forms(s)]
    assert [n for n in needles if n in everything] == []
    assert any(e["event"] == "vault_health" for e in _audit(env))


def test_health_check_can_be_cancelled_and_rerun(env: StoresEnv) -> None:
    page = env.area.health_page
    page.run(True)
    page.cancel_button.click()
    env.qtbot.waitUntil(lambda: not page.running, timeout=60_000)
    page.try_weak.setChecked(False)
    page.run_button.click()
    env.qtbot.waitUntil(lambda: page.has_run and not page.running, timeout=60_000)
    assert "not tried" in page.summary.text() and "plaintext-key" in page.plain_text()


def test_no_store_secret_reaches_disk(env: StoresEnv) -> None:
    area = env.area
    env.submit(env.passphrase)
    env.submit(KEYPAIR_PASS, target="keypair")
    with env.qtbot.waitSignal(area.stores.verifyFinished, timeout=30_000):
        area.start_verify()
    area.health_page.run(True)
    env.qtbot.waitUntil(lambda: area.health_page.has_run and not area.health_page.running, timeout=60_000)
    area.lock("explicit")
    env.window.close()
    plain = {"phantom_trading_wallet.json", "phantom_trading_wallet.base58"}  # plaintext on disk by design
    needles = [env.passphrase.encode(), KEYPAIR_PASS.encode(), KEYPAIR_PASS.encode("utf-16-le")]
    for name, secret in env.secrets.items():
        if name not in plain:
            needles += [secret, secret[:32]] + [f.encode() for f in secret_forms(secret)]
    hits = scan(env.roots, needles)
    # The planted envelopes hold ciphertext only; the plaintext files are the planted plaintext keys.
    assert [h for h in hits if "/wallets/phantom_trading_wallet" not in h] == []


def _audit(env: StoresEnv) -> list[dict[str, object]]:
    from lifeos_desk.core.audit import console_entries

    return console_entries(env.session.audit.path)


def _text(item: QTableWidgetItem | None) -> str:
    assert item is not None
    return item.text()
