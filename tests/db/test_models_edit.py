"""Staged edits: pending until Save, one transaction, audited, and safe failures."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from lifeos_desk.core.audit import AuditWriter
from lifeos_desk.core.schema import ADR_DOMAIN, DEPLOYED_DOMAIN, Domain
from lifeos_desk.db.connection import Database
from lifeos_desk.db.tables.editor import SaveError, save_edits, single_default_rule
from lifeos_desk.db.tables.sql import fetch_one
from lifeos_desk.db.tables.window import PendingRole, TableWindowModel, load_table_info
from tests.db.tables_data import child_write, make_db

# The env fixture: a schema, a table and Database options in; an editable model, its database, the
# file's path, the schema's domain and an audit writer out.
Env = Callable[..., tuple[TableWindowModel, Database, Path, Domain, AuditWriter]]


@pytest.fixture
def env(qapp: QApplication, tmp_path: Path) -> Iterator[Env]:
    made: list[Database] = []

    def make(schema: str, table: str, read_only: bool = False,
             **kw: Any) -> tuple[TableWindowModel, Database, Path, Domain, AuditWriter]:
        path = make_db(tmp_path / schema / "public_users.db", schema, trades=50)
        db = Database(path, read_only=read_only, **kw)
        made.append(db)
        domain = ADR_DOMAIN if schema == "adr" else DEPLOYED_DOMAIN
        model = TableWindowModel(db, load_table_info(db, table, domain), after_stage=single_default_rule(domain))
        model.set_editable(not read_only)
        model.select()
        audit = AuditWriter(tmp_path / "logs" / "audit.jsonl")
        return model, db, path, domain, audit

    yield make
    for db in made:
        db.close()


def col(model: TableWindowModel, name: str) -> int:
    i = model.info.index_of(name)
    assert i >= 0
    return i


def stored(db: Database, sql: str, params: tuple[Any, ...] = ()) -> Any:
    return fetch_one(db.connection("check"), sql, params)


def audit_lines(audit: AuditWriter) -> list[dict[str, Any]]:
    return [json.loads(line) for line in audit.path.read_text().splitlines()] if audit.path.exists() else []


def test_read_only_means_no_editing(env: Env) -> None:
    model, *_ = env("adr", "users", read_only=True)
    index = model.index(0, col(model, "username"))
    assert not model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(index, "x")


@pytest.mark.parametrize(("schema", "table"), [("adr", "trades"), ("adr", "algorithm_metrics"),
                                               ("deployed", "transactions"), ("deployed", "user_stats")])
def test_history_stays_read_only_when_unlocked(env: Env, schema: str, table: str) -> None:
    model, *_ = env(schema, table)
    assert all(not model.flags(model.index(0, c)) & Qt.ItemFlag.ItemIsEditable for c in range(model.columnCount()))


@pytest.mark.parametrize(("schema", "domain"), [("adr", ADR_DOMAIN), ("deployed", DEPLOYED_DOMAIN)])
def test_edit_is_pending_then_saved_and_audited(env: Env, schema: str, domain: Domain) -> None:
    model, db, _, _, audit = env(schema, "users")
    name, risk = col(model, domain.user_name), col(model, "risk_level")
    assert model.setData(model.index(0, name), "renamed")
    assert not model.setData(model.index(0, risk), "YOLO")  # not one of the four levels
    assert model.setData(model.index(0, risk), "DEGEN")
    assert model.index(0, name).data() == "renamed" and model.index(0, name).data(PendingRole)
    pk = model.index(0, col(model, domain.user_pk)).data(Qt.ItemDataRole.EditRole)
    sql = f"SELECT {domain.user_name} FROM users WHERE {domain.user_pk} = ?"
    assert stored(db, sql, (pk,)) != "renamed"  # nothing written while pending
    assert save_edits(db, model.info, model.edits, audit, domain) == 2
    model.clear_edits(model.edits)
    assert stored(db, sql, (pk,)) == "renamed"
    assert stored(db, f"SELECT risk_level FROM users WHERE {domain.user_pk} = ?", (pk,)) == "DEGEN"
    assert not model.index(0, name).data(PendingRole)
    entries = audit_lines(audit)
    assert [e["column"] for e in entries] == [domain.user_name, "risk_level"]
    first = entries[0]
    assert list(first)[:2] == ["timestamp", "event"] and first["event"] == "table_edit"
    assert first["table"] == "users" and first["key"] == {domain.user_pk: pk}
    assert first["old"] != "renamed" and first["new"] == "renamed"
    assert first["source"] == "lifeos-desk" and first["os_user"]


def test_failed_save_writes_nothing_and_keeps_edits(env: Env) -> None:
    model, db, _, domain, audit = env("deployed", "users")
    name = col(model, "telegram_username")
    model.setData(model.index(0, col(model, "risk_level")), "DEGEN")
    model.setData(model.index(0, name), "tg2")  # UNIQUE NOT NULL: user 2 has it
    with pytest.raises(SaveError, match="already has this value.*Nothing was written"):
        save_edits(db, model.info, model.edits, audit, domain)
    assert len(model.edits) == 2
    assert stored(db, "SELECT risk_level FROM users WHERE user_id = 5001") == "MODERATE"
    assert not audit_lines(audit)


def test_row_changed_meanwhile_is_refused(env: Env) -> None:
    model, db, path, domain, audit = env("adr", "users")
    model.setData(model.index(0, col(model, "username")), "mine")
    child_write(path, "UPDATE users SET username = ? WHERE id = ?", [["bots", 1]])
    with pytest.raises(SaveError, match="changed meanwhile"):
        save_edits(db, model.info, model.edits, audit, domain)
    assert stored(db, "SELECT username FROM users WHERE id = 1") == "bots"
    child_write(path, "DELETE FROM users WHERE id = ?", [[1]])
    with pytest.raises(SaveError, match="deleted meanwhile"):
        save_edits(db, model.info, model.edits, audit, domain)
    assert model.edits


_LOCKER = r"""
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
con.execute("ROLLBACK")
"""


def test_locked_past_the_timeout_is_a_clear_message(env: Env) -> None:
    model, db, path, domain, audit = env("adr", "users", busy_timeout_ms=200)
    model.setData(model.index(1, col(model, "username")), "later")
    locker = subprocess.Popen([sys.executable, "-c", _LOCKER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        with pytest.raises(SaveError, match="locked"):
            save_edits(db, model.info, model.edits, audit, domain)
    finally:
        assert locker.stdin is not None
        locker.stdin.write("\n")
        locker.stdin.close()
        locker.wait(10)
    assert model.edits
    assert save_edits(db, model.info, model.edits, audit, domain) == 1  # retry works once the lock is gone


def test_one_default_wallet_per_user(env: Env) -> None:
    model, db, _, domain, audit = env("adr", "wallets")
    default = col(model, "is_default")
    second = next(r for r in range(model.rowCount()) if model.index(r, col(model, "address")).data() == "AddrSecond")
    assert model.setData(model.index(second, default), 1)
    staged = {(e.pk, e.new) for e in model.edits}
    assert staged == {((("id", 13),), 1), ((("id", 1),), 0)}  # the old default is cleared with it
    save_edits(db, model.info, model.edits, audit, domain)
    model.clear_edits(model.edits)
    assert stored(db, "SELECT group_concat(id) FROM wallets WHERE user_id = 1 AND is_default = 1") == "13"
    first = next(r for r in range(model.rowCount()) if model.index(r, 0).data(Qt.ItemDataRole.EditRole) == 1)
    model.setData(model.index(first, default), 1)
    model.setData(model.index(second, default), 1)  # undo the automatic companion edit: two defaults
    with pytest.raises(SaveError, match="one default wallet per user"):
        save_edits(db, model.info, model.edits, audit, domain)
    assert stored(db, "SELECT count(*) FROM wallets WHERE user_id = 1 AND is_default = 1") == 1


def test_revert_drops_edits(env: Env) -> None:
    model, *_ = env("adr", "wallets")
    model.setData(model.index(0, col(model, "label")), "Cold")
    assert model.index(0, col(model, "label")).data() == "Cold"
    model.revert()
    assert not model.edits and model.index(0, col(model, "label")).data() == "Main"


def test_pending_edits_survive_a_live_refresh(env: Env) -> None:
    model, _, path, _, _ = env("adr", "users")
    name = col(model, "username")
    model.setData(model.index(4, name), "pending-name")
    child_write(path, "INSERT INTO users (id, telegram_id, username) VALUES (?,?,?)", [[99, 99, "newcomer"]])
    model.refresh()
    assert model.rowCount() == 13
    assert model.index(4, name).data() == "pending-name" and model.index(4, name).data(PendingRole)
    assert model.index(12, name).data() == "newcomer"
