"""Demo data: a complete, realistic LifeOS data home in either schema.

Why: the console has to be tried, tested and benchmarked against data shaped
exactly like the bot's (../shared/FORMATS.md) and at more than the bot's
scale (1,000,000 trades), without anyone's real wallets. So this writes
``public_users.db`` (ADR-005 or deployed schema, the DDL of ``schema.py``
verbatim), the trading state files, the metrics and the three JSONL logs in
each writer's shape, with real ed25519 keypairs sealed exactly as the bot
seals them (PBKDF2-HMAC-SHA256, 100,000 iterations, Fernet).

Determinism: everything comes from ``numpy.random.default_rng([seed, stream,
...])``, one stream per concern, so the same seed gives the same users, keys
(seeds, salts, addresses, plaintexts), trades and logs. Three things are not
byte-identical between runs: a Fernet token carries a random IV and its own
timestamp (the decrypted key is identical, the stored envelope is not);
columns the deployed bot writes in local time follow this machine's time
zone; and without ``DemoSpec.end`` the newest timestamp is "now" rounded down
to the hour.

Money arithmetic, one rule everywhere: an amount in USD is rounded to cents
as ``round_half_even(x * 100) / 100`` on the float ``x`` (``cents``). ADR
trades: ``amount_usd = cents(entry_price * amount)``; for a CLOSED trade
``pnl_usd = cents((exit_price - entry_price) * amount)`` when LONG and
``cents((entry_price - exit_price) * amount)`` when SHORT; OPEN, CANCELLED and
FAILED trades have ``exit_price`` NULL and ``pnl_usd`` 0, and only OPEN ones a
NULL ``closed_at`` (OPEN: the close would fall after the end, or ~1% left
stale). Deployed
transactions: only a completed SELL realises PnL (``cents(usd * r / (1 + r))``
for a return r); ``user_stats`` counts completed transactions (BUY and SELL)
in ``total_trades`` and volume and judges completed SELLs for the rest (pnl >
0 wins, < 0 loses, 0 is neither and ends both streaks); ``win_rate`` is a
percentage of judged SELLs; best/worst are over judged SELLs (0 without any);
streaks are the user's current run at the newest SELL. ``trading.jsonl`` has
``TRADE_EXECUTED`` for fills and ``TRADE_FAILED`` for failed trades.

This module never imports Qt. It writes with Python's sqlite3, which is safe
only outside the GUI process (ENGINEERING.md fact 1): run it from the CLI.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .base58 import b58encode
from .keys import BOT_ITERATIONS, StoredForm, keypair_from_seed, seal
from .paths import DB_FILENAME
from .schema import ADR_DDL, DEPLOYED_DDL

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
    """Local ISO text without zone, as the deployed bot's ``datetime.now().isoformat()``."""
    return datetime.fromtimestamp(epoch).isoformat()


def _local_iso_us(epoch_us: I64) -> list[str]:
    """Vectorised ``local_iso`` for microsecond epochs whose microseconds are non-zero."""
    hours = epoch_us // 3_600_000_000
    uniq, inverse = np.unique(hours, return_inverse=True)
    offsets = np.array([time.localtime(int(h) * 3600).tm_gmtoff for h in uniq], dtype=np.int64)
    local = epoch_us + offsets[inverse] * 1_000_000
    return np.datetime_as_string(local.astype("datetime64[us]"), unit="us").tolist()  # type: ignore[no-any-return]


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


# ---------------------------------------------------------------- time, prices, users


@dataclass(frozen=True)
class _Clock:
    end: float

    @property
    def start(self) -> float:
        return self.end - WINDOW_DAYS * DAY

    def row_times(self, rng: np.random.Generator, lo: int, n: int, total: int) -> F64:
        """Row i of ``total`` at start + (i + u) * span / total: increasing with rowid."""
        idx = np.arange(lo, lo + n, dtype=np.float64) + rng.random(n)
        return self.start + idx * ((self.end - self.start) / max(total, 1))


