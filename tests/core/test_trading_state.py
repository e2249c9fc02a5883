"""The trading state readers on the deployed layout: both intent shapes, torn writes, links, FIFOs, bounds."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lifeos_desk.core.trading import (
    JsonDocument,
    JsonProblem,
    Problem,
    StopLevel,
    TradingPaths,
    active_stop,
    emergency_file,
    history_file,
    intents_file,
    open_positions,
    positions_file,
    read_json,
)
from tests.deployed_home import NOW, DeployedHome, build_deployed_home


@pytest.fixture(scope="module")
def _template(tmp_path_factory: pytest.TempPathFactory) -> DeployedHome:
    return build_deployed_home(tmp_path_factory.mktemp("deployed"))  # PBKDF2-480k keys: build once


@pytest.fixture()
def deployed(_template: DeployedHome, tmp_path: Path) -> DeployedHome:
    """A fresh copy per test (the tests rewrite its files)."""
    home, bot = tmp_path / "home", tmp_path / "bot"
    shutil.copytree(_template.home, home, symlinks=True)
    shutil.copytree(_template.bot_dir, bot, symlinks=True)
    return DeployedHome(home=home, bot_dir=bot, wal_db=bot / _template.wal_db.relative_to(_template.bot_dir),
                        audit_day=bot / _template.audit_day.relative_to(_template.bot_dir))


def _paths(d: DeployedHome) -> TradingPaths:
    return TradingPaths(home=d.home, bot_dir=d.bot_dir)


def test_positions_and_history_from_the_checkout(deployed: DeployedHome, local_zone: str) -> None:
    snap = positions_file(_paths(deployed)).read()
    assert snap.path == deployed.bot_dir / "data" / "trader" / "positions.json"
    assert not snap.notice and not snap.stale
    (pos,) = snap.items
    assert (pos.id, pos.token_symbol, pos.status, pos.take_profit_price, pos.stop_loss_price) == (
        "a1b2c3d4", "BONK", "OPEN", 1.5, 0.9)
    assert pos.opened_at == NOW  # naive ISO is UTC in either zone
    assert pos.unrealised_pnl_pct == pytest.approx(20.0)
    assert open_positions(snap.items) == [pos]
    (closed,) = history_file(_paths(deployed)).read().items
    assert closed.status == "CLOSED" and closed.closed_at is not None and closed.closed_at > NOW


def test_legacy_positions_when_no_checkout_holds_them(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "trading").mkdir(parents=True)
    (home / "trading" / "positions.json").write_text(json.dumps([{"id": "x1", "token_mint": "M", "status": "OPEN"}]))
    snap = positions_file(TradingPaths(home=home, bot_dir=tmp_path / "bot")).read()
    assert snap.path == home / "trading" / "positions.json"
    assert [p.id for p in snap.items] == ["x1"]


def test_other_profiles_are_found(deployed: DeployedHome) -> None:
    demo = deployed.bot_dir / "data" / "demo" / "trader"
    demo.mkdir(parents=True)
    (demo / "positions.json").write_text("[]")
    paths = _paths(deployed)
    assert paths.profiles() == ["treasury", "demo"]
    assert positions_file(paths, "demo").read().path == demo / "positions.json"


def test_intents_keyed_by_id(deployed: DeployedHome, local_zone: str) -> None:
    snap = intents_file(_paths(deployed)).read()
    (intent,) = snap.items
    assert (intent.key, intent.symbol, intent.status) == ("9f8e7d6c", "BONK", "active")
    assert [(tp.level, tp.price, tp.size_pct) for tp in intent.take_profits] == [
        (1, 1.08, 60.0), (2, 1.18, 25.0), (3, 1.40, 15.0)]
    assert intent.entry_time == NOW
    assert intent.time_stop is not None and intent.time_stop.deadline == datetime.fromtimestamp(
        NOW.timestamp() + 5400, UTC)
    assert intent.stop_loss is not None and intent.stop_loss.price == 0.91
    assert intent.trailing_stop is not None and intent.trailing_stop.trail_pct == 0.05
    assert intent.last_check_time is None  # 0.0 is the bot's "never"


def test_intents_as_a_list(deployed: DeployedHome) -> None:
    data = json.loads(deployed.home.joinpath("trading", "exit_intents.json").read_text())
    first = data["9f8e7d6c"]
    second = dict(first, id="", symbol="WIF", created_at="2026-03-01T13:00:00")
    deployed.home.joinpath("trading", "exit_intents.json").write_text(json.dumps([first, second]))
    snap = intents_file(_paths(deployed)).read()
    assert [(i.key, i.symbol) for i in snap.items] == [("9f8e7d6c", "BONK"), ("1", "WIF")]


def test_half_written_intents_keep_the_last_good_read(deployed: DeployedHome) -> None:
    path = deployed.home / "trading" / "exit_intents.json"
    reader = intents_file(_paths(deployed))
    good = reader.read()
    text = path.read_text()
    path.write_text(text[:200])
    torn = reader.read()
    assert torn.stale and torn.items == good.items
    stops_at = text[:200].rindex('"')  # the decoder names where the unfinished string starts
    assert f"not complete JSON (byte {stops_at} of 200" in torn.notice and "last complete read" in torn.notice
    path.write_text("")  # open('w') truncated it, the dump has not started
    empty = reader.read()
    assert empty.stale and empty.items == good.items and "empty" in empty.notice
    path.write_text(text)
    again = reader.read()
    assert not again.stale and not again.notice and again.items == good.items


def test_half_written_positions_fall_back_to_the_bak_like_the_bot(deployed: DeployedHome) -> None:
    trader = deployed.bot_dir / "data" / "trader"
    full = (trader / "positions.json").read_text()
    (trader / "positions.json.bak").write_text(full)
    (trader / "positions.json").write_text(full[: len(full) // 2])
    snap = positions_file(_paths(deployed)).read()  # a fresh reader: no last good read yet
    assert snap.stale and snap.shown_from == trader / "positions.json.bak"
    assert [p.id for p in snap.items] == ["a1b2c3d4"]
    assert "not complete JSON" in snap.notice and "positions.json.bak" in snap.notice


def test_torn_file_without_history_or_bak_is_a_notice_not_a_crash(deployed: DeployedHome) -> None:
    trader = deployed.bot_dir / "data" / "trader"
    (trader / "positions.json.bak").unlink()
    (trader / "positions.json").write_text('[{"id": "a1b2c3d4", "tok')
    snap = positions_file(_paths(deployed)).read()
    assert snap.items == () and "not complete JSON (byte 20 of 24: Unterminated string" in snap.notice


def test_emergency_stop_levels(deployed: DeployedHome, local_zone: str) -> None:
    reader = emergency_file(_paths(deployed))
    stop = active_stop(reader.read())
    assert stop is not None and stop.level is StopLevel.SOFT_STOP and stop.reason == "volatility"
    assert stop.activated_at == NOW and stop.activated_by == "admin"
    deployed.home.joinpath("trading", "emergency_stop.json").write_text(json.dumps(
        {"level": "TOKEN_PAUSE", "paused_tokens": ["BONKmint1111"], "reason": "rug risk"}))
    paused = active_stop(reader.read())
    assert paused is not None and paused.paused_tokens == ("BONKmint1111",)
    deployed.home.joinpath("trading", "emergency_stop.json").write_text(json.dumps({"level": "NONE"}))
    assert active_stop(reader.read()) is None


def test_unknown_level_counts_as_active(tmp_path: Path) -> None:
    (tmp_path / "trading").mkdir()
    (tmp_path / "trading" / "emergency_stop.json").write_text('{"level": "MELTDOWN"}')
    stop = active_stop(emergency_file(TradingPaths(tmp_path)).read())
    assert stop is not None and stop.raw_level == "MELTDOWN"


def test_symlinked_file_and_folder_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "exit_intents.json").write_text("{}")
    home = tmp_path / "home"
    home.mkdir()
    (home / "trading").symlink_to(outside)
    snap = intents_file(TradingPaths(home)).read()
    assert snap.items == () and "symlink" in snap.notice
    (home / "trading").unlink()
    (home / "trading").mkdir()
    (home / "trading" / "exit_intents.json").symlink_to(outside / "exit_intents.json")
    snap = intents_file(TradingPaths(home)).read()
    assert snap.items == () and "symlink" in snap.notice


def test_fifo_is_skipped_without_blocking(tmp_path: Path) -> None:
    (tmp_path / "trading").mkdir()
    os.mkfifo(tmp_path / "trading" / "emergency_stop.json")
    snap = emergency_file(TradingPaths(tmp_path)).read()  # would block forever if opened without O_NONBLOCK
    assert snap.items == () and "not a regular file" in snap.notice


def test_size_bound_is_stated(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text("[" + "0," * 1000 + "0]")
    got = read_json(path, limit=1024)
    assert isinstance(got, JsonProblem) and got.problem is Problem.TOO_LARGE
    assert got.message == "big.json is larger than the 1 KiB bound for this file; not read"
    assert isinstance(read_json(path, limit=4096), JsonDocument)


def test_missing_file_is_said(tmp_path: Path) -> None:
    snap = intents_file(TradingPaths(tmp_path)).read()
    assert snap.missing and snap.items == () and "does not exist" in snap.notice
