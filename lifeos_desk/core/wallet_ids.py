"""Which wallet is which: the wallet's own key, or its SQLite rowid where that key cannot tell rows apart.

Issue 14 item 14: two wallets whose ``wallet_id`` was NULL (SQLite lets a
TEXT PRIMARY KEY hold NULL) got the same key, so their verify results were
stored under one entry and a garbage key was reported verified; a rotation
could not write them back either (``WHERE wallet_id = 'None'`` matches
nothing). Every result, table row and write is keyed by ``WalletKey``, so a
wallet whose key is NULL, shared with another row, or of a type SQL cannot
bind back (REAL, BLOB) is identified by its rowid instead: a ``RowKey``,
which never equals an int or str key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RowKey:
    """A wallet told apart by its rowid; ``stored`` is its key column's text (None when NULL)."""

    rowid: int
    stored: str | None = None

    def __str__(self) -> str:
        """What the Wallet column, the CLI table and the audit log show."""
        if self.stored is None:
            return f"row {self.rowid} (no wallet id)"
        return f"{self.stored} (row {self.rowid}, wallet id shared)"


WalletKey = int | str | RowKey


def wallet_keys(rows: Sequence[tuple[int, object]]) -> list[WalletKey]:
    """The identity of each (rowid, key column value) row, in the same order.

    Unique int or str keys are kept as they are (writes then match the key,
    which survives a VACUUM that renumbers rowids); every other row gets a
    ``RowKey``.
    """
    counts = Counter(key for _, key in rows if isinstance(key, (int, str)))
    out: list[WalletKey] = []
    for rowid, key in rows:
        if isinstance(key, (int, str)) and counts[key] == 1:
            out.append(key)
        else:
            out.append(RowKey(rowid, None if key is None else str(key)))
    return out


def require_distinct(keys: Iterable[WalletKey]) -> None:
    """Refuse records that share a key: their results would overwrite each other (a bug upstream)."""
    seen: set[WalletKey] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"two wallets share the key {key}; identify them with wallet_keys()")
        seen.add(key)
