"""Verifying an archive: every byte read, every member checked, the database opened.

As restic ``check --read-data``: a backup is proven by reading it whole.
The gzip stream and tar structure are read to the end (CRC and length
included) under the same header rules as a restore (``extract.py``); each
member's size and SHA-256 are compared with the manifest (and nothing may be
missing or extra); the database is written to a temporary copy and must
pass ``integrity_check``, with the manifest's page count and row counts.
Archives made by ADR-005's script carry no manifest: they get the structural
and database checks. integrity_check runs as soon as the database member
is out, split over two threads with no check dropped (``dbcheck.py``;
docs/architecture.md, 'Splitting integrity_check'), while the rest of the
archive is still being read; the
whole-home backup's other databases (``home/``/``bot/`` members whose first
bytes are a SQLite header) are each checked the same way, on two workers
(the machine's two cores), and compared with the manifest's ``databases``.
A PostgreSQL dump member is read by ``pg_restore --list`` (pgverify.py).
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import manifest as mf
from .catalog import record_check
from .errors import ArchiveError, Cancelled
from .extract import CurrentOf, Scan, ScannedMember, make_workdir, no_current, scan_archive
from .gz import parse_comment
from .layout import Kind, MemberName
from .limits import Limits
from .pgverify import PgListing, pg_problems, pg_restore_list
from .progress import VERIFY, CancelFlag, ProgressFn, Reporter, no_progress
from .snapshot import DbFacts, facts

SQLITE_MAGIC = b"SQLite format 3\x00"
CHECK_WORKERS = 2  # the full check of each database on two threads (dbcheck.py): this machine's two cores


@dataclass
class VerifyReport:
    """The outcome of a verification; ``ok`` only when every check held."""

    archive: Path
    ok: bool
    problems: list[str] = field(default_factory=list)
    origin: str = ""  # console | script
    purpose: str = ""
    date: str = ""
    members: int = 0
    archive_bytes: int = 0
    content_bytes: int = 0
    seconds: float = 0.0
    integrity: list[str] = field(default_factory=list)
    check: str = "integrity_check"
    tables: dict[str, int] = field(default_factory=dict)
    databases: dict[str, dict[str, Any]] = field(default_factory=dict)  # the other databases: rows, check
    postgresql: dict[str, dict[str, Any]] = field(default_factory=dict)  # dumps: pg_restore --list, entries

    @property
    def message(self) -> str:
        """One line: what holds, or what failed."""
        if self.ok:
            rows = sum(self.tables.values())
            others = f" (+ {len(self.databases)} other databases, each {self.check} ok)" if self.databases else ""
            others += "".join(f" (+ PostgreSQL dump {rel}: hash ok, pg_restore --list {p['pg_restore']})"
                              for rel, p in self.postgresql.items())
            db = (f"{self.check} ok, {rows:,} rows in {len(self.tables)} tables" if self.integrity
                  else "no SQLite database")
            return f"OK: {self.members} members, {self.content_bytes:,} bytes, {db}{others}"
        return "FAILED: " + "; ".join(self.problems)

    def as_json(self) -> dict[str, Any]:
        """For ``--json-progress`` and the window."""
        return {"archive": str(self.archive), "ok": self.ok, "problems": self.problems, "origin": self.origin,
                "purpose": self.purpose, "date": self.date, "members": self.members,
                "archive_bytes": self.archive_bytes, "content_bytes": self.content_bytes,
                "seconds": round(self.seconds, 3), "integrity_check": self.integrity, "check": self.check,
                "tables": self.tables, "databases": self.databases, "postgresql": self.postgresql,
                "message": self.message}


class Checked:
    """A scan plus the database check started as soon as the copy was out.

    The check always runs, for verify and restore alike: a manifest's
    ``integrity_check: ok`` is a claim, not a proof - a database whose index
    disagrees with its table, packed with matching SHA-256s, would otherwise
    go live (docs/architecture.md, "Backup and restore").
    """

    def __init__(self, pool: ThreadPoolExecutor, check: str, cancel: CancelFlag) -> None:
        self._pool, self._check, self._cancel = pool, check, cancel
        self.failed = threading.Event()
        self.db: Future[DbFacts] | None = None
        self.others: dict[str, Future[DbFacts]] = {}
        self.dumps: dict[str, Future[PgListing]] = {}
        self.drop_files = False

    def stopped(self) -> bool:
        """Polled by SQLite during the check: cancelled, or the scan failed."""
        return self.failed.is_set() or self._cancel.is_set()

    def on_stored(self, member: ScannedMember, scan: Scan) -> None:
        """Start the check when a database member is complete (the rest of the archive still streams)."""
        if member.path is None:
            return
        if member.name.kind is Kind.DATABASE:
            self.db = self._pool.submit(facts, member.path, self._check, self.stopped, CHECK_WORKERS)
        elif member.name.kind is Kind.STORE:
            if _is_sqlite(member.path):
                self.others[member.name.rel] = self._pool.submit(facts, member.path, self._check, self.stopped,
                                                                  CHECK_WORKERS)
            elif self.drop_files:  # verify keeps only databases: a state file was hashed on its way
                member.path.unlink(missing_ok=True)
                member.path = None
        elif member.name.kind is Kind.PGDUMP:
            self.dumps[member.name.rel] = self._pool.submit(pg_restore_list, member.path)

    def after_scan(self, scan: Scan) -> DbFacts | None:
        """The database facts once the whole archive is read (the others go into ``scan.databases``)."""
        scan.databases = {rel: f.result() for rel, f in self.others.items()}
        scan.pg_listings = {rel: f.result() for rel, f in self.dumps.items()}
        if self.db is not None:
            return self.db.result()
        return None


def read_checked(archive: Path, limits: Limits | None, progress: ProgressFn, cancel: CancelFlag, keep_all: bool,
                 stage: str = VERIFY, check: str = "full",
                 current_of: CurrentOf | None = None) -> tuple[Scan, DbFacts | None, list[str]]:
    """Scan (keeping the database, or everything) and check; the caller cleans the scan up.

    Raises ArchiveError when the archive is refused or unreadable.
    """
    if not archive.is_file():
        raise ArchiveError(f"no archive at {archive}")
    limits = (limits or Limits()).for_folder(archive.parent)
    reporter = Reporter(progress, cancel, stage, archive.stat().st_size)
    reporter.start(archive.name)
    workdir = make_workdir(archive.parent)
    try:
        with ThreadPoolExecutor(2, thread_name_prefix="integrity") as pool:
            checked = Checked(pool, check, cancel)
            checked.drop_files = not keep_all
            try:
                scan = scan_archive(archive, limits, reporter, _keep_all if keep_all else _keep_db, workdir,
                                    checked.on_stored, current_of or no_current)
            except BaseException:
                checked.failed.set()
                raise
            db = checked.after_scan(scan)
        cancel.check()  # a check interrupted by cancel is no result
    except BaseException:
        # Again once the check's thread has ended: it may have held the copy open during the first try.
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return scan, db, check_scan(scan, db)


def _keep_db(name: MemberName) -> bool:
    # A STORE is dropped once its header says it is no database; a PGDUMP goes to pg_restore --list.
    return name.kind in (Kind.DATABASE, Kind.STORE, Kind.PGDUMP)


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def _keep_all(_name: MemberName) -> bool:
    return True


def check_scan(scan: Scan, db: DbFacts | None) -> list[str]:
    """Every problem found in a completed scan (empty: the archive holds)."""
    problems: list[str] = []
    if scan.manifest is not None:
        problems += _manifest_problems(scan)
    elif scan.console_made:
        problems.append("manifest.json is missing: the archive is incomplete")
    dumps = {rel: (m.size, m.sha256) for rel, m in scan.members.items() if m.name.kind is Kind.PGDUMP}
    if db is None and not dumps:  # a PostgreSQL session's home may have no SQLite database
        problems.append("the archive holds no public_users.db")
    elif db is not None:
        if not db.intact:
            problems.append(f"the archived database fails {db.check}: " + "; ".join(db.integrity[:3]))
        if scan.manifest is not None:
            problems += _db_vs_manifest(scan.manifest, db)
    problems += _other_dbs(scan) + pg_problems(scan.manifest, dumps, scan.pg_listings)
    return problems


def _other_dbs(scan: Scan) -> list[str]:
    """Each other database intact, and as the manifest's ``databases`` describes it."""
    problems = []
    listed = {d.get("member"): d for d in (scan.manifest or {}).get("databases") or [] if isinstance(d, dict)}
    for rel, got in scan.databases.items():
        if not got.intact:
            problems.append(f"the archived {rel} fails {got.check}: " + "; ".join(got.integrity[:3]))
        want = listed.get(rel)
        if scan.manifest is not None and want is None:
            problems.append(f"{rel} is a database the manifest does not describe")
        elif want is not None and (want.get("page_count") != got.page_count or want.get("tables") != got.tables):
            problems.append(f"{rel}: page count or row counts differ from the manifest")
    problems += [f"{rel} is listed as a database in the manifest but is none" for rel in listed
                 if isinstance(rel, str) and rel in scan.members and rel not in scan.databases]
    return problems


