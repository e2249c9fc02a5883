"""StoreRegistry: the open home's stores, opened one way, cached, closed with the session."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.schema import ADR_DDL, DEPLOYED_DDL, SchemaKind
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.core.stores import StoreKind, StoreRef, StoreRole
from lifeos_desk.db.connection import run_rows
from lifeos_desk.db.errors import DatabaseError, DbProblem
from lifeos_desk.session import open_session
from lifeos_desk.stores import StoreRegistry, UnknownStore


def _db(path: Path, ddl: str = "CREATE TABLE fees (id INTEGER PRIMARY KEY, amount REAL);") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.executescript(ddl)
    con.commit()
    con.close()
    return path


@pytest.fixture
def registry(qapp: QApplication) -> Iterator[StoreRegistry]:
    reg = StoreRegistry()
    yield reg
    reg.close()


def test_adding_a_store_is_one_call_and_open_is_cached(registry: StoreRegistry, tmp_path: Path) -> None:
    ref = registry.add(StoreRef(_db(tmp_path / "fees.db"), StoreKind.SQLITE, StoreRole.FEES, "Fees"))
    assert registry.refs() == [ref] and registry.refs(StoreRole.FEES) == [ref] and registry.refs(StoreRole.KEYS) == []
    assert registry.database(StoreRole.FEES) is None  # registered, not opened yet
    db = registry.open(StoreRole.FEES)
    assert db.read_only and registry.open(ref) is db and registry.database(StoreRole.FEES) is db
    assert run_rows(db.connection(), "SELECT name FROM sqlite_master WHERE type='table'") == [("fees",)]
    registry.add(StoreRef(ref.path, StoreKind.SQLITE, StoreRole.UNKNOWN, "again"))  # same path: ignored
    assert registry.refs() == [ref]


def test_write_reopens_the_same_database_writable(registry: StoreRegistry, tmp_path: Path, qtbot: QtBot) -> None:
    registry.add(StoreRef(_db(tmp_path / "fees.db"), StoreKind.SQLITE, StoreRole.FEES, "Fees"))
    db = registry.open(StoreRole.FEES)
    with qtbot.waitSignal(db.modeChanged) as blocker:
        assert registry.open(StoreRole.FEES, write=True) is db
    assert blocker.args == [False] and not db.read_only
    assert registry.open(StoreRole.FEES) is db and not db.read_only  # reading does not lock it again


def test_read_only_store_refuses_writes(registry: StoreRegistry, tmp_path: Path) -> None:
    registry.add(StoreRef(_db(tmp_path / "fees.db"), StoreKind.SQLITE, StoreRole.FEES, "Fees"))
    db = registry.open(StoreRole.FEES)
    with pytest.raises(DatabaseError):
        run_rows(db.connection(), "INSERT INTO fees (amount) VALUES (1.0)")


def test_bad_stores_say_why(registry: StoreRegistry, tmp_path: Path) -> None:
    with pytest.raises(UnknownStore, match="no treasury store"):
        registry.open(StoreRole.TREASURY)
    registry.add(StoreRef(tmp_path / "missing.db", StoreKind.SQLITE, StoreRole.TREASURY, "Treasury"))
    with pytest.raises(DatabaseError) as missing:
        registry.open(StoreRole.TREASURY)
    assert missing.value.problem is DbProblem.MISSING and registry.database(StoreRole.TREASURY) is None
    registry.add(StoreRef(tmp_path / "state.json", StoreKind.JSON, StoreRole.TRADING_STATE, "Trading state"))
    with pytest.raises(DatabaseError, match="is a json store, not a SQLite database"):
        registry.open(StoreRole.TRADING_STATE)
    stranger = StoreRef(tmp_path / "other.db", StoreKind.SQLITE, StoreRole.FEES, "Other")
    with pytest.raises(UnknownStore):
        registry.open(stranger)


def test_close_closes_every_store(registry: StoreRegistry, tmp_path: Path) -> None:
    for role, name in ((StoreRole.FEES, "fees.db"), (StoreRole.SUBSCRIBERS, "subs.db")):
        registry.add(StoreRef(_db(tmp_path / name), StoreKind.SQLITE, role, name))
    dbs = [registry.open(StoreRole.FEES), registry.open(StoreRole.SUBSCRIBERS)]
    registry.close()
    assert registry.database(StoreRole.FEES) is None and registry.database(StoreRole.SUBSCRIBERS) is None
    assert all(not db._roles for db in dbs)
    assert registry.open(StoreRole.FEES) is not dbs[0]  # still registered: opens again


@pytest.mark.parametrize(("ddl", "kind"), [(ADR_DDL, SchemaKind.ADR), (DEPLOYED_DDL, SchemaKind.DEPLOYED)])
def test_session_holds_the_users_store(qapp: object, tmp_path: Path, ddl: str, kind: SchemaKind) -> None:
    home = tmp_path / "home"
    _db(home / "public_users.db", ddl)
    dirs = AppDirs(config=tmp_path / "c", state=tmp_path / "s", data=tmp_path / "d", log=tmp_path / "l")
    session = open_session(DataPaths(home=home, logs=(), backups=tmp_path / "b"), dirs, Settings(dirs), State(dirs))
    try:
        assert session.schema is kind
        users = session.stores.database(StoreRole.USERS)
        assert users is not None and session.database is users and users.read_only
        assert session.stores.refs(StoreRole.USERS)[0].path == home / "public_users.db"
        assert session.stores.open(StoreRole.USERS) is users
    finally:
        session.close()
    assert session.database is None


def test_session_without_a_database_keeps_the_ref_and_the_reason(qapp: object, tmp_path: Path) -> None:
    dirs = AppDirs(config=tmp_path / "c", state=tmp_path / "s", data=tmp_path / "d", log=tmp_path / "l")
    session = open_session(DataPaths(home=tmp_path / "none", logs=(), backups=tmp_path / "b"), dirs,
                           Settings(dirs), State(dirs))
    assert session.database is None and session.error is not None
    assert session.error.problem is DbProblem.MISSING
    assert [r.role for r in session.stores.refs()] == [StoreRole.USERS]
    session.close()
