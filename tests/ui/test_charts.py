"""The charts area on both schemas and both metric sources: figures, export, live updates, clicks.

Databases are written with sqlite3 before QtSql opens them; the "bot" that
commits during a test is a child process (docs/architecture.md, 'One SQLite library per process').
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLabel
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from lifeos_desk.core import pnl
from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.schema import ADR_DDL, DEPLOYED_DDL
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.session import Session, open_session
from lifeos_desk.ui.charts import ChartsArea
from lifeos_desk.ui.charts.style import background, money
from lifeos_desk.ui.charts.trade_charts import CumulativeChart, TokenChart
from lifeos_desk.ui.charts.trades_tab import TradePnlPanel

START = datetime(2026, 2, 1, tzinfo=UTC).timestamp()
# One row of the ADR's trades table, in column order (r[1] user_id, r[10] pnl_usd;
# an open trade has no exit_price, r[6], and no closed_at, r[12]).
AdrRow = tuple[str, int, str, str, str, float, float | None, float, float, str, float, str, str | None]
# The open_area fixture: paths (and an optional size) in, a shown ChartsArea out.
OpenArea = Callable[..., ChartsArea]


def non_background_share(image: QImage, bg: QColor, step: int = 4) -> float:
    """Share of sampled pixels that differ from the background: "the export is not blank"."""
    total = differ = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            total += 1
            differ += image.pixel(x, y) != bg.rgb()
    return differ / max(1, total)


def _adr_rows(n: int, seed: int = 5, all_losing: bool = False) -> list[AdrRow]:
    rng = np.random.default_rng(seed)
    rows: list[AdrRow] = []
    for i in range(n):
        opened = START + i * 3600.0
        pnl_usd = -abs(float(rng.normal(5, 3))) if all_losing else round(float(rng.normal(2, 20)), 2)
        rows.append((f"tr_{i}", 1 + i % 3, "mint", f"T{i % 5}", "SHORT" if i % 4 == 0 else "LONG", 1.0, 1.1, 1.0,
                     100.0, "CLOSED", pnl_usd, datetime.fromtimestamp(opened, UTC).strftime("%Y-%m-%d %H:%M:%S"),
                     datetime.fromtimestamp(opened + 600, UTC).strftime("%Y-%m-%d %H:%M:%S")))
    return rows


def _make_home(tmp_path: Path, schema: str, rows: Sequence[tuple[object, ...]] | None = None,
               metrics_json: object | None = None) -> DataPaths:
    home = tmp_path / "home"
    home.mkdir()
    con = sqlite3.connect(home / "public_users.db")
    if schema == "adr":
        con.executescript(ADR_DDL)
        con.executemany("INSERT INTO users (id, telegram_id, username) VALUES (?,?,?)",
                        [(1, 11, "alice"), (2, 22, "bob"), (3, 33, "carol")])
        con.executemany("INSERT INTO trades VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows if rows is not None else [])
        con.executemany("INSERT INTO algorithm_metrics (algorithm_type, total_signals, winning_signals, accuracy,"
                        " confidence_score) VALUES (?,?,?,?,?)", [("whale", 10, 6, 60.0, 55.0),
                                                                 ("news", 40, 10, 25.0, 70.0)])
    else:
        con.executescript(DEPLOYED_DDL)
        tx = [(f"tx_{i}", 7_000_000_000 + i % 2, "w", f"T{i % 3}", "SELL" if i % 2 else "BUY", 10.0,
               datetime.fromtimestamp(START + i * 3600).isoformat(), "completed", (i % 7 - 3) * 1.5 if i % 2 else 0.0)
              for i in range(60)]
        con.executemany("INSERT INTO transactions VALUES (?,?,?,?,?,?,?,?,?)", tx)
    con.commit()
    con.close()
    if metrics_json is not None:
        (home / "algorithms").mkdir()
        (home / "algorithms" / "global_metrics.json").write_text(json.dumps(metrics_json), encoding="utf-8")
    return DataPaths(home=home, logs=(home / "logs",), backups=home / "backups")


@pytest.fixture
def open_area(qtbot: QtBot, tmp_path: Path) -> Iterator[OpenArea]:
    made: list[tuple[ChartsArea, Session]] = []
    dirs = AppDirs(config=tmp_path / "cfg", state=tmp_path / "st", data=tmp_path / "data", log=tmp_path / "log")

    def make(paths: DataPaths, size: tuple[int, int] = (1300, 1100)) -> ChartsArea:
        session = open_session(paths, dirs, Settings(dirs), State(dirs))
        area = ChartsArea(session)
        qtbot.addWidget(area)
        area.resize(*size)
        area.show()
        made.append((area, session))
        trades = area.trades
        if trades is not None:
            qtbot.waitUntil(lambda: trades.loaded_once and not trades.loader.busy, timeout=15_000)
        return area

    yield make
    for area, session in made:
        area.shutdown()
        area.close()
        session.close()


def trades_of(area: ChartsArea) -> TradePnlPanel:
    """The area's Trade PnL tab, which every test here that asks for it expects to exist."""
    assert area.trades is not None
    return area.trades