def _manifest_problems(scan: Scan) -> list[str]:
    doc = scan.manifest or {}
    if doc.get("format") != mf.FORMAT or not isinstance(doc.get("format_version"), int):
        return ["manifest.json is not a lifeos-desk manifest"]
    if doc["format_version"] > mf.FORMAT_VERSION:
        return [f"manifest format {doc['format_version']} is newer than this console understands"]
    listed = mf.listed_members(doc)
    if listed is None:
        return ["manifest.json has a malformed member list"]
    problems = []
    if doc.get("date") != scan.date:
        problems.append(f"manifest date {doc.get('date')!r} differs from the folder backups/{scan.date}/")
    found = {rel: m for rel, m in scan.members.items() if m.name.kind is not Kind.MANIFEST}
    for name, (size, sha) in listed.items():
        got = found.get(name)
        if got is None:
            problems.append(f"{name} is listed in the manifest but missing")
        elif got.size != size:
            problems.append(f"{name} is {got.size:,} bytes, the manifest says {size:,}")
        elif got.sha256 != sha:
            problems.append(f"{name} does not match its SHA-256 in the manifest")
    problems += [f"{name} is in the archive but not in the manifest" for name in found if name not in listed]
    return problems


def _db_vs_manifest(doc: dict[str, Any], db: DbFacts) -> list[str]:
    want = doc.get("database")
    if not isinstance(want, dict):
        return ["manifest.json has no database section"]
    problems = []
    if want.get("page_count") != db.page_count or want.get("page_size") != db.page_size:
        problems.append("the database's page size or count differs from the manifest")
    if want.get("tables") != db.tables:
        problems.append("the database's row counts differ from the manifest")
    return problems


