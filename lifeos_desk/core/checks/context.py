"""What a check reads: the stores of one home and checkout, opened read-only, each at most once.

Checks run in the ``lifeos-desk audit`` process, never in the window's: that
is why Python's sqlite3 is allowed here (docs/architecture.md, 'One SQLite
library per process'). Each database is opened with a read-only URI, each
check's work on it is one read transaction, and every statement is fetched to
its end (docs/architecture.md, 'Half-read statements pin the WAL').
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..discovery import Discovery, Kind, Role, discover
from ..schema import SchemaKind, detect_schema
from ..times import as_utc
from . import state_files

Progress = Callable[[str], None]


class AuditError(Exception):
    """The audit could not run at all (exit 2): no home, an unreadable database."""


def parse_time(text: object) -> datetime | None:
    """A stored time as aware UTC (zone-less is UTC, docs/data-formats.md, 'Timestamps'); None if unreadable."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return datetime.fromtimestamp(float(text), UTC)
    if not isinstance(text, str) or not text:
        return None
    try:
        return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None


@dataclass
class AuditContext:
    """One home, its checkout and backups, the audit's clock, and caches shared by the checks."""

    home: Path
    bot_dir: Path | None = None
    logs: tuple[Path, ...] = ()
    backups: Path | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    since: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------ discovery

    @property
    def discovery(self) -> Discovery:
        """Every store under the home and the checkout (found once)."""
        found: Discovery = self._cached("discovery",
                                        lambda: discover(self.home, self.bot_dir, backups_dir=self.backups))
        return found

    def paths(self, role: Role, kind: Kind | None = None) -> list[Path]:
        """The stores of one role, sorted; an optional kind filters out look-alikes."""
        return sorted(s.path for s in self.discovery.by_role(role) if kind is None or s.kind is kind)

    def first(self, role: Role, kind: Kind | None = None) -> Path | None:
        """The one store of a role: the checkout's copy before the home's legacy copy."""
        found = self.paths(role, kind)
        if self.bot_dir is not None:
            found.sort(key=lambda p: not p.is_relative_to(self.bot_dir))  # type: ignore[arg-type]
        found = [p for p in found if not p.name.endswith(".bak")]
        return found[0] if found else None

    def _cached(self, key: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._cache:
                self._cache[key] = make()
            return self._cache[key]

    # ------------------------------------------------------------ SQLite

    @contextmanager
    def read(self, path: Path) -> Iterator[sqlite3.Connection]:
        """A read-only connection holding one read transaction for the whole block."""
        try:
            con = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=5.0,
                                  isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise AuditError(f"{path}: cannot open read-only ({exc})") from exc
        try:
            con.execute("BEGIN")
            yield con
            con.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise AuditError(f"{path}: {exc}") from exc
        finally:
            con.close()

    def tables(self, path: Path) -> dict[str, list[str]]:
        """table -> column names of a database."""

        def make() -> dict[str, list[str]]:
            with self.read(path) as con:
                names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
                return {n: [c[1] for c in con.execute(f'PRAGMA table_info("{n}")').fetchall()] for n in names}

        out: dict[str, list[str]] = self._cached(f"tables:{path}", make)
        return out

    def users_db(self) -> tuple[Path, SchemaKind] | None:
        """public_users.db and its schema, or None when the home has none."""
        path = self.home / "public_users.db"
        if not path.is_file():
            return None
        return path, detect_schema(self.tables(path))

    # ------------------------------------------------------------ JSON state

    def json_list(self, role: Role) -> tuple[Path, list[dict[str, Any]]] | None:
        """positions.json / trade_history.json: the path and its records (None when absent)."""
        path = self.first(role, Kind.JSON)
        if path is None:
            return None
        records: list[dict[str, Any]] = self._cached(f"json:{path}", lambda: state_files.read_records(path))
        return path, records

    def intents(self) -> tuple[Path, dict[str, dict[str, Any]]] | None:
        """exit_intents.json keyed by intent id (a list is keyed by each item's id)."""
        path = self.first(Role.EXIT_INTENTS, Kind.JSON)
        if path is None:
            return None
        data: dict[str, dict[str, Any]] = self._cached(f"json:{path}", lambda: state_files.read_intents(path))
        return path, data

    def emergency_stop(self) -> tuple[Path, dict[str, Any]] | None:
        """emergency_stop.json as an object, or None when absent."""
        path = self.first(Role.EMERGENCY_STOP, Kind.JSON)
        if path is None:
            return None
        data: dict[str, Any] = self._cached(f"json:{path}", lambda: state_files.read_object(path))
        return path, data

    def in_window(self, when: datetime | None) -> bool:
        """Whether a record's time falls inside ``--since`` (a record without a time always does)."""
        return self.since is None or when is None or when >= self.since
