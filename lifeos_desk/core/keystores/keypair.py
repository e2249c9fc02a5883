"""The treasury keypair file: Argon2id + XSalsa20-Poly1305 (libsodium), via PyNaCl.

docs/data-formats.md, 'Treasury keypair file': ``init_treasury_keypair.py``
writes ``{address, encrypted_key, salt, nonce, encryption: "nacl-argon2id",
created_by}``; ``rotate_treasury_keypair.py`` keeps the old file as
``treasury_keypair.json.bak.<UTC ts>`` and writes only ``{salt, nonce,
encrypted_key}``. Key = ``nacl.pwhash.argon2id.kdf(32, passphrase, salt,
OPSLIMIT_MODERATE, MEMLIMIT_MODERATE)``; ``encrypted_key`` is the SecretBox
ciphertext (MAC ‖ ciphertext, 80 bytes) over the raw 64 key bytes, the nonce
stored apart. Without PyNaCl the bot's reader tries a PBKDF2-480,000 Fernet
token with the same salt instead, and a plain JSON list of 64 integers is
read as the key itself; both are handled.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.pwhash
import nacl.secret
from cryptography.fernet import InvalidToken

from ..secrets import Secret
from ..vault import fernet_for, fernet_token_well_formed
from .files import KeyFileError, read_small
from .model import Kdf, KeyStore, StoredKey, StoreKind, UnlockResult, WalletResult, WalletStatus, check_raw_key
from .plaintext import key_from_ints, plain_check
from .treasury import TREASURY_ITERATIONS

SALT_BYTES = nacl.pwhash.argon2id.SALTBYTES  # 16
NONCE_BYTES = nacl.secret.SecretBox.NONCE_SIZE  # 24
BOX_BYTES = 64 + nacl.secret.SecretBox.MACBYTES  # 80
ENV_VARS = ("JARVIS_WALLET_PASSWORD",)  # _load_encrypted_keypair reads only this one


@dataclass(frozen=True)
class ArgonLimits:
    """Argon2id cost. The bot always uses libsodium's moderate limits; tests pass small ones."""

    opslimit: int = nacl.pwhash.argon2id.OPSLIMIT_MODERATE  # 3 passes
    memlimit: int = nacl.pwhash.argon2id.MEMLIMIT_MODERATE  # 256 MiB

    def kdf(self) -> Kdf:
        """The store's KDF description for the health check."""
        return Kdf("Argon2id", opslimit=self.opslimit, memlimit=self.memlimit)


BOT_LIMITS = ArgonLimits()


@dataclass(frozen=True)
class _Sealed:
    """The keypair file's encrypted fields (ciphertext, not a secret in readable form)."""

    salt: bytes
    nonce: bytes
    box: bytes


def _b64(data: dict[str, Any], name: str) -> bytes | None:
    value = data.get(name)
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value.encode("ascii"))
    except (binascii.Error, ValueError):
        return None


def read_keypair_file(path: Path, name: str, limits: ArgonLimits = BOT_LIMITS) -> KeyStore:
    """The keypair file as a store of one key; a list of 64 ints makes it a plaintext store."""
    try:
        data = json.loads(read_small(path))
    except (KeyFileError, ValueError) as exc:
        return _store(path, name, (_unreadable(path),), (f"not a readable JSON file ({exc})",), limits)
    if isinstance(data, list):
        check = plain_check(key_from_ints(data), "keypair file holding a plain list of integers")
        key = StoredKey(path.name, check.public_key, path, "plain list of integers", payload=check)
        return KeyStore(name, StoreKind.PLAINTEXT, path, (key,))
    if not isinstance(data, dict):
        return _store(path, name, (_unreadable(path),), ("neither a keypair object nor a list of integers",), limits)
    address = data.get("address") if isinstance(data.get("address"), str) else ""
    salt, nonce, box = _b64(data, "salt"), _b64(data, "nonce"), _b64(data, "encrypted_key")
    problems = []
    if salt is None or nonce is None or box is None:
        problems.append("salt, nonce or encrypted_key is missing or not base64")
        payload: _Sealed | None = None
    else:
        payload = _Sealed(salt, nonce, box)
    encryption = data.get("encryption")
    if encryption not in (None, "nacl-argon2id"):
        problems.append(f"unknown encryption {encryption!r}")
    label = "rotated copy" if ".bak." in path.name else ("rotated (no address stored)" if not address else "")
    return _store(path, name, (StoredKey(path.name, str(address), path, label, payload=payload),),
                  tuple(problems), limits)


def _unreadable(path: Path) -> StoredKey:
    """A placeholder key, so a file that cannot be read still shows as one unrecognised wallet."""
    return StoredKey(path.name, "", path, "unreadable", payload=None)


def _store(path: Path, name: str, wallets: tuple[StoredKey, ...], problems: tuple[str, ...],
           limits: ArgonLimits) -> KeyStore:
    return KeyStore(name, StoreKind.KEYPAIR, path, wallets, kdf=limits.kdf(), problems=problems, env_vars=ENV_VARS)


