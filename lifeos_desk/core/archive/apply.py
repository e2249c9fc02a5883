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
4. the archived database is copied in inside the same transaction - when
   every database written is in WAL mode, while the safety backup is still
   being made in a second thread: until COMMIT a WAL writer's pages are
   invisible to every other connection and a WAL reader never waits for
   the writer, so the safety backup's own snapshot still reads the state
   before the restore. (With a rollback journal the two were seen to block
   each other - the snapshot's backup step waiting without end - so there
   the safety backup comes first, as before.) Both must end well before
   anything goes further; then the files are put in place, then COMMIT. A failure or cancel before COMMIT
   rolls the transaction back and puts the files back: nothing changed, and
   the safety archive is deleted again;
5. the safety archive and the restore are recorded (audit log).

A whole-home restore writes several databases: they are locked, copied and
committed together (``multilock.py``, whose docstring says what happens
when a later COMMIT fails after an earlier one); the other stores' files
are staged and placed with the state files (keys and state atomically,
mode 0600; logs by the log rule). Only the picked stores are touched
(``RestorePlan.pick``).

When the live database is missing or not a database at all (random bytes),
there is no lock to take and nothing to copy into: the safety archive keeps
whatever bytes are there as a plain file, and the staged copy replaces the
file by rename (no bot can be writing a file that is not a database).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from ..audit import AuditWriter, audit_log_path
from .errors import ArchiveError, Cancelled
from .layout import Kind
from .livecopy import Locked
from .make import BackupResult, make_backup, record_backup
from .multilock import LiveDb, LiveSet
from .picks import DATABASE, LOG
from .progress import APPLY, CancelFlag, LinkedCancel, Progress, ProgressFn, no_progress
from .restore import RestorePlan, RestoreResult, beside_name
from .safety import SAFETY_OPTIONS, Relabel
from .snapshot import BUSY_TIMEOUT_S
from .stage import Stager

SIDECARS = ("-journal", "-wal", "-shm")


def _stage_files(plan: RestorePlan, stager: Stager) -> list[str]:
    """Stage the changed state files, other stores' files and the logs to write; returns the files' names."""
    paths, written = plan.paths, []
    unchanged = {s["path"] for s in plan.state if s["action"] == "unchanged"}
    for m in plan.scan.members.values():
        if m.name.kind is Kind.STATE and m.path is not None and m.name.rel not in unchanged \
                and plan.wants(m.name.rel):
            stager.stage(m.path, paths.home / m.name.rel)
            written.append(m.name.rel)
    for store in plan.stores:
        member = plan.scan.members[store.member]
        if not store.selected or store.target is None or member.path is None or store.kind == DATABASE:
            continue
        if store.kind == LOG and store.action in ("beside", "restore"):
            where = beside_name(store.target, plan.scan.date) if store.action == "beside" else store.target
            stager.stage(member.path, where, new_name=True)
            written.append(store.member)
        elif store.kind != LOG and store.action in ("replace", "create"):
            stager.stage(member.path, store.target)
            written.append(store.member)
    for action in plan.logs:
        if action.action == "keep" or not plan.wants(action.member.split("/", 2)[2]):
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


def _safety(plan: RestorePlan, progress: ProgressFn, cancel: CancelFlag, wanted: bool,
            locked: tuple[Path, ...]) -> BackupResult | None:
    """The safety backup of the whole home, made now (under the locks), recorded only once the restore committed."""
    paths = plan.paths
    replaces = any(s["action"] != "create" for s in plan.state) or \
        any(s.selected and s.action != "create" for s in plan.stores)
    if not wanted or not (paths.db.exists() or replaces):
        return None
    return make_backup(paths, replace(SAFETY_OPTIONS, record=False, no_open=locked), Relabel(progress), cancel)


def _copy_beside_safety(plan: RestorePlan, dbs: LiveSet, progress: ProgressFn, cancel: CancelFlag,
                        wanted: bool) -> BackupResult | None:
    """The safety backup, then (rollback journal) or meanwhile (all WAL) the databases copied in; both end here.

    A failure of either stops the other (the copy polls ``stop``; the safety
    backup its linked cancel flag) and is raised once both have ended; a
    safety archive finished meanwhile is deleted when the copy failed.
    """
    if not all(d.journal == "wal" for d in dbs.dbs if d.lock is not None):
        made_first = _safety(plan, progress, cancel, wanted, tuple(d.live for d in dbs.dbs))
        try:
            progress(Progress(APPLY, 0, 0, "database"))
            dbs.copy_all(cancel.is_set, _TableReport(progress))
        except BaseException:
            if made_first is not None:
                made_first.path.unlink(missing_ok=True)
            raise
        return made_first
    said = _Serialized(progress)
    safety_cancel = LinkedCancel(cancel)
    failed = threading.Event()

    def stop() -> bool:
        return cancel.is_set() or failed.is_set()

    def on_done(f: Future[BackupResult | None]) -> None:
        if f.exception() is not None:
            failed.set()

    with ThreadPoolExecutor(1, thread_name_prefix="safety") as pool:
        made = pool.submit(_safety, plan, said, safety_cancel, wanted, tuple(d.live for d in dbs.dbs))
        made.add_done_callback(on_done)
        try:
            said(Progress(APPLY, 0, 0, "database"))
            dbs.copy_all(stop, _TableReport(said))
        except BaseException as exc:
            safety_cancel.set()
            with contextlib.suppress(BaseException):
                done = made.result()
                if done is not None:
                    done.path.unlink(missing_ok=True)
            cause = made.exception()
            if isinstance(exc, Cancelled) and cause is not None and not isinstance(cause, Cancelled):
                raise cause from None  # the copy was stopped because the safety backup failed: say why
            raise
    return made.result()


