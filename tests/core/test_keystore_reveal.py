"""core/keystores/reveal.py: one key out of every store kind, built by the independent writers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lifeos_desk.core.base58 import b58decode
from lifeos_desk.core.keystores.keypair import ArgonLimits, read_keypair_file
from lifeos_desk.core.keystores.model import WalletStatus
from lifeos_desk.core.keystores.plaintext import read_keys_json, read_wallet_file
from lifeos_desk.core.keystores.reveal import KeyOpenError, open_stored_key
from lifeos_desk.core.keystores.treasury import read_treasury_dir
from lifeos_desk.core.keystores.unlock import UnlockOptions
from lifeos_desk.core.secrets import Secret

from .keystore_homes import SMALL_MEM, SMALL_OPS, keypair_file, plaintext_wallets, treasury_folder
from .vault_helpers import b58

ARGON = ArgonLimits(SMALL_OPS, SMALL_MEM)
OPTIONS = UnlockOptions(workers=1, argon=ARGON, treasury_iterations=1000)


def _bytes(secret: Secret) -> bytes:
    with secret:
        return b58decode(secret.reveal())


def test_a_treasury_key_comes_back_as_its_64_bytes(tmp_path: Path) -> None:
    keys = treasury_folder(tmp_path / ".wallets", "pass 1", count=2, iterations=1000)
    store = read_treasury_dir(tmp_path / ".wallets", "treasury")
    for address, secret in keys.items():
        assert _bytes(open_stored_key(store, f"{address}.key", Secret("pass 1"), OPTIONS)) == secret
    with pytest.raises(KeyOpenError) as info:
        open_stored_key(store, f"{next(iter(keys))}.key", Secret("other"), OPTIONS)
    assert info.value.status is WalletStatus.WRONG_PASSPHRASE and "pass 1" not in str(info.value)


def test_the_keypair_key_and_a_wrong_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "treasury_keypair.json"
    secret, _ = keypair_file(path, "kp pass", SMALL_OPS, SMALL_MEM)
    store = read_keypair_file(path, "keypair", ARGON)
    assert _bytes(open_stored_key(store, path.name, Secret("kp pass"), OPTIONS)) == secret
    with pytest.raises(KeyOpenError) as info:
        open_stored_key(store, path.name, Secret("nope"), OPTIONS)
    assert info.value.status is WalletStatus.WRONG_PASSPHRASE


def test_plaintext_keys_are_read_again_at_reveal(tmp_path: Path) -> None:
    keys = plaintext_wallets(tmp_path)
    for name, secret in keys.items():
        store = read_wallet_file(tmp_path / "wallets" / name, f"plain:{name}")
        assert _bytes(open_stored_key(store, name, Secret(""), OPTIONS)) == secret
    path = tmp_path / "keys.json"
    ints = keys["phantom_trading_wallet.json"]
    path.write_text(json.dumps({"solana_private_key": b58(ints), "helius_api_key": "abc"}))
    store, _ = read_keys_json(path, "plain:keys.json")
    assert _bytes(open_stored_key(store, "solana_private_key", Secret(""), OPTIONS)) == ints
    path.write_text('{"solana_private_key": "short"}')  # changed since it was read
    with pytest.raises(KeyOpenError):
        open_stored_key(store, "solana_private_key", Secret(""), OPTIONS)


def test_an_unknown_key_is_refused(tmp_path: Path) -> None:
    treasury_folder(tmp_path / ".wallets", "p", count=1, iterations=1000)
    store = read_treasury_dir(tmp_path / ".wallets", "treasury")
    with pytest.raises(KeyOpenError, match="no key"):
        open_stored_key(store, "missing.key", Secret("p"), OPTIONS)
