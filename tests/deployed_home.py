"""A LifeOS home and bot checkout laid out like the deployed bot's, for tests.

Every file follows docs/data-formats.md (schemas, field names, envelopes,
hash chain) so tests meet what an admin's machine holds. The treasury
keypair's encrypted fields are placeholder-shaped base64 of random bytes
(16-byte salt, 24-byte nonce, 80-byte box): PyNaCl is not installed here, and
real Argon2id sealing belongs to the issue that adds it. Everything else is
real: PBKDF2-100k Fernet envelopes in ``public_users.db``, PBKDF2-480k Fernet
``.key`` files, a SHA-256 chain in the daily audit file.

Python's sqlite3 is used only on fresh files of this home, in a test process
that holds no QtSql connection to them (docs/architecture.md, 'One SQLite
library per process').
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from lifeos_desk.core.base58 import b58encode

PASSPHRASE = "correct horse battery staple"
NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class DeployedHome:
    """The two roots and the paths tests look for."""

    home: Path
    bot_dir: Path
    wal_db: Path  # data/jarvis_core.db: rows only in its -wal
    audit_day: Path  # data/audit/audit_YYYYmmdd.jsonl


def _iso(seconds: int = 0) -> str:
    """UTC naive ISO, as ``datetime.utcnow().isoformat()`` writes it."""
    return datetime.fromtimestamp(NOW.timestamp() + seconds, UTC).replace(tzinfo=None).isoformat()


def _secret_key() -> tuple[bytes, str]:
    """A 64-byte Solana secret key (seed ‖ public key) and its base58 address."""
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return seed + public, b58encode(public)


def _fernet(passphrase: str, salt: bytes, iterations: int) -> Fernet:
    raw = hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), salt, iterations, 32)
    return Fernet(base64.urlsafe_b64encode(raw))


def public_envelope(secret: bytes, passphrase: str = PASSPHRASE) -> str:
    """docs/data-formats.md, 'Public wallet envelope'."""
    salt = os.urandom(16)
    token = _fernet(passphrase, salt, 100_000).encrypt(b58encode(secret).encode("ascii"))
    return base64.b64encode(salt + token).decode("ascii")


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


# ---------------------------------------------------------------- SQLite stores


def _sqlite(path: Path, script: str, rows: list[tuple[str, tuple[object, ...]]] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    try:
        conn.executescript(script)
        for sql, params in rows or []:
            conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


USERS_SCHEMA = """
CREATE TABLE users (user_id INTEGER PRIMARY KEY, telegram_username TEXT UNIQUE NOT NULL,
  risk_level TEXT DEFAULT 'MODERATE', max_position_size_pct REAL DEFAULT 2.0, max_daily_trades INTEGER DEFAULT 20,
  max_daily_loss_usd REAL DEFAULT 100.0, require_trade_confirmation BOOLEAN DEFAULT 1,
  enable_alerts BOOLEAN DEFAULT 1, anti_whale_threshold_usd REAL DEFAULT 50000.0,
  auto_adjust_risk BOOLEAN DEFAULT 1, learn_from_losses BOOLEAN DEFAULT 1,
  created_at TEXT NOT NULL, last_active TEXT NOT NULL, is_active BOOLEAN DEFAULT 1);
CREATE TABLE wallets (wallet_id TEXT PRIMARY KEY, user_id INTEGER NOT NULL, public_key TEXT UNIQUE NOT NULL,
  encrypted_private_key TEXT NOT NULL, source TEXT NOT NULL, created_at TEXT NOT NULL, last_used TEXT NOT NULL,
  balance_sol REAL DEFAULT 0.0, total_traded_usd REAL DEFAULT 0.0, is_primary BOOLEAN DEFAULT 0,
  FOREIGN KEY (user_id) REFERENCES users(user_id));
