"""Arithmetic: every stored figure of a trade against the figures it is computed from.

ADR trades (docs/data-formats.md, 'public_users.db, ADR schema'): the bad
rows are selected in SQL in one pass, so a million trades cost one scan.
Treasury positions and history follow ``trading_operations.py``'s own
formulas (``pnl_pct = (exit - entry) / entry * 100``, ``pnl_usd = amount_usd
* pnl_pct / 100``); the treasury database's positions and scorecard follow
``bots/treasury/scorekeeper.py`` (``pnl_sol = exit_amount_sol -
entry_amount_sol``; a win is ``pnl_sol > 0``; win rate over closed positions).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..discovery import Kind, Role
from ..schema import SchemaKind
from .context import AuditContext, parse_time
from .finding import Finding, Severity, finding

CENT = 0.011  # stored USD figures are rounded to cents; more than a cent off is a disagreement


def near(a: float, b: float, tol: float = CENT) -> bool:
    """Equal within an absolute tolerance plus a relative one for large figures."""
    return abs(a - b) <= tol + 1e-9 * max(abs(a), abs(b))


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _exit_and_time(check: str, stores: tuple[str | Path, ...], ids: tuple[object, ...], noun: str,
                   status: object, exit_price: object, opened: object, closed: object) -> list[Finding]:
    """The checks every record of a trade shares, whichever store holds it (ADR row, treasury record, position).

    An "OPEN" record with an exit price or a close time was closed without its
    status saying so; a record that closed before it opened has a wrong time
    on one side.
    """
    out = []
    if status == "OPEN" and (exit_price is not None or closed is not None):
        out.append(finding(check, Severity.ERROR, stores, ids, "no exit_price, no closed_at",
                           f"exit_price={exit_price}, closed_at={closed}",
                           f"An open {noun} with an exit was closed without its status saying so."))
    t_open, t_close = parse_time(opened), parse_time(closed)
    if t_open and t_close and t_close < t_open:
        out.append(finding(check, Severity.ERROR, stores, ids, f"closed_at >= {opened}", closed,
                           f"A {noun} closed before it opened has a wrong time on one side."))
    return out


# ------------------------------------------------------------------ ADR trades

_ADR_PNL = "CASE direction WHEN 'LONG' THEN (exit_price - entry_price) * amount" \
           " WHEN 'SHORT' THEN (entry_price - exit_price) * amount END"
_ADR_SQL = f"""
SELECT id, status, direction, entry_price, exit_price, amount, amount_usd, pnl_usd, opened_at, closed_at,
       entry_price * amount AS usd_calc, {_ADR_PNL} AS pnl_calc
FROM trades
WHERE (:since IS NULL OR julianday(opened_at) >= julianday(:since)) AND (
  ABS(amount_usd - entry_price * amount) > {CENT} + 1e-9 * ABS(amount_usd)
  OR (status = 'CLOSED' AND direction IN ('LONG', 'SHORT') AND exit_price IS NOT NULL
      AND ABS(pnl_usd - {_ADR_PNL}) > {CENT} + 1e-9 * ABS(pnl_usd))
  OR (status = 'CLOSED' AND (exit_price IS NULL OR closed_at IS NULL))
  OR (status = 'OPEN' AND (exit_price IS NOT NULL OR closed_at IS NOT NULL))
  OR (closed_at IS NOT NULL AND julianday(closed_at) < julianday(opened_at)))
