"""Plaintext keys on disk: wallet files, ``secrets/keys.json``, ``.env`` settings.

docs/data-formats.md, 'Plaintext keys': ``~/.lifeos/wallets/*.json`` holds a
JSON list of 64 integers (Solana CLI format), ``*.base58`` the base58 text of
the 64 bytes, and ``secrets/keys.json`` may carry a wallet under
``solana_private_key``, ``solana_key``, ``private_key`` or ``wallet_key``
(a list of ints or base58; the bot looks only at the top level) beside API
keys and tokens. The bot loads each with ``Keypair.from_bytes``: 64 bytes.

Reading keeps no secret: each key is checked at once and only what the check
found (``PlainCheck``: status, the address it controls) stays in the store.
Names of API keys are reported, never their values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..base58 import Base58Error, b58decode
from .files import KeyFileError, read_small
from .model import KeyStore, StoredKey, StoreKind, WalletStatus, check_raw_key

WALLET_FIELDS = ("solana_private_key", "solana_key", "private_key", "wallet_key")
_SECRET_NAME = re.compile(r"(pass(word|phrase)?|secret|token|api[_-]?key|private[_-]?key|seed|mnemonic|credential)",
                          re.IGNORECASE)


@dataclass(frozen=True)
class PlainCheck:
    """What reading one plaintext key found; holds no secret."""

    status: WalletStatus
    detail: str
    public_key: str


@dataclass(frozen=True)
class NamedSecret:
    """A non-wallet secret found in plaintext (an API key, a token, a passphrase): its name only."""

    path: Path
    name: str
    kind: str  # "api key" / "passphrase" / "token"


def key_from_ints(data: object) -> bytes | None:
    """The bytes of a JSON list of integers 0..255, or None."""
    if not isinstance(data, list) or not all(isinstance(v, int) and 0 <= v <= 255 for v in data):
        return None
    return bytes(data)


def plain_check(raw: bytes | None, what: str) -> PlainCheck:
    """Check plaintext key bytes at once (64 bytes, public half from the seed) and keep only the outcome."""
    if raw is None:
        return PlainCheck(WalletStatus.UNRECOGNISED, f"{what}: not a key the bot can load", "")
    buf = bytearray(raw)
    try:
        status, detail, derived = check_raw_key(buf, "")
    finally:
        buf[:] = bytes(len(buf))
    if status is WalletStatus.VERIFIED:
        return PlainCheck(WalletStatus.PLAINTEXT, f"{what}, readable without a passphrase", derived)
    if status is WalletStatus.TAMPERED:  # wrong length: no key at all, rather than a damaged one
        status = WalletStatus.UNRECOGNISED
    return PlainCheck(status, f"{what}: {detail}", derived)


def _from_base58(text: str) -> bytes | None:
    text = text.strip()
    if len(text) > 100:
        return None
    try:
        return b58decode(text)
    except Base58Error:
        return None


def _key_value(value: object) -> bytes | None:
    if isinstance(value, str):
        return _from_base58(value)
    return key_from_ints(value)


def _plain_key(path: Path, key: str, label: str, check: PlainCheck) -> StoredKey:
    return StoredKey(key=key, address=check.public_key, path=path, label=label, payload=check)


def read_wallet_file(path: Path, name: str) -> KeyStore:
    """``wallets/*.json`` (list of 64 ints) or ``wallets/*.base58``, as a plaintext store of one key."""
    try:
        data = read_small(path)
    except KeyFileError as exc:
        check = PlainCheck(WalletStatus.UNRECOGNISED, str(exc), "")
    else:
        if path.suffix == ".base58":
            check = plain_check(_from_base58(data.decode("ascii", "replace")), "base58 key file")
        else:
            try:
                check = plain_check(key_from_ints(json.loads(data)), "JSON list of integers")
            except ValueError:
                check = PlainCheck(WalletStatus.UNRECOGNISED, "not JSON", "")
    return KeyStore(name, StoreKind.PLAINTEXT, path, (_plain_key(path, path.name, "wallet file", check),))


def read_keys_json(path: Path, name: str) -> tuple[KeyStore, list[NamedSecret]]:
    """``secrets/keys.json``: the wallet fields as plaintext keys, and the names of the other secrets."""
    try:
        data = json.loads(read_small(path))
    except (KeyFileError, ValueError) as exc:
        return KeyStore(name, StoreKind.PLAINTEXT, path, (), problems=(f"unreadable ({exc})",)), []
    wallets: list[StoredKey] = []
    if isinstance(data, dict):
        for field in WALLET_FIELDS:
            if field in data:
                check = plain_check(_key_value(data[field]), f"'{field}' in keys.json")
                wallets.append(_plain_key(path, field, "keys.json", check))
    others = [NamedSecret(path, n, _kind(n)) for n in _secret_names(data, "") if n not in WALLET_FIELDS]
    return KeyStore(name, StoreKind.PLAINTEXT, path, tuple(wallets)), others


def _secret_names(data: object, prefix: str) -> list[str]:
    """Dotted names of every non-empty string (or list) value in a JSON document, nested by service."""
    out: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                out += _secret_names(value, name + ".")
            elif (isinstance(value, str) and value.strip()) or (isinstance(value, list) and value):
                out.append(name)
    return out


def _kind(name: str) -> str:
    low = name.lower()
    if "pass" in low:
        return "passphrase"
    if "token" in low:
        return "token"
    return "api key"


def env_secrets(path: Path) -> list[NamedSecret]:
    """``KEY=VALUE`` lines of a ``.env`` file whose name says secret and whose value is not empty."""
    try:
        text = read_small(path).decode("utf-8", "replace")
    except KeyFileError:
        return []
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.strip().removeprefix("export ").strip()
        if _SECRET_NAME.search(key) and value.strip().strip("'\""):
            out.append(NamedSecret(path, key, _kind(key)))
    return out


def env_settings(path: Path) -> dict[str, str]:
    """The non-secret ``KEY=VALUE`` settings of a ``.env`` file (used for ``*WALLET_DIR``)."""
    try:
        text = read_small(path).decode("utf-8", "replace")
    except KeyFileError:
        return {}
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            key = key.strip().removeprefix("export ").strip()
            if not _SECRET_NAME.search(key):
                out[key] = value.strip().strip("'\"")
    return out


def plain_key_bytes(path: Path, key: str) -> bytes | None:
    """Read a plaintext key again, at reveal time (reading a store keeps none): None if it is not one.

    ``key`` is the stored key's name: a ``keys.json`` field, or the file's own
    name for a wallet file or a keypair file holding a list of integers.
    """
    try:
        data = read_small(path)
    except KeyFileError:
        return None
    if path.suffix == ".base58":
        return _from_base58(data.decode("ascii", "replace"))
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    if isinstance(doc, dict):
        return _key_value(doc.get(key)) if key in WALLET_FIELDS else None
    return key_from_ints(doc)
