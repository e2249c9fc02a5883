"""Loading trades off the UI thread, coalescing the bot's bursts of commits.

After the first load, each request first takes the trades' fingerprint
(trades_query.fingerprint, a sixth of a full read); when it equals the one
of the rows last read, the commit touched other tables and nothing is
re-read.

A million trades take a few hundred milliseconds to read; the window keeps
painting meanwhile because SQLite works with the GIL released in a worker
thread (ui.tasks.run_task) that owns its own read-only connections (QtSql
connections never cross threads). When the bot commits while a load runs, one more load follows the
current one, after a pause twice as long as the last load took: a bot
committing continuously then keeps the reader threads busy a third of the
time at most, and the charts are never more than about three loads behind
(a few seconds at a million trades, a fraction of a second for a real bot's
tables).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from ...core.pnl import Trades
from ...db.errors import DatabaseError
from ...db.trades_query import TradeSource, load_trades_marked, read_fingerprint
from ..tasks import Task, run_task

MIN_GAP_MS = 300


@dataclass(frozen=True)
class Loaded:
    """One finished load: the trades and how long it took."""

    trades: Trades
    seconds: float
    generation: int
    fingerprint: tuple[object, ...] = ()


def _load(path: Path, source: TradeSource, workers: int, generation: int, known: tuple[object, ...] | None,
          _task: Task) -> Loaded | None:
    """The work of one load (worker thread): None when the fingerprint says nothing changed."""
    started = time.perf_counter()
    if known is not None and read_fingerprint(path, source) == known:
        return None
    trades, mark = load_trades_marked(path, source, workers=workers)
    return Loaded(trades, time.perf_counter() - started, generation, mark)


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
        self.fingerprint: tuple[object, ...] | None = None
        self.skipped = 0  # commits that did not touch the trades (no reload needed)
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
            self._start()

    @Slot()
    def _start(self) -> None:
        self._pending = False
        self._generation += 1
        known = None if self._force else self.fingerprint
        self._force = False
        gen = self._generation
        self._task = run_task(partial(_load, self._path, self._source, self._workers, gen, known),
                              partial(self._on_result, gen), partial(self._on_error, gen), receiver=self,
                              name="lifeos-trades-load")

    def _finish(self) -> None:
        if self._task is not None:
            self._task.wait()
        self._task = None
        if self._pending:
            self._pending = False
            self._timer.start(max(MIN_GAP_MS, int(2 * self._last_seconds * 1000)))

    def _current(self, generation: int) -> bool:
        """An outcome belongs to the load running now (not one already shut down)."""
        return self._task is not None and generation == self._generation

    def _on_result(self, generation: int, result: Loaded | None) -> None:
        if not self._current(generation):
            return
        if result is None:  # the commit touched other tables
            self.skipped += 1
            self._finish()
            return
        self._last_seconds = result.seconds
        self.fingerprint = result.fingerprint
        self._finish()
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
