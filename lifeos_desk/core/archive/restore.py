"""Restoring an archive: read and check it all first, show what changes, then apply.

Order, so that a refused archive changes nothing and an accepted one loses nothing:

1. ``prepare_restore``: the whole archive is read into a private temporary
   folder under the header rules of ``extract.py`` and checked as by verify
   (manifest, SHA-256s, integrity_check). A refused or damaged archive stops
   here, with the data home untouched. The preview compares it with now.
2. ``apply_restore`` (after the admin's confirmation):
   a. a safety backup of what a restore changes (database and state files;
      logs are never changed by a restore, see d.);
   b. the database is copied INTO the live file through the backup API:
      one write transaction, which a running bot survives (
      docs/architecture.md, 'Restoring into the live file'); never by replacing the file (the bot would keep writing to
      the unlinked one). The copy is first brought to the live file's page
      size and journal mode, so neither changes;
   c. state files are replaced atomically (temporary file + rename);
   d. logs are history: a current log whose beginning equals the archived
      log is kept as it is; otherwise the archived copy is written beside it
      as ``<name>.restored-<DATE>.jsonl`` (a missing log is restored under
      its own name). Nothing is overwritten;
   e. a ``backup_restored`` entry is appended to the audit log.

When the admin confirmed up front (``restore --yes``), step a runs during
step 1 instead, in a thread (``safety.py``: both are C work that releases
the GIL, so on two cores the restore takes about the longer of the two, not
their sum). It writes only into the backups folder and is recorded (audit
entry, safety mark) only when step 2 starts; a refused archive or a cancel
stops it and deletes what it made, so the data home stays byte for byte
unchanged, and step 2 changes nothing before both are complete.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..audit import AuditWriter, audit_log_path
from ..paths import DataPaths
from .errors import ArchiveError, make_private
from .extract import Scan, ScannedMember
from .layout import Kind, MemberName, member_path
from .limits import Limits
from .make import BackupResult
from .progress import APPLY, EXTRACT, CancelFlag, ProgressFn, Reporter, no_progress
from .safety import EarlySafety, Serialized, make_safety
from .snapshot import BUSY_TIMEOUT_S, MMAP_BYTES, DbFacts, connect, live_counts
from .verify import read_checked

CHUNK = 1 << 20


@dataclass
class LogAction:
    """What happens to one archived log."""

    member: str
    target: Path
    action: str  # "keep" | "beside" | "restore"
    written: Path | None = None

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
    safety: EarlySafety | None = None  # started by ``prepare_restore(early_safety=True)``

    def preview(self) -> dict[str, Any]:
        """Rows now vs in the archive, state files and logs: what the admin confirms."""
        return {"archive": str(self.archive), "date": self.scan.date,
                "origin": "console" if self.scan.console_made else "script",
                "schema_archive": self.db.schema.value, "schema_now": self.schema_now,
                "tables": self.tables, "state_files": self.state, "logs": [a.as_json() for a in self.logs],
                "database": str(self.paths.db)}

    def discard(self) -> None:
        """Delete the temporary folder (and an early safety backup that was never used)."""
        self.scan.cleanup()
        if self.safety is not None:
            self.safety.discard()

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

    def as_json(self) -> dict[str, Any]:
        """For ``--json-progress`` and the window."""
        return {"archive": str(self.archive), "safety_archive": str(self.safety.path) if self.safety else None,
                "state_written": self.state_written, "logs": [a.as_json() for a in self.logs],
                "quick_check": self.quick_check}


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
        return log_target(self._paths, name) if name.kind is Kind.LOG else None


def beside_name(target: Path, date: str) -> Path:
    """``audit.jsonl`` -> ``audit.restored-<DATE>.jsonl`` in the same folder."""
    return target.with_name(f"{target.name[: -len('.jsonl')]}.restored-{date}.jsonl")


def plan_log(paths: DataPaths, member: ScannedMember, date: str) -> LogAction:
    """The log rule, decided by content: keep, write beside, or restore a missing log."""
    target = log_target(paths, member.name)
    rel = member_path(date, member.name.rel)
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
        if root.is_dir():
            for p in sorted(root.rglob("*")):
                rel = p.relative_to(paths.home).as_posix()
                if p.is_file() and rel not in archived:
                    out.append({"path": rel, "action": "kept (not in the archive)"})
    return out


def prepare_restore(archive: Path, paths: DataPaths, limits: Limits | None = None,
                    progress: ProgressFn = no_progress, cancel: CancelFlag | None = None,
                    check: str = "full", early_safety: bool = False) -> RestorePlan:
    """Read and check the archive into a temporary folder and work out the preview.

    ``early_safety``: the admin has already confirmed (``--yes``), so the
    safety backup runs now, beside the reading (see ``safety.py``); it is
    recorded by ``apply_restore`` and deleted by ``RestorePlan.discard``.
    Without it the safety backup is made after the confirmation, of the
    state at that moment.

    Raises ArchiveError naming the problem (nothing changed, nothing left behind).
    """
    cancel = cancel or CancelFlag()
    safety = None
    if early_safety and paths.db.is_file():
        progress = Serialized(progress)
        safety = EarlySafety(paths, progress, cancel)
    try:
        plan = _read_and_plan(archive, paths, limits, progress, cancel, check)
    except BaseException:
        if safety is not None:
            safety.discard()
        raise
    plan.safety = safety
    return plan


def _read_and_plan(archive: Path, paths: DataPaths, limits: Limits | None, progress: ProgressFn,
                   cancel: CancelFlag, check: str) -> RestorePlan:
    scan, db, problems = read_checked(archive, limits, progress, cancel, keep_all=True,
                                      stage=EXTRACT, check=check, current_of=_Targets(paths), trust_manifest=True)
    try:
        if problems or db is None:
            raise ArchiveError("refused: " + "; ".join(problems or ["the archive holds no database"]))
        now = live_counts(paths.db)
        counts, kind = now if now else ({}, None)
        tables = [{"table": t, "now": counts.get(t), "archive": db.tables.get(t)}
                  for t in sorted(set(counts) | set(db.tables))]
        logs = [plan_log(paths, m, scan.date) for m in scan.members.values() if m.name.kind is Kind.LOG]
        return RestorePlan(archive, paths, scan, db, tables, kind.value if kind else "no database",
                           _state_plan(paths, scan), logs)
    except BaseException:
        scan.cleanup()
        raise


def match_live(copy: Path, live: Path) -> None:
    """Bring our copy to the live file's page size and journal family before it is copied in.

    The backup API fails into a WAL database of another page size, and it
    copies the WAL flag of the source's header: without this, a WAL archive
    restored into the deployed bot's rollback-journal file would switch the
    bot's journal mode (which belongs to the bot, docs/architecture.md, 'QSQLITE connection options').
    """
    with closing(connect(live)) as con:
        live_page = int(con.execute("PRAGMA page_size").fetchone()[0])
        live_mode = str(con.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    with closing(connect(copy)) as con:
        page = int(con.execute("PRAGMA page_size").fetchone()[0])
        mode = str(con.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        if page != live_page:
            con.execute("PRAGMA journal_mode=DELETE")
            con.execute(f"PRAGMA page_size={live_page}")
            con.execute("VACUUM")
            mode = "delete"
        if (live_mode == "wal") != (mode == "wal"):
            con.execute(f"PRAGMA journal_mode={'WAL' if live_mode == 'wal' else 'DELETE'}")


def restore_database(copy: Path, live: Path) -> str:
    """Copy ``copy`` into ``live`` in one backup step (one transaction); returns quick_check of the result."""
    try:
        if live.exists():
            match_live(copy, live)
        with closing(connect(copy)) as src, closing(sqlite3.connect(str(live), timeout=BUSY_TIMEOUT_S)) as dst:
            src.backup(dst, pages=-1)
            dst.execute(f"PRAGMA mmap_size={MMAP_BYTES}")  # the check reads every page: ~1.6x faster mapped
            return str(dst.execute("PRAGMA quick_check").fetchone()[0])
    except sqlite3.Error as exc:
        raise ArchiveError(f"could not restore the database into {live}: {exc}") from exc


def _atomic_copy(src: Path, dest: Path) -> None:
    """Replace ``dest`` with a copy of ``src``: temporary file in the same folder, fsync, rename."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.restore")
    try:
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            make_private(fout.fileno())
            shutil.copyfileobj(fin, fout, CHUNK)
            fout.flush()
            os.fsync(fout.fileno())
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _create_new(src: Path, dest: Path) -> Path:
    """Copy ``src`` to a name that does not exist yet (``dest``, else ``dest`` with -2, -3 ...); never overwrite."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.restore")
    with open(src, "rb") as fin, open(tmp, "wb") as fout:
        make_private(fout.fileno())
        shutil.copyfileobj(fin, fout, CHUNK)
        fout.flush()
        os.fsync(fout.fileno())
    candidate, n = dest, 1
    try:
        while True:
            try:
                os.link(tmp, candidate)
                return candidate
            except FileExistsError:
                n += 1
                candidate = dest.with_name(f"{dest.name[: -len('.jsonl')]}-{n}.jsonl")
    finally:
        tmp.unlink(missing_ok=True)


def _apply_log(plan: RestorePlan, action: LogAction) -> None:
    if action.action == "keep":
        return
    member = plan.scan.members[action.member.split("/", 2)[2]]
    assert member.path is not None  # only logs that continue the current file were not kept on disk
    if action.action == "beside":
        # The same copy may already be beside it from an earlier restore of this archive.
        existing = beside_name(action.target, plan.scan.date)
        if existing.exists() and _sha_prefix(existing, member.size) == member.sha256 \
                and existing.stat().st_size == member.size:
            action.written = existing
            return
        action.written = _create_new(member.path, existing)
    else:
        action.written = _create_new(member.path, action.target)


def apply_restore(plan: RestorePlan, progress: ProgressFn = no_progress, cancel: CancelFlag | None = None,
                  safety: bool = True) -> RestoreResult:
    """Safety backup, then database, state files and logs; then the audit entry.

    Cancel is honoured until the safety backup is complete; after that the
    restore runs to its end (a half-applied restore would be worse).
    """
    cancel = cancel or CancelFlag()
    paths = plan.paths
    result = RestoreResult(plan.archive, None)
    result.safety = _safety(plan, progress, cancel, safety)
    cancel.check()
    steps = Reporter(progress, CancelFlag(), APPLY, 3)
    steps.start("database")
    db = plan.scan.database
    assert db is not None and db.path is not None
    result.quick_check = restore_database(db.path, paths.db)
    steps.add(1, "state files")
    unchanged = {s["path"] for s in plan.state if s["action"] == "unchanged"}
    for m in plan.scan.members.values():
        if m.name.kind is Kind.STATE and m.path is not None and m.name.rel not in unchanged:
            _atomic_copy(m.path, paths.home / m.name.rel)
            result.state_written.append(m.name.rel)
    steps.add(1, "logs")
    for action in plan.logs:
        _apply_log(plan, action)
    result.logs = plan.logs
    _audit(plan, result)
    return result


def _safety(plan: RestorePlan, progress: ProgressFn, cancel: CancelFlag, wanted: bool) -> BackupResult | None:
    """The safety backup: the one started early (waited for and recorded), else one made now if needed."""
    early = plan.safety  # left on the plan: discard() is a no-op once result() has returned
    if early is not None and wanted:
        return early.result()
    if early is not None:
        early.discard()
    paths = plan.paths
    if wanted and (paths.db.exists() or any(s["action"] != "create" for s in plan.state)):
        return make_safety(paths, progress, cancel)
    return None


def _audit(plan: RestorePlan, result: RestoreResult) -> None:
    AuditWriter(audit_log_path(plan.paths)).log(
        "backup_restored", archive=str(plan.archive), archive_date=plan.scan.date,
        safety_archive=str(result.safety.path) if result.safety else None, database=str(plan.paths.db),
        state_files=result.state_written, logs_kept=[a.member for a in result.logs if a.action == "keep"],
        logs_written=[str(a.written) for a in result.logs if a.written], quick_check=result.quick_check)


__all__ = ["LogAction", "RestorePlan", "RestoreResult", "apply_restore", "prepare_restore"]
