"""Unlocking stores: one passphrase, one store at a time, or tried on every locked store.

``unlock(store, passphrase)`` is the one entry point a controller needs: it
runs the store's KDF (PBKDF2 per public wallet on all cores; one PBKDF2-480k
per treasury folder; one Argon2id per keypair file, ~0.6 s and 256 MiB —
docs/architecture.md, 'Argon2id cost'), so call it from a worker thread,
never the UI thread. ``progress(done, total)`` counts keys, ``cancel`` stops
between keys. Results are plain values (``UnlockResult``) without a secret.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..keys import BOT_ITERATIONS
from ..secrets import Secret
from ..vault import VerifyResult, VerifyStatus, WalletRecord, verify_all
from .keypair import BOT_LIMITS, ArgonLimits, unlock_keypair
from .model import KeyStore, StoreKind, UnlockResult, WalletResult, WalletStatus
from .plaintext import PlainCheck
from .treasury import TREASURY_ITERATIONS, unlock_treasury_dir

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class UnlockOptions:
    """KDF parameters and parallelism; the defaults are the bot's (tests pass smaller costs)."""

    workers: int | None = None
    argon: ArgonLimits = BOT_LIMITS
    public_iterations: int = BOT_ITERATIONS
    treasury_iterations: int = TREASURY_ITERATIONS
    # Public database: stop after this many wallets refuse the passphrase while none opened (None: try all).
    give_up_after: int | None = None


DEFAULT_OPTIONS = UnlockOptions()

_FROM_VERIFY = {
    VerifyStatus.VERIFIED: WalletStatus.VERIFIED,
    VerifyStatus.ADDRESS_MISMATCH: WalletStatus.ADDRESS_MISMATCH,
    VerifyStatus.WRONG_PASSPHRASE: WalletStatus.WRONG_PASSPHRASE,
    VerifyStatus.TAMPERED: WalletStatus.TAMPERED,
    VerifyStatus.UNRECOGNISED: WalletStatus.UNRECOGNISED,
}


def _public(store: KeyStore, passphrase: Secret, options: UnlockOptions, progress: Progress | None,
            cancel: threading.Event | None) -> UnlockResult:
    records = [w.payload for w in store.wallets if isinstance(w.payload, WalletRecord)]
    report = verify_all(records, passphrase, iterations=options.public_iterations, workers=options.workers,
                        progress=progress, cancel=cancel, give_up_after=options.give_up_after)
    unchecked = (f"not tried: the first {len(report.results)} refused the passphrase" if report.gave_up else "")
    results = []
    for wallet in store.wallets:
        vr = report.results.get(wallet.payload.key) if isinstance(wallet.payload, WalletRecord) else None
        results.append(_from_verify(store, wallet.key, wallet.address, vr, unchecked))
    return UnlockResult(store.name, any(r.opened for r in results), tuple(results), report.cancelled,
                        report.elapsed_s, gave_up=report.gave_up)


def _from_verify(store: KeyStore, key: str, address: str, vr: VerifyResult | None,
                 unchecked: str = "") -> WalletResult:
    if vr is None:
        return WalletResult(store.name, key, address, WalletStatus.NOT_CHECKED, unchecked, store.path)
    status = _FROM_VERIFY[vr.status]
    opened = status in (WalletStatus.VERIFIED, WalletStatus.ADDRESS_MISMATCH) or vr.detail.startswith("decrypted")
    public_key = address if status is WalletStatus.VERIFIED else ""
    return WalletResult(store.name, key, address, status, vr.detail, store.path, public_key, opened)


def plaintext_results(store: KeyStore) -> UnlockResult:
    """A plaintext store's results: what reading it found (no passphrase involved)."""
    results = []
    for w in store.wallets:
        check = w.payload if isinstance(w.payload, PlainCheck) else PlainCheck(WalletStatus.UNRECOGNISED, "", "")
        results.append(WalletResult(store.name, w.key, w.address, check.status, check.detail, w.path,
                                    check.public_key, True))
    if not results and store.problems:
        results.append(WalletResult(store.name, store.path.name, "", WalletStatus.UNRECOGNISED,
                                    "; ".join(store.problems), store.path))
    return UnlockResult(store.name, True, tuple(results))


def unlock(store: KeyStore, passphrase: Secret, *, progress: Progress | None = None,
           cancel: threading.Event | None = None, options: UnlockOptions = DEFAULT_OPTIONS) -> UnlockResult:
    """Try one passphrase on one store and check every key it opens (slow: see the module docstring)."""
    start = time.perf_counter()
    if store.kind is StoreKind.PUBLIC_DB:
        return _public(store, passphrase, options, progress, cancel)
    if store.kind is StoreKind.PLAINTEXT:
        result = plaintext_results(store)
    elif cancel is not None and cancel.is_set():
        return UnlockResult(store.name, False, (), cancelled=True)
    elif store.kind is StoreKind.TREASURY_DIR:
        result = unlock_treasury_dir(store, passphrase, options.treasury_iterations)
    else:
        result = unlock_keypair(store, passphrase, options.argon)
    if progress is not None:
        progress(len(store.wallets), len(store.wallets))
    return UnlockResult(result.store, result.opened, result.results, result.cancelled, time.perf_counter() - start)


def unlock_many(stores: Iterable[KeyStore], passphrase: Secret, *, cancel: threading.Event | None = None,
                progress: Progress | None = None, options: UnlockOptions = DEFAULT_OPTIONS) -> dict[str, UnlockResult]:
    """Try one passphrase on every store given (the ones still locked): a passphrase shared by several
    stores unlocks them all. Stores it does not open are in the result with ``opened`` False.

    ``progress(done, total)`` counts keys over all the stores; ``options`` as for ``unlock``.
    """
    todo = list(stores)
    total = sum(len(s.wallets) for s in todo)
    base = 0
    out: dict[str, UnlockResult] = {}
    for store in todo:
        if cancel is not None and cancel.is_set():
            break

        def step(done: int, _total: int, offset: int = base) -> None:
            if progress is not None:
                progress(offset + done, total)

        out[store.name] = unlock(store, passphrase, progress=step, cancel=cancel, options=options)
        base += len(store.wallets)
    return out


def unlock_with_candidates(stores: Sequence[KeyStore], candidates: Mapping[str, Sequence[Secret]], *,
                           cancel: threading.Event | None = None, progress: Progress | None = None,
                           options: UnlockOptions = DEFAULT_OPTIONS) -> dict[str, UnlockResult]:
    """Each store with its own candidate passphrases (tried in order until one opens it).

    The result for a store no candidate opened is that of its last try, so
    its statuses say why (wrong passphrase, tampered...).
    """
    out: dict[str, UnlockResult] = {}
    total = sum(len(s.wallets) for s in stores)
    base = 0
    for store in stores:
        if cancel is not None and cancel.is_set():
            break

        def step(done: int, _total: int, offset: int = base) -> None:
            if progress is not None:
                progress(offset + done, total)

        tries = candidates.get(store.name, ()) if store.needs_passphrase else (Secret(""),)
        for passphrase in tries:
            out[store.name] = unlock(store, passphrase, progress=step, cancel=cancel, options=options)
            if out[store.name].opened:
                break
        if store.name not in out:
            results = tuple(WalletResult(store.name, w.key, w.address, WalletStatus.NOT_CHECKED,
                                         "no passphrase given for this store", w.path) for w in store.wallets)
            out[store.name] = UnlockResult(store.name, False, results)
        base += len(store.wallets)
    return out
