"""Where the data lives: the LifeOS home, log folders and backups folder.

Precedence, highest first: command-line flags, environment (LIFEOS_HOME,
LIFEOS_LOGS, LIFEOS_BOT_DIR), persisted settings, defaults (the bot
checkout: the current folder when it looks like one). The console's own files live in
platformdirs' folders (``AppDirs``), never inside the data home.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

APP_SLUG = "lifeos-desk"
DB_FILENAME = "public_users.db"
ENV_HOME = "LIFEOS_HOME"
ENV_LOGS = "LIFEOS_LOGS"
ENV_BOT_DIR = "LIFEOS_BOT_DIR"


@dataclass(frozen=True)
class DataPaths:
    """The resolved locations of one data home."""

    home: Path
    logs: tuple[Path, ...]
    backups: Path
    read_only: bool = True
    bot_dir: Path | None = None  # the bot checkout (docs/data-formats.md, 'Where things live'), if known

    @property
    def db(self) -> Path:
        """The bot's database file."""
        return self.home / DB_FILENAME


@dataclass(frozen=True)
class Overrides:
    """Values from one source (flags, or persisted settings); None means unset."""

    home: Path | None = None
    logs: tuple[Path, ...] = field(default_factory=tuple)
    backups: Path | None = None
    read_only: bool | None = None
    bot_dir: Path | None = None


def looks_like_checkout(path: Path) -> bool:
    """A folder the bot runs from: it has ``bots/treasury``, or ``data/`` beside ``core/``."""
    return (path / "bots" / "treasury").is_dir() or ((path / "data").is_dir() and (path / "core").is_dir())


def _expand(p: str | Path) -> Path:
    return Path(os.path.expandvars(os.path.expanduser(str(p))))


def split_env_paths(value: str) -> tuple[Path, ...]:
    """LIFEOS_LOGS holds os.pathsep-separated folders; empty parts are ignored."""
    return tuple(_expand(p) for p in value.split(os.pathsep) if p.strip())


def resolve_paths(
    flags: Overrides,
    env: Mapping[str, str],
    stored: Overrides,
    cwd: Path,
    user_home: Path | None = None,
) -> DataPaths:
    """Apply flags > environment > settings > defaults, field by field."""
    user_home = user_home if user_home is not None else Path.home()
    home = flags.home or (_expand(env[ENV_HOME]) if env.get(ENV_HOME) else None) or stored.home
    home = _expand(home) if home else user_home / ".lifeos"
    home = home.absolute()

    logs: Sequence[Path] = flags.logs or split_env_paths(env.get(ENV_LOGS, "")) or stored.logs
    if not logs:
        logs = [home / "logs"]
        if (cwd / "logs").is_dir() and (cwd / "logs").resolve() != (home / "logs").resolve():
            logs.append(cwd / "logs")
    logs_abs = tuple(dict.fromkeys((cwd / _expand(p)).absolute() for p in logs))

    backups = flags.backups or stored.backups
    backups_abs = (cwd / _expand(backups)).absolute() if backups else home / "backups"

    read_only = True
    if flags.read_only is not None:
        read_only = flags.read_only
    elif stored.read_only is not None:
        read_only = stored.read_only
    bot = flags.bot_dir or (_expand(env[ENV_BOT_DIR]) if env.get(ENV_BOT_DIR) else None) or stored.bot_dir
    bot_abs = (cwd / _expand(bot)).absolute() if bot else (cwd.absolute() if looks_like_checkout(cwd) else None)
    return DataPaths(home=home, logs=logs_abs, backups=backups_abs, read_only=read_only, bot_dir=bot_abs)


@dataclass(frozen=True)
class AppDirs:
    """The console's own folders, as platformdirs gives them for this OS."""

    config: Path
    state: Path
    data: Path
    log: Path

    @classmethod
    def default(cls) -> AppDirs:
        """The standard per-user folders (XDG on Linux, AppData, Library...)."""
        return cls(
            config=Path(platformdirs.user_config_dir(APP_SLUG, appauthor=False)),
            state=Path(platformdirs.user_state_dir(APP_SLUG, appauthor=False)),
            data=Path(platformdirs.user_data_dir(APP_SLUG, appauthor=False)),
            log=Path(platformdirs.user_log_dir(APP_SLUG, appauthor=False)),
        )

    @property
    def demo_home(self) -> Path:
        """Where ``lifeos-desk --demo`` keeps its demo data home."""
        return self.data / "demo-home"
