"""The secrets health check: what on disk puts the bot's keys at risk, with the fix for each.

Modelled on KeePassXC's Health Check: each ``Finding`` has an id, a severity,
the path, a short explanation and the fix. No finding ever holds a secret
value: plaintext keys are named by the address they control, API keys by
their field names, and keys stored twice are matched by public key.

Most checks read only file names, modes and the public halves. The weak
passphrase check tries the bot library's built-in default ``"default"``
(docs/data-formats.md, 'Wallet passphrases') and the empty passphrase on
every encrypted store: one PBKDF2 per public wallet, one per treasury folder,
one Argon2id per keypair file, twice. Run it off the UI thread.
"""

from __future__ import annotations

import os
import stat
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ..secrets import Secret
from .coverage import covered_sources
from .find import FoundKeys
from .model import OWASP_PBKDF2_ITERATIONS, KeyStore, StoreKind
from .unlock import DEFAULT_OPTIONS, Progress, UnlockOptions, unlock_many

WEAK_PASSPHRASES = (("default", "default-passphrase", '"default"'), ("", "empty-passphrase", "an empty passphrase"))


class Severity(StrEnum):
    """How much a finding matters; ``info`` findings do not fail the check (nothing to fix here)."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One thing found; never a secret value in any field."""

    id: str
    severity: Severity
    path: str
    explanation: str
    fix: str
    store: str = ""
    address: str = ""


@dataclass
class HealthReport:
    """All findings, and whether the weak-passphrase tries ran."""

    findings: list[Finding] = field(default_factory=list)
    tried_weak: bool = False
    cancelled: bool = False

    @property
    def problems(self) -> list[Finding]:
        """The findings that fail the check (everything but ``info``)."""
        return [f for f in self.findings if f.severity is not Severity.INFO]


def _mode_text(path: Path) -> tuple[str, bool, bool]:
    """('0644', group readable, world readable) from lstat (never follows a link)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "?", False, False
    return f"{stat.S_IMODE(mode):04o}", bool(mode & stat.S_IRGRP), bool(mode & stat.S_IROTH)


def _who(group: bool, world: bool) -> str:
    if world:
        return "readable by every user of the machine"
    return "readable by its group" if group else "readable by its owner only"


def _key_files(store: KeyStore) -> list[Path]:
    """The files that hold or unlock the store's keys."""
    if store.kind is StoreKind.TREASURY_DIR:
        return [store.path / ".salt", *(w.path for w in store.wallets)]
    return [store.path]


def _plaintext(found: FoundKeys) -> list[Finding]:
    out = []
    for store in found.stores:
        if store.kind is not StoreKind.PLAINTEXT:
            continue
        mode, group, world = _mode_text(store.path)
        for w in store.wallets:
            controls = f"controls {w.address}" if w.address else "is not a loadable key"
            out.append(Finding(
                "plaintext-key", Severity.CRITICAL, str(store.path),
                f"a private key in plaintext ({w.label or 'key file'}, {w.key}) {controls}; mode {mode}, "
                f"{_who(group, world)}. Anyone who reads the file can move the wallet's funds.",
                "Move the key into an encrypted store (a treasury wallet folder, or the vault's Import key) and "
                "shred the file; until then chmod 600 it and keep it out of shared backups.",
                store.name, w.address))
    by_file: dict[Path, list[str]] = defaultdict(list)
    for s in found.named_secrets:
        by_file[s.path].append(f"{s.name} ({s.kind})")
    for path, names in sorted(by_file.items()):
        mode, group, world = _mode_text(path)
        out.append(Finding(
            "plaintext-secret", Severity.WARNING, str(path),
            f"{len(names)} secret(s) in plaintext: {', '.join(names)}; mode {mode}, {_who(group, world)}.",
            "Keep the file chmod 600 and out of shared backups; rotate any value that was ever readable by others."))
    return out


def _readable(found: FoundKeys) -> list[Finding]:
    out = []
    files: dict[Path, KeyStore | None] = {p: s for s in found.stores for p in _key_files(s)}
    files.update({p: None for p in found.env_files})
    for path, store in sorted(files.items(), key=lambda kv: str(kv[0])):
        mode, group, world = _mode_text(path)
        if not (group or world):
            continue
        out.append(Finding(
            "readable-key-file", Severity.CRITICAL if world else Severity.WARNING, str(path),
            f"mode {mode}: {_who(group, world)}. The bot never chmods its key files, so they get the umask.",
            f"chmod 600 '{path}' (and chmod 700 its folder).", store.name if store else ""))
    return out


