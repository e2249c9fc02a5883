"""The decrypt-and-address check of a sample of migrated wallets (issue 16's verification, with the passphrase).

The row checksums (verify.py) prove every encrypted key arrived byte for
byte; this proves the keys still open: for a sample of wallets — the first
and the last by key, and ``size`` others chosen at random — the PostgreSQL
row's encrypted key must equal the SQLite row's, decrypt with the vault
passphrase, and derive the stored address (core/vault.py, the same check
as ``lifeos-desk vault verify``). Each sampled wallet is reported by its id.

The passphrase arrives as a ``Secret`` (read from a no-echo prompt or
standard input by the command, never argv); each decrypted key is wiped
before the next is opened, and no result carries a secret. Qt-free; it reads
the SQLite file with Python's sqlite3, so it runs in the ``migrate``
process (docs/architecture.md, 'One SQLite library per process').
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote

from ..keys import BOT_ITERATIONS
from ..schema import Domain, detect_schema, domain_for
from ..secrets import Secret
from ..vault import VerifyStatus, WalletRecord, verify_wallet
from .errors import MigrateError
from .source import quote
from .target import connect

SAMPLE_SIZE = 20  # random wallets besides the first and the last
MISSING = "missing in PostgreSQL"
DIFFERS = "encrypted key differs from SQLite"
ADDRESS_DIFFERS = "address differs from SQLite"


@dataclass(frozen=True)
class WalletCheck:
    """One sampled wallet: its id, its address and what was found (``VERIFIED``'s text when all is well)."""

    wallet: str
    address: str
    status: str

    @property
    def ok(self) -> bool:
        """Whether it matched SQLite, decrypted, and derived its address."""
        return self.status == VerifyStatus.VERIFIED.value


@dataclass
class WalletSampleReport:
    """The sample's results; ``total`` is how many wallets the store holds."""

    store: str
    total: int = 0
    checks: list[WalletCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No sampled wallet failed (a store without wallets has nothing to fail)."""
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[WalletCheck]:
        """The sampled wallets that did not check out."""
        return [c for c in self.checks if not c.ok]


def pick_sample(count: int, size: int = SAMPLE_SIZE, rng: random.Random | None = None) -> list[int]:
    """Positions to check among ``count`` wallets in key order: the first, the last and ``size`` random others."""
    if count <= 0:
        return []
    middle = list(range(1, count - 1))
    chosen = (rng or random.SystemRandom()).sample(middle, min(size, len(middle)))
    return sorted({0, count - 1, *chosen})


def _sqlite_wallets(db: Path) -> tuple[Domain, list[tuple[Any, ...]]]:
    """The wallets of the SQLite file in key order (key, user, address, encrypted key), in one read transaction."""
    try:
        con = sqlite3.connect(f"file:{url_quote(str(db))}?mode=ro", uri=True, timeout=5.0, isolation_level=None)
    except sqlite3.Error as exc:
        raise MigrateError(f"{db}: cannot open read-only ({exc})") from exc
    try:
        con.execute("BEGIN")
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
        tables = {n: [c[1] for c in con.execute(f"PRAGMA table_info({quote(n)})").fetchall()] for n in names}
        domain = domain_for(detect_schema(tables))
        if domain is None:
            raise MigrateError(f"{db} has neither the ADR-005 nor the deployed bot's wallets table")
        d = domain
        rows = con.execute(f"SELECT {quote(d.wallet_pk)}, {quote(d.wallet_user)}, {quote(d.wallet_address)}, "
                           f"{quote(d.wallet_secret)} FROM {quote(d.wallets)} "
                           f"WHERE {quote(d.wallet_pk)} IS NOT NULL ORDER BY {quote(d.wallet_pk)}").fetchall()
        con.execute("COMMIT")
        return domain, rows
    except sqlite3.DatabaseError as exc:
        raise MigrateError(f"{db}: {exc}") from exc
    finally:
        con.close()


def _pg_wallets(url: str, schema: str, domain: Domain, keys: Sequence[Any]) -> dict[Any, tuple[Any, ...]]:
    """key -> (address, encrypted key) of the sampled wallets in PostgreSQL, in one read-only transaction."""
    d = domain
    sql = (f"SELECT {quote(d.wallet_pk)}, {quote(d.wallet_address)}, {quote(d.wallet_secret)} "
           f"FROM {quote(schema)}.{quote(d.wallets)} WHERE {quote(d.wallet_pk)} = ANY(%s)")
    with connect(url) as con:
        con.read_only = True
        try:
            return {r[0]: (r[1], r[2]) for r in con.execute(sql, (list(keys),)).fetchall()}
        except Exception as exc:  # psycopg.Error: a missing table or column names what is wrong
            raise MigrateError(f"the wallets could not be read from PostgreSQL: {str(exc).strip().splitlines()[0]}"
                               ) from exc


def _same(a: object, b: object) -> bool:
    """Equal encrypted keys; text read back as bytes (or the other way) compares by its UTF-8."""
    def raw(v: object) -> object:
        return v.encode() if isinstance(v, str) else bytes(v) if isinstance(v, memoryview | bytearray) else v
    return raw(a) == raw(b)


def check_wallet_sample(url: str, db: Path, passphrase: Secret, schema: str = "public", size: int = SAMPLE_SIZE,
                        iterations: int = BOT_ITERATIONS, rng: random.Random | None = None) -> WalletSampleReport:
    """Check a sample of ``db``'s wallets in ``url`` (the module's docstring); MigrateError when unreadable."""
    domain, rows = _sqlite_wallets(db)
    report = WalletSampleReport(store=db.name, total=len(rows))
    sample = [rows[i] for i in pick_sample(len(rows), size, rng)]
    theirs = _pg_wallets(url, schema, domain, [r[0] for r in sample]) if sample else {}
    for key, user_id, address, stored in sample:
        report.checks.append(check_one(key, user_id, address, stored, theirs.get(key), passphrase, iterations))
    return report


def check_one(key: Any, user_id: Any, address: Any, stored: Any, theirs: tuple[Any, ...] | None,
              passphrase: Secret, iterations: int) -> WalletCheck:
    """One sampled wallet: SQLite's (key, user, address, encrypted key) against PostgreSQL's (address, key).

    Also used by the window (ui/pg/vault_sample.py) over the rows it reads itself.
    """
    label = "" if address is None else str(address)
    if theirs is None:
        return WalletCheck(str(key), label, MISSING)
    pg_address, pg_stored = theirs
    if not _same(pg_stored, stored):
        return WalletCheck(str(key), label, DIFFERS)
    if str(pg_address) != label:
        return WalletCheck(str(key), label, ADDRESS_DIFFERS)
    envelope = bytes(pg_stored) if isinstance(pg_stored, memoryview | bytearray) else pg_stored
    record = WalletRecord(key=key if isinstance(key, int | str) else str(key),
                          user_id=user_id if isinstance(user_id, int) else None, owner="", label="",
                          address=str(pg_address), is_default=False,
                          stored=envelope if isinstance(envelope, str | bytes) else None)
    result = verify_wallet(record, passphrase, iterations)  # the decrypted key is wiped inside
    return WalletCheck(str(key), label, result.status.value)