"""


def adr_trades(ctx: AuditContext) -> list[Finding]:
    """ADR ``trades``: pnl, amount_usd, open trades with an exit, closes before opens."""
    found = ctx.users_db()
    if found is None or found[1] is not SchemaKind.ADR:
        return []
    path = found[0]
    since = ctx.since.strftime("%Y-%m-%d %H:%M:%S") if ctx.since else None
    with ctx.read(path) as con:
        rows = con.execute(_ADR_SQL, {"since": since}).fetchall()
    out: list[Finding] = []
    for row in rows:
        out.extend(adr_row(path, row))
    return out


def adr_row(path: Path | str, row: tuple[Any, ...]) -> list[Finding]:
    """The findings of one row of ``_ADR_SQL``'s shape (also read from PostgreSQL, core/checks/pg.py)."""
    tid, status, direction, _entry, exit_price, _amount, usd, pnl, opened, closed, usd_calc, pnl_calc = row
    check, stores, ids = "arithmetic.adr_trades", (f"{path}:trades",), (tid,)
    out = []
    if usd is not None and usd_calc is not None and not near(usd, usd_calc):
        out.append(finding(check, Severity.ERROR, stores, ids, f"amount_usd = {usd_calc:.2f}", usd,
                           "amount_usd is not amount × entry_price, so volume and position size are misstated."))
    if status == "CLOSED" and pnl_calc is not None and pnl is not None and not near(pnl, pnl_calc):
        out.append(finding(check, Severity.ERROR, stores, ids, f"pnl_usd = {pnl_calc:.2f} ({direction})", pnl,
                           "The stored profit does not follow from entry, exit, amount and direction."))
    if status == "CLOSED" and (exit_price is None or closed is None):
        out.append(finding(check, Severity.ERROR, stores, ids, "exit_price and closed_at set",
                           f"exit_price={exit_price}, closed_at={closed}",
                           "A closed trade without an exit cannot have a realised profit."))
    return out + _exit_and_time(check, stores, ids, "trade", status, exit_price, opened, closed)


# ------------------------------------------------------------------ treasury JSON positions and history


def treasury_history(ctx: AuditContext) -> list[Finding]:
    """positions.json and trade_history.json records against the engine's own formulas."""
    out: list[Finding] = []
    for role in (Role.POSITIONS, Role.TRADE_HISTORY):
        loaded = ctx.json_list(role)
        if loaded is None:
            continue
        path, records = loaded
        for rec in records:
            if ctx.in_window(parse_time(rec.get("opened_at"))):
                out.extend(_treasury_record(path, rec))
    return out


def _treasury_record(path: Path, rec: dict[str, Any]) -> list[Finding]:
    check, stores, ids = "arithmetic.treasury_history", (path,), (rec.get("id"),)
    status = rec.get("status")
    entry, exit_price, usd, amount = (_num(rec.get(k)) for k in ("entry_price", "exit_price", "amount_usd", "amount"))
    pnl_usd, pnl_pct = _num(rec.get("pnl_usd")), _num(rec.get("pnl_pct"))
    out = []
    if entry and usd is not None and amount is not None and not near(usd, amount * entry, 0.01 + 1e-6 * abs(usd)):
        out.append(finding(check, Severity.ERROR, stores, ids, f"amount_usd = {amount * entry:.2f}", usd,
                           "amount_usd is not amount × entry_price, so the position size is misstated."))
    if status == "CLOSED":
        if exit_price is None or rec.get("closed_at") is None:
            out.append(finding(check, Severity.ERROR, stores, ids, "exit_price and closed_at set",
                               f"exit_price={rec.get('exit_price')}, closed_at={rec.get('closed_at')}",
                               "A closed position without an exit cannot have a realised profit."))
        elif entry:
            pct = (exit_price - entry) / entry * 100
            if pnl_pct is None or not near(pnl_pct, pct, 0.01 + 1e-6 * abs(pct)):
                out.append(finding(check, Severity.ERROR, stores, ids, f"pnl_pct = {pct:.4f}", pnl_pct,
                                   "The stored percent does not follow from entry and exit prices."))
            if usd is not None and (pnl_usd is None or not near(pnl_usd, usd * pct / 100)):
                out.append(finding(check, Severity.ERROR, stores, ids, f"pnl_usd = {usd * pct / 100:.2f}", pnl_usd,
                                   "The stored profit does not follow from amount_usd and the price move."))
    return out + _exit_and_time(check, stores, ids, "position", status, rec.get("exit_price"), rec.get("opened_at"),
                                rec.get("closed_at"))


# ------------------------------------------------------------------ treasury database and scorecard

_CORE_POSITIONS = """
SELECT id, status, entry_price, exit_price, entry_amount_sol, exit_amount_sol, pnl_sol, pnl_pct, opened_at, closed_at
FROM positions WHERE status LIKE 'closed%'
"""


