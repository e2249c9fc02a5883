"""The vault's live refresh reads what moved: nothing after trade commits, only new rows after inserts (issue 18)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray
from PySide6.QtSql import QSqlDatabase

from lifeos_desk.core.base58 import b58encode
from lifeos_desk.core.schema import ADR_DOMAIN, DEPLOYED_DOMAIN, Domain
from lifeos_desk.core.secrets import Secret
from lifeos_desk.core.vault import parse_import_key, seal_for_import
from lifeos_desk.db.connection import Database, quote_ident, run_exec, run_rows
from lifeos_desk.db.wallet_changes import WalletChanges
from lifeos_desk.db.wallets import insert_wallet, load_users, load_wallets, storage_form, wallet_rows

from .vault_homes import demo_copy

DOMAINS = {"deployed": DEPLOYED_DOMAIN, "adr": ADR_DOMAIN}
WRITER = "test-bot"  # a second QtSql connection, as the bot is another writer


@pytest.fixture
def opened(qapp: object) -> Iterator[list[Database]]:
    dbs: list[Database] = []
    yield dbs
    for db in dbs:
        db.close()


def _open(opened: list[Database], tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
          schema: str) -> tuple[Database, str]:
    home, passphrase = demo_copy(tmp_path_factory, tmp_path / "home", schema, users=3)
    db = Database(home / "public_users.db", read_only=False)
    opened.append(db)
    return db, passphrase


def _commit_trade(db: QSqlDatabase, domain: Domain, n: int) -> None:
    """What the bot mostly does: add a trade (a copy of one with a new key)."""
    table, pk = quote_ident(domain.trades), domain.trade_pk
    columns = [str(row[1]) for row in run_rows(db, f"PRAGMA table_info({table})")]
    chosen = ", ".join(f"{quote_ident(c)} || '-bot{n}'" if c == pk else quote_ident(c) for c in columns)
    run_exec(db, f"INSERT INTO {table} ({', '.join(map(quote_ident, columns))}) SELECT {chosen} FROM {table} LIMIT 1")


def _as_loaded(db: Database, domain: Domain) -> list[tuple[object, ...]]:
    return [(r.key, r.owner, r.label, r.address, r.is_default, r.stored) for r in load_wallets(db.connection(), domain)]


def _view(records: object) -> list[tuple[object, ...]]:
    assert isinstance(records, list)
    return [(r.key, r.owner, r.label, r.address, r.is_default, r.stored) for r in records]


@pytest.mark.parametrize("schema", ["deployed", "adr"])
def test_trade_commits_read_no_wallet_and_an_insert_reads_only_the_new_row(
        tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, opened: list[Database], schema: str) -> None:
    db, passphrase = _open(opened, tmp_path_factory, tmp_path, schema)
    domain = DOMAINS[schema]
    changes = WalletChanges(domain)
    first = changes.load(db.connection())
    assert len(first) == 3 and changes.reads.full == 1 and changes.reads.rows == 3
    writer = db.connection(WRITER)
    for n in range(5):
        _commit_trade(writer, domain, n)
        assert changes.refresh(db.connection(), check_content=n % 2 == 0) is None
    assert changes.reads.full == 1 and changes.reads.rows == 3  # five commits, no wallet re-read

    user_id = load_users(db.connection(), domain)[0][0]
    plan = seal_for_import(parse_import_key(b58encode(bytes([7]) * 32)), Secret(passphrase), user_id, "new",
                           storage_form(domain, first), make_default=False)
    del writer
    db.close_role(WRITER)
    insert_wallet(db, domain, plan)
    after = changes.refresh(db.connection(), check_content=False)
    assert changes.reads.full == 1 and changes.reads.rows == 4  # only the new row was read
    assert _view(after) == _as_loaded(db, domain)  # in the same order and with the same keys as a full read
    assert changes.refresh(db.connection(), check_content=True) is None


@pytest.mark.parametrize("schema", ["deployed", "adr"])
def test_an_equal_length_update_is_seen_by_the_content_check(
        tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, opened: list[Database], schema: str) -> None:
    db, _ = _open(opened, tmp_path_factory, tmp_path, schema)
    domain = DOMAINS[schema]
    changes = WalletChanges(domain)
    changes.load(db.connection())
    rowid, stored = wallet_rows(db.connection(), domain)[0][0], wallet_rows(db.connection(), domain)[0][7]
    assert isinstance(stored, (str, bytes)) and stored
    rotated = stored[::-1]  # same length and type, other content (as a rotated key)
    assert rotated != stored
    writer = db.connection(WRITER)
    value = QByteArray(rotated) if isinstance(rotated, bytes) else rotated
    assert run_exec(writer, f"UPDATE {quote_ident(domain.wallets)} SET {quote_ident(domain.wallet_secret)} = ? "
                            "WHERE rowid = ?", (value, rowid)) == 1
    assert changes.refresh(db.connection(), check_content=False) is None  # the shape cannot see it ...
    seen = changes.refresh(db.connection(), check_content=True)  # ... the content digest does
    assert _view(seen) == _as_loaded(db, domain) and changes.reads.full == 2
    assert any(r.stored == rotated for r in seen or [])

    run_exec(writer, f"DELETE FROM {quote_ident(domain.wallets)} WHERE rowid = ?", (rowid,))
    gone = changes.refresh(db.connection(), check_content=False)  # a row gone: a full re-read
    assert _view(gone) == _as_loaded(db, domain) and len(gone or []) == 2 and changes.reads.full == 3
    del writer
    db.close_role(WRITER)
