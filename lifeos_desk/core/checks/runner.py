"""The list of checks and running them: independent checks in parallel threads, progress per check.

Threads suffice: the heavy checks spend their time inside SQLite, which
releases the GIL, and each opens its own read-only connection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from . import aggregates, arithmetic, fees, integrity, state, trail
from .context import AuditContext, Progress
from .finding import Finding, Severity


@dataclass(frozen=True)
class Check:
    """One named unit: an id, a one-line description, and the function that runs it."""

    id: str
    title: str
    run: Callable[[AuditContext], list[Finding]]


CHECKS: tuple[Check, ...] = (
    Check("aggregates.user_stats", "user_stats recomputed from transactions", aggregates.user_stats),
    Check("aggregates.positions", "positions against the BUYs they hold", aggregates.positions),
    Check("arithmetic.adr_trades", "ADR trades: pnl, amount_usd, times", arithmetic.adr_trades),
    Check("aggregates.rate_limits", "rate_limits against today's BUYs", aggregates.rate_limits),
    Check("trail.trade_events", "audit trail trade events against trades", trail.trade_events),
    Check("aggregates.fees", "success fees and distributions", fees.fees),
    Check("arithmetic.treasury_history", "treasury positions and history arithmetic", arithmetic.treasury_history),
    Check("arithmetic.treasury_db", "treasury database positions and scorecard", arithmetic.treasury_db),
    Check("state.positions_history", "open positions against the closed history", state.positions_history),
    Check("state.intents", "exit intents against their positions", state.intents),
    Check("state.stops", "stops, ladders, trailing and time stops", state.stops),
    Check("state.emergency_stop", "trades during an emergency stop", state.emergency_stop),
    Check("integrity.rewritten_logs", "logs against earlier backup manifests", integrity.rewritten_logs),
    Check("integrity.daily_chain", "daily audit hash chain", integrity.daily_chain),
    Check("integrity.time_order", "timestamps going backwards", integrity.time_order),
)
CHECK_IDS = tuple(c.id for c in CHECKS)


def select(ids: Sequence[str] | None) -> list[Check]:
    """The checks named (an id or a prefix such as ``state``); all when none. Unknown names raise ValueError."""
    if not ids:
        return list(CHECKS)
    chosen = [c for c in CHECKS if any(c.id == i or c.id.startswith(i.rstrip(".") + ".") for i in ids)]
    unknown = [i for i in ids if not any(c.id == i or c.id.startswith(i.rstrip(".") + ".") for c in CHECKS)]
    if unknown:
        raise ValueError(f"unknown check {', '.join(unknown)} (known: {', '.join(CHECK_IDS)})")
    return chosen


def run_checks(ctx: AuditContext, checks: Sequence[Check] | None = None, progress: Progress | None = None,
               workers: int = 4) -> list[Finding]:
    """Every finding of the given checks, errors first, in a stable order."""
    say = progress or (lambda _m: None)
    todo = list(checks or CHECKS)
    out: list[Finding] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(c.run, ctx): c for c in todo}
        for done, future in enumerate(as_completed(futures), 1):
            found = future.result()
            say(f"[{done}/{len(todo)}] {futures[future].id}: {len(found)} finding(s)")
            out.extend(found)
    rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(out, key=lambda f: (rank[f.severity], f.check, [str(i) for i in f.ids]))
