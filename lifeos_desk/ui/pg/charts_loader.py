"""The Trade PnL page's loader over PostgreSQL: ``ui/charts/loader.py``'s pacing, db/pg/trades_live.py's reads.

``TradeLoader`` decides *when* to read (one load at a time, a queued
request after it, updates at most every ``LIVE_GAP_MS``); this subclass only
changes *what* a load does: a parallel first read of every trade, then the
rows written since the last read (by ``xmin``), on connections the worker
opens and closes itself (QtSql connections never cross threads). The
first read also takes the users' names, so the UI thread never waits on
the server for them. Each result is the ``Loaded`` the SQLite page takes,
so the page extends its figures by the new rows (core/pnl_live.py) exactly
as it does for the file.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Slot

from ...core.pgurl import PgParams
from ...core.schema import Domain
from ...db.errors import DatabaseError
from ...db.pg import PgDatabase, PgError
from ...db.pg.trades import PgTradeSource
from ...db.pg.trades_live import PgHeld, PgUpdate, load_full, update
from ...db.trades_live import Held, Update
from ...db.trades_query import RECORD, TradeSource, user_names
from ..charts.loader import Loaded, TradeLoader
from ..tasks import Task, run_task


@dataclass(frozen=True)
class PgLoaded(Loaded):
    """A ``Loaded`` that also carries the PostgreSQL reader's state and, after a full read, the users' names."""

    pg: PgHeld | None = None
    names: dict[int, str] = field(default_factory=dict)


def _as_update(result: PgUpdate) -> Update:
    """The page's ``Update`` (db/trades_live.py) for a PostgreSQL read: no SQLite rowid state to hold."""
    none = np.zeros(0, dtype=RECORD)
    return Update(Held(result.held.trades, 0, none, 0.0, 0.0), result.added, result.dropped, result.full,
                  result.rows_read)


def _names(params: PgParams, domain: Domain) -> dict[int, str]:
    db = PgDatabase(params)
    try:
        return user_names(db.connection(), domain)
    except DatabaseError:  # a users table the page cannot read: ids without names
        return {}
    finally:
        db.close()


def _load(params: PgParams, source: PgTradeSource, workers: int, generation: int, held: PgHeld | None,
          _task: Task) -> PgLoaded:
    """The work of one load (worker thread): everything when ``held`` is None, else the rows written since."""
    started = time.perf_counter()
    result = load_full(params, source, workers) if held is None else update(params, source, held, workers)
    names = _names(params, source.domain) if result.full else {}
    return PgLoaded(result.held.trades, time.perf_counter() - started, generation, _as_update(result),
                    pg=result.held, names=names)


class PgTradeLoader(TradeLoader):
    """Loads one PostgreSQL trades table in a worker thread; the same signals as ``TradeLoader``."""

    def __init__(self, params: PgParams, source: PgTradeSource, page_source: TradeSource, workers: int = 2,
                 parent: QObject | None = None) -> None:
        super().__init__(Path(), page_source, workers, parent)  # no file: _start below reads the server
        self.params = params
        self.pg_source = source
        self.pg_held: PgHeld | None = None
        self.names: dict[int, str] = {}

    @Slot()
    def _start(self) -> None:
        self._pending = False
        self._generation += 1
        held = None if self._force else self.pg_held
        self._force = False
        self._started_at = time.monotonic()
        gen = self._generation
        self._task = run_task(partial(_load, self.params, self.pg_source, self._workers, gen, held),
                              partial(self._on_result, gen), partial(self._on_error, gen), receiver=self,
                              name="lifeos-pg-trades-load")

    def _on_result(self, generation: int, result: Loaded) -> None:
        if self._current(generation) and isinstance(result, PgLoaded):
            self.pg_held = result.pg
            if result.update.full:
                self.names = result.names
        super()._on_result(generation, result)

    def _on_error(self, generation: int, exc: BaseException) -> None:
        if self._current(generation) and isinstance(exc, PgError):
            self._finish()
            self.failed.emit(str(exc))
            return
        super()._on_error(generation, exc)
