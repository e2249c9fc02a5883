"""The vault's wallets over PostgreSQL: the migrated ``wallets`` and ``users`` rows, read-only.

A ``WalletSource`` (db/wallet_source.py) for ``VaultController``: the same
records as db/wallets.py reads from SQLite — encrypted keys move byte for
byte (``bytea`` comes back as the same bytes, the deployed bot's base64 TEXT
as the same text) — so unlock, reveal, copy and verify-all work unchanged.
Every read is one bounded query fetched to its end (db/pg/connection.py).
The session is read-only (``default_transaction_read_only``), so rotation
and import are refused here with the reason, before any statement is sent
(docs/architecture.md, 'PostgreSQL').
"""

from __future__ import annotations

from pathlib import Path

from ...core.schema import Domain, SchemaKind, detect_schema, domain_for
from ...core.vault import ImportPlan, RotationPlan, WalletKey, WalletRecord
from ...core.wallet_ids import wallet_keys
from ..errors import DatabaseError, DbProblem
from ..wallets import MAX_WALLETS, VaultWriteError
from .connection import PgDatabase, PgError, PgTable, quote_ident

_Q = quote_ident
READ_ONLY_HINT = "read-only: keys cannot change"


def schema_tables(db: PgDatabase) -> dict[str, dict[str, list[str]]]:
    """schema -> table -> column names, for every user table (one catalogue query per table)."""
    out: dict[str, dict[str, list[str]]] = {}
    for table in db.tables():
        out.setdefault(table.schema, {})[table.name] = [c for c, _t in db.described(table).columns]
    return out


def detect(db: PgDatabase) -> tuple[str, SchemaKind, dict[str, list[str]]]:
    """The schema holding the bot's tables (``public`` first), its kind, and its tables' columns.

    ``migrate --schema NAME`` may have put them elsewhere; the first schema
    whose tables match ADR-005's or the deployed bot's wins.
    """
    found = schema_tables(db)
    order = sorted(found, key=lambda s: (s != "public", s))
    for schema in order:
        kind = detect_schema(found[schema])
        if kind is not SchemaKind.UNKNOWN:
            return schema, kind, found[schema]
    first = order[0] if order else "public"
    return first, SchemaKind.UNKNOWN, found.get(first, {})


class PgWallets:
    """The wallets of one migrated PostgreSQL database, for the vault; every write is refused."""

    read_only = True
    writable_here = False
    read_only_hint = READ_ONLY_HINT

    def __init__(self, db: PgDatabase, domain: Domain, schema: str = "public") -> None:
        self.db = db
        self.domain = domain
        self.schema = schema
        self.location = Path(f"{db.label} (PostgreSQL)")

    @classmethod
    def open(cls, db: PgDatabase) -> PgWallets | None:
        """The source for this database, or None when it holds no known wallets schema."""
        schema, kind, _tables = detect(db)
        domain = domain_for(kind)
        return None if domain is None else cls(db, domain, schema)

    def read_only_message(self) -> str:
        """Why nothing can be written from this window."""
        return ("This PostgreSQL session is read-only (the server refuses writes): change the passphrase or "
                "import keys on the SQLite home, then migrate again.")

    def _table(self, name: str) -> str:
        return PgTable(self.schema, name).sql

    def load(self) -> list[WalletRecord]:
        """Every wallet with its owner's name, ordered by owner then wallet key (as db/wallets.py orders them).

        There is no rowid: a row's place in that order stands in for it, only
        to tell apart wallets whose key is NULL or shared (core/wallet_ids.py) —
        a migrated table keeps its primary key, so that does not happen.
        """
        d = self.domain
        sql = (f"SELECT w.{_Q(d.wallet_pk)}, w.{_Q(d.wallet_user)}, u.{_Q(d.user_name)}, w.{_Q(d.wallet_label)}, "
               f"w.{_Q(d.wallet_address)}, w.{_Q(d.wallet_default)}, w.{_Q(d.wallet_secret)} "
               f"FROM {self._table(d.wallets)} w LEFT JOIN {self._table(d.users)} u "
               f"ON u.{_Q(d.user_pk)} = w.{_Q(d.wallet_user)} "
               f"ORDER BY w.{_Q(d.wallet_user)}, w.{_Q(d.wallet_pk)} LIMIT {MAX_WALLETS}")
        rows = self._rows(sql)
        keys = wallet_keys([(n, row[0]) for n, row in enumerate(rows, 1)])
        return [WalletRecord(key=key, user_id=user_id if isinstance(user_id, int) else None,
                             owner="" if owner is None else str(owner), label="" if label is None else str(label),
                             address="" if address is None else str(address), is_default=_truthy(default),
                             stored=stored if isinstance(stored, (str, bytes)) else None)
                for key, (_pk, user_id, owner, label, address, default, stored) in zip(keys, rows, strict=True)]

    def users(self) -> list[tuple[int, str]]:
        """(user id, display name) of every user."""
        d = self.domain
        rows = self._rows(f"SELECT {_Q(d.user_pk)}, {_Q(d.user_name)} FROM {self._table(d.users)} "
                          f"ORDER BY {_Q(d.user_name)} LIMIT {MAX_WALLETS}")
        return [(uid, "" if name is None else str(name)) for uid, name in rows if isinstance(uid, int)]

    def write_rotation(self, plan: RotationPlan) -> int:
        """Refused: the session is read-only."""
        raise VaultWriteError(self.read_only_message())

    def insert(self, plan: ImportPlan) -> WalletKey:
        """Refused: the session is read-only."""
        raise VaultWriteError(self.read_only_message())

    def _rows(self, sql: str) -> list[tuple[object, ...]]:
        try:
            return self.db.rows(sql)
        except PgError as exc:  # the vault reports DatabaseError as "could not be read"
            raise DatabaseError(DbProblem.OTHER, str(exc)) from None


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "t")
    return bool(value)
