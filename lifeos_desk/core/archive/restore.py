"""Restoring an archive: read and check it all first, show what changes, then apply all or nothing.

Order, so that a refused archive changes nothing and an accepted one loses nothing
(docs/architecture.md, "Backup and restore"):

1. ``prepare_restore``: the whole archive is read into a private temporary
   folder under the header rules of ``extract.py`` and checked as by verify:
   manifest, SHA-256s and the database's own full ``integrity_check`` - the
   manifest's "integrity_check: ok" is a claim, not a proof (a database whose
   index disagrees with its table matches its SHA-256 all the same). A
   refused or damaged archive stops here, with the data home untouched. The
   preview compares it with now: rows, state files, logs, the schema objects
   that differ (restoring those needs explicit acceptance) and how long the
   bot's writes will wait.
2. ``apply_restore`` (after the admin's confirmation, ``apply.py``): every
   file staged and every target checked, then the live database's write
   lock taken (bounded, cancellable), the safety backup made under it, the
   database copied in inside that one transaction, the files put in place,
   COMMIT; a failure before COMMIT puts everything back. Logs are history:
   a current log whose beginning equals the archived log is kept as it is;
   otherwise the archived copy is written beside it as
   ``<name>.restored-<DATE>.jsonl`` (a missing log is restored under its own
   name). Nothing is overwritten. A ``backup_restored`` entry is appended to
   the audit log.

A whole-home archive's other stores (``home/``, ``bot/``) are planned by
``picks.py``; ``RestorePlan.pick`` limits the restore to the stores the
admin named (``--only``, the preview's checkboxes) and leaves the rest alone.
A PostgreSQL dump member is never written anywhere: the preview names the
``pg_restore`` command that restores it (pgverify.py), and an archive with
a dump and no ``public_users.db`` is refused with that command.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..paths import DataPaths
from .errors import ArchiveError
from .extract import Scan, ScannedMember
from .layout import Kind, MemberName, member_path
from .limits import Limits
from .make import BackupResult
from .pgverify import dump_notes, refusal
from .picks import DATABASE, Pickable, StoreAction, plan_stores, resolve_picks, store_target
from .progress import EXTRACT, CancelFlag, ProgressFn, no_progress
from .schemadiff import copy_objects, live_objects, schema_changes
from .snapshot import DbFacts, live_counts
from .stage import Staged, check_target, split_log_name
from .verify import read_checked

CHUNK = 1 << 20
SAFETY_RATE = 70e6  # bytes/s of live database: snapshot, level-1 compression, quick_check (60 MB: 0.5-0.9 s)
COPY_RATE = 17e6  # bytes/s of archived database: the logical copy and its commit (60 MB: 3.1-3.4 s)


@dataclass
class LogAction:
    """What happens to one archived log."""

    member: str
    target: Path
    action: str  # "keep" | "beside" | "restore"
    written: Path | None = None
    staged: Staged | None = field(default=None, repr=False)  # while the restore is applied (apply.py)

    def as_json(self) -> dict[str, Any]:
        """For the preview."""
        return {"member": self.member, "target": str(self.target), "action": self.action,
                "written": str(self.written) if self.written else None}


@dataclass
class RestorePlan:
    """A checked archive in a temporary folder, and what restoring it would change."""

    archive: Path
    paths: DataPaths
    scan: Scan
    db: DbFacts
    tables: list[dict[str, Any]]
    schema_now: str
    state: list[dict[str, str]]
    logs: list[LogAction]
    schema: list[dict[str, Any]] = field(default_factory=list)  # objects that differ (schemadiff.py)
    lock_seconds: float = 0.0  # estimated wait of the bot's writes (lock_estimate)
    stores: list[StoreAction] = field(default_factory=list)  # home/ and bot/ members (picks.py)
    picked: set[str] | None = None  # member rels the admin picked; None: everything

    def wants(self, rel: str) -> bool:
        """Whether the member ``rel`` (under backups/<DATE>/) is to be restored."""
        return self.picked is None or rel in self.picked

    def pickables(self) -> list[Pickable]:
        """Everything the admin can pick, by member name and live path."""
        out = [Pickable("public_users.db", self.paths.db)]
        out += [Pickable(m.name.rel, self.paths.home / m.name.rel) for m in self.scan.members.values()
                if m.name.kind is Kind.STATE]
        out += [Pickable(a.member.split("/", 2)[2], a.target) for a in self.logs]
        out += [Pickable(s.member, s.target) for s in self.stores if s.target is not None]
        return out

    def pick(self, names: list[str]) -> None:
        """Restore only the named stores (live paths or member names); raises ArchiveError for an unknown one."""
        self.picked = resolve_picks(names, self.pickables(), self.scan.date)
        for s in self.stores:
            s.selected = s.target is not None and s.member in self.picked
        self.schema = [c for c in self.schema if self.wants(c.get("database", "public_users.db"))]

    @property
    def db_wanted(self) -> bool:
        """Whether the main database is restored."""
        return self.wants("public_users.db")

    def preview(self) -> dict[str, Any]:
        """Rows now vs in the archive, state files and logs: what the admin confirms."""
        return {"archive": str(self.archive), "date": self.scan.date,
                "origin": "console" if self.scan.console_made else "script",
                "schema_archive": self.db.schema.value, "schema_now": self.schema_now,
                "tables": self.tables, "state_files": self.state, "logs": [a.as_json() for a in self.logs],
                "database": str(self.paths.db), "schema_changes": self.schema, "lock_seconds": self.lock_seconds,
                "stores": [s.as_json() for s in self.stores], "postgresql": dump_notes(self.scan),
                "picked": sorted(self.picked) if self.picked is not None else None,
                "pickable": [{"member": p.member, "target": str(p.target)} for p in self.pickables()]}

    def discard(self) -> None:
        """Delete the temporary folder."""
        self.scan.cleanup()

    def __enter__(self) -> RestorePlan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


@dataclass
class RestoreResult:
    """What a restore did."""

    archive: Path
    safety: BackupResult | None
    state_written: list[str] = field(default_factory=list)
    logs: list[LogAction] = field(default_factory=list)
    quick_check: str = ""
    warnings: list[str] = field(default_factory=list)
    databases: dict[str, str] = field(default_factory=dict)  # live path -> quick_check, every database written

    def as_json(self) -> dict[str, Any]:
        """For ``--json-progress`` and the window."""
        return {"archive": str(self.archive), "safety_archive": str(self.safety.path) if self.safety else None,
                "state_written": self.state_written, "logs": [a.as_json() for a in self.logs],
                "quick_check": self.quick_check, "warnings": self.warnings, "databases": self.databases}


def _sha_prefix(path: Path, size: int) -> str | None:
    """SHA-256 of the first ``size`` bytes of ``path``; None if it is shorter or unreadable."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size < size:
                return None
            left = size
            while left:
                data = f.read(min(CHUNK, left))
                if not data:
                    return None
                digest.update(data)
                left -= len(data)
    except OSError:
        return None
    return digest.hexdigest()


