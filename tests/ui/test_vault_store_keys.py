"""Reveal and copy for every store (issue 13): a treasury folder's key and the keypair's key in the key panel.

Uses test_vault_stores' home (independent envelope writers, small Argon2id).
The key is masked until Show, copied as a secret and cleared after its
timeout, wiped on lock, audited without the secret, and never reaches disk.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit

from lifeos_desk.core.secrets import Secret
from lifeos_desk.ui.vault.area import VaultTimings

from ..core.keystore_homes import secret_forms
from ..core.vault_helpers import b58
from .test_vault_leak_scan import scan
from .test_vault_stores import KEYPAIR_PASS, StoresEnv, _audit
from .test_vault_stores import env as env  # the fixture, shared


def _reveal(env: StoresEnv, store: str, key: str) -> str:
    area = env.area
    assert area.select_wallet((store, key))  # type: ignore[arg-type]  # store rows' KeyRole is (store, key)
    assert area.store_keys.selected_row() is not None
    assert area.key_panel.reveal_button.isEnabled()
    area.key_panel.reveal_button.click()
    env.qtbot.waitUntil(lambda: area.key_panel.has_key, timeout=30_000)
    return area.key_panel.key_field.text()


def test_a_treasury_key_is_revealed_masked_and_copied_then_cleared(env: StoresEnv) -> None:
    area, panel = env.area, env.area.key_panel
    env.submit(env.passphrase)
    address = next(r.key.address for r in area.model.store_rows() if r.store == "treasury")
    key = f"{address}.key"
    assert _reveal(env, "treasury", key) == b58(env.secrets[address])
    assert panel.key_field.echoMode() == QLineEdit.EchoMode.Password and not panel.shown
    panel.show_button.click()
    assert panel.shown and "Hide" in panel.status_label.text()
    area.controller.timings = VaultTimings(60_000, 300)
    with env.qtbot.waitSignal(area.clipboard.cleared, timeout=10_000) as cleared:
        panel.copy_button.click()
        assert QGuiApplication.clipboard().text() == b58(env.secrets[address])
    assert cleared.args == [True] and QGuiApplication.clipboard().text() == ""
    events = [e for e in _audit(env) if e.get("store") == "treasury"]
    assert [e["event"] for e in events if e["event"].startswith("vault_") and "wallet" in e] == \
        ["vault_reveal", "vault_key_shown", "vault_copy"]


def test_the_keypair_key_is_revealed_and_lock_wipes_it(env: StoresEnv) -> None:
    area, panel = env.area, env.area.key_panel
    env.submit(KEYPAIR_PASS, target="keypair")
    assert _reveal(env, "keypair", "treasury_keypair.json") == b58(env.secrets["keypair"])
    held = area.store_keys._revealed
    assert isinstance(held, Secret) and area.store_keys.revealed_id == ("keypair", "treasury_keypair.json")
    panel.copy_button.click()  # already decrypted: copied at once
    assert QGuiApplication.clipboard().text() == b58(env.secrets["keypair"])
    area.lock_by_button()
    assert held.wiped and area.store_keys.revealed_id is None and not panel.has_key
    assert QGuiApplication.clipboard().text() == ""  # lock clears our copy
    assert not panel.reveal_button.isEnabled() and "Unlock the store keypair" in panel.status_label.text()


def test_a_locked_store_and_another_row_reveal_nothing(env: StoresEnv) -> None:
    area = env.area
    env.submit(env.passphrase)  # opens public and treasury, not keypair
    assert area.select_wallet(("keypair", "treasury_keypair.json"))  # type: ignore[arg-type]
    assert not area.key_panel.reveal_button.isEnabled()
    key = next(r.key.key for r in area.model.store_rows() if r.store == "treasury")
    _reveal(env, "treasury", key)
    held = area.store_keys._revealed
    assert held is not None and not held.wiped
    assert area.select_wallet(("keypair", "treasury_keypair.json"))  # type: ignore[arg-type]
    assert held.wiped and not area.key_panel.has_key and area.store_keys.revealed_id is None


def test_no_revealed_store_key_reaches_disk(env: StoresEnv) -> None:
    area = env.area
    env.submit(env.passphrase)
    env.submit(KEYPAIR_PASS, target="keypair")
    revealed = []
    for store, key in [("keypair", "treasury_keypair.json")] + [
            (r.store, r.key.key) for r in area.model.store_rows() if r.store == "treasury"]:
        revealed.append(_reveal(env, store, key))
        area.key_panel.show_button.click()
        area.key_panel.copy_button.click()
    area.lock("explicit")
    env.window.close()
    needles = [env.passphrase.encode(), KEYPAIR_PASS.encode()] + [t.encode() for t in revealed]
    for name, secret in env.secrets.items():
        if not name.startswith("phantom_trading_wallet"):  # plaintext on disk by design
            needles += [secret, secret[:32]] + [f.encode() for f in secret_forms(secret)]
    hits = [h for h in scan(env.roots, needles) if "/wallets/phantom_trading_wallet" not in h]
    assert hits == []
    assert sum(e["event"] == "vault_reveal" for e in _audit(env)) == len(revealed) == 3
