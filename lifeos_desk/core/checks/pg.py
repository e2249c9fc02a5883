"""The trade audit over a PostgreSQL database: the checks of the users and trades tables, and what cannot apply.

A migrated database holds ``public_users.db``'s tables and nothing else of
the home: no JSON state, no audit trail, no log or backup manifests. The
checks that read only those tables run here over PostgreSQL's own SQL (the
same aggregates and the same bad-row filter as the SQLite queries, every
query bounded and fetched to its end by the caller's ``rows``), and their
rows go through the same comparison functions as on SQLite
(``aggregates.*_findings``, ``arithmetic.adr_row``), so a finding reads
alike on both. Every other check is reported as not applicable, with what
it would need (docs/architecture.md, 'PostgreSQL').

Qt-free: ``rows(sql, params)`` is given by the caller (the window passes a
QPSQL connection's, db/pg/connection.py); PostgreSQL parameters are ``?``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..schema import SchemaKind
from . import aggregates, arithmetic
from .finding import Finding, Severity
from .runner import CHECKS, Check

Rows = Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]
BOUND = 1_000_000  # rows a check reads at most (a GROUP BY of users x tokens, or flagged trades)

_PAIRS_PG = f"""
SELECT user_id, symbol, count(*), count(*) FILTER (WHERE pnl_usd > 0)::float8,
       count(*) FILTER (WHERE pnl_usd < 0)::float8, coalesce(sum(pnl_usd), 0)::float8,
       coalesce(sum(amount_usd), 0)::float8, max(pnl_usd)::float8, min(pnl_usd)::float8,
       coalesce(sum(amount_usd) FILTER (WHERE action = 'BUY'), 0)::float8,
       count(*) FILTER (WHERE action = 'BUY')::float8
FROM {{s}}transactions GROUP BY user_id, symbol LIMIT {BOUND}
"""
_ADR_PNL = ("CASE direction WHEN 'LONG' THEN (exit_price - entry_price) * amount "
            "WHEN 'SHORT' THEN (entry_price - exit_price) * amount END")
_CENT = arithmetic.CENT
_ADR_PG = f"""
SELECT id, status, direction, entry_price, exit_price, amount, amount_usd, pnl_usd, opened_at, closed_at,
       entry_price * amount AS usd_calc, {_ADR_PNL} AS pnl_calc
FROM {{s}}trades
WHERE abs(amount_usd - entry_price * amount) > {_CENT} + 1e-9 * abs(amount_usd)
  OR (status = 'CLOSED' AND direction IN ('LONG', 'SHORT') AND exit_price IS NOT NULL
      AND abs(pnl_usd - {_ADR_PNL}) > {_CENT} + 1e-9 * abs(pnl_usd))
  OR (status = 'CLOSED' AND (exit_price IS NULL OR closed_at IS NULL))
  OR (status = 'OPEN' AND (exit_price IS NOT NULL OR closed_at IS NOT NULL))
  OR (closed_at IS NOT NULL AND closed_at < opened_at)
