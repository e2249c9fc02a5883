"""Making an archive: snapshot, stream into the compressor, check, rename.

Stages (reported through ``progress``):

1. snapshot - the database is copied in one online-backup step into a
   private temporary folder beside the archives (in a thread: meanwhile
   the state files and logs are already streaming, stage 2). The whole-home
   backup (``sources.whole_home``) snapshots every other SQLite store the
   same way, one after another on the second worker, each followed by its
   own check, while the first database's check runs on the first.
2. compress - the state files, the logs and then the database copy are
   streamed as tar members straight into ISA-L's threaded gzip writer, each
   hashed on the way; the archive is written under a temporary name (mode
   0600). The copy's integrity_check and row counts run in a thread while
   it is compressed. The database is a gzip member of its own at a higher
   level (multi-member gzip is plain gzip: ``tar -xzf`` reads it).
3. verify - wait for integrity_check (a copy that fails it is no backup:
   refused), write the manifest as the last member, flush and fsync.

Then the temporary file is renamed to ``<DATE>.tar.gz`` (never over an
existing archive) and the folder is fsynced. A crash or kill at any moment
leaves either no archive or a complete one; leftovers of a killed run are
dot-files that the next run removes.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..audit import AuditWriter, audit_log_path
from ..paths import DataPaths
from . import manifest as mf
from .catalog import apply_retention, remove_stale, set_last_safety
from .errors import ArchiveError, make_private
from .extract import make_workdir
from .extras import Extra, close_all, finish_all, start_all
from .gz import DB_LEVEL, DEFAULT_LEVEL, open_writer, origin_comment
from .layout import MANIFEST, archive_name, date_stamp, member_path
from .progress import COMPRESS, SNAPSHOT, VERIFY, CancelFlag, LinkedCancel, ProgressFn, Reporter, no_progress
from .snapshot import DbFacts, facts, snapshot
from .sources import NotRegular, Source, StoreSource, everything, open_regular, state_dirs, whole_home
from .tarwrite import TarWriter

NICE = 10  # the streaming's niceness above the caller's while integrity_check runs (_write_beside_check)


@dataclass(frozen=True)
class BackupOptions:
    """How to back up. ``keep``: retention after success (None = leave the folder alone)."""

    purpose: str = "regular"  # "safety": the automatic one made before a restore
    include_logs: bool = True
    level: int = DEFAULT_LEVEL  # logs and state files: ISA-L level 1 (about 1.1x gzip -6, 500+ MB/s a core)
    db_level: int = DB_LEVEL  # the database: level 3 brings it to about 1.07x gzip -6
    threads: int = 0  # compressor threads; 0 = auto (see _Job.threads)
    check: str = "full"  # "quick": PRAGMA quick_check instead of integrity_check (see snapshot.facts)
    # A copy that fails the check is no backup (refused) - except the safety archive before a restore:
    # restoring over a damaged database must stay possible, and the damaged file is kept for analysis.
    require_intact: bool = True
    # The safety archive before a restore keeps whatever is there: no database file (then no member), or a
    # file SQLite cannot read (then its bytes as they are) - restoring over those is when it is needed most.
    raw_fallback: bool = False
    keep: int | None = None
    # False: the caller records the archive later with ``record_backup`` (the safety backup a restore makes
    # while the archive is still being checked: the audit log is in the data home, untouched until then).
    record: bool = True
    # Every other store of the home and the bot dir (docs/data-formats.md, 'Where things live') under
    # ``home/`` and ``bot/``; False: ADR-005's members only (the script's layout, nothing more).
    whole_home: bool = True
    # Databases this process holds locked (a restore's safety backup): discovery must not open them even to
    # read a header - closing any descriptor of a file drops this process's POSIX locks on it, the restore's
    # write lock included (docs/architecture.md, 'Restoring into the live file').
    no_open: tuple[Path, ...] = ()
    # Members made beside the snapshot (a PostgreSQL session's pg_dump, extras.py), each used by one backup.
    extras: tuple[Extra, ...] = ()


@dataclass
class BackupResult:
    """The archive made."""

    path: Path
    size: int
    date: str
    created: datetime
    seconds: float
    input_bytes: int
    members: int
    integrity: list[str]
    tables: dict[str, int]
    check: str
    deleted: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    stores: list[dict[str, Any]] = field(default_factory=list)  # the other databases: member, rows, check

    def as_json(self) -> dict[str, Any]:
        """For ``--json-progress`` and the window."""
        return {"path": str(self.path), "size": self.size, "date": self.date, "created": self.created.isoformat(),
                "seconds": round(self.seconds, 3), "input_bytes": self.input_bytes, "members": self.members,
                "integrity_check": self.integrity, "check": self.check, "tables": self.tables,
                "deleted": [str(p) for p in self.deleted], "warnings": self.warnings, "timings": self.timings,
                "databases": self.stores}


CLAIM = ".claim"


def _claim_date(backups: Path, now: datetime) -> tuple[str, Path]:
    """A DATE for ``now`` no other backup uses, moved a second on while one does; and the claim file held.

    Two backups started in the same second (two consoles, a cron job) would
    otherwise both pick it and one fail at the end: the claim
    ``.<DATE>.tar.gz.claim`` is created exclusively (O_EXCL) and holds the
    pid; it is removed when the backup ends (``remove_stale`` removes the
    claims of killed runs).
    """
    for step in range(3600):
        date = date_stamp(now + timedelta(seconds=step))
        final = backups / archive_name(date)
        if final.exists():
            continue
        claim = backups / f".{final.name}{CLAIM}"
        try:
            fd = os.open(claim, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w") as f:
            f.write(str(os.getpid()))
        if final.exists():  # published between our check and the claim
            claim.unlink(missing_ok=True)
            continue
        return date, claim
    raise ArchiveError(f"no free archive name in {backups}")  # pragma: no cover


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _publish(tmp: Path, final: Path) -> None:
    """Rename into place without ever replacing an existing archive."""
    try:
        os.link(tmp, final)
    except FileExistsError as exc:
        raise ArchiveError(f"{final.name} appeared meanwhile; not overwritten") from exc
    except OSError:
        if final.exists():
            raise ArchiveError(f"{final.name} appeared meanwhile; not overwritten") from None
        os.replace(tmp, final)
        return
    tmp.unlink()


class _Job:
    """One backup run: its folder, names, sources and the work in between."""

    def __init__(self, paths: DataPaths, options: BackupOptions, progress: ProgressFn, cancel: CancelFlag,
                 now: datetime) -> None:
        # Linked: the job can stop its own threads (set) without setting the caller's flag.
        self.paths, self.options, self.progress, self.cancel = paths, options, progress, LinkedCancel(cancel)
        self.backups = paths.backups
        self.created = now.astimezone(UTC)
        self.date, self.claim = _claim_date(self.backups, now)
        self.final = self.backups / archive_name(self.date)
        self.tmp = self.backups / f".{self.final.name}.{os.getpid()}.partial"
        self.work = make_workdir(self.backups)
        self.copy = self.work / "public_users.db"
        self.records: list[mf.MemberRecord] = []
        self.timings: dict[str, float] = {}
        self.warnings: list[str] = []
        self.extra: list[_ExtraDb] = []
        self._failed = threading.Event()  # stops the integrity check when the streaming fails

    def run(self) -> BackupResult:
        t0 = time.perf_counter()
        if not self.paths.db.is_file() and not (self.options.raw_fallback and not self.paths.db.exists()):
            what = " (it is a folder)" if self.paths.db.is_dir() else ""
            raise ArchiveError(f"no database at {self.paths.db}{what}")
        Reporter(self.progress, self.cancel, SNAPSHOT, 0).start(str(self.paths.db))
        start_all(self.options.extras, self.work, self.cancel)
        sources = everything(self.paths, self.options.include_logs)
        files: list[StoreSource] = []
        if self.options.whole_home:
            stores, self.warnings = whole_home(self.paths, sources, self.options.no_open)
            files = [s for s in stores if not s.sqlite and (self.options.include_logs or s.kind not in _LOG_KINDS)]
            self.extra = [_ExtraDb(s, self.work / f"db-{i}.sqlite") for i, s in enumerate(st for st in stores
                                                                                       if st.sqlite)]
        with ThreadPoolExecutor(2, thread_name_prefix="backup") as pool:
            # The snapshot (one sqlite3 step, one core) runs while the logs stream on the other core.
            snap = pool.submit(self._snapshot, t0)
            # The check starts the moment the copy exists, beside the rest of the streaming.
            checked = pool.submit(self._check_after, snap)
            # The other databases, snapshot then check each, queued behind the first snapshot (2 cores).
            for extra in self.extra:
                extra.checked = pool.submit(self._extra_db, extra)
            try:
                db = self._write_beside_check(sources, files, snap, checked)
            except BaseException:
                self._failed.set()  # the check stops at once; the snapshot (one step) ends on its own
                raise
        _publish(self.tmp, self.final)
        _fsync_dir(self.backups)
        size = self.final.stat().st_size
        return BackupResult(self.final, size, self.date, self.created, time.perf_counter() - t0,
                            sum(r.size for r in self.records), len(self.records) + 1, db.integrity, db.tables, db.check,
                            warnings=self.warnings, timings={k: round(v, 3) for k, v in self.timings.items()},
                            stores=[e.as_json() for e in self.extra])

    def _write_beside_check(self, sources: list[Source], files: list[StoreSource], snap: Future[str],
                            checked: Future[DbFacts]) -> DbFacts:
        """``_write``; for a full check, in a thread of lower priority (its compressor threads inherit it).

        integrity_check (one thread, ~1.8 s of CPU on 220 MB) starts when the
        snapshot is out and is the critical path of a full backup. With the
        reader, the compressor and the check runnable on two cores, the
        scheduler shares the cores evenly and the check is slowed; niced, the
        streaming uses what the check leaves, and everything once it ends
        (measured, 5 alternating runs: median 2.27 s vs 2.65 s). The thread -
        and its niceness - ends with the backup: the caller's thread is untouched.
        """
        # Linux only: elsewhere PRIO_PROCESS with a thread id would name a process, or the whole process.
        if self.options.check != "full" or not sys.platform.startswith("linux"):
            return self._write(sources, files, snap, checked)
        pool = ThreadPoolExecutor(1, thread_name_prefix="compress", initializer=_lower_priority)
        try:
            return pool.submit(self._write, sources, files, snap, checked).result()
        except BaseException:
            self.cancel.set()  # e.g. Ctrl-C while waiting: the streaming stops at its next megabyte
            raise
        finally:
            pool.shutdown(wait=True)

    def _snapshot(self, t0: float) -> str:
        try:
            journal = snapshot(self.paths.db, self.copy)
        except ArchiveError:
            if not self.options.raw_fallback:
                raise
            journal = self._raw_copy()
        self.timings["snapshot"] = time.perf_counter() - t0
        return journal

    def _raw_copy(self) -> str:
        """The database file's bytes as they are (safety archive of a file SQLite cannot read), or nothing."""
        import shutil

        self.copy.unlink(missing_ok=True)
        if not self.paths.db.exists():
            return "none (no database file)"
        shutil.copyfile(self.paths.db, self.copy)
        return "unknown (not a readable database: its bytes are kept as they are)"

    @property
    def threads(self) -> int:
        """One compressor thread while integrity_check runs, one per core otherwise.

        integrity_check (single-threaded, ~2 s on 220 MB) is the critical
        path of a full backup; more compressor threads only take cores from it
        (measured: 3.3-3.5 s with one, 3.5-4.1 s with two on 2 cores), while a
        quick_check backup is compression-bound and gains from two (1.9 vs 2.1 s).
        """
        if self.options.threads > 0:
            return self.options.threads
        return 1 if self.options.check == "full" else 0

    def _check_after(self, snap: Future[str]) -> DbFacts:
        snap.result()
        if not self.copy.exists():  # a safety archive of a home whose database file was missing
            return DbFacts(integrity=["no database file: the home had none"])
        return facts(self.copy, self.options.check, self._stopped)

    def _stopped(self) -> bool:
        return self._failed.is_set() or self.cancel.is_set()

    def _extra_db(self, extra: _ExtraDb) -> DbFacts:
        """Snapshot one more database (one backup step, as the first), then check the copy."""
        if self._stopped():
            extra.snapped.set_result("")
            return DbFacts(integrity=["interrupted"])
        try:
            journal = snapshot(extra.source.path, extra.copy)
        except ArchiveError as exc:
            # Gone, or a file SQLite cannot read: not archived (a file copy of a live database could miss
            # the rows of its -wal), and said so.
            extra.copy.unlink(missing_ok=True)
            self.warnings.append(f"{extra.source.path}: not archived ({exc})")
            extra.snapped.set_result("")
            return DbFacts(integrity=[f"not archived: {exc}"])
        except BaseException as exc:
            extra.snapped.set_exception(exc)
            raise
        extra.journal = journal
        extra.snapped.set_result(journal)
        return facts(extra.copy, self.options.check, self._stopped)

    def _write(self, sources: list[Source], files: list[StoreSource], snap: Future[str],
               checked: Future[DbFacts]) -> DbFacts:
        """Stream state files, logs and other stores, then the database copies, then the manifest; fsync."""
        t1 = time.perf_counter()
        total = sum(_size(p) for p in [self.paths.db, *(s.path for s in sources), *(f.path for f in files),
                                       *(e.source.path for e in self.extra)])
        reporter = Reporter(self.progress, self.cancel, COMPRESS, total)
        reporter.start(self.final.name)
        fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw:
            make_private(raw.fileno())
            gz = open_writer(raw, self.options.level, self.threads)
            try:
                flags = (x.flag for x in self.options.extras)
                tar = TarWriter(gz, origin_comment(mf.FORMAT_VERSION, self.options.purpose, *flags))
                self._files(tar, sources, reporter)
                self._stores(tar, files, reporter)
                journal = snap.result()
                gz.close()  # the database gets its own gzip member, at the level that keeps the size bound
                gz = open_writer(raw, self.options.db_level, self.threads)
                tar.switch(gz)
                self._add(tar, self.copy, "public_users.db", "database", str(self.paths.db), reporter)
                self._extra_dbs(tar, reporter)
                for path, rel, kind, source in finish_all(self.options.extras):
                    self._add(tar, path, rel, kind, source, reporter)
                self.timings["compress"] = time.perf_counter() - t1
                t2 = time.perf_counter()
                Reporter(self.progress, self.cancel, VERIFY, 0).start("integrity_check of the copy")
                db = checked.result()
                self._extra_checks()
                self.cancel.check()  # a check interrupted by cancel is no result
                if not db.intact and self.options.require_intact:
                    raise ArchiveError(f"the database copy failed {db.check}: " + "; ".join(db.integrity[:3]))
                data = mf.build(self.paths, self.date, self.created, self.options.purpose, journal, db,
                                self.records, [e.as_json() for e in self.extra if e.archived],
                                dict(x.section() for x in self.options.extras))
                tar.add_bytes(member_path(self.date, MANIFEST), data, time.time())
                tar.close()
            finally:
                gz.close()  # also on failure: stops the compressor threads (the file is deleted)
            raw.flush()
            os.fsync(raw.fileno())
        self.timings["verify"] = time.perf_counter() - t2
        return db

    def _files(self, tar: TarWriter, sources: list[Source], reporter: Reporter) -> None:
        now = time.time()
        tar.add_dir("backups", now)
        tar.add_dir(member_path(self.date, ""), now)
        for rel in state_dirs([s for s in sources if s.kind == "state"]):
            tar.add_dir(member_path(self.date, rel), now)
        for rel in sorted({s.rel.split("/")[0] for s in sources if s.kind == "log" and "/" in s.rel}):
            tar.add_dir(member_path(self.date, rel), now)
        for s in sources:
            self._add(tar, s.path, s.rel, s.kind, str(s.path), reporter)

    def _stores(self, tar: TarWriter, files: list[StoreSource], reporter: Reporter) -> None:
        """The other stores' files (state, keys, logs) under ``home/`` and ``bot/``, with their folders."""
        now = time.time()
        dirs: set[str] = set()
        for f in files:
            parts = f.rel.split("/")[:-1]
            dirs.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        for e in self.extra:
            parts = e.source.rel.split("/")[:-1]
            dirs.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        for rel in sorted(dirs):
            tar.add_dir(member_path(self.date, rel), now)
        for f in files:
            kind = "store-log" if f.kind in _LOG_KINDS else "store"
            self._add(tar, f.path, f.rel, kind, str(f.path), reporter, nofollow=True)

    def _extra_dbs(self, tar: TarWriter, reporter: Reporter) -> None:
        """Each other database's copy, as soon as its snapshot is out (its check may still run)."""
        for e in self.extra:
            if e.snapped.result():
                self._add(tar, e.copy, e.source.rel, "database", str(e.source.path), reporter)
                e.archived = True

    def _extra_checks(self) -> None:
        """Wait for the other databases' checks; a failed one is recorded and said, not fatal."""
        for e in self.extra:
            assert e.checked is not None
            e.facts = e.checked.result()
            if e.archived and not e.facts.intact:
                self.warnings.append(f"{e.source.path}: the copy failed {e.facts.check}: "
                                     + "; ".join(e.facts.integrity[:3]))

    def _add(self, tar: TarWriter, path: Path, rel: str, kind: str, source: str, reporter: Reporter,
             nofollow: bool = False) -> None:
        try:
            with open_regular(path, nofollow) as f:
                st = os.fstat(f.fileno())
                digest = tar.add_stream(member_path(self.date, rel), f, st.st_size, st.st_mtime, reporter)
        except FileNotFoundError:
            return  # rotated away between listing and opening: it is in the next file's history
        except NotRegular:
            self.warnings.append(f"{path}: replaced by a link or special file while backing up; not archived")
            return
        self.records.append(mf.MemberRecord(rel, kind, st.st_size, digest, source))

    def cleanup(self, failed: bool) -> None:
        import shutil

        close_all(self.options.extras, failed)
        shutil.rmtree(self.work, ignore_errors=True)
        self.claim.unlink(missing_ok=True)
        if failed:
            self.tmp.unlink(missing_ok=True)


