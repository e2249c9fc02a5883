"""The Vault tab of the PostgreSQL window: the SQLite vault's area over the migrated wallets.

Not a copy: ``VaultArea`` and ``VaultController`` (ui/vault) are given a
``PgWallets`` source (db/pg/wallets.py) instead of the users store, so the
passphrase prompt, the in-memory decrypt, the address check, the clipboard
timeout and the idle lock are the very code the SQLite window runs. What
differs is only what a PostgreSQL session has: no data home (so no treasury,
keypair or plaintext key files to list), and no writes (Change passphrase
and Import key are disabled, their tooltips say why).

The area's audit entries go to the console's own data folder,
``<data>/postgresql/logs/audit.jsonl`` (docs/architecture.md, 'PostgreSQL'):
the database has no home of its own on this machine, and the audit log must
still record every unlock, reveal and copy.
"""

from __future__ import annotations

from PySide6.QtWidgets import QSplitter, QWidget

from ...core.audit import AuditWriter, audit_log_path
from ...core.paths import AppDirs, DataPaths
from ...core.settings import Settings, State
from ...db.pg import PgDatabase
from ...db.pg.wallets import PgWallets
from ...session import Session
from ...signals import Navigator, Prefs
from ...stores import StoreRegistry
from ..areas import NoticePanel
from ..vault.area import VaultArea, VaultTimings


def refresh_vault(vault: QWidget | None) -> None:
    """The window's change counter moved: re-read the wallets (paced, as the SQLite watcher's are)."""
    if isinstance(vault, VaultArea):
        vault.reloads.request()


def shutdown_vault(vault: QWidget | None) -> None:
    """The window is closing: lock (wipes the passphrase and keys, clears our clipboard copy)."""
    if isinstance(vault, VaultArea):
        vault.shutdown()

PG_FOLDER = "postgresql"


def pg_paths(dirs: AppDirs) -> DataPaths:
    """The folder standing in for a data home: the console's own, holding only the audit log."""
    home = dirs.data / PG_FOLDER
    return DataPaths(home=home, logs=(home / "logs",), backups=home / "backups", read_only=True)


def pg_session(dirs: AppDirs, settings: Settings | None = None) -> Session:
    """A session with no SQLite store, for the areas that take one (the vault's timings, audit, settings)."""
    paths = pg_paths(dirs)
    settings = settings if settings is not None else Settings(dirs)
    return Session(paths=paths, dirs=dirs, settings=settings, state=State(dirs), stores=StoreRegistry(), info=None,
                   error=None, watcher=None, audit=AuditWriter(audit_log_path(paths)), prefs=Prefs(settings),
                   nav=Navigator())


def create_pg_vault(db: PgDatabase, session: Session, timings: VaultTimings | None = None,
                    workers: int | None = None) -> QWidget:
    """The vault over this database's wallets, or a notice when it holds no wallets schema.

    ``timings`` and ``workers`` as ``VaultArea`` takes them (None: the settings', all cores).
    """
    wallets = PgWallets.open(db)
    if wallets is None:
        return NoticePanel("Wallet vault", [
            f"{db.label} holds no ADR-005 or deployed-bot <i>wallets</i> and <i>users</i> tables, "
            "so there are no wallets to show.",
            "Migrate a home with <b>lifeos-desk migrate --to URL</b> (or Database ▸ Migrate to PostgreSQL…).",
        ])
    area = VaultArea(session, timings=timings, workers=workers, wallets=wallets)
    _fit_store_list(area)
    return area


def _fit_store_list(area: VaultArea) -> None:
    """One store here (no home, so no key files): its list takes one row, the wallets get the rest."""
    stores = area.store_list
    rows = sum(stores.rowHeight(r) for r in range(stores.rowCount()))
    height = stores.horizontalHeader().sizeHint().height() + rows + 2 * stores.frameWidth() + 2
    stores.setMaximumHeight(height)
    split = stores.parentWidget()
    if isinstance(split, QSplitter):  # the page's splitter (ui/vault/pages.py) hands the rest to the wallets
        split.setStretchFactor(0, 0)
        split.setSizes([height, 100 * height])
