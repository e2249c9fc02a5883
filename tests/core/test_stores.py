"""StoreRef: a Qt-free, hashable description of one store of a data home."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lifeos_desk.core.paths import DataPaths
from lifeos_desk.core.stores import StoreKind, StoreRef, StoreRole, users_store


def test_users_store_is_the_homes_public_users_db(tmp_path: Path) -> None:
    paths = DataPaths(home=tmp_path, logs=(tmp_path / "logs",), backups=tmp_path / "b")
    ref = users_store(paths)
    assert ref == StoreRef(tmp_path / "public_users.db", StoreKind.SQLITE, StoreRole.USERS, "Users database")
    assert ref.is_database


def test_refs_are_frozen_hashable_and_only_sqlite_is_a_database(tmp_path: Path) -> None:
    a = StoreRef(tmp_path / "fees.db", StoreKind.SQLITE, StoreRole.FEES, "Fees")
    b = StoreRef(tmp_path / "fees.db", StoreKind.SQLITE, StoreRole.FEES, "Fees")
    assert a == b and len({a, b}) == 1
    for kind in (StoreKind.JSON, StoreKind.JSONL, StoreKind.KEYS, StoreKind.POSTGRESQL):
        assert not StoreRef(tmp_path / "x", kind, StoreRole.UNKNOWN, "x").is_database
    assert {k.value for k in StoreKind} == {"sqlite", "json", "jsonl", "keys", "text-log", "postgresql", "unknown"}


def test_roles_cover_the_deployed_stores() -> None:
    names = {r.name for r in StoreRole}
    assert {"USERS", "FEES", "TREASURY", "SUBSCRIBERS", "PERMISSIONS", "TRADING_STATE", "KEYS", "LOG",
            "UNKNOWN"} <= names
    assert StoreRole("trading_state") is StoreRole.TRADING_STATE


def test_core_stores_imports_no_qt() -> None:
    code = "import sys, lifeos_desk.core.stores; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_discovery_speaks_the_same_vocabulary(tmp_path: Path) -> None:
    from lifeos_desk.core import discovery

    assert discovery.Kind is StoreKind and discovery.Role is StoreRole
    assert StoreRole.USERS_WALLETS.value == StoreRole.USERS.value == "users"  # an alias, one member
    from lifeos_desk.core.stores import role_text

    assert role_text(StoreRole.TRADE_HISTORY) == "trade history" and role_text(None) == "unknown"
    assert role_text(StoreRole.USERS) == "users & wallets"
