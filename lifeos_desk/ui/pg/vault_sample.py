"""The migrate dialog's wallet sample, checked in the window while the vault is unlocked.

Issue 16's verification adds "a decrypt-and-address check of a sample of
wallets when the vault is unlocked". The passphrase never leaves this
process: the migrate child gets none (no argv, no pipe). When the child has
verified every table, the dialog borrows a copy of the passphrase from the
unlocked vault with the SQLite rows the vault already holds (read through
QtSql), reads the same wallets from PostgreSQL over QPSQL on a worker thread
(its own connection, db/pg/wallets.py), and checks the sample with
core/migrate/wallet_sample.py's ``check_one``: PostgreSQL's encrypted key
equals SQLite's, decrypts, and derives the stored address. The copy is wiped
when the check ends (docs/architecture.md, 'PostgreSQL').
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ...core.migrate.wallet_sample import SAMPLE_SIZE, WalletSampleReport, check_one, pick_sample
from ...core.pgurl import PgParams
from ...core.schema import Domain
from ...core.secrets import Secret
from ...core.vault import WalletRecord
from ...db.pg import PgDatabase
from ...db.pg.wallets import PgWallets
from ..tasks import Task
from ..vault.area import VaultArea


@dataclass
class LentVault:
    """What an unlocked vault lends for one check: a passphrase copy (wiped after), its rows, names, cost."""

    passphrase: Secret
    records: list[WalletRecord]
    domain: Domain
    iterations: int
    store: str


def lend_vault(areas: Callable[[], Sequence[object]]) -> LentVault | None:
    """The unlocked vault area's passphrase copy and rows, or None when there is none or it is locked."""
    for area in areas():
        if isinstance(area, VaultArea) and area.unlocked:
            c = area.controller
            secret = c.passphrase_copy()
            if secret is not None:
                return LentVault(secret, c.model.records(), c.domain, c.iterations, c.location.name)
    return None


def check_sample(params: PgParams, schema: str, lent: LentVault, _task: Task | None = None, *,
                 size: int = SAMPLE_SIZE) -> WalletSampleReport:
    """The work (worker thread): read the sampled wallets from PostgreSQL and check each; wipes the copy."""
    try:
        records = [r for r in lent.records if r.stored is not None]
        sample = [records[i] for i in pick_sample(len(records), size)]
        report = WalletSampleReport(store=lent.store, total=len(records))
        if not sample:
            return report
        db = PgDatabase(params)
        try:
            theirs = {r.key: (r.address, r.stored) for r in PgWallets(db, lent.domain, schema).load()}
        finally:
            db.close()
        for r in sample:
            report.checks.append(check_one(r.key, r.user_id, r.address, r.stored, theirs.get(r.key),
                                           lent.passphrase, lent.iterations))
        return report
    finally:
        lent.passphrase.wipe()


def sample_text(report: WalletSampleReport) -> str:
    """The dialog's line: how many were checked, and each failure by wallet id."""
    if not report.checks:
        return "Wallet sample: no wallets to check."
    bad = report.failures
    if not bad:
        return (f"Wallet sample verified: {len(report.checks)} of {report.total:,} wallets (the first, the last "
                "and random others) decrypt with the vault passphrase and derive their address in PostgreSQL.")
    listed = "; ".join(f"wallet {c.wallet} ({c.address}): {c.status}" for c in bad[:5])
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    return f"Wallet sample FAILED for {len(bad)} of {len(report.checks)} wallets: {listed}{more}."
