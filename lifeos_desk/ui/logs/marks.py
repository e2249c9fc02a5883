"""Bookmarks on log lines and saved filters, remembered in the app's State (never in the data home).

A bookmark names a file and a line in it (``/…/audit.jsonl`` line 1,204), so
it survives reopening the window and rediscovery, and points at the same line
whichever view (one log, merged, filtered) shows it. Saved filters are the
filter bar's inputs under a name. Both are plain JSON in ``state.json``.
"""

from __future__ import annotations

from typing import Any, Protocol

BOOKMARKS_KEY = "log_bookmarks"
FILTERS_KEY = "log_saved_filters"
#: Bookmarks kept per file (the oldest go first beyond this).
MAX_PER_FILE = 1000


class StateLike(Protocol):
    """What is used of ``core.settings.State``."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...


class MemoryState:
    """A State stand-in for an area built without one (nothing is remembered)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        """A stored value."""
        return self.values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        """Store a value."""
        self.values[key] = value


class Bookmarks:
    """Lines marked per file: ``{path: [line, …]}`` (1-based lines, ascending)."""

    def __init__(self, state: StateLike) -> None:
        self.state = state
        raw = state.get(BOOKMARKS_KEY, {})
        self.marks: dict[str, set[int]] = {}
        if isinstance(raw, dict):
            for path, lines in raw.items():
                if isinstance(path, str) and isinstance(lines, list):
                    self.marks[path] = {n for n in lines if isinstance(n, int) and n > 0}

    def __bool__(self) -> bool:
        return any(self.marks.values())

    def has(self, path: str, line: int) -> bool:
        """True when that line of that file is bookmarked."""
        lines = self.marks.get(path)
        return lines is not None and line in lines

    def toggle(self, path: str, line: int) -> bool:
        """Mark or unmark a line; True when it is now marked. Saved at once."""
        lines = self.marks.setdefault(path, set())
        on = line not in lines
        lines.add(line) if on else lines.discard(line)
        if len(lines) > MAX_PER_FILE:
            lines.discard(min(lines))
        self._save()
        return on

    def lines(self, path: str) -> list[int]:
        """The marked lines of a file, ascending."""
        return sorted(self.marks.get(path, ()))

    def _save(self) -> None:
        self.state.set(BOOKMARKS_KEY, {p: sorted(v) for p, v in self.marks.items() if v})


FILTER_FIELDS = ("text", "event", "level", "actor", "since", "until")


class SavedFilters:
    """Named filter-bar inputs: ``{name: {text, event, level, actor, since, until}}``."""

    def __init__(self, state: StateLike) -> None:
        self.state = state

    def all(self) -> dict[str, dict[str, str]]:
        """Every saved filter, by name (sorted)."""
        raw = self.state.get(FILTERS_KEY, {})
        if not isinstance(raw, dict):
            return {}
        out: dict[str, dict[str, str]] = {}
        for name, fields in sorted(raw.items()):
            if isinstance(name, str) and isinstance(fields, dict):
                out[name] = {k: str(fields.get(k, "")) for k in FILTER_FIELDS}
        return out

    def save(self, name: str, fields: dict[str, str]) -> None:
        """Store (or replace) a filter under ``name``."""
        every = self.all()
        every[name] = {k: fields.get(k, "") for k in FILTER_FIELDS}
        self.state.set(FILTERS_KEY, every)

    def remove(self, name: str) -> None:
        """Forget a filter."""
        every = self.all()
        every.pop(name, None)
        self.state.set(FILTERS_KEY, every)
