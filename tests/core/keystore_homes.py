"""Independent writers of the bot's treasury envelopes (docs/data-formats.md, 'Treasury wallet folders',
'Treasury keypair file', 'Plaintext keys'), for the key-store tests.

Built with cryptography's Fernet, hashlib and PyNaCl directly, never through
lifeos_desk.core.keystores, so a mistake there cannot hide behind the same
mistake here. Base58 is vault_helpers' digit-list coder.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

import nacl.pwhash
import nacl.secret
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .vault_helpers import b58

SMALL_OPS = nacl.pwhash.argon2id.OPSLIMIT_MIN
SMALL_MEM = nacl.pwhash.argon2id.MEMLIMIT_MIN


def new_key() -> tuple[bytes, str]:
    """(64-byte secret key seed ‖ public, base58 address)."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return private.private_bytes_raw() + public, b58(public)


def treasury_folder(folder: Path, passphrase: str, count: int = 2, iterations: int = 480_000) -> dict[str, bytes]:
    """A SecureWallet folder: .salt, <address>.key tokens over raw 64 bytes, registry.json. address -> key."""
    folder.mkdir(parents=True, exist_ok=True)
    salt = os.urandom(32)
    (folder / ".salt").write_bytes(salt)
    fernet = Fernet(base64.urlsafe_b64encode(hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt,
                                                                 iterations, 32)))
    keys, registry = {}, {}
    for i in range(count):
        secret, address = new_key()
        (folder / f"{address}.key").write_bytes(fernet.encrypt(secret))
        registry[address] = {"address": address, "created_at": "2026-01-01T00:00:00", "label": f"Treasury {i}",
                             "balance_sol": 0.0, "balance_usd": 0.0, "is_treasury": i == 0}
        keys[address] = secret
    (folder / "registry.json").write_text(json.dumps(registry))
    return keys


def keypair_file(path: Path, passphrase: str, ops: int = SMALL_OPS, mem: int = SMALL_MEM,
                 rotated: bool = False) -> tuple[bytes, str]:
    """init_treasury_keypair.py's file (or rotate's shape without address/encryption)."""
    secret, address = new_key()
    salt, nonce = os.urandom(16), os.urandom(24)
    key = nacl.pwhash.argon2id.kdf(nacl.secret.SecretBox.KEY_SIZE, passphrase.encode(), salt, opslimit=ops,
                                   memlimit=mem)
    box = nacl.secret.SecretBox(key).encrypt(secret, nonce).ciphertext
    data: dict[str, str] = {"encrypted_key": base64.b64encode(box).decode(), "salt": base64.b64encode(salt).decode(),
                            "nonce": base64.b64encode(nonce).decode()}
    if not rotated:
        data = {"address": address, **data, "encryption": "nacl-argon2id", "created_by": "init_treasury_keypair.py"}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    return secret, address


def plaintext_wallets(home: Path) -> dict[str, bytes]:
    """wallets/phantom_trading_wallet.json (64 ints) and .base58, different keys. file name -> key."""
    folder = home / "wallets"
    folder.mkdir(parents=True, exist_ok=True)
    ints, _ = new_key()
    text, _ = new_key()
    (folder / "phantom_trading_wallet.json").write_text(json.dumps(list(ints)))
    (folder / "phantom_trading_wallet.base58").write_text(b58(text) + "\n")
    return {"phantom_trading_wallet.json": ints, "phantom_trading_wallet.base58": text}


def secret_forms(secret: bytes) -> list[str]:
    """Every text form a secret could leak in: hex, base58, base64 (std and urlsafe), of key and seed."""
    out = []
    for value in (secret, secret[:32]):
        out += [value.hex(), b58(value), base64.b64encode(value).decode().rstrip("="),
                base64.urlsafe_b64encode(value).decode().rstrip("="), json.dumps(list(value))[1:40]]
    return out
