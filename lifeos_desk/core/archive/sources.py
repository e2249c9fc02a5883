"""What a backup takes from the data home, besides the database.

As ADR-005's script: ``cp -r ~/.lifeos/trading`` and ``cp logs/*.jsonl``.
Also ``~/.lifeos/algorithms/`` (the deployed bot keeps its metrics there,
docs/data-formats.md, 'Where things live') and the ``*.jsonl`` of every configured log folder
(the deployed bot writes two: ``./logs`` and ``~/.lifeos/logs``). Only
regular files: a symlink is not followed (it could point anywhere).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..discovery import Kind as FoundKind
from ..discovery import Tree, discover
from ..paths import DataPaths
from .layout import MAX_STATE_DEPTH, STATE_DIRS, archivable, log_rel, store_archivable, store_rel


@dataclass(frozen=True)
class Source:
    """One file to archive: where it is, and its path under ``backups/<DATE>/``."""

    path: Path
    rel: str
    kind: str  # "state" or "log"
    log_folder: int = 0


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def state_files(home: Path) -> list[Source]:
    """Regular files under ``trading/`` and ``algorithms/``, sorted, at most MAX_STATE_DEPTH folders deep."""
    out: list[Source] = []
    for top in STATE_DIRS:
        root = home / top
        if not root.is_dir() or root.is_symlink():
            continue
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(home)
            if len(rel.parts) <= MAX_STATE_DEPTH + 1 and archivable(rel.as_posix()) and _regular(path):
                out.append(Source(path, rel.as_posix(), "state"))
    return out


def log_files(folders: tuple[Path, ...]) -> list[Source]:
    """``*.jsonl`` of each log folder (first folder flat, as the script; others under ``logs-<n>/``)."""
    out: list[Source] = []
    for index, folder in enumerate(folders, start=1):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.jsonl")):
            if _regular(path):
                out.append(Source(path, log_rel(index, path.name), "log", index))
    return out


def state_dirs(sources: list[Source]) -> list[str]:
    """Folder entries to write before the state files (``trading``, ``trading/sub`` ...)."""
    dirs: set[str] = set()
    for s in sources:
        parts = s.rel.split("/")[:-1]
        dirs.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(dirs)


def everything(paths: DataPaths, include_logs: bool) -> list[Source]:
    """State files, then logs (if asked)."""
    return state_files(paths.home) + (log_files(paths.logs) if include_logs else [])


@dataclass(frozen=True)
class StoreSource:
    """One store of the whole-home backup outside ADR-005's members: where it is, its member path, its kind."""

    path: Path
    rel: str  # home/<path> or bot/<path>
    sqlite: bool  # a database (by its header): snapshotted with the backup API, never copied as a file
    kind: str  # discovery's kind: sqlite, json, jsonl, keys, text-log, unknown


def whole_home(paths: DataPaths, covered: list[Source],
               no_open: tuple[Path, ...] = ()) -> tuple[list[StoreSource], list[str]]:
    """Every other store discovery finds under the home and the bot dir's state folders; and warnings.

    Discovery (``core/discovery.py``) already leaves out symlinks, FIFOs and
    other non-regular files, SQLite companions, ``.lock`` and ``.tmp`` files,
    the backups folder, and the bot's source code. Files ADR-005's members
    already hold (the database, ``trading/``, ``algorithms/``, the ``*.jsonl``
    of the log folders) are not archived twice.
    """
    # The bot's database is never read here (its header is known); nor any file the caller holds locked.
    found = discover(paths.home, paths.bot_dir, backups_dir=paths.backups, no_open={paths.db, *no_open})
    taken = {paths.db.absolute()} | {s.path.absolute() for s in covered}
    out: list[StoreSource] = []
    warnings = [f"more files than discovery lists (over {len(found.stores):,}): the rest are not in the archive"] \
        if found.truncated else []
    for store in found.stores:
        if store.path.absolute() in taken:
            continue
        root = paths.home if store.tree is Tree.HOME else paths.bot_dir
        assert root is not None
        rel = store.path.relative_to(root).as_posix()
        if not store_archivable(rel):
            warnings.append(f"{store.path}: a name the archive cannot hold; not archived")
            continue
        out.append(StoreSource(store.path, store_rel(store.tree.value, rel), store.kind is FoundKind.SQLITE,
                               store.kind.value))
    return out, warnings


_NOFOLLOW = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class NotRegular(Exception):
    """A listed file became a link, FIFO or device before it was opened."""


def open_regular(path: Path, nofollow: bool) -> Any:
    """Open for reading; with ``nofollow``, never through a link and never a FIFO's blocking open
    (docs/architecture.md, 'Symlinks and FIFOs'): the file discovery listed may have been swapped since."""
    if not nofollow:
        return open(path, "rb")
    try:
        fd = os.open(path, _NOFOLLOW)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise NotRegular() from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotRegular()
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")
