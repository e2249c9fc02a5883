"""The wallet vault without Qt: verify, unlock-check, rotate and import keys.

Everything here works on ``WalletRecord`` (a wallet row without its secret in
any readable form: the ciphertext is kept out of ``repr``) and on ``Secret``
holders for the passphrase and decrypted keys. Results, errors and progress
never carry a secret, so they may go to the model, the audit log or a message.

Parallelism: every wallet has its own salt, so every wallet is its own
100,000-iteration PBKDF2. ``hashlib.pbkdf2_hmac`` releases the GIL while it
runs, so a thread pool reaches all cores; measured on the 2-core machine,
threads gave 1.98x and a process pool 2.1x (noise-level difference), and
threads need no pickling of the passphrase into other processes and can be
cancelled between wallets. tests/bench/bench_vault.py measures both again.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken

from .base58 import Base58Error, b58decode, b58encode
from .keys import (
    BOT_ITERATIONS,
    MAX_KEY_CHARS,
    SALT_LEN,
    EnvelopeFormatError,
    KeyCheck,
    StoredForm,
    bot_key_bytes,
    check_secret,
    damaged_envelope,
    keypair_from_seed,
    parse_envelope,
)
from .parallel import default_workers as default_workers  # re-exported: the pool size the callers use
from .parallel import parallel_map
from .secrets import Secret
from .wallet_ids import WalletKey as WalletKey  # re-exported: results and plans are keyed by it
from .wallet_ids import require_distinct

Progress = Callable[[int, int], None]

# Fernet token layout (spec): version(1) | timestamp(8) | IV(16) | ciphertext(16n, n>=1) | HMAC(32)
_FERNET_VERSION = 0x80
_FERNET_MIN = 1 + 8 + 16 + 16 + 32
_FERNET_OVERHEAD = 1 + 8 + 16 + 32
MAX_ITERATIONS = 10_000_000


class VerifyStatus(enum.Enum):
    """What checking one wallet found (the model shows ``value``)."""

    VERIFIED = "verified"
    ADDRESS_MISMATCH = "address mismatch"
    WRONG_PASSPHRASE = "wrong passphrase for this wallet"
    TAMPERED = "tampered or corrupt"
    UNRECOGNISED = "unrecognised format"


@dataclass(frozen=True)
class WalletRecord:
    """One wallet row: who owns it and where it points, plus the stored envelope.

    ``stored`` is ciphertext (useless without the passphrase) and is kept out of
    ``repr`` and comparisons all the same.
    """

    key: WalletKey
    user_id: int | None
    owner: str
    label: str
    address: str
    is_default: bool
    stored: str | bytes | None = field(repr=False, compare=False)


@dataclass(frozen=True)
class VerifyResult:
    """The outcome for one wallet; ``detail`` says why, without any secret."""

    key: WalletKey
    status: VerifyStatus
    detail: str = ""


class WalletError(Exception):
    """A wallet could not be opened; ``status`` says which way it failed."""

    def __init__(self, status: VerifyStatus, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


# -- one wallet ---------------------------------------------------------------
def fernet_token_well_formed(token: bytes) -> bool:
    """Whether a token has Fernet's structure (so a refusal means the HMAC failed).

    Fernet refuses a token for two reasons it does not tell apart: the wrong key
    (HMAC mismatch) or a damaged token. Checking the structure first lets us
    call a truncated or mangled token "tampered or corrupt" and keep "wrong
    passphrase" for well-formed tokens that another key sealed. A bit flipped
    inside a well-formed token is, by design of the HMAC, indistinguishable
    from another key; the detail text says so.
    """
    try:
        raw = base64.urlsafe_b64decode(_validated_urlsafe(token))
    except (binascii.Error, ValueError):
        return False
    return (len(raw) >= _FERNET_MIN and raw[0] == _FERNET_VERSION
            and (len(raw) - _FERNET_OVERHEAD) % 16 == 0)


def _validated_urlsafe(token: bytes) -> bytes:
    body = token.rstrip(b"=")
    allowed = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    if not body or body.translate(None, allowed) or len(token) % 4:
        raise ValueError("not urlsafe base64")
    return token


def parse_record(record: WalletRecord) -> tuple[bytes, bytes, StoredForm]:
    """(salt, token, form) of a wallet's envelope, or WalletError (unrecognised / corrupt)."""
    value = record.stored
    if value is None or (isinstance(value, (str, bytes)) and not value.strip()):
        raise WalletError(VerifyStatus.UNRECOGNISED, "no encrypted key stored")
    try:
        env = parse_envelope(value)
    except EnvelopeFormatError as exc:
        if isinstance(value, (str, bytes)) and damaged_envelope(value):
            raise WalletError(VerifyStatus.TAMPERED, "envelope is truncated or damaged") from None
        raise WalletError(VerifyStatus.UNRECOGNISED, f"not a PBKDF2+Fernet envelope ({exc})") from None
    if not fernet_token_well_formed(env.token):
        raise WalletError(VerifyStatus.TAMPERED, "Fernet token is malformed (truncated or altered)")
    return env.salt, env.token, env.form


