"""State files against history: positions, trade history, exit intents and the emergency stop.

Shapes are docs/data-formats.md, 'Trading state files'. An exit intent
belongs to a position by ``position_id`` and must be of its token; the exit
daemon (``core/exit_intents.py``) is meant to sell when a stop is crossed or
a deadline passes, so a crossed stop on a still-open position means it did
not run or failed.
"""

from __future__ import annotations

from typing import Any

from ..discovery import Role
from .context import AuditContext, parse_time
from .finding import Finding, Severity, finding

OPEN_STATUSES = {"OPEN", "PENDING"}
LIVE_INTENTS = {"active", "partial"}


def _load(ctx: AuditContext) -> tuple[tuple[str, ...], dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(store paths, open positions by id, closed history by id)."""
    pos, hist = ctx.json_list(Role.POSITIONS), ctx.json_list(Role.TRADE_HISTORY)
    stores = tuple(str(x[0]) for x in (pos, hist) if x is not None)
    open_ = {str(r.get("id")): r for r in (pos[1] if pos else []) if r.get("status") in OPEN_STATUSES}
    closed = {str(r.get("id")): r for r in (hist[1] if hist else []) if r.get("status") not in OPEN_STATUSES}
    return stores, open_, closed


def positions_history(ctx: AuditContext) -> list[Finding]:
    """An open position must not be in the closed history, nor a closed record still open."""
    stores, open_, closed = _load(ctx)
    out = []
    for pid in sorted(open_.keys() & closed.keys()):
        out.append(finding("state.positions_history", Severity.ERROR, stores, (pid,), "open in one file only",
                           f"OPEN in positions, {closed[pid].get('status')} in history",
                           "A position both open and closed is either still at risk or counted twice."))
    pos = ctx.json_list(Role.POSITIONS)
    for rec in (pos[1] if pos else []):
        if rec.get("status") not in OPEN_STATUSES:
            out.append(finding("state.positions_history", Severity.WARNING, stores, (rec.get("id"),),
                               "only open positions in positions.json", rec.get("status"),
                               "A finished position left in the open list is shown as live."))
    return out


def intents(ctx: AuditContext) -> list[Finding]:
    """Exit intents pointing at a missing, closed or other-token position, or completed while it is open."""
    loaded = ctx.intents()
    if loaded is None:
        return []
    path, items = loaded
    pos_stores, open_, closed = _load(ctx)
    stores = (str(path), *pos_stores)
    out = []
    for iid, it in sorted(items.items()):
        pid, status = str(it.get("position_id")), it.get("status")
        target = open_.get(pid) or closed.get(pid)
        if target is None:
            if status in LIVE_INTENTS:
                out.append(finding("state.intents", Severity.ERROR, stores, (iid, pid), f"position {pid}", "none",
                                   "A live exit intent guards a position that does not exist."))
            continue
        if target.get("token_mint") != it.get("token_mint"):
            out.append(finding("state.intents", Severity.ERROR, stores, (iid, pid), target.get("token_mint"),
                               it.get("token_mint"), "The intent would sell another token than the position holds."))
        if pid in closed and pid not in open_ and status in LIVE_INTENTS:
            out.append(finding("state.intents", Severity.ERROR, stores, (iid, pid), "intent completed or cancelled",
                               f"intent {status}, position {closed[pid].get('status')}",
                               "A live intent on a closed position may sell tokens that are no longer held."))
        if pid in open_ and status == "completed":
            out.append(finding("state.intents", Severity.ERROR, stores, (iid, pid), "position closed",
                               "intent completed, position OPEN",
                               "The intent says it sold everything but the position is still open."))
    return out


def stops(ctx: AuditContext) -> list[Finding]:
    """Crossed stops still open, take-profit ladders out of order, empty trailing stops, missed time stops."""
    out: list[Finding] = []
    _, open_, _ = _load(ctx)
    pos = ctx.json_list(Role.POSITIONS)
    for pid, p in sorted(open_.items()):
        price, sl = p.get("current_price"), p.get("stop_loss_price")
        if isinstance(price, int | float) and isinstance(sl, int | float) and sl > 0:
            short = p.get("direction") == "SHORT"
            if (price >= sl) if short else (price <= sl):
                out.append(finding("state.stops", Severity.ERROR, (pos[0] if pos else "",), (pid,),
                                   f"current price {'below' if short else 'above'} stop {sl}", price,
                                   "The stop loss should already have fired: the position keeps losing."))
    loaded = ctx.intents()
    if loaded is not None:
        for iid, it in sorted(loaded[1].items()):
            if it.get("status") in LIVE_INTENTS:
                out.extend(_intent_stops(ctx, str(loaded[0]), iid, it))
    return out


def _intent_stops(ctx: AuditContext, store: str, iid: str, it: dict[str, Any]) -> list[Finding]:
    out = []
    entry, price = it.get("entry_price"), it.get("last_check_price")
    sl = (it.get("stop_loss") or {}).get("price")
    # a stop above entry is a short's (perps) ladder: everything mirrors
    short = isinstance(sl, int | float) and isinstance(entry, int | float) and sl > entry
    if isinstance(price, int | float) and price > 0 and isinstance(sl, int | float) and (
            price >= sl if short else price <= sl):
        out.append(finding("state.stops", Severity.ERROR, (store,), (iid,), f"last price above stop {sl}", price,
                           "The intent's stop loss was crossed and it is still active."))
    tps = [tp for tp in it.get("take_profits") or [] if isinstance(tp, dict)]
    raw = [tp.get("price") for tp in sorted(tps, key=lambda tp: tp.get("level") or 0)]
    prices = [float(x) for x in raw if isinstance(x, int | float)]
    if len(prices) == len(raw):
        if any((b >= a) if short else (b <= a) for a, b in zip(prices, prices[1:], strict=False)):
            out.append(finding("state.stops", Severity.WARNING, (store,), (iid,), "take-profit prices rising by level",
                               prices, "A ladder out of order sells the larger part at the worse price."))
        if isinstance(entry, int | float) and any((x >= entry) if short else (x <= entry) for x in prices):
            out.append(finding("state.stops", Severity.ERROR, (store,), (iid,),
                               f"every take-profit {'below' if short else 'above'} entry {entry}",
                               prices, "A take-profit at or below entry locks in a loss."))
    trail = it.get("trailing_stop") or {}
    if trail.get("active") and not trail.get("current_stop"):
        out.append(finding("state.stops", Severity.ERROR, (store,), (iid,), "a stop price while active",
                           trail.get("current_stop"), "An active trailing stop at 0 can never fire."))
    ts = it.get("time_stop") or {}
    deadline = parse_time(ts.get("deadline_timestamp"))
    if deadline is not None and deadline < ctx.now and not ts.get("triggered"):
        out.append(finding("state.stops", Severity.WARNING, (store,), (iid,), f"triggered by {deadline:%Y-%m-%d %H:%M}",
                           "not triggered", "The time stop passed without firing; the exit daemon may not be running."))
    return out


def emergency_stop(ctx: AuditContext) -> list[Finding]:
    """Treasury trades opened while the current emergency stop was active."""
    loaded = ctx.emergency_stop()
    if loaded is None:
        return []
    path, stop = loaded
    level, since = stop.get("level"), parse_time(stop.get("activated_at"))
    if level in (None, "NONE") or since is None:
        return []
    paused = set(stop.get("paused_tokens") or [])
    out = []
    for role in (Role.POSITIONS, Role.TRADE_HISTORY):
        got = ctx.json_list(role)
        for rec in (got[1] if got else []):
            opened = parse_time(rec.get("opened_at"))
            if opened is None or opened < since or (level == "TOKEN_PAUSE" and rec.get("token_mint") not in paused):
                continue
            out.append(finding("state.emergency_stop", Severity.ERROR, (path, got[0]) if got else (path,),
                               (rec.get("id"),), f"no trade after {stop.get('activated_at')} ({level})",
                               rec.get("opened_at"), "A trade went through while the kill switch was on."))
    return out