def figures_of(panel: TradePnlPanel) -> pnl.Figures:
    """The figures the panel last drew (set once its first load has arrived)."""
    assert panel.figures is not None
    return panel.figures


def test_adr_figures_match_core_and_metrics_from_table(open_area: OpenArea, tmp_path: Path) -> None:
    rows = _adr_rows(120)
    area = open_area(_make_home(tmp_path, "adr", rows))
    panel = trades_of(area)
    expect = sum(float(r[10]) for r in rows)
    assert panel.net.value.text() == money(expect)
    assert panel.count.value.text() == "120"
    assert figures_of(panel).headline.trade_count == 120
    assert "120 rows in <b>trades</b>" in panel.status.text()
    assert all(not c.card.message() for c in panel.charts[:1])
    assert "table algorithm_metrics" in area.metrics.source_label.text()
    assert [m.algorithm for m in area.metrics.order] == ["news", "whale"]  # sorted by name


def test_user_and_period_selection(open_area: OpenArea, tmp_path: Path) -> None:
    rows = _adr_rows(90)
    panel = trades_of(open_area(_make_home(tmp_path, "adr", rows)))
    assert panel.user_box.count() == 4 and panel.user_box.itemText(1) == "alice (1)"
    panel.user_box.setCurrentIndex(2)  # bob: user 2
    mine = [r for r in rows if r[1] == 2]
    assert figures_of(panel).headline.trade_count == len(mine)
    assert panel.net.value.text() == money(sum(float(r[10]) for r in mine))
    panel.user_box.setCurrentIndex(0)
    panel.period_box.setCurrentIndex(panel.period_box.findText("Last 7 days"))  # the trades are from February 2026
    assert figures_of(panel).empty and panel.charts[0].card.message() == "No closed trades in this selection."
    assert not panel.from_edit.isEnabled()
    panel.period_box.setCurrentIndex(panel.period_box.findText("Custom dates"))
    assert panel.from_edit.isEnabled()
    panel.session.prefs.set_utc(True)
    panel.from_edit.setDate(panel.from_edit.date().fromString("2026-02-02", "yyyy-MM-dd"))
    panel.to_edit.setDate(panel.to_edit.date().fromString("2026-02-02", "yyyy-MM-dd"))
    day = [r for r in rows if str(r[12]).startswith("2026-02-02")]
    assert figures_of(panel).headline.trade_count == len(day) == 24
    assert "times in UTC" in panel.status.text()


def test_deployed_schema_with_json_metrics(open_area: OpenArea, tmp_path: Path) -> None:
    metrics = {"sentiment": {"algorithm_type": "sentiment", "total_signals": 20, "winning_signals": 15,
                             "accuracy": 0.75, "confidence_score": 0.6, "total_pnl": 120.5}}
    area = open_area(_make_home(tmp_path, "deployed", metrics_json=metrics))
    panel = trades_of(area)
    assert panel.source.table == "transactions"
    assert figures_of(panel).headline.trade_count == 30  # the SELLs
    assert "algorithms/global_metrics.json" in area.metrics.source_label.text()
    (m,) = area.metrics.order
    assert (m.accuracy, m.confidence) == (75.0, 60.0)
    assert area.metrics.model.item(0, 6).text() == "+120.50 USD"


def test_deployed_without_any_metrics_says_so(open_area: OpenArea, tmp_path: Path, qtmodeltester: ModelTester) -> None:
    area = open_area(_make_home(tmp_path, "deployed"))
    assert "no algorithm_metrics table" in area.metrics.quality.message()
    qtmodeltester.check(area.metrics.model)


