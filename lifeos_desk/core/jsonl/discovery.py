"""Finding the logs in the configured folders and grouping their parts.

A log is identified by its folder and base name. Its parts, oldest first:
gzipped archives (``archive/<name>-YYYY-MM-DD.jsonl.gz``), rotated siblings
(``<name>.<YYYYmmdd_HHMMSS>.jsonl`` from the audit trail,
``<name>-YYYY-MM-DD.jsonl`` from the structured logger), then the live
``<name>.jsonl``. Parts sort by the stamp in their name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .safeopen import check

_SIZE_ROTATED = re.compile(r"^(?P<name>.+)\.(?P<stamp>\d{8}_\d{6})\.jsonl(?P<gz>\.gz)?$")
_DAILY = re.compile(r"^(?P<name>.+)-(?P<stamp>\d{4}-\d{2}-\d{2})\.jsonl(?P<gz>\.gz)?$")
_LIVE = re.compile(r"^(?P<name>.+)\.jsonl(?P<gz>\.gz)?$")
ARCHIVE_DIR = "archive"


@dataclass(frozen=True)
class PartSpec:
    """One file of a log: ``kind`` is "archive", "rotated" or "live"; ``stamp`` sorts parts."""

    path: Path
    kind: str
    stamp: str


@dataclass
class LogSpec:
    """One log as a timeline of parts."""

    folder: Path
    name: str
    parts: list[PartSpec] = field(default_factory=list)
    #: The log folders a part may resolve into (links out of them are skipped); empty: just ``folder``.
    roots: tuple[Path, ...] = ()

    @property
    def allowed(self) -> tuple[Path, ...]:
        """Where this log's files may lie, links resolved."""
        return self.roots or (self.folder,)

    @property
    def key(self) -> tuple[str, str]:
        """Identity across rediscoveries."""
        return str(self.folder), self.name

    @property
    def live_path(self) -> Path:
        """Where the writer appends (may not exist yet)."""
        return self.folder / f"{self.name}.jsonl"


def classify(filename: str) -> tuple[str, str, bool] | None:
    """(log name, sortable stamp or "" for the live file, gzipped) of a log file name, else None."""
    for pattern in (_SIZE_ROTATED, _DAILY):
        match = pattern.match(filename)
        if match:
            stamp = re.sub(r"\D", "", match["stamp"])
            return match["name"], stamp.ljust(14, "0"), bool(match["gz"])
    match = _LIVE.match(filename)
    if match:
        return match["name"], "", bool(match["gz"])
    return None


def _files(folder: Path) -> Iterable[tuple[Path, bool]]:
    """(path, in archive/) for the folder's entries and its archive/ subfolder's, except folders.

    Links, FIFOs and devices are included: the caller names them as skipped.
    """
    for where, archived in ((folder, False), (folder / ARCHIVE_DIR, True)):
        try:
            entries = sorted(where.iterdir())
        except OSError:
            continue
        for path in entries:
            if path.name != ARCHIVE_DIR or archived:
                yield path, archived


def log_folders(logs: Iterable[Path], home: Path, bot_dir: Path | None = None) -> tuple[Path, ...]:
    """Every folder the viewer reads, configured ones first (docs/data-formats.md, 'Where things live').

    Besides the configured log folders: the home's ``logs/`` (the treasury's
    JSON-array ``audit.jsonl``) and, with a bot checkout, its ``logs/`` (the
    security audit trail) and ``data/audit/`` (the daily audit files).
    Folders that do not exist are kept: a log appearing there later is found.
    """
    extra = [home / "logs"]
    if bot_dir is not None:
        extra += [bot_dir / "logs", bot_dir / "data" / "audit"]
    return tuple(dict.fromkeys([*logs, *extra]))


def discover(folders: Iterable[Path], skipped: list[str] | None = None) -> list[LogSpec]:
    """Every log in the folders, in a stable order (folder, then name).

    Files named like logs that must not be read (a link out of the log folders,
    a FIFO, a device) are left out; why is appended to ``skipped``.
    """
    logs: dict[tuple[str, str], LogSpec] = {}
    roots = tuple(dict.fromkeys(folders))
    for folder in roots:
        for path, archived in _files(folder):
            found = classify(path.name)
            if found is None:
                continue
            reason = check(path, roots)
            if reason is not None:
                if skipped is not None:
                    skipped.append(reason)
                continue
            if path.is_dir():
                continue
            name, stamp, gz = found
            spec = logs.setdefault((str(folder), name), LogSpec(folder=folder, name=name, roots=roots))
            if stamp == "" and not gz and not archived:
                continue  # the live file is added below, existing or not
            spec.parts.append(PartSpec(path, "archive" if gz or archived else "rotated", stamp or "99999999999999"))
    for spec in logs.values():
        spec.parts.sort(key=lambda p: (p.stamp, p.kind != "archive", p.path.name))
        spec.parts.append(PartSpec(spec.live_path, "live", ""))
    return sorted(logs.values(), key=lambda s: (str(s.folder), s.name))