def verify_archive(archive: Path, limits: Limits | None = None, progress: ProgressFn = no_progress,
                   cancel: CancelFlag | None = None, record: bool = True, check: str = "full") -> VerifyReport:
    """Read and check a whole archive; never raises for a bad archive (the report says why).

    Raises Cancelled when cancelled. ``record`` stores the result for the
    backups list. Python's sqlite3 opens the copy: not in the GUI process.
    """
    t0 = time.perf_counter()
    report = VerifyReport(archive, ok=False)
    try:
        scan, db, problems = read_checked(archive, limits, progress, cancel or CancelFlag(), keep_all=False,
                                          check=check)
    except Cancelled:
        raise
    except ArchiveError as exc:
        report.problems = [str(exc)]
    else:
        scan.cleanup()
        _fill(report, scan, db, problems)
    report.seconds = time.perf_counter() - t0
    if archive.is_file():
        report.archive_bytes = archive.stat().st_size
        if record:
            with contextlib.suppress(OSError):  # a read-only backups folder: the result is still reported
                record_check(archive, report.ok, report.message)
    return report


def _fill(report: VerifyReport, scan: Scan, db: DbFacts | None, problems: list[str]) -> None:
    parsed = parse_comment(scan.comment)
    report.origin = "console" if parsed else "script"
    report.purpose = parsed[1] if parsed else ""
    report.date = scan.date
    report.members = len(scan.members)
    report.content_bytes = sum(m.size for m in scan.members.values())
    report.problems = problems
    report.ok = not problems
    if db is not None:
        report.integrity, report.tables, report.check = db.integrity, db.tables, db.check
    report.databases = {rel: {"tables": f.tables, "integrity_check": f.integrity}
                        for rel, f in scan.databases.items()}
    report.postgresql = {rel: p.as_json() for rel, p in scan.pg_listings.items()}
