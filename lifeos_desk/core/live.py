"""A stand-in for the running bot: keeps writing trades and log lines into a demo home.

Why: the console has to stay right while the bot writes underneath it (WAL
growth, ``data_version`` changes, appended and rotated logs: see
docs/architecture.md, 'Half-read statements pin the WAL'; docs/architecture.md,
'Noticing commits'; docs/architecture.md, 'File watching is only a hint').
This writer does what the bot does, in either schema:
short write transactions with a 30 s busy timeout on one connection, new
trades opened and older ones closed (ADR), or BUYs and SELLs with the
``positions``/``user_stats``/``wallets``/``rate_limits`` rows the bot keeps
beside them (deployed), and JSONL appended one ``write`` per line on an
``O_APPEND`` descriptor, in the writers' shapes of ``demo``.

It uses Python's sqlite3, so it belongs in its own process, never in the GUI
(fact 1): ``python -m lifeos_desk.core.live HOME --rate 20``. SIGINT/SIGTERM
end it cleanly. ``user_stats`` averages are updated incrementally, as a bot
updating its row would: they stay within a cent or two of a recomputation.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from . import demo
from .paths import DB_FILENAME
from .schema import SchemaKind, detect_schema

TICK_S = 0.1  # the writer wakes ten times a second and writes what is due
BUSY_TIMEOUT_MS = 30_000
_TOKENS = {t.symbol: t for t in demo.TOKENS}
_AGENT = "python-telegram-bot/21.6"
_DESCRIPTION = "Write trades and log lines into a demo home, as the running bot would."
_MEDIAN_USD = {"CONSERVATIVE": 40.0, "MODERATE": 120.0, "AGGRESSIVE": 350.0, "DEGEN": 900.0}


@dataclass
class LiveStats:
    """What one run wrote. ``trades_closed``: ADR trades closed, or deployed SELLs."""

    trades_inserted: int = 0
    trades_closed: int = 0
    log_lines: int = 0
    errors: int = 0


@dataclass
class _Tick:
    """One tick's work: rows go in the open transaction, log lines after COMMIT."""

    inserted: int = 0
    closed: int = 0
    audit: list[dict[str, Any]] = field(default_factory=list)
    trading: list[dict[str, Any]] = field(default_factory=list)


def _connect(db: Path) -> sqlite3.Connection:
    """One connection for the run; mode=rw so a missing file is an error, not a new database."""
    if not db.is_file():
        raise FileNotFoundError(f"{db} not found: make a demo home first")
    con = sqlite3.connect(db.resolve().as_uri() + "?mode=rw", uri=True, timeout=30.0, isolation_level=None)
    con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return con


def _schema_of(con: sqlite3.Connection) -> SchemaKind:
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    tables = {n: [c[1] for c in con.execute(f'PRAGMA table_info("{n}")')] for n in names}
    return detect_schema(tables)


def _append(path: Path, entries: Sequence[dict[str, Any]]) -> int:
    """Append entries, one os.write per whole line (atomic for appends to local files)."""
    if not entries:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
    try:
        for entry in entries:
            os.write(fd, demo.jsonl(entry))
    finally:
        os.close(fd)
    return len(entries)