def fernet_for(passphrase: Secret, salt: bytes, iterations: int) -> Fernet:
    """The Fernet instance for one wallet's salt (the slow PBKDF2 step)."""
    raw = bytearray(hashlib.pbkdf2_hmac("sha256", passphrase.buffer, salt, iterations, 32))
    try:
        return Fernet(base64.urlsafe_b64encode(raw))
    finally:
        raw[:] = bytes(len(raw))


def open_wallet(record: WalletRecord, passphrase: Secret, iterations: int = BOT_ITERATIONS) -> Secret:
    """Decrypt one wallet's key text; raises WalletError (never with the secret in it)."""
    salt, token, _form = parse_record(record)
    try:
        plain = fernet_for(passphrase, salt, iterations).decrypt(token)
    except InvalidToken:
        raise WalletError(VerifyStatus.WRONG_PASSPHRASE,
                          "Fernet refused the token: sealed under another passphrase or iteration count, "
                          "or altered inside") from None
    return Secret(plain)


def check_key(secret: Secret, address: str) -> tuple[VerifyStatus, str]:
    """Status of a decrypted key against its stored address, read as the bot reads it (keys.bot_key_bytes)."""
    try:
        text = secret.reveal()
    except UnicodeDecodeError:
        return VerifyStatus.TAMPERED, "decrypted value is not text"
    outcome = check_secret(text, address)
    if outcome is KeyCheck.VERIFIED:
        notes = []
        if len(bot_key_bytes(text)) == 32:
            notes.append("stored as a 32-byte seed (the bot expands it)")
        if text != text.rstrip():
            notes.append("whitespace after the key (the bot ignores it)")
        return VerifyStatus.VERIFIED, "; ".join(notes)
    if outcome is KeyCheck.TOO_LONG:
        return VerifyStatus.TAMPERED, (f"decrypted value is {len(text.rstrip()):,} characters: too long to be a "
                                       f"key (at most {MAX_KEY_CHARS})")
    if outcome is KeyCheck.NOT_A_KEY:
        if text[:1].isspace():
            return VerifyStatus.TAMPERED, "decrypted key starts with whitespace, which the bot's base58 decoder refuses"
        return VerifyStatus.TAMPERED, "decrypted value is not the base58 of a 64-byte key or a 32-byte seed"
    if outcome is KeyCheck.PUBKEY_MISMATCH:
        return VerifyStatus.ADDRESS_MISMATCH, "the key's public half does not match its seed"
    derived = b58encode(keypair_from_seed(bot_key_bytes(text)[:32])[32:])
    return VerifyStatus.ADDRESS_MISMATCH, f"the key belongs to {derived}"


