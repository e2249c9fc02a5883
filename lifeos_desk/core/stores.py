"""What the console knows about one store of a data home, without opening it.

A data home holds more than ``public_users.db``: the deployed bot keeps fees,
treasury, subscribers, permissions and trading state in their own SQLite
files, JSON state, JSONL logs and key files (docs/data-formats.md). Each one
the console knows of is described by a ``StoreRef``; the session layer's
``StoreRegistry`` (lifeos_desk/stores.py) holds them and opens the SQLite ones
in one way. No Qt here, so discovery and the CLI can use it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .paths import DataPaths


class StoreKind(StrEnum):
    """How a store is stored, which says how it can be read."""

    SQLITE = "sqlite"
    JSON = "json"
    JSONL = "jsonl"
    KEYS = "keys"
    POSTGRESQL = "postgresql"


class StoreRole(StrEnum):
    """What a store is for in the bot (an area asks for a role, not a file name)."""

    USERS = "users"  # public_users.db: users, wallets, trades (ADR-005) or the deployed tables
    FEES = "fees"
    TREASURY = "treasury"
    SUBSCRIBERS = "subscribers"
    PERMISSIONS = "permissions"
    TRADING_STATE = "trading_state"
    KEYS = "keys"
    LOG = "log"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class StoreRef:
    """One store: where it is, its kind, its role and a label for people.

    Frozen and hashable, so it can key caches and be compared across
    discoveries of the same home.
    """

    path: Path
    kind: StoreKind
    role: StoreRole
    label: str

    @property
    def is_database(self) -> bool:
        """True for stores opened as a SQLite database (the others are files read as text)."""
        return self.kind is StoreKind.SQLITE


def users_store(paths: DataPaths) -> StoreRef:
    """The home's ``public_users.db``, the store every area reads today."""
    return StoreRef(paths.db, StoreKind.SQLITE, StoreRole.USERS, "Users database")