class _Bot:
    """The tick machinery; a subclass writes one schema's rows and keeps its in-memory view."""

    def __init__(self, con: sqlite3.Connection, home: Path, rng: random.Random) -> None:
        self.con, self.rng, self.logs = con, rng, home / "logs"
        self.prices = {t.symbol: t.price for t in demo.TOKENS}
        self.weights = [t.weight for t in demo.TOKENS]
        self.reload()

    def reload(self) -> None:
        """(Re)read what the bot keeps in memory; also after a rolled-back tick."""

    def write(self, n: int, tick: _Tick) -> None:
        raise NotImplementedError

    def tick(self, n: int, stats: LiveStats) -> None:
        """Write n trades in one short transaction, then append their log lines."""
        tick = _Tick()
        try:
            self.con.execute("BEGIN IMMEDIATE")
            self.write(n, tick)
            self.con.execute("COMMIT")
        except sqlite3.Error:
            if self.con.in_transaction:
                self.con.execute("ROLLBACK")
            stats.errors += 1
            self.reload()
            return
        stats.trades_inserted += tick.inserted
        stats.trades_closed += tick.closed
        try:
            stats.log_lines += _append(self.logs / "audit.jsonl", tick.audit)
            stats.log_lines += _append(self.logs / "trading.jsonl", tick.trading)
        except OSError:
            stats.errors += 1

    def price(self, symbol: str) -> float:
        """The symbol's price after one more step of its random walk."""
        vol = _TOKENS[symbol].vol if symbol in _TOKENS else 0.08
        self.prices[symbol] = self.prices.get(symbol, 1.0) * math.exp(self.rng.gauss(0.0, vol * 0.02))
        return self.prices[symbol]

    def symbol(self) -> str:
        return self.rng.choices(list(_TOKENS), self.weights)[0]

    def quantity(self, symbol: str, usd: float, price: float) -> float:
        """Token quantity for a USD size, rounded to the token's decimals."""
        decimals = _TOKENS[symbol].decimals if symbol in _TOKENS else 6
        return max(round(usd / price, decimals), 10.0**-decimals)

    def usd(self, risk: str) -> float:
        return max(demo.cents(_MEDIAN_USD.get(risk, 120.0) * self.rng.lognormvariate(0.0, 0.8)), 1.0)

    def new_id(self) -> str:
        return f"{self.rng.getrandbits(64):016x}"


@dataclass(frozen=True)
class _OpenTrade:
    id: str
    user: int
    symbol: str
    direction: str
    entry: float
    amount: float


class _AdrBot(_Bot):
    """ADR-005: opens trades (OPEN) and closes older ones with their realised PnL."""

    _INSERT = (
        "INSERT INTO trades (id, user_id, token_mint, token_symbol, direction, entry_price, exit_price, amount,"
        " amount_usd, status, pnl_usd, opened_at, closed_at) VALUES (?,?,?,?,?,?,NULL,?,?,'OPEN',0,?,NULL)"
    )
    _CLOSE = (
        "UPDATE trades SET status = 'CLOSED', exit_price = ?, pnl_usd = ?, closed_at = ?"
        " WHERE id = ? AND status = 'OPEN'"
    )

    def reload(self) -> None:
        con = self.con
        self.risk = {r[0]: r[1] or "MODERATE" for r in con.execute("SELECT id, risk_level FROM users")}
        self.users = list(self.risk)
        self.mints = {t.symbol: demo.token_mint(t.symbol) for t in demo.TOKENS}
        recent = "SELECT token_symbol, token_mint, COALESCE(exit_price, entry_price) FROM trades"
        for symbol, mint, price in con.execute(recent + " ORDER BY rowid DESC LIMIT 2000").fetchall()[::-1]:
            self.prices[symbol], self.mints[symbol] = price, mint
        sql = "SELECT id, user_id, token_symbol, direction, entry_price, amount FROM trades WHERE status = 'OPEN'"
        self.open = [_OpenTrade(*row) for row in con.execute(sql)]

    def write(self, n: int, tick: _Tick) -> None:
        now = time.time()
        for _ in range(n):
            self._open_one(tick, now)
            if self.open and self.rng.random() < 0.9:
                self._close_one(tick, now, self.open.pop(self.rng.randrange(len(self.open))))

    def _open_one(self, tick: _Tick, now: float) -> None:
        user, symbol = self.rng.choice(self.users), self.symbol()
        direction = "SHORT" if self.rng.random() < 0.2 else "LONG"
        entry = self.price(symbol)
        trade = _OpenTrade(self.new_id(), user, symbol, direction, entry,
                           self.quantity(symbol, self.usd(self.risk[user]), entry))  # fmt: skip
        usd = demo.cents(entry * trade.amount)
        mint = self.mints.get(symbol) or demo.token_mint(symbol)
        self.con.execute(self._INSERT, (trade.id, user, mint, symbol, direction, entry, trade.amount, usd,
                                        demo.utc_sql(now)))  # fmt: skip
        self.con.execute("UPDATE users SET last_active = ? WHERE id = ?", (demo.utc_sql(now), user))
        self.open.append(trade)
        tick.inserted += 1
        fields = {"trade_id": trade.id, "user_id": user, "amount_usd": usd}
        tick.audit.append(demo.adr_audit_entry(now, "trade_opened", token_symbol=symbol, direction=direction, **fields))
        tick.trading.append(demo.trading_entry(now, "TRADE_EXECUTED", symbol, 0.0, side="open",
                                               direction=direction, price=entry, **fields))  # fmt: skip

    def _close_one(self, tick: _Tick, now: float, trade: _OpenTrade) -> None:
        exit_price = self.price(trade.symbol)
        move = exit_price - trade.entry if trade.direction == "LONG" else trade.entry - exit_price
        pnl = demo.cents(move * trade.amount)
        cur = self.con.execute(self._CLOSE, (exit_price, pnl, demo.utc_sql(now), trade.id))
        if cur.rowcount != 1:  # closed by someone else meanwhile
            return
        tick.closed += 1
        fields = {"trade_id": trade.id, "user_id": trade.user}
        tick.audit.append(demo.adr_audit_entry(now, "trade_closed", pnl_usd=pnl, exit_price=exit_price, **fields))
        tick.trading.append(demo.trading_entry(now, "TRADE_EXECUTED", trade.symbol, pnl, side="close",
                                               direction=trade.direction, price=exit_price, **fields))  # fmt: skip