def verify_wallet(record: WalletRecord, passphrase: Secret, iterations: int = BOT_ITERATIONS) -> VerifyResult:
    """Decrypt and check one wallet; the decrypted key is wiped before returning."""
    try:
        secret = open_wallet(record, passphrase, iterations)
    except WalletError as exc:
        return VerifyResult(record.key, exc.status, exc.detail)
    with secret:
        status, detail = check_key(secret, record.address)
    return VerifyResult(record.key, status, detail)


# -- many wallets, in parallel -------------------------------------------------
@dataclass
class VerifyReport:
    """Results of a verify-all run (possibly cancelled part-way)."""

    results: dict[WalletKey, VerifyResult]
    total: int
    cancelled: bool
    elapsed_s: float
    gave_up: bool = False  # stopped early: the first ``give_up_after`` wallets all refused the passphrase

    def counts(self) -> dict[VerifyStatus, int]:
        """How many wallets ended in each status (zero counts left out)."""
        out: dict[VerifyStatus, int] = {}
        for r in self.results.values():
            out[r.status] = out.get(r.status, 0) + 1
        return out

    @property
    def all_verified(self) -> bool:
        """Every wallet was checked and verified."""
        return (not self.cancelled and len(self.results) == self.total
                and all(r.status is VerifyStatus.VERIFIED for r in self.results.values()))

    def summary(self) -> str:
        """One line: '52 wallets: 50 verified, 2 address mismatch'."""
        parts = [f"{n} {s.value}" for s, n in sorted(self.counts().items(), key=lambda kv: -kv[1])]
        head = f"{self.total} wallet{'s' if self.total != 1 else ''}"
        if self.cancelled:
            head += f" (cancelled after {len(self.results)})"
        return f"{head}: {', '.join(parts) if parts else 'none checked'}"


def verify_all(records: Sequence[WalletRecord], passphrase: Secret, *, iterations: int = BOT_ITERATIONS,
               workers: int | None = None, progress: Progress | None = None,
               cancel: threading.Event | None = None, give_up_after: int | None = None) -> VerifyReport:
    """Verify every wallet on all cores; cancellable; results keyed by wallet key.

    ``give_up_after`` N: stop once N wallets refused the passphrase while none
    has opened (a wrong passphrase on 200 wallets took 6.4 s to say so, issue
    17); the rest stay unchecked and the report says ``gave_up``. Once one
    wallet opens, every wallet is checked. None: check all, whatever happens.
    """
    require_distinct(r.key for r in records)
    start = time.perf_counter()
    results: dict[WalletKey, VerifyResult] = {}
    stop = threading.Event()  # set by the caller's cancel or by giving up
    refused, opened = 0, False

    def one(record: WalletRecord) -> VerifyResult:
        return verify_wallet(record, passphrase, iterations)

    def keep(record: WalletRecord, result: VerifyResult) -> None:
        nonlocal refused, opened
        results[record.key] = result
        if result.status is VerifyStatus.WRONG_PASSPHRASE:
            refused += 1
        elif result.status in (VerifyStatus.VERIFIED, VerifyStatus.ADDRESS_MISMATCH):
            opened = True
        if (cancel is not None and cancel.is_set()) or (
                give_up_after is not None and not opened and refused >= give_up_after):
            stop.set()

    if cancel is not None and cancel.is_set():
        stop.set()
    finished = parallel_map(one, records, workers, progress, stop, keep)
    gave_up = not finished and not (cancel is not None and cancel.is_set())
    return VerifyReport(results, len(records), not finished and not gave_up, time.perf_counter() - start, gave_up)


# -- unlocking -----------------------------------------------------------------
class UnlockOutcome(enum.Enum):
    """Whether a passphrase opened the vault."""

    OPENED = "opened"
    WRONG = "wrong passphrase"
    NOTHING_TO_CHECK = "no wallet to check against"


