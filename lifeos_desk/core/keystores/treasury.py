"""Treasury wallet folders: one ``.salt``, one Fernet token per ``<address>.key``.

docs/data-formats.md, 'Treasury wallet folders' (``SecureWallet`` in the
bot's ``bots/treasury/wallet.py``): the Fernet key is urlsafe-base64 of
PBKDF2-HMAC-SHA256(passphrase, the folder's 32-byte salt, 480,000, 32), and
each ``.key`` file holds the raw token (no base64 around it) over the raw
64 secret-key bytes. One salt per folder means one derivation unlocks every
wallet of it: ~0.2 s of one core for the folder, then milliseconds per key.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

from cryptography.fernet import InvalidToken

from ..secrets import Secret
from ..vault import fernet_for, fernet_token_well_formed
from .files import KeyFileError, read_small, regular_files
from .model import Kdf, KeyStore, StoredKey, StoreKind, UnlockResult, WalletResult, WalletStatus, check_raw_key

TREASURY_ITERATIONS = 480_000
SALT_FILE = ".salt"
SALT_BYTES = 32
REGISTRY = "registry.json"
KDF = Kdf("PBKDF2-HMAC-SHA256", iterations=TREASURY_ITERATIONS)
# TreasuryTrader._get_wallet_password's order (docs/data-formats.md, 'Wallet passphrases').
ENV_VARS = ("TREASURY_WALLET_PASSWORD", "JARVIS_WALLET_PASSWORD", "WALLET_PASSWORD")


def _registry(folder: Path) -> tuple[dict[str, str], str]:
    """address -> label from registry.json, and a problem text ('' when fine or absent)."""
    path = folder / REGISTRY
    if not path.exists():
        return {}, ""
    try:
        data = json.loads(read_small(path))
    except (KeyFileError, ValueError) as exc:
        return {}, f"registry.json is unreadable ({exc})"
    if not isinstance(data, dict):
        return {}, "registry.json is not a JSON object"
    labels = {}
    for address, info in data.items():
        label = info.get("label") if isinstance(info, dict) else None
        flag = " (treasury)" if isinstance(info, dict) and info.get("is_treasury") else ""
        labels[str(address)] = f"{label}{flag}" if isinstance(label, str) else ""
    return labels, ""


def read_treasury_dir(folder: Path, name: str, env_prefix: str = "") -> KeyStore:
    """The folder as a store: its keys (tokens as payload), labels, and problems found without a passphrase."""
    problems: list[str] = []
    labels, problem = _registry(folder)
    if problem:
        problems.append(problem)
    wallets: list[StoredKey] = []
    for path in regular_files(folder):
        if path.suffix != ".key":
            continue
        address = path.stem
        try:
            token: bytes | None = read_small(path)
        except KeyFileError as exc:
            token = None
            problems.append(f"{path.name}: {exc}")
        wallets.append(StoredKey(key=path.name, address=address, path=path, label=labels.get(address, ""),
                                 payload=token))
    for address in sorted(set(labels) - {w.address for w in wallets}):
        problems.append(f"registry.json lists {address} but its .key file is missing")
    salt_path = folder / SALT_FILE
    if not salt_path.exists():
        problems.append("no .salt: the bot would make a new one, and no existing key would open")
    env = tuple(f"{env_prefix}{v}" for v in ENV_VARS) + (ENV_VARS if env_prefix else ())
    return KeyStore(name=name, kind=StoreKind.TREASURY_DIR, path=folder, wallets=tuple(wallets), kdf=KDF,
                    problems=tuple(problems), env_vars=env)


def _salt(folder: Path) -> tuple[bytes | None, str]:
    try:
        salt = read_small(folder / SALT_FILE, cap=4096)
    except KeyFileError as exc:
        return None, f"the folder's .salt cannot be read ({exc})"
    return salt, "" if len(salt) == SALT_BYTES else f"the .salt is {len(salt)} bytes, not {SALT_BYTES}"


def unlock_treasury_dir(store: KeyStore, passphrase: Secret, iterations: int = TREASURY_ITERATIONS) -> UnlockResult:
    """Derive the folder's key once (slow: 480,000 PBKDF2 iterations) and check every wallet.

    Safe to call from a worker thread: it touches no shared state. A token
    that fails while others in the same folder open was altered (or sealed by
    another passphrase): one key serves the whole folder.
    """
    start = time.perf_counter()
    salt, note = _salt(store.path)
    if salt is None:
        results = tuple(_result(store, w, WalletStatus.UNRECOGNISED, note) for w in store.wallets)
        return UnlockResult(store.name, False, results, elapsed_s=time.perf_counter() - start)
    fernet = fernet_for(passphrase, salt, iterations)
    outcomes: list[WalletResult] = []
    refused: list[StoredKey] = []
    decrypted = 0
    for wallet in store.wallets:
        token = wallet.payload
        if not isinstance(token, bytes):
            outcomes.append(_result(store, wallet, WalletStatus.UNRECOGNISED, "the .key file cannot be read"))
            continue
        token = token.strip()
        if not fernet_token_well_formed(token):
            outcomes.append(_result(store, wallet, WalletStatus.TAMPERED, "not a well-formed Fernet token"))
            continue
        try:
            raw = bytearray(fernet.decrypt(token))
        except InvalidToken:
            refused.append(wallet)
            continue
        decrypted += 1
        try:
            status, detail, derived = check_raw_key(raw, wallet.address)
        finally:
            raw[:] = bytes(len(raw))
        outcomes.append(_result(store, wallet, status, detail, derived, opened=True))
    opened = decrypted > 0
    for wallet in refused:
        if opened:
            outcomes.append(_result(store, wallet, WalletStatus.TAMPERED,
                                    "the folder's key opened other wallets but not this one: altered, "
                                    "or sealed under another passphrase"))
        else:
            outcomes.append(_result(store, wallet, WalletStatus.WRONG_PASSPHRASE, "Fernet refused the token"))
    order = {w.key: i for i, w in enumerate(store.wallets)}
    outcomes.sort(key=lambda r: order[r.key])
    if note:
        outcomes = [_with_note(r, note) for r in outcomes]
    return UnlockResult(store.name, opened, tuple(outcomes), elapsed_s=time.perf_counter() - start)


def _result(store: KeyStore, wallet: StoredKey, status: WalletStatus, detail: str,
            derived: str = "", opened: bool = False) -> WalletResult:
    return WalletResult(store.name, wallet.key, wallet.address, status, detail, wallet.path, derived, opened)


def _with_note(result: WalletResult, note: str) -> WalletResult:
    detail = f"{result.detail}; {note}" if result.detail else note
    return dataclasses.replace(result, detail=detail)


def open_treasury_key(store: KeyStore, wallet: StoredKey, passphrase: Secret,
                      iterations: int = TREASURY_ITERATIONS) -> bytearray | tuple[WalletStatus, str]:
    """One wallet's raw 64 key bytes (the caller wipes them), or (status, why) when it does not open.

    Slow like ``unlock_treasury_dir``: one PBKDF2 of 480,000 iterations.
    """
    salt, note = _salt(store.path)
    if salt is None or note:
        return WalletStatus.UNRECOGNISED, note
    token = wallet.payload
    if not isinstance(token, bytes) or not fernet_token_well_formed(token.strip()):
        return WalletStatus.TAMPERED, "the .key file is not a well-formed Fernet token"
    try:
        return bytearray(fernet_for(passphrase, salt, iterations).decrypt(token.strip()))
    except InvalidToken:
        return WalletStatus.WRONG_PASSPHRASE, "Fernet refused the token"