def log_target(paths: DataPaths, name: MemberName) -> Path:
    """Where an archived log belongs now: its log folder (the first one if that folder is not configured)."""
    folders = paths.logs or (paths.home / "logs",)
    folder = folders[name.log_folder - 1] if 1 <= name.log_folder <= len(folders) else folders[0]
    return folder / name.rel.split("/")[-1]


class _Targets:
    """``current_of`` for the scan: the live log each archived log is compared with as it streams."""

    def __init__(self, paths: DataPaths) -> None:
        self._paths = paths

    def __call__(self, name: MemberName) -> Path | None:
        if name.kind is Kind.STORE_LOG:
            return store_target(self._paths, name)
        return log_target(self._paths, name) if name.kind is Kind.LOG else None


def beside_name(target: Path, date: str) -> Path:
    """``audit.jsonl`` -> ``audit.restored-<DATE>.jsonl`` (``bot.log.1`` -> ``bot.restored-<DATE>.log.1``)."""
    stem, suffix = split_log_name(target.name)
    return target.with_name(f"{stem}.restored-{date}{suffix}")


def plan_log(paths: DataPaths, member: ScannedMember, date: str) -> LogAction:
    """The log rule, decided by content: keep, write beside, or restore a missing log."""
    action = plan_log_at(log_target(paths, member.name), member)
    action.member = member_path(date, member.name.rel)
    return action


def plan_log_at(target: Path, member: ScannedMember) -> LogAction:
    """The log rule for a log that belongs at ``target`` (``member`` is filled in by the caller)."""
    rel = member.name.rel
    if not target.exists():
        return LogAction(rel, target, "restore")
    if member.continues_current is not None:  # compared while it streamed
        return LogAction(rel, target, "keep" if member.continues_current else "beside")
    if _sha_prefix(target, member.size) == member.sha256:
        return LogAction(rel, target, "keep")
    return LogAction(rel, target, "beside")


