"""Helpers shared by the vault tests: an independent writer/reader of
docs/data-formats.md, 'Public wallet envelope'.

Written from the format description only (Fernet spec + PBKDF2 + base64), using
cryptography's AES/HMAC primitives and a separate base58 coder, so a mistake in
lifeos_desk.core.keys/vault cannot hide behind the same mistake here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from lifeos_desk.core.keys import BOT_ITERATIONS, keypair_from_seed
from lifeos_desk.core.vault import WalletRecord
from lifeos_desk.core.wallet_ids import WalletKey

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

# RFC 8032 section 7.1, TEST 1: an ed25519 seed and its public key.
RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUB = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


def b58(data: bytes) -> str:
    """Base58 by long division over a digit list (not the package's big-int way)."""
    digits = [0]
    for byte in data:
        carry = byte
        for i in range(len(digits)):
            carry += digits[i] << 8
            digits[i] = carry % 58
            carry //= 58
        while carry:
            digits.append(carry % 58)
            carry //= 58
    zeros = len(data) - len(data.lstrip(b"\0"))
    body = "".join(_B58[d] for d in reversed(digits)).lstrip("1") if any(digits) else ""
    return "1" * zeros + body


def fernet_key(passphrase: str, salt: bytes, iterations: int = BOT_ITERATIONS) -> bytes:
    """32 raw bytes of PBKDF2-HMAC-SHA256; their urlsafe-b64 text is the Fernet key.

    docs/data-formats.md, 'Public wallet envelope', step 2.
    """
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), salt, iterations, 32)


def fernet_encrypt(key32: bytes, plaintext: bytes, iv: bytes, timestamp: int) -> bytes:
    """Fernet spec: 0x80 | ts | iv | AES-128-CBC(PKCS7) | HMAC-SHA256, urlsafe base64."""
    signing, encryption = key32[:16], key32[16:]
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    enc = Cipher(algorithms.AES(encryption), modes.CBC(iv)).encryptor()
    body = b"\x80" + struct.pack(">Q", timestamp) + iv + enc.update(padded) + enc.finalize()
    return base64.urlsafe_b64encode(body + hmac.new(signing, body, hashlib.sha256).digest())


def fernet_decrypt(key32: bytes, token: bytes) -> bytes:
    """Check the HMAC and decrypt (raises ValueError on a bad HMAC)."""
    raw = base64.urlsafe_b64decode(token)
    body, mac = raw[:-32], raw[-32:]
    if not hmac.compare_digest(hmac.new(key32[:16], body, hashlib.sha256).digest(), mac):
        raise ValueError("bad HMAC")
    dec = Cipher(algorithms.AES(key32[16:]), modes.CBC(body[9:25])).decryptor()
    padded = dec.update(body[25:]) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def stored_value(passphrase: str, seed: bytes, salt: bytes, iv: bytes = bytes(16), timestamp: int = 1_700_000_000,
                 iterations: int = BOT_ITERATIONS, secret64: bytes | None = None) -> tuple[str, str, str]:
    """(stored base64 text, plaintext key text, address) for a seed, as the bot would store it."""
    secret = secret64 if secret64 is not None else keypair_from_seed(seed)
    plain = b58(secret)
    token = fernet_encrypt(fernet_key(passphrase, salt, iterations), plain.encode("ascii"), iv, timestamp)
    return base64.b64encode(salt + token).decode("ascii"), plain, b58(secret[32:])


def record(key: WalletKey, stored: str | bytes | None, address: str, owner: str = "alice") -> WalletRecord:
    """A WalletRecord for tests."""
    return WalletRecord(key=key, user_id=1, owner=owner, label="generated", address=address, is_default=False,
                        stored=stored)
