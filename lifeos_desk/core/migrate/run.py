"""One migration, start to end: snapshot, plan, load, verify, and what the bot wrote meanwhile.

The API a window dialog calls as well as the command: ``plan_stores`` for
the DDL preview, ``migrate`` with a progress function and a cancel flag
(``core.archive.progress``: the same Progress the backup reports), and
``verify_target`` to check an already-migrated target again.

Where the time goes (issue 16, "Speed"): planning assumes the declared
types (``profile.assume_table``) instead of scanning every value first; the
SQLite side of the verification runs in a second process beside the load
(``sidecar.py``) and, reading every value anyway, confirms that assumption
before the store's transaction commits; PostgreSQL's side runs after the
commit, a connection per table in parallel. A refuted assumption rolls the
store back; it is then profiled value by value and loaded again.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..archive.progress import CancelFlag, Progress, ProgressFn, no_progress
from .errors import LoadFailed, MigrateError
from .load import ddl_preview, load_store
from .profile import assume_table, profile_table
from .sidecar import SourceChecksums
from .source import counts_now, read_tables, snapshot_of
from .target import connect
from .translate import TablePlan
from .verify import Checksum, Refuted, first_difference, pg_checksum, prepare_session

PLAN, LOAD, VERIFY = "plan", "load", "verify"
SOURCE = "source checksums, beside the load"
PG_WORKERS = 2  # connections computing PostgreSQL's checksums at once (each may use parallel workers)


@dataclass
class TableReport:
    """One table's outcome."""

    store: str
    table: str
    source_rows: int
    target_rows: int | None = None
    verified: bool = False
    difference: str = ""
    live_rows: int | None = None  # rows in the live store after the migration
    notes: list[str] = field(default_factory=list)

    @property
    def not_migrated(self) -> int:
        """Rows the live store gained after the snapshot (written while we worked)."""
        return max(0, (self.live_rows or 0) - self.source_rows) if self.live_rows is not None else 0


@dataclass
class MigrateReport:
    """Every table's outcome, the DDL, and the seconds spent."""

    tables: list[TableReport] = field(default_factory=list)
    ddl: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Every table verified."""
        return bool(self.tables) and all(t.verified for t in self.tables)


@dataclass
class _Snap:
    key: str  # the store's position: two stores may share a file name
    store: Path
    con: sqlite3.Connection
    path: Path
    plans: list[TablePlan]


@contextmanager
def _snapshots(stores: Sequence[Path], progress: ProgressFn, cancel: CancelFlag,
               assume: bool) -> Iterator[list[_Snap]]:
    """A snapshot and a plan per store (kept open for the load and verification)."""
    with ExitStack() as stack:
        snaps: list[_Snap] = []
        seen: dict[str, Path] = {}
        for n, store in enumerate(stores):
            cancel.check()
            progress(Progress(PLAN, 0, 0, f"snapshot of {store.name}"))
            con, path = stack.enter_context(snapshot_of(store))
            plans = []
            for table in read_tables(con):
                cancel.check()
                progress(Progress(PLAN, 0, 0, f"{store.name}: {table.name}"))
                plans.append(assume_table(con, table) if assume else profile_table(con, table))
                other = seen.setdefault(table.name.lower(), store)
                if other != store:
                    raise MigrateError(f"table {table.name} is in both {other} and {store}: one schema cannot "
                                       "hold both (migrate them with different --schema)")
            snaps.append(_Snap(str(n), store, con, path, plans))
        yield snaps


def plan_stores(stores: Sequence[Path], schema: str = "public", replace: bool = False,
                progress: ProgressFn = no_progress, cancel: CancelFlag | None = None) -> MigrateReport:
    """The DDL a migration would run (``--dry-run``), with the notes per table; touches no target."""
    report = MigrateReport()
    with _snapshots(stores, progress, cancel or CancelFlag(), assume=False) as snaps:
        for snap in snaps:
            report.ddl += ddl_preview(snap.plans, schema, replace)
            report.tables += [TableReport(snap.store.name, p.name, p.rows, notes=list(p.notes)) for p in snap.plans]
    return report


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _pg_sums(url: str, schema: str, snaps: Sequence[_Snap], progress: ProgressFn,
             cancel: CancelFlag) -> dict[tuple[str, str], Checksum]:
    """PostgreSQL's checksum of every table, biggest first, a connection per table, PG_WORKERS at once."""
    import psycopg

    def one(plan: TablePlan) -> Checksum:
        pg: Any
        with closing(connect(url, autocommit=True)) as pg:
            prepare_session(pg)
            try:
                return pg_checksum(pg, plan, schema)
            except psycopg.Error as exc:
                raise MigrateError(f"cannot checksum {plan.name} in PostgreSQL: {_first_line(exc)}") from exc

    jobs = sorted(((s.key, p) for s in snaps for p in s.plans), key=lambda job: -job[1].rows)
    total, done = sum(p.rows for _k, p in jobs), 0
    out: dict[tuple[str, str], Checksum] = {}
    with ThreadPoolExecutor(max(1, min(PG_WORKERS, len(jobs))), thread_name_prefix="pg-checksum") as pool:
        futures = {pool.submit(one, p): (k, p) for k, p in jobs}
        try:
            for fut in as_completed(futures):
                key, plan = futures[fut]
                out[(key, plan.name)] = fut.result()
                done += plan.rows
                progress(Progress(VERIFY, done, total, f"PostgreSQL: {plan.name}"))
                cancel.check()
        finally:
            for fut in futures:
                fut.cancel()
    return out


