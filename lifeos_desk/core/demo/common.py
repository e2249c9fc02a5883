"""Shared vocabulary of the demo generator: sizes, tokens, spec/result, ids and log-entry builders.

Why a module of its own: every part of a demo home (database rows, state
files, logs) and the live writer (``core/live.py``) must agree on the same
tokens, the same cent rounding, the same timestamp texts and the same JSONL
entry shapes, and on one seeded random stream per concern (``_Stream``) so a
seed gives the same home. Keeping them here keeps the writers below them
consistent and gives ``live.py`` one place to import them from.
"""

from __future__ import annotations

import enum
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..base58 import b58encode

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Progress = Callable[[str], None]
Row = tuple[Any, ...]
Event = tuple[float, dict[str, Any]]  # (epoch, log entry)

SCHEMAS = ("adr", "deployed")
DEMO_PASSPHRASE_PREFIX = "demo-"
DAY = 86_400.0
WINDOW_DAYS = 180  # trades spread over the last ~6 months
LOG_DAYS = 30  # audit and error logs cover the last month
CHUNK_ROWS = 100_000  # rows generated (vectorised) and inserted per step
POOL_MIN_WALLETS = 16  # below this, sealing keys serially is as fast

RISK_LEVELS = ("CONSERVATIVE", "MODERATE", "AGGRESSIVE", "DEGEN")
_RISK_P = (0.25, 0.45, 0.20, 0.10)
_RISK_USD = np.array([40.0, 120.0, 350.0, 900.0])  # median trade size per risk level
# Deployed per-risk settings: max_position_size_pct, max_daily_trades,
# max_daily_loss_usd, require_trade_confirmation.
_RISK_SETTINGS = {
    "CONSERVATIVE": (2.0, 5, 50.0, True),
    "MODERATE": (5.0, 10, 100.0, True),
    "AGGRESSIVE": (10.0, 20, 250.0, False),
    "DEGEN": (25.0, 50, 1000.0, False),
}
ALGORITHMS = (
    "sentiment", "liquidation", "technical", "whale", "news",
    "momentum", "reversal", "volume", "composite",
)  # fmt: skip


class _Stream(enum.IntEnum):
    """Independent random streams: changing one size does not reshuffle the rest."""

    USERS = 1
    KEYS = 2
    PRICES = 3
    TRADES = 4
    IDS = 5
    LOGS = 6
    STATE = 7
    METRICS = 8


@dataclass(frozen=True)
class Token:
    """A traded token: typical USD price, daily log volatility, share of trades, decimals."""

    symbol: str
    price: float
    vol: float
    weight: float
    decimals: int


TOKENS = (
    Token("SOL", 150.0, 0.04, 20, 9),
    Token("BONK", 0.000022, 0.08, 12, 5),
    Token("WIF", 1.9, 0.09, 10, 6),
    Token("JUP", 0.85, 0.06, 8, 6),
    Token("POPCAT", 0.75, 0.10, 7, 9),
    Token("RAY", 3.2, 0.06, 5, 6),
    Token("JTO", 2.6, 0.06, 4, 9),
    Token("PYTH", 0.35, 0.06, 4, 6),
    Token("ORCA", 2.9, 0.06, 3, 6),
    Token("MEW", 0.0055, 0.10, 5, 5),
    Token("BOME", 0.0075, 0.10, 5, 6),
    Token("MOODENG", 0.18, 0.12, 4, 6),
    Token("PNUT", 0.45, 0.12, 4, 6),
    Token("FARTCOIN", 0.95, 0.12, 5, 6),
    Token("GIGA", 0.028, 0.12, 3, 5),
    Token("TRUMP", 12.0, 0.08, 3, 6),
    Token("RENDER", 6.5, 0.05, 2, 8),
    Token("HNT", 4.2, 0.05, 2, 8),
)


def token_mint(symbol: str) -> str:
    """A made-up but well-formed mint (base58 of 32 bytes) for a demo token.

    Not the real mints, so nothing in a demo home can be mistaken for, or
    used against, a real token.
    """
    return b58encode(hashlib.sha256(b"lifeos-desk demo mint:" + symbol.encode()).digest())


_SYMBOLS = np.array([t.symbol for t in TOKENS], dtype=object)
_MINTS = np.array([token_mint(t.symbol) for t in TOKENS], dtype=object)
_TOKEN_P = np.array([t.weight for t in TOKENS]) / sum(t.weight for t in TOKENS)
_VOL = np.array([t.vol for t in TOKENS])
_DEC_SCALE = np.array([10.0**t.decimals for t in TOKENS])


