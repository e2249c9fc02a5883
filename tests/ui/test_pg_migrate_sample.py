"""The migrate dialog's wallet sample: decrypted in the window while the vault is unlocked (a real server)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import psycopg
import pytest
from pytestqt.qtbot import QtBot

from lifeos_desk.core.stores import users_store
from lifeos_desk.ui.migrate import MigrateDialog
from lifeos_desk.ui.pg.vault_sample import lend_vault

from .test_migrate_dialog import CHILD_MS
from .vault_env import VaultEnv, open_env


def dialog_for(env: VaultEnv, url: str) -> MigrateDialog:
    dialog = MigrateDialog(env.session.paths, [users_store(env.session.paths)],
                           vault=partial(lend_vault, lambda: [env.area]))
    env.qtbot.addWidget(dialog)
    dialog.url_edit.setText(url)
    return dialog


def migrate(qtbot: QtBot, dialog: MigrateDialog) -> None:
    with qtbot.waitSignal(dialog.runner.finished, timeout=CHILD_MS):
        dialog.migrate()
    assert dialog.runner.exit_code == 0, dialog.status_label.text()


def test_unlocked_vault_checks_a_sample_and_finds_a_planted_mismatch(
        request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path, pg_url: str) -> None:
    env = open_env(request, qtbot, tmp_path, schema="adr")
    env.unlock()
    assert env.area.unlocked
    dialog = dialog_for(env, pg_url)
    migrate(qtbot, dialog)
    qtbot.waitUntil(lambda: "Checking" not in dialog.wallet_label.text(), timeout=60_000)
    assert "Wallet sample verified" in dialog.wallet_label.text(), dialog.wallet_label.text()
    n = len(env.area.model.records())
    assert f"of {n:,} wallets" in dialog.wallet_label.text()
    with psycopg.connect(pg_url) as con:  # one wallet's encrypted key loses its last byte
        row = con.execute("SELECT id FROM wallets ORDER BY id LIMIT 1").fetchone()
        assert row is not None
        victim = int(row[0])
        con.execute("UPDATE wallets SET encrypted_key = substring(encrypted_key FROM 1 FOR "
                    "length(encrypted_key) - 1) WHERE id = %s", (victim,))
    dialog.check_wallets()
    qtbot.waitUntil(lambda: "FAILED" in dialog.wallet_label.text(), timeout=60_000)
    text = dialog.wallet_label.text()
    assert f"wallet {victim} (" in text and "differs from SQLite" in text and env.passphrase not in text
    assert env.area.unlocked, "lending a copy does not lock or wipe the vault's own passphrase"
    samples = [e for e in env.audit() if e["event"] == "vault_migrate_sample"]
    assert [s["failed"] for s in samples] == [[], [str(victim)]] and samples[0]["checked"] == n
    assert all(env.passphrase not in str(e) for e in env.audit())


def test_locked_vault_says_how_to_get_the_sample(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path,
                                                 pg_url: str) -> None:
    env = open_env(request, qtbot, tmp_path, schema="deployed")
    dialog = dialog_for(env, pg_url)
    migrate(qtbot, dialog)
    assert "unlock the vault" in dialog.wallet_label.text() and "--check-wallets" in dialog.wallet_label.text()
