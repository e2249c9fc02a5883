"""Archive names and member names: what the ADR script writes, and what we accept.

ADR-005's ``scripts/backup.sh`` runs ``tar -czf backups/$DATE.tar.gz
backups/$DATE`` from the bot's working directory, so every member sits under
``backups/<DATE>/``. The console writes the same names (so ``tar -xzf`` and
existing habits keep working) and reads only names of these shapes.

The whole-home backup (docs/architecture.md, 'Online backup in one step')
adds every other store under two prefixes: ``home/<path relative to the
home>`` and ``bot/<path relative to the bot checkout>``. Their parts may
start with a dot (``.env``, ``bots/treasury/.wallets``) but never be ``.``
or ``..``, nor end like the console's own temporary files; logs among them
(``*.jsonl``, ``*.log``, rotated ``*.log.N`` and ``*.gz``) are ``STORE_LOG``
and are never overwritten by a restore.

A PostgreSQL session's backup (issue 16) adds ``postgresql/<db>.dump``, the
database as ``pg_dump --format=custom`` wrote it (``PGDUMP``, one file
directly under ``postgresql/``; ``pgmember.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from ..paths import DB_FILENAME

DATE_FORMAT = "%Y%m%d_%H%M%S"
# ASCII digits only: ``\d`` also matches digits of other scripts, which strptime then misreads or refuses.
DATE_RE = re.compile(r"^[0-9]{8}_[0-9]{6}$")
ARCHIVE_RE = re.compile(r"^([0-9]{8}_[0-9]{6})\.tar\.gz$")
MANIFEST = "manifest.json"
STATE_DIRS = ("trading", "algorithms")
EXTRA_LOG_DIR_RE = re.compile(r"^logs-([2-9]|[1-9]\d)$")
_SAFE_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")
MAX_STATE_DEPTH = 4
TREES = ("home", "bot")
MAX_STORE_DEPTH = 8  # parts below home/ or bot/ (discovery walks 6 folders deep)
_STORE_PART = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9._-]{0,127}$")
# The console's own temporary names (a restore's staged copies, kept originals, partial archives).
_OWN_TEMP = re.compile(r"\.(restore|orig|partial|claim|tmp|lock)$")
_STORE_LOG = re.compile(r"(\.jsonl|\.log|\.log\.\d+|\.gz)$")
PG_DIR = "postgresql"
PG_SUFFIX = ".dump"
PG_SECTION = "postgresql"  # the manifest's section describing the dumps (manifest.py)


class Kind(Enum):
    """What a member is, by its name."""

    DIR = "dir"
    DATABASE = "database"
    MANIFEST = "manifest"
    STATE = "state"
    LOG = "log"
    STORE = "store"  # home/... or bot/...: a database, state or key file (a database by its header)
    STORE_LOG = "store-log"  # home/... or bot/...: a log, never overwritten
    PGDUMP = "pgdump"  # postgresql/<db>.dump: pg_dump --format=custom of a PostgreSQL database


@dataclass(frozen=True)
class MemberName:
    """A parsed, accepted member name.

    ``rel`` is the path under ``backups/<DATE>/`` (e.g. ``trading/positions.json``);
    ``log_folder`` is 1 for the first log folder, n for ``logs-<n>/``.
    """

    date: str
    kind: Kind
    rel: str
    log_folder: int = 0

    @property
    def tree(self) -> str:
        """``home`` or ``bot`` for a whole-home store, else empty."""
        return self.rel.split("/", 1)[0] if self.kind in (Kind.STORE, Kind.STORE_LOG) else ""

    @property
    def tree_rel(self) -> str:
        """The path below ``home/`` or ``bot/``."""
        return self.rel.split("/", 1)[1] if self.tree else self.rel


def archive_name(date: str) -> str:
    """``<DATE>.tar.gz``."""
    return f"{date}.tar.gz"


def parse_date(date: str) -> datetime | None:
    """The time a DATE names, or None when it is not ``YYYYmmdd_HHMMSS`` of a real date in ASCII digits."""
    if not DATE_RE.match(date):
        return None
    try:
        return datetime.strptime(date, DATE_FORMAT)
    except ValueError:  # 20261340_000000: month 13, day 40
        return None


def date_of(archive_filename: str) -> str | None:
    """The DATE of an archive file name of the ADR's shape naming a real date, or None."""
    m = ARCHIVE_RE.match(archive_filename)
    return m.group(1) if m and parse_date(m.group(1)) else None


def date_stamp(when: datetime) -> str:
    """``YYYYmmdd_HHMMSS`` as the ADR script's ``date +%Y%m%d_%H%M%S`` (local time)."""
    return when.strftime(DATE_FORMAT)


def member_path(date: str, rel: str) -> str:
    """The full member name of ``rel`` in an archive of ``date``."""
    return f"backups/{date}/{rel}" if rel else f"backups/{date}"


