"""Fees: each success fee against the winning close it charges, and each distribution against its fee.

``core/fee_distribution.py`` charges 0.5% of a winning close's PnL and splits
it 75% user, 5% charity, 20% company. The caller
(``tg-bot/public_trading_bot_integration.py``) names the fee
``tx_<user>_<symbol>_<epoch>``, not after the transaction, so a fee is matched
to a SELL of the same user and symbol with the same PnL within ten minutes.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from ..discovery import Kind, Role
from .aggregates import _deployed
from .arithmetic import near
from .context import AuditContext, parse_time
from .finding import Finding, Severity, finding

FEE_PCT, SHARES = 0.005, {"user_amount": 0.75, "charity_amount": 0.05, "company_amount": 0.20}
WINDOW = timedelta(minutes=10)


def fees(ctx: AuditContext) -> list[Finding]:
    """success_fees and fee_distributions in fees.db against transactions."""
    path = ctx.first(Role.FEES, Kind.SQLITE)
    if path is None or "success_fees" not in ctx.tables(path):
        return []
    with ctx.read(path) as con:
        rows = con.execute("SELECT tx_id, user_id, symbol, gross_pnl, success_fee_amount, recorded_at"
                           " FROM success_fees").fetchall()
        dist = (con.execute("SELECT fee_id, tx_id, total_fee, user_amount, charity_amount, company_amount"
                            " FROM fee_distributions").fetchall()
                if "fee_distributions" in ctx.tables(path) else [])
    rows = [r for r in rows if ctx.in_window(parse_time(r[5]))]
    out = _against_trades(ctx, path, rows)
    out += _distributions(path, {r[0]: float(r[4]) for r in rows}, dist)
    return out


def _against_trades(ctx: AuditContext, path: Path, rows: list[tuple[Any, ...]]) -> list[Finding]:
    users = _deployed(ctx)
    out: list[Finding] = []
    sells: dict[tuple[Any, Any], list[tuple[float, Any]]] = {}
    if users is not None and rows:
        wanted = sorted({r[1] for r in rows}, key=str)
        marks = ",".join("?" * len(wanted))
        with ctx.read(users) as con:
            for uid, sym, pnl, when in con.execute(
                    f"SELECT user_id, symbol, pnl_usd, executed_at FROM transactions WHERE pnl_usd > 0"
                    f" AND user_id IN ({marks})", wanted).fetchall():
                sells.setdefault((uid, sym), []).append((float(pnl), parse_time(when)))
    for tx_id, uid, sym, gross, fee, recorded in rows:
        g, f = float(gross), float(fee)
        if not near(f, g * FEE_PCT, 1e-6):
            out.append(finding("aggregates.fees", Severity.ERROR, (f"{path}:success_fees",), (tx_id,),
                               f"success_fee_amount = {g * FEE_PCT:.6f} (0.5% of gross_pnl)", f,
                               "The fee is not 0.5% of the profit it charges."))
        if users is None:
            continue
        t = parse_time(recorded)
        match = any(near(p, g) and (t is None or w is None or abs(w - t) <= WINDOW)
                    for p, w in sells.get((uid, sym), []))
        if not match:
            out.append(finding("aggregates.fees", Severity.ERROR, (f"{path}:success_fees", f"{users}:transactions"),
                               (tx_id,), f"a winning close of {sym} for user {uid} with pnl {g:.2f}", "none",
                               "A fee that charges no winning trade takes money for nothing."))
    return out


def _distributions(path: Path, fee_of: dict[object, float], dist: list[tuple[Any, ...]]) -> list[Finding]:
    out: list[Finding] = []
    stores = (f"{path}:fee_distributions", f"{path}:success_fees")
    for fee_id, tx_id, total, *parts in dist:
        t = float(total)
        if tx_id not in fee_of:
            out.append(finding("aggregates.fee_distributions", Severity.ERROR, stores, (fee_id,),
                               f"a success fee {tx_id}", "none", "A distribution of a fee that does not exist."))
        elif not near(t, fee_of[tx_id], 1e-6):
            out.append(finding("aggregates.fee_distributions", Severity.ERROR, stores, (fee_id,),
                               f"total_fee = {fee_of[tx_id]:.6f}", t, "The distributed total differs from the fee."))
        shares = [float(p) for p in parts]
        if not near(sum(shares), t, 1e-6) or not all(
                near(s, t * pct, 1e-6) for s, pct in zip(shares, SHARES.values(), strict=True)):
            out.append(finding("aggregates.fee_distributions", Severity.ERROR, stores, (fee_id,),
                               "75% / 5% / 20% of total_fee, summing to it", ", ".join(f"{s:.6f}" for s in shares),
                               "The shares do not add up to the fee, so someone is paid too much or too little."))
    return out
