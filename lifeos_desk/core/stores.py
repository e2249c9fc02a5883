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
    """How a store is stored, which says how it can be read (core/discovery.py tells them apart)."""

    SQLITE = "sqlite"
    JSON = "json"
    JSONL = "jsonl"
    KEYS = "keys"
    TEXT_LOG = "text-log"
    POSTGRESQL = "postgresql"
    UNKNOWN = "unknown"


class StoreRole(StrEnum):
    """What a store is for in the bot (an area asks for a role, not a file name).

    One vocabulary for discovery, the registry, ``info`` and the Home area
    (docs/data-formats.md, 'Where things live'); ``role_text`` is the words
    people read.
    """

    USERS = "users"  # public_users.db: users, wallets, trades (ADR-005) or the deployed tables
    FEES = "fees"
    TREASURY = "treasury"
    SUBSCRIBERS = "subscribers"
    PERMISSIONS = "permissions"
    MEMORY = "memory"
    OPERATIONS = "operations"
    POSITIONS = "positions"
    TRADE_HISTORY = "trade_history"
    EXIT_INTENTS = "exit_intents"
    EMERGENCY_STOP = "emergency_stop"
    ALGORITHM_METRICS = "algorithm_metrics"
    TRADING_STATE = "trading_state"
    SECURITY_AUDIT = "security_audit"
    DAILY_AUDIT = "daily_audit"
    TREASURY_AUDIT = "treasury_audit"
    STRUCTURED_LOG = "structured_log"
    TREASURY_WALLETS = "treasury_wallets"
    TREASURY_KEYPAIR = "treasury_keypair"
    PLAINTEXT_WALLET = "plaintext_wallet"
    API_KEYS = "api_keys"
    ENV_FILE = "environment"
    KEYS = "keys"
    LOG = "log"
    UNKNOWN = "unknown"
    USERS_WALLETS = "users"  # an alias of USERS: discovery's older name for the same role


_ROLE_TEXT = {StoreRole.USERS: "users & wallets", StoreRole.ENV_FILE: "environment file",
              StoreRole.API_KEYS: "API keys"}


def role_text(role: StoreRole | None) -> str:
    """The role in words for people: ``trade_history`` -> ``trade history``; None -> ``unknown``."""
    if role is None:
        return "unknown"
    return _ROLE_TEXT.get(role, role.value.replace("_", " "))


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