_STATS_COLS = (
    "total_trades, winning_trades, losing_trades, total_pnl_usd, win_rate, avg_win_usd, avg_loss_usd,"
    " best_trade_usd, worst_trade_usd, total_volume_usd, win_streak, loss_streak"
)


def next_stats(old: Sequence[Any], usd: float, pnl: float | None) -> tuple[Any, ...]:
    """user_stats (``_STATS_COLS``) after one completed transaction; pnl is None for a BUY.

    Same rules as ``demo`` and the bot's ``record_trade``: a SELL with pnl > 0 wins, < 0 loses, 0 leaves
    both streaks; best/worst start at 0; the win rate divides by every trade (core/checks/aggregates.py).
    """
    n, wins, losses, total, _, avg_win, avg_loss, best, worst, volume, win_run, loss_run = old
    if pnl:
        best, worst = max(best, pnl, 0.0), min(worst, pnl, 0.0)
    if pnl is not None and pnl > 0:
        avg_win, wins, win_run, loss_run = round((avg_win * wins + pnl) / (wins + 1), 2), wins + 1, win_run + 1, 0
    elif pnl is not None and pnl < 0:
        avg_loss, losses = round((avg_loss * losses + pnl) / (losses + 1), 2), losses + 1
        win_run, loss_run = 0, loss_run + 1
    rate = round(100 * wins / (n + 1), 2)
    return (n + 1, wins, losses, round(total + (pnl or 0.0), 2), rate, avg_win, avg_loss, best, worst,
            round(volume + usd, 2), win_run, loss_run)  # fmt: skip


