"""Demo data: a complete, realistic LifeOS data home in either schema.

Why: the console has to be tried, tested and benchmarked against data shaped
exactly like the bot's (docs/data-formats.md, 'Where things live') and at more than the bot's
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
the deployed audit trail's ``timestamp_iso`` (local, as the bot writes it)
follows this machine's time zone; and without ``DemoSpec.end`` the newest timestamp is "now" rounded down
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

This package never imports Qt. It writes with Python's sqlite3, which is safe
only outside the GUI process (docs/architecture.md, 'One SQLite library per process'): run it from the CLI.

Layout, one module per stage (import order, no cycles): ``common`` (sizes,
tokens, spec/result, ids, timestamp texts and log-entry builders, also used
by ``live.py``), ``people`` (time window, prices, users, sealed wallet keys),
``context`` (the shared generation context and bulk-insert helpers),
``state`` (metrics and trading state files), ``adr`` and ``deployed`` (one
database loader per schema), ``logs`` (the JSONL logs) and ``generate``
(``generate_demo_home``). This file re-exports the names other modules use;
underscore names are shared between the package's modules only.
"""

from __future__ import annotations

from ..times import naive_utc_iso
from .common import (
    ALGORITHMS,
    CHUNK_ROWS,
    DAY,
    DEMO_PASSPHRASE_PREFIX,
    F64,
    I64,
    LOG_DAYS,
    POOL_MIN_WALLETS,
    RISK_LEVELS,
    SCHEMAS,
    TOKENS,
    WINDOW_DAYS,
    DemoResult,
    DemoSpec,
    Event,
    Progress,
    Row,
    Token,
    adr_audit_entry,
    cents,
    demo_passphrase,
    deployed_audit_entry,
    jsonl,
    local_iso,
    token_mint,
    trading_entry,
    utc_iso,
    utc_sql,
    utc_z,
)
from .generate import generate_demo_home

__all__ = [
    "F64",
    "I64",
    "Progress",
    "Row",
    "Event",
    "SCHEMAS",
    "DEMO_PASSPHRASE_PREFIX",
    "DAY",
    "WINDOW_DAYS",
    "LOG_DAYS",
    "CHUNK_ROWS",
    "POOL_MIN_WALLETS",
    "RISK_LEVELS",
    "ALGORITHMS",
    "Token",
    "TOKENS",
    "token_mint",
    "DemoSpec",
    "DemoResult",
    "cents",
    "demo_passphrase",
    "utc_sql",
    "utc_iso",
    "utc_z",
    "local_iso",
    "naive_utc_iso",
    "jsonl",
    "adr_audit_entry",
    "deployed_audit_entry",
    "trading_entry",
    "generate_demo_home",
]
