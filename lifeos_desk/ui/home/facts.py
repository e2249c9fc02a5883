"""What the Home area says about the stores, in words: Qt-free so it is tested without a screen.

Grouping (tree, then kind), freshness ("written 3 s ago"), the risks an admin
should read plainly, and the summary line on top.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ...core.coverage import Coverage
from ...core.discovery import FoundStore, Risk, Tree
from ...core.stores import StoreKind

NOT_BACKED_UP = "not in any backup"
KIND_TITLES = {
    StoreKind.SQLITE: "SQLite databases",
    StoreKind.JSON: "JSON state",
    StoreKind.JSONL: "JSONL logs",
    StoreKind.KEYS: "Keys and secrets",
    StoreKind.TEXT_LOG: "Text logs",
    StoreKind.UNKNOWN: "Other files (not recognised)",
}
KIND_ORDER = tuple(KIND_TITLES)
TREE_TITLES = {Tree.HOME: "LifeOS home", Tree.BOT: "Bot checkout"}
# The order risks are read in: the one that loses money first.
_RISK_ORDER = (Risk.PLAINTEXT_SECRET, Risk.WORLD_READABLE, Risk.NOT_ATOMIC)


@dataclass(frozen=True)
class StoreFacts:
    """One store with what the Home area shows beside it."""

    store: FoundStore
    covered: bool

    @property
    def risks(self) -> list[str]:
        """Every risk in words, worst first; "not in any backup" last."""
        words = [r.value for r in _RISK_ORDER if r in self.store.risks]
        return words + ([] if self.covered else [NOT_BACKED_UP])


def facts_of(stores: Iterable[FoundStore], coverage: Coverage) -> list[StoreFacts]:
    """Each store with its coverage by the newest archive."""
    return [StoreFacts(s, coverage.covers(s.path)) for s in stores]


def grouped(facts: list[StoreFacts]) -> list[tuple[Tree, list[tuple[StoreKind, list[StoreFacts]]]]]:
    """(tree, [(kind, stores)]) in a fixed order, empty groups left out."""
    out = []
    for tree in (Tree.HOME, Tree.BOT):
        kinds = []
        for kind in KIND_ORDER:
            items = [f for f in facts if f.store.tree is tree and f.store.kind is kind]
            if items:
                kinds.append((kind, sorted(items, key=lambda f: (f.store.role is None, str(f.store.path)))))
        if kinds:
            out.append((tree, kinds))
    return out


def journal_text(store: FoundStore, open_modes: Mapping[Path, str]) -> str:
    """The Journal column: what ``PRAGMA journal_mode`` answers, as the status bar says it.

    A database the session has open answers through its own connection
    (``open_modes``, the status bar's figure, so a switch to WAL shows at
    once); any other takes discovery's word from its header, which names the
    mode a fresh connection would answer (docs/data-formats.md, 'Other SQLite
    stores'). Only SQLite files have a journal.
    """
    if store.kind is not StoreKind.SQLITE:
        return ""
    mode = open_modes.get(store.path) or store.journal or "unknown"
    return "wal (-wal present)" if mode == "wal" and store.has_wal else mode


def ago(seconds: float) -> str:
    """``written 3 s ago``, ``… 5 min ago``, ``… 2 h ago``, ``… 4 days ago`` (a clock behind the file: ``just now``)."""
    s = max(0, int(seconds))
    if s < 60:
        return "written just now" if s < 1 else f"written {s} s ago"
    if s < 3600:
        return f"written {s // 60} min ago"
    if s < 86400 * 2:
        return f"written {s // 3600} h ago"
    return f"written {s // 86400} days ago"


def size_text(size: int) -> str:
    """``512 B``, ``44.0 KB``, ``1.2 MB``, ``3.4 GB``."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def summary(facts: list[StoreFacts], coverage: Coverage, now: datetime, truncated: bool = False) -> str:
    """The line on top: N stores, M at risk, the last backup and when."""
    n, at_risk = len(facts), sum(bool(f.risks) for f in facts)
    parts = [f"{n} store{'s' * (n != 1)}", f"{at_risk} at risk"]
    if coverage.archive is None:
        parts.append("no backup yet")
    elif coverage.problem:
        parts.append(f"last backup unreadable ({coverage.archive.name})")
    else:
        when = coverage.when
        age = ago((now - when).total_seconds()).replace("written ", "") if when is not None else "at an unknown time"
        covered = sum(f.covered for f in facts)
        parts.append(f"last backup {coverage.archive.name}, {age}, holds {covered} of them")
    if truncated:
        parts.append("the walk stopped at its file limit: some files are not listed")
    return " · ".join(parts)
