"""One migration, start to end: snapshot, plan, load, verify, and what the bot wrote meanwhile.

The API a window dialog calls as well as the command: ``plan_stores`` for
the DDL preview, ``migrate`` with a progress function and a cancel flag
(``core.archive.progress``: the same Progress the backup reports), and
``verify_target`` to check an already-migrated target again.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..archive.progress import CancelFlag, Progress, ProgressFn, no_progress
from .errors import MigrateError
from .load import ddl_preview, load_store
from .source import counts_now, read_tables, snapshot_of
from .target import connect
from .translate import TablePlan, profile_table
from .verify import Checksum, first_difference, pg_checksum, sqlite_checksum

PLAN, LOAD, VERIFY = "plan", "load", "verify"


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
    store: Path
    con: sqlite3.Connection
    plans: list[TablePlan]


@contextmanager
def _snapshots(stores: Sequence[Path], progress: ProgressFn, cancel: CancelFlag) -> Iterator[list[_Snap]]:
    """A snapshot and a plan per store (kept open for the load and verification)."""
    with ExitStack() as stack:
        snaps: list[_Snap] = []
        seen: dict[str, Path] = {}
        for store in stores:
            cancel.check()
            progress(Progress(PLAN, 0, 0, f"snapshot of {store.name}"))
            con = stack.enter_context(snapshot_of(store))
            plans = []
            for table in read_tables(con):
                cancel.check()
                progress(Progress(PLAN, 0, 0, f"{store.name}: {table.name}"))
                plans.append(profile_table(con, table))
                other = seen.setdefault(table.name.lower(), store)
                if other != store:
                    raise MigrateError(f"table {table.name} is in both {other} and {store}: one schema cannot "
                                       "hold both (migrate them with different --schema)")
            snaps.append(_Snap(store, con, plans))
        yield snaps


def plan_stores(stores: Sequence[Path], schema: str = "public", replace: bool = False,
                progress: ProgressFn = no_progress, cancel: CancelFlag | None = None) -> MigrateReport:
    """The DDL a migration would run (``--dry-run``), with the notes per table; touches no target."""
    report = MigrateReport()
    with _snapshots(stores, progress, cancel or CancelFlag()) as snaps:
        for snap in snaps:
            report.ddl += ddl_preview(snap.plans, schema, replace)
            report.tables += [TableReport(snap.store.name, p.name, p.rows, notes=list(p.notes)) for p in snap.plans]
    return report


def _verify_store(snap: _Snap, url: str, schema: str, progress: ProgressFn, cancel: CancelFlag) -> list[TableReport]:
    """Both checksums per table; PostgreSQL's runs in a thread while Python hashes the snapshot."""
    out = []
    total = sum(p.rows for p in snap.plans)
    done = 0
    with closing(connect(url, autocommit=True)) as pg, ThreadPoolExecutor(1) as pool:
        pg.execute("SET TimeZone = 'UTC'")
        pending = {p.name: pool.submit(pg_checksum, pg, p, schema) for p in snap.plans}
        for plan in snap.plans:
            detail = f"{snap.store.name}: {plan.name}"

            def tick(n: int, detail: str = detail) -> None:
                nonlocal done
                done += n
                cancel.check()
                progress(Progress(VERIFY, done, total, detail))

            mine = sqlite_checksum(snap.con, plan, tick)
            theirs: Checksum = pending[plan.name].result()
            rep = TableReport(snap.store.name, plan.name, mine.rows, theirs.rows, mine == theirs,
                              notes=list(plan.notes))
            if not rep.verified:
                rep.difference = first_difference(snap.con, pg, plan, schema)
            out.append(rep)
    return out


def verify_target(url: str, stores: Sequence[Path], schema: str = "public", progress: ProgressFn = no_progress,
                  cancel: CancelFlag | None = None) -> MigrateReport:
    """Check an already-migrated target against fresh snapshots of the stores (no load)."""
    flag = cancel or CancelFlag()
    report = MigrateReport()
    t0 = time.perf_counter()
    with _snapshots(stores, progress, flag) as snaps:
        for snap in snaps:
            report.tables += _verify_store(snap, url, schema, progress, flag)
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
    with _snapshots(stores, progress, flag) as snaps:
        report.seconds[PLAN] = time.perf_counter() - t0
        for snap in snaps:
            report.ddl += ddl_preview(snap.plans, schema, replace)
        t1 = time.perf_counter()
        for snap in snaps:
            _load(snap, url, schema, replace, progress, flag)
        report.seconds[LOAD] = time.perf_counter() - t1
        t2 = time.perf_counter()
        for snap in snaps:
            report.tables += _verify_store(snap, url, schema, progress, flag)
        report.seconds[VERIFY] = time.perf_counter() - t2
    for store in {s.store for s in snaps}:
        live = counts_now(store) or {}
        for rep in report.tables:
            if rep.store == store.name:
                rep.live_rows = live.get(rep.table)
    return report


def _load(snap: _Snap, url: str, schema: str, replace: bool, progress: ProgressFn, cancel: CancelFlag) -> None:
    total = sum(p.rows for p in snap.plans)
    done = 0

    def tick(table: str, n: int) -> None:
        nonlocal done
        done += n
        progress(Progress(LOAD, done, total, f"{snap.store.name}: {table}"))

    import psycopg

    con: Any
    with closing(connect(url)) as con:
        try:
            load_store(snap.con, con, snap.plans, schema, replace, cancel, tick)
        except psycopg.Error as exc:
            text = str(exc).strip().splitlines()
            raise MigrateError(f"loading {snap.store.name} failed and was rolled back, the target is unchanged: "
                               f"{text[0] if text else type(exc).__name__}") from exc