def log_rel(folder_index: int, name: str) -> str:
    """Member path (under the DATE folder) of a log from log folder ``folder_index`` (1-based)."""
    return name if folder_index == 1 else f"logs-{folder_index}/{name}"


def _safe_parts(parts: list[str]) -> bool:
    return all(_SAFE_PART.match(p) and p not in (".", "..") for p in parts)


def _store_parts(parts: list[str]) -> bool:
    return all(_STORE_PART.match(p) and p not in (".", "..") for p in parts) and not _OWN_TEMP.search(parts[-1])


def store_archivable(rel: str) -> bool:
    """Whether a path below the home or the bot dir is one the reader accepts under ``home/``/``bot/``."""
    parts = rel.split("/")
    return 1 <= len(parts) <= MAX_STORE_DEPTH and _store_parts(parts)


def store_rel(tree: str, rel: str) -> str:
    """Member path (under the DATE folder) of a whole-home store: ``home/<rel>`` or ``bot/<rel>``."""
    return f"{tree}/{rel}"


def pgdump_rel(dbname: str) -> str:
    """Member path (under the DATE folder) of a PostgreSQL dump: ``postgresql/<db>.dump``.

    Characters outside the member-name rules become ``_`` (the manifest keeps the real name).
    """
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", dbname)[:120] or "database"
    if not re.match(r"[A-Za-z0-9_]", safe):
        safe = "_" + safe[:119]
    return f"{PG_DIR}/{safe}{PG_SUFFIX}"


def archivable(rel: str) -> bool:
    """Whether a state file's path is one the reader accepts (dot-files, e.g. a restore's staged
    ``.positions.json.<pid>.restore``, are not: an archive holding one would be refused)."""
    return _safe_parts(rel.split("/"))


def parse_member(name: str, is_dir: bool) -> MemberName | None:
    """Classify an archive member name; None when it is not one we accept.

    Refused: absolute names, ``..`` or ``.`` parts, empty parts, characters
    outside ``[A-Za-z0-9._-]``, names outside ``backups/<DATE>/``, and files
    that are neither the database, the manifest, a state file under
    ``trading/`` or ``algorithms/`` nor a ``*.jsonl`` log.
    """
    stripped = name[:-1] if is_dir and name.endswith("/") else name
    parts = stripped.split("/")
    if len(parts) < 1 or parts[0] != "backups":
        return None
    if len(parts) == 1:
        return MemberName("", Kind.DIR, "") if is_dir else None
    date, rest = parts[1], parts[2:]
    if parse_date(date) is None:
        return None
    if rest and rest[0] in TREES:
        return _parse_store(date, rest, is_dir)
    if not _safe_parts(rest):
        return None
    if is_dir:
        return _parse_dir(date, rest)
    return _parse_file(date, rest)


def _parse_dir(date: str, rest: list[str]) -> MemberName | None:
    if not rest:
        return MemberName(date, Kind.DIR, "")
    if rest[0] in STATE_DIRS and len(rest) <= MAX_STATE_DEPTH:
        return MemberName(date, Kind.DIR, "/".join(rest))
    if len(rest) == 1 and (EXTRA_LOG_DIR_RE.match(rest[0]) or rest[0] == PG_DIR):
        return MemberName(date, Kind.DIR, rest[0])
    return None


def _parse_file(date: str, rest: list[str]) -> MemberName | None:
    rel = "/".join(rest)
    if not rest:
        return None
    if len(rest) == 1:
        leaf = rest[0]
        if leaf == DB_FILENAME:
            return MemberName(date, Kind.DATABASE, rel)
        if leaf == MANIFEST:
            return MemberName(date, Kind.MANIFEST, rel)
        if leaf.endswith(".jsonl"):
            return MemberName(date, Kind.LOG, rel, log_folder=1)
        return None
    if rest[0] in STATE_DIRS and len(rest) <= MAX_STATE_DEPTH + 1:
        return MemberName(date, Kind.STATE, rel)
    if rest[0] == PG_DIR and len(rest) == 2 and rest[1].endswith(PG_SUFFIX) and len(rest[1]) > len(PG_SUFFIX):
        return MemberName(date, Kind.PGDUMP, rel)
    m = EXTRA_LOG_DIR_RE.match(rest[0])
    if m and len(rest) == 2 and rest[1].endswith(".jsonl"):
        return MemberName(date, Kind.LOG, rel, log_folder=int(m.group(1)))
    return None


def _parse_store(date: str, rest: list[str], is_dir: bool) -> MemberName | None:
    """``home/...`` and ``bot/...``: bounded depth, safe parts, no names of our own temporary files."""
    below = rest[1:]
    if is_dir:
        if len(below) >= MAX_STORE_DEPTH or (below and not _store_parts(below)):
            return None
        return MemberName(date, Kind.DIR, "/".join(rest))
    if not below or len(below) > MAX_STORE_DEPTH or not _store_parts(below):
        return None
    kind = Kind.STORE_LOG if _STORE_LOG.search(below[-1]) else Kind.STORE
    return MemberName(date, kind, "/".join(rest))
