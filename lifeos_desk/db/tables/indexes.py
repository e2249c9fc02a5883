"""The indexes that make the trades views fast, created only when the admin asks.

The schema belongs to the bot: nothing here runs by itself. ``plan`` says
what is missing and what building it costs; ``create`` builds the missing
ones (editing must be unlocked) and writes one audit entry per index.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core.audit import AuditWriter
from ...core.schema import Domain
from ..connection import Database, quote_ident, run_exec, run_rows, run_scalar

INDEX_PREFIX = "idx_lifeos_"
# Measured order of magnitude on the 2-core dev machine for a 1M-row table:
# one index build is a full scan plus a sort; ~25 bytes of index per row.
SECONDS_PER_MILLION = 2.0
BYTES_PER_ROW = 25


@dataclass(frozen=True)
class IndexSpec:
    """One recommended index."""

    table: str
    column: str
    purpose: str

    @property
    def name(self) -> str:
        """Its name in the file."""
        return f"{INDEX_PREFIX}{self.table}_{self.column}"

    @property
    def sql(self) -> str:
        """The CREATE statement (idempotent)."""
        target = f"{quote_ident(self.table)}({quote_ident(self.column)})"
        return f"CREATE INDEX IF NOT EXISTS {quote_ident(self.name)} ON {target}"


def recommended(domain: Domain) -> list[IndexSpec]:
    """Trades by user, by opened/closed time and by status."""
    out = [IndexSpec(domain.trades, domain.trade_user, "trades of a user, user detail panel"),
           IndexSpec(domain.trades, domain.trade_time, "sorting and filtering by time")]
    if domain.trade_closed_time:
        out.append(IndexSpec(domain.trades, domain.trade_closed_time, "sorting and filtering by close time"))
    out.append(IndexSpec(domain.trades, domain.trade_status, "filtering by status (open/closed)"))
    return out


def covered(database: Database, spec: IndexSpec) -> bool:
    """True when some index of the table already starts with this column."""
    db = database.connection("tables")
    for row in run_rows(db, f"PRAGMA index_list({quote_ident(spec.table)})"):
        cols = run_rows(db, f"PRAGMA index_info({quote_ident(str(row[1]))})")
        if cols and cols[0][2] == spec.column:
            return True
    return False


def missing(database: Database, domain: Domain) -> list[IndexSpec]:
    """The recommended indexes the file does not have yet."""
    return [s for s in recommended(domain) if not covered(database, s)]


def cost_text(database: Database, specs: list[IndexSpec]) -> str:
    """What building these costs, in words for the confirmation dialog."""
    if not specs:
        return "All recommended indexes exist."
    rows = int(run_scalar(database.connection("tables"), f"SELECT count(*) FROM {quote_ident(specs[0].table)}") or 0)
    seconds = max(1.0, rows / 1e6 * SECONDS_PER_MILLION) * len(specs)
    mb = rows * BYTES_PER_ROW * len(specs) / 1e6
    names = "\n".join(f"• {s.table}({s.column}): {s.purpose}" for s in specs)
    return (f"{names}\n\nOn {rows:,} rows this takes about {seconds:.0f} s and adds about {mb:.0f} MB to the file. "
            "While an index is built the bot's writes wait (up to its busy timeout), and afterwards each insert "
            "updates one more index. The schema is the bot's: nothing else is changed, and "
            "`DROP INDEX idx_lifeos_...` removes them again.")


def create(database: Database, specs: list[IndexSpec], audit: AuditWriter) -> list[str]:
    """Build the given indexes (editing must be unlocked); returns their names."""
    db = database.connection("tables")
    made = []
    for spec in specs:
        run_exec(db, spec.sql)
        audit.log("create_index", table=spec.table, column=spec.column, index=spec.name)
        made.append(spec.name)
    return made