def _state_plan(paths: DataPaths, scan: Scan) -> list[dict[str, str]]:
    out = []
    archived = {m.name.rel for m in scan.members.values() if m.name.kind is Kind.STATE}
    for m in scan.members.values():
        if m.name.kind is not Kind.STATE:
            continue
        now = paths.home / m.name.rel
        same = now.is_file() and _sha_prefix(now, m.size) == m.sha256 and now.stat().st_size == m.size
        action = "unchanged" if same else ("replace" if now.exists() else "create")
        out.append({"path": m.name.rel, "action": action})
    for top in ("trading", "algorithms"):
        root = paths.home / top
        if root.is_dir() and not root.is_symlink():
            for p in sorted(root.rglob("*")):
                rel = p.relative_to(paths.home).as_posix()
                if p.is_file() and rel not in archived:
                    out.append({"path": rel, "action": "kept (not in the archive)"})
    return out


def lock_estimate(live: Path, archived_bytes: int) -> float:
    """Seconds the bot's writes will wait: the safety backup of the live file plus the copy into it.

    From rates measured on a 60 MB demo home on this project's 2-core test
    machine: the safety backup (snapshot, level-1 compression, quick_check)
    at about SAFETY_RATE, the logical copy into the live file and its commit
    at about COPY_RATE. An estimate, shown as such.
    """
    try:
        live_bytes = live.stat().st_size if live.is_file() else 0
    except OSError:
        live_bytes = 0
    return round(0.2 + live_bytes / SAFETY_RATE + archived_bytes / COPY_RATE, 1)


def prepare_restore(archive: Path, paths: DataPaths, limits: Limits | None = None,
                    progress: ProgressFn = no_progress, cancel: CancelFlag | None = None,
                    check: str = "full") -> RestorePlan:
    """Read and check the archive into a temporary folder and work out the preview.

    The safety backup is made by ``apply_restore``, under the database's
    write lock, of the state at that moment.

    Raises ArchiveError naming the problem (nothing changed, nothing left behind).
    """
    cancel = cancel or CancelFlag()
    scan, db, problems = read_checked(archive, limits, progress, cancel, keep_all=True,
                                      stage=EXTRACT, check=check, current_of=_Targets(paths))
    try:
        if not problems and db is None and dump_notes(scan):
            raise ArchiveError(refusal(scan))
        if problems or db is None:
            raise ArchiveError("refused: " + "; ".join(problems or ["the archive holds no database"]))
        now = live_counts(paths.db)
        counts, kind = now if now else ({}, None)
        tables = [{"table": t, "now": counts.get(t), "archive": db.tables.get(t)}
                  for t in sorted(set(counts) | set(db.tables))]
        logs = [plan_log(paths, m, scan.date) for m in scan.members.values() if m.name.kind is Kind.LOG]
        member = scan.database
        assert member is not None and member.path is not None
        live_schema = live_objects(paths.db)
        changes = schema_changes(live_schema, copy_objects(member.path)) if live_schema else []
        stores = plan_stores(paths, scan)
        changes += _store_schema_changes(scan, stores)
        plan = RestorePlan(archive, paths, scan, db, tables, kind.value if kind else "no database",
                           _state_plan(paths, scan), logs, changes, lock_estimate(paths.db, member.size), stores)
        check_targets(plan)
        return plan
    except BaseException:
        scan.cleanup()
        raise


def _store_schema_changes(scan: Scan, stores: list[StoreAction]) -> list[dict[str, Any]]:
    """Schema objects of the other live databases that the archive's copies change (need acceptance too)."""
    out: list[dict[str, Any]] = []
    for s in stores:
        member = scan.members[s.member]
        if s.kind != DATABASE or s.target is None or member.path is None or not s.target.is_file():
            continue
        live = live_objects(s.target)
        if live:
            out += [{**c, "database": s.member} for c in schema_changes(live, copy_objects(member.path))]
    return out


def check_targets(plan: RestorePlan) -> None:
    """Every path the restore writes: no symbolic link on the way, no folder where a file goes."""
    paths = plan.paths
    if plan.db_wanted:
        check_target(paths.home, paths.db, "the database")
    for m in plan.scan.members.values():
        if m.name.kind is Kind.STATE and plan.wants(m.name.rel):
            check_target(paths.home, paths.home / m.name.rel, m.name.rel)
    for s in plan.stores:
        if s.selected and s.target is not None and s.action not in ("keep", "unchanged"):
            root = paths.home if s.member.startswith("home/") else (paths.bot_dir or s.target.parent)
            target = s.target if s.action != "beside" else beside_name(s.target, plan.scan.date)
            check_target(root, target, s.member)
    for action in plan.logs:
        if action.action != "keep" and plan.wants(action.member.split("/", 2)[2]):
            target = action.target if action.action == "restore" else beside_name(action.target, plan.scan.date)
            check_target(action.target.parent.parent, target, f"the log {action.target.name}")


__all__ = ["LogAction", "RestorePlan", "RestoreResult", "beside_name", "prepare_restore"]