_LOG_KINDS = frozenset({"jsonl", "text-log"})
@dataclass
class _ExtraDb:
    """One more database of the whole-home backup: its source, copy, snapshot and check."""

    source: StoreSource
    copy: Path
    snapped: Future[str] = field(default_factory=Future)  # the source's journal mode; "" when not archived
    checked: Future[DbFacts] | None = None
    facts: DbFacts = field(default_factory=DbFacts)
    journal: str = ""
    archived: bool = False

    def as_json(self) -> dict[str, Any]:
        """The manifest's entry (docs/data-formats.md, 'Other SQLite stores')."""
        f = self.facts
        return {"member": self.source.rel, "source": str(self.source.path), "page_size": f.page_size,
                "page_count": f.page_count, "journal_mode": self.journal, "tables": f.tables,
                "integrity_check": f.integrity, "check": f.check}


def _lower_priority() -> None:
    """Nice the calling thread by NICE (Linux: per thread; threads it starts inherit it). Best effort."""
    tid = threading.get_native_id()
    with contextlib.suppress(OSError):  # not permitted, or not per-thread here: only slower
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + NICE))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def make_backup(paths: DataPaths, options: BackupOptions | None = None, progress: ProgressFn = no_progress,
                cancel: CancelFlag | None = None, now: datetime | None = None) -> BackupResult:
    """Make ``<backups>/<DATE>.tar.gz`` of the data home; raises ArchiveError (or Cancelled) and leaves nothing.

    Python's sqlite3 opens the database: never call this in the GUI process.
    """
    options = options or BackupOptions()
    cancel = cancel or CancelFlag()
    paths.backups.mkdir(parents=True, exist_ok=True, mode=0o700)
    remove_stale(paths.backups)
    job = _Job(paths, options, progress, cancel, now or datetime.now().astimezone())
    failed = True
    try:
        result = job.run()
        failed = False
    finally:
        job.cleanup(failed)
    if options.record:
        record_backup(paths, options, result)
    return result


def record_backup(paths: DataPaths, options: BackupOptions, result: BackupResult) -> None:
    """The audit entry, the safety mark and retention of a finished archive.

    Separate from making it so that a restore can make its safety backup
    concurrently with checking the archive and record it only once the
    restore goes ahead (a refused archive must leave the data home, audit
    log included, unchanged).
    """
    if options.purpose == "safety":
        set_last_safety(paths.backups, result.path.name)
    try:
        AuditWriter(audit_log_path(paths)).log("backup_created", archive=str(result.path), size=result.size,
                                           purpose=options.purpose, check=result.check)
    except OSError as exc:
        result.warnings.append(f"could not append to the audit log: {exc}")
    if options.keep is not None:
        result.deleted = apply_retention(paths.backups, options.keep, protect={result.path.name})