@pytest.mark.parametrize(("rows", "expected"), [
    ([], "No closed trades in this selection."),
    (_adr_rows(1), None),
    (_adr_rows(30, all_losing=True), None),
])
def test_degenerate_data_shows_messages(open_area: OpenArea, tmp_path: Path, rows: list[AdrRow],
                                        expected: str | None) -> None:
    panel = trades_of(open_area(_make_home(tmp_path, "adr", rows)))
    cumulative, drawdown = panel.charts[0], panel.charts[1]
    assert cumulative.card.message() == (expected or "")
    if len(rows) == 1:
        assert drawdown.card.message().startswith("No drawdown") == (float(rows[0][10]) >= 0)
        assert panel.factor.value.text() in ("∞", "0.00")
    if len(rows) == 30:
        assert panel.win_rate.value.text() == "0.0 %"
        assert panel.drawdown.value.text() == money(sum(float(r[10]) for r in rows), sign=False)


def test_null_exit_prices_are_reported(open_area: OpenArea, tmp_path: Path) -> None:
    rows = _adr_rows(10)
    rows = [r[:6] + (None,) + r[7:10] + (0.0,) + r[11:] if i < 4 else r for i, r in enumerate(rows)]
    panel = trades_of(open_area(_make_home(tmp_path, "adr", rows)))
    assert figures_of(panel).headline.trade_count == 6
    assert "4 closed trade(s) without a PnL (no exit price) left out" in panel.status.text()


def test_png_export_is_laid_out_and_not_blank(open_area: OpenArea, tmp_path: Path) -> None:
    panel = trades_of(open_area(_make_home(tmp_path, "adr", _adr_rows(200))))
    card = panel.charts[0].card
    shown = card.size()
    out = tmp_path / "cum.png"
    size = card.export_png(out, 1600)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (size.width(), size.height()) == (
        1600, round(shown.height() * 1600 / shown.width()))
    assert (image.width(), image.height()) != (640, 480)
    assert non_background_share(image, background()) > 0.03
    assert card.export_csv(tmp_path / "cum.csv") == 200
    header = (tmp_path / "cum.csv").read_text().splitlines()[0]
    assert header == "time,epoch_s,rowid,token,pnl_usd,cumulative_pnl_usd"
    assert panel.charts[2].card.export_csv(tmp_path / "daily.csv") == len(figures_of(panel).days.day)


def _commit_trade_in_child(db: Path, pnl_usd: float, closed: str = "2026-02-05 00:10:00") -> None:
    code = ("import sqlite3,sys; con=sqlite3.connect(sys.argv[1], timeout=30); "
            "con.execute(\"INSERT INTO trades VALUES ('live1',1,'m','T1','LONG',1,1.1,1,100,'CLOSED',?,"
            "'2026-02-05 00:00:00',?)\", (float(sys.argv[2]), sys.argv[3])); con.commit(); con.close()")
    subprocess.run([sys.executable, "-c", code, str(db), str(pnl_usd), closed], check=True, timeout=60)


def test_live_update_keeps_the_zoom(open_area: OpenArea, tmp_path: Path, qtbot: QtBot) -> None:
    paths = _make_home(tmp_path, "adr", _adr_rows(100))
    panel = trades_of(open_area(paths))
    plot = panel.charts[0].card.plots[0]
    vb = plot.getPlotItem().getViewBox()
    x0, x1 = figures_of(panel).wall[10], figures_of(panel).wall[40]
    vb.setRange(xRange=(x0, x1), yRange=(-50, 50), padding=0)
    before = vb.viewRange()
    net_before = figures_of(panel).headline.net_pnl
    _commit_trade_in_child(paths.db, 1234.5)
    qtbot.waitUntil(lambda: figures_of(panel).headline.trade_count == 101, timeout=15_000)
    assert figures_of(panel).headline.net_pnl == pytest.approx(net_before + 1234.5)
    assert panel.loader.rows_read == 1  # the new row, not the table (issue 18)
    assert panel.extended == 0  # realised before the last trade shown: the figures were computed again
    after = vb.viewRange()
    np.testing.assert_allclose(after, before)
    # a plot the admin did not touch still follows the data
    assert panel.charts[4].card.plots[0].getPlotItem().getViewBox().autoRangeEnabled()[1]


