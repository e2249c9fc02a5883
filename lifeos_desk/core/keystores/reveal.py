"""One wallet's secret key out of an unlocked store, for the vault's key panel (reveal, copy).

Every store kind answers here: the public wallets (core/vault ``open_wallet``),
a treasury folder (one PBKDF2-480,000), a keypair file (one Argon2id: 256 MiB,
~0.6 s at the bot's limits, docs/architecture.md, 'Argon2id cost') and the
plaintext files, read again because reading a store keeps no key. So call
``open_stored_key`` from a worker thread. The key comes back as a ``Secret``
holding the base58 text of the 64 bytes (what Phantom and ``solana-keygen``
import, and the form the public wallets' envelope holds); the raw bytes are
wiped before returning. A failure raises ``KeyOpenError`` with a status and a
reason, never with the secret.
"""

from __future__ import annotations

from ..base58 import b58encode
from ..secrets import Secret
from ..vault import WalletError, WalletRecord, open_wallet
from .keypair import open_keypair_key
from .model import KeyStore, StoredKey, StoreKind, WalletStatus, check_raw_key
from .plaintext import plain_key_bytes
from .treasury import open_treasury_key
from .unlock import DEFAULT_OPTIONS, UnlockOptions


class KeyOpenError(Exception):
    """A stored key could not be revealed: ``status`` and a reason without any secret."""

    def __init__(self, status: WalletStatus, detail: str) -> None:
        super().__init__(f"{status.value}: {detail}" if detail else status.value)
        self.status = status
        self.detail = detail


def _stored(store: KeyStore, key: str) -> StoredKey:
    for wallet in store.wallets:
        if wallet.key == key:
            return wallet
    raise KeyOpenError(WalletStatus.UNRECOGNISED, f"{store.name} has no key {key!r}")


def _raw(store: KeyStore, wallet: StoredKey, passphrase: Secret,
         options: UnlockOptions) -> bytearray | tuple[WalletStatus, str]:
    if store.kind is StoreKind.TREASURY_DIR:
        return open_treasury_key(store, wallet, passphrase, options.treasury_iterations)
    if store.kind is StoreKind.KEYPAIR:
        return open_keypair_key(wallet, passphrase, options.argon)
    raw = plain_key_bytes(wallet.path, wallet.key)
    return bytearray(raw) if raw is not None else (WalletStatus.UNRECOGNISED, "not a key the bot can load")


def open_stored_key(store: KeyStore, key: str, passphrase: Secret,
                    options: UnlockOptions = DEFAULT_OPTIONS) -> Secret:
    """The secret key of ``store``'s wallet ``key`` as base58 text (slow: see the module docstring).

    The key must be a 64-byte secret key whose public half matches its seed;
    one that belongs to another address than the stored one is still
    revealed (the status column already says so), as for the public wallets.
    """
    wallet = _stored(store, key)
    if store.kind is StoreKind.PUBLIC_DB:
        if not isinstance(wallet.payload, WalletRecord):
            raise KeyOpenError(WalletStatus.UNRECOGNISED, "no wallet row behind this key")
        try:
            return open_wallet(wallet.payload, passphrase, options.public_iterations)
        except WalletError as exc:
            raise KeyOpenError(WalletStatus[exc.status.name], exc.detail) from None
    raw = _raw(store, wallet, passphrase, options)
    if isinstance(raw, tuple):
        raise KeyOpenError(*raw)
    try:
        status, detail, _derived = check_raw_key(raw, "")
        if status is not WalletStatus.VERIFIED:
            raise KeyOpenError(status, detail)
        return Secret(b58encode(bytes(raw)))
    finally:
        raw[:] = bytes(len(raw))
