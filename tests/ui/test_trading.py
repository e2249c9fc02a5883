"""The Trading state area and the emergency-stop banner on a deployed-layout home, refreshed live."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.core.trading import TradingPaths
from lifeos_desk.session import open_session
from lifeos_desk.ui.areas import NoticePanel
from lifeos_desk.ui.trading import EmergencyStopBanner, TradingArea, create_trading_area
from lifeos_desk.ui.trading.models import time_text
from tests.deployed_home import DeployedHome, build_deployed_home

POLL_MS = 50


@pytest.fixture(scope="module")
def _template(tmp_path_factory: pytest.TempPathFactory) -> DeployedHome:
    return build_deployed_home(tmp_path_factory.mktemp("deployed"))  # PBKDF2-480k keys: build once


@pytest.fixture()
def deployed(_template: DeployedHome, tmp_path: Path) -> DeployedHome:
    home, bot = tmp_path / "home", tmp_path / "bot"
    shutil.copytree(_template.home, home, symlinks=True)
    shutil.copytree(_template.bot_dir, bot, symlinks=True)
    return DeployedHome(home=home, bot_dir=bot, wal_db=bot / _template.wal_db.relative_to(_template.bot_dir),
                        audit_day=bot / _template.audit_day.relative_to(_template.bot_dir))


@pytest.fixture()
def area(qtbot: QtBot, deployed: DeployedHome) -> Any:
    widget = TradingArea(TradingPaths(deployed.home, deployed.bot_dir), poll_ms=POLL_MS)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: not widget.busy() and widget.intents.snapshot is not None)
    yield widget
    widget.shutdown()


def _replace_json(path: Path, data: object) -> None:
    """Write like ``SafeState.write``: a temp file renamed over the target."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    os.replace(tmp, path)


def _cells(model: Any, column: int) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_area_shows_positions_history_and_intents(area: TradingArea, deployed: DeployedHome) -> None:
    assert _cells(area.positions.model, 0) == ["BONK"]
    assert area.tabs.tabText(0) == "Positions (1 open)"
    row = {area.positions.model.headerData(c, _h()): area.positions.model.index(0, c).data()
           for c in range(area.positions.model.columnCount())}
    assert row["Take-profit"] == "1.5" and row["Stop-loss"] == "0.9" and row["Unrealised %"] == "+20.00%"
    assert str(deployed.bot_dir / "data" / "trader" / "positions.json") in area.positions.source.text()
    assert _cells(area.history.model, 0) == ["WIF"]
    assert _cells(area.intents.model, 0) == ["9f8e7d6c"]
    assert area.stop_label.text().startswith("EMERGENCY STOP: SOFT_STOP")


def _h() -> Any:
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def test_intent_detail_shows_ladder_and_stops(area: TradingArea) -> None:
    area.show_first_intent()
    detail = area.detail
    assert detail.intent() is not None and detail.intent().key == "9f8e7d6c"  # type: ignore[union-attr]
    assert _cells(detail.ladder, 1) == ["1.08", "1.18", "1.4"]
    assert _cells(detail.ladder, 2) == ["60%", "25%", "15%"]
    assert detail.sl["Price"].text() == "0.91"
    assert detail.trail["Trail"].text() == "5%" and detail.trail["Active"].text() == "no"
    assert detail.time["Action"].text() == "exit fully"
    assert detail.time["Deadline"].text() == time_text(detail.intent().time_stop.deadline, False)  # type: ignore[union-attr]


def test_intents_as_a_list_are_shown_live(qtbot: QtBot, area: TradingArea, deployed: DeployedHome) -> None:
    path = deployed.home / "trading" / "exit_intents.json"
    first = json.loads(path.read_text())["9f8e7d6c"]
    path.write_text(json.dumps([first, dict(first, id="aa11bb22", symbol="WIF")]))
    qtbot.waitUntil(lambda: area.intents.model.rowCount() == 2)
    assert _cells(area.intents.model, 1) == ["BONK", "WIF"]


def test_rewritten_positions_refresh_and_keep_selection(qtbot: QtBot, area: TradingArea,
                                                        deployed: DeployedHome) -> None:
    path = deployed.bot_dir / "data" / "trader" / "positions.json"
    data = json.loads(path.read_text())
    area.positions.select_key("a1b2c3d4")
    _replace_json(path, [*data, dict(data[0], id="0d0d0d0d", token_symbol="POPCAT")])
    qtbot.waitUntil(lambda: area.positions.model.rowCount() == 2)
    assert area.positions.selected_key() == "a1b2c3d4"
    assert area.tabs.tabText(0) == "Positions (2 open)"


def test_half_written_positions_are_a_notice_and_keep_rows(qtbot: QtBot, area: TradingArea,
                                                           deployed: DeployedHome) -> None:
    path = deployed.bot_dir / "data" / "trader" / "positions.json"
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    qtbot.waitUntil(lambda: not area.positions.notice.isHidden())
    assert "not complete JSON" in area.positions.notice.text()
    assert "last complete read" in area.positions.notice.text()
    assert "positions.json.bak" in area.positions.notice.text()  # what the bot would read instead
    assert _cells(area.positions.model, 0) == ["BONK"]
    assert "stale" in area.positions.source.text()
    path.write_text(text)
    qtbot.waitUntil(lambda: area.positions.notice.isHidden())


def test_half_written_intents_keep_the_ladder(qtbot: QtBot, area: TradingArea, deployed: DeployedHome) -> None:
    area.show_first_intent()
    path = deployed.home / "trading" / "exit_intents.json"
    path.write_text("")  # persist_intent's open('w') has truncated it
    qtbot.waitUntil(lambda: "empty" in area.intents.notice.text())
    assert area.intents.model.rowCount() == 1 and area.detail.ladder.rowCount() == 3