def check_passphrase(records: Iterable[WalletRecord], passphrase: Secret, iterations: int = BOT_ITERATIONS,
                     attempts: int = 3) -> UnlockOutcome:
    """Try the passphrase on up to ``attempts`` well-formed wallets; the first that opens unlocks.

    More than one attempt, so one wallet sealed under an old passphrase (or
    damaged) does not lock the admin out; few, so a wrong passphrase stays fast.
    """
    tried = 0
    for record in records:
        try:
            secret = open_wallet(record, passphrase, iterations)
        except WalletError as exc:
            if exc.status is VerifyStatus.WRONG_PASSPHRASE:
                tried += 1
                if tried >= attempts:
                    return UnlockOutcome.WRONG
            continue
        secret.wipe()
        return UnlockOutcome.OPENED
    return UnlockOutcome.WRONG if tried else UnlockOutcome.NOTHING_TO_CHECK


def failure_delay_s(failures: int) -> float:
    """Seconds the unlock form waits after the n-th failure in a row: 0, 1, 2, 4, ... up to 30."""
    if failures <= 1:
        return 0.0
    return float(min(30, 2 ** (failures - 2)))


# -- sealing, rotation ----------------------------------------------------------
def seal_secret(plain: Secret, passphrase: Secret, iterations: int, form: StoredForm,
                salt: bytes | None = None) -> str | bytes:
    """Encrypt key text as the bot does, in the given stored form, with a fresh salt."""
    salt = os.urandom(SALT_LEN) if salt is None else salt
    token = fernet_for(passphrase, salt, iterations).encrypt(plain.to_bytes())
    blob = salt + token
    if form is StoredForm.RAW_BYTES:
        return blob
    text = base64.b64encode(blob).decode("ascii")
    return text.encode("ascii") if form is StoredForm.BASE64_BYTES else text


def _sealed_matches(stored: str | bytes, plain: Secret, passphrase: Secret, iterations: int) -> bool:
    probe = WalletRecord(key="", user_id=None, owner="", label="", address="", is_default=False, stored=stored)
    try:
        with open_wallet(probe, passphrase, iterations) as reopened:
            return reopened == plain
    except WalletError:
        return False


@dataclass(frozen=True)
class RotationItem:
    """One wallet's new value, and the old one it replaces (for the write's check)."""

    key: WalletKey
    old_stored: str | bytes = field(repr=False)
    new_stored: str | bytes = field(repr=False)


@dataclass(frozen=True)
class RotationPlan:
    """Every wallet re-encrypted and re-checked, ready to write in one transaction."""

    items: tuple[RotationItem, ...]
    iterations: int


class RotationError(Exception):
    """Planning failed; nothing may be written. ``failures`` name wallets, never secrets."""

    def __init__(self, message: str, failures: Sequence[VerifyResult] = ()) -> None:
        super().__init__(message)
        self.failures = list(failures)


def _rotate_one(record: WalletRecord, old: Secret, new: Secret, old_iterations: int,
                new_iterations: int) -> RotationItem | VerifyResult:
    try:
        _salt, _token, form = parse_record(record)
        plain = open_wallet(record, old, old_iterations)
    except WalletError as exc:
        return VerifyResult(record.key, exc.status, exc.detail)
    with plain:
        new_stored = seal_secret(plain, new, new_iterations, form)
        if not _sealed_matches(new_stored, plain, new, new_iterations):
            return VerifyResult(record.key, VerifyStatus.TAMPERED, "the re-encrypted value did not decrypt back")
    assert record.stored is not None
    return RotationItem(record.key, record.stored, new_stored)


