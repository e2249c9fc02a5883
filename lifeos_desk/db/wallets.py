"""Wallet rows through QtSql, for either schema (names come from ``Domain``).

Reads are bounded and fetched to the end at once (docs/architecture.md, 'Half-read statements pin the WAL').
Writes (rotation, import) go through a connection of their own role, opened
only when editing is allowed, inside one ``BEGIN IMMEDIATE`` transaction: all
rows or none. Every UPDATE also checks the row still holds the value the plan
was made from, so a wallet the bot changed meanwhile aborts the whole write
instead of being overwritten.

Python ``bytes`` bound through QSqlQuery arrive as empty TEXT; BLOB values are
wrapped in QByteArray here (and read back as bytes).
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QByteArray
from PySide6.QtSql import QSqlDatabase

from ..core.keys import StoredForm, parse_envelope
from ..core.schema import Domain, SchemaKind
from ..core.times import naive_utc_iso
from ..core.vault import ImportPlan, RotationPlan, WalletKey, WalletRecord
from ..core.wallet_ids import RowKey, wallet_keys
from .connection import Database, quote_ident, run_exec, run_rows, run_scalar
from .errors import DatabaseError, DbProblem

T = TypeVar("T")
WRITE_ROLE = "vault-write"
MAX_WALLETS = 1_000_000  # a bound for the read, far above any real bot


class VaultWriteError(Exception):
    """A rotation or import was refused or rolled back; nothing was written."""


def _q(name: str) -> str:
    return quote_ident(name)


def _from_db(value: Any) -> Any:
    if isinstance(value, QByteArray):
        return bytes(value.data())
    return value


def _to_db(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return QByteArray(bytes(value))
    return value


def _bind(params: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(_to_db(p) for p in params)


def load_wallets(db: QSqlDatabase, domain: Domain) -> list[WalletRecord]:
    """Every wallet with its owner's name, ordered by owner then wallet key.

    Each record's ``key`` tells it apart from every other: a wallet whose key
    is NULL or shared is keyed by its rowid (core.wallet_ids, issue 14 item 14).
    """
    rows = wallet_rows(db, domain)
    keys = wallet_keys([(int(row[0]), _from_db(row[1])) for row in rows])
    return [record_of(key, row) for key, row in zip(keys, rows, strict=True)]


def wallet_rows(db: QSqlDatabase, domain: Domain, after: int | None = None,
                upto: int | None = None) -> list[tuple[Any, ...]]:
    """The raw wallet rows (rowid, key, user, owner, label, address, default, stored), in ``load_wallets`` order.

    ``after``/``upto`` bound the rowid, so a live refresh reads only the rows a
    commit added (db/wallet_changes.py).
    """
    d = domain
    where, params = [], []
    if after is not None:
        where.append("w.rowid > ?")
        params.append(after)
    if upto is not None:
        where.append("w.rowid <= ?")
        params.append(upto)
    sql = (
        f"SELECT w.rowid, w.{_q(d.wallet_pk)}, w.{_q(d.wallet_user)}, u.{_q(d.user_name)}, w.{_q(d.wallet_label)}, "
        f"w.{_q(d.wallet_address)}, w.{_q(d.wallet_default)}, w.{_q(d.wallet_secret)} "
        f"FROM {_q(d.wallets)} w LEFT JOIN {_q(d.users)} u ON u.{_q(d.user_pk)} = w.{_q(d.wallet_user)} "
        + (f"WHERE {' AND '.join(where)} " if where else "")
        + f"ORDER BY w.{_q(d.wallet_user)}, w.{_q(d.wallet_pk)}, w.rowid LIMIT {MAX_WALLETS}"
    )
    return [tuple(_from_db(v) for v in row) for row in run_rows(db, sql, tuple(params))]


def record_of(key: WalletKey, row: Sequence[Any]) -> WalletRecord:
    """The record of one ``wallet_rows`` row, given its key (core.wallet_ids)."""
    _rowid, _pk, user_id, owner, label, address, default, stored = row
    return WalletRecord(
        key=key,
        user_id=int(user_id) if isinstance(user_id, int) else None,
        owner="" if owner is None else str(owner),
        label="" if label is None else str(label),
        address="" if address is None else str(address),
        is_default=_truthy(default),
        stored=stored,
    )


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "t")
    return bool(value)


def load_users(db: QSqlDatabase, domain: Domain) -> list[tuple[int, str]]:
    """(user id, display name) of every user, for the import dialog."""
    d = domain
    rows = run_rows(db, f"SELECT {_q(d.user_pk)}, {_q(d.user_name)} FROM {_q(d.users)} "
                        f"ORDER BY {_q(d.user_name)} LIMIT {MAX_WALLETS}")
    return [(int(uid), "" if name is None else str(name)) for uid, name in rows if isinstance(uid, int)]


def storage_form(domain: Domain, records: Sequence[WalletRecord]) -> StoredForm:
    """The envelope form new values should take: what the schema's rows already use.

    The deployed bot stores base64 TEXT. ADR-005's BLOB holds either the base64
    text's bytes or raw salt||token; follow the majority of existing rows, and
    base64 bytes (readable by both kinds of reader) when there are none.
    """
    if domain.kind is SchemaKind.DEPLOYED:
        return StoredForm.BASE64_TEXT
    forms: Counter[StoredForm] = Counter()
    for r in records:
        if r.stored is None:
            continue
        try:
            forms[parse_envelope(r.stored).form] += 1
        except ValueError:
            continue
    return forms.most_common(1)[0][0] if forms else StoredForm.BASE64_BYTES


def _writable(database: Database) -> QSqlDatabase:
    if database.read_only:
        raise VaultWriteError("the database is open read-only: allow editing first (Database ▸ Allow editing)")
    return database.connection(WRITE_ROLE)


def _in_transaction(database: Database, work: Callable[[QSqlDatabase], T]) -> T:
    """Run work inside BEGIN IMMEDIATE ... COMMIT on the write connection; roll back on any error.

    The write connection lives for one transaction. Qt removes a connection
    only when no QSqlDatabase handle to it is alive (else it warns that the
    connection "is still in use"), so the handle stays inside ``_transact``
    and an error leaves it without its traceback, whose frames hold the
    handle, as ``opened_info`` does in connection.py.
    """
    try:
        return _transact(_writable(database), work)
    except BaseException as exc:
        error = exc.with_traceback(None)  # frees the frames, and with them the handle
    finally:
        database.close_role(WRITE_ROLE)
    raise error


def _transact(db: QSqlDatabase, work: Callable[[QSqlDatabase], T]) -> T:
    """The transaction itself; its frame holds the only handle to the write connection."""
    try:
        run_exec(db, "BEGIN IMMEDIATE")
        result = work(db)
        run_exec(db, "COMMIT")
    except BaseException:
        with contextlib.suppress(DatabaseError):  # SQLite may have rolled back already
            run_exec(db, "ROLLBACK")
        raise
    return result


def write_rotation(database: Database, domain: Domain, plan: RotationPlan) -> int:
    """Replace every wallet's envelope in one transaction; returns rows written.

    Raises VaultWriteError (rolled back) if a row is gone or no longer holds
    the value the plan was made from, and DatabaseError for SQLite failures
    (also rolled back).
    """
    d = domain
    by_key = (f"UPDATE {_q(d.wallets)} SET {_q(d.wallet_secret)} = ? "
              f"WHERE {_q(d.wallet_pk)} = ? AND {_q(d.wallet_secret)} = ?")
    by_rowid = f"UPDATE {_q(d.wallets)} SET {_q(d.wallet_secret)} = ? WHERE rowid = ? AND {_q(d.wallet_secret)} = ?"

    def work(db: QSqlDatabase) -> int:
        for item in plan.items:
            # A wallet keyed by rowid has no usable key; the old value still guards the row.
            sql, ident = (by_rowid, item.key.rowid) if isinstance(item.key, RowKey) else (by_key, item.key)
            if run_exec(db, sql, _bind((item.new_stored, ident, item.old_stored))) != 1:
                raise VaultWriteError(f"wallet {item.key} changed or vanished since the rotation was planned; "
                                      "nothing was written")
        return len(plan.items)

    return _in_transaction(database, work)


def insert_wallet(database: Database, domain: Domain, plan: ImportPlan) -> WalletKey:
    """Insert an imported wallet in the schema's shape; returns its key.

    A wallet with the same address already present is refused with a plain
    message (the address column is UNIQUE in both schemas).
    """
    def work(db: QSqlDatabase) -> WalletKey:
        if run_scalar(db, f"SELECT count(*) FROM {_q(domain.wallets)} WHERE {_q(domain.wallet_address)} = ?",
                      (plan.address,)):
            raise VaultWriteError(f"a wallet with address {plan.address} already exists; nothing was written")
        if plan.make_default:
            run_exec(db, f"UPDATE {_q(domain.wallets)} SET {_q(domain.wallet_default)} = 0 "
                         f"WHERE {_q(domain.wallet_user)} = ?", (plan.user_id,))
        columns, values = _insert_values(domain, plan)
        marks = ", ".join("?" for _ in columns)
        run_exec(db, f"INSERT INTO {_q(domain.wallets)} ({', '.join(map(_q, columns))}) VALUES ({marks})",
                 _bind(values))
        key = run_scalar(db, f"SELECT {_q(domain.wallet_pk)} FROM {_q(domain.wallets)} "
                             f"WHERE {_q(domain.wallet_address)} = ?", (plan.address,))
        return key if isinstance(key, (int, str)) else str(key)

    return _in_transaction(database, work)


def _insert_values(domain: Domain, plan: ImportPlan) -> tuple[list[str], list[Any]]:
    d = domain
    default = 1 if plan.make_default else 0
    if d.kind is SchemaKind.DEPLOYED:
        now = naive_utc_iso(time.time())  # the deployed bot's zone-less UTC text (core/times.py)
        wallet_id = f"wallet_{plan.user_id}_{secrets.token_hex(8)}"
        return ([d.wallet_pk, d.wallet_user, d.wallet_address, d.wallet_secret, d.wallet_label,
                 "created_at", "last_used", "balance_sol", "total_traded_usd", d.wallet_default],
                [wallet_id, plan.user_id, plan.address, plan.stored, plan.label or "imported",
                 now, now, 0.0, 0.0, default])
    if d.kind is SchemaKind.ADR:
        return ([d.wallet_user, d.wallet_address, d.wallet_secret, d.wallet_label, d.wallet_default],
                [plan.user_id, plan.address, plan.stored, plan.label or None, default])
    raise DatabaseError(DbProblem.OTHER, "wallets can only be imported into a known schema")
