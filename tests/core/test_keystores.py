"""Key stores: each envelope sealed by an independent writer opens through the console; bad ones say why."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path

import pytest

from lifeos_desk.core.keystores.find import find_key_stores
from lifeos_desk.core.keystores.health import Severity, check_health
from lifeos_desk.core.keystores.keypair import ArgonLimits, read_keypair_file, unlock_keypair
from lifeos_desk.core.keystores.model import StoreKind, WalletStatus
from lifeos_desk.core.keystores.treasury import read_treasury_dir, unlock_treasury_dir
from lifeos_desk.core.keystores.unlock import UnlockOptions, unlock, unlock_many
from lifeos_desk.core.secrets import Secret

from .keystore_homes import SMALL_MEM, SMALL_OPS, keypair_file, plaintext_wallets, secret_forms, treasury_folder

PASS = "treasury passphrase"
SMALL = ArgonLimits(SMALL_OPS, SMALL_MEM)
FAST = UnlockOptions(argon=SMALL, treasury_iterations=1000)


def test_treasury_folder_opens_and_every_wallet_verifies(tmp_path: Path) -> None:
    keys = treasury_folder(tmp_path / ".wallets", PASS, count=3)
    store = read_treasury_dir(tmp_path / ".wallets", "treasury")
    assert {w.address for w in store.wallets} == set(keys) and not store.problems
    assert {w.label for w in store.wallets} >= {"Treasury 0 (treasury)", "Treasury 1"}
    result = unlock_treasury_dir(store, Secret(PASS))
    assert result.opened and result.all_verified
    assert [r.status for r in result.results] == [WalletStatus.VERIFIED] * 3


def test_treasury_wrong_passphrase_and_tampered_token(tmp_path: Path) -> None:
    folder = tmp_path / ".wallets"
    keys = treasury_folder(folder, PASS, count=3, iterations=1000)
    first, second, third = sorted(keys)
    token = (folder / f"{first}.key").read_bytes()
    (folder / f"{first}.key").write_bytes(token[:-8] + (b"A" if token[-8:-7] != b"A" else b"B") + token[-7:])
    (folder / f"{second}.key").write_bytes(token[:20])
    (folder / f"{third}.key").rename(folder / f"{'1' * 44}.key")  # valid token under another address
    store = read_treasury_dir(folder, "treasury")
    wrong = unlock_treasury_dir(store, Secret("nope"), iterations=1000)
    assert not wrong.opened
    assert {r.status for r in wrong.results} == {WalletStatus.WRONG_PASSPHRASE, WalletStatus.TAMPERED}
    right = {r.address: r for r in unlock_treasury_dir(store, Secret(PASS), iterations=1000).results}
    assert right[first].status is WalletStatus.TAMPERED and "altered" in right[first].detail
    assert right[second].status is WalletStatus.TAMPERED and "well-formed" in right[second].detail
    assert right["1" * 44].status is WalletStatus.ADDRESS_MISMATCH and third in right["1" * 44].detail
    assert "registry.json lists" in " ".join(store.problems)


def test_treasury_folder_without_salt_is_unrecognised(tmp_path: Path) -> None:
    treasury_folder(tmp_path / ".wallets", PASS, count=1, iterations=1000)
    (tmp_path / ".wallets" / ".salt").unlink()
    store = read_treasury_dir(tmp_path / ".wallets", "treasury")
    assert "no .salt" in " ".join(store.problems)
    assert unlock_treasury_dir(store, Secret(PASS), iterations=1000).results[0].status is WalletStatus.UNRECOGNISED


@pytest.mark.parametrize("rotated", [False, True])
def test_keypair_opens_with_argon2id(tmp_path: Path, rotated: bool) -> None:
    path = tmp_path / "treasury_keypair.json"
    _secret, address = keypair_file(path, PASS, rotated=rotated)
    store = read_keypair_file(path, "keypair", SMALL)
    result = unlock_keypair(store, Secret(PASS), SMALL)
    assert result.opened and result.results[0].status is WalletStatus.VERIFIED
    assert result.results[0].public_key == address
    if rotated:
        assert store.wallets[0].address == "" and address in result.results[0].detail


def test_keypair_wrong_passphrase_and_tampered(tmp_path: Path) -> None:
    path = tmp_path / "treasury_keypair.json"
    keypair_file(path, PASS)
    store = read_keypair_file(path, "keypair", SMALL)
    assert unlock_keypair(store, Secret("nope"), SMALL).results[0].status is WalletStatus.WRONG_PASSPHRASE
    data = json.loads(path.read_text())
    data["nonce"] = base64.b64encode(b"short").decode()
    path.write_text(json.dumps(data))
    bad = unlock_keypair(read_keypair_file(path, "keypair", SMALL), Secret(PASS), SMALL).results[0]
    assert bad.status is WalletStatus.TAMPERED and "wrong length" in bad.detail
    path.write_text("{not json")
    assert unlock_keypair(read_keypair_file(path, "keypair", SMALL), Secret(PASS), SMALL).results[0].status \
        is WalletStatus.UNRECOGNISED


@pytest.mark.slow
def test_keypair_at_the_bots_real_argon2id_limits(tmp_path: Path) -> None:
    import nacl.pwhash

    path = tmp_path / "treasury_keypair.json"
    keypair_file(path, PASS, nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE)
    store = read_keypair_file(path, "keypair")
    assert store.kdf is not None and store.kdf.describe() == "Argon2id, 3 passes, 256 MiB"
    assert unlock(store, Secret(PASS)).all_verified


def test_plaintext_ints_and_base58(tmp_path: Path) -> None:
    keys = plaintext_wallets(tmp_path / "home")
    (tmp_path / "home" / "wallets" / "broken.json").write_text("[1, 2, 3]")
    found = find_key_stores(tmp_path / "home", None)
    results = {s.path.name: unlock(s, Secret("")) for s in found.stores}
    for name in keys:
        r = results[name].results[0]
        assert r.status is WalletStatus.PLAINTEXT and r.public_key
    assert results["broken.json"].results[0].status is WalletStatus.UNRECOGNISED


def _home(tmp_path: Path, passphrase: str = PASS) -> tuple[Path, Path, dict[str, bytes]]:
    home, bot = tmp_path / "home", tmp_path / "bot"
    secrets = dict(treasury_folder(bot / "bots" / "treasury" / ".wallets", passphrase, iterations=1000))
    secret, _ = keypair_file(bot / "data" / "treasury_keypair.json", passphrase)
    secrets["keypair"] = secret
    old, _ = keypair_file(bot / "data" / "treasury_keypair.json.bak.20260101_120000", "old", rotated=True)
    secrets["old"] = old
    secrets.update(plaintext_wallets(home))
    return home, bot, secrets


def test_find_names_every_store_and_one_passphrase_unlocks_several(tmp_path: Path) -> None:
    home, bot, _ = _home(tmp_path)
    found = find_key_stores(home, bot)
    names = [s.name for s in found.stores]
    assert names[:3] == ["treasury", "keypair", "keypair-bak-20260101_120000"]
    assert {s.kind for s in found.stores} == {StoreKind.TREASURY_DIR, StoreKind.KEYPAIR, StoreKind.PLAINTEXT}
    locked = [s for s in found.stores if s.needs_passphrase]
    progress: list[tuple[int, int]] = []
    out = unlock_many(locked, Secret(PASS), options=FAST, progress=lambda d, t: progress.append((d, t)))
    assert out["treasury"].opened and out["keypair"].opened and not out["keypair-bak-20260101_120000"].opened
    assert progress[-1] == (4, 4)
    cancel = threading.Event()
    cancel.set()
    assert unlock_many(locked, Secret(PASS), options=FAST, cancel=cancel) == {}


def test_wallet_dir_setting_in_env_is_a_store(tmp_path: Path) -> None:
    bot = tmp_path / "bot"
    (bot / "bots" / "treasury").mkdir(parents=True)
    treasury_folder(tmp_path / "elsewhere", PASS, count=1, iterations=1000)
    (bot / ".env").write_text(f"DEMO_WALLET_DIR={tmp_path / 'elsewhere'}\nJARVIS_WALLET_PASSWORD=hunter2\n")
    found = find_key_stores(tmp_path / "home", bot)
    store = found.get("demo-wallet-dir")
    assert store is not None and store.kind is StoreKind.TREASURY_DIR and len(store.wallets) == 1
    assert store.env_vars[0] == "DEMO_TREASURY_WALLET_PASSWORD"
    assert [s.name for s in found.named_secrets] == ["JARVIS_WALLET_PASSWORD"]


def test_health_finds_plaintext_readable_default_and_rotated_without_secrets(tmp_path: Path) -> None:
    home, bot, secrets = _home(tmp_path)
    secrets.update(treasury_folder(bot / "bots" / "treasury" / ".wallets-demo", "default", count=1,
                                   iterations=1000))
    (home / "wallets" / "phantom_trading_wallet.json").chmod(0o644)
    (home / "wallets" / "phantom_trading_wallet.base58").chmod(0o600)
    found = find_key_stores(home, bot)
    report = check_health(found, tmp_path / "backups", options=FAST)
    ids = {f.id for f in report.findings}
    assert {"plaintext-key", "readable-key-file", "default-passphrase", "rotated-keypair", "not-backed-up",
            "kdf-strength"} <= ids
    default = [f for f in report.findings if f.id == "default-passphrase"]
    assert [f.store for f in default] == ["treasury-demo"] and default[0].severity is Severity.CRITICAL
    readable = {Path(f.path).name for f in report.findings if f.id == "readable-key-file"}
    assert "phantom_trading_wallet.json" in readable and "phantom_trading_wallet.base58" not in readable
    text = json.dumps([f.__dict__ for f in report.findings], default=str)
    for secret in secrets.values():
        for form in secret_forms(secret):
            assert form not in text
