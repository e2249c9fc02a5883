"""What a restore can put back, store by store, and which of them the admin picked.

A whole-home archive holds, besides ADR-005's members, every other store
under ``home/`` and ``bot/`` (``layout.py``). Each becomes a ``StoreAction``:
a database (its copy starts with the SQLite header) goes back into its live
file under its write lock (``apply.py``, ``multilock.py``); a state or key
file is replaced atomically (staged beside it, one rename; mode 0600); a
log is never overwritten (the log rule of ``restore.py``).

``restore ARCHIVE --only PATH...`` and the preview's checkboxes pick a
subset; a path is named as the admin sees it: the live absolute path, or the
member name (``backups/<DATE>/home/fees.db``, ``home/fees.db``,
``public_users.db``, ``trading/exit_intents.json``). Anything not picked is
left byte-identical.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..paths import DataPaths
from .errors import ArchiveError
from .extract import Scan, ScannedMember
from .layout import Kind, MemberName

SQLITE_MAGIC = b"SQLite format 3\x00"
DATABASE = "database"
FILE = "file"
LOG = "log"


@dataclass
class StoreAction:
    """One ``home/``/``bot/`` member and what restoring it does."""

    member: str  # rel under backups/<DATE>/, e.g. home/fees.db
    target: Path | None  # None: a bot/ member while no bot dir is given
    kind: str  # DATABASE | FILE | LOG
    action: str  # replace | create | unchanged | keep | beside | restore | skipped (...)
    selected: bool = True

    def as_json(self) -> dict[str, Any]:
        """For the preview."""
        return {"member": self.member, "target": str(self.target) if self.target else None, "kind": self.kind,
                "action": self.action, "selected": self.selected}


def store_target(paths: DataPaths, name: MemberName) -> Path | None:
    """Where a ``home/``/``bot/`` member belongs now; None for ``bot/`` without a bot dir."""
    if name.tree == "home":
        return paths.home / name.tree_rel
    if name.tree == "bot" and paths.bot_dir is not None:
        return paths.bot_dir / name.tree_rel
    return None


def is_sqlite(path: Path | None) -> bool:
    """Whether a file starts with the SQLite header (how a member is known to be a database)."""
    if path is None:
        return False
    try:
        with open(path, "rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def _same_file(path: Path, member: ScannedMember) -> bool:
    from .restore import _sha_prefix

    try:
        return path.is_file() and path.stat().st_size == member.size and _sha_prefix(path, member.size) == member.sha256
    except OSError:
        return False


def plan_store(paths: DataPaths, member: ScannedMember) -> StoreAction:
    """The action for one ``home/``/``bot/`` member (logs follow the log rule, decided by content)."""
    from .restore import plan_log_at

    rel = member.name.rel
    target = store_target(paths, member.name)
    if target is None:
        return StoreAction(rel, None, FILE, "skipped (no bot dir given: --bot-dir)", selected=False)
    if member.name.kind is Kind.STORE_LOG:
        return StoreAction(rel, target, LOG, plan_log_at(target, member).action)
    if is_sqlite(member.path):  # by its header: a manifest is a claim (docs/architecture.md)
        return StoreAction(rel, target, DATABASE, "replace" if target.exists() else "create")
    if _same_file(target, member):
        return StoreAction(rel, target, FILE, "unchanged")
    return StoreAction(rel, target, FILE, "replace" if target.exists() else "create")


def plan_stores(paths: DataPaths, scan: Scan) -> list[StoreAction]:
    """Every ``home/``/``bot/`` member of the archive, in archive order."""
    return [plan_store(paths, m) for m in scan.members.values()
            if m.name.kind in (Kind.STORE, Kind.STORE_LOG)]


def _norm(path: str) -> str:
    return os.path.normpath(os.path.abspath(os.path.expanduser(path)))


@dataclass(frozen=True)
class Pickable:
    """One thing the admin can pick: its member name and where it goes."""

    member: str
    target: Path


def resolve_picks(names: list[str], pickables: list[Pickable], date: str) -> set[str]:
    """Member rels named by ``names`` (live absolute paths or member names); raises for a name not in the archive."""
    by_member = {p.member: p.member for p in pickables}
    by_target = {_norm(str(p.target)): p.member for p in pickables}
    prefix = f"backups/{date}/"
    out: set[str] = set()
    unknown = []
    for raw in names:
        name = raw.strip()
        rel = name[len(prefix):] if name.startswith(prefix) else name
        if rel in by_member:
            out.add(by_member[rel])
        elif os.path.isabs(os.path.expanduser(name)) and _norm(name) in by_target:
            out.add(by_target[_norm(name)])
        else:
            unknown.append(raw)
    if unknown:
        raise ArchiveError("refused: not in the archive (or not restorable here): " + ", ".join(unknown)
                           + "; name a live path or a member as the preview lists them; nothing was changed")
    return out


__all__ = ["DATABASE", "FILE", "LOG", "Pickable", "StoreAction", "is_sqlite", "plan_stores", "resolve_picks",
           "store_target"]
