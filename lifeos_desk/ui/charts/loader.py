"""Loading trades off the UI thread, coalescing the bot's bursts of commits.

After the first load, each request first takes the trades' fingerprint
(trades_query.fingerprint, a sixth of a full read); when it equals the one
of the rows last read, the commit touched other tables and nothing is
re-read.

A million trades take a few hundred milliseconds to read; the window keeps
painting meanwhile because SQLite works with the GIL released in a worker
thread that owns its own read-only connections (QtSql connections never cross
threads). When the bot commits while a load runs, one more load follows the
current one, after a pause twice as long as the last load took: a bot
committing continuously then keeps the reader threads busy a third of the
time at most, and the charts are never more than about three loads behind
(a few seconds at a million trades, a fraction of a second for a real bot's
tables).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from ...core.pnl import Trades
from ...db.errors import DatabaseError
from ...db.trades_query import TradeSource, load_trades_marked, read_fingerprint

MIN_GAP_MS = 300


@dataclass(frozen=True)
class Loaded:
    """One finished load: the trades and how long it took."""

    trades: Trades
    seconds: float
    generation: int
    fingerprint: tuple[object, ...] = ()


class _Relay(QObject):
    """Carries results from the worker thread to the UI thread (a queued signal)."""

    done = Signal(object)
    unchanged = Signal()
    failed = Signal(str)


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
        self._thread: threading.Thread | None = None
        self._pending = False
        self._last_seconds = 0.0
        self._generation = 0
        self._force = False
        self.fingerprint: tuple[object, ...] | None = None
        self.skipped = 0  # commits that did not touch the trades (no reload needed)
        self._relay = _Relay()
        self._relay.done.connect(self._on_done)
        self._relay.unchanged.connect(self._on_unchanged)
        self._relay.failed.connect(self._on_failed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._start)
        app = QCoreApplication.instance()
        if app is not None:  # never leave a reader thread inside QtSql while the interpreter exits
            app.aboutToQuit.connect(self.shutdown)

    @property
    def busy(self) -> bool:
        """A load is running or queued."""
        return self._thread is not None or self._pending or self._timer.isActive()

    @Slot()
    def reload(self) -> None:
        """Read everything again even if the trades look unchanged (the Reload button)."""
        self._force = True
        self.request()

    @Slot()
    def request(self) -> None:
        """Load now if the trades changed, or check once more after the running load."""
        if self._thread is not None:
            self._pending = True
        elif not self._timer.isActive():
            self._start()

    @Slot()
    def _start(self) -> None:
        self._pending = False
        self._generation += 1
        relay, path, source, workers, gen = self._relay, self._path, self._source, self._workers, self._generation
        known = None if self._force else self.fingerprint
        self._force = False

        def work() -> None:
            started = time.perf_counter()
            try:
                if known is not None and read_fingerprint(path, source) == known:
                    relay.unchanged.emit()
                    return
                trades, mark = load_trades_marked(path, source, workers=workers)
            except DatabaseError as exc:
                relay.failed.emit(str(exc))
                return
            except Exception as exc:  # a worker thread must report, never die silently
                relay.failed.emit(f"reading trades failed: {type(exc).__name__}: {exc}")
                return
            relay.done.emit(Loaded(trades, time.perf_counter() - started, gen, mark))

        self._thread = threading.Thread(target=work, name="lifeos-trades-load", daemon=True)
        self._thread.start()

    def _finish(self) -> None:
        if self._thread is not None:
            self._thread.join()
        self._thread = None
        if self._pending:
            self._pending = False
            self._timer.start(max(MIN_GAP_MS, int(2 * self._last_seconds * 1000)))

    @Slot(object)
    def _on_done(self, result: Loaded) -> None:
        self._last_seconds = result.seconds
        self.fingerprint = result.fingerprint
        self._finish()
        self.loaded.emit(result)

    @Slot()
    def _on_unchanged(self) -> None:
        self.skipped += 1
        self._finish()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._finish()
        self.failed.emit(message)

    @Slot()
    def shutdown(self) -> None:
        """Stop queued loads and wait for a running one (before the window closes the database)."""
        self._timer.stop()
        self._pending = False
        if self._thread is not None:
            self._thread.join()
            self._thread = None
