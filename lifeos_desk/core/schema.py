"""The two real schemas of public_users.db, and telling them apart.

ADR-005 describes one schema; the bot that admins actually run wrote another
(docs/data-formats.md, 'public_users.db, deployed schema'). The console serves both, and anything else
still opens as "unknown" with every table browsable.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class SchemaKind(enum.Enum):
    """Which writer made the database."""

    ADR = "ADR-005"
    DEPLOYED = "deployed bot"
    UNKNOWN = "unknown"


ADR_DDL = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    telegram_id INTEGER UNIQUE NOT NULL,
    username TEXT,
    risk_level TEXT DEFAULT 'MODERATE',
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    last_active TIMESTAMP
);
CREATE TABLE wallets (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    address TEXT UNIQUE NOT NULL,
    encrypted_key BLOB NOT NULL,
    label TEXT,
    is_default BOOLEAN DEFAULT 0,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users(id)
);
CREATE TABLE trades (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    token_mint TEXT NOT NULL,
    token_symbol TEXT NOT NULL,
    direction TEXT NOT NULL,
    entry_price REAL NOT NULL,
    exit_price REAL,
    amount REAL NOT NULL,
    amount_usd REAL NOT NULL,
    status TEXT NOT NULL,
    pnl_usd REAL DEFAULT 0,
    opened_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users(id)
);
CREATE TABLE algorithm_metrics (
    id INTEGER PRIMARY KEY,
    algorithm_type TEXT NOT NULL,
    total_signals INTEGER DEFAULT 0,
    winning_signals INTEGER DEFAULT 0,
    accuracy REAL DEFAULT 0,
    confidence_score REAL DEFAULT 50.0,
    last_updated TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
"""

