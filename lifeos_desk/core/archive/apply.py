"""Applying a checked restore plan: all or nothing, with no row of the bot lost.

Steps (docs/architecture.md, "Backup and restore"):

1. every state file and log the restore writes is staged beside its target,
   and every target checked (``stage.py``): a link, or a folder where a file
   goes, is refused here with nothing changed;
2. the live database's write lock is taken (``livecopy.LiveLock``): bounded
   by the busy timeout, cancellable; readers keep reading, the bot's writes
   wait;
3. the safety backup is made under that lock, so every row the bot committed
   before the restore is in it (nothing can commit between the two);
4. the archived database is copied in inside the same transaction, the
   files are put in place, then COMMIT. A failure or cancel before COMMIT
   rolls the transaction back and puts the files back: nothing changed, and
   the safety archive is deleted again;
5. the safety archive and the restore are recorded (audit log).

When the live database is missing or not a database at all (random bytes),
there is no lock to take and nothing to copy into: the safety archive keeps
whatever bytes are there as a plain file, and the staged copy replaces the
file by rename (no bot can be writing a file that is not a database).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import replace
from pathlib import Path

from ..audit import AuditWriter, audit_log_path
from .errors import ArchiveError, Cancelled
from .layout import Kind
from .livecopy import Damaged, LiveLock, Locked, NotADatabase, overwrite_damaged
from .make import BackupResult, make_backup, record_backup
from .progress import APPLY, CancelFlag, Progress, ProgressFn, no_progress
from .restore import RestorePlan, RestoreResult, beside_name
from .safety import SAFETY_OPTIONS, Relabel
from .snapshot import BUSY_TIMEOUT_S
from .stage import Stager

SIDECARS = ("-journal", "-wal", "-shm")


def _stage_files(plan: RestorePlan, stager: Stager) -> list[str]:
    """Stage the changed state files and the logs to write; returns the state files' names."""
    paths, written = plan.paths, []
    unchanged = {s["path"] for s in plan.state if s["action"] == "unchanged"}
    for m in plan.scan.members.values():
        if m.name.kind is Kind.STATE and m.path is not None and m.name.rel not in unchanged:
            stager.stage(m.path, paths.home / m.name.rel)
            written.append(m.name.rel)
    for action in plan.logs:
        if action.action == "keep":
            continue
        member = plan.scan.members[action.member.split("/", 2)[2]]
        assert member.path is not None  # only logs that continue the current file were not kept on disk
        if action.action == "beside":
            existing = beside_name(action.target, plan.scan.date)
            if existing.is_file() and existing.stat().st_size == member.size \
                    and _sha(existing) == member.sha256:  # already beside it from an earlier restore
                action.written = existing
                continue
            action.staged = stager.stage(member.path, existing, new_name=True)
        else:
            action.staged = stager.stage(member.path, action.target, new_name=True)
    return written


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while data := f.read(1 << 20):
            digest.update(data)
    return digest.hexdigest()


def _safety(plan: RestorePlan, progress: ProgressFn, cancel: CancelFlag, wanted: bool) -> BackupResult | None:
    """The safety backup, made now (under the lock), recorded only once the restore has committed."""
    paths = plan.paths
    if not wanted or not (paths.db.exists() or any(s["action"] != "create" for s in plan.state)):
        return None
    return make_backup(paths, replace(SAFETY_OPTIONS, record=False), Relabel(progress), cancel)


def _aside_sidecars(live: Path, date: str) -> None:
    """A missing or broken database's journal/WAL files would be applied to the restored file: move them aside."""
    for suffix in SIDECARS:
        side = live.with_name(live.name + suffix)
        if side.exists() and not side.is_symlink():
            os.replace(side, side.with_name(f"{side.name}.before-restore-{date}"))