def test_area_contract(area: TradingArea) -> None:
    assert list(area.window_actions()) == []  # the files refresh live; Reload is a button in the area
    area.reload_button.click()
    assert area.busy()
    assert area.unsaved_changes() == []
    names = []
    for name, put in area.screenshot_states():
        put()
        names.append(name)
    assert names == ["trading-positions", "trading-intents", "trading-history"]
    assert area.tabs.currentIndex() == 2


def test_every_model_passes_qtmodeltester(qtmodeltester: Any, area: TradingArea) -> None:
    area.show_first_intent()
    for model in (area.positions.model, area.history.model, area.intents.model, area.detail.ladder,
                  area.positions.proxy):
        assert model.rowCount() > 0
        qtmodeltester.check(model, force_py=True)


def test_factory_uses_the_session_home(qtbot: QtBot, deployed: DeployedHome, tmp_path: Path) -> None:
    dirs = AppDirs(config=tmp_path / "c", state=tmp_path / "s", data=tmp_path / "d", log=tmp_path / "l")
    session = open_session(DataPaths(home=deployed.home, logs=(), backups=tmp_path / "b"), dirs,
                           Settings(dirs), State(dirs))
    try:
        widget = create_trading_area(session)
        qtbot.addWidget(widget)
        assert not isinstance(widget, NoticePanel)
        qtbot.waitUntil(lambda: not widget.busy() and widget.intents.model.rowCount() == 1)
        # No checkout known: positions are looked for in the legacy ~/.lifeos/trading, and said missing.
        qtbot.waitUntil(lambda: widget.positions.snapshot is not None)
        assert widget.positions.snapshot.missing  # type: ignore[union-attr]
        assert "does not exist" in widget.positions.notice.text()
        widget.shutdown()
    finally:
        session.close()


def test_factory_uses_the_session_bot_dir(qtbot: QtBot, deployed: DeployedHome, tmp_path: Path) -> None:
    dirs = AppDirs(config=tmp_path / "c", state=tmp_path / "s", data=tmp_path / "d", log=tmp_path / "l")
    paths = DataPaths(home=deployed.home, logs=(), backups=tmp_path / "b", bot_dir=deployed.bot_dir)
    session = open_session(paths, dirs, Settings(dirs), State(dirs))
    try:
        widget = create_trading_area(session)
        qtbot.addWidget(widget)
        qtbot.waitUntil(lambda: not widget.busy() and widget.positions.model.rowCount() == 1)
        assert widget.positions.snapshot.path == deployed.bot_dir / "data" / "trader" / "positions.json"  # type: ignore[union-attr]
        widget.shutdown()
    finally:
        session.close()


def test_banner_appears_and_goes(qtbot: QtBot, deployed: DeployedHome) -> None:
    path = deployed.home / "trading" / "emergency_stop.json"
    banner = EmergencyStopBanner(lambda m: time_text(m, True), poll_ms=POLL_MS)
    qtbot.addWidget(banner)
    banner.watch(path, deployed.home)
    assert not banner.isHidden() and "SOFT_STOP" in banner.label.text() and "volatility" in banner.label.text()
    with qtbot.waitSignal(banner.activeChanged) as lifted:
        path.write_text(json.dumps({"level": "NONE", "paused_tokens": []}))
    assert lifted.args == [False] and banner.isHidden() and banner.stop() is None
    with qtbot.waitSignal(banner.activeChanged) as raised:
        path.write_text(json.dumps({"level": "TOKEN_PAUSE", "reason": "rug risk", "activated_by": "admin",
                                    "paused_tokens": ["DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263"]}))
    assert raised.args == [True] and not banner.isHidden()
    assert "TOKEN_PAUSE" in banner.label.text() and "rug risk" in banner.label.text()
    assert "DezX…B263" in banner.label.text() and "DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263" in banner.toolTip()
    path.write_text('{"level": "KILL')  # caught mid-write: keep showing the pause, say it may be stale
    qtbot.waitUntil(lambda: "may be stale" in banner.label.text())
    assert "TOKEN_PAUSE" in banner.label.text()
    path.unlink()
    qtbot.waitUntil(lambda: banner.isHidden())
    banner.stop_watching()


def test_window_status_bar_shows_the_stop_from_every_area(qtbot: QtBot, deployed: DeployedHome,
                                                          tmp_path: Path) -> None:
    from lifeos_desk.ui.main_window import MainWindow

    dirs = AppDirs(config=tmp_path / "c", state=tmp_path / "s", data=tmp_path / "d", log=tmp_path / "l")
    settings, state = Settings(dirs), State(dirs)

    def opener(paths: DataPaths) -> Any:
        return open_session(paths, dirs, settings, state)

    w = MainWindow(opener(DataPaths(home=deployed.home, logs=(), backups=tmp_path / "b")), opener)
    qtbot.addWidget(w)
    w.show()
    banner = w.emergency_banner
    assert banner.isVisible() and "SOFT_STOP" in banner.label.text()
    assert w.statusBar().isAncestorOf(banner)
    titles = [w.tabs.tabText(i) for i in range(w.tabs.count())]
    assert titles.index("Trading state") == titles.index("Tables") + 1
    for i in range(w.tabs.count()):
        w.tabs.setCurrentIndex(i)
        assert banner.isVisible(), titles[i]
    deployed.home.joinpath("trading", "emergency_stop.json").write_text('{"level": "NONE"}')
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=3000)
    w.close()
