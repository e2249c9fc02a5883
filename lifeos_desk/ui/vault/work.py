"""What the vault runs on worker threads: thin wrappers over core.vault.

Module functions, not methods, so nothing here can touch a widget off the UI
thread. Each takes copies of the secrets it needs and wipes them when done.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...core.keys import StoredForm
from ...core.secrets import Secret
from ...core.vault import (
    ImportPlan,
    RotationPlan,
    UnlockOutcome,
    VerifyReport,
    WalletRecord,
    check_passphrase,
    open_wallet,
    plan_rotation,
    seal_for_import,
    verify_all,
)
from .tasks import TaskRelay


def unlock_work(records: Sequence[WalletRecord], secret: Secret, iterations: int,
                relay: TaskRelay) -> UnlockOutcome:
    """Try the typed passphrase on a few wallets (the caller keeps or wipes ``secret``)."""
    return check_passphrase(records, secret, iterations)


def verify_work(records: Sequence[WalletRecord], secret: Secret, iterations: int, workers: int,
                relay: TaskRelay) -> VerifyReport:
    """Verify-all with progress and cancel through the relay."""
    try:
        return verify_all(records, secret, iterations=iterations, workers=workers, progress=relay.report,
                          cancel=relay.cancel)
    finally:
        secret.wipe()


def open_work(record: WalletRecord, secret: Secret, iterations: int, relay: TaskRelay) -> Secret:
    """Decrypt one wallet's key (the result is the caller's to wipe)."""
    try:
        return open_wallet(record, secret, iterations)
    finally:
        secret.wipe()


def rotate_work(records: Sequence[WalletRecord], old: Secret, new: Secret, old_iterations: int,
                new_iterations: int, workers: int, relay: TaskRelay) -> RotationPlan:
    """Plan (re-encrypt and re-check) a rotation; nothing is written here."""
    try:
        return plan_rotation(records, old, new, old_iterations=old_iterations, new_iterations=new_iterations,
                             workers=workers, progress=relay.report, cancel=relay.cancel)
    finally:
        old.wipe()
        new.wipe()


def import_work(key: Secret, passphrase: Secret, user_id: int, label: str, form: StoredForm, make_default: bool,
                iterations: int, relay: TaskRelay) -> ImportPlan:
    """Seal an imported key and check it decrypts back; nothing is written here."""
    try:
        return seal_for_import(key, passphrase, user_id, label, form, make_default, iterations)
    finally:
        key.wipe()
        passphrase.wipe()
