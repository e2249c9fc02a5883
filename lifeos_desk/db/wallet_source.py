"""Where the vault's public wallets come from: the SQLite users store, or a migrated PostgreSQL database.

``VaultController`` (ui/vault/controller.py) is given a ``WalletSource`` and
never asks which one it is: it loads the rows, lists the users, and writes a
rotation or an import through it. ``SqliteWallets`` is db/wallets.py over the
session's users store; ``PgWallets`` (db/pg/wallets.py) reads the same rows over
QPSQL and refuses every write (docs/architecture.md, 'PostgreSQL').
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from ..core.schema import Domain
from ..core.vault import ImportPlan, RotationPlan, WalletKey, WalletRecord
from .connection import Database
from .wallet_changes import WalletChanges
from .wallets import VaultWriteError, insert_wallet, load_users, storage_form, write_rotation

__all__ = ["FollowsChanges", "SqliteWallets", "VaultWriteError", "WalletSource", "storage_form"]


class WalletSource(Protocol):
    """The public wallets' rows and their writes, for the vault.

    ``read_only``: writes are refused now (``read_only_message`` says why and
    what to do, in the tooltips; ``read_only_hint`` in a few words, in the state line).
    ``writable_here``: whether writes can ever be allowed in this window (SQLite:
    Database ▸ Allow editing; a PostgreSQL session: never), so the buttons are
    disabled instead of explaining on each click.
    """

    domain: Domain
    location: Path

    @property
    def read_only(self) -> bool: ...

    @property
    def writable_here(self) -> bool: ...

    @property
    def read_only_hint(self) -> str: ...

    def read_only_message(self) -> str: ...

    def load(self) -> list[WalletRecord]: ...

    def users(self) -> list[tuple[int, str]]: ...

    def write_rotation(self, plan: RotationPlan) -> int: ...

    def insert(self, plan: ImportPlan) -> WalletKey: ...


@runtime_checkable
class FollowsChanges(Protocol):
    """A source that can tell whether its wallets moved without reading them all (db/wallet_changes.py)."""

    def refresh(self, check_content: bool) -> list[WalletRecord] | None: ...


class SqliteWallets:
    """The users store of a SQLite home (db/wallets.py): writable once the admin allows editing."""

    writable_here = True
    read_only_hint = "database read-only: allow editing to change keys"

    def __init__(self, database: Database | None, domain: Domain | None) -> None:
        # The vault area is only made for a users store opened with a known schema (ui/vault/__init__.py).
        assert database is not None and domain is not None
        self.database = database
        self.domain = domain
        self.location = database.path
        self.changes = WalletChanges(domain)

    @property
    def read_only(self) -> bool:
        """Whether the users store is open read-only right now."""
        return self.database.read_only

    def read_only_message(self) -> str:
        """How to allow the write."""
        return "The database is open read-only. Allow editing first (Database ▸ Allow editing, Ctrl+E)."

    def load(self) -> list[WalletRecord]:
        """Every wallet row, read in full (db/wallet_changes.py)."""
        return self.changes.load(self.database.connection())

    def refresh(self, check_content: bool) -> list[WalletRecord] | None:
        """The wallets if any moved since the last read (only new rows are read when only rows were added)."""
        return self.changes.refresh(self.database.connection(), check_content)

    def users(self) -> list[tuple[int, str]]:
        """The users an imported key can go to."""
        return load_users(self.database.connection(), self.domain)

    def write_rotation(self, plan: RotationPlan) -> int:
        """Replace every envelope in one transaction."""
        return write_rotation(self.database, self.domain, plan)

    def insert(self, plan: ImportPlan) -> WalletKey:
        """Insert an imported wallet."""
        return insert_wallet(self.database, self.domain, plan)
