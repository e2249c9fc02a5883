"""Charts over PostgreSQL: the headline PnL figures, cumulative PnL and drawdown, from ``db/pg/trades.py``.

The trades are read off the UI thread (``run_task``) over a connection the
worker opens and closes itself (QtSql connections never cross threads),
into the same ``core.pnl`` figures the SQLite Charts area computes, so the
numbers match the file's (tests/db/test_pg_trades.py). Times are shown in
UTC. A subset of the SQLite area: no per-user or period selection, no
daily, distribution or token charts, no links to the rows yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core import pnl
from ...core.pgurl import PgParams
from ...db.pg import PgDatabase
from ...db.pg.trades import load_trades_pg, trades_table
from ..charts import style
from ..charts.trade_charts import CumulativeChart, DrawdownChart
from ..tasks import Task, run_task


@dataclass(frozen=True)
class PgFigures:
    """The figures of one load, and the table they came from (None: no known trades table)."""

    figures: pnl.Figures | None
    table: str


def load_figures(params: PgParams, _task: Task | None = None) -> PgFigures:
    """The work of a load (worker thread): own connection, trades, figures in UTC."""
    db = PgDatabase(params)
    try:
        found = trades_table(db, db.tables())
        if found is None:
            return PgFigures(None, "")
        domain, table = found
        return PgFigures(pnl.compute(load_trades_pg(db, domain, table), UTC), table.label)
    finally:
        db.close()


def headline_text(fig: pnl.Figures) -> str:
    """The headline as one line: net PnL, win rate, profit factor, max drawdown, trades."""
    h = fig.headline
    return (f"Net PnL {style.money(h.net_pnl)} · win rate {style.percent(h.win_rate)} "
            f"({h.wins:,} won, {h.losses:,} lost) · profit factor {style.ratio(h.profit_factor)} · "
            f"max drawdown {style.money(h.max_drawdown, sign=False)} · {h.trade_count:,} closed trades")


class PgChartsPane(QWidget):
    """Headline figures and two charts, reloaded when the window's change counter moves."""

    def __init__(self, params: PgParams, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pgChartsPane")
        self._params = params
        self._loading = False
        self._again = False
        self.result: PgFigures | None = None
        self.headline = QLabel("Loading trades…", self)
        self.headline.setWordWrap(True)
        self.cumulative = CumulativeChart()
        self.drawdown = DrawdownChart()
        row = QHBoxLayout()
        row.addWidget(self.cumulative.card)
        row.addWidget(self.drawdown.card)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(row, 1)
        self.reload()

    def reload(self) -> None:
        """Read the trades again (one load at a time; a request during a load runs once after it)."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        run_task(self._work, self._on_loaded, self._on_failed, receiver=self, name="pg-charts")

    def _work(self, task: Task) -> PgFigures:
        return load_figures(self._params, task)

    def _on_loaded(self, result: PgFigures) -> None:
        self.result = result
        if result.figures is None:
            self.headline.setText("No trades table of a known schema (ADR-005 or the deployed bot's) here.")
        else:
            self.headline.setText(f"{result.table}: {headline_text(result.figures)} (times in UTC)")
            self.cumulative.show(result.figures, UTC)
            self.drawdown.show(result.figures, UTC)
        self._done()

    def _on_failed(self, exc: BaseException) -> None:
        self.headline.setText(f"The trades could not be read: {exc}")
        self._done()

    def _done(self) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.reload()