CREATE TABLE user_stats (user_id INTEGER PRIMARY KEY, total_trades INTEGER DEFAULT 0, winning_trades INTEGER DEFAULT 0,
  losing_trades INTEGER DEFAULT 0, total_pnl_usd REAL DEFAULT 0.0, win_rate REAL DEFAULT 0.0,
  avg_win_usd REAL DEFAULT 0.0, avg_loss_usd REAL DEFAULT 0.0, best_trade_usd REAL DEFAULT 0.0,
  worst_trade_usd REAL DEFAULT 0.0, total_volume_usd REAL DEFAULT 0.0, current_risk_level TEXT DEFAULT 'MODERATE',
  last_adjusted TEXT NOT NULL, win_streak INTEGER DEFAULT 0, loss_streak INTEGER DEFAULT 0);
CREATE TABLE transactions (tx_id TEXT PRIMARY KEY, user_id INTEGER NOT NULL, wallet_id TEXT NOT NULL,
  symbol TEXT NOT NULL, action TEXT NOT NULL, amount_usd REAL NOT NULL, executed_at TEXT NOT NULL,
  status TEXT DEFAULT 'pending', pnl_usd REAL DEFAULT 0.0);
CREATE TABLE positions (user_id INTEGER NOT NULL, symbol TEXT NOT NULL, quantity REAL DEFAULT 0.0,
  cost_basis_usd REAL DEFAULT 0.0, last_updated TEXT NOT NULL, PRIMARY KEY (user_id, symbol));
CREATE TABLE rate_limits (user_id INTEGER PRIMARY KEY, trades_today INTEGER DEFAULT 0,
  loss_today_usd REAL DEFAULT 0.0, last_reset TEXT NOT NULL);