def _kdf(found: FoundKeys) -> list[Finding]:
    out = []
    for store in found.stores:
        kdf = store.kdf
        if kdf is None or not store.wallets:
            continue
        if store.kind is StoreKind.PUBLIC_DB:
            text = (f"{kdf.describe()} per wallet, below OWASP's {OWASP_PBKDF2_ITERATIONS:,}. The bot's "
                    "WalletEncryption reads only 100,000: keys re-sealed at any other count are keys the bot "
                    "can no longer decrypt.")
            fix = "Nothing to change here: raise the count in the bot's code first, then rotate every wallet."
        elif store.kind is StoreKind.TREASURY_DIR:
            text = (f"{kdf.describe()} for the whole folder (one salt), below OWASP's "
                    f"{OWASP_PBKDF2_ITERATIONS:,}. SecureWallet hard-codes 480,000: another count locks the bot out.")
            fix = "Nothing to change here: the count lives in bots/treasury/wallet.py."
        else:
            text = (f"{kdf.describe()} (libsodium's moderate limits), above OWASP's Argon2id minimum (19 MiB, "
                    "2 passes). The bot's reader hard-codes these limits: a file sealed with others will not open.")
            fix = "Nothing to change."
        out.append(Finding("kdf-strength", Severity.INFO, str(store.path), text, fix, store.name))
    return out


def _duplicates(found: FoundKeys) -> list[Finding]:
    places: dict[str, list[KeyStore]] = defaultdict(list)
    for store in found.stores:
        for w in store.wallets:
            if w.address and store not in places[w.address]:
                places[w.address].append(store)
    out = []
    for address, stores in sorted(places.items()):
        if len(stores) > 1:
            where = ", ".join(f"{s.name} ({s.path})" for s in stores)
            out.append(Finding(
                "duplicate-key", Severity.WARNING, str(stores[0].path),
                f"the key of {address} is stored in {len(stores)} places: {where}. Each copy is one more way to "
                "lose it, and rotating one leaves the others valid.",
                "Keep one encrypted copy (and its backup); remove the others, plaintext first.",
                address=address))
    return out


def _rotated_and_problems(found: FoundKeys) -> list[Finding]:
    out = []
    for store in found.stores:
        if store.kind is StoreKind.KEYPAIR and "-bak-" in store.name:
            out.append(Finding(
                "rotated-keypair", Severity.WARNING, str(store.path),
                "an old treasury keypair kept by rotate_treasury_keypair.py. It still opens with the old "
                "passphrase, and its address may still hold funds.",
                "Check the old address is empty, then move the file to offline storage or shred it.", store.name))
        for problem in store.problems:
            out.append(Finding("store-problem", Severity.WARNING, str(store.path), problem,
                               "Compare with a backup; the bot may be unable to load this store.", store.name))
    return out


def _backups(found: FoundKeys, backups: Path) -> list[Finding]:
    covered, problems = covered_sources(backups)
    out = [Finding("backup-unreadable", Severity.WARNING, str(backups), p, "Run 'lifeos-desk verify' on it.")
           for p in problems]
    for store in found.stores:
        files = [p for p in _key_files(store) if os.path.exists(p)]
        missing = [p for p in files if os.path.realpath(p) not in covered]
        if missing:
            out.append(Finding(
                "not-backed-up", Severity.WARNING, str(store.path),
                f"{len(missing)} of {len(files)} key file(s) of {store.name} are listed in no backup archive's "
                f"manifest under {backups}: losing the disk loses these keys.",
                "Back them up to encrypted offline storage (the console's backups cover the public database, "
                "trading state and logs only).", store.name))
    return out


def _weak(found: FoundKeys, options: UnlockOptions, progress: Progress | None,
          cancel: threading.Event | None) -> list[Finding]:
    out = []
    stores = [s for s in found.stores if s.needs_passphrase and s.wallets]
    for text, fid, said in WEAK_PASSPHRASES:
        results = unlock_many(stores, Secret(text), cancel=cancel, progress=progress, options=options)
        for store in stores:
            r = results.get(store.name)
            opened = [w for w in r.results if w.opened] if r else []
            if not opened:
                continue
            sample = ", ".join(w.address for w in opened[:3]) + (" …" if len(opened) > 3 else "")
            out.append(Finding(
                fid, Severity.CRITICAL, str(store.path),
                f"{len(opened)} of {len(store.wallets)} key(s) of {store.name} open with {said} ({sample}). "
                "The bot's WalletService seals under \"default\" when a caller passes no passphrase.",
                "Re-seal under a strong passphrase (the vault's Change passphrase for public wallets), then "
                "move any funds that matter to a new key.", store.name, opened[0].address))
    return out


def check_health(found: FoundKeys, backups: Path, *, try_weak: bool = True, options: UnlockOptions = DEFAULT_OPTIONS,
                 progress: Progress | None = None, cancel: threading.Event | None = None) -> HealthReport:
    """Every check over the stores found; slow only through ``try_weak`` (see the module docstring)."""
    report = HealthReport()
    report.findings += _plaintext(found)
    report.findings += _readable(found)
    if try_weak:
        report.findings += _weak(found, options, progress, cancel)
        report.tried_weak = True
        report.cancelled = cancel is not None and cancel.is_set()
    report.findings += _duplicates(found)
    report.findings += _rotated_and_problems(found)
    report.findings += _backups(found, backups)
    report.findings += _kdf(found)
    order = list(Severity)
    report.findings.sort(key=lambda f: order.index(f.severity))
    return report
