"""Path resolution: flags > environment > settings > defaults."""

from __future__ import annotations

import os
from pathlib import Path

from lifeos_desk.core.paths import AppDirs, DataPaths, Overrides, resolve_paths


def test_defaults_use_user_home_and_its_logs(tmp_path: Path) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    paths = resolve_paths(Overrides(), {}, Overrides(), cwd, user_home=tmp_path / "u")
    assert paths.home == tmp_path / "u" / ".lifeos"
    assert paths.logs == (tmp_path / "u" / ".lifeos" / "logs",)
    assert paths.backups == tmp_path / "u" / ".lifeos" / "backups"
    assert paths.db == tmp_path / "u" / ".lifeos" / "public_users.db"
    assert paths.read_only is True


def test_cwd_logs_added_when_present(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    paths = resolve_paths(Overrides(), {}, Overrides(), tmp_path, user_home=tmp_path / "u")
    assert paths.logs == (tmp_path / "u" / ".lifeos" / "logs", tmp_path / "logs")


def test_precedence_flags_env_settings(tmp_path: Path) -> None:
    flags = Overrides(home=tmp_path / "flag")
    env = {"LIFEOS_HOME": str(tmp_path / "env"), "LIFEOS_LOGS": os.pathsep.join([str(tmp_path / "l1"), "",
                                                                                   str(tmp_path / "l2")])}
    stored = Overrides(home=tmp_path / "stored", logs=(tmp_path / "sl",), backups=tmp_path / "sb", read_only=False)
    p = resolve_paths(flags, env, stored, tmp_path)
    assert p.home == tmp_path / "flag"
    assert p.logs == (tmp_path / "l1", tmp_path / "l2")
    assert p.backups == tmp_path / "sb"
    assert p.read_only is False  # settings unlock editing when no flag says otherwise

    p = resolve_paths(Overrides(), env, stored, tmp_path)
    assert p.home == tmp_path / "env"

    p = resolve_paths(Overrides(), {}, stored, tmp_path)
    assert p.home == tmp_path / "stored"
    assert p.logs == (tmp_path / "sl",)

    p = resolve_paths(Overrides(logs=(tmp_path / "fl",), backups=tmp_path / "fb", read_only=True), env, stored,
                      tmp_path)
    assert p.logs == (tmp_path / "fl",)
    assert p.backups == tmp_path / "fb"
    assert p.read_only is True


def test_relative_flags_resolve_against_cwd(tmp_path: Path) -> None:
    p = resolve_paths(Overrides(home=Path("h"), logs=(Path("lg"),), backups=Path("b")), {}, Overrides(), tmp_path)
    assert p.logs == (tmp_path / "lg",)
    assert p.backups == tmp_path / "b"
    assert p.home.is_absolute()


def test_app_dirs_follow_xdg_not_data_home(isolated_dirs: Path) -> None:
    dirs = AppDirs.default()
    assert dirs.config.is_relative_to(isolated_dirs)
    assert dirs.state.is_relative_to(isolated_dirs)
    assert ".lifeos" not in dirs.config.parts
    assert isinstance(DataPaths(home=Path("/x"), logs=(), backups=Path("/b")).db, Path)


def test_bot_dir_precedence_flag_env_settings_cwd(tmp_path: Path) -> None:
    from lifeos_desk.core.paths import ENV_BOT_DIR

    cwd = tmp_path / "checkout"
    (cwd / "bots" / "treasury").mkdir(parents=True)
    flag, env, stored = tmp_path / "flag", {ENV_BOT_DIR: str(tmp_path / "env")}, Overrides(bot_dir=tmp_path / "st")
    assert resolve_paths(Overrides(bot_dir=flag), env, stored, cwd).bot_dir == flag
    assert resolve_paths(Overrides(), env, stored, cwd).bot_dir == tmp_path / "env"
    assert resolve_paths(Overrides(), {}, stored, cwd).bot_dir == tmp_path / "st"
    assert resolve_paths(Overrides(), {}, Overrides(), cwd).bot_dir == cwd  # looks like a checkout
    plain = tmp_path / "plain"
    plain.mkdir()
    assert resolve_paths(Overrides(), {}, Overrides(), plain).bot_dir is None
    (plain / "data").mkdir()
    assert resolve_paths(Overrides(), {}, Overrides(), plain).bot_dir is None  # data/ alone is not a checkout
    (plain / "core").mkdir()
    assert resolve_paths(Overrides(), {}, Overrides(), plain).bot_dir == plain
    rel = resolve_paths(Overrides(bot_dir=Path("sub")), {}, Overrides(), plain).bot_dir
    assert rel == plain / "sub" and rel.is_absolute()
