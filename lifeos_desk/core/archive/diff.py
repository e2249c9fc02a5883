"""What changed between two archives, or between an archive and the live home.

``lifeos-desk diff A [B]``. An archive is hostile input (docs/architecture.md,
'Archives are hostile input'): it is read with the same one-pass header
rules and caps as verify and restore (``extract.scan_archive``) into a
private temporary folder, deleted afterwards. The live home is read in
place, read-only: the database through a ``mode=ro`` connection
(``dbdiff.py``), state files and logs as regular files only (``sources.py``
admits no symlinks).

Per store: the database's tables (rows added, removed, changed, by key);
logs, which normally only grow (the old file is a prefix of the new:
"grew"), or were rewritten (their first bytes differ: rotated, truncated,
edited); state files, compared as JSON where both sides parse (keys added,
removed and changed, for objects keyed by id or lists of objects with an
``id``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..paths import DataPaths
from .dbdiff import TableDiff, diff_databases
from .errors import ArchiveError
from .extract import Scan, make_workdir, scan_archive
from .layout import Kind
from .limits import Limits
from .progress import EXTRACT, CancelFlag, Reporter, no_progress
from .sources import log_files, state_files

CHUNK = 1 << 20
FIRST_KEYS = 5
ID_FIELDS = ("id", "position_id", "intent_id", "trade_id", "mint", "token_mint")


@dataclass
class Side:
    """One side of a diff: its database file, state files and logs, by their archive names."""

    label: str
    database: Path | None
    states: dict[str, Path] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)
    scan: Scan | None = None

    def cleanup(self) -> None:
        """Delete an archive's temporary copy (nothing for the live home)."""
        if self.scan is not None:
            self.scan.cleanup()


def _keep(_name: object) -> bool:
    return True


def archive_side(archive: Path, cancel: CancelFlag | None = None, limits: Limits | None = None) -> Side:
    """Extract an archive (header rules, caps) into a private temporary folder."""
    if not archive.is_file():
        raise ArchiveError(f"no archive at {archive}")
    workdir = make_workdir(archive.parent)
    caps = (limits or Limits()).for_folder(workdir)
    reporter = Reporter(no_progress, cancel or CancelFlag(), EXTRACT, archive.stat().st_size)
    scan = scan_archive(archive, caps, reporter, _keep, workdir)
    side = Side(archive.name, None, scan=scan)
    for rel, member in scan.members.items():
        if member.path is None:
            continue
        if member.name.kind is Kind.DATABASE:
            side.database = member.path
        elif member.name.kind is Kind.STATE:
            side.states[rel] = member.path
        elif member.name.kind is Kind.LOG:
            side.logs[rel] = member.path
    return side


def live_side(paths: DataPaths) -> Side:
    """The live home, named as a backup would name its files."""
    side = Side(f"live home {paths.home}", paths.db if paths.db.is_file() else None)
    side.states = {s.rel: s.path for s in state_files(paths.home)}
    side.logs = {s.rel: s.path for s in log_files(paths.logs)}
    return side


@dataclass
class FileDiff:
    """A log or state file (status: same, added, removed, grew, rewritten, changed)."""

    name: str
    status: str
    size_a: int | None = None
    size_b: int | None = None
    detail: str = ""
    keys_added: list[str] = field(default_factory=list)
    keys_removed: list[str] = field(default_factory=list)
    keys_changed: list[str] = field(default_factory=list)


@dataclass
class DiffReport:
    """Everything that differs between A and B."""

    a: str
    b: str
    database: str = "compared"  # compared | only in A | only in B | in neither
    tables: list[TableDiff] = field(default_factory=list)
    logs: list[FileDiff] = field(default_factory=list)
    states: list[FileDiff] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        """Nothing differs."""
        return (self.database in ("compared", "in neither") and not any(t.differs for t in self.tables)
                and all(f.status == "same" for f in self.logs + self.states))

    def as_json(self) -> dict[str, Any]:
        """For ``lifeos-desk diff --json``."""
        return {"a": self.a, "b": self.b, "identical": self.identical, "database": self.database,
                "tables": [t.as_json() for t in self.tables], "logs": [asdict(f) for f in self.logs],
                "states": [asdict(f) for f in self.states]}


def _sha_and_size(path: Path, limit: int | None = None) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK if limit is None else min(CHUNK, limit - size)):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _count_lines(path: Path, start: int) -> int:
    lines = 0
    with open(path, "rb") as f:
        f.seek(start)
        while chunk := f.read(CHUNK):
            lines += chunk.count(b"\n")
    return lines


def diff_log(name: str, a: Path, b: Path) -> FileDiff:
    """Same, grew (A is a prefix of B: appended) or rewritten (the first bytes differ, or B is shorter)."""
    size_a, size_b = a.stat().st_size, b.stat().st_size
    out = FileDiff(name, "same", size_a, size_b)
    if size_b >= size_a and _sha_and_size(a)[0] == _sha_and_size(b, size_a)[0]:
        if size_b > size_a:
            out.status = "grew"
            out.detail = f"+{size_b - size_a:,} bytes, +{_count_lines(b, size_a):,} lines appended"
        return out
    out.status = "rewritten"
    out.detail = "shorter: truncated or rotated" if size_b < size_a else "its first bytes differ: rewritten or edited"
    return out


