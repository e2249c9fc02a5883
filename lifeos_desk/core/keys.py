"""Wallet key envelopes: PBKDF2-HMAC-SHA256 + Fernet, as the deployed bot writes them.

Format (docs/data-formats.md, 'Public wallet envelope'): stored value = standard base64 of
``salt(16) || fernet_token``, the Fernet key being urlsafe-base64 of
PBKDF2-HMAC-SHA256(passphrase, salt, 100_000, 32). ADR-005's BLOB column holds
the same envelope either as the base64 text's bytes or as raw ``salt || token``.
The plaintext is the base58 text of a 64-byte Solana secret key (seed || pubkey).

Nothing here logs or keeps a secret; callers own the lifetime of what they get.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import os
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .base58 import Base58Error, b58decode, b58encode

BOT_ITERATIONS = 100_000
SALT_LEN = 16
_FERNET_PREFIX = b"gAAAAA"
#: The longest base58 text of a 64-byte key (all 0xff bytes). Longer text decodes to more than 64
#: bytes, which the bot refuses too, so it is refused before decoding (a 400 KB "key" took 26 s).
MAX_KEY_CHARS = 88
_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


class EnvelopeFormatError(ValueError):
    """The stored value is not a salt+Fernet envelope in any known form."""


class DecryptError(ValueError):
    """Fernet refused the token: wrong passphrase, or the token was altered."""


class StoredForm(enum.Enum):
    """How an envelope sits in the database column."""

    BASE64_TEXT = "base64 text"  # deployed bot, TEXT column
    BASE64_BYTES = "base64 bytes"  # ADR BLOB holding the text's bytes
    RAW_BYTES = "raw bytes"  # ADR BLOB holding salt || token


@dataclass(frozen=True)
class Envelope:
    """A parsed envelope: the salt and the Fernet token, no secret inside."""

    salt: bytes
    token: bytes
    form: StoredForm


def derive_fernet_key(passphrase: str, salt: bytes, iterations: int = BOT_ITERATIONS) -> bytes:
    """The Fernet key the bot derives for one wallet (slow by design)."""
    raw = hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), salt, iterations, 32)
    return base64.urlsafe_b64encode(raw)


def parse_envelope(value: str | bytes | bytearray | memoryview) -> Envelope:
    """Split a stored value into salt and token, accepting every stored form."""
    if isinstance(value, (bytearray, memoryview)):
        value = bytes(value)
    if isinstance(value, bytes):
        if value[SALT_LEN : SALT_LEN + len(_FERNET_PREFIX)] == _FERNET_PREFIX:
            return _checked(value[:SALT_LEN], value[SALT_LEN:], StoredForm.RAW_BYTES)
        try:
            text = value.decode("ascii")
        except UnicodeDecodeError:
            raise EnvelopeFormatError("neither base64 text nor salt+token bytes") from None
        env = parse_envelope(text)
        return Envelope(env.salt, env.token, StoredForm.BASE64_BYTES)
    if not isinstance(value, str):
        raise EnvelopeFormatError(f"unexpected value type {type(value).__name__}")
    return _checked(*_split(bot_b64decode(value)), StoredForm.BASE64_TEXT)


def bot_b64decode(text: str) -> bytes:
    """The envelope's bytes exactly as the bot's decryptor gets them.

    The bot (core/wallet_service.py, ``WalletEncryption.decrypt_private_key``)
    calls ``base64.b64decode(text.encode())`` without ``validate``: characters
    outside the base64 alphabet (spaces, the line breaks of MIME-wrapped base64)
    are dropped, a wrong padding is an error, and text that is not encodable
    as UTF-8 fails. The same call is made here, so a value counts as an
    envelope exactly when the bot can read one from it.
    """
    try:
        return base64.b64decode(text.encode("utf-8"))
    except (binascii.Error, ValueError):  # UnicodeEncodeError is a ValueError
        raise EnvelopeFormatError("not base64 text") from None


def damaged_envelope(value: str | bytes) -> bool:
    """A value that is almost an envelope (e.g. truncated base64) counts as corrupt, not unknown."""
    raw = value.encode("utf-8", "replace") if isinstance(value, str) else value
    text = raw.translate(None, bytes(set(range(256)) - set(_B64_ALPHABET))).rstrip(b"=")  # what the bot keeps
    usable = text[: len(text) - len(text) % 4]
    try:
        blob = base64.b64decode(usable, validate=True)
    except (binascii.Error, ValueError):
        return False
    return blob[SALT_LEN : SALT_LEN + 6] == _FERNET_PREFIX


def _split(blob: bytes) -> tuple[bytes, bytes]:
    return blob[:SALT_LEN], blob[SALT_LEN:]


def _checked(salt: bytes, token: bytes, form: StoredForm) -> Envelope:
    if len(salt) != SALT_LEN or not token.startswith(_FERNET_PREFIX):
        raise EnvelopeFormatError("too short, or no Fernet token after the 16-byte salt")
    return Envelope(salt, token, form)


def seal(
    plaintext: str,
    passphrase: str,
    iterations: int = BOT_ITERATIONS,
    salt: bytes | None = None,
    form: StoredForm = StoredForm.BASE64_TEXT,
) -> str | bytes:
    """Encrypt as the bot does; returns the value to store in the given form."""
    salt = os.urandom(SALT_LEN) if salt is None else salt
    token = Fernet(derive_fernet_key(passphrase, salt, iterations)).encrypt(plaintext.encode("utf-8"))
    blob = salt + token
    if form is StoredForm.RAW_BYTES:
        return blob
    text = base64.b64encode(blob).decode("ascii")
    return text.encode("ascii") if form is StoredForm.BASE64_BYTES else text


def open_envelope(env: Envelope, passphrase: str, iterations: int = BOT_ITERATIONS) -> str:
    """Decrypt one envelope; raises DecryptError without saying anything secret."""
    try:
        plain = Fernet(derive_fernet_key(passphrase, env.salt, iterations)).decrypt(env.token)
    except InvalidToken:
        raise DecryptError("Fernet refused the token") from None
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:
        raise DecryptError("decrypted bytes are not UTF-8") from None


def keypair_from_seed(seed: bytes) -> bytes:
    """The 64-byte Solana secret key (seed || ed25519 public key) for a 32-byte seed."""
    if len(seed) != 32:
        raise ValueError("an ed25519 seed is 32 bytes")
    pub = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return seed + pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class KeyCheck(enum.Enum):
    """Outcome of checking a decrypted secret against its stored address."""

    VERIFIED = "verified"
    NOT_A_KEY = "not a 64-byte base58 key"
    TOO_LONG = "too long to be a key"
    PUBKEY_MISMATCH = "public half does not match the seed"
    ADDRESS_MISMATCH = "address mismatch"


def bot_key_bytes(secret_b58: str) -> bytes:
    """The bytes the bot's base58 decoder reads from a decrypted key text.

    The bot loads a decrypted key with the ``base58`` package's ``b58decode``
    (core/wallet_service.py, ``load_keypair_from_private_key``), which drops
    trailing whitespace (``str.rstrip``) and refuses any other character outside
    the alphabet, leading whitespace included. Raises Base58Error like it
    (and for text too long to be a key, before decoding).
    """
    body = secret_b58.rstrip()
    if len(body) > MAX_KEY_CHARS:
        raise Base58Error(f"{len(body)} characters, more than a key's {MAX_KEY_CHARS}")
    return b58decode(body)


def check_secret(secret_b58: str, address: str) -> KeyCheck:
    """Check a decrypted key text as the bot would load it: base58 of a 64-byte key (public half
    derived from the seed) or of a 32-byte seed (the bot expands it), whose address is ``address``."""
    if len(secret_b58.rstrip()) > MAX_KEY_CHARS:
        return KeyCheck.TOO_LONG
    try:
        raw = bot_key_bytes(secret_b58)
    except Base58Error:
        return KeyCheck.NOT_A_KEY
    if len(raw) == 32:
        raw = keypair_from_seed(raw)
    if len(raw) != 64:
        return KeyCheck.NOT_A_KEY
    derived = keypair_from_seed(raw[:32])[32:]
    if derived != raw[32:]:
        return KeyCheck.PUBKEY_MISMATCH
    if b58encode(derived) != address.strip():
        return KeyCheck.ADDRESS_MISMATCH
    return KeyCheck.VERIFIED