@dataclass(frozen=True)
class DemoSpec:
    """What to generate. ``end`` (an aware datetime) pins the newest timestamp."""

    schema: str = "deployed"  # "adr" or "deployed"
    users: int = 50
    trades: int = 5000
    log_lines: int = 2000
    seed: int = 1
    end: datetime | None = None  # None: now, rounded down to the hour


@dataclass
class DemoResult:
    """The home written, its wallet passphrase, rows per table / lines per file, seconds per phase."""

    home: Path
    passphrase: str
    counts: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------- small shared helpers


def cents(x: float) -> float:
    """Round USD to cents: half-even on ``x * 100`` (same result as ``numpy.rint``)."""
    return round(x * 100) / 100


def _cents(x: F64) -> F64:
    return np.rint(x * 100) / 100


def demo_passphrase(seed: int) -> str:
    """The wallet passphrase of a demo home: printable and fixed for a seed."""
    words = ("amber", "falcon", "river", "cobalt", "meadow", "quartz", "ember", "lantern",
             "harbor", "willow", "summit", "velvet", "orbit", "cedar", "tundra", "mosaic")  # fmt: skip
    rng = _rng(seed, _Stream.KEYS, 999)
    picked = rng.choice(len(words), size=3, replace=False)
    return f"{DEMO_PASSPHRASE_PREFIX}{seed}-" + "-".join(words[int(i)] for i in picked)


def _rng(seed: int, stream: int, *sub: int) -> np.random.Generator:
    return np.random.default_rng([seed, int(stream), *sub])


def utc_sql(epoch: float) -> str:
    """SQLite CURRENT_TIMESTAMP text (UTC), as the ADR's defaults write it."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


def utc_iso(epoch: float) -> str:
    """ISO-8601 with +00:00, as ``datetime.now(timezone.utc).isoformat()``."""
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def utc_z(epoch: float) -> str:
    """The structured logger's ``...Z`` timestamp."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def local_iso(epoch: float) -> str:
    """Local ISO text without zone: only the audit trail's ``timestamp_iso`` (``datetime.fromtimestamp``)."""
    return datetime.fromtimestamp(epoch).isoformat()


def _naive_utc_iso_us(epoch_us: I64) -> list[str]:
    """Vectorised ``naive_utc_iso`` for microsecond epochs whose microseconds are non-zero."""
    return np.datetime_as_string(epoch_us.astype("datetime64[us]"), unit="us").tolist()  # type: ignore[no-any-return]


def jsonl(entry: dict[str, Any]) -> bytes:
    """One JSONL line, newline included."""
    return (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")


def adr_audit_entry(epoch: float, event: str, **fields: Any) -> dict[str, Any]:
    """ADR-005 ``AuditLog.log(event, **kwargs)``."""
    return {"timestamp": utc_iso(epoch), "event": event, **fields}


def deployed_audit_entry(
    epoch: float,
    event_type: str,
    actor_id: str,
    action: str,
    resource: tuple[str, str | None],
    details: dict[str, Any] | None = None,
    *,
    error: str | None = None,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> dict[str, Any]:
    """The deployed security audit trail's entry; ``error`` set means success false."""
    return {
        "timestamp": epoch,
        "event_type": event_type,
        "actor_id": actor_id,
        "action": action,
        "resource_type": resource[0],
        "resource_id": resource[1],
        "ip_address": ip_address,
        "user_agent": user_agent,
        "details": details,
        "success": error is None,
        "error_message": error,
        "timestamp_iso": local_iso(epoch),
    }


def trading_entry(epoch: float, event: str, token: str, pnl_usd: float, **fields: Any) -> dict[str, Any]:
    """A ``trading.jsonl`` line: ``{"timestamp", "event", "token", "pnl_usd", ...}``."""
    return {"timestamp": utc_iso(epoch), "event": event, "token": token, "pnl_usd": pnl_usd, **fields}


def _hex_ids(key: int, lo: int, n: int) -> list[str]:
    """n distinct 16-hex-digit ids: splitmix64 (a bijection) of ``key + index``."""
    with np.errstate(over="ignore"):
        z = np.arange(lo, lo + n, dtype=np.uint64) + np.uint64(key)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    text = z.astype(">u8").tobytes().hex()
    return [text[i : i + 16] for i in range(0, 16 * n, 16)]


def _id_key(seed: int, kind: int) -> int:
    return int(_rng(seed, _Stream.IDS, kind).integers(0, 2**62))


def _random_hex(rng: np.random.Generator) -> str:
    return _hex_ids(int(rng.integers(0, 2**62)), 0, 1)[0]