def _end_epoch(spec: DemoSpec) -> float:
    if spec.end is not None:
        return spec.end.timestamp()
    return float(int(time.time()) // 3600 * 3600)


class _Prices:
    """A daily log-price random walk per token, ending at the token's typical price."""

    def __init__(self, seed: int, clock: _Clock) -> None:
        rng = _rng(seed, _Stream.PRICES)
        self.days = WINDOW_DAYS + 1
        steps = rng.standard_normal((len(TOKENS), self.days)) * _VOL[:, None] * 0.6
        walk = np.cumsum(steps, axis=1)
        self.walk = walk - walk[:, -1:]
        self.base = np.array([t.price for t in TOKENS])
        self.start = clock.start

    def at(self, sym: I64, t: F64) -> F64:
        day = np.clip(((t - self.start) // DAY).astype(np.int64), 0, self.days - 1)
        return self.base[sym] * np.exp(self.walk[sym, day])  # type: ignore[no-any-return]


@dataclass(frozen=True)
class _Users:
    """Users ordered by creation time; only existing users trade, some much more than others."""

    telegram_ids: list[int]
    names: list[str | None]
    risk: list[str]
    risk_idx: I64
    created: F64
    cum_weight: F64

    def pick(self, rng: np.random.Generator, t: F64) -> I64:
        existing = np.maximum(np.searchsorted(self.created, t, side="right"), 1)
        u = rng.random(len(t)) * self.cum_weight[existing - 1]
        picked: I64 = np.minimum(np.searchsorted(self.cum_weight, u, side="right"), existing - 1)
        return picked


def _telegram_ids(rng: np.random.Generator, n: int) -> list[int]:
    """Distinct Telegram ids: 9 digits for older accounts, 10 for newer ones."""
    out: dict[int, None] = {}
    while len(out) < n:
        ten = rng.random(2 * n) < 0.55
        ids = np.where(ten, rng.integers(1_000_000_000, 7_999_999_999, 2 * n),
                       rng.integers(100_000_000, 999_999_999, 2 * n))  # fmt: skip
        out.update(dict.fromkeys(ids.tolist()))
    return list(out)[:n]


_NAME_A = ("sol", "moon", "degen", "ape", "whale", "based", "crypto", "pump", "diamond", "chad",
           "alpha", "sigma", "rekt", "gm", "wagmi", "bonk", "jup", "turbo", "lucky", "night")  # fmt: skip
_NAME_B = ("trader", "hands", "hunter", "sniper", "farmer", "maxi", "lord", "king", "queen", "bot",
           "rider", "boi", "cat", "dog", "frog", "ape", "capital", "labs", "dao", "fi")  # fmt: skip


def _usernames(rng: np.random.Generator, n: int, missing_share: float) -> list[str | None]:
    """Unique Telegram-style handles; a share of users has none (ADR allows NULL)."""
    a = rng.integers(0, len(_NAME_A), n).tolist()
    b = rng.integers(0, len(_NAME_B), n).tolist()
    num = rng.integers(1, 9999, n).tolist()
    style = rng.integers(0, 4, n).tolist()
    missing = (rng.random(n) < missing_share).tolist()
    seen: set[str] = set()
    out: list[str | None] = []
    for i in range(n):
        x, y = _NAME_A[a[i]], _NAME_B[b[i]]
        name = (f"{x}_{y}", f"{x}{y}{num[i]}", f"{x.title()}{y.title()}", f"{x}_{y}_{num[i]}")[style[i]]
        while name.lower() in seen:
            name = f"{name}{num[i] % 10}"
        seen.add(name.lower())
        out.append(None if missing[i] else name)
    return out


def _make_users(spec: DemoSpec, clock: _Clock) -> _Users:
    rng = _rng(spec.seed, _Stream.USERS)
    n = spec.users
    n_old = max(1, n * 3 // 10)  # joined before the window opened
    created = np.sort(np.concatenate([
        clock.start - rng.uniform(DAY, 90 * DAY, n_old),
        rng.uniform(clock.start, clock.end - 3 * DAY, n - n_old),
    ]))  # fmt: skip
    risk_idx = rng.choice(len(RISK_LEVELS), size=n, p=_RISK_P)
    return _Users(
        telegram_ids=_telegram_ids(rng, n),
        names=_usernames(rng, n, 0.04 if spec.schema == "adr" else 0.0),
        risk=[RISK_LEVELS[i] for i in risk_idx.tolist()],
        risk_idx=risk_idx,
        created=created,
        cum_weight=np.cumsum(rng.lognormal(0.0, 1.2, n)),
    )


# ---------------------------------------------------------------- wallet keys

_KeyJob = tuple[bytes, bytes, str, StoredForm]


def _seal_wallet(job: _KeyJob) -> tuple[str, str | bytes]:
    """(address, sealed secret) for one seed: the bot's envelope, 100,000 iterations."""
    seed, salt, passphrase, form = job
    secret = keypair_from_seed(seed)
    sealed = seal(b58encode(secret), passphrase, BOT_ITERATIONS, salt=salt, form=form)
    return b58encode(secret[32:]), sealed


def _seal_wallets(spec: DemoSpec, passphrase: str, progress: Progress) -> list[tuple[str, str | bytes]]:
    """Seal one real keypair per user; seeds and salts come from the seeded stream.

    A thread pool, not a process pool: hashlib.pbkdf2_hmac releases the GIL,
    and on this 2-core machine 2 threads sealed a key in 15.1 ms against
    15.0 ms for 2 processes (26.9 ms serial), with no process start-up, no
    pickling and no fork of whatever process called us.
    """
    rng = _rng(spec.seed, _Stream.KEYS)
    raw = rng.bytes(48 * spec.users)
    forms = _wallet_forms(spec)
    jobs = [(raw[48 * i : 48 * i + 32], raw[48 * i + 32 : 48 * i + 48], passphrase, forms[i])
            for i in range(spec.users)]  # fmt: skip
    if len(jobs) <= POOL_MIN_WALLETS:
        return [_seal_wallet(j) for j in jobs]
    out: list[tuple[str, str | bytes]] = []
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for done, sealed in enumerate(pool.map(_seal_wallet, jobs), 1):
            out.append(sealed)
            if done % 500 == 0:
                progress(f"keys {done}/{len(jobs)}")
    return out


def _wallet_forms(spec: DemoSpec) -> list[StoredForm]:
    """Deployed: base64 TEXT. ADR BLOBs alternate so both stored forms exist."""
    if spec.schema == "deployed":
        return [StoredForm.BASE64_TEXT] * spec.users
    return [StoredForm.BASE64_BYTES if i % 2 == 0 else StoredForm.RAW_BYTES for i in range(spec.users)]


# ---------------------------------------------------------------- generation context


@dataclass(frozen=True)
class _Ctx:
    spec: DemoSpec
    clock: _Clock
    prices: _Prices
    users: _Users
    wallets: list[tuple[str, str | bytes]]
    progress: Progress

    @property
    def seed(self) -> int:
        return self.spec.seed


def _chunks(total: int) -> Iterator[tuple[int, int]]:
    for lo in range(0, total, CHUNK_ROWS):
        yield lo, min(total, lo + CHUNK_ROWS)


def _open_bulk(path: Path) -> sqlite3.Connection:
    """A connection tuned for one bulk load: no journal, no fsync (the file is new)."""
    con = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-262144", "temp_store=MEMORY"):
        con.execute(f"PRAGMA {pragma}")
    return con


def _insert(con: sqlite3.Connection, sql: str, rows: Any) -> None:
    con.execute("BEGIN")
    con.executemany(sql, rows)
    con.execute("COMMIT")


def _count(con: sqlite3.Connection, table: str) -> int:
    return int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


# ---------------------------------------------------------------- ADR schema


_ADR_TRADE_SQL = (
    "INSERT INTO trades (id, user_id, token_mint, token_symbol, direction, entry_price, exit_price,"
    " amount, amount_usd, status, pnl_usd, opened_at, closed_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,datetime(?,'unixepoch'),datetime(?,'unixepoch'))"
)


def _adr_people(con: sqlite3.Connection, ctx: _Ctx) -> None:
    u = ctx.users
    rng = _rng(ctx.seed, _Stream.USERS, 2)
    labels = rng.choice(["Main", "Main", "Main", "Trading", "Phantom", "Solflare"], size=len(u.names)).tolist()
    created = [utc_sql(t) for t in u.created.tolist()]
    users = ((i + 1, u.telegram_ids[i], u.names[i], u.risk[i], created[i], created[i])
             for i in range(len(created)))  # fmt: skip
    _insert(con, "INSERT INTO users VALUES (?,?,?,?,?,?)", users)
    wallets = ((i + 1, i + 1, addr, sealed, labels[i], 1, created[i])
               for i, (addr, sealed) in enumerate(ctx.wallets))  # fmt: skip
    _insert(con, "INSERT INTO wallets VALUES (?,?,?,?,?,?,?)", wallets)


def _adr_trade_rows(ctx: _Ctx, lo: int, hi: int, key: int) -> Iterator[Row]:
    """Rows lo..hi of the trades table, vectorised; see the module docstring for the arithmetic."""
    rng = _rng(ctx.seed, _Stream.TRADES, lo // CHUNK_ROWS)
    n, total, end = hi - lo, ctx.spec.trades, ctx.clock.end
    opened = np.floor(ctx.clock.row_times(rng, lo, n, total))
    who = ctx.users.pick(rng, opened)
    sym = rng.choice(len(TOKENS), size=n, p=_TOKEN_P)
    short = rng.random(n) < 0.2
    entry = ctx.prices.at(sym, opened) * np.exp(rng.normal(0.0, 0.01, n))
    target_usd = _RISK_USD[ctx.users.risk_idx[who]] * rng.lognormal(0.0, 0.8, n)
    scale = _DEC_SCALE[sym]
    amount = np.maximum(np.rint(target_usd / entry * scale) / scale, 1.0 / scale)
    hold = rng.lognormal(np.log(4 * 3600), 1.5, n)
    move = rng.standard_t(3, n) * _VOL[sym] * np.sqrt(hold / DAY) + np.where(short, -0.004, 0.004)
    exit_price = entry * np.exp(np.clip(move, -3.0, 3.0))
    pnl = _cents(np.where(short, entry - exit_price, exit_price - entry) * amount)
    u = rng.random(n)
    status = np.full(n, "CLOSED", dtype=object)
    status[(opened + hold > end) | (u > 0.99)] = "OPEN"
    status[u < 0.035] = "CANCELLED"
    status[u < 0.015] = "FAILED"
    closed_ok = status == "CLOSED"
    closes = np.where(closed_ok, np.maximum(np.floor(hold), 1), rng.integers(2, 600, n))
    closed_at = np.minimum(opened + closes, np.floor(end)).astype(np.int64).astype(object)
    closed_at[status == "OPEN"] = None
    exit_obj = exit_price.astype(object)
    exit_obj[~closed_ok] = None
    return zip(
        _hex_ids(key, lo, n), (who + 1).tolist(), _MINTS[sym].tolist(), _SYMBOLS[sym].tolist(),
        np.where(short, "SHORT", "LONG").tolist(), entry.tolist(), exit_obj.tolist(), amount.tolist(),
        _cents(entry * amount).tolist(), status.tolist(), np.where(closed_ok, pnl, 0.0).tolist(),
        opened.astype(np.int64).tolist(), closed_at.tolist(), strict=True,
    )  # fmt: skip


def _load_adr(con: sqlite3.Connection, ctx: _Ctx) -> None:
    con.executescript(ADR_DDL)
    _adr_people(con, ctx)
    key = _id_key(ctx.seed, 1)
    for lo, hi in _chunks(ctx.spec.trades):
        _insert(con, _ADR_TRADE_SQL, _adr_trade_rows(ctx, lo, hi, key))
        ctx.progress(f"trades {hi}/{ctx.spec.trades}")
    con.execute(
        "UPDATE users SET last_active = a.last FROM (SELECT user_id, MAX(MAX(opened_at),"
        " COALESCE(MAX(closed_at), '')) AS last FROM trades GROUP BY user_id) AS a WHERE users.id = a.user_id"
    )
    rows = [(m["algorithm_type"], m["total_signals"], m["winning_signals"], m["accuracy"],
             m["confidence_score"], utc_sql(ctx.clock.end)) for m in _metrics(ctx).values()]  # fmt: skip
    _insert(con, "INSERT INTO algorithm_metrics (algorithm_type, total_signals, winning_signals, accuracy,"
                 " confidence_score, last_updated) VALUES (?,?,?,?,?,?)", rows)  # fmt: skip


# ---------------------------------------------------------------- deployed schema

_TX_SQL = "INSERT INTO transactions VALUES (?,?,?,?,?,?,?,?,?)"


def _wallet_ids(ctx: _Ctx) -> list[str]:
    hexes = _hex_ids(_id_key(ctx.seed, 2), 0, ctx.spec.users)
    return [f"wallet_{uid}_{h}" for uid, h in zip(ctx.users.telegram_ids, hexes, strict=True)]


def _deployed_people(con: sqlite3.Connection, ctx: _Ctx, wallet_ids: list[str]) -> None:
    u = ctx.users
    n = len(u.telegram_ids)
    rng = _rng(ctx.seed, _Stream.USERS, 3)
    created = _local_iso_us(_epoch_us(u.created))
    flags = rng.random((n, 4)) < np.array([0.9, 0.6, 0.85, 0.93])
    whale = rng.choice([5000.0, 10000.0, 25000.0, 50000.0], size=n).tolist()
    users = [(u.telegram_ids[i], u.names[i], u.risk[i], *_RISK_SETTINGS[u.risk[i]][:3],
              _RISK_SETTINGS[u.risk[i]][3], bool(flags[i, 0]), whale[i], bool(flags[i, 1]),
              bool(flags[i, 2]), created[i], created[i], bool(flags[i, 3])) for i in range(n)]  # fmt: skip
    _insert(con, "INSERT INTO users VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", users)
    source = rng.choice(["generated", "imported", "recovered"], size=n, p=[0.75, 0.2, 0.05]).tolist()
    balance = np.round(rng.lognormal(0.5, 1.3, n), 9).tolist()
    wallets = [(wallet_ids[i], u.telegram_ids[i], addr, sealed, source[i], created[i], created[i],
                balance[i], 0.0, True) for i, (addr, sealed) in enumerate(ctx.wallets)]  # fmt: skip
    _insert(con, "INSERT INTO wallets VALUES (?,?,?,?,?,?,?,?,?,?)", wallets)


def _epoch_us(t: F64) -> I64:
    """Microsecond epochs whose microseconds are never 0 (isoformat() would drop them)."""
    us = np.floor(t * 1e6).astype(np.int64)
    return us + (us % 1_000_000 == 0)  # type: ignore[no-any-return]


class _Ledger:
    """Totals of completed transactions per user and per (user, token), kept while rows are made.

    It replaces GROUP BY passes over the finished table (about 4 s at 1M rows
    on this machine); the tests recompute every figure from the table itself.
    """

    def __init__(self, n_users: int, midnight_us: int) -> None:
        self.midnight_us = midnight_us
        z = np.zeros(n_users)
        self.count, self.wins, self.losses, self.today = (np.zeros(n_users, np.int64) for _ in range(4))
        self.pnl, self.win_sum, self.loss_sum, self.volume, self.today_loss = z.copy(), z.copy(), z.copy(), z.copy(), z
        self.best, self.worst = np.full(n_users, -np.inf), np.full(n_users, np.inf)
        self.last_us = np.full(n_users, -1, np.int64)
        pairs = n_users * len(TOKENS)
        self.pair_seen, self.pair_buy = np.zeros(pairs, bool), np.zeros(pairs, bool)
        self.pair_usd, self.pair_us = np.zeros(pairs), np.zeros(pairs, np.int64)
        self.runs: dict[int, tuple[int, int]] = {}

    def add(self, who: I64, sym: I64, sell: npt.NDArray[np.bool_], usd: F64, pnl: F64, t_us: I64) -> None:
        """Book one chunk's completed rows (in rowid order)."""
        every = np.ones(len(who), bool)
        win, loss = sell & (pnl > 0), sell & (pnl < 0)
        self.count += self._tally(who, every)
        self.wins += self._tally(who, win)
        self.losses += self._tally(who, loss)
        self.pnl += self._total(who, every, pnl)
        self.win_sum += self._total(who, win, pnl)
        self.loss_sum += self._total(who, loss, pnl)
        self.volume += self._total(who, every, usd)
        judged = win | loss
        np.maximum.at(self.best, who[judged], pnl[judged])
        np.minimum.at(self.worst, who[judged], pnl[judged])
        np.maximum.at(self.last_us, who, t_us)
        today = t_us >= self.midnight_us
        self.today += self._tally(who, today)
        self.today_loss += self._total(who, today, np.maximum(-pnl, 0.0))
        self._book_pairs(who * len(TOKENS) + sym, sell, usd, t_us)
        for user, value in zip(who[sell].tolist(), pnl[sell].tolist(), strict=True):
            w, lo = self.runs.get(user, (0, 0))
            self.runs[user] = (w + 1, 0) if value > 0 else (0, lo + 1) if value < 0 else (0, 0)

    def _tally(self, who: I64, mask: npt.NDArray[np.bool_]) -> I64:
        return np.bincount(who[mask], minlength=len(self.count)).astype(np.int64)

    def _total(self, who: I64, mask: npt.NDArray[np.bool_], values: F64) -> F64:
        return np.bincount(who[mask], weights=values[mask], minlength=len(self.count)).astype(np.float64, copy=False)

    def _book_pairs(self, pair: I64, sell: npt.NDArray[np.bool_], usd: F64, t_us: I64) -> None:
        """Remember each (user, token)'s newest completed transaction."""
        _, first_from_end = np.unique(pair[::-1], return_index=True)
        last = len(pair) - 1 - first_from_end
        keys = pair[last]
        self.pair_seen[keys] = True
        self.pair_buy[keys] = ~sell[last]
        self.pair_usd[keys] = usd[last]
        self.pair_us[keys] = t_us[last]

    def agg(self, i: int) -> tuple[Any, ...] | None:
        """(n, wins, losses, pnl, win_sum, loss_sum, best, worst, volume) for _stats_row."""
        if not self.count[i]:
            return None
        judged = bool(self.wins[i] + self.losses[i])
        return (int(self.count[i]), int(self.wins[i]), int(self.losses[i]), float(self.pnl[i]),
                float(self.win_sum[i]), float(self.loss_sum[i]), float(self.best[i]) if judged else None,
                float(self.worst[i]) if judged else None, float(self.volume[i]))  # fmt: skip


def _tx_rows(ctx: _Ctx, lo: int, hi: int, key: int, wallet_ids: Sequence[str], ledger: _Ledger) -> Iterator[Row]:
    """Rows lo..hi of transactions: BUY spends, a completed SELL realises PnL."""
    rng = _rng(ctx.seed, _Stream.TRADES, lo // CHUNK_ROWS)
    n, end = hi - lo, ctx.clock.end
    t = ctx.clock.row_times(rng, lo, n, ctx.spec.trades)
    who = ctx.users.pick(rng, t)
    sym = rng.choice(len(TOKENS), size=n, p=_TOKEN_P)
    sell = rng.random(n) < 0.45
    usd = np.maximum(_cents(_RISK_USD[ctx.users.risk_idx[who]] * rng.lognormal(0.0, 0.8, n)), 1.0)
    u = rng.random(n)
    status = np.full(n, "completed", dtype=object)
    status[(u < 0.03) | ((t > end - 600) & (u > 0.5))] = "pending"
    status[u < 0.025] = "failed"
    done = status == "completed"
    r = np.clip(rng.standard_t(3, n) * _VOL[sym] * 0.8 + 0.006, -0.9, 4.0)
    pnl = np.where(sell & done, _cents(usd * r / (1 + r)), 0.0)
    t_us = _epoch_us(t)
    ledger.add(who[done], sym[done], sell[done], usd[done], pnl[done], t_us[done])
    uids = np.array(ctx.users.telegram_ids, dtype=np.int64)[who].tolist()
    tx_ids = [f"tx_{uid}_{h}" for uid, h in zip(uids, _hex_ids(key, lo, n), strict=True)]
    wallets = np.array(wallet_ids, dtype=object)[who].tolist()
    return zip(
        tx_ids, uids, wallets, _SYMBOLS[sym].tolist(), np.where(sell, "SELL", "BUY").tolist(),
        usd.tolist(), _local_iso_us(t_us), status.tolist(), pnl.tolist(), strict=True,
    )  # fmt: skip


def _stats_row(uid: int, risk: str, agg: Sequence[Any] | None, streak: tuple[int, int], when: str) -> Row:
    """A user_stats row from (n, wins, losses, pnl, win_sum, loss_sum, best, worst, volume)."""
    empty: Sequence[Any] = (0, 0, 0, 0.0, 0.0, 0.0, None, None, 0.0)
    n, wins, losses, pnl, win_sum, loss_sum, best, worst, volume = agg or empty
    judged = wins + losses
    return (
        uid, n, wins, losses, round(pnl, 2), round(100 * wins / judged, 2) if judged else 0.0,
        round(win_sum / wins, 2) if wins else 0.0, round(loss_sum / losses, 2) if losses else 0.0,
        best or 0.0, worst or 0.0, round(volume, 2), risk, when, streak[0], streak[1],
    )  # fmt: skip


def _deployed_books(con: sqlite3.Connection, ctx: _Ctx, ledger: _Ledger, wallet_ids: list[str]) -> None:
    """user_stats, rate_limits, and the users'/wallets' activity columns, from the ledger."""
    ids, when = ctx.users.telegram_ids, local_iso(ctx.clock.end)
    stats = [_stats_row(uid, ctx.users.risk[i], ledger.agg(i), ledger.runs.get(i, (0, 0)), when)
             for i, uid in enumerate(ids)]  # fmt: skip
    _insert(con, "INSERT INTO user_stats VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", stats)
    midnight = local_iso(ledger.midnight_us / 1e6)
    losses = np.round(ledger.today_loss, 2).tolist()
    limits = zip(ids, ledger.today.tolist(), losses, [midnight] * len(ids), strict=True)
    _insert(con, "INSERT INTO rate_limits VALUES (?,?,?,?)", limits)
    active = np.flatnonzero(ledger.last_us >= 0)
    last = _local_iso_us(ledger.last_us[active])
    volume = np.round(ledger.volume[active], 2).tolist()
    picked = active.tolist()
    _insert(con, "UPDATE users SET last_active = ? WHERE user_id = ?",
            zip(last, (ids[i] for i in picked), strict=False))  # fmt: skip
    _insert(con, "UPDATE wallets SET last_used = ?, total_traded_usd = ? WHERE wallet_id = ?",
            zip(last, volume, (wallet_ids[i] for i in picked), strict=False))  # fmt: skip


def _deployed_holdings(con: sqlite3.Connection, ctx: _Ctx, ledger: _Ledger) -> None:
    """positions: (user, token) pairs whose newest completed transaction was a BUY."""
    held = np.flatnonzero(ledger.pair_seen & ledger.pair_buy)
    user, sym = held // len(TOKENS), held % len(TOKENS)
    usd, when = ledger.pair_usd[held], ledger.pair_us[held]
    scale = _DEC_SCALE[sym]
    qty = np.rint(usd / ctx.prices.at(sym, when / 1e6) * scale) / scale
    ids = np.array(ctx.users.telegram_ids, dtype=np.int64)[user].tolist()
    rows = zip(ids, _SYMBOLS[sym].tolist(), qty.tolist(), usd.tolist(), _local_iso_us(when), strict=True)
    _insert(con, "INSERT INTO positions VALUES (?,?,?,?,?)", rows)


def _load_deployed(con: sqlite3.Connection, ctx: _Ctx) -> None:
    con.executescript(DEPLOYED_DDL)
    wallet_ids = _wallet_ids(ctx)
    _deployed_people(con, ctx, wallet_ids)
    key = _id_key(ctx.seed, 3)
    midnight = datetime.fromtimestamp(ctx.clock.end).replace(hour=0, minute=0, second=0, microsecond=0)
    ledger = _Ledger(ctx.spec.users, int(midnight.timestamp()) * 1_000_000)
    for lo, hi in _chunks(ctx.spec.trades):
        _insert(con, _TX_SQL, _tx_rows(ctx, lo, hi, key, wallet_ids, ledger))
        ctx.progress(f"transactions {hi}/{ctx.spec.trades}")
    _deployed_books(con, ctx, ledger, wallet_ids)
    _deployed_holdings(con, ctx, ledger)


# ---------------------------------------------------------------- metrics and state files


def _metrics(ctx: _Ctx) -> dict[str, dict[str, Any]]:
    """global_metrics.json shape; every figure follows from simulated signal outcomes."""
    rng = _rng(ctx.seed, _Stream.METRICS)
    when = local_iso(ctx.clock.end) if ctx.spec.schema == "deployed" else utc_iso(ctx.clock.end)
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


def _random_hex(rng: np.random.Generator) -> str:
    return _hex_ids(int(rng.integers(0, 2**62)), 0, 1)[0]


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
        "take_profit_price": p.entry * (1.3 if long else 0.7), "stop_loss_price": p.entry * (0.88 if long else 1.12),
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
    stop = entry * (0.88 if long else 1.12)
    return {
        "id": _random_hex(rng)[:8], "position_id": p["id"],
        "position_type": "spot" if long else "perps", "token_mint": p["token_mint"], "symbol": p["token_symbol"],
        "entry_price": entry, "entry_timestamp": opened, "original_quantity": p["amount"],
        "remaining_quantity": round(p["amount"] * (0.67 if filled else 1.0), 9) if status != "completed" else 0.0,
        "take_profits": tps,
        "stop_loss": {"price": stop, "size_pct": 100.0, "adjusted": filled, "original_price": stop},
        "time_stop": {"deadline_timestamp": opened + 72 * 3600.0, "action": "exit", "triggered": False},
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
    iso = utc_iso if adr else local_iso
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


# ---------------------------------------------------------------- logs


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


# ---------------------------------------------------------------- the entry point


def _validate(spec: DemoSpec) -> None:
    if spec.schema not in SCHEMAS:
        raise ValueError(f"schema must be one of {SCHEMAS}, not {spec.schema!r}")
    if spec.users < 1 or spec.trades < 0 or spec.log_lines < 0 or spec.seed < 0:
        raise ValueError("users must be >= 1; trades, log_lines and seed >= 0")


def _table_counts(con: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {name: _count(con, name) for name in names}


def _build_db(path: Path, ctx: _Ctx, home: Path) -> dict[str, int]:
    """Load the database and write everything derived from it; returns counts."""
    with closing(_open_bulk(path)) as con:
        (_load_adr if ctx.spec.schema == "adr" else _load_deployed)(con, ctx)
        counts = _table_counts(con)
        if ctx.spec.schema == "adr":
            open_pos, closed = _adr_positions(con, "OPEN", 50), _adr_positions(con, "CLOSED", 3)
        else:
            treasury = _treasury_positions(ctx, _rng(ctx.seed, _Stream.STATE, 1), 11)
            open_pos, closed = treasury[:8], treasury[8:]
        counts.update(_write_logs(home, con, ctx))
        # Leave the file as its writer keeps it: WAL per the ADR, rollback journal for the bot.
        con.execute("PRAGMA journal_mode=" + ("WAL" if ctx.spec.schema == "adr" else "DELETE"))
    counts.update(_write_state(home, ctx, open_pos, closed))
    return counts


def generate_demo_home(home: Path, spec: DemoSpec, progress: Progress | None = None) -> DemoResult:
    """Write a complete demo data home at ``home`` (which plays ``~/.lifeos``).

    Refuses with FileExistsError when ``home/public_users.db`` exists. The
    database is built under a temporary name and renamed into place at the
    end, so a failed run never leaves a half-built database behind.
    """
    _validate(spec)
    db = Path(home) / DB_FILENAME
    if db.exists():
        raise FileExistsError(f"{db} already exists: a demo home is only written into a fresh folder")
    db.parent.mkdir(parents=True, exist_ok=True)
    say: Progress = progress or (lambda _msg: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    clock = _Clock(_end_epoch(spec))
    passphrase = demo_passphrase(spec.seed)
    users = _make_users(spec, clock)
    say(f"sealing {spec.users} wallet keys ({BOT_ITERATIONS:,} PBKDF2 iterations each)")
    wallets = _seal_wallets(spec, passphrase, say)
    timings["keys"] = time.perf_counter() - t0
    ctx = _Ctx(spec, clock, _Prices(spec.seed, clock), users, wallets, say)
    partial = db.with_name(db.name + ".partial")
    partial.unlink(missing_ok=True)
    t1 = time.perf_counter()
    try:
        counts = _build_db(partial, ctx, db.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, db)
    timings["db_and_logs"] = time.perf_counter() - t1
    say(f"done: {db}")
    return DemoResult(db.parent, passphrase, counts, timings)