DEPLOYED_DDL = """
CREATE TABLE users (
    user_id INTEGER PRIMARY KEY,
    telegram_username TEXT UNIQUE NOT NULL,
    risk_level TEXT DEFAULT 'MODERATE',
    max_position_size_pct REAL,
    max_daily_trades INTEGER,
    max_daily_loss_usd REAL,
    require_trade_confirmation BOOLEAN,
    enable_alerts BOOLEAN,
    anti_whale_threshold_usd REAL,
    auto_adjust_risk BOOLEAN,
    learn_from_losses BOOLEAN,
    created_at TEXT NOT NULL,
    last_active TEXT NOT NULL,
    is_active BOOLEAN
);
CREATE TABLE wallets (
    wallet_id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    public_key TEXT UNIQUE NOT NULL,
    encrypted_private_key TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used TEXT NOT NULL,
    balance_sol REAL,
    total_traded_usd REAL,
    is_primary BOOLEAN
);
CREATE TABLE user_stats (
    user_id INTEGER PRIMARY KEY,
    total_trades INTEGER,
    winning_trades INTEGER,
    losing_trades INTEGER,
    total_pnl_usd REAL,
    win_rate REAL,
    avg_win_usd REAL,
    avg_loss_usd REAL,
    best_trade_usd REAL,
    worst_trade_usd REAL,
    total_volume_usd REAL,
    current_risk_level TEXT,
    last_adjusted TEXT NOT NULL,
    win_streak INTEGER,
    loss_streak INTEGER
);
CREATE TABLE transactions (
    tx_id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    wallet_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    action TEXT NOT NULL,
    amount_usd REAL NOT NULL,
    executed_at TEXT NOT NULL,
    status TEXT DEFAULT 'pending',
    pnl_usd REAL DEFAULT 0.0
);
CREATE TABLE positions (
    user_id INTEGER,
    symbol TEXT,
    quantity REAL,
    cost_basis_usd REAL,
    last_updated TEXT,
    PRIMARY KEY (user_id, symbol)
);
CREATE TABLE rate_limits (
    user_id INTEGER PRIMARY KEY,
    trades_today INTEGER,
    loss_today_usd REAL,
    last_reset TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Domain:
    """Where the domain concepts live in one schema: table and column names.

    Features (vault, charts, relations) read these instead of hard-coding one
    schema. ``trade_*`` columns that a schema lacks are None.
    """

    kind: SchemaKind
    users: str
    user_pk: str
    user_name: str
    wallets: str
    wallet_pk: str
    wallet_user: str
    wallet_address: str
    wallet_secret: str
    wallet_label: str
    wallet_default: str
    trades: str
    trade_pk: str
    trade_user: str
    trade_symbol: str
    trade_time: str
    trade_closed_time: str | None
    trade_status: str
    trade_pnl: str
    trade_amount_usd: str
    metrics_table: str | None


ADR_DOMAIN = Domain(
    kind=SchemaKind.ADR,
    users="users", user_pk="id", user_name="username",
    wallets="wallets", wallet_pk="id", wallet_user="user_id", wallet_address="address",
    wallet_secret="encrypted_key", wallet_label="label", wallet_default="is_default",
    trades="trades", trade_pk="id", trade_user="user_id", trade_symbol="token_symbol",
    trade_time="opened_at", trade_closed_time="closed_at", trade_status="status",
    trade_pnl="pnl_usd", trade_amount_usd="amount_usd",
    metrics_table="algorithm_metrics",
)  # fmt: skip

DEPLOYED_DOMAIN = Domain(
    kind=SchemaKind.DEPLOYED,
    users="users", user_pk="user_id", user_name="telegram_username",
    wallets="wallets", wallet_pk="wallet_id", wallet_user="user_id", wallet_address="public_key",
    wallet_secret="encrypted_private_key", wallet_label="source", wallet_default="is_primary",
    trades="transactions", trade_pk="tx_id", trade_user="user_id", trade_symbol="symbol",
    trade_time="executed_at", trade_closed_time=None, trade_status="status",
    trade_pnl="pnl_usd", trade_amount_usd="amount_usd",
    metrics_table=None,
)  # fmt: skip

# The columns whose presence identifies each schema (a superset is fine:
# admins add columns; a missing one means we cannot rely on the layout).
_SIGNATURES: dict[SchemaKind, dict[str, set[str]]] = {
    SchemaKind.ADR: {
        "users": {"id", "telegram_id", "username", "risk_level"},
        "wallets": {"id", "user_id", "address", "encrypted_key"},
        "trades": {"id", "user_id", "token_symbol", "direction", "pnl_usd", "opened_at"},
    },
    SchemaKind.DEPLOYED: {
        "users": {"user_id", "telegram_username", "risk_level"},
        "wallets": {"wallet_id", "user_id", "public_key", "encrypted_private_key"},
        "transactions": {"tx_id", "user_id", "symbol", "action", "amount_usd", "executed_at"},
    },
}


def detect_schema(tables: Mapping[str, Sequence[str]]) -> SchemaKind:
    """Classify a database from its table -> column names (case-insensitive)."""
    lowered = {t.lower(): {c.lower() for c in cols} for t, cols in tables.items()}
    for kind, signature in _SIGNATURES.items():
        if all(t in lowered and need <= lowered[t] for t, need in signature.items()):
            return kind
    return SchemaKind.UNKNOWN


def domain_for(kind: SchemaKind) -> Domain | None:
    """The domain map for a known schema, or None for an unknown one."""
    return {SchemaKind.ADR: ADR_DOMAIN, SchemaKind.DEPLOYED: DEPLOYED_DOMAIN}.get(kind)


def missing_for(tables: Mapping[str, Sequence[str]]) -> dict[SchemaKind, list[str]]:
    """For each known schema, what the database lacks — for "needs X" messages."""
    lowered = {t.lower(): {c.lower() for c in cols} for t, cols in tables.items()}
    out: dict[SchemaKind, list[str]] = {}
    for kind, signature in _SIGNATURES.items():
        gaps = []
        for table, need in signature.items():
            if table not in lowered:
                gaps.append(f"table {table}")
            else:
                gaps.extend(f"{table}.{c}" for c in sorted(need - lowered[table]))
        out[kind] = gaps
    return out
