"""What a backup takes from the data home, besides the database.

As ADR-005's script: ``cp -r ~/.lifeos/trading`` and ``cp logs/*.jsonl``.
Also ``~/.lifeos/algorithms/`` (the deployed bot keeps its metrics there,
docs/data-formats.md, 'Where things live') and the ``*.jsonl`` of every configured log folder
(the deployed bot writes two: ``./logs`` and ``~/.lifeos/logs``). Only
regular files: a symlink is not followed (it could point anywhere).
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

from ..paths import DataPaths
from .layout import MAX_STATE_DEPTH, STATE_DIRS, archivable, log_rel


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
