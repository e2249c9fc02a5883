"""The Vault tab of the PostgreSQL window: the SQLite vault's area over migrated wallets (a real server)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from lifeos_desk.core.audit import console_entries
from lifeos_desk.core.demo import demo_passphrase
from lifeos_desk.core.keys import BOT_ITERATIONS
from lifeos_desk.core.paths import AppDirs
from lifeos_desk.core.pgurl import pg_params
from lifeos_desk.core.secrets import Secret
from lifeos_desk.core.vault import verify_all
from lifeos_desk.db.pg import PgDatabase
from lifeos_desk.db.pg.wallets import READ_ONLY_HINT, PgWallets
from lifeos_desk.ui.areas import NoticePanel
from lifeos_desk.ui.pg import PgWindow
from lifeos_desk.ui.pg.vault import create_pg_vault, pg_session
from lifeos_desk.ui.vault.area import VaultArea, VaultTimings

from .test_pg_window import migrated

PASSPHRASE = demo_passphrase(3)  # tests/core/migrate_helpers.py makes demo homes with seed 3


@dataclass
class PgVault:
    """A vault area over a migrated database, with its connection and the SQLite file it came from."""

    area: VaultArea
    db: PgDatabase
    sqlite: Path
    qtbot: QtBot

    def unlock(self, passphrase: str = PASSPHRASE) -> None:
        form = self.area.unlock_form
        form.passphrase.setText(passphrase)
        form.submit()
        self.qtbot.waitUntil(lambda: not self.area.unlocking, timeout=20_000)

    def audit(self) -> list[dict[str, object]]:
        return console_entries(self.area.controller._audit.path)


def open_vault(qtbot: QtBot, tmp_path: Path, url: str, schema: str, timings: VaultTimings) -> Iterator[PgVault]:
    home = migrated(tmp_path, url, schema=schema, trades=30)
    db = PgDatabase(pg_params(url))
    area = create_pg_vault(db, pg_session(AppDirs.default()), timings=timings, workers=2)
    assert isinstance(area, VaultArea)
    qtbot.addWidget(area)
    try:
        yield PgVault(area, db, home / "public_users.db", qtbot)
    finally:
        area.shutdown()
        area.close()
        area.deleteLater()
        db.close()


@pytest.fixture(params=["deployed", "adr"])
def vault(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path, pg_url: str) -> Iterator[PgVault]:
    yield from open_vault(qtbot, tmp_path, pg_url, str(request.param), VaultTimings(60_000, 1500))


def _sqlite_wallets(db: Path) -> dict[str, object]:
    """address -> encrypted key, read from the SQLite file the database was migrated from."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
        cols = {r[1] for r in con.execute("PRAGMA table_info(wallets)")}
        secret = "encrypted_key" if "encrypted_key" in cols else "encrypted_private_key"
        address = "address" if "address" in cols else "public_key"
        return {str(a): k for a, k in con.execute(f"SELECT {address}, {secret} FROM wallets")}


def test_the_wallets_are_the_sqlite_files_byte_for_byte(vault: PgVault) -> None:
    records = vault.area.model.records()
    on_file = _sqlite_wallets(vault.sqlite)
    assert len(records) == len(on_file) > 0
    assert {r.address: r.stored for r in records} == on_file
    assert all(r.owner for r in records), "owners come from the users table over the join"


def test_unlock_reveal_copy_and_clipboard_timeout_work_as_on_sqlite(vault: PgVault) -> None:
    vault.unlock("not it")
    assert not vault.area.unlocked and "Wrong passphrase" in vault.area.unlock_form.error_label.text()
    vault.unlock()
    assert vault.area.unlocked
    vault.area.table.selectRow(0)
    record = vault.area.selected_record()
    assert record is not None
    vault.area.copy_selected()  # decrypts in memory, checks the address, copies
    vault.qtbot.waitUntil(lambda: vault.area.clipboard.holding, timeout=10_000)
    key = vault.area.key_panel.key_field.text()
    assert QGuiApplication.clipboard().text() == key and len(key) in (87, 88)
    assert verify_all([record], Secret(PASSPHRASE)).all_verified
    with vault.qtbot.waitSignal(vault.area.clipboard.cleared, timeout=5000) as blocker:
        pass
    assert blocker.args == [True] and QGuiApplication.clipboard().text() == ""
    events = [e["event"] for e in vault.audit()]
    assert events[:2] == ["vault_unlock_failed", "vault_unlock"] and "vault_copy" in events
    assert all(PASSPHRASE not in str(e) and key not in str(e) for e in vault.audit())
    assert str(vault.area.controller._audit.path).endswith("postgresql/logs/audit.jsonl")


