"""Audit trail against trades: each trade event matched to a trade near its time, and back.

The security audit trail (docs/data-formats.md, 'Security audit trail')
carries ``trade_execute`` events whose ``resource_id`` is the treasury
position id (``resource_type`` ``treasury_trade``, from
``TradingEngine._log_audit``) or a public transaction id; the ADR audit log
carries ``trade_opened``/``trade_closed``/``trade_failed`` with ``trade_id``.
An event naming no trade, or far from its time, is an error; a treasury
position with no event is a warning (a trail may be rotated away or pruned).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..discovery import Kind, Role
from ..schema import SchemaKind
from .context import AuditContext, parse_time
from .finding import Finding, Severity, finding
from .state_files import read_lines

WINDOW = timedelta(minutes=2)
_ADR_EVENTS = {"trade_opened": "opened_at", "trade_closed": "closed_at", "trade_failed": "opened_at"}


def _trail_files(ctx: AuditContext) -> list[Path]:
    found = ctx.paths(Role.SECURITY_AUDIT) + ctx.paths(Role.TREASURY_AUDIT, Kind.JSONL)
    for folder in ctx.logs:
        if folder.is_dir():
            found += [p for p in folder.glob("audit*.jsonl") if p.is_file() and not p.is_symlink()]
    return sorted(set(found))


def _events(ctx: AuditContext) -> list[tuple[Path, int, dict[str, Any], datetime | None]]:
    out = []
    for path in _trail_files(ctx):
        for n, ev in read_lines(path):
            kind = ev.get("event_type") or ev.get("event")
            if kind == "trade_execute" or kind in _ADR_EVENTS:
                when = parse_time(ev.get("timestamp"))
                if ctx.in_window(when):
                    out.append((path, n, ev, when))
    return out


def trade_events(ctx: AuditContext) -> list[Finding]:
    """Match trade events to trades (treasury positions, public transactions, ADR trades) and list failures."""
    events = _events(ctx)
    treasury: dict[str, tuple[Path, dict[str, Any]]] = {}
    for role in (Role.POSITIONS, Role.TRADE_HISTORY):
        got = ctx.json_list(role)
        for rec in (got[1] if got else []):
            treasury[str(rec.get("id"))] = (got[0], rec) if got else (Path(), rec)
    db_times = _db_times(ctx, events)
    out: list[Finding] = []
    seen: set[str] = set()
    for path, line, ev, when in events:
        rid, kind = _rid(ev), ev.get("event_type") or ev.get("event")
        if ev.get("success") is False or kind == "trade_failed":
            out.append(finding("trail.trade_events", Severity.WARNING, (path,), (line, rid), "success",
                               ev.get("error_message") or "failed", "A failed trade the admin may need to follow up."))
        if ev.get("resource_type") == "treasury_trade":
            seen.add(rid)
            store, rec = treasury.get(rid, (None, {}))
            t = parse_time(rec.get("closed_at" if str(ev.get("action", "")).startswith("CLOSE") else "opened_at"))
            out.extend(_match(path, line, rid, store, t, when))
        elif (ev.get("resource_type") == "transaction" or kind in _ADR_EVENTS) and ev.get("success") is not False:
            store_t = db_times.get(rid)
            times = store_t[1] if store_t else {}
            t_db = times.get(str(kind), times.get(""))
            out.extend(_match(path, line, rid, store_t[0] if store_t else None, t_db, when))
    out.extend(_silent_positions(ctx, events, treasury, seen))
    return out


def _rid(ev: dict[str, Any]) -> str:
    return str(ev.get("resource_id") if "event_type" in ev else ev.get("trade_id"))


def _match(path: Path, line: int, rid: str, store: Path | str | None, t: datetime | None,
           when: datetime | None) -> list[Finding]:
    if store is None:
        return [finding("trail.trade_events", Severity.ERROR, (path,), (line, rid), f"a trade {rid}", "none",
                        "The audit trail records a trade that no store holds.")]
    if t is not None and when is not None and abs(t - when) > WINDOW:
        return [finding("trail.trade_events", Severity.ERROR, (path, store), (line, rid), f"near {t.isoformat()}",
                        when.isoformat(), "The trail and the store disagree on when the trade happened.")]
    return []


def _db_times(ctx: AuditContext, events: list[tuple[Path, int, dict[str, Any], datetime | None]]
              ) -> dict[str, tuple[str, dict[str, datetime | None]]]:
    """id -> (store, {event kind: time}) for the public trades the events name, by primary-key lookups."""
    found = ctx.users_db()
    ids = sorted({_rid(ev) for _, _, ev, _ in events if ev.get("resource_type") == "transaction"
                  or (ev.get("event") in _ADR_EVENTS)})
    if found is None or not ids:
        return {}
    path, kind = found
    out: dict[str, tuple[str, dict[str, datetime | None]]] = {}
    with ctx.read(path) as con:
        for lo in range(0, len(ids), 900):
            chunk = ids[lo:lo + 900]
            marks = ",".join("?" * len(chunk))
            if kind is SchemaKind.DEPLOYED:
                for tid, at in con.execute(f"SELECT tx_id, executed_at FROM transactions WHERE tx_id IN ({marks})",
                                           chunk).fetchall():
                    out[str(tid)] = (f"{path}:transactions", {"": parse_time(at)})
            elif kind is SchemaKind.ADR:
                for tid, op, cl in con.execute(f"SELECT id, opened_at, closed_at FROM trades WHERE id IN ({marks})",
                                               chunk).fetchall():
                    out[str(tid)] = (f"{path}:trades", {"trade_opened": parse_time(op), "trade_closed": parse_time(cl),
                                                        "trade_failed": parse_time(op)})
    return out


def _silent_positions(ctx: AuditContext, events: list[tuple[Path, int, dict[str, Any], datetime | None]],
                      treasury: dict[str, tuple[Path, dict[str, Any]]], seen: set[str]) -> list[Finding]:
    times = [w for _, _, ev, w in events if w is not None and ev.get("resource_type") == "treasury_trade"]
    if not times:
        return []
    lo, hi = min(times), max(times)
    out = []
    for pid, (store, rec) in sorted(treasury.items()):
        opened = parse_time(rec.get("opened_at"))
        if pid not in seen and opened is not None and lo <= opened <= hi:
            out.append(finding("trail.trade_events", Severity.WARNING, (store,), (pid,), "a trade_execute event",
                               "none", "A treasury trade inside the trail's time span left no audit event."))
    return out
