"""The trading state files and algorithm metrics of a demo home.

Why: the console reads ``trading/positions.json``, ``trading/exit_intents.json``
and the metrics JSON (``trading/algorithm_metrics.json`` for the ADR,
``algorithms/global_metrics.json`` for the deployed bot) next to the
database; this writes them in each writer's shape. ADR positions mirror the
newest trades; the deployed treasury's positions are its own.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..times import naive_utc_iso
from .common import (
    _MINTS,
    _TOKEN_P,
    ALGORITHMS,
    DAY,
    TOKENS,
    _cents,
    _hex_ids,
    _id_key,
    _random_hex,
    _rng,
    _Stream,
    cents,
    utc_iso,
)
from .context import _Ctx


def _metrics(ctx: _Ctx) -> dict[str, dict[str, Any]]:
    """global_metrics.json shape; every figure follows from simulated signal outcomes."""
    rng = _rng(ctx.seed, _Stream.METRICS)
    when = naive_utc_iso(ctx.clock.end) if ctx.spec.schema == "deployed" else utc_iso(ctx.clock.end)
    out: dict[str, dict[str, Any]] = {}
    for algo in ALGORITHMS:
        total = int(rng.integers(40, 2000))
        accuracy = rng.uniform(0.38, 0.68)
        wins_n = int(rng.binomial(total, accuracy))
        wins = _cents(rng.lognormal(3.0, 1.0, wins_n))
        losses = -_cents(rng.lognormal(2.7, 0.9, total - wins_n))
        out[algo] = {
            "algorithm_type": algo, "total_signals": total, "winning_signals": wins_n,
            "losing_signals": total - wins_n, "total_pnl": round(float(wins.sum() + losses.sum()), 2),
            "accuracy": round(100 * wins_n / total, 2),
            "avg_win": round(float(wins.mean()), 2) if wins_n else 0.0,
            "avg_loss": round(float(losses.mean()), 2) if total > wins_n else 0.0,
            "best_win": float(wins.max()) if wins_n else 0.0,
            "worst_loss": float(losses.min()) if total > wins_n else 0.0,
            "confidence_score": round(float(np.clip(50 + (accuracy - 0.5) * 150 + rng.normal(0, 5), 0, 100)), 1),
            "last_updated": when,
        }  # fmt: skip
    return out


@dataclass(frozen=True)
class _OpenPos:
    id: str
    mint: str
    symbol: str
    direction: str
    entry: float
    amount: float
    amount_usd: float
    opened: float


def _adr_positions(con: sqlite3.Connection, status: str, limit: int) -> list[_OpenPos]:
    """The newest trades of a status, as positions (ADR: the snapshot mirrors the trades table)."""
    sql = ("SELECT id, token_mint, token_symbol, direction, entry_price, amount, amount_usd,"
           " CAST(strftime('%s', opened_at) AS INTEGER) FROM trades WHERE status = ?"
           " ORDER BY rowid DESC LIMIT ?")  # fmt: skip
    return [_OpenPos(*row) for row in con.execute(sql, (status, limit))]


def _treasury_positions(ctx: _Ctx, rng: np.random.Generator, n: int) -> list[_OpenPos]:
    """The deployed treasury's own positions (not tied to user transactions)."""
    out = []
    for i, sym in enumerate(rng.choice(len(TOKENS), size=n, replace=False, p=_TOKEN_P).tolist()):
        opened = ctx.clock.end - float(rng.uniform(0.1, 7)) * DAY
        entry = float(ctx.prices.at(np.array([sym]), np.array([opened]))[0])
        amount = round(float(rng.uniform(50, 500)) / entry, TOKENS[sym].decimals)
        pid = _hex_ids(_id_key(ctx.seed, 4), i, 1)[0][:12]
        out.append(_OpenPos(pid, str(_MINTS[sym]), TOKENS[sym].symbol, "LONG", entry, amount,
                            cents(entry * amount), opened))  # fmt: skip
    return out


def _order_id(rng: np.random.Generator) -> str | None:
    return _random_hex(rng) if rng.random() < 0.8 else None


