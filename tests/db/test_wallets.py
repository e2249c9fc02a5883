"""Wallet rows through QtSql: both schemas, rotation in one transaction, import."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lifeos_desk.core.base58 import b58encode
from lifeos_desk.core.keys import StoredForm, parse_envelope
from lifeos_desk.core.schema import ADR_DOMAIN, DEPLOYED_DOMAIN, Domain
from lifeos_desk.core.secrets import Secret
from lifeos_desk.core.vault import (
    RotationPlan,
    VerifyStatus,
    parse_import_key,
    plan_rotation,
    seal_for_import,
    verify_all,
)
from lifeos_desk.db.connection import Database
from lifeos_desk.db.errors import DatabaseError
from lifeos_desk.db.wallets import (
    VaultWriteError,
    insert_wallet,
    load_users,
    load_wallets,
    storage_form,
    write_rotation,
)

from .vault_homes import demo_copy

DOMAINS = {"deployed": DEPLOYED_DOMAIN, "adr": ADR_DOMAIN}
NEW = "a brand new passphrase"


@pytest.fixture
def opened(qapp: object) -> Iterator[list[Database]]:
    dbs: list[Database] = []
    yield dbs
    for db in dbs:
        db.close()


def _home(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, schema: str) -> tuple[Path, str]:
    return demo_copy(tmp_path_factory, tmp_path / "home", schema, users=3)


def _open(opened: list[Database], home: Path, read_only: bool = False) -> Database:
    db = Database(home / "public_users.db", read_only=read_only)
    opened.append(db)
    return db


def _stored(db: Database, domain: Domain) -> dict[object, object]:
    return {r.key: r.stored for r in load_wallets(db.connection(), domain)}


@pytest.mark.parametrize("schema", ["deployed", "adr"])
def test_load_wallets_reads_every_row_with_its_owner(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
                                                      opened: list[Database], schema: str) -> None:
    home, passphrase = _home(tmp_path_factory, tmp_path, schema)
    db = _open(opened, home, read_only=True)
    records = load_wallets(db.connection(), DOMAINS[schema])
    assert len(records) == 3
    assert all(r.address and r.user_id is not None and r.stored for r in records)
    assert any(r.owner for r in records)
    report = verify_all(records, Secret(passphrase))
    assert report.all_verified, report.summary()
    users = load_users(db.connection(), DOMAINS[schema])
    assert len(users) == 3
    forms = {parse_envelope(r.stored).form for r in records if r.stored is not None}
    if schema == "adr":
        assert forms == {StoredForm.BASE64_BYTES, StoredForm.RAW_BYTES}
        assert storage_form(DOMAINS[schema], records) in forms
    else:
        assert forms == {StoredForm.BASE64_TEXT}
        assert storage_form(DOMAINS[schema], records) is StoredForm.BASE64_TEXT


def _plan(db: Database, domain: Domain, passphrase: str) -> RotationPlan:
    return plan_rotation(load_wallets(db.connection(), domain), Secret(passphrase), Secret(NEW))


@pytest.mark.parametrize("schema", ["deployed", "adr"])
def test_rotation_is_written_and_reads_back_under_the_new_passphrase(
        tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, opened: list[Database], schema: str) -> None:
    home, passphrase = _home(tmp_path_factory, tmp_path, schema)
    db = _open(opened, home)
    domain = DOMAINS[schema]
    before = _stored(db, domain)
    plan = _plan(db, domain, passphrase)
    assert write_rotation(db, domain, plan) == 3
    records = load_wallets(db.connection(), domain)
    assert all(r.stored != before[r.key] for r in records)
    assert all(type(r.stored) is type(before[r.key]) for r in records)  # BLOB stays BLOB, TEXT stays TEXT
    assert verify_all(records, Secret(NEW)).all_verified
    assert all(s.status is VerifyStatus.WRONG_PASSPHRASE
               for s in verify_all(records, Secret(passphrase)).results.values())


def test_rotation_is_refused_on_a_read_only_database(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
                                                      opened: list[Database]) -> None:
    home, passphrase = _home(tmp_path_factory, tmp_path, "deployed")
    db = _open(opened, home, read_only=True)
    plan = _plan(db, DEPLOYED_DOMAIN, passphrase)
    with pytest.raises(VaultWriteError, match="read-only"):
        write_rotation(db, DEPLOYED_DOMAIN, plan)


def _add_trigger(db_path: Path, pk: str, key: object) -> None:
    """Make the UPDATE of one wallet fail (an injected mid-way failure); done before QtSql opens the file."""
    con = sqlite3.connect(db_path)
    con.execute(f"CREATE TRIGGER inject_failure BEFORE UPDATE ON wallets WHEN old.{pk} = {key!r} "
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
    con.commit()
    con.close()


@pytest.mark.parametrize("schema", ["deployed", "adr"])
def test_rotation_rolls_back_when_a_write_fails_mid_way(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
                                                         opened: list[Database], schema: str) -> None:
    home, passphrase = _home(tmp_path_factory, tmp_path, schema)
    domain = DOMAINS[schema]
    con = sqlite3.connect(home / "public_users.db")
    keys = [r[0] for r in con.execute(
        f"SELECT {domain.wallet_pk} FROM wallets ORDER BY {domain.wallet_user}, {domain.wallet_pk}")]
    con.close()
    _add_trigger(home / "public_users.db", domain.wallet_pk, keys[-1])  # the last row fails, after two updated
    db = _open(opened, home)
    before = _stored(db, domain)
    plan = _plan(db, domain, passphrase)
    with pytest.raises(DatabaseError, match="injected failure"):
        write_rotation(db, domain, plan)
    assert _stored(db, domain) == before
    assert verify_all(load_wallets(db.connection(), domain), Secret(passphrase)).all_verified


def test_rotation_aborts_if_the_bot_changed_a_wallet_meanwhile(tmp_path_factory: pytest.TempPathFactory,
                                                               tmp_path: Path, opened: list[Database]) -> None:
    home, passphrase = _home(tmp_path_factory, tmp_path, "deployed")
    db = _open(opened, home)
    plan = _plan(db, DEPLOYED_DOMAIN, passphrase)
    changed = plan.items[1].key
    # The "bot" is a child process: this process holds QtSql connections to the file (fact 1).
    subprocess.run([sys.executable, "-c", (
        "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
        "c.execute(\"UPDATE wallets SET encrypted_private_key='rewritten' WHERE wallet_id=?\", (sys.argv[2],)); "
        "c.commit(); c.close()"), str(home / "public_users.db"), str(changed)], check=True)
    before = _stored(db, DEPLOYED_DOMAIN)
    with pytest.raises(VaultWriteError, match=str(changed)):
        write_rotation(db, DEPLOYED_DOMAIN, plan)
    assert _stored(db, DEPLOYED_DOMAIN) == before


@pytest.mark.parametrize("schema", ["deployed", "adr"])
def test_import_inserts_a_wallet_in_the_schema_shape(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
                                                      opened: list[Database], schema: str) -> None:
    home, passphrase = _home(tmp_path_factory, tmp_path, schema)
    domain = DOMAINS[schema]
    db = _open(opened, home)
    records = load_wallets(db.connection(), domain)
    user_id = load_users(db.connection(), domain)[0][0]
    secret = parse_import_key(b58encode(bytes([5]) * 32))  # a 32-byte seed
    plan = seal_for_import(secret, Secret(passphrase), user_id, "imported", storage_form(domain, records),
                           make_default=True)
    key = insert_wallet(db, domain, plan)
    after = {r.key: r for r in load_wallets(db.connection(), domain)}
    assert len(after) == 4 and after[key].address == plan.address and after[key].is_default
    assert not any(r.is_default for r in after.values() if r.user_id == user_id and r.key != key)
    assert verify_all(list(after.values()), Secret(passphrase)).all_verified
    if schema == "deployed":
        assert str(key).startswith(f"wallet_{user_id}_") and after[key].label == "imported"
    with pytest.raises(VaultWriteError, match="already exists"):
        insert_wallet(db, domain, plan)
    assert len(load_wallets(db.connection(), domain)) == 4


def _cli(home: Path, stdin: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """The headless command in its own process, passphrase on a pipe (stdin is not a terminal)."""
    return subprocess.run([sys.executable, "-m", "lifeos_desk", "vault", "verify", "--home", str(home), *extra],
                          input=stdin, capture_output=True, text=True, check=False, timeout=120)


def test_cli_verify_prints_a_table_without_secrets_and_exits_0(tmp_path_factory: pytest.TempPathFactory,
                                                               tmp_path: Path) -> None:
    home, passphrase = _home(tmp_path_factory, tmp_path, "adr")
    proc = _cli(home, passphrase + "\n")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:5] == ["STORE", "WALLET", "LABEL", "ADDRESS", "STATUS"]
    assert sum(line.startswith("public ") and " verified" in line for line in lines[1:-1]) == 3
    assert lines[-1].startswith("3 wallets in 1 store(s): 3 verified")
    assert passphrase not in proc.stdout + proc.stderr
    audit = (home / "logs" / "audit.jsonl").read_text().splitlines()[-1]
    assert '"event": "vault_verify"' in audit and '"verified": 3' in audit and passphrase not in audit


def test_cli_verify_exit_codes(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    home, passphrase = _home(tmp_path_factory, tmp_path, "deployed")
    wrong = _cli(home, "not the passphrase\n", "--quiet")
    assert wrong.returncode == 4 and "opened none" in wrong.stderr
    assert _cli(home, "").returncode == 2  # nothing on stdin: refused, no prompt hangs
    con = sqlite3.connect(home / "public_users.db")  # no QtSql in this process touches this file
    con.execute("UPDATE wallets SET encrypted_private_key='garbage' WHERE rowid = 1")
    con.commit()
    con.close()
    partly = _cli(home, passphrase + "\n")
    assert partly.returncode == 1
    assert "unrecognised" in partly.stdout and "2 verified" in partly.stdout.splitlines()[-1]
    help_text = _cli(home, "", "--help").stdout
    assert not re.search(r"--passphrase(?!-env)", help_text)  # only the name of a variable, never the value
    assert "never from the command line" in " ".join(help_text.split())


def _drop_wallet_ids(db_path: Path, garbage_second: bool) -> list[int]:
    """Two wallets lose their wallet_id (SQLite allows NULL in a TEXT PRIMARY KEY); returns their rowids."""
    con = sqlite3.connect(db_path)
    rowids = [r[0] for r in con.execute("SELECT rowid FROM wallets ORDER BY rowid LIMIT 2")]
    con.executemany("UPDATE wallets SET wallet_id = NULL WHERE rowid = ?", [(r,) for r in rowids])
    if garbage_second:
        con.execute("UPDATE wallets SET encrypted_private_key = 'not an envelope' WHERE rowid = ?", (rowids[1],))
    con.commit()
    con.close()
    return rowids


def test_issue14_item14_null_wallet_ids_are_distinct(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
                                                     opened: list[Database]) -> None:
    from lifeos_desk.ui.vault.model import StatusRole, WalletTableModel

    home, passphrase = _home(tmp_path_factory, tmp_path, "deployed")
    good, garbage = _drop_wallet_ids(home / "public_users.db", garbage_second=True)
    records = load_wallets(_open(opened, home, read_only=True).connection(), DEPLOYED_DOMAIN)
    assert len({r.key for r in records}) == 3  # every wallet its own identity
    by_row = {getattr(r.key, "rowid", None): r for r in records}
    assert str(by_row[good].key) == f"row {good} (no wallet id)"
    report = verify_all(records, Secret(passphrase))
    assert len(report.results) == 3 and not report.all_verified
    assert report.results[by_row[good].key].status is VerifyStatus.VERIFIED
    assert report.results[by_row[garbage].key].status is VerifyStatus.UNRECOGNISED
    model = WalletTableModel(DEPLOYED_DOMAIN)
    model.set_records(records)
    model.set_results(report.results)
    shown = {model.record(row).key: model.index(row, 0).data(StatusRole) for row in range(model.rowCount())}
    assert shown[by_row[garbage].key] is VerifyStatus.UNRECOGNISED  # never "verified"
    assert shown[by_row[good].key] is VerifyStatus.VERIFIED


def test_issue14_item14_wallets_without_an_id_are_rotated_by_rowid(tmp_path_factory: pytest.TempPathFactory,
                                                                   tmp_path: Path, opened: list[Database]) -> None:
    home, passphrase = _home(tmp_path_factory, tmp_path, "deployed")
    _drop_wallet_ids(home / "public_users.db", garbage_second=False)
    db = _open(opened, home)
    before = _stored(db, DEPLOYED_DOMAIN)
    assert write_rotation(db, DEPLOYED_DOMAIN, _plan(db, DEPLOYED_DOMAIN, passphrase)) == 3
    records = load_wallets(db.connection(), DEPLOYED_DOMAIN)
    assert all(r.stored != before[r.key] for r in records)
    assert verify_all(records, Secret(NEW)).all_verified


def test_issue14_item14_duplicated_wallet_ids_are_distinct(tmp_path_factory: pytest.TempPathFactory,
                                                           tmp_path: Path, opened: list[Database]) -> None:
    home, passphrase = _home(tmp_path_factory, tmp_path, "deployed")
    con = sqlite3.connect(home / "public_users.db")  # a copy of the bot's table without its PRIMARY KEY
    columns = ", ".join(r[1] for r in con.execute("PRAGMA table_info(wallets)"))
    con.executescript(f"CREATE TABLE loose AS SELECT * FROM wallets; DROP TABLE wallets; "
                      f"CREATE TABLE wallets AS SELECT {columns} FROM loose; DROP TABLE loose; "
                      "UPDATE wallets SET wallet_id = 'same' WHERE rowid IN (1, 2);")
    con.commit()
    con.close()
    db = _open(opened, home)
    records = load_wallets(db.connection(), DEPLOYED_DOMAIN)
    assert len({r.key for r in records}) == 3
    assert sorted(str(r.key) for r in records if str(r.key).startswith("same")) == [
        "same (row 1, wallet id shared)", "same (row 2, wallet id shared)"]
    assert verify_all(records, Secret(passphrase)).all_verified
    assert write_rotation(db, DEPLOYED_DOMAIN, _plan(db, DEPLOYED_DOMAIN, passphrase)) == 3
    assert verify_all(load_wallets(db.connection(), DEPLOYED_DOMAIN), Secret(NEW)).all_verified
