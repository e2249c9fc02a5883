"""The console's persisted settings, each declared once with type and default.

Stored as JSON in the platformdirs config folder (settings) and state folder
(window geometry, recent homes). Written atomically. Never holds a secret:
the option table is the whole list of what can be stored, and nothing in it
is a passphrase or key (a test checks the names).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .paths import AppDirs, Overrides

SETTINGS_VERSION = 1
MAX_RECENT = 10


@dataclass(frozen=True)
class Option:
    """One setting: its name, Python type, default and what it is for.

    An option with a ``label`` is one the admin sets in File ▸ Preferences
    (ui/preferences.py builds the dialog from this table); ``minimum``,
    ``maximum`` and ``unit`` bound and name an int. The paths are set with
    File ▸ Open data home instead, so they have no label.
    """

    name: str
    type: type
    default: Any
    description: str
    label: str = ""
    minimum: int = 0
    maximum: int = 0
    unit: str = ""


OPTIONS: tuple[Option, ...] = (
    Option("home", str, "", "LifeOS data home (empty: ~/.lifeos)"),
    Option("logs", list, [], "Log folders (empty: <home>/logs and ./logs)"),
    Option("backups", str, "", "Backups folder (empty: <home>/backups)"),
    Option("bot_dir", str, "", "The bot's checkout (empty: the current folder when it looks like one)"),
    Option("read_only", bool, True, "Open the database read-only (Database ▸ Allow editing unlocks it for a session)",
           "Open databases read-only"),
    Option("time_utc", bool, False, "Show times in UTC instead of local time (also View ▸ Times in UTC)",
           "Show times in UTC"),
    Option("clipboard_clear_s", int, 20, "Seconds before a copied key leaves the clipboard",
           "Clear a copied key after", 1, 600, "s"),
    Option("vault_idle_lock_s", int, 300, "Seconds of inactivity before the vault locks (0: never; from the next "
           "unlock)", "Lock the vault when idle for", 0, 86_400, "s"),
    Option("vault_lock_on_minimize", bool, False, "Lock the vault when the window is minimised",
           "Lock the vault on minimise"),
    Option("backup_keep", int, 20, "How many archives retention keeps after each backup (also on the Backups page)",
           "Keep the newest", 1, 999, "archives"),
    Option("busy_timeout_ms", int, 30_000, "How long a read waits for the bot's write lock before it gives up "
           "(applies to databases opened from now on)", "Wait for a locked database", 100, 600_000, "ms"),
    Option("state_poll_ms", int, 500, "How often the trading state files and the emergency stop are re-read "
           "(from the next home opened)", "Re-read trading state every", 100, 60_000, "ms"),
    Option("home_poll_ms", int, 3000, "How often the Home area walks the home again for new or changed stores "
           "(from the next home opened)", "Re-walk the home every", 500, 600_000, "ms"),
    Option("metrics_poll_ms", int, 2000, "How often the algorithm metrics files are checked for changes "
           "(from the next home opened)", "Re-read algorithm metrics every", 250, 600_000, "ms"),
    Option("vault_lock_on_screen_lock", bool, True,
           "Lock the vault when the screen locks or the session goes idle (where the desktop reports it: "
           "the ScreenSaver and logind signals on Linux)", "Lock the vault when the screen locks"),
    Option("vault_lock_away_s", int, 0,
           "Seconds the console may stay in the background (another application active, or hidden) before "
           "the vault locks; 0: off. The portable fallback where the desktop reports no screen lock",
           "Lock the vault when in the background for", 0, 86_400, "s"),
)
_BY_NAME = {o.name: o for o in OPTIONS}


def atomic_write_text(path: Path, text: str, mode: int = 0o600) -> None:
    """Write a file so a crash leaves the old or the new content, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class Settings:
    """Typed access to the declared options; unknown or mistyped values fall back."""

    def __init__(self, dirs: AppDirs) -> None:
        self._path = dirs.config / "settings.json"
        self._values = _load_json(self._path)

    @property
    def path(self) -> Path:
        """The settings file."""
        return self._path

    def get(self, name: str) -> Any:
        """The stored value of a declared option, or its default."""
        opt = _BY_NAME[name]
        value = self._values.get(name, opt.default)
        if opt.type is int and isinstance(value, bool):
            return opt.default
        return value if isinstance(value, opt.type) else opt.default

    def set(self, name: str, value: Any) -> None:
        """Store a declared option and save at once."""
        opt = _BY_NAME[name]
        if not isinstance(value, opt.type):
            raise TypeError(f"setting {name} takes {opt.type.__name__}")
        self._values[name] = value
        self.save()

    def save(self) -> None:
        """Write the settings file atomically."""
        data = {k: v for k, v in self._values.items() if k in _BY_NAME}
        data["version"] = SETTINGS_VERSION
        atomic_write_text(self._path, json.dumps(data, indent=2, sort_keys=True))

    def overrides(self) -> Overrides:
        """The path-related settings as an Overrides layer for resolve_paths."""
        home = self.get("home")
        backups = self.get("backups")
        bot_dir = self.get("bot_dir")
        return Overrides(
            home=Path(home) if home else None,
            logs=tuple(Path(p) for p in self.get("logs") if isinstance(p, str) and p),
            backups=Path(backups) if backups else None,
            bot_dir=Path(bot_dir) if bot_dir else None,
            read_only=self._values.get("read_only") if isinstance(self._values.get("read_only"), bool) else None,
        )


class State:
    """Window geometry and recent homes: remembered, not configured."""

    def __init__(self, dirs: AppDirs) -> None:
        self._path = dirs.state / "state.json"
        self._values = _load_json(self._path)

    def get(self, key: str, default: Any = None) -> Any:
        """A stored state value."""
        return self._values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable state value and save."""
        self.update({key: value})

    def update(self, values: dict[str, Any]) -> None:
        """Store several values with one atomic write (one fsync, not one per key)."""
        self._values.update(values)
        atomic_write_text(self._path, json.dumps(self._values, indent=1))

    def recent_homes(self) -> list[str]:
        """Most recent first."""
        value = self._values.get("recent_homes", [])
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    def add_recent_home(self, home: Path, bot_dir: Path | None = None) -> None:
        """Move a home to the front of the recent list, remembering the bot checkout opened with it."""
        items = [str(home)] + [h for h in self.recent_homes() if h != str(home)]
        bots = self._values.get("recent_bot_dirs")
        bots = {k: v for k, v in bots.items() if k in items[:MAX_RECENT]} if isinstance(bots, dict) else {}
        if bot_dir is not None:
            bots[str(home)] = str(bot_dir)
        else:
            bots.pop(str(home), None)
        self.update({"recent_homes": items[:MAX_RECENT], "recent_bot_dirs": bots})

    def recent_bot_dir(self, home: Path) -> Path | None:
        """The bot checkout last opened with this home, if any."""
        bots = self._values.get("recent_bot_dirs")
        value = bots.get(str(home)) if isinstance(bots, dict) else None
        return Path(value) if isinstance(value, str) and value else None


def preference_options() -> tuple[Option, ...]:
    """The options File ▸ Preferences shows, in table order."""
    return tuple(o for o in OPTIONS if o.label)
