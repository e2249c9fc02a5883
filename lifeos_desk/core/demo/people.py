"""The demo home's time window, token prices, users and their sealed wallet keys.

Why together: these are the inputs every table and file is generated from
(who trades, when, at what price, with which wallet), computed once per run
before the database is built. Wallet keys are real ed25519 keypairs sealed
as the bot seals them (PBKDF2-HMAC-SHA256, 100,000 iterations, Fernet),
which is the slow part of a run, hence the thread pool.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ..base58 import b58encode
from ..keys import BOT_ITERATIONS, StoredForm, keypair_from_seed, seal
from .common import (
    _RISK_P,
    _VOL,
    DAY,
    F64,
    I64,
    POOL_MIN_WALLETS,
    RISK_LEVELS,
    TOKENS,
    WINDOW_DAYS,
    DemoSpec,
    Progress,
    _rng,
    _Stream,
)


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