class _Serialized:
    """Progress from the safety backup's thread and the copy's, one event at a time."""

    def __init__(self, fn: ProgressFn) -> None:
        self._fn, self._lock = fn, threading.Lock()

    def __call__(self, p: Progress) -> None:
        with self._lock:
            self._fn(p)


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
    result = RestoreResult(plan.archive, None)
    stager = Stager(str(os.getpid()))
    dbs = LiveSet(_databases(plan))
    try:
        result.state_written = _stage_files(plan, stager)
        dbs.lock_all(busy_timeout, cancel, _Waiting(progress, busy_timeout))
        for d in dbs.dbs:
            if d.by_rename:
                stager.stage(d.staged, d.live)
        result.safety = _copy_beside_safety(plan, dbs, progress, cancel, safety)
        for d in dbs.dbs:
            if d.by_rename:
                _aside_sidecars(d.live, plan.scan.date)
                d.quick_check = "not run (the file was replaced: there was no readable database)"
        cancel.check()
        progress(Progress(APPLY, 0, 0, "state files and logs"))
        stager.place_all()
        dbs.overwrite_damaged(busy_timeout, cancel)
        dbs.commit_all(busy_timeout)
    except BaseException as exc:
        _roll_back(plan, result, stager, dbs, exc, busy_timeout)
        raise
    result.quick_check = next((d.quick_check for d in dbs.dbs if d.member == "public_users.db"), "not restored")
    result.databases = {str(d.live): d.quick_check for d in dbs.dbs}
    stager.done()
    _finish(plan, result)
    return result


def _databases(plan: RestorePlan) -> list[LiveDb]:
    """The picked databases: the bot's, and the whole-home archive's others (by their header)."""
    out = []
    db = plan.scan.database
    if plan.db_wanted:
        assert db is not None and db.path is not None
        out.append(LiveDb("public_users.db", db.path, plan.paths.db))
    for store in plan.stores:
        member = plan.scan.members[store.member]
        if store.selected and store.kind == DATABASE and store.target is not None and member.path is not None:
            out.append(LiveDb(store.member, member.path, store.target))
    return out


class _Waiting:
    """Says which database's write lock is being waited for."""

    def __init__(self, progress: ProgressFn, timeout: float) -> None:
        self._progress, self._timeout = progress, timeout

    def __call__(self, d: LiveDb) -> None:
        self._progress(Progress(APPLY, 0, 0, f"waiting for the write lock of {d.live.name} "
                                             f"(at most {self._timeout:.0f} s in all)"))


class _TableReport:
    """Reports each table as it is copied in (the kill tests wait for one)."""

    def __init__(self, progress: ProgressFn) -> None:
        self._progress = progress

    def __call__(self, table: str) -> None:
        self._progress(Progress(APPLY, 0, 0, f"database: {table}"))


def _roll_back(plan: RestorePlan, result: RestoreResult, stager: Stager, dbs: LiveSet,
               exc: BaseException, timeout: float) -> None:
    """Nothing applied stays applied: roll the transactions back, put the files back, drop the safety archive.

    When a later database's COMMIT failed after an earlier one's, the earlier
    ones are written back from the safety archive first (``LiveSet.recover``);
    the safety archive is then kept (and recorded) if anything could not be.
    """
    committed = [str(d.live) for d in dbs.partly_committed]
    recovery = dbs.recover(result.safety.path if result.safety else None, timeout)
    problems = stager.undo() + recovery
    placed = any(item.placed for item in stager.items) or bool(committed)
    if result.safety is not None:
        if recovery:
            record_backup(plan.paths, SAFETY_OPTIONS, result.safety)
        else:
            result.safety.path.unlink(missing_ok=True)
    if isinstance(exc, (Cancelled, Locked)):
        return
    with contextlib.suppress(OSError):
        AuditWriter(audit_log_path(plan.paths)).log("backup_restore_failed", archive=str(plan.archive),
                                                error=str(exc), rolled_back=not problems, problems=problems)
    if isinstance(exc, ArchiveError) and placed:
        detail = "everything was put back as it was" if not problems else \
            "these could not be put back: " + "; ".join(problems)
        changed = f"{len(committed)} database(s) had committed and were written back from the safety archive" \
            if committed else "the database was not changed"
        exc.args = (f"{exc}; the restore was stopped and {detail} ({changed})",)


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
            databases=sorted(result.databases), picked=sorted(plan.picked) if plan.picked is not None else None,
            state_files=result.state_written, logs_kept=[a.member for a in result.logs if a.action == "keep"],
            logs_written=[str(a.written) for a in result.logs if a.written], quick_check=result.quick_check,
            schema_accepted=[f"{c['type']} {c['name']}" for c in plan.schema])
    except OSError as exc:
        result.warnings.append(f"could not append to the audit log: {exc}")


__all__ = ["apply_restore"]
