"""One trade's whole life across the stores: rows, state records, audit events, intent, fee, findings.

Given any id an admin can point at — a treasury position id, an exit intent
id, a public transaction id, an ADR trade id, a success fee's ``tx_id`` —
``lifeline`` gathers what every store holds about it. It runs in the
``lifeos-desk inspect`` child process, never in the window's
(docs/architecture.md, 'One SQLite library per process'), through the same
read-only ``AuditContext`` the checks use, so the inspector and the audit
read the stores the same way. Related ids are followed one step: an intent
brings its position, a position its intents, a treasury position its
database rows (``jarvis_core.db`` ``positions.id`` / ``trades.position_id``),
a winning SELL its success fee (matched as ``core/checks/fees.py`` matches).

The chart marks (``chart_marks``) are computed here too, so the window only
draws: horizontal levels for take-profits, the stop loss and an active
trailing stop, and points at their times for entry, fills, the last check
and the exit (times are epoch seconds UTC).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from ..discovery import Kind, Role
from .context import AuditContext, parse_time
from .fees import WINDOW as FEE_WINDOW
from .runner import run_checks
from .state_files import read_lines
from .trail import _trail_files

MAX_EVENTS = 500
MIN_ID_CHARS = 3  # shorter ids (a line number, "1") would match half of every log


def _stamp(value: object) -> float | None:
    when = parse_time(value)
    return when.timestamp() if when is not None else None


def _rows(ctx: AuditContext, path: Path, table: str, column: str, values: Iterable[object]) -> list[dict[str, Any]]:
    wanted = sorted({str(v) for v in values})
    cols = ctx.tables(path).get(table)
    if not wanted or not cols or column not in cols:
        return []
    marks = ",".join("?" * len(wanted))
    with ctx.read(path) as con:
        got = con.execute(f'SELECT * FROM "{table}" WHERE CAST("{column}" AS TEXT) IN ({marks})', wanted).fetchall()
    return [{"store": str(path), "table": table, "key_column": column, "record": dict(zip(cols, r, strict=False))}
            for r in got]


def _state(ctx: AuditContext, ids: set[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(positions, intents) naming any of the ids; grows ``ids`` by the one-step relations."""
    intents: list[dict[str, Any]] = []
    loaded = ctx.intents()
    if loaded is not None:
        for key, it in sorted(loaded[1].items()):
            if key in ids or str(it.get("id")) in ids or str(it.get("position_id")) in ids:
                ids.update({key, str(it.get("position_id"))})
                intents.append({"store": str(loaded[0]), "key": key, "record": it})
    positions: list[dict[str, Any]] = []
    for role in (Role.POSITIONS, Role.TRADE_HISTORY):
        got = ctx.json_list(role)
        for rec in (got[1] if got else []):
            if str(rec.get("id")) in ids:
                positions.append({"store": str(got[0]) if got else "", "record": rec})
    return positions, intents