def plan_rotation(records: Sequence[WalletRecord], old: Secret, new: Secret, *,
                  old_iterations: int = BOT_ITERATIONS, new_iterations: int = BOT_ITERATIONS,
                  workers: int | None = None, progress: Progress | None = None,
                  cancel: threading.Event | None = None) -> RotationPlan:
    """Re-encrypt every wallet under ``new`` with fresh salts and check each before anything is written.

    Raises RotationError if any wallet does not open under ``old``, any new
    value does not decrypt to the same key, salts repeat, or the run is
    cancelled: a partial rotation would leave wallets under two passphrases.
    """
    if not new:
        raise RotationError("the new passphrase is empty")
    if not 1 <= new_iterations <= MAX_ITERATIONS:
        raise RotationError(f"iterations must be between 1 and {MAX_ITERATIONS:,}")
    require_distinct(r.key for r in records)
    items: dict[WalletKey, RotationItem] = {}
    failures: list[VerifyResult] = []

    def one(record: WalletRecord) -> RotationItem | VerifyResult:
        return _rotate_one(record, old, new, old_iterations, new_iterations)

    def keep(record: WalletRecord, outcome: RotationItem | VerifyResult) -> None:
        if isinstance(outcome, RotationItem):
            items[record.key] = outcome
        else:
            failures.append(outcome)

    if not parallel_map(one, records, workers, progress, cancel, keep):
        raise RotationError("rotation cancelled; nothing was written")
    if failures:
        raise RotationError(f"{len(failures)} wallet(s) could not be re-encrypted; nothing was written", failures)
    ordered = tuple(items[r.key] for r in records)
    salts = [_salt_of(i.new_stored) for i in ordered]
    if len(set(salts)) != len(salts) or any(_salt_of(i.old_stored) == _salt_of(i.new_stored) for i in ordered):
        raise RotationError("salts repeated; nothing was written")
    return RotationPlan(ordered, new_iterations)


def _salt_of(stored: str | bytes) -> bytes:
    return parse_envelope(stored).salt


# -- import ----------------------------------------------------------------------
class ImportKeyError(ValueError):
    """The pasted key is not usable; the message never repeats the key."""


def parse_import_key(text: str) -> Secret:
    """A pasted base58 key as the 64-byte secret key's base58 text.

    Accepts the 64-byte Solana secret key (seed || public key, checked) or a
    32-byte seed, expanded to 64 bytes with its ed25519 public key.
    """
    text = text.strip()
    if len(text) > MAX_KEY_CHARS:
        raise ImportKeyError(f"the text is {len(text):,} characters: too long to be a key (at most {MAX_KEY_CHARS})")
    try:
        raw = bytearray(b58decode(text))
    except Base58Error:
        raise ImportKeyError("the key is not base58 text") from None
    try:
        if len(raw) == 32:
            full = bytearray(keypair_from_seed(bytes(raw)))
        elif len(raw) == 64:
            if keypair_from_seed(bytes(raw[:32]))[32:] != raw[32:]:
                raise ImportKeyError("the 64-byte key's public half does not match its seed")
            full = bytearray(raw)
        else:
            raise ImportKeyError(f"the key decodes to {len(raw)} bytes; expected 64 (secret key) or 32 (seed)")
        try:
            return Secret(b58encode(bytes(full)))
        finally:
            full[:] = bytes(len(full))
    finally:
        raw[:] = bytes(len(raw))


def address_of(secret: Secret) -> str:
    """The public address (base58 of the last 32 bytes) of a 64-byte key's text."""
    return b58encode(b58decode(secret.reveal())[32:])


@dataclass(frozen=True)
class ImportPlan:
    """A sealed, re-checked key ready to insert: no secret in readable form."""

    user_id: int
    address: str
    stored: str | bytes = field(repr=False)
    label: str
    make_default: bool


def seal_for_import(secret: Secret, passphrase: Secret, user_id: int, label: str, form: StoredForm,
                    make_default: bool = False, iterations: int = BOT_ITERATIONS) -> ImportPlan:
    """Seal an imported key under the vault's passphrase and check it decrypts back."""
    stored = seal_secret(secret, passphrase, iterations, form)
    if not _sealed_matches(stored, secret, passphrase, iterations):
        raise ImportKeyError("the sealed key did not decrypt back; nothing was written")
    return ImportPlan(user_id, address_of(secret), stored, label, make_default)