def _position_json(
    p: _OpenPos, current: float, rng: np.random.Generator, iso: Callable[[float], str]
) -> dict[str, Any]:
    long = p.direction == "LONG"
    raw = (current - p.entry) * p.amount if long else (p.entry - current) * p.amount
    score = round(float(rng.uniform(40, 95)), 1)
    grade = "A+" if score >= 90 else "A" if score >= 80 else "B+" if score >= 70 else "B" if score >= 60 else "C"
    return {
        "id": p.id, "token_mint": p.mint, "token_symbol": p.symbol, "direction": p.direction,
        "entry_price": p.entry, "current_price": current, "amount": p.amount, "amount_usd": p.amount_usd,
        "take_profit_price": p.entry * (1.3 if long else 0.7),
        # a stop the current price has not crossed (a crossed one would have fired)
        "stop_loss_price": min(p.entry * 0.88, current * 0.97) if long else max(p.entry * 1.12, current * 1.03),
        "status": "OPEN", "opened_at": iso(p.opened), "closed_at": None, "exit_price": None,
        "pnl_usd": cents(raw), "pnl_pct": round(100 * raw / p.amount_usd, 2) if p.amount_usd else 0.0,
        "sentiment_grade": grade, "sentiment_score": score,
        "tp_order_id": _order_id(rng), "sl_order_id": _order_id(rng),
        "peak_price": max(p.entry, current) * (1 + float(rng.uniform(0, 0.05))) if long
        else min(p.entry, current) * (1 - float(rng.uniform(0, 0.05))),
        "ladder_exits": [{"pct": pct, "price": p.entry * (1 + m if long else 1 - m), "filled": False}
                         for pct, m in ((25, 0.1), (25, 0.2), (50, 0.4))],
    }  # fmt: skip


def _exit_intent(p: dict[str, Any], end: float, rng: np.random.Generator, status: str) -> dict[str, Any]:
    entry, long = p["entry_price"], p["direction"] == "LONG"
    opened = datetime.fromisoformat(p["opened_at"]).timestamp()
    filled = status in ("partial", "completed")
    tps = []
    for level, margin, size in ((1, 0.1, 33.0), (2, 0.25, 33.0), (3, 0.5, 34.0)):
        price, hit = entry * (1 + margin if long else 1 - margin), filled and level == 1
        fill = (price, opened + 3600.0) if hit else (None, None)
        tps.append({"level": level, "price": price, "size_pct": size, "filled": hit,
                    "fill_price": fill[0], "fill_timestamp": fill[1]})  # fmt: skip
    stop = p["stop_loss_price"]
    return {
        "id": _random_hex(rng)[:8], "position_id": p["id"],
        "position_type": "spot" if long else "perps", "token_mint": p["token_mint"], "symbol": p["token_symbol"],
        "entry_price": entry, "entry_timestamp": opened, "original_quantity": p["amount"],
        "remaining_quantity": round(p["amount"] * (0.67 if filled else 1.0), 9) if status != "completed" else 0.0,
        "take_profits": tps,
        "stop_loss": {"price": stop, "size_pct": 100.0, "adjusted": filled, "original_price": stop},
        "time_stop": {"deadline_timestamp": max(opened + 72 * 3600.0, end + 6 * 3600.0), "action": "exit",
                      "triggered": False},
        "trailing_stop": {"active": filled, "trail_pct": 8.0, "highest_price": p["peak_price"],
                          "current_stop": p["peak_price"] * 0.92 if filled else None},
        "status": status, "sentiment_invalidated": status == "cancelled",
        "last_check_timestamp": end - float(rng.uniform(1, 60)), "last_check_price": p["current_price"],
        "enforcement_attempts": int(rng.integers(0, 40)), "enforcement_failures": int(rng.integers(0, 3)),
        "is_paper": bool(rng.random() < 0.2), "notes": "" if status != "cancelled" else "sentiment flipped",
    }  # fmt: skip


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")


def _write_state(home: Path, ctx: _Ctx, open_pos: list[_OpenPos], closed: list[_OpenPos]) -> dict[str, int]:
    """positions.json (open positions), exit_intents.json (theirs, plus a few finished ones), metrics."""
    rng = _rng(ctx.seed, _Stream.STATE)
    adr = ctx.spec.schema == "adr"
    iso = utc_iso if adr else naive_utc_iso
    index = {t.symbol: i for i, t in enumerate(TOKENS)}
    now = np.full(1, ctx.clock.end)
    positions = []
    for p in open_pos + closed:
        current = float(ctx.prices.at(np.array([index[p.symbol]]), now)[0]) * float(np.exp(rng.normal(0, 0.02)))
        positions.append(_position_json(p, current, rng, iso))
    statuses = rng.choice(["active", "partial"], size=len(open_pos), p=[0.7, 0.3]).tolist()
    statuses += ["completed", "cancelled", "completed"][: len(closed)]
    intents = [_exit_intent(p, ctx.clock.end, rng, s) for p, s in zip(positions, statuses, strict=True)]
    positions = positions[: len(open_pos)]
    _write_json(home / "trading" / "positions.json", positions)
    _write_json(home / "trading" / "exit_intents.json", {i["id"]: i for i in intents})
    metrics = _metrics(ctx)
    metrics_path = "trading/algorithm_metrics.json" if adr else "algorithms/global_metrics.json"
    _write_json(home / metrics_path, metrics)
    return {"trading/positions.json": len(positions), "trading/exit_intents.json": len(intents),
            metrics_path: len(metrics)}  # fmt: skip