def _db_rows(ctx: AuditContext, ids: set[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    users = ctx.home / "public_users.db"
    if users.is_file():
        out += _rows(ctx, users, "transactions", "tx_id", ids) + _rows(ctx, users, "trades", "id", ids)
    core = ctx.first(Role.TREASURY, Kind.SQLITE)
    if core is not None:
        out += _rows(ctx, core, "positions", "id", ids) + _rows(ctx, core, "trades", "position_id", ids)
        out += _rows(ctx, core, "trades", "id", ids)
    return out


def _fees(ctx: AuditContext, ids: set[str], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    path = ctx.first(Role.FEES, Kind.SQLITE)
    if path is None:
        return []
    found = _rows(ctx, path, "success_fees", "tx_id", ids)
    sells = [r["record"] for r in rows if r["table"] == "transactions" and (r["record"].get("pnl_usd") or 0) > 0]
    if sells and "success_fees" in ctx.tables(path):
        with ctx.read(path) as con:
            cols = ctx.tables(path)["success_fees"]
            for sell in sells:
                at = parse_time(sell.get("executed_at"))
                for r in con.execute("SELECT * FROM success_fees WHERE user_id = ? AND symbol = ?",
                                     (sell.get("user_id"), sell.get("symbol"))).fetchall():
                    rec = dict(zip(cols, r, strict=False))
                    when = parse_time(rec.get("recorded_at"))
                    if abs(float(rec.get("gross_pnl") or 0) - float(sell["pnl_usd"])) < 0.01 and (
                            at is None or when is None or abs(when - at) <= FEE_WINDOW):
                        found.append({"store": str(path), "table": "success_fees", "key_column": "tx_id",
                                      "record": rec})
    unique = {str(f["record"].get("tx_id")): f for f in found}
    if path is not None and unique and "fee_distributions" in ctx.tables(path):
        for d in _rows(ctx, path, "fee_distributions", "tx_id", unique):
            unique[f"dist:{d['record'].get('fee_id')}"] = d
    return list(unique.values())


def _mentions(raw: dict[str, Any], ids: set[str]) -> bool:
    for key in ("resource_id", "trade_id", "position_id", "tx_id", "intent_id", "id"):
        if str(raw.get(key)) in ids:
            return True
    details = raw.get("details")
    if isinstance(details, dict):
        return any(str(v) in ids for v in details.values() if isinstance(v, str | int))
    return False


def _events(ctx: AuditContext, ids: set[str]) -> list[dict[str, Any]]:
    files = sorted(set(_trail_files(ctx)) | set(ctx.paths(Role.DAILY_AUDIT)))
    out: list[dict[str, Any]] = []
    for path in files:
        for line, ev in read_lines(path):
            if _mentions(ev, ids):
                out.append({"store": str(path), "line": line, "time": _stamp(ev.get("timestamp")), "event": ev})
                if len(out) >= MAX_EVENTS:
                    return out
    return out


def _findings(ctx: AuditContext, ids: set[str]) -> list[dict[str, Any]]:
    return [f.as_json() for f in run_checks(ctx) if any(str(i) in ids for i in f.ids)]


def lifeline(ctx: AuditContext, ident: str, with_findings: bool = True) -> dict[str, Any]:
    """Everything the stores hold about one trade, position or intent, as one JSON-able document."""
    ids = {ident}
    positions, intents = _state(ctx, ids)
    positions, intents = _state(ctx, ids)  # a second pass picks up what the first pass related
    rows = _db_rows(ctx, ids)
    fees = _fees(ctx, ids, rows)
    ids |= {str(f["record"].get("tx_id")) for f in fees if "tx_id" in f["record"]}
    doc: dict[str, Any] = {
        "id": ident, "related_ids": sorted(ids), "positions": positions, "intents": intents, "rows": rows,
        "fees": fees, "events": _events(ctx, {i for i in ids if len(i) >= MIN_ID_CHARS}),
        "findings": _findings(ctx, ids) if with_findings else [], "now": ctx.now.timestamp(),
    }
    doc["found"] = any(doc[k] for k in ("positions", "intents", "rows", "fees", "events"))
    doc["chart"] = chart_marks(doc)
    return doc


# ---------------------------------------------------------------- chart


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number > 0 else None


def _add_point(points: list[dict[str, Any]], label: str, when: object, price: object) -> None:
    t, p = _stamp(when), _num(price)
    if t is not None and t > 0 and p is not None:
        points.append({"label": label, "time": t, "price": p})


def _add_level(levels: list[dict[str, Any]], label: str, kind: str, price: object) -> None:
    p = _num(price)
    if p is not None and not any(lv["kind"] == kind and abs(lv["price"] - p) < 1e-12 for lv in levels):
        levels.append({"label": label, "kind": kind, "price": p})


def _position_marks(rec: dict[str, Any], now: float, points: list[dict[str, Any]],
                    levels: list[dict[str, Any]]) -> None:
    _add_point(points, "entry", rec.get("opened_at"), rec.get("entry_price"))
    if rec.get("closed_at"):
        _add_point(points, "exit", rec.get("closed_at"), rec.get("exit_price"))
    elif rec.get("current_price") is not None:
        _add_point(points, "current", now, rec.get("current_price"))
    _add_level(levels, "entry", "entry", rec.get("entry_price"))
    _add_level(levels, "take profit", "tp", rec.get("take_profit_price"))
    _add_level(levels, "stop loss", "sl", rec.get("stop_loss_price"))
    _add_level(levels, "peak", "peak", rec.get("peak_price"))


def _intent_marks(it: dict[str, Any], points: list[dict[str, Any]], levels: list[dict[str, Any]]) -> None:
    _add_point(points, "entry", it.get("entry_timestamp"), it.get("entry_price"))
    _add_level(levels, "entry", "entry", it.get("entry_price"))
    for tp in it.get("take_profits") or []:
        if isinstance(tp, dict):
            _add_level(levels, f"TP{tp.get('level', '')} ({tp.get('size_pct', '?')}%)", "tp", tp.get("price"))
            if tp.get("filled"):
                _add_point(points, f"TP{tp.get('level', '')} fill", tp.get("fill_timestamp"), tp.get("fill_price"))
    sl: dict[str, Any] = it["stop_loss"] if isinstance(it.get("stop_loss"), dict) else {}
    _add_level(levels, "stop loss", "sl", sl.get("price"))
    trail: dict[str, Any] = it["trailing_stop"] if isinstance(it.get("trailing_stop"), dict) else {}
    if trail.get("active"):
        pct = _num(trail.get("trail_pct")) or 0.0
        # a fraction in the bot's ExitIntent (0.05 is 5%); some writers store percent (8.0)
        _add_level(levels, f"trailing stop ({pct * 100 if pct <= 1 else pct:g}%)", "trail", trail.get("current_stop"))
    _add_point(points, "last check", it.get("last_check_timestamp"), it.get("last_check_price"))


def _row_marks(row: dict[str, Any], points: list[dict[str, Any]], levels: list[dict[str, Any]]) -> None:
    rec, table = row["record"], row["table"]
    if table in ("trades", "positions") and "entry_price" in rec:
        _position_marks({**rec, "current_price": None}, 0.0, points, levels)
    elif table == "trades" and "price" in rec:  # jarvis_core.db trades: one fill each
        _add_point(points, str(rec.get("side", "fill")).lower(), rec.get("timestamp"), rec.get("price"))
    elif table == "success_fees":
        _add_level(levels, "entry (fee)", "entry", rec.get("entry_price"))
        _add_point(points, "exit (fee)", rec.get("recorded_at"), rec.get("exit_price"))


def chart_marks(doc: dict[str, Any]) -> dict[str, Any]:
    """Points (label, time, price) and horizontal levels (label, kind, price) for the inspector's chart."""
    points: list[dict[str, Any]] = []
    levels: list[dict[str, Any]] = []
    now = float(doc.get("now") or datetime.now().timestamp())
    for p in doc.get("positions", []):
        _position_marks(p["record"], now, points, levels)
    for it in doc.get("intents", []):
        _intent_marks(it["record"], points, levels)
    for row in doc.get("rows", []) + doc.get("fees", []):
        _row_marks(row, points, levels)
    if any(p["label"] == "last check" for p in points):  # the exit daemon's last look says when "current" was
        points = [p for p in points if p["label"] != "current"]
    unique = {(p["label"], round(p["time"], 3), p["price"]): p for p in points}
    deadline = None
    for it in doc.get("intents", []):
        ts = it["record"].get("time_stop")
        deadline = _num(ts.get("deadline_timestamp")) if isinstance(ts, dict) else deadline
    return {"points": sorted(unique.values(), key=lambda p: p["time"]), "levels": levels, "deadline": deadline}
