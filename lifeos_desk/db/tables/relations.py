"""Users, their wallets and their trades: the queries behind the detail panel.

Every query is bounded (one user) and read to its end. Both schemas: the
names come from ``core.schema.Domain``; what "open", "closed" and "realised"
mean differs (ADR trades have a status OPEN/CLOSED and PnL on close; the
deployed bot's transactions are BUY/SELL, and only a completed SELL realises
PnL: docs/data-formats.md, 'public_users.db, deployed schema').
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core.schema import Domain, SchemaKind
from ..connection import Database, quote_ident
from .sql import fetch_rows

WALLET_LIMIT = 50


@dataclass(frozen=True)
class TradeSummary:
    """What the user detail panel says about a user's trading."""

    count: int
    open: int
    closed: int
    realised_pnl: float
    wins: int
    judged: int

    @property
    def win_rate(self) -> float | None:
        """Share of judged (closed, PnL ≠ 0 for the bot; closed for the ADR) trades that won."""
        return self.wins / self.judged if self.judged else None


@dataclass(frozen=True)
class UserDetail:
    """A user's profile, wallets (never their keys) and trade summary."""

    profile: list[tuple[str, Any]]
    wallets: list[dict[str, Any]]
    wallets_total: int
    trades: TradeSummary


def _q(name: str) -> str:
    return quote_ident(name)


def user_detail(database: Database, domain: Domain, user_id: Any, role: str = "tables") -> UserDetail | None:
    """Everything the panel shows about one user, or None if the user is gone."""
    db = database.connection(role)
    cols = [str(r[1]) for r in fetch_rows(db, f"PRAGMA table_info({_q(domain.users)})")]
    rows = fetch_rows(db, f"SELECT * FROM {_q(domain.users)} WHERE {_q(domain.user_pk)} = ?", (user_id,))
    if not rows:
        return None
    profile = list(zip(cols, rows[0], strict=True))
    wallets, total = _wallets(database, domain, user_id, role)
    return UserDetail(profile, wallets, total, trade_summary(database, domain, user_id, role))


def _wallets(database: Database, domain: Domain, user_id: Any, role: str) -> tuple[list[dict[str, Any]], int]:
    db = database.connection(role)
    w = _q(domain.wallets)
    rows = fetch_rows(
        db,
        f"SELECT {_q(domain.wallet_pk)}, {_q(domain.wallet_address)}, {_q(domain.wallet_label)},"
        f" {_q(domain.wallet_default)}, length(CAST({_q(domain.wallet_secret)} AS BLOB))"
        f" FROM {w} WHERE {_q(domain.wallet_user)} = ? ORDER BY rowid LIMIT ?",
        (user_id, WALLET_LIMIT),
    )
    total = fetch_rows(db, f"SELECT count(*) FROM {w} WHERE {_q(domain.wallet_user)} = ?", (user_id,))[0][0]
    keys = ("id", "address", "label", "default", "key_bytes")
    return [dict(zip(keys, r, strict=True)) for r in rows], int(total)


def trade_summary(database: Database, domain: Domain, user_id: Any, role: str = "tables") -> TradeSummary:
    """Count, open/closed, realised PnL and win rate of one user's trades."""
    t, u, st, pnl = _q(domain.trades), _q(domain.trade_user), _q(domain.trade_status), _q(domain.trade_pnl)
    if domain.kind is SchemaKind.DEPLOYED:
        sql = (f"SELECT count(*), sum({st} = 'pending'), sum({st} = 'completed'),"
               f" sum(CASE WHEN action = 'SELL' AND {st} = 'completed' THEN {pnl} END),"
               f" sum(action = 'SELL' AND {st} = 'completed' AND {pnl} > 0),"
               f" sum(action = 'SELL' AND {st} = 'completed' AND {pnl} <> 0) FROM {t} WHERE {u} = ?")
    else:
        sql = (f"SELECT count(*), sum({st} = 'OPEN'), sum({st} = 'CLOSED'),"
               f" sum(CASE WHEN {st} = 'CLOSED' THEN {pnl} END),"
               f" sum({st} = 'CLOSED' AND {pnl} > 0), sum({st} = 'CLOSED') FROM {t} WHERE {u} = ?")
    row = fetch_rows(database.connection(role), sql, (user_id,))[0]
    n, opened, closed, realised, wins, judged = (v or 0 for v in row)
    return TradeSummary(int(n), int(opened), int(closed), float(realised), int(wins), int(judged))
