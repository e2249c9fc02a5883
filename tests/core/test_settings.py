"""Settings: declared options, type fallback, atomic files, no secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lifeos_desk.core.paths import AppDirs
from lifeos_desk.core.settings import OPTIONS, Settings, State


def _dirs(tmp_path: Path) -> AppDirs:
    return AppDirs(config=tmp_path / "c", state=tmp_path / "s", data=tmp_path / "d", log=tmp_path / "l")


def test_defaults_and_round_trip(tmp_path: Path) -> None:
    s = Settings(_dirs(tmp_path))
    assert s.get("read_only") is True
    s.set("home", str(tmp_path / "h"))
    s.set("read_only", False)
    again = Settings(_dirs(tmp_path))
    assert again.get("home") == str(tmp_path / "h")
    o = again.overrides()
    assert o.home == tmp_path / "h" and o.read_only is False
    assert (tmp_path / "c" / "settings.json").stat().st_mode & 0o077 == 0


def test_mistyped_or_corrupt_values_fall_back(tmp_path: Path) -> None:
    d = _dirs(tmp_path)
    d.config.mkdir(parents=True)
    (d.config / "settings.json").write_text(json.dumps({"read_only": "no", "backup_keep": True}))
    s = Settings(d)
    assert s.get("read_only") is True
    assert s.get("backup_keep") == 20
    (d.config / "settings.json").write_text("{not json")
    assert Settings(d).get("clipboard_clear_s") == 20
    with pytest.raises(TypeError):
        s.set("backup_keep", "many")


def test_no_option_can_hold_a_secret() -> None:
    for opt in OPTIONS:
        assert not any(w in opt.name for w in ("pass", "secret", "key", "token")) or opt.name.endswith("_s")


def test_recent_homes_most_recent_first(tmp_path: Path) -> None:
    st = State(_dirs(tmp_path))
    for name in ("a", "b", "a"):
        st.add_recent_home(tmp_path / name)
    assert State(_dirs(tmp_path)).recent_homes() == [str(tmp_path / "a"), str(tmp_path / "b")]


def test_bot_dir_is_a_stored_path_and_recent_homes_remember_it(tmp_path: Path) -> None:
    from lifeos_desk.core.paths import AppDirs
    from lifeos_desk.core.settings import Settings, State

    dirs = AppDirs(config=tmp_path / "c", state=tmp_path / "s", data=tmp_path / "d", log=tmp_path / "l")
    settings = Settings(dirs)
    assert settings.overrides().bot_dir is None
    settings.set("bot_dir", str(tmp_path / "bot"))
    assert Settings(dirs).overrides().bot_dir == tmp_path / "bot"
    state = State(dirs)
    state.add_recent_home(tmp_path / "h1", tmp_path / "bot")
    state.add_recent_home(tmp_path / "h2")
    again = State(dirs)
    assert again.recent_homes() == [str(tmp_path / "h2"), str(tmp_path / "h1")]
    assert again.recent_bot_dir(tmp_path / "h1") == tmp_path / "bot" and again.recent_bot_dir(tmp_path / "h2") is None