"""


def _public_users(home: Path) -> None:
    rows: list[tuple[str, tuple[object, ...]]] = []
    for n, (uid, name) in enumerate(((1001, "alice"), (1002, "bob"), (1003, "carol"))):
        secret, address = _secret_key()
        rows += [
            (
                "INSERT INTO users (user_id, telegram_username, created_at, last_active) VALUES (?,?,?,?)",
                (uid, name, _iso(n), _iso(n + 60)),
            ),
            ("INSERT INTO user_stats (user_id, last_adjusted) VALUES (?,?)", (uid, _iso(n))),
            ("INSERT INTO rate_limits (user_id, last_reset) VALUES (?,?)", (uid, _iso(n))),
            (
                "INSERT INTO wallets (wallet_id, user_id, public_key, encrypted_private_key, source,"
                " created_at, last_used, is_primary) VALUES (?,?,?,?,?,?,?,1)",
                (
                    f"wallet_{uid}_{os.urandom(8).hex()}",
                    uid,
                    address,
                    public_envelope(secret),
                    "generated",
                    _iso(n),
                    _iso(n),
                ),
            ),
            (
                "INSERT INTO transactions (tx_id, user_id, wallet_id, symbol, action, amount_usd, executed_at)"
                " VALUES (?,?,?,?,?,?,?)",
                (f"tx_{uid}_{os.urandom(8).hex()}", uid, "w", "SOL", "BUY", 25.0, _iso(n + 5)),
            ),
        ]
    _sqlite(home / "public_users.db", USERS_SCHEMA, rows)


def _small_stores(home: Path) -> None:
    _sqlite(
        home / "fees.db",
        """
        CREATE TABLE success_fees (tx_id TEXT PRIMARY KEY, user_id INTEGER NOT NULL, symbol TEXT NOT NULL,
          entry_price REAL NOT NULL, exit_price REAL NOT NULL, gross_pnl REAL NOT NULL,
          success_fee_amount REAL NOT NULL, recorded_at TEXT NOT NULL);
        CREATE TABLE fee_distributions (fee_id TEXT PRIMARY KEY, tx_id TEXT UNIQUE NOT NULL, total_fee REAL NOT NULL,
          user_amount REAL NOT NULL, charity_amount REAL NOT NULL, company_amount REAL NOT NULL,
          status TEXT DEFAULT 'pending', distributed_at TEXT);
        CREATE TABLE user_fee_balances (user_id INTEGER PRIMARY KEY, total_earned_fees REAL DEFAULT 0.0,
          total_claimed_fees REAL DEFAULT 0.0, pending_fees REAL DEFAULT 0.0, last_updated TEXT NOT NULL);
        CREATE TABLE company_revenue (month TEXT PRIMARY KEY, total_revenue REAL, treasury_reinvest REAL,
          founder_allocation REAL, recorded_at TEXT);
        CREATE TABLE charity_donations (donation_id TEXT PRIMARY KEY, amount REAL, recipient TEXT, donated_at TEXT,
          reason TEXT);
    """,
        [("INSERT INTO success_fees VALUES (?,?,?,?,?,?,?,?)", ("tx_1", 1001, "BONK", 1.0, 1.5, 50.0, 0.25, _iso()))],
    )
    _sqlite(
        home / "telegram" / "jarvis_secure.db",
        """
        CREATE TABLE subscribers (user_id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL, username TEXT,
          risk_profile TEXT DEFAULT 'neutral', subscribed_at TEXT NOT NULL, active INTEGER DEFAULT 1);
        CREATE TABLE paper_wallets (user_id INTEGER PRIMARY KEY, balance_sol REAL DEFAULT 100.0,
          created_at TEXT NOT NULL);
    """,
        [
            (
                "INSERT INTO subscribers (user_id, chat_id, username, subscribed_at) VALUES (?,?,?,?)",
                (1001, 1001, "alice", _iso()),
            )
        ],
    )
    _sqlite(
        home / "permissions" / "permissions.db",
        """
        PRAGMA foreign_keys=ON;
        CREATE TABLE users (id INTEGER PRIMARY KEY, telegram_id INTEGER UNIQUE, permission_level TEXT DEFAULT 'basic',
          created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, metadata TEXT);
        CREATE TABLE allowlist (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL, pattern TEXT NOT NULL,
          created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, UNIQUE(user_id, pattern));
    """,
        [("INSERT INTO users (telegram_id, permission_level) VALUES (?,?)", (1001, "admin"))],
    )


CORE_SCHEMA = """
CREATE TABLE positions (id TEXT PRIMARY KEY, symbol TEXT NOT NULL, token_mint TEXT NOT NULL, entry_price REAL NOT NULL,
  entry_amount_sol REAL NOT NULL, entry_amount_tokens REAL NOT NULL, take_profit_price REAL, stop_loss_price REAL,
  tp_order_id TEXT, sl_order_id TEXT, status TEXT, exit_price REAL, exit_amount_sol REAL, pnl_sol REAL, pnl_pct REAL,
  opened_at TEXT, closed_at TEXT, tx_signature_entry TEXT, tx_signature_exit TEXT, user_id INTEGER DEFAULT 0);
CREATE TABLE trades (id TEXT PRIMARY KEY, symbol TEXT NOT NULL, token_mint TEXT NOT NULL, side TEXT NOT NULL,
  amount_sol REAL NOT NULL, amount_tokens REAL NOT NULL, price REAL NOT NULL, timestamp TEXT NOT NULL,
  tx_signature TEXT, position_id TEXT, user_id INTEGER DEFAULT 0);
