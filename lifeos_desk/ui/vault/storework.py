"""What the key stores run on a worker thread: thin wrappers over core/keystores.

Module functions, not methods, so nothing here can touch a widget off the UI
thread (as work.py for the public wallets). Each takes copies of the
passphrases it needs and wipes them when done. Every one of them may run an
Argon2id derivation (256 MiB, ~0.6 s at the bot's limits: docs/architecture.md,
'Argon2id cost'); ``StoresController`` runs them one at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ...core.keystores.find import FoundKeys
from ...core.keystores.health import HealthReport, check_health
from ...core.keystores.model import KeyStore, UnlockResult
from ...core.keystores.reveal import open_stored_key
from ...core.keystores.unlock import UnlockOptions, unlock_many, unlock_with_candidates
from ...core.secrets import Secret
from .tasks import TaskRelay


def unlock_stores_work(stores: Sequence[KeyStore], secret: Secret, options: UnlockOptions,
                       relay: TaskRelay) -> dict[str, UnlockResult]:
    """Try one passphrase on every store given (core ``unlock_many``); the copy is wiped."""
    try:
        return unlock_many(stores, secret, cancel=relay.cancel, progress=relay.report, options=options)
    finally:
        secret.wipe()


def verify_stores_work(stores: Sequence[KeyStore], secrets: dict[str, Secret], options: UnlockOptions,
                       relay: TaskRelay) -> dict[str, UnlockResult]:
    """Check every key of the unlocked stores again, each under its own passphrase."""
    try:
        return unlock_with_candidates(stores, {name: [s] for name, s in secrets.items()}, cancel=relay.cancel,
                                      progress=relay.report, options=options)
    finally:
        for secret in secrets.values():
            secret.wipe()


def health_work(found: FoundKeys, backups: Path, try_weak: bool, options: UnlockOptions,
                relay: TaskRelay) -> HealthReport:
    """The health check (slow only through the weak-passphrase tries)."""
    return check_health(found, backups, try_weak=try_weak, options=options, progress=relay.report,
                        cancel=relay.cancel)


def open_key_work(store: KeyStore, key: str, secret: Secret, options: UnlockOptions, relay: TaskRelay) -> Secret:
    """One key of one store as a Secret (core ``open_stored_key``); the passphrase copy is wiped."""
    try:
        return open_stored_key(store, key, secret, options)
    finally:
        secret.wipe()