def _load_json(path: Path, limit: int) -> Any:
    if path.stat().st_size > limit:
        return None
    try:
        return json.loads(path.read_bytes())
    except (ValueError, RecursionError):
        return None


def _keyed(value: Any) -> dict[str, Any] | None:
    """An object by its keys, or a list of objects by their id field; None for anything else."""
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for id_field in ID_FIELDS:
            ids = [str(v.get(id_field)) for v in value if v.get(id_field) is not None]
            if len(ids) == len(value) and len(set(ids)) == len(ids):
                return {i: v for i, v in zip(ids, value, strict=True)}
    return None


def diff_state(name: str, a: Path, b: Path, limit: int) -> FileDiff:
    """Same bytes, or changed: JSON keys added/removed/changed where both sides parse as keyed JSON."""
    sha_a, size_a = _sha_and_size(a)
    sha_b, size_b = _sha_and_size(b)
    out = FileDiff(name, "same", size_a, size_b)
    if sha_a == sha_b:
        return out
    out.status = "changed"
    old, new = _keyed(_load_json(a, limit)), _keyed(_load_json(b, limit))
    if old is None or new is None:
        out.detail = "the bytes differ (not JSON keyed by id on both sides)"
        return out
    out.keys_added = sorted(k for k in new if k not in old)
    out.keys_removed = sorted(k for k in old if k not in new)
    out.keys_changed = sorted(k for k in old if k in new and old[k] != new[k])
    parts = [f"{len(v)} {w}" for v, w in ((out.keys_added, "added"), (out.keys_removed, "removed"),
                                          (out.keys_changed, "changed")) if v]
    out.detail = "keys " + ", ".join(parts) if parts else "same JSON, different bytes (formatting)"
    return out


def _files(a: dict[str, Path], b: dict[str, Path], one: Any) -> list[FileDiff]:
    out = []
    for name in sorted(set(a) | set(b)):
        if name not in b:
            out.append(FileDiff(name, "removed", size_a=a[name].stat().st_size))
        elif name not in a:
            out.append(FileDiff(name, "added", size_b=b[name].stat().st_size))
        else:
            out.append(one(name, a[name], b[name]))
    return out


def diff_sides(a: Side, b: Side, limits: Limits | None = None) -> DiffReport:
    """Compare two loaded sides. Raises sqlite3.Error or OSError when a file cannot be read."""
    cap = (limits or Limits()).max_state_file_bytes
    report = DiffReport(a.label, b.label)
    if a.database is not None and b.database is not None:
        report.tables = diff_databases(a.database, b.database)
    else:
        report.database = {(True, False): "only in A", (False, True): "only in B"}.get(
            (a.database is not None, b.database is not None), "in neither")
    report.logs = _files(a.logs, b.logs, diff_log)
    report.states = _files(a.states, b.states, lambda n, x, y: diff_state(n, x, y, cap))
    return report


def diff_archives(a: Path, b: Path | None, paths: DataPaths, cancel: CancelFlag | None = None) -> DiffReport:
    """``diff A B`` (two archives) or ``diff A`` (B: the live home); temporary copies always removed."""
    sides: list[Side] = []
    try:
        sides.append(archive_side(a, cancel))
        sides.append(archive_side(b, cancel) if b is not None else live_side(paths))
        return diff_sides(sides[0], sides[1])
    finally:
        for side in sides:
            side.cleanup()


def summary_lines(report: DiffReport) -> list[str]:
    """The text ``lifeos-desk diff`` prints."""
    lines = [f"A: {report.a}", f"B: {report.b}"]
    if report.database != "compared":
        lines.append(f"database: {report.database}")
    for t in report.tables:
        if t.status in ("added", "removed"):
            lines.append(f"table {t.table}: {t.status} ({max(t.rows_a, t.rows_b):,} rows)")
        elif t.differs:
            lines.append(f"table {t.table} (by {', '.join(t.key)}): {t.rows_a:,} -> {t.rows_b:,} rows")
            for what, n, keys in (("added", t.added, t.added_keys), ("removed", t.removed, t.removed_keys),
                                  ("changed", t.changed, t.changed_keys)):
                if n:
                    more = ", …" if n > len(keys) else ""
                    lines.append(f"  {n:,} {what}: {', '.join(map(str, keys))}{more}")
            for what, cols in (("columns added", t.columns_added), ("columns removed", t.columns_removed)):
                if cols:
                    lines.append(f"  {what}: {', '.join(cols)}")
    for kind, files in (("log", report.logs), ("state", report.states)):
        for f in files:
            if f.status != "same":
                lines.append(f"{kind} {f.name}: {f.status}" + (f" ({f.detail})" if f.detail else ""))
                lines += _key_lines(f)
    lines.append("identical" if report.identical else "differences found")
    return lines


def _key_lines(f: FileDiff) -> list[str]:
    out = []
    for what, keys in (("added", f.keys_added), ("removed", f.keys_removed), ("changed", f.keys_changed)):
        if keys:
            more = ", …" if len(keys) > FIRST_KEYS else ""
            out.append(f"  keys {what}: {', '.join(keys[:FIRST_KEYS])}{more}")
    return out


__all__ = ["DiffReport", "FileDiff", "Side", "archive_side", "diff_archives", "diff_sides", "live_side",
           "summary_lines"]