def apply_restore(plan: RestorePlan, progress: ProgressFn = no_progress, cancel: CancelFlag | None = None,
                  safety: bool = True, busy_timeout: float = BUSY_TIMEOUT_S,
                  accept_schema: bool = False) -> RestoreResult:
    """Stage, lock, safety backup, copy, place files, commit; then the audit entry.

    ``accept_schema``: the admin accepted the schema objects that differ
    (``plan.schema``); without it such a restore is refused. Cancel is
    honoured until COMMIT (everything is rolled back). Raises ArchiveError
    (``livecopy.Locked`` for a database locked past ``busy_timeout``).
    """
    cancel = cancel or CancelFlag()
    if plan.schema and not accept_schema:
        names = ", ".join(f"{c['type']} {c['name']} ({c['change']})" for c in plan.schema[:5])
        raise ArchiveError(f"refused: the archive changes {len(plan.schema)} schema object(s) of the live "
                           f"database ({names}); review them in the preview and accept them explicitly "
                           "(restore --accept-schema); nothing was changed")
    db = plan.scan.database
    assert db is not None and db.path is not None
    result = RestoreResult(plan.archive, None)
    stager = Stager(str(os.getpid()))
    lock: LiveLock | None = None
    try:
        result.state_written = _stage_files(plan, stager)
        lock = _lock(plan, db.path, busy_timeout, cancel, progress)
        if lock is None:
            stager.stage(db.path, plan.paths.db)
        result.safety = _safety(plan, progress, cancel, safety)
        progress(Progress(APPLY, 0, 0, "database"))
        damaged = False
        if lock is not None:
            try:
                result.quick_check = lock.replace_from(cancel.is_set, _TableReport(progress))
            except Damaged:
                lock.close()
                lock, damaged = None, True
        else:
            _aside_sidecars(plan.paths.db, plan.scan.date)
            result.quick_check = "not run (the file was replaced: there was no readable database)"
        cancel.check()
        progress(Progress(APPLY, 0, 0, "state files and logs"))
        stager.place_all()
        if damaged:
            result.quick_check = overwrite_damaged(db.path, plan.paths.db, busy_timeout, cancel)
        if lock is not None:
            lock.commit(busy_timeout)
            lock = None
    except BaseException as exc:
        _roll_back(plan, result, stager, lock, exc)
        raise
    stager.done()
    _finish(plan, result)
    return result


class _TableReport:
    """Reports each table as it is copied in (the kill tests wait for one)."""

    def __init__(self, progress: ProgressFn) -> None:
        self._progress = progress

    def __call__(self, table: str) -> None:
        self._progress(Progress(APPLY, 0, 0, f"database: {table}"))


def _lock(plan: RestorePlan, staged: Path, timeout: float, cancel: CancelFlag, progress: ProgressFn) -> LiveLock | None:
    """The write lock on the live database; None when there is no database to lock (missing, not SQLite)."""
    live = plan.paths.db
    if not live.exists():
        return None
    progress(Progress(APPLY, 0, 0, f"waiting for the database's write lock (at most {timeout:.0f} s)"))
    try:
        return LiveLock.open(live, staged, timeout, cancel)
    except NotADatabase:
        return None


def _roll_back(plan: RestorePlan, result: RestoreResult, stager: Stager, lock: LiveLock | None,
               exc: BaseException) -> None:
    """Nothing applied stays applied: roll the transaction back, put the files back, drop the safety archive."""
    if lock is not None:
        lock.close()
    problems = stager.undo()
    placed = any(item.placed for item in stager.items)
    if result.safety is not None:
        result.safety.path.unlink(missing_ok=True)
    if isinstance(exc, (Cancelled, Locked)):
        return
    with contextlib.suppress(OSError):
        AuditWriter(audit_log_path(plan.paths)).log("backup_restore_failed", archive=str(plan.archive),
                                                error=str(exc), rolled_back=not problems, problems=problems)
    if isinstance(exc, ArchiveError) and placed:
        detail = "everything was put back as it was" if not problems else \
            "these could not be put back: " + "; ".join(problems)
        exc.args = (f"{exc}; the restore was stopped and {detail} (the database was not changed)",)


def _finish(plan: RestorePlan, result: RestoreResult) -> None:
    """Record the safety archive, then the restore."""
    for action in plan.logs:
        if action.staged is not None:
            action.written, action.staged = action.staged.placed, None
    result.logs = plan.logs
    if result.safety is not None:
        record_backup(plan.paths, SAFETY_OPTIONS, result.safety)
        result.warnings += result.safety.warnings
    try:
        AuditWriter(audit_log_path(plan.paths)).log(
            "backup_restored", archive=str(plan.archive), archive_date=plan.scan.date,
            safety_archive=str(result.safety.path) if result.safety else None, database=str(plan.paths.db),
            state_files=result.state_written, logs_kept=[a.member for a in result.logs if a.action == "keep"],
            logs_written=[str(a.written) for a in result.logs if a.written], quick_check=result.quick_check,
            schema_accepted=[f"{c['type']} {c['name']}" for c in plan.schema])
    except OSError as exc:
        result.warnings.append(f"could not append to the audit log: {exc}")


__all__ = ["apply_restore"]
