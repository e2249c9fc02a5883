"""Where the trading state files are, and reading each one so a torn write never blanks the screen.

Paths follow docs/data-formats.md, 'Where things live' and 'Positions and
trade history': the treasury's positions are ``<checkout>/data/trader/``,
other profiles ``<checkout>/data/<profile>/trader/``, and when no checkout
holds them, the read-only legacy ``~/.lifeos/trading/`` (or
``~/.lifeos/<profile>/trading/``); exit intents and the emergency stop are
always in ``~/.lifeos/trading/``.

A :class:`StateFile` remembers the last complete read. When the file is
then found half-written (exit intents are truncated before they are
rewritten, docs/data-formats.md 'Exit intents'), the snapshot keeps the last
good items, is marked stale, and says why. For positions the bot itself
falls back to ``positions.json.bak`` on bad JSON (``core/safe_state.py``), so
the snapshot reads that file too and says what the bot would see.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from .jsonfile import MIB, JsonDocument, JsonProblem, Problem, read_json
from .records import EmergencyStop, ExitIntent, Position, intent_items, parse_emergency, parse_intent, parse_position

T = TypeVar("T")

# Bounds, in bytes. Positions and history are lists of ~700-byte objects that
# grow with every trade (a history of 50,000 trades is about 35 MB); exit
# intents ~1.5 KB each; the emergency stop is one small object.
POSITIONS_LIMIT = 64 * MIB
INTENTS_LIMIT = 16 * MIB
EMERGENCY_LIMIT = 1 * MIB

TREASURY = "treasury"
_PROFILE = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class TradingPaths:
    """The two roots the trading state lives under; ``bot_dir`` is None when unknown."""

    home: Path
    bot_dir: Path | None = None

    @property
    def trading_dir(self) -> Path:
        """``~/.lifeos/trading``: exit intents, emergency stop, legacy positions."""
        return self.home / "trading"

    @property
    def exit_intents(self) -> Path:
        """``~/.lifeos/trading/exit_intents.json``."""
        return self.trading_dir / "exit_intents.json"

    @property
    def emergency_stop(self) -> Path:
        """``~/.lifeos/trading/emergency_stop.json``."""
        return self.trading_dir / "emergency_stop.json"

    def trader_dir(self, profile: str = TREASURY) -> tuple[Path, Path]:
        """(folder, root it must stay under) holding this profile's positions and history.

        The checkout's folder when it exists there (the bot writes it), else
        the legacy home folder it reads as a fallback.
        """
        if self.bot_dir is not None:
            sub = ("data", "trader") if profile == TREASURY else ("data", profile, "trader")
            folder = self.bot_dir.joinpath(*sub)
            if folder.is_dir() or not self.home_trader_dir(profile).is_dir():
                return folder, self.bot_dir
        return self.home_trader_dir(profile), self.home

    def home_trader_dir(self, profile: str = TREASURY) -> Path:
        """The legacy ``~/.lifeos/trading`` (``~/.lifeos/<profile>/trading``) folder."""
        return self.trading_dir if profile == TREASURY else self.home / profile / "trading"

    def profiles(self) -> list[str]:
        """The treasury first, then every other profile that has a trader folder (never following links)."""
        found: set[str] = set()
        if self.bot_dir is not None:
            found |= _subdirs_with(self.bot_dir / "data", ("trader",))
        found |= _subdirs_with(self.home, ("trading", "positions.json"))
        found.discard("trader")
        found.discard(TREASURY)
        return [TREASURY, *sorted(found)]


def _subdirs_with(folder: Path, rest: tuple[str, ...]) -> set[str]:
    """Names of real sub-folders of ``folder`` that hold ``rest`` (no symlink followed)."""
    try:
        entries = list(folder.iterdir()) if folder.is_dir() and not folder.is_symlink() else []
    except OSError:
        return set()
    names = set()
    for entry in entries[:500]:  # bounded: a home never holds hundreds of profiles
        if _PROFILE.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink():
            target = entry.joinpath(*rest)
            if target.exists() and not target.is_symlink():
                names.add(entry.name)
    return names


@dataclass(frozen=True)
class Snapshot(Generic[T]):
    """What one read of a state file gave: items to show and, when not a clean read, why.

    ``stale`` means the items are from an earlier complete read (or the
    bot's ``.bak``) because the file itself was not complete JSON this time.
    """

    path: Path
    items: tuple[T, ...]
    read_at: float  # epoch seconds of this read
    notice: str = ""
    stale: bool = False
    shown_from: Path | None = None  # the file the items came from, when not ``path``
    good_at: float | None = None  # when the items were last read complete
    skipped: int = 0
    missing: bool = False


Parser = Callable[[object], tuple[list[T], int] | None]


class StateFile(Generic[T]):
    """One state file read again and again, remembering its last complete content."""

    def __init__(self, path: Path, root: Path, limit: int, parse: Parser[T], backup: Path | None = None) -> None:
        self.path, self.root, self.limit = path, root, limit
        self._parse, self._backup = parse, backup
        self._good: tuple[T, ...] | None = None
        self._good_at: float | None = None

    def read(self) -> Snapshot[T]:
        """Read the file now; never raises for anything the file holds."""
        now = time.time()
        got = read_json(self.path, self.limit, self.root)
        if isinstance(got, JsonDocument):
            parsed = self._parse(got.data)
            if parsed is not None:
                items, skipped = parsed
                self._good, self._good_at = tuple(items), now
                note = f"{skipped} entries skipped (not in the bot's format)" if skipped else ""
                return Snapshot(self.path, self._good, now, note, skipped=skipped, good_at=now)
            got = JsonProblem(Problem.INCOMPLETE, f"{self.path.name} holds JSON of another shape; not read")
        if got.problem is Problem.MISSING:
            self._good = None
            return Snapshot(self.path, (), now, f"{self.path} does not exist", missing=True)
        return self._fallback(got, now)

    def _fallback(self, problem: JsonProblem, now: float) -> Snapshot[T]:
        notice = [problem.message + "."]
        backup = self._read_backup()
        if self._good is not None:
            stamp = time.strftime("%H:%M:%S", time.localtime(self._good_at or now))
            notice.append(f"Showing the last complete read ({stamp}); it may be stale.")
            if backup is not None:
                notice.append(f"The bot would read {backup[0].name} instead ({len(backup[1])} entries).")
            return Snapshot(self.path, self._good, now, " ".join(notice), stale=True, good_at=self._good_at)
        if backup is not None:
            notice.append(f"Showing {backup[0].name}, which the bot reads when the file is bad JSON.")
            return Snapshot(self.path, backup[1], now, " ".join(notice), stale=True, shown_from=backup[0])
        return Snapshot(self.path, (), now, " ".join(notice), stale=problem.transient)

    def _read_backup(self) -> tuple[Path, tuple[T, ...]] | None:
        if self._backup is None:
            return None
        got = read_json(self._backup, self.limit, self.root)
        if not isinstance(got, JsonDocument):
            return None
        parsed = self._parse(got.data)
        return (self._backup, tuple(parsed[0])) if parsed is not None else None


def _parse_positions(data: object) -> tuple[list[Position], int] | None:
    if isinstance(data, dict) and isinstance(data.get("positions"), list):
        data = data["positions"]  # SafeState's docstring example shape; the engine writes a bare list
    if not isinstance(data, list):
        return None
    items = [parse_position(raw) for raw in data]
    return [p for p in items if p is not None], sum(p is None for p in items)


def _parse_intents(data: object) -> tuple[list[ExitIntent], int] | None:
    pairs = intent_items(data)
    if pairs is None:
        return None
    items = [parse_intent(key, raw) for key, raw in pairs]
    return [i for i in items if i is not None], sum(i is None for i in items)


def parse_emergency_document(data: object) -> tuple[list[EmergencyStop], int] | None:
    """The emergency stop file as a one-item list, for ``StateFile``."""
    stop = parse_emergency(data)
    return ([stop], 0) if stop is not None else None


def positions_file(paths: TradingPaths, profile: str = TREASURY) -> StateFile[Position]:
    """``positions.json`` of a profile, with the bot's ``.bak`` fallback."""
    folder, root = paths.trader_dir(profile)
    path = folder / "positions.json"
    return StateFile(path, root, POSITIONS_LIMIT, _parse_positions, backup=path.with_name("positions.json.bak"))


def history_file(paths: TradingPaths, profile: str = TREASURY) -> StateFile[Position]:
    """``trade_history.json`` of a profile (SafeState writes a ``.bak`` beside it too)."""
    folder, root = paths.trader_dir(profile)
    path = folder / "trade_history.json"
    return StateFile(path, root, POSITIONS_LIMIT, _parse_positions, backup=path.with_name("trade_history.json.bak"))


def intents_file(paths: TradingPaths) -> StateFile[ExitIntent]:
    """``exit_intents.json``, either shape; no ``.bak`` (written in place)."""
    return StateFile(paths.exit_intents, paths.home, INTENTS_LIMIT, _parse_intents)


def emergency_file(paths: TradingPaths) -> StateFile[EmergencyStop]:
    """``emergency_stop.json``: a snapshot of one item (or none)."""
    return StateFile(paths.emergency_stop, paths.home, EMERGENCY_LIMIT, parse_emergency_document)


def active_stop(snapshot: Snapshot[EmergencyStop]) -> EmergencyStop | None:
    """The emergency stop in force according to this snapshot, or None."""
    stop = snapshot.items[0] if snapshot.items else None
    return stop if stop is not None and stop.active else None


def open_positions(items: Sequence[Position]) -> list[Position]:
    """Positions the bot still holds or is opening (OPEN, PENDING); the file also keeps closed ones."""
    return [p for p in items if p.status.upper() in ("OPEN", "PENDING")]


__all__ = ["TradingPaths", "StateFile", "Snapshot", "positions_file", "history_file", "intents_file",
           "emergency_file", "active_stop", "open_positions", "POSITIONS_LIMIT", "INTENTS_LIMIT",
           "EMERGENCY_LIMIT"]