ORDER BY id LIMIT {BOUND}
"""

# What each check that cannot run here reads instead (the home's files, absent from a PostgreSQL session).
NEEDS: dict[str, str] = {
    "trail.trade_events": "the audit trail's JSONL files and the treasury's JSON state",
    "aggregates.fees": "the fee store (success_fees, its own SQLite file beside the bot)",
    "arithmetic.treasury_history": "the treasury's positions.json and trade_history.json",
    "arithmetic.treasury_db": "the treasury's own SQLite database",
    "state.positions_history": "the treasury's positions.json and trade_history.json",
    "state.intents": "exit_intents.json and the treasury's positions",
    "state.stops": "the treasury's positions.json and exit_intents.json",
    "state.emergency_stop": "emergency_stop.json and the trades around it",
    "integrity.rewritten_logs": "the home's logs and the backups' manifests",
    "integrity.daily_chain": "the daily audit files",
    "integrity.time_order": "the daily and security audit files",
}
_DEPLOYED_TABLES = {"aggregates.user_stats": ("user_stats", "transactions"),
                    "aggregates.positions": ("positions", "transactions"),
                    "aggregates.rate_limits": ("rate_limits", "transactions")}


@dataclass(frozen=True)
class Outcome:
    """One check over PostgreSQL: its findings, or why it does not apply ("" when it ran)."""

    check: Check
    findings: list[Finding] = field(default_factory=list)
    not_applicable: str = ""

    @property
    def summary(self) -> str:
        """One line for the list: "no findings", "2 errors, 1 note" or "not applicable: …"."""
        if self.not_applicable:
            return f"not applicable: {self.not_applicable}"
        return count_text(self.findings) or "no findings"


def count_text(findings: Sequence[Finding]) -> str:
    """"2 errors, 1 warning, 1 note" (severities with none left out; "" for no finding)."""
    words = (("error", "errors"), ("warning", "warnings"), ("note", "notes"))
    parts = []
    for severity, (one, many) in zip(Severity, words, strict=True):
        n = sum(1 for f in findings if f.severity is severity)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts)


def _prefix(schema: str) -> str:
    return '"' + schema.replace('"', '""') + '".'


def _has(kind: SchemaKind) -> str:
    return "this database has no known schema" if kind is SchemaKind.UNKNOWN else \
        f"this database has the {kind.value}'s schema" if kind is SchemaKind.DEPLOYED else \
        f"this database has {kind.value}'s schema"


def _why_not(check: Check, kind: SchemaKind, tables: set[str]) -> str:
    """Why a check cannot run on this database ("" when it can)."""
    if check.id in NEEDS:
        return f"it reads {NEEDS[check.id]}, absent from a PostgreSQL session"
    if check.id in _DEPLOYED_TABLES:
        if kind is not SchemaKind.DEPLOYED:
            return f"it checks the deployed bot's {_DEPLOYED_TABLES[check.id][0]} table; {_has(kind)}"
        missing = [t for t in _DEPLOYED_TABLES[check.id] if t not in tables]
        return f"no {', '.join(missing)} table here" if missing else ""
    if check.id == "arithmetic.adr_trades":
        return "" if kind is SchemaKind.ADR else f"it checks ADR-005's trades table; {_has(kind)}"
    return "not written for PostgreSQL yet"


def run_over_pg(rows: Rows, label: str, schema: str, kind: SchemaKind, tables: Sequence[str],
                now: datetime | None = None, progress: Callable[[str], None] | None = None) -> list[Outcome]:
    """Every check of ``CHECKS`` in order: run over ``rows`` when it applies, else why not.

    ``label`` names the database in findings (``label:table``, as a file path does on SQLite).
    """
    now = now or datetime.now(UTC)
    have, s, out = set(tables), _prefix(schema), []
    pairs: list[tuple[Any, ...]] | None = None
    for check in CHECKS:
        why = _why_not(check, kind, have)
        if why:
            out.append(Outcome(check, not_applicable=why))
            continue
        if check.id.startswith("aggregates.") and pairs is None:
            pairs = rows(_PAIRS_PG.format(s=s), ())  # one GROUP BY, shared as on SQLite
        found = _run_one(check.id, rows, s, label, pairs or [], now)
        if progress is not None:
            progress(f"{check.id}: {len(found)} finding(s)")
        out.append(Outcome(check, found))
    return out


def _run_one(check: str, rows: Rows, s: str, label: str, pairs: list[tuple[Any, ...]],
             now: datetime) -> list[Finding]:
    if check == "aggregates.user_stats":
        stats = rows(aggregates.STATS_SQL.replace("FROM ", f"FROM {s}") + f" LIMIT {BOUND}", ())
        return aggregates.user_stats_findings(label, pairs, stats)
    if check == "aggregates.positions":
        held = rows(aggregates.POSITIONS_SQL.replace("FROM ", f"FROM {s}") + f" LIMIT {BOUND}", ())
        return aggregates.positions_findings(label, pairs, held)
    if check == "aggregates.rate_limits":
        live = aggregates.live_limits(now, rows(aggregates.LIMITS_SQL.replace("FROM ", f"FROM {s}")
                                                + f" LIMIT {BOUND}", ()))
        if not live:
            return []
        recent = rows(f"SELECT user_id, executed_at FROM {s}transactions WHERE action = 'BUY' "
                      f"AND executed_at >= ?::timestamptz LIMIT {BOUND}", (aggregates.limits_cut(live) + "+00:00",))
        return aggregates.rate_limits_findings(label, live, recent)
    assert check == "arithmetic.adr_trades"
    out: list[Finding] = []
    for row in rows(_ADR_PG.format(s=s), ()):
        out.extend(arithmetic.adr_row(label, row))
    return out
