"""The entry point: ``generate_demo_home`` validates a spec and orchestrates one run.

Why separate: it is the only place that knows the order of the phases (keys,
database, logs, state files) and the all-or-nothing rule: the database is
built under a temporary name and renamed into place only when complete.
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from ..keys import BOT_ITERATIONS
from ..paths import DB_FILENAME
from .adr import _load_adr
from .common import SCHEMAS, DemoResult, DemoSpec, Progress, _rng, _Stream, demo_passphrase
from .context import _count, _Ctx, _open_bulk
from .deployed import _load_deployed
from .logs import _write_logs
from .people import _Clock, _end_epoch, _make_users, _Prices, _seal_wallets
from .state import _adr_positions, _treasury_positions, _write_state


def _validate(spec: DemoSpec) -> None:
    if spec.schema not in SCHEMAS:
        raise ValueError(f"schema must be one of {SCHEMAS}, not {spec.schema!r}")
    if spec.users < 1 or spec.trades < 0 or spec.log_lines < 0 or spec.seed < 0:
        raise ValueError("users must be >= 1; trades, log_lines and seed >= 0")


def _table_counts(con: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {name: _count(con, name) for name in names}


def _build_db(path: Path, ctx: _Ctx, home: Path) -> dict[str, int]:
    """Load the database and write everything derived from it; returns counts."""
    with closing(_open_bulk(path)) as con:
        (_load_adr if ctx.spec.schema == "adr" else _load_deployed)(con, ctx)
        counts = _table_counts(con)
        if ctx.spec.schema == "adr":
            open_pos, closed = _adr_positions(con, "OPEN", 50), _adr_positions(con, "CLOSED", 3)
        else:
            treasury = _treasury_positions(ctx, _rng(ctx.seed, _Stream.STATE, 1), 11)
            open_pos, closed = treasury[:8], treasury[8:]
        counts.update(_write_logs(home, con, ctx))
        # Leave the file as its writer keeps it: WAL per the ADR, rollback journal for the bot.
        con.execute("PRAGMA journal_mode=" + ("WAL" if ctx.spec.schema == "adr" else "DELETE"))
    counts.update(_write_state(home, ctx, open_pos, closed))
    return counts


def generate_demo_home(home: Path, spec: DemoSpec, progress: Progress | None = None) -> DemoResult:
    """Write a complete demo data home at ``home`` (which plays ``~/.lifeos``).

    Refuses with FileExistsError when ``home/public_users.db`` exists. The
    database is built under a temporary name and renamed into place at the
    end, so a failed run never leaves a half-built database behind.
    """
    _validate(spec)
    db = Path(home) / DB_FILENAME
    if db.exists():
        raise FileExistsError(f"{db} already exists: a demo home is only written into a fresh folder")
    db.parent.mkdir(parents=True, exist_ok=True)
    say: Progress = progress or (lambda _msg: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    clock = _Clock(_end_epoch(spec))
    passphrase = demo_passphrase(spec.seed)
    users = _make_users(spec, clock)
    say(f"sealing {spec.users} wallet keys ({BOT_ITERATIONS:,} PBKDF2 iterations each)")
    wallets = _seal_wallets(spec, passphrase, say)
    timings["keys"] = time.perf_counter() - t0
    ctx = _Ctx(spec, clock, _Prices(spec.seed, clock), users, wallets, say)
    partial = db.with_name(db.name + ".partial")
    partial.unlink(missing_ok=True)
    t1 = time.perf_counter()
    try:
        counts = _build_db(partial, ctx, db.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, db)
    timings["db_and_logs"] = time.perf_counter() - t1
    say(f"done: {db}")
    return DemoResult(db.parent, passphrase, counts, timings)