def test_a_new_last_trade_extends_the_figures(open_area: OpenArea, tmp_path: Path, qtbot: QtBot) -> None:
    paths = _make_home(tmp_path, "adr", _adr_rows(100))
    panel = trades_of(open_area(paths))
    before = figures_of(panel)
    _commit_trade_in_child(paths.db, -40.0, "2026-03-01 00:00:00")
    qtbot.waitUntil(lambda: figures_of(panel).headline.trade_count == 101, timeout=15_000)
    assert panel.loader.rows_read == 1 and panel.extended == 1  # read one row, computed nothing again
    again = pnl.compute(panel.trades, panel.tz)
    assert figures_of(panel).headline.net_pnl == pytest.approx(before.headline.net_pnl - 40.0)
    assert figures_of(panel).headline.net_pnl == pytest.approx(again.headline.net_pnl)
    np.testing.assert_allclose(figures_of(panel).curve.drawdown, again.curve.drawdown)
    assert figures_of(panel).days.count.tolist() == again.days.count.tolist()


def test_an_update_that_counts_no_trade_redraws_no_chart(open_area: OpenArea, tmp_path: Path, qtbot: QtBot) -> None:
    """A trade opened (not realised) changes no chart: none is given its million points again (issue 18)."""
    paths = _make_home(tmp_path, "adr", _adr_rows(100))
    panel = trades_of(open_area(paths))
    cumulative = panel.charts[0]
    assert isinstance(cumulative, CumulativeChart)
    redraws, extended, curve = panel.redraws, panel.extended, cumulative.curve.xData
    code = ("import sqlite3,sys; con=sqlite3.connect(sys.argv[1], timeout=30); "
            "con.execute(\"INSERT INTO trades VALUES ('open1',1,'m','T1','LONG',1,NULL,1,100,'OPEN',0,"
            "'2026-03-01 00:00:00',NULL)\"); con.commit(); con.close()")
    subprocess.run([sys.executable, "-c", code, str(paths.db)], check=True, timeout=60)
    qtbot.waitUntil(lambda: panel.extended == extended + 1, timeout=15_000)
    assert panel.redraws == redraws and cumulative.curve.xData is curve
    assert figures_of(panel).series.open_count == 1 and figures_of(panel).headline.trade_count == 100
    _commit_trade_in_child(paths.db, 5.0, "2026-03-02 00:00:00")  # a realised trade: the charts draw it
    qtbot.waitUntil(lambda: figures_of(panel).headline.trade_count == 101, timeout=15_000)
    assert panel.redraws == redraws + 1


def test_click_opens_the_trades_in_tables(open_area: OpenArea, tmp_path: Path, qtbot: QtBot) -> None:
    panel = trades_of(open_area(_make_home(tmp_path, "adr", _adr_rows(48))))
    chart = panel.charts[0]
    plot = chart.card.plots[0]
    i = 20
    target = QPointF(float(figures_of(panel).wall[i]), float(figures_of(panel).curve.cumulative[i]))
    pos = plot.mapFromScene(plot.getPlotItem().getViewBox().mapViewToScene(target))
    with qtbot.waitSignal(panel.session.nav.showRows, timeout=5000) as blocker:
        qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    rowid = int(figures_of(panel).series.trades.rowid[i])
    assert blocker.args == ["trades", "id", [f"tr_{rowid - 1}"]]
    # a daily bar opens every trade of that day (dates in UTC here)
    panel.session.prefs.set_utc(True)
    daily = panel.charts[2]
    day = int(figures_of(panel).days.day[1])
    hit = daily.hit(daily.card.plots[0], day * pnl.DAY + 100.0, 1.0)
    assert hit is not None and len(hit.positions) == int(figures_of(panel).days.count[1]) == 24
    with qtbot.waitSignal(panel.session.nav.showRows, timeout=5000) as blocker:
        panel.show_trades(hit)
    assert len(blocker.args[2]) == 24


def test_distribution_and_token_hits(open_area: OpenArea, tmp_path: Path) -> None:
    panel = trades_of(open_area(_make_home(tmp_path, "adr", _adr_rows(100))))
    fig = figures_of(panel)
    dist, tokens = panel.charts[4], panel.charts[5]
    assert isinstance(tokens, TokenChart)
    h = fig.histogram
    b = int(np.argmax(h.counts))
    hit = dist.hit(dist.card.plots[0], float((h.edges[b] + h.edges[b + 1]) / 2), 0.0)
    assert hit is not None and len(hit.positions) == h.counts[b]
    best = int(fig.tokens.code[0])
    hit = tokens.hit(tokens.card.plots[0], 0.0, float(len(tokens.codes) - 1))
    assert hit is not None and set(fig.series.trades.symbol[hit.positions].tolist()) == {best}
    assert fig.tokens.name[0] in hit.text


