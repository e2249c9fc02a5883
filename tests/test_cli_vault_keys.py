"""The real CLI on a home with all four envelopes: vault verify lists every wallet, vault health finds the planted
problems and prints no secret in any form."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nacl.pwhash
import pytest

from tests.core.keystore_homes import keypair_file, plaintext_wallets, secret_forms, treasury_folder
from tests.db.vault_homes import demo_copy

STATUSES = ("verified", "address mismatch", "wrong passphrase", "tampered", "unrecognised", "plaintext", "not checked")


def _cli(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lifeos_desk", "vault", *args], input=stdin, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=300, check=False)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("keys")
    home, passphrase = demo_copy(tmp_path_factory, root / "home", "deployed")
    bot = root / "bot"
    (bot / "core").mkdir(parents=True)
    secrets = dict(treasury_folder(bot / "bots" / "treasury" / ".wallets", passphrase, count=2))
    secrets.update(treasury_folder(bot / "bots" / "treasury" / ".wallets-demo", "default", count=1))
    secret, _ = keypair_file(bot / "data" / "treasury_keypair.json", passphrase,
                             nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE)
    secrets["keypair"] = secret
    secrets.update(plaintext_wallets(home))
    for key_file in (bot / "bots" / "treasury" / ".wallets").glob("*.key"):
        key_file.chmod(0o644)
    return home, bot, passphrase, secrets


def test_verify_lists_every_wallet_of_every_store(planted: tuple[Path, Path, str, dict[str, bytes]]) -> None:
    home, bot, passphrase, secrets = planted
    proc = _cli("verify", "--home", str(home), "--bot-dir", str(bot), "--passphrase-env", "treasury-demo=DEMO_PW",
                stdin=passphrase + "\n", env={"DEMO_PW": "default"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    by_store: dict[str, list[str]] = {}
    for line in proc.stdout.splitlines()[1:-1]:
        status = next(s for s in STATUSES if f"  {s}" in line)
        by_store.setdefault(line.split()[0], []).append(status)
    assert set(by_store) == {"public", "treasury", "treasury-demo", "keypair",
                             "plain:wallets/phantom_trading_wallet.json", "plain:wallets/phantom_trading_wallet.base58"}
    assert by_store["treasury"] == ["verified", "verified"] and by_store["keypair"] == ["verified"]
    assert all(s == "verified" for s in by_store["public"]) and len(by_store["public"]) >= 4
    assert by_store["plain:wallets/phantom_trading_wallet.json"] == ["plaintext"]
    assert passphrase not in proc.stdout + proc.stderr
    for secret in secrets.values():
        assert not any(form in proc.stdout for form in secret_forms(secret))


def test_verify_without_the_demo_passphrase_fails_that_store(planted: tuple[Path, Path, str, dict[str, bytes]]) -> None:
    home, bot, passphrase, _ = planted
    proc = _cli("verify", "--home", str(home), "--bot-dir", str(bot), "--quiet", stdin=passphrase + "\n")
    assert proc.returncode == 1 and "1 wrong passphrase" in proc.stdout
    bad = _cli("verify", "--home", str(home), "--bot-dir", str(bot), "--passphrase-env", "nosuch=X",
               env={"X": "y"})
    assert bad.returncode == 2 and "no store called nosuch" in bad.stderr


@pytest.mark.parametrize("as_json", [False, True])
def test_health_finds_plaintext_readable_and_default_without_secrets(
        planted: tuple[Path, Path, str, dict[str, bytes]], as_json: bool) -> None:
    home, bot, passphrase, secrets = planted
    proc = _cli("health", "--home", str(home), "--bot-dir", str(bot), *(["--json"] if as_json else []))
    assert proc.returncode == 1, proc.stderr
    if as_json:
        findings = json.loads(proc.stdout)["findings"]
        ids = {f["id"] for f in findings}
        default = [f for f in findings if f["id"] == "default-passphrase"]
        assert [f["store"] for f in default] == ["treasury-demo"]
    else:
        ids = {line.split()[1].rstrip(":") for line in proc.stdout.splitlines() if line.startswith("[")}
    assert {"plaintext-key", "readable-key-file", "default-passphrase", "not-backed-up", "kdf-strength"} <= ids
    assert passphrase not in proc.stdout + proc.stderr
    for secret in secrets.values():
        for form in secret_forms(secret):
            assert form not in proc.stdout + proc.stderr
