"""Which live files the newest backup holds: "covered by a backup" for ``info`` and the Home area.

Covered means listed in the newest archive of the backups folder. A console
archive's manifest (core/archive/manifest.py) names each member's live
``source`` path; an archive the ADR script made has no manifest, so its member
names are mapped back the way restore maps them (docs/data-formats.md,
'Backups from the ADR script'): ``public_users.db`` and ``trading/…`` to the
home, ``<name>.jsonl`` to the first log folder, ``logs-<n>/…`` to the n-th,
and the whole-home layout's ``home/…`` and ``bot/…`` to the home and the bot
checkout.

The manifest is the archive's last member, so the archive is streamed once
(headers only, member data skipped unread); the answer is cached per archive
file (size and mtime), so polling it is cheap. Qt-free.
"""

from __future__ import annotations

import json
import tarfile
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from .archive.catalog import list_archives
from .archive.errors import ArchiveError
from .archive.gz import GZIP_ERRORS, open_reader
from .archive.layout import MANIFEST, STATE_DIRS
from .paths import DB_FILENAME, DataPaths

MAX_MANIFEST_BYTES = 16 << 20
_READ_ERRORS: tuple[type[Exception], ...] = (OSError, tarfile.TarError, ArchiveError, *GZIP_ERRORS)


@dataclass(frozen=True)
class Coverage:
    """The newest archive and the live files it holds (empty when there is no archive)."""

    archive: Path | None = None
    when: datetime | None = None
    sources: frozenset[Path] = frozenset()
    problem: str = ""  # why the archive could not be read, if it could not
    members: tuple[str, ...] = field(default=(), repr=False)

    def covers(self, path: Path) -> bool:
        """True when the newest archive holds this live file."""
        return path.absolute() in self.sources


_cache: dict[tuple[Path, int, int, DataPaths], Coverage] = {}
_lock = threading.Lock()


def newest_coverage(paths: DataPaths) -> Coverage:
    """What the newest archive in ``paths.backups`` covers (cached per archive file)."""
    archives = [a for a in list_archives(paths.backups) if a.when is not None]
    if not archives:
        return Coverage()
    newest = archives[0]
    try:
        st = newest.path.stat()
    except OSError as exc:
        return Coverage(newest.path, newest.when, problem=str(exc.strerror))
    key = (newest.path, st.st_size, st.st_mtime_ns, paths)
    with _lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    coverage = _read(newest.path, newest.when, paths)
    with _lock:
        _cache.clear()  # one archive is the newest at a time
        _cache[key] = coverage
    return coverage


def _read(archive: Path, when: datetime | None, paths: DataPaths) -> Coverage:
    names: list[str] = []
    manifest: dict[str, object] | None = None
    try:
        with open(archive, "rb") as raw, open_reader(raw) as gz, tarfile.open(fileobj=gz, mode="r|") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                names.append(member.name)
                if PurePosixPath(member.name).name == MANIFEST and len(PurePosixPath(member.name).parts) == 3 \
                        and member.size <= MAX_MANIFEST_BYTES:
                    manifest = _manifest(tar, member)
    except _READ_ERRORS as exc:
        return Coverage(archive, when, problem=f"{archive.name} could not be read: {exc}")
    sources = set(_sources(manifest)) | {p for p in (_live_path(n, paths) for n in names) if p is not None}
    return Coverage(archive, when, frozenset(sources), members=tuple(names))


def _manifest(tar: tarfile.TarFile, member: tarfile.TarInfo) -> dict[str, object] | None:
    f = tar.extractfile(member)
    if f is None:
        return None
    try:
        value = json.loads(f.read(MAX_MANIFEST_BYTES))
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _sources(manifest: dict[str, object] | None) -> list[Path]:
    items = manifest.get("members") if manifest else None
    if not isinstance(items, list):
        return []
    return [Path(m["source"]).absolute() for m in items
            if isinstance(m, dict) and isinstance(m.get("source"), str) and Path(m["source"]).is_absolute()]


def _live_path(name: str, paths: DataPaths) -> Path | None:
    """The live file a member name stands for (None for the manifest and names we do not map)."""
    parts = PurePosixPath(name).parts
    if len(parts) < 3 or parts[0] != "backups" or ".." in parts:
        return None
    rest = parts[2:]
    if rest == (DB_FILENAME,):
        return paths.db
    if rest[0] in STATE_DIRS:
        return paths.home.joinpath(*rest)
    if rest[0] == "home" and len(rest) > 1:
        return paths.home.joinpath(*rest[1:])
    if rest[0] == "bot" and len(rest) > 1:
        return paths.bot_dir.joinpath(*rest[1:]) if paths.bot_dir is not None else None
    if len(rest) == 1 and rest[0].endswith(".jsonl") and paths.logs:
        return paths.logs[0] / rest[0]
    if len(rest) == 2 and rest[0].startswith("logs-") and rest[0][5:].isdigit():
        index = int(rest[0][5:]) - 1
        return paths.logs[index] / rest[1] if 0 <= index < len(paths.logs) else None
    return None