def argon2id_key(passphrase: Secret, salt: bytes, limits: ArgonLimits = BOT_LIMITS) -> bytes:
    """The SecretBox key for a passphrase: libsodium Argon2id, 32 bytes.

    Cost at the bot's limits: about 0.6 s of one core and 256 MiB of memory
    (docs/architecture.md, 'Argon2id cost'). libsodium releases the GIL, so
    call it from a worker thread (or a child process), never the UI thread,
    and never run two at once where memory is tight.
    """
    return nacl.pwhash.argon2id.kdf(nacl.secret.SecretBox.KEY_SIZE, passphrase.to_bytes(), salt,
                                    opslimit=limits.opslimit, memlimit=limits.memlimit)


def unlock_keypair(store: KeyStore, passphrase: Secret, limits: ArgonLimits = BOT_LIMITS) -> UnlockResult:
    """Decrypt the keypair in memory and check it (one Argon2id: see ``argon2id_key`` for the cost)."""
    start = time.perf_counter()
    results = tuple(_open_one(store, w, passphrase, limits) for w in store.wallets)
    return UnlockResult(store.name, any(r.opened for r in results), results, elapsed_s=time.perf_counter() - start)


def _open_one(store: KeyStore, wallet: StoredKey, passphrase: Secret, limits: ArgonLimits) -> WalletResult:
    def result(status: WalletStatus, detail: str, derived: str = "", opened: bool = False) -> WalletResult:
        return WalletResult(store.name, wallet.key, wallet.address, status, detail, wallet.path, derived, opened)

    sealed = wallet.payload
    if not isinstance(sealed, _Sealed):
        return result(WalletStatus.UNRECOGNISED, "; ".join(store.problems) or "no sealed key in the file")
    if sealed.box.startswith(b"gAAAAA"):
        return _open_fernet(sealed, passphrase, wallet.address, result)
    if len(sealed.salt) != SALT_BYTES or len(sealed.nonce) != NONCE_BYTES or len(sealed.box) != BOX_BYTES:
        return result(WalletStatus.TAMPERED, f"salt, nonce or box has the wrong length ({len(sealed.salt)}, "
                                             f"{len(sealed.nonce)}, {len(sealed.box)}; expected 16, 24, 80)")
    key = bytearray(argon2id_key(passphrase, sealed.salt, limits))
    try:
        raw = bytearray(nacl.secret.SecretBox(bytes(key)).decrypt(sealed.box, sealed.nonce))
    except nacl.exceptions.CryptoError:
        return result(WalletStatus.WRONG_PASSPHRASE, "the secret box's MAC failed: another passphrase, "
                                                     "or the file was altered")
    finally:
        key[:] = bytes(len(key))
    try:
        status, detail, derived = check_raw_key(raw, wallet.address)
    finally:
        raw[:] = bytes(len(raw))
    return result(status, detail, derived, True)


def _open_fernet(sealed: _Sealed, passphrase: Secret, address: str, result: Any) -> WalletResult:
    """The reader's fallback form: a PBKDF2-480,000 Fernet token over the raw key, same salt."""
    token = sealed.box
    if not fernet_token_well_formed(token):
        out: WalletResult = result(WalletStatus.TAMPERED, "not a well-formed Fernet token")
        return out
    try:
        raw = bytearray(fernet_for(passphrase, sealed.salt, TREASURY_ITERATIONS).decrypt(token))
    except InvalidToken:
        out = result(WalletStatus.WRONG_PASSPHRASE, "Fernet refused the token (PBKDF2 form)")
        return out
    try:
        status, detail, derived = check_raw_key(raw, address)
    finally:
        raw[:] = bytes(len(raw))
    out = result(status, f"PBKDF2+Fernet form; {detail}" if detail else "PBKDF2+Fernet form", derived, True)
    return out


def open_keypair_key(wallet: StoredKey, passphrase: Secret,
                     limits: ArgonLimits = BOT_LIMITS) -> bytearray | tuple[WalletStatus, str]:
    """The keypair's raw 64 key bytes (the caller wipes them), or (status, why) when it does not open.

    Slow like ``unlock_keypair``: one Argon2id (see ``argon2id_key`` for the cost).
    """
    sealed = wallet.payload
    if not isinstance(sealed, _Sealed):
        return WalletStatus.UNRECOGNISED, "no sealed key in the file"
    if sealed.box.startswith(b"gAAAAA"):
        if not fernet_token_well_formed(sealed.box):
            return WalletStatus.TAMPERED, "not a well-formed Fernet token"
        try:
            return bytearray(fernet_for(passphrase, sealed.salt, TREASURY_ITERATIONS).decrypt(sealed.box))
        except InvalidToken:
            return WalletStatus.WRONG_PASSPHRASE, "Fernet refused the token (PBKDF2 form)"
    if len(sealed.salt) != SALT_BYTES or len(sealed.nonce) != NONCE_BYTES or len(sealed.box) != BOX_BYTES:
        return WalletStatus.TAMPERED, "salt, nonce or box has the wrong length"
    key = bytearray(argon2id_key(passphrase, sealed.salt, limits))
    try:
        return bytearray(nacl.secret.SecretBox(bytes(key)).decrypt(sealed.box, sealed.nonce))
    except nacl.exceptions.CryptoError:
        return WalletStatus.WRONG_PASSPHRASE, "the secret box's MAC failed"
    finally:
        key[:] = bytes(len(key))
