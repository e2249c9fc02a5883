"""What the key stores hold, as plain values: stores, stored keys, results.

A *store* is one place that guards keys under one passphrase
(docs/data-formats.md, 'Wallet passphrases'): the public users' database, a
treasury wallet folder (one ``.salt``, so one key for the whole folder), a
treasury keypair file (current or rotated), or the plaintext key files,
which need none. Everything here is frozen and free of secrets in readable
form: a stored key's ciphertext is kept out of ``repr`` and comparisons, so
results may go to a model, the audit log or a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..base58 import b58encode
from ..vault import WalletRecord

#: OWASP's 2023 advice for PBKDF2-HMAC-SHA256, the yardstick of the health check.
OWASP_PBKDF2_ITERATIONS = 600_000


class StoreKind(StrEnum):
    """Which envelope a store uses (one section each in docs/data-formats.md)."""

    PUBLIC_DB = "public wallets"  # 'Public wallet envelope'
    TREASURY_DIR = "treasury wallet folder"  # 'Treasury wallet folders'
    KEYPAIR = "treasury keypair"  # 'Treasury keypair file'
    PLAINTEXT = "plaintext keys"  # 'Plaintext keys'


class WalletStatus(StrEnum):
    """What checking one stored key found."""

    VERIFIED = "verified"
    ADDRESS_MISMATCH = "address mismatch"
    WRONG_PASSPHRASE = "wrong passphrase"
    TAMPERED = "tampered"
    UNRECOGNISED = "unrecognised"
    PLAINTEXT = "plaintext"
    NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class Kdf:
    """How a store turns a passphrase into a key (for the health check's strength report)."""

    name: str  # "PBKDF2-HMAC-SHA256" or "Argon2id"
    iterations: int = 0  # PBKDF2
    opslimit: int = 0  # Argon2id passes
    memlimit: int = 0  # Argon2id bytes
    per_wallet: bool = False  # one derivation per wallet (own salt) rather than one per store

    def describe(self) -> str:
        """'PBKDF2-HMAC-SHA256, 100,000 iterations' / 'Argon2id, 3 passes, 256 MiB'."""
        if self.name == "Argon2id":
            return f"Argon2id, {self.opslimit} passes, {self.memlimit >> 20} MiB"
        return f"{self.name}, {self.iterations:,} iterations"


@dataclass(frozen=True)
class StoredKey:
    """One key as it lies in a store: the address it claims and where it sits.

    ``payload`` is what the store's opener needs (a Fernet token, the keypair
    file's fields, a ``WalletRecord``, or for plaintext the raw key bytes):
    never shown, never compared. ``address`` is the stored address, or for
    plaintext and rotated keypairs the one derived from the key ("" if none).
    """

    key: str
    address: str
    path: Path
    label: str = ""
    payload: object = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class KeyStore:
    """One store: its name (what ``--passphrase-env NAME=VAR`` names), kind, path, KDF and keys.

    ``problems`` are facts found while reading it without a passphrase (a
    missing ``.salt``, a file that is not JSON); they never hold a secret.
    """

    name: str
    kind: StoreKind
    path: Path
    wallets: tuple[StoredKey, ...]
    kdf: Kdf | None = None
    problems: tuple[str, ...] = ()
    env_vars: tuple[str, ...] = ()  # where the bot reads this store's passphrase from

    @property
    def needs_passphrase(self) -> bool:
        """Plaintext stores open without one."""
        return self.kind is not StoreKind.PLAINTEXT


@dataclass(frozen=True)
class WalletResult:
    """The outcome for one stored key; ``detail`` says why, never with a secret."""

    store: str
    key: str
    address: str
    status: WalletStatus
    detail: str = ""
    path: Path | None = None
    public_key: str = ""  # derived from the decrypted key (empty when it did not open)
    opened: bool = False  # the passphrase decrypted this key (whatever the check then found)


@dataclass(frozen=True)
class UnlockResult:
    """What one passphrase did to one store."""

    store: str
    opened: bool  # the passphrase decrypted at least one key of the store
    results: tuple[WalletResult, ...]
    cancelled: bool = False
    elapsed_s: float = 0.0
    gave_up: bool = False  # stopped after the first few keys refused the passphrase (UnlockOptions.give_up_after)

    @property
    def all_verified(self) -> bool:
        """Every key opened and matched its address (plaintext keys count when they match)."""
        ok = (WalletStatus.VERIFIED, WalletStatus.PLAINTEXT)
        return not self.cancelled and all(r.status in ok for r in self.results)


def public_key_of(secret64: bytes) -> bytes:
    """The ed25519 public key derived from the first 32 bytes (the seed) of a secret key."""
    pub = Ed25519PrivateKey.from_private_bytes(secret64[:32]).public_key()
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def check_raw_key(raw: bytes | bytearray, address: str) -> tuple[WalletStatus, str, str]:
    """(status, detail, derived address) for raw secret-key bytes against a stored address.

    The bot loads these with ``Keypair.from_bytes``, which wants 64 bytes:
    seed ‖ public key. The public half must be the one the seed gives, and its
    base58 must equal the stored address; an empty ``address`` (a rotated
    keypair file stores none) checks only the first rule.
    """
    if len(raw) != 64:
        return WalletStatus.TAMPERED, f"decrypted value is {len(raw)} bytes, not a 64-byte secret key", ""
    derived = public_key_of(bytes(raw))
    derived_b58 = b58encode(derived)
    if derived != bytes(raw[32:]):
        return WalletStatus.ADDRESS_MISMATCH, "the key's public half does not match its seed", derived_b58
    if address and derived_b58 != address.strip():
        return WalletStatus.ADDRESS_MISMATCH, f"the key belongs to {derived_b58}", derived_b58
    return WalletStatus.VERIFIED, "" if address else f"no address stored; the key is {derived_b58}", derived_b58


def public_record(record: WalletRecord, db: Path) -> StoredKey:
    """A public user's wallet row as a stored key of the public store."""
    return StoredKey(key=str(record.key), address=record.address, path=db, label=record.owner, payload=record)
