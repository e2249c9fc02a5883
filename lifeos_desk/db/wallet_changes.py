"""The vault's wallet rows, re-read only as far as a change signal says they moved.

The bot's commits are mostly trades, which live in the same database file as
the wallets, so "the file changed" says nothing about the wallets. Re-reading
all of them through QtSql costs about a third of a second at 10,000 wallets;
following a bot that commits twice a second must cost a few percent of a core
(docs/architecture.md, 'Work that grows with what changed'). So a refresh
first asks SQLite, in C, for two small signals over the rows read last time
(those up to the last rowid seen):

- the shape: how many rows, the sum of their columns' lengths, which are
  default, their owners (a few milliseconds at 10,000 wallets);
- the content: a digest of every column of those rows, their owners' names
  included, so an UPDATE of equal length (a rotated key, an edited address)
  is seen too. It costs more (tens of milliseconds), so the caller asks for
  it on a slower schedule (ui/vault/follow.py).

Nothing moved and no row past the last rowid: nothing is read. Only rows past
the last rowid: only those are read and merged in order. Anything else (a row
gone, changed, or a new row whose key clashes with an older one): a full
re-read. The signals are taken before the rows are read, so a commit in
between can only cause one more re-read, never a missed change.
"""

from __future__ import annotations

import hashlib
from bisect import insort
from collections import Counter
from dataclasses import dataclass
from typing import Any

from PySide6.QtSql import QSqlDatabase

from ..core.schema import Domain
from ..core.vault import WalletRecord
from ..core.wallet_ids import wallet_keys
from .connection import quote_ident, run_rows, run_scalar
from .wallets import record_of, wallet_rows


@dataclass
class WalletReads:
    """What the refreshes cost so far, for tests and benchmarks: full re-reads and wallet rows fetched."""

    full: int = 0
    rows: int = 0
    checks: int = 0
    content_checks: int = 0


@dataclass(frozen=True)
class _Mark:
    last: int  # the highest rowid read
    shape: tuple[Any, ...]  # of the rows up to last
    content: bytes  # digest of the rows up to last


def _order(value: Any) -> tuple[int, Any]:
    """SQLite's ORDER BY for one value: NULL, then numbers, then text (BINARY: code point order), then BLOB."""
    if value is None:
        return (0, 0)
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, bytes(value))


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return (_order(row[2]), _order(row[1]), row[0])  # user, wallet key, rowid, as wallet_rows orders


class WalletChanges:
    """The wallet records last read, and the signals to tell whether (and which) rows must be read again."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.reads = WalletReads()
        self._mark: _Mark | None = None
        self._rows: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = []  # (sort key, raw row), in order
        self._records: list[WalletRecord] = []
        self._pks: Counter[Any] = Counter()

    def load(self, db: QSqlDatabase) -> list[WalletRecord]:
        """Read every wallet (after a write of ours, or when the signals say rows went or changed)."""
        last = run_scalar(db, f"SELECT max(rowid) FROM {quote_ident(self.domain.wallets)}")
        last = int(last) if isinstance(last, int) else 0
        mark = _Mark(last, self._shape(db, last), self._content(db, last))
        rows = wallet_rows(db, self.domain, upto=last)
        self.reads.full += 1
        self.reads.rows += len(rows)
        self._rows = [(_sort_key(r), r) for r in rows]
        self._pks = Counter(r[1] for r in rows)
        self._records = self._build()
        self._mark = mark
        return self._records

    def refresh(self, db: QSqlDatabase, check_content: bool) -> list[WalletRecord] | None:
        """The records if any wallet moved since the last read, None when nothing did.

        ``check_content``: also compare the content digest (sees equal-length UPDATEs).
        """
        mark = self._mark
        if mark is None:
            return self.load(db)
        self.reads.checks += 1
        count, top = run_rows(db, f"SELECT count(*), max(rowid) FROM {quote_ident(self.domain.wallets)}")[0]
        top = int(top) if isinstance(top, int) else 0
        if self._shape(db, mark.last) != mark.shape:
            return self.load(db)
        if check_content and self._content(db, mark.last) != mark.content:
            return self.load(db)
        if top <= mark.last:
            return None if count == len(self._rows) else self.load(db)
        return self._read_new(db, mark, top)

    def _read_new(self, db: QSqlDatabase, mark: _Mark, top: int) -> list[WalletRecord]:
        """Only rows were added past the last rowid: read those (bounded by ``top``) and merge them in order."""
        new_mark = _Mark(top, self._shape(db, top), self._content(db, top))
        rows = wallet_rows(db, self.domain, after=mark.last, upto=top)
        self.reads.rows += len(rows)
        pks = Counter(r[1] for r in rows)
        clash = any(not isinstance(pk, (int, str)) or n > 1 or pk in self._pks for pk, n in pks.items())
        if clash or len(self._rows) + len(rows) != new_mark.shape[0]:
            return self.load(db)  # a key now shared changes older rows' keys too (core/wallet_ids.py)
        for row in rows:
            insort(self._rows, (_sort_key(row), row))
        self._pks.update(pks)
        self._records = self._build()
        self._mark = new_mark
        return self._records

    def _build(self) -> list[WalletRecord]:
        keys = wallet_keys([(int(r[0]), r[1]) for _, r in self._rows])
        return [record_of(key, row) for key, (_, row) in zip(keys, self._rows, strict=True)]

    def _joined(self) -> str:
        d, q = self.domain, quote_ident
        return (f"FROM {q(d.wallets)} w LEFT JOIN {q(d.users)} u ON u.{q(d.user_pk)} = w.{q(d.wallet_user)} "
                "WHERE w.rowid <= ?")

    def _shape(self, db: QSqlDatabase, last: int) -> tuple[Any, ...]:
        """Count, summed lengths, defaults and owners of the rows up to ``last``: cheap, in SQL."""
        d, q = self.domain, quote_ident
        columns = [f"w.{q(d.wallet_pk)}", f"w.{q(d.wallet_user)}", f"u.{q(d.user_name)}", f"w.{q(d.wallet_label)}",
                   f"w.{q(d.wallet_address)}", f"w.{q(d.wallet_default)}", f"w.{q(d.wallet_secret)}"]
        lengths = " + ".join(f"ifnull(length({c}), -1)" for c in columns)
        sql = (f"SELECT count(*), total({lengths}), total(CASE WHEN w.{q(d.wallet_default)} THEN w.rowid END), "
               f"total(w.{q(d.wallet_user)}) " + self._joined())
        return tuple(run_rows(db, sql, (last,))[0])

    def _content(self, db: QSqlDatabase, last: int) -> bytes:
        """A digest of every column of the rows up to ``last`` (tens of ms at 10,000 wallets)."""
        self.reads.content_checks += 1
        d, q = self.domain, quote_ident
        parts = [f"w.{q(d.wallet_pk)}", f"w.{q(d.wallet_user)}", f"u.{q(d.user_name)}", f"w.{q(d.wallet_label)}",
                 f"w.{q(d.wallet_address)}", f"w.{q(d.wallet_default)}", f"w.{q(d.wallet_secret)}"]
        row = " || ',' || ".join(["w.rowid"] + [f"quote({p})" for p in parts])
        text = run_scalar(db, f"SELECT group_concat({row}, char(10)) " + self._joined(), (last,))
        return hashlib.blake2b(str(text).encode("utf-8", "surrogatepass"), digest_size=16).digest()
