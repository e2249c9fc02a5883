"""The generation context shared by the schema loaders, and bulk-insert helpers.

Why: the ADR and deployed loaders, the state files and the logs all read the
same clock, prices, users and wallets; bundling them in one frozen ``_Ctx``
keeps their signatures short. The sqlite3 helpers load a brand-new file in
chunks with journaling and fsync off (safe: a failed run deletes the file).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .common import CHUNK_ROWS, DemoSpec, Progress
from .people import _Clock, _Prices, _Users


@dataclass(frozen=True)
class _Ctx:
    spec: DemoSpec
    clock: _Clock
    prices: _Prices
    users: _Users
    wallets: list[tuple[str, str | bytes]]
    progress: Progress

    @property
    def seed(self) -> int:
        return self.spec.seed


def _chunks(total: int) -> Iterator[tuple[int, int]]:
    for lo in range(0, total, CHUNK_ROWS):
        yield lo, min(total, lo + CHUNK_ROWS)


def _open_bulk(path: Path) -> sqlite3.Connection:
    """A connection tuned for one bulk load: no journal, no fsync (the file is new)."""
    con = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-262144", "temp_store=MEMORY"):
        con.execute(f"PRAGMA {pragma}")
    return con


def _insert(con: sqlite3.Connection, sql: str, rows: Any) -> None:
    con.execute("BEGIN")
    con.executemany(sql, rows)
    con.execute("COMMIT")


def _count(con: sqlite3.Connection, table: str) -> int:
    return int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