def test_unknown_schema_explains(open_area: OpenArea, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    con = sqlite3.connect(home / "public_users.db")
    con.execute("CREATE TABLE other (x)")
    con.close()
    area = open_area(DataPaths(home=home, logs=(home / "logs",), backups=home / "backups"))
    assert area.trades is None and area.count() == 3  # Trade PnL notice, Treasury trades, Algorithm metrics


def test_metrics_sorting_reorders_bars_and_hover_gives_exact_values(open_area: OpenArea, tmp_path: Path,
                                                                    qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QToolTip

    area = open_area(_make_home(tmp_path, "adr", _adr_rows(5)))
    panel = area.metrics
    area.setCurrentWidget(panel)
    panel.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)  # confidence, highest first
    assert [m.algorithm for m in panel.order] == ["news", "whale"]
    panel.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # accuracy, highest first
    assert [m.algorithm for m in panel.order] == ["whale", "news"]
    vb = panel.quality_plot.getPlotItem().getViewBox()
    top = vb.mapViewToScene(QPointF(10.0, 1.0))  # the top row: the first algorithm of the table
    panel.on_hover(top)
    qtbot.waitUntil(lambda: "whale" in QToolTip.text(), timeout=3000)
    assert "Accuracy: 60.00 %" in QToolTip.text() and "6 of 10" in QToolTip.text()
    assert panel.quality.export_csv(tmp_path / "m.csv") == 2


def test_metrics_file_change_is_picked_up(open_area: OpenArea, tmp_path: Path) -> None:
    metrics = {"news": {"total_signals": 5, "winning_signals": 1, "accuracy": 0.2, "confidence_score": 0.3}}
    paths = _make_home(tmp_path, "deployed", metrics_json=metrics)
    panel = open_area(paths).metrics
    assert [m.total_signals for m in panel.order] == [5]
    metrics["news"]["total_signals"] = 9
    metrics["momentum"] = {"total_signals": 2, "winning_signals": 2, "accuracy": 1.0, "confidence_score": 0.9}
    (paths.home / "algorithms" / "global_metrics.json").write_text(json.dumps(metrics) + " ", encoding="utf-8")
    panel.check_files()
    assert sorted((m.algorithm, m.total_signals) for m in panel.order) == [("momentum", 2), ("news", 9)]
    (paths.home / "algorithms" / "global_metrics.json").write_text("{broken", encoding="utf-8")
    panel.check_files()
    assert "not valid JSON" in panel.source_label.text()


@pytest.fixture
def tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This machine's zone is Tokyo (UTC+9, no daylight saving) for the test."""
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_time_axes_follow_a_gesture_and_the_auto_button(open_area: OpenArea, tmp_path: Path, qtbot: QtBot,
                                                         tokyo: None) -> None:
    panel = trades_of(open_area(_make_home(tmp_path, "adr", _adr_rows(100))))
    assert not panel.session.prefs.utc
    plots = panel.time_sync.plots
    source = plots[0].getPlotItem().getViewBox()
    x0, x1 = float(figures_of(panel).wall[20]), float(figures_of(panel).wall[60])
    source.setXRange(x0, x1, padding=0)
    source.sigRangeChangedManually.emit([True, True])  # what a drag or wheel zoom emits
    qtbot.waitUntil(lambda: all(np.allclose(p.getPlotItem().getViewBox().viewRange()[0], (x0, x1)) for p in plots),
                    timeout=3000)
    assert figures_of(panel).wall[0] - figures_of(panel).series.trades.time[0] == 9 * 3600
    panel.session.prefs.set_utc(True)  # the same instants stay in view: wall-clock seconds move back 9 hours
    for p in plots:
        assert np.allclose(p.getPlotItem().getViewBox().viewRange()[0], (x0 - 9 * 3600, x1 - 9 * 3600))
    plots[1].getPlotItem().autoBtn.clicked.emit(plots[1].getPlotItem().autoBtn)
    assert all(p.getPlotItem().getViewBox().autoRangeEnabled()[0] for p in plots)


def _commit_in_child(db: Path, sql: str) -> None:
    code = "import sqlite3,sys; con=sqlite3.connect(sys.argv[1], timeout=30); con.execute(sys.argv[2]); con.commit()"
    subprocess.run([sys.executable, "-c", code, str(db), sql], check=True, timeout=60)


def test_commits_elsewhere_cost_no_reload_but_a_closed_trade_does(open_area: OpenArea, tmp_path: Path,
                                                                  qtbot: QtBot) -> None:
    rows = _adr_rows(30)
    rows[5] = rows[5][:6] + (None, 1.0, 100.0, "OPEN", 0.0, rows[5][11], None)  # one trade still open
    paths = _make_home(tmp_path, "adr", rows)
    panel = trades_of(open_area(paths))
    loader = panel.loader
    assert figures_of(panel).headline.trade_count == 29
    _commit_in_child(paths.db, "UPDATE users SET last_active = '2026-03-01 00:00:00'")
    qtbot.waitUntil(lambda: loader.skipped >= 1 and not loader.busy, timeout=15_000)
    assert figures_of(panel).headline.trade_count == 29
    _commit_in_child(paths.db, "UPDATE trades SET status = 'CLOSED', exit_price = 1.5, pnl_usd = 50.0, "
                               "closed_at = '2026-02-03 00:00:00' WHERE id = 'tr_5'")
    qtbot.waitUntil(lambda: figures_of(panel).headline.trade_count == 30, timeout=15_000)
    qtbot.waitUntil(lambda: not loader.busy, timeout=15_000)
    skipped = loader.skipped
    with qtbot.waitSignal(loader.loaded, timeout=15_000):
        panel.reload_button.click()  # the Reload button reads again even when nothing changed
    assert loader.skipped == skipped


def test_requests_during_a_load_coalesce_into_one_more(open_area: OpenArea, tmp_path: Path, qtbot: QtBot,
                                                       immediate_tasks: Callable[[], None],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from lifeos_desk.ui.charts import loader as loader_module

    monkeypatch.setattr(loader_module, "LIVE_GAP_MS", 0)  # no pacing: the first check starts at once
    loader = trades_of(open_area(_make_home(tmp_path, "adr", _adr_rows(10)))).loader
    skipped = loader.skipped
    for _ in range(3):  # a burst of the bot's commits while the first check runs
        loader.request()
    assert loader.busy
    immediate_tasks()  # the first check: nothing changed; one more check is queued on the timer
    assert loader.skipped == skipped + 1 and loader.busy
    qtbot.waitUntil(lambda: not loader.busy, timeout=15_000)
    assert loader.skipped == skipped + 2


def test_a_burst_right_after_an_update_waits_for_the_live_gap(open_area: OpenArea, tmp_path: Path,
                                                              qtbot: QtBot) -> None:
    loader = trades_of(open_area(_make_home(tmp_path, "adr", _adr_rows(10)))).loader
    skipped = loader.skipped
    for _ in range(5):  # the bot commits five times within a second of the last update
        loader.request()
    assert loader.busy and loader._task is None  # waiting on the pace timer, nothing read yet
    qtbot.waitUntil(lambda: not loader.busy, timeout=15_000)
    assert loader.skipped == skipped + 1  # one update for the whole burst


def test_an_outcome_after_shutdown_is_dropped(open_area: OpenArea, tmp_path: Path,
                                              immediate_tasks: Callable[[], None]) -> None:
    loader = trades_of(open_area(_make_home(tmp_path, "adr", _adr_rows(10)))).loader
    skipped = loader.skipped
    loader.request()
    loader.shutdown()  # the window closes the database now
    immediate_tasks()
    assert loader.skipped == skipped and not loader.busy


def test_a_trades_table_missing_a_column_is_explained(open_area: OpenArea, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    con = sqlite3.connect(home / "public_users.db")
    con.executescript(ADR_DDL.replace("    closed_at TIMESTAMP,\n", ""))
    con.close()
    area = open_area(DataPaths(home=home, logs=(home / "logs",), backups=home / "backups"))
    assert area.trades is None
    page = area.widget(0)
    assert page is not None
    notice = page.findChildren(QLabel)
    assert any("closed_at" in label.text() and "no such column" in label.text() for label in notice)
