"""The Charts area's Treasury trades tab on a home laid out like the deployed bot's (tests/deployed_home.py).

Expected figures are computed here from the JSON itself, not through core/pnl.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from lifeos_desk.core.trading import TradingPaths
from lifeos_desk.session import Session
from lifeos_desk.signals import Navigator
from lifeos_desk.ui.charts import ChartsArea
from lifeos_desk.ui.charts.style import money
from lifeos_desk.ui.charts.treasury_tab import TreasuryTradesPanel
from tests.deployed_home import DeployedHome, build_deployed_home

from .deployed_session import deployed, deployed_session  # noqa: F401  (fixtures)

Entry = dict[str, object]
MakePanel = Callable[..., TreasuryTradesPanel]  # (paths, nav=None) -> a shown, read panel


def _history_path(h: DeployedHome) -> Path:
    return h.bot_dir / "data" / "trader" / "trade_history.json"


def _more_trades(base: Entry) -> list[Entry]:
    """Closed trades over three days and tokens, a loss among them, plus entries that realise nothing."""
    rows: list[Entry] = []
    for n, (symbol, day, pnl_usd) in enumerate([("BONK", 2, -12.5), ("WIF", 2, 31.25), ("POPCAT", 3, -7.0),
                                                ("BONK", 4, 4.5), ("JUP", 4, 15.0)]):
        rows.append({**base, "id": f"c{n:07d}", "token_symbol": symbol, "status": "CLOSED", "pnl_usd": pnl_usd,
                     "opened_at": f"2026-03-0{day}T08:00:00", "closed_at": f"2026-03-0{day}T09:{n:02d}:00"})
    rows.append({**base, "id": "x0000001", "status": "CANCELLED", "closed_at": None, "pnl_usd": 0.0})
    return rows


def _write_atomically(path: Path, rows: list[Entry]) -> None:
    """As SafeState writes it: a .tmp beside the file, renamed over it."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def _expected(path: Path) -> tuple[int, float]:
    """(closed trades with a PnL and a close time, their PnL sum), straight from the JSON."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    closed = [r for r in rows if r["status"] == "CLOSED" and r.get("closed_at") and r.get("pnl_usd") is not None]
    return len(closed), sum(float(r["pnl_usd"]) for r in closed)


@pytest.fixture
def home(tmp_path: Path) -> DeployedHome:
    h = build_deployed_home(tmp_path / "root")
    path = _history_path(h)
    rows = json.loads(path.read_text(encoding="utf-8"))
    _write_atomically(path, rows + _more_trades(rows[0]))
    return h


@pytest.fixture
def make_panel(qtbot: QtBot) -> Iterator[MakePanel]:
    made: list[TreasuryTradesPanel] = []

    def make(paths: TradingPaths, nav: Navigator | None = None) -> TreasuryTradesPanel:
        panel = TreasuryTradesPanel(paths, nav=nav, poll_ms=50)
        qtbot.addWidget(panel)
        panel.resize(1066, 666)
        panel.show()
        made.append(panel)
        qtbot.waitUntil(lambda: panel.reads >= 1 and not panel.busy(), timeout=10_000)
        return panel

    yield make
    for panel in made:
        panel.shutdown()


def _shows(panel: TreasuryTradesPanel, path: Path) -> None:
    count, total = _expected(path)
    assert count == 6  # the fixture's one closed trade and five more
    assert panel.count.value.text() == str(count)
    assert panel.net.value.text() == money(total)
    assert panel.source.text().startswith(f"Source: {path}, {count} closed trades, read ")


def test_figures_and_source_match_the_json(home: DeployedHome, make_panel: MakePanel) -> None:
    path = _history_path(home)
    panel = make_panel(TradingPaths(home.home, home.bot_dir))
    _shows(panel, path)
    assert not panel.notice.isVisible() and panel.body.isVisible()
    assert panel.body.verticalScrollBar().maximum() == 0  # all four cards in view at 1066x666
    assert panel.figures is not None and panel.figures.tokens.name[0] == "WIF"  # 20 + 31.25: the best token
    assert panel.source.text().endswith(" · 1 row(s) that realise no PnL (open, buys, pending, failed) not counted")


def test_a_rewrite_refreshes_and_a_half_written_file_keeps_the_last_good(home: DeployedHome, make_panel: MakePanel,
                                                                          qtbot: QtBot) -> None:
    path = _history_path(home)
    panel = make_panel(TradingPaths(home.home, home.bot_dir))
    rows = json.loads(path.read_text(encoding="utf-8"))
    rows.append({**rows[-2], "id": "c9999999", "pnl_usd": 100.0, "closed_at": "2026-03-05T10:00:00"})
    _write_atomically(path, rows)
    qtbot.waitUntil(lambda: panel.count.value.text() == "7", timeout=10_000)
    count, total = _expected(path)
    assert (count, panel.net.value.text()) == (7, money(total))
    assert f", {count} closed trades, read " in panel.source.text()

    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")  # caught mid-write (the engine without SafeState)
    qtbot.waitUntil(panel.notice.isVisible, timeout=10_000)
    assert "not complete JSON" in panel.notice.text() and "last complete read" in panel.notice.text()
    assert "last complete read" in panel.source.text()
    assert (panel.count.value.text(), panel.net.value.text()) == ("7", money(total))


def test_a_missing_file_says_what_is_needed(home: DeployedHome, make_panel: MakePanel, qtbot: QtBot) -> None:
    path = _history_path(home)
    panel = make_panel(TradingPaths(home.home, home.bot_dir))
    path.unlink()
    qtbot.waitUntil(lambda: "not found" in panel.source.text(), timeout=10_000)
    assert "does not exist yet" in panel.notice.text() and panel.notice.isVisible()
    assert panel.count.value.text() == "0" and not panel.body.isVisible()

    bare = make_panel(TradingPaths(home.home, None))  # no checkout known, nothing in the legacy folder
    assert "No bot checkout is known" in bare.notice.text() and "--bot-dir" in bare.notice.text()
    assert bare.figures is not None and bare.figures.empty


def test_a_click_on_a_point_selects_that_trade_in_trading_state(home: DeployedHome, make_panel: MakePanel,
                                                                 qtbot: QtBot) -> None:
    nav = Navigator()
    panel = make_panel(TradingPaths(home.home, home.bot_dir), nav)
    fig = panel.figures
    assert fig is not None
    at = [panel.records[r].id for r in fig.series.trades.rowid.tolist()].index("c0000001")
    chart = panel.charts[0]
    plot = chart.card.plots[0]
    with qtbot.waitSignal(nav.showTrading, timeout=2000) as got:
        panel.on_plot_clicked(chart, plot, float(fig.wall[at]), 0.0)
    assert got.args == ["position", str(_history_path(home)), "c0000001"]
    with qtbot.assertNotEmitted(nav.showTrading):  # a day bar holds several trades: nothing to select
        panel.on_plot_clicked(panel.charts[2], panel.charts[2].card.plots[0], float(fig.wall[at]), 1.0)


def test_the_charts_area_has_both_sources(deployed_session: Session, qtbot: QtBot) -> None:  # noqa: F811
    area = ChartsArea(deployed_session)
    qtbot.addWidget(area)
    try:
        tabs = [area.tabText(i) for i in range(area.count())]
        assert tabs == ["Trade PnL", "Treasury trades", "Algorithm metrics"]
        panel = area.treasury
        qtbot.waitUntil(lambda: panel.reads >= 1 and not panel.busy(), timeout=10_000)
        assert deployed_session.paths.bot_dir is not None
        path = deployed_session.paths.bot_dir / "data" / "trader" / "trade_history.json"
        count, total = _expected(path)
        assert panel.source.text().startswith(f"Source: {path}, {count} closed trades")
        assert panel.net.value.text() == money(total)
    finally:
        area.shutdown()