def _compare(snaps: Sequence[_Snap], source: Callable[[str, str], Checksum],
             theirs: dict[tuple[str, str], Checksum], url: str, schema: str) -> list[TableReport]:
    """Per table: both checksums side by side; the first differing key where they disagree."""
    out = []
    for snap in snaps:
        for plan in snap.plans:
            mine, other = source(snap.key, plan.name), theirs[(snap.key, plan.name)]
            rep = TableReport(snap.store.name, plan.name, mine.rows, other.rows, mine == other,
                              notes=list(plan.notes))
            if not rep.verified:
                pg: Any
                with closing(connect(url, autocommit=True)) as pg:
                    prepare_session(pg)
                    rep.difference = first_difference(snap.con, pg, plan, schema)
            out.append(rep)
    return out


def verify_target(url: str, stores: Sequence[Path], schema: str = "public", progress: ProgressFn = no_progress,
                  cancel: CancelFlag | None = None) -> MigrateReport:
    """Check an already-migrated target against fresh snapshots of the stores (no load)."""
    flag = cancel or CancelFlag()
    report = MigrateReport()
    t0 = time.perf_counter()
    with _snapshots(stores, progress, flag, assume=False) as snaps, \
            SourceChecksums([(s.key, s.path, s.plans) for s in snaps]) as side:
        theirs = _pg_sums(url, schema, snaps, progress, flag)
        report.tables = _compare(snaps, lambda k, t: side.get(k, t, flag), theirs, url, schema)
    report.seconds[VERIFY] = time.perf_counter() - t0
    return report


def migrate(url: str, stores: Sequence[Path], schema: str = "public", replace: bool = False,
            progress: ProgressFn = no_progress, cancel: CancelFlag | None = None) -> MigrateReport:
    """Snapshot, load (one transaction per store) and verify every store into ``url``.

    Raises TargetNotEmpty, Cancelled or MigrateError before or during a
    store's load; that store's transaction is rolled back (stores loaded
    before it stay, each verified on its own).
    """
    flag = cancel or CancelFlag()
    report = MigrateReport()
    t0 = time.perf_counter()
    with _snapshots(stores, progress, flag, assume=True) as snaps, ExitStack() as children:
        report.seconds[PLAN] = time.perf_counter() - t0
        t1 = time.perf_counter()
        first = children.enter_context(SourceChecksums([(s.key, s.path, s.plans) for s in snaps]))
        sides = {s.key: first for s in snaps}
        for snap in snaps:
            sides[snap.key] = _load_confirmed(snap, first, url, schema, replace, progress, flag, children)
        report.seconds[LOAD] = time.perf_counter() - t1
        t2 = time.perf_counter()
        theirs = _pg_sums(url, schema, snaps, progress, flag)
        report.tables = _compare(snaps, lambda k, t: sides[k].get(k, t, flag), theirs, url, schema)
        report.seconds[VERIFY] = time.perf_counter() - t2
        report.seconds[SOURCE] = sum(side.seconds for side in {id(s): s for s in sides.values()}.values())
        for snap in snaps:
            report.ddl += ddl_preview(snap.plans, schema, replace)
    for store in {s.store for s in snaps}:
        live = counts_now(store) or {}
        for rep in report.tables:
            if rep.store == store.name:
                rep.live_rows = live.get(rep.table)
    return report


def _shape(plans: Sequence[TablePlan]) -> list[list[tuple[Any, int]]]:
    return [[(c.kind, c.misfits) for c in p.columns] for p in plans]


def _load_confirmed(snap: _Snap, side: SourceChecksums, url: str, schema: str, replace: bool,
                    progress: ProgressFn, cancel: CancelFlag, children: ExitStack) -> SourceChecksums:
    """Load a store on its assumed plans; when a value refutes them, profile, and load it again.

    Returns the child whose checksums belong to the plans finally loaded.
    """
    try:
        _load(snap, side, url, schema, replace, progress, cancel)
        return side
    except (Refuted, LoadFailed) as exc:
        if not any(p.assumed for p in snap.plans):
            raise
        exact = [profile_table(snap.con, p.table) if p.assumed else p for p in snap.plans]
        if isinstance(exc, LoadFailed) and _shape(exact) == _shape(snap.plans):
            raise  # the plan was right: PostgreSQL refused something else
        progress(Progress(PLAN, 0, 0, f"{snap.store.name}: some values do not fit their declared types, "
                                      "profiled; loading again"))
        snap.plans = exact
    again = children.enter_context(SourceChecksums([(snap.key, snap.path, snap.plans)]))
    _load(snap, again, url, schema, replace, progress, cancel)
    return again


def _load(snap: _Snap, side: SourceChecksums, url: str, schema: str, replace: bool, progress: ProgressFn,
          cancel: CancelFlag) -> None:
    total = sum(p.rows for p in snap.plans)
    done = 0

    def tick(table: str, n: int) -> None:
        nonlocal done
        done += n
        progress(Progress(LOAD, done, total, f"{snap.store.name}: {table}"))
        if (why := side.refuted(snap.key)) is not None:
            raise Refuted(why)

    def confirmed() -> None:
        """Wait (inside the transaction) until the source checksums confirm the plans."""
        progress(Progress(LOAD, done, total, f"{snap.store.name}: waiting for the source checksums"))
        for plan in snap.plans:
            side.get(snap.key, plan.name, cancel)

    import psycopg

    con: Any
    with closing(connect(url)) as con:
        try:
            load_store(snap.con, con, snap.plans, schema, replace, cancel, tick, confirmed)
        except psycopg.Error as exc:
            raise LoadFailed(f"loading {snap.store.name} failed and was rolled back, the target is unchanged: "
                             f"{_first_line(exc)}") from exc