class _DeployedBot(_Bot):
    """Deployed bot: BUYs open holdings, SELLs realise them; the side tables follow."""

    def reload(self) -> None:
        con = self.con
        self.risk = {r[0]: r[1] or "MODERATE" for r in con.execute("SELECT user_id, risk_level FROM users")}
        self.wallet = {r[0]: r[1] for r in con.execute("SELECT user_id, wallet_id FROM wallets ORDER BY is_primary")}
        self.users = [u for u in self.risk if u in self.wallet]
        held = con.execute("SELECT user_id, symbol, cost_basis_usd FROM positions WHERE quantity > 0")
        self.held: dict[int, dict[str, float]] = {}
        for user, symbol, cost in held:
            self.held.setdefault(user, {})[symbol] = cost or 0.0

    def write(self, n: int, tick: _Tick) -> None:
        for _ in range(n):
            now, user = time.time(), self.rng.choice(self.users)
            mine = self.held.get(user, {})
            if mine and self.rng.random() < 0.45:
                self._sell(tick, now, user, self.rng.choice(sorted(mine)))
            else:
                self._buy(tick, now, user, self.symbol())

    def _buy(self, tick: _Tick, now: float, user: int, symbol: str) -> None:
        usd, price = self.usd(self.risk[user]), self.price(symbol)
        tx = self._transaction(now, user, symbol, "BUY", usd, 0.0)
        self.con.execute(
            "INSERT INTO positions VALUES (?,?,?,?,?) ON CONFLICT (user_id, symbol) DO UPDATE SET"
            " quantity = quantity + excluded.quantity, cost_basis_usd = cost_basis_usd + excluded.cost_basis_usd,"
            " last_updated = excluded.last_updated",
            (user, symbol, self.quantity(symbol, usd, price), usd, demo.naive_utc_iso(now)),
        )
        mine = self.held.setdefault(user, {})
        mine[symbol] = mine.get(symbol, 0.0) + usd
        self._log(tick, now, user, tx, symbol, "BUY", usd, 0.0)

    def _sell(self, tick: _Tick, now: float, user: int, symbol: str) -> None:
        cost = self.held[user].pop(symbol)
        vol = _TOKENS[symbol].vol if symbol in _TOKENS else 0.08
        r = min(max(self.rng.gauss(0.006, vol * 0.8), -0.9), 4.0)
        usd = max(demo.cents(cost * (1 + r)), 0.01)
        pnl = demo.cents(usd - cost)
        tx = self._transaction(now, user, symbol, "SELL", usd, pnl)
        self.con.execute("DELETE FROM positions WHERE user_id = ? AND symbol = ?", (user, symbol))
        tick.closed += 1
        self._log(tick, now, user, tx, symbol, "SELL", usd, pnl)

    def _transaction(self, now: float, user: int, symbol: str, action: str, usd: float, pnl: float) -> str:
        """The transactions row and the bookkeeping every completed trade updates."""
        tx, when = f"tx_{user}_{self.new_id()}", demo.naive_utc_iso(now)
        self.con.execute("INSERT INTO transactions VALUES (?,?,?,?,?,?,?,'completed',?)",
                         (tx, user, self.wallet[user], symbol, action, usd, when, pnl))  # fmt: skip
        self._update_stats(user, usd, pnl if action == "SELL" else None, when)
        self.con.execute("UPDATE wallets SET last_used = ?, total_traded_usd = ROUND(COALESCE(total_traded_usd, 0)"
                         " + ?, 2) WHERE wallet_id = ?", (when, usd, self.wallet[user]))  # fmt: skip
        self.con.execute("UPDATE users SET last_active = ? WHERE user_id = ?", (when, user))
        midnight = demo.naive_utc_iso(now - now % 86400)  # the bot resets its limits by UTC days
        self.con.execute(
            "UPDATE rate_limits SET trades_today = (CASE WHEN last_reset >= :m THEN trades_today ELSE 0 END) + 1,"
            " loss_today_usd = ROUND((CASE WHEN last_reset >= :m THEN loss_today_usd ELSE 0 END) + :loss, 2),"
            " last_reset = MAX(last_reset, :m) WHERE user_id = :u",
            {"m": midnight, "loss": max(-pnl, 0.0), "u": user},
        )
        return tx

    def _update_stats(self, user: int, usd: float, pnl: float | None, when: str) -> None:
        row = self.con.execute(f"SELECT {_STATS_COLS} FROM user_stats WHERE user_id = ?", (user,)).fetchone()
        if row is None:
            self.con.execute("INSERT INTO user_stats VALUES (?,0,0,0,0,0,0,0,0,0,0,?,?,0,0)",
                             (user, self.risk[user], when))  # fmt: skip
            row = (0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0)
        assignments = ", ".join(f"{c.strip()} = ?" for c in _STATS_COLS.split(","))
        self.con.execute(f"UPDATE user_stats SET {assignments} WHERE user_id = ?",
                         (*next_stats(row, usd, pnl), user))  # fmt: skip

    def _log(self, tick: _Tick, now: float, user: int, tx: str, symbol: str, action: str, usd: float,
             pnl: float) -> None:  # fmt: skip
        tick.inserted += 1
        details = {"symbol": symbol, "amount_usd": usd, "pnl_usd": pnl, "wallet_id": self.wallet[user],
                   "status": "completed"}  # fmt: skip
        tick.audit.append(demo.deployed_audit_entry(now, "trade_execute", str(user), action.lower(),
                                                    ("transaction", tx), details, user_agent=_AGENT))  # fmt: skip
        tick.trading.append(demo.trading_entry(now, "TRADE_EXECUTED", symbol, pnl, trade_id=tx, user_id=user,
                                               amount_usd=usd, action=action))  # fmt: skip


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT/SIGTERM set ``stop`` (main thread only: Python delivers signals there)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _loop(bot: _Bot, rate: float, duration: float | None, stop: threading.Event, stats: LiveStats) -> None:
    start = last = time.monotonic()
    owed = 0.0
    while not stop.is_set():
        now = time.monotonic()
        if duration is not None and now - start >= duration:
            return
        owed += (now - last) * rate
        last = now
        due = int(owed)
        if due:
            owed -= due
            bot.tick(due, stats)
        left = TICK_S if duration is None else duration - (time.monotonic() - start)
        stop.wait(max(0.0, min(TICK_S, left)))