CREATE TABLE treasury_orders (order_id TEXT PRIMARY KEY, order_json TEXT NOT NULL);
"""


def _wal_only_rows(target: Path) -> None:
    """data/jarvis_core.db in WAL mode whose rows exist only in its ``-wal`` file.

    The schema is checkpointed into the main file; then, with automatic
    checkpoints off, rows are committed and the database and its ``-wal`` are
    copied while the writer is still open (its close would checkpoint).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        src = Path(scratch) / "jarvis_core.db"
        conn = sqlite3.connect(src, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(CORE_SCHEMA)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA wal_autocheckpoint=0")
            for n in range(5):
                conn.execute(
                    "INSERT INTO trades VALUES (?,?,?,?,?,?,?,?,?,?,0)",
                    (f"t{n}", "BONK", "DezX", "BUY", 0.5, 1e6, 2e-5, _iso(n), None, None),
                )
            shutil.copyfile(src, target)
            shutil.copyfile(src.with_name(src.name + "-wal"), target.with_name(target.name + "-wal"))
        finally:
            conn.close()


# ---------------------------------------------------------------- JSON state, logs, keys


def _position(pid: str, symbol: str, status: str) -> dict[str, object]:
    return {
        "id": pid,
        "token_mint": f"{symbol}mint1111",
        "token_symbol": symbol,
        "direction": "LONG",
        "entry_price": 1.0,
        "current_price": 1.2,
        "amount": 100.0,
        "amount_usd": 100.0,
        "take_profit_price": 1.5,
        "stop_loss_price": 0.9,
        "status": status,
        "opened_at": _iso(),
        "closed_at": _iso(600) if status == "CLOSED" else None,
        "exit_price": 1.2 if status == "CLOSED" else None,
        "pnl_usd": 20.0,
        "pnl_pct": 20.0,
        "sentiment_grade": "B",
        "sentiment_score": 0.6,
        "tp_order_id": None,
        "sl_order_id": None,
        "peak_price": 1.25,
        "ladder_exits": None,
    }


def _intent(iid: str) -> dict[str, object]:
    ts = NOW.timestamp()
    return {
        "id": iid,
        "position_id": "a1b2c3d4",
        "position_type": "spot",
        "token_mint": "BONKmint1111",
        "symbol": "BONK",
        "entry_price": 1.0,
        "entry_timestamp": ts,
        "original_quantity": 100.0,
        "remaining_quantity": 100.0,
        "take_profits": [
            {
                "level": lvl,
                "price": price,
                "size_pct": size,
                "filled": False,
                "fill_price": None,
                "fill_timestamp": None,
            }
            for lvl, price, size in ((1, 1.08, 60.0), (2, 1.18, 25.0), (3, 1.40, 15.0))
        ],
        "stop_loss": {"price": 0.91, "size_pct": 100.0, "adjusted": False, "original_price": 0.91},
        "time_stop": {"deadline_timestamp": ts + 90 * 60, "action": "exit_fully", "triggered": False},
        "trailing_stop": {"active": False, "trail_pct": 0.05, "highest_price": 0.0, "current_stop": 0.0},
        "status": "active",
        "sentiment_invalidated": False,
        "last_check_timestamp": 0.0,
        "last_check_price": 0.0,
        "enforcement_attempts": 0,
        "enforcement_failures": 0,
        "is_paper": True,
        "notes": "",
    }


def daily_audit_hash(entry: dict[str, object]) -> str:
    """docs/data-formats.md, 'Daily audit files': Python ``str()`` of each value, no separator."""
    keys = ("timestamp", "category", "action", "user_id", "details", "previous_hash")
    return hashlib.sha256("".join(str(entry[k]) for k in keys).encode()).hexdigest()[:16]


def _daily_audit(path: Path) -> None:
    previous: str | None = None
    lines = []
    for n, (category, action) in enumerate((("authentication", "login"), ("trading", "buy"), ("wallet", "export"))):
        entry: dict[str, object] = {
            "timestamp": datetime.fromtimestamp(NOW.timestamp() + n, UTC).isoformat(),
            "category": category,
            "action": action,
            "user_id": "1001",
            "resource": None,
            "details": {"n": n, "ok": True},
            "severity": "info",
            "success": True,
            "ip_address": None,
            "user_agent": None,
            "session_id": None,
            "request_id": None,
            "previous_hash": previous,
            "entry_hash": None,
        }
        entry["entry_hash"] = previous = daily_audit_hash(entry)
        lines.append(json.dumps(entry))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _security_trail(path: Path) -> None:
    ts = NOW.timestamp()
    event = {
        "timestamp": ts,
        "event_type": "trade_execute",
        "actor_id": "system",
        "action": "OPEN_POSITION",
        "resource_type": "treasury_trade",
        "resource_id": "a1b2c3d4",
        "ip_address": "",
        "user_agent": "",
        "details": {"token": "BONK"},
        "success": True,
        "error_message": "",
        "timestamp_iso": datetime.fromtimestamp(ts).isoformat(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(event) + "\n", encoding="utf-8")


def _treasury_wallets(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    salt = os.urandom(32)
    (folder / ".salt").write_bytes(salt)
    secret, address = _secret_key()
    (folder / f"{address}.key").write_bytes(_fernet(PASSPHRASE, salt, 480_000).encrypt(secret))
    _write_json(
        folder / "registry.json",
        {
            address: {
                "address": address,
                "created_at": _iso(),
                "label": "Treasury",
                "balance_sol": 0.0,
                "balance_usd": 0.0,
                "is_treasury": True,
            }
        },
    )


def _keypair_placeholder(path: Path) -> None:
    """Shape of ``init_treasury_keypair.py``'s file; the sealed bytes are random (no PyNaCl here)."""
    _, address = _secret_key()
    b64 = base64.b64encode
    _write_json(
        path,
        {
            "address": address,
            "encrypted_key": b64(os.urandom(80)).decode(),
            "salt": b64(os.urandom(16)).decode(),
            "nonce": b64(os.urandom(24)).decode(),
            "encryption": "nacl-argon2id",
            "created_by": "init_treasury_keypair.py",
        },
    )


def build_deployed_home(root: Path) -> DeployedHome:
    """Create ``root/home`` (the ~/.lifeos) and ``root/bot`` (the checkout) with one of every store."""
    home, bot = root / "home", root / "bot"
    _public_users(home)
    _small_stores(home)
    wal_db = bot / "data" / "jarvis_core.db"
    _wal_only_rows(wal_db)
    trader = bot / "data" / "trader"
    _write_json(trader / "positions.json", [_position("a1b2c3d4", "BONK", "OPEN")])
    _write_json(trader / "positions.json.bak", [])
    _write_json(trader / "trade_history.json", [_position("e5f6a7b8", "WIF", "CLOSED")])
    _write_json(home / "trading" / "exit_intents.json", {"9f8e7d6c": _intent("9f8e7d6c")})
    _write_json(
        home / "trading" / "emergency_stop.json",
        {
            "level": "SOFT_STOP",
            "activated_at": _iso(),
            "activated_by": "admin",
            "reason": "volatility",
            "paused_tokens": [],
            "unwind_strategy": "IMMEDIATE",
            "auto_resume_at": None,
        },
    )
    audit_day = bot / "data" / "audit" / f"audit_{NOW:%Y%m%d}.jsonl"
    _daily_audit(audit_day)
    _security_trail(bot / "logs" / "audit.jsonl")
    _write_json(
        home / "logs" / "audit.jsonl",
        [
            {"timestamp": _iso(n), "action": "OPEN_POSITION", "user_id": None, "success": True, "details": {"n": n}}
            for n in range(3)
        ],
    )
    _treasury_wallets(bot / "bots" / "treasury" / ".wallets")
    _keypair_placeholder(bot / "data" / "treasury_keypair.json")
    secret, _ = _secret_key()
    _write_json(home / "wallets" / "phantom_trading_wallet.json", list(secret))
    _write_json(
        home / "secrets" / "keys.json", {"telegram_bot_token": "123:abc", "solana_private_key": b58encode(secret)}
    )
    (bot / ".env").write_text(f"JARVIS_WALLET_PASSWORD={PASSPHRASE}\n", encoding="utf-8")
    return DeployedHome(home=home, bot_dir=bot, wal_db=wal_db, audit_day=audit_day)