def test_verify_all_checks_every_migrated_wallet(vault: PgVault) -> None:
    vault.unlock()
    with vault.qtbot.waitSignal(vault.area.verifyFinished, timeout=60_000) as blocker:
        vault.area.start_verify()
    report = blocker.args[0]
    assert report.all_verified and report.total == len(vault.area.model.records())


def test_writes_are_disabled_and_refused_with_the_reason(vault: PgVault) -> None:
    vault.unlock()
    area = vault.area
    assert not area.rotate_button.isEnabled() and not area.import_button.isEnabled()
    reason = area.controller.wallets.read_only_message()
    assert "read-only" in reason and "migrate again" in reason
    assert reason in area.rotate_button.toolTip() and reason in area.import_button.toolTip()
    assert READ_ONLY_HINT in area.state_label.text()
    before = [r.stored for r in area.model.records()]
    area.controller.start_rotation(Secret("a brand new passphrase 123"), BOT_ITERATIONS)
    assert "read-only" in area.message.text() and not area.controller.running
    area.reload_wallets()
    assert [r.stored for r in area.model.records()] == before


@pytest.fixture
def idle_vault(qtbot: QtBot, tmp_path: Path, pg_url: str) -> Iterator[PgVault]:
    yield from open_vault(qtbot, tmp_path, pg_url, "deployed", VaultTimings(600, 20_000))


def test_idle_lock_wipes_the_key(qtbot: QtBot, idle_vault: PgVault) -> None:
    vault = idle_vault
    vault.unlock()
    vault.area.table.selectRow(0)
    vault.area.reveal_selected()
    qtbot.waitUntil(lambda: vault.area.key_panel.has_key, timeout=10_000)
    with qtbot.waitSignal(vault.area.lockedChanged, timeout=5000) as blocker:
        pass
    assert blocker.args == [True] and not vault.area.unlocked and not vault.area.key_panel.has_key
    assert vault.audit()[-1]["reason"] == "idle"


def test_the_window_has_a_vault_tab_that_follows_changes(qtbot: QtBot, tmp_path: Path, pg_url: str) -> None:
    import psycopg

    migrated(tmp_path, pg_url, trades=20)
    window = PgWindow(pg_params(pg_url))
    qtbot.addWidget(window)
    assert window.vault is None  # built when first shown, not with the window
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert "Vault" in tabs and "Checks" in tabs
    window.show()
    vault = window.show_vault()
    assert isinstance(vault, VaultArea)
    assert window.tabs.currentWidget() is vault and window.tabs.tabText(window.tabs.currentIndex()) == "Vault"
    n = len(vault.model.records())
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("DELETE FROM wallets WHERE wallet_id = (SELECT min(wallet_id) FROM wallets)")
    qtbot.waitUntil(lambda: isinstance(window.vault, VaultArea) and len(window.vault.model.records()) == n - 1,
                    timeout=20_000)
    window.close()


def test_a_database_without_wallets_gets_a_notice(qtbot: QtBot, pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("CREATE TABLE things (id bigint PRIMARY KEY)")
    db = PgDatabase(pg_params(pg_url))
    try:
        assert PgWallets.open(db) is None
        panel = create_pg_vault(db, pg_session(AppDirs.default()))
        qtbot.addWidget(panel)
        assert isinstance(panel, NoticePanel)
    finally:
        db.close()


def test_health_runs_over_the_migrated_wallets(vault: PgVault) -> None:
    page = vault.area.health_page
    page.run(try_weak=False)
    vault.qtbot.waitUntil(lambda: page.has_run and not page.running, timeout=60_000)
    assert vault.area.public_keystore() is not None
    assert str(vault.area.controller.location).endswith("(PostgreSQL)")