def treasury_db(ctx: AuditContext) -> list[Finding]:
    """jarvis_core.db: closed positions' pnl against their SOL amounts, and the scorecard against them."""
    path = ctx.first(Role.TREASURY, Kind.SQLITE)
    if path is None:
        return []
    tables = ctx.tables(path)
    if "positions" not in tables:
        return []
    with ctx.read(path) as con:
        closed = con.execute(_CORE_POSITIONS).fetchall()
        card = con.execute("SELECT * FROM scorecard WHERE id = 1").fetchone() if "scorecard" in tables else None
        cols = [d[0] for d in con.execute("SELECT * FROM scorecard LIMIT 0").description] if card else []
        n_trades = con.execute("SELECT COUNT(*) FROM trades").fetchone()[0] if "trades" in tables else None
    out: list[Finding] = []
    for row in closed:
        out.extend(_core_position(path, row))
    if card is not None:
        out.extend(_scorecard(path, dict(zip(cols, card, strict=True)), closed, n_trades))
    return out


def _core_position(path: Path, row: tuple[Any, ...]) -> list[Finding]:
    pid, status, entry, exit_price, sol_in, sol_out, pnl_sol, pnl_pct, opened, closed = row
    check, stores, ids = "arithmetic.treasury_db", (f"{path}:positions",), (pid,)
    out = []
    if sol_in is not None and sol_out is not None and pnl_sol is not None and not near(pnl_sol, sol_out - sol_in, 1e-9):
        out.append(finding(check, Severity.ERROR, stores, ids, f"pnl_sol = {sol_out - sol_in:.9f}", pnl_sol,
                           "pnl_sol is not exit_amount_sol − entry_amount_sol, so the scorecard sums a wrong profit."))
    if sol_in and pnl_sol is not None and pnl_pct is not None and not near(pnl_pct, pnl_sol / sol_in * 100, 1e-6):
        out.append(finding(check, Severity.ERROR, stores, ids, f"pnl_pct = {pnl_sol / sol_in * 100:.4f}", pnl_pct,
                           "The stored percent does not follow from the SOL profit."))
    if status == "closed_tp" and pnl_sol is not None and pnl_sol <= 0:
        out.append(finding(check, Severity.ERROR, stores, ids, "pnl_sol > 0 for a take-profit close", pnl_sol,
                           "A take-profit close recorded as a loss turns a win into a loss in the scorecard."))
    elif entry and exit_price and pnl_sol and (exit_price - entry) * pnl_sol < 0:
        out.append(finding(check, Severity.WARNING, stores, ids, "profit sign = sign of exit − entry",
                           f"exit {exit_price} vs entry {entry}, pnl_sol {pnl_sol}",
                           "The price moved one way and the profit the other: fees or a wrong exit amount."))
    return out + _exit_and_time(check, stores, ids, "position", status, exit_price, opened, closed)


def _scorecard(path: Path, card: dict[str, Any], closed: list[tuple[Any, ...]], n_trades: int | None) -> list[Finding]:
    pnl = [float(r[6] or 0.0) for r in closed]
    wins, losses = sum(1 for p in pnl if p > 0), sum(1 for p in pnl if p <= 0)
    expect: dict[str, float] = {
        "winning_trades": wins, "losing_trades": losses, "total_pnl_sol": sum(pnl),
        "largest_win_sol": max([0.0, *pnl]), "largest_loss_sol": min([0.0, *pnl]),
    }
    if wins + losses:
        expect["win_rate"] = wins / (wins + losses) * 100
    stores = (f"{path}:scorecard", f"{path}:positions")
    out = []
    for column, value in expect.items():
        stored = _num(card.get(column))
        if column in card and (stored is None or not near(stored, value, 1e-6)):
            out.append(finding("arithmetic.scorecard", Severity.ERROR, stores, (1,), f"{column} = {value:.6g}",
                               card.get(column), f"The scorecard's {column} does not follow from closed positions."))
    stored_total = _num(card.get("total_trades"))
    if n_trades is not None and stored_total is not None and stored_total != n_trades:
        out.append(finding("arithmetic.scorecard", Severity.WARNING, (f"{path}:scorecard", f"{path}:trades"), (1,),
                           f"total_trades = {n_trades} (one per open and per close)", card.get("total_trades"),
                           "The trade count differs from the trades table; trades may have been pruned."))
    return out