def run_live_writer(
    home: Path,
    *,
    rate: float = 5.0,
    duration: float | None = None,
    stop: threading.Event | None = None,
    seed: int | None = None,
) -> LiveStats:
    """Write ``rate`` trades a second into the demo home until ``duration`` passes or ``stop`` is set.

    Raises FileNotFoundError without a database and ValueError for a schema
    that is neither ADR-005 nor the deployed bot's.
    """
    if not rate > 0:
        raise ValueError("rate must be > 0 trades per second")
    stop = stop if stop is not None else threading.Event()
    stats = LiveStats()
    con = _connect(Path(home) / DB_FILENAME)
    try:
        kind = _schema_of(con)
        bots: dict[SchemaKind, type[_Bot]] = {SchemaKind.ADR: _AdrBot, SchemaKind.DEPLOYED: _DeployedBot}
        if kind not in bots:
            raise ValueError(f"{home}: not an ADR-005 or deployed-bot database")
        bot = bots[kind](con, Path(home), random.Random(seed))
        with _stop_on_signals(stop):
            _loop(bot, rate, duration, stop, stats)
    finally:
        con.close()
    return stats


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lifeos_desk.core.live HOME [--rate R] [--duration S] [--seed N]``; prints the stats."""
    parser = argparse.ArgumentParser(prog="python -m lifeos_desk.core.live", description=_DESCRIPTION)
    parser.add_argument("home", type=Path, help="the demo data home (holds public_users.db)")
    parser.add_argument("--rate", type=float, default=5.0, help="trades per second (default 5)")
    parser.add_argument("--duration", type=float, default=None, help="seconds to run (default: until signalled)")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    stats = run_live_writer(args.home, rate=args.rate, duration=args.duration, seed=args.seed)
    print(json.dumps(asdict(stats)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
