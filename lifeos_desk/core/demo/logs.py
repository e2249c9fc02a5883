"""The three JSONL logs of a demo home: ``audit``, ``trading`` and ``errors``.

Why: the log viewer and its benchmarks need logs shaped exactly like each
writer's (ADR ``AuditLog``, the deployed security audit trail with one
rotated file, ``trading.jsonl``, the structured error logger), consistent
with the trades in the database they were written next to.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from .common import (
    DAY,
    LOG_DAYS,
    WINDOW_DAYS,
    Event,
    _random_hex,
    _rng,
    _Stream,
    adr_audit_entry,
    deployed_audit_entry,
    jsonl,
    trading_entry,
    utc_z,
)
from .context import _Ctx
from .deployed import _wallet_ids


@dataclass(frozen=True)
class _Trade:
    """A trade as the logs see it, in either schema."""

    id: str
    user: int
    symbol: str
    side: str  # LONG/SHORT or BUY/SELL
    price: float | None
    amount_usd: float
    status: str
    pnl: float
    opened: float
    closed: float | None


def _adr_trades_sql(where: str) -> str:
    return ("SELECT id, user_id, token_symbol, direction, entry_price, amount_usd, status, pnl_usd,"
            " CAST(strftime('%s', opened_at) AS INTEGER), CAST(strftime('%s', closed_at) AS INTEGER)"
            f" FROM trades {where}")  # fmt: skip


_TX_LOG_SQL = (
    "SELECT tx_id, user_id, symbol, action, NULL, amount_usd, status, pnl_usd, executed_at, NULL FROM transactions "
)


def _as_trade(row: Sequence[Any]) -> _Trade:
    opened = row[8] if not isinstance(row[8], str) else datetime.fromisoformat(row[8]).timestamp()
    closed = None if row[9] is None else float(row[9])
    return _Trade(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], float(opened), closed)


def _recent_trades(con: sqlite3.Connection, adr: bool, n: int) -> list[_Trade]:
    sql = _adr_trades_sql("ORDER BY rowid DESC LIMIT ?") if adr else _TX_LOG_SQL + "ORDER BY rowid DESC LIMIT ?"
    return [_as_trade(r) for r in con.execute(sql, (n,))][::-1]


def _sampled_trades(con: sqlite3.Connection, ctx: _Ctx, n: int, rng: np.random.Generator) -> list[_Trade]:
    """n trades drawn from the last LOG_DAYS (rowids grow linearly with time)."""
    total = ctx.spec.trades
    first = int(total * (1 - LOG_DAYS / WINDOW_DAYS)) + 1
    if total < first or n <= 0:
        return []
    rowids = np.unique(rng.integers(first, total + 1, n)).tolist()
    sql = _adr_trades_sql("WHERE rowid = ?") if ctx.spec.schema == "adr" else _TX_LOG_SQL + "WHERE rowid = ?"
    return [_as_trade(con.execute(sql, (r,)).fetchone()) for r in rowids]


def _trading_events(trades: list[_Trade], adr: bool) -> list[Event]:
    out = []
    for t in trades:
        base = {"trade_id": t.id, "user_id": t.user, "amount_usd": t.amount_usd}
        if t.status in ("FAILED", "failed"):
            out.append((t.opened, trading_entry(t.opened, "TRADE_FAILED", t.symbol, 0.0, **base)))
        elif adr and t.status != "CANCELLED":
            out.append((t.opened, trading_entry(t.opened, "TRADE_EXECUTED", t.symbol, 0.0, side="open",
                                                direction=t.side, price=t.price, **base)))  # fmt: skip
            if t.status == "CLOSED" and t.closed is not None:
                out.append((t.closed, trading_entry(t.closed, "TRADE_EXECUTED", t.symbol, t.pnl, side="close",
                                                    direction=t.side, **base)))  # fmt: skip
        elif not adr and t.status == "completed":
            out.append((t.opened, trading_entry(t.opened, "TRADE_EXECUTED", t.symbol, t.pnl, action=t.side, **base)))
    return out


_DEPLOYED_MISC = (  # event_type, action, resource_type, weight
    ("login", "bot_start", "session", 18), ("logout", "session_end", "session", 6),
    ("login_failed", "bad_admin_token", "session", 2), ("api_access", "jupiter_quote", "api", 14),
    ("data_access", "view_portfolio", "user", 14), ("data_modify", "update_settings", "user", 6),
    ("data_delete", "clear_alerts", "user", 1), ("config_change", "set_risk_level", "config", 4),
    ("permission_change", "grant_beta", "user", 1), ("secret_access", "decrypt_wallet_key", "wallet", 8),
    ("secret_rotate", "rotate_api_key", "secret", 1), ("admin_action", "broadcast", "system", 2),
    ("security_alert", "rate_limit_exceeded", "user", 3), ("wallet_access", "view_balance", "wallet", 14),
)  # fmt: skip
_ADR_MISC = (("user_login", 20), ("wallet_viewed", 14), ("settings_changed", 6), ("risk_level_changed", 4),
             ("rate_limit_hit", 3), ("admin_command", 2), ("alert_sent", 10))  # fmt: skip


def _deployed_trade_audit(t: _Trade, wallet: str) -> dict[str, Any]:
    failed = t.status == "failed"
    return deployed_audit_entry(
        t.opened, "trade_execute", str(t.user), t.side.lower(), ("transaction", t.id),
        {"symbol": t.symbol, "amount_usd": t.amount_usd, "pnl_usd": t.pnl, "wallet_id": wallet, "status": t.status},
        error="Slippage tolerance exceeded" if failed else None, user_agent="python-telegram-bot/21.6",
    )  # fmt: skip


def _audit_events(ctx: _Ctx, trades: list[_Trade], n: int, rng: np.random.Generator) -> list[Event]:
    adr, u = ctx.spec.schema == "adr", ctx.users
    out: list[Event] = []
    wallet_of = dict(zip(u.telegram_ids, _wallet_ids(ctx), strict=True)) if not adr else {}
    for t in trades:
        entry = (adr_audit_entry(t.opened, "trade_opened" if t.status != "FAILED" else "trade_failed",
                                 trade_id=t.id, user_id=t.user, token_symbol=t.symbol, direction=t.side,
                                 amount_usd=t.amount_usd)
                 if adr else _deployed_trade_audit(t, wallet_of.get(t.user, "")))  # fmt: skip
        out.append((t.opened, entry))
        if adr and t.status == "CLOSED" and t.closed is not None:
            closed = adr_audit_entry(t.closed, "trade_closed", trade_id=t.id, user_id=t.user, pnl_usd=t.pnl)
            out.append((t.closed, closed))
    since = ctx.clock.end - LOG_DAYS * DAY
    for i in np.flatnonzero(u.created >= since).tolist():
        out.extend(_signup_events(ctx, i, adr))
    times = np.sort(rng.uniform(since, ctx.clock.end, max(0, n - len(out))))
    who = rng.integers(0, len(u.telegram_ids), len(times)).tolist()
    misc_p = np.array([m[-1] for m in (_ADR_MISC if adr else _DEPLOYED_MISC)], dtype=np.float64)
    kinds = rng.choice(len(misc_p), size=len(times), p=misc_p / misc_p.sum()).tolist()
    for t, w, k in zip(times.tolist(), who, kinds, strict=True):
        out.append((t, _misc_event(ctx, t, w, k, adr, wallet_of)))
    out.sort(key=lambda e: e[0])
    return out[-n:] if n else []


def _signup_events(ctx: _Ctx, i: int, adr: bool) -> list[Event]:
    t, uid, addr = float(ctx.users.created[i]), ctx.users.telegram_ids[i], ctx.wallets[i][0]
    if adr:
        return [(t, adr_audit_entry(t, "user_registered", user_id=i + 1, telegram_id=uid, username=ctx.users.names[i])),
                (t + 1, adr_audit_entry(t + 1, "wallet_created", user_id=i + 1, address=addr))]  # fmt: skip
    return [(t, deployed_audit_entry(t, "data_modify", str(uid), "register_user", ("user", str(uid)),
                                     {"risk_level": ctx.users.risk[i]}, user_agent="python-telegram-bot/21.6")),
            (t + 1, deployed_audit_entry(t + 1, "wallet_access", str(uid), "create_wallet", ("wallet", addr),
                                         {"source": "generated"}, user_agent="python-telegram-bot/21.6"))]  # fmt: skip


def _misc_event(ctx: _Ctx, t: float, who: int, kind: int, adr: bool, wallet_of: dict[int, str]) -> dict[str, Any]:
    uid = ctx.users.telegram_ids[who]
    if adr:
        event = _ADR_MISC[kind][0]
        extra = {"risk_level": ctx.users.risk[who]} if event == "risk_level_changed" else {}
        return adr_audit_entry(t, event, user_id=who + 1, **extra)
    event_type, action, resource, _ = _DEPLOYED_MISC[kind]
    system = resource in ("api", "secret", "system")
    actor = "system" if system else str(uid)
    rid = wallet_of[uid] if resource == "wallet" else None if system else str(uid)
    failed = event_type in ("login_failed", "security_alert")
    return deployed_audit_entry(
        t, event_type, actor, action, (resource, rid), None if system else {"telegram_username": ctx.users.names[who]},
        error="denied" if failed else None, ip_address="127.0.0.1" if system else None,
        user_agent=None if system else "python-telegram-bot/21.6",
    )  # fmt: skip


_ERRORS = (  # level, logger, message, error
    ("WARNING", "jarvis.trading.jupiter", "Jupiter quote failed, retrying", "HTTPStatusError: 429 Too Many Requests"),
    ("WARNING", "jarvis.solana.rpc", "RPC request slow", None),
    ("ERROR", "jarvis.solana.rpc", "RPC timeout after 30s", "TimeoutError"),
    ("ERROR", "jarvis.trading.executor", "Swap failed: slippage tolerance exceeded", "SlippageError"),
    ("WARNING", "tg_bot.public", "User hit daily trade limit", None),
    ("ERROR", "tg_bot.public", "Telegram API error", "telegram.error.NetworkError: Bad Gateway"),
    ("CRITICAL", "jarvis.treasury", "Exit intent enforcement failed repeatedly", "RuntimeError"),
    ("WARNING", "jarvis.sentiment", "Sentiment source returned stale data", None),
)  # fmt: skip


def _error_entry(epoch: float, kind: int, rng: np.random.Generator, user: int) -> dict[str, Any]:
    level, logger, message, error = _ERRORS[kind]
    entry: dict[str, Any] = {"timestamp": utc_z(epoch), "level": level, "logger": logger, "message": message,
                             "service": "jarvis-public-bot", "correlation_id": _random_hex(rng)[:12]}  # fmt: skip
    module = logger.rsplit(".", 1)[-1]
    entry.update(module=module, function=f"handle_{module}", line=int(rng.integers(20, 900)))
    if rng.random() < 0.5:
        entry["user_id"] = user
    if "RPC" in message or "quote" in message:
        entry["duration_ms"] = round(float(rng.uniform(800, 30000)), 1)
    if error:
        entry["error"] = error
        entry["context"] = {"attempt": int(rng.integers(1, 4))}
    if level in ("ERROR", "CRITICAL"):
        entry["stack_trace"] = ("Traceback (most recent call last):\n"
                                f'  File "{module}.py", line {entry["line"]}, in {entry["function"]}\n'
                                f"{error or 'RuntimeError'}")  # fmt: skip
        entry["event_name"] = f"{module}_error"
    return entry


def _error_events(ctx: _Ctx, n: int, rng: np.random.Generator) -> list[Event]:
    times = np.sort(rng.uniform(ctx.clock.end - LOG_DAYS * DAY, ctx.clock.end, n)).tolist()
    kinds = rng.choice(len(_ERRORS), size=n, p=[0.2, 0.15, 0.15, 0.15, 0.15, 0.1, 0.02, 0.08]).tolist()
    users = rng.choice(ctx.users.telegram_ids, size=n).tolist()
    return [(t, _error_entry(t, k, rng, u)) for t, k, u in zip(times, kinds, users, strict=True)]


def _write_lines(path: Path, events: list[Event]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(jsonl(e) for _, e in events))
    return len(events)


def _write_logs(home: Path, con: sqlite3.Connection, ctx: _Ctx) -> dict[str, int]:
    """audit, trading and errors JSONL, ~spec.log_lines in all; deployed audit also rotated once."""
    rng = _rng(ctx.seed, _Stream.LOGS)
    adr, total = ctx.spec.schema == "adr", ctx.spec.log_lines
    n_trading, n_errors = round(total * 0.35), round(total * 0.15)
    n_audit = total - n_trading - n_errors
    trading = sorted(_trading_events(_recent_trades(con, adr, n_trading), adr), key=lambda e: e[0])[-n_trading:]
    audit = _audit_events(ctx, _sampled_trades(con, ctx, int(n_audit * 0.4), rng), n_audit, rng)
    logs = home / "logs"
    counts = {"logs/trading.jsonl": _write_lines(logs / "trading.jsonl", trading if n_trading else []),
              "logs/errors.jsonl": _write_lines(logs / "errors.jsonl", _error_events(ctx, n_errors, rng))}  # fmt: skip
    split = int(len(audit) * 0.4) if not adr and len(audit) > 1 else 0
    if split:
        name = f"logs/audit.{datetime.fromtimestamp(audit[split][0]).strftime('%Y%m%d_%H%M%S')}.jsonl"
        counts[name] = _write_lines(home / name, audit[:split])
    counts["logs/audit.jsonl"] = _write_lines(logs / "audit.jsonl", audit[split:])
    return counts
