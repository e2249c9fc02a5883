"""Loading trades off the UI thread, then following the bot's commits by what changed.

The first load reads every row (trades_query.load_chunks); after that each
commit costs a read of what changed (db/trades_live.py: the rows past the
last seen rowid, the few rows their writer may still update, and a full read
only when rows may have gone or changed), so the work per commit grows with
the new rows, not with the table (issue 18).

The reads run in a worker thread (ui.tasks.run_task) that owns its own
read-only connections (QtSql connections never cross threads). Reading
the new rows costs milliseconds, but an ADR close still moves a row within
the million held (a copy of each column, ~25 ms) and drawing the six charts
again costs 20-60 ms more on the UI thread, so updates start at most every
``LIVE_GAP_MS``: a bot committing twice a second then costs the console 2-4 %
of a core (issue 18; ``python -m tests.bench.bench_window --area charts``).
When the bot commits while one runs, one more follows after a pause twice
as long as the last one took.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from ...core.pnl import Trades
from ...db.errors import DatabaseError
from ...db.trades_live import Held, Update, load_full, update
from ...db.trades_query import TradeSource
from ..tasks import Task, run_task

MIN_GAP_MS = 300
LIVE_GAP_MS = 5000


@dataclass(frozen=True)
class Loaded:
    """One finished load or update: the trades held now, what changed, and how long it took."""

    trades: Trades
    seconds: float
    generation: int
    update: Update


def _load(path: Path, source: TradeSource, workers: int, generation: int, held: Held | None,
          _task: Task) -> Loaded:
    """The work of one load (worker thread): everything when ``held`` is None, else what changed."""
    started = time.perf_counter()
    result = load_full(path, source, workers) if held is None else update(path, source, held, workers)
    return Loaded(result.held.trades, time.perf_counter() - started, generation, result)


class TradeLoader(QObject):
    """Loads the trades of one database in a worker thread.

    Signals:
        loaded(object): a ``Loaded`` with fresh trades.
        failed(str): the load failed; the message says why.
    """

    loaded = Signal(object)
    failed = Signal(str)

    def __init__(self, path: Path, source: TradeSource, workers: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = path
        self._source = source
        self._workers = workers
        self._task: Task | None = None
        self._pending = False
        self._last_seconds = 0.0
        self._generation = 0
        self._force = False
        self._started_at = -1e9
        self.held: Held | None = None
        self.skipped = 0  # commits that did not touch the trades (no reload needed)
        self.rows_read = 0  # rows read by the last load or update (the tests read it)
        self.last: Loaded | None = None  # the latest trades, for a panel that adopts this loader later
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._start)
        app = QCoreApplication.instance()
        if app is not None:  # never leave a reader thread inside QtSql while the interpreter exits
            app.aboutToQuit.connect(self.shutdown)

    @property
    def busy(self) -> bool:
        """A load is running or queued."""
        return self._task is not None or self._pending or self._timer.isActive()

    @Slot()
    def reload(self) -> None:
        """Read everything again even if the trades look unchanged (the Reload button)."""
        self._force = True
        self.request()

    @Slot()
    def request(self) -> None:
        """Load now if the trades changed, or check once more after the running load."""
        if self._task is not None:
            self._pending = True
        elif not self._timer.isActive():
            wait = LIVE_GAP_MS - (time.monotonic() - self._started_at) * 1000 if self.held is not None else 0
            if wait > 0:
                self._timer.start(int(wait))
            else:
                self._start()

    @Slot()
    def _start(self) -> None:
        self._pending = False
        self._generation += 1
        held = None if self._force else self.held
        self._force = False
        self._started_at = time.monotonic()
        gen = self._generation
        self._task = run_task(partial(_load, self._path, self._source, self._workers, gen, held),
                              partial(self._on_result, gen), partial(self._on_error, gen), receiver=self,
                              name="lifeos-trades-load")

    def _finish(self, recheck_in: float | None = None) -> None:
        if self._task is not None:
            self._task.wait()
        self._task = None
        if self._pending:
            self._pending = False
            paced = LIVE_GAP_MS - (time.monotonic() - self._started_at) * 1000
            self._timer.start(int(max(MIN_GAP_MS, 2 * self._last_seconds * 1000, paced)))
        elif recheck_in is not None:  # a commit may have closed an open trade: look again when due
            self._timer.start(max(MIN_GAP_MS, int(recheck_in * 1000)))

    def _current(self, generation: int) -> bool:
        """An outcome belongs to the load running now (not one already shut down)."""
        return self._task is not None and generation == self._generation

    def _on_result(self, generation: int, result: Loaded) -> None:
        if not self._current(generation):
            return
        self.held = result.update.held
        self.rows_read = result.update.rows_read
        self._last_seconds = result.seconds
        if not result.update.changed:  # the commit touched other tables
            self.skipped += 1
            self._finish(result.update.recheck_in)
            return
        self.last = result
        self._finish(result.update.recheck_in)
        self.loaded.emit(result)

    def _on_error(self, generation: int, exc: BaseException) -> None:
        if not self._current(generation):
            return
        self._finish()
        if isinstance(exc, DatabaseError):
            self.failed.emit(str(exc))
        else:  # a worker must report, never die silently
            self.failed.emit(f"reading trades failed: {type(exc).__name__}: {exc}")

    @Slot()
    def shutdown(self) -> None:
        """Stop queued loads and wait for a running one (before the window closes the database)."""
        self._timer.stop()
        self._pending = False
        if self._task is not None:
            self._task.wait()
            self._task = None
