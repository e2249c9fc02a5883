"""``vault verify`` over every key store and ``vault health``: the headless side of core/keystores.

Stores: the public users' database (rows read through QtSql by
``vault._load``, the one SQLite library of this process), each treasury
wallet folder, each treasury keypair file, the plaintext key files. A
passphrase comes from stdin's first line (or the no-echo prompt) for every
store, or per store with ``--passphrase-env STORE=VAR`` (``--passphrase-env
VAR`` alone: for every store not named), never from argv. Nothing printed
holds a secret.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from dataclasses import asdict
from pathlib import Path

from ..core.audit import AuditWriter, audit_log_path
from ..core.keystores.find import FoundKeys, find_key_stores, public_store
from ..core.keystores.health import check_health
from ..core.keystores.model import StoreKind, UnlockResult, WalletStatus
from ..core.keystores.unlock import UnlockOptions, unlock_with_candidates
from ..core.paths import DataPaths
from ..core.schema import SchemaKind
from ..core.secrets import Secret
from . import CommandError

EXIT_NOT_ALL_VERIFIED = 1
EXIT_NO_PASSPHRASE = 2
EXIT_NOTHING_OPENED = 4
# A wrong passphrase is known after a few wallets; trying all 200 took 6.4 s (issue 17).
GIVE_UP_AFTER = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--passphrase-env, --json, --no-passphrase-tries (the rest is vault.py's)."""
    parser.add_argument("--passphrase-env", action="append", default=[], metavar="[STORE=]VAR",
                        help="read a store's passphrase from the environment variable VAR (repeatable; VAR alone: "
                             "every store not named); store names as 'vault verify' prints them")
    parser.add_argument("--json", action="store_true", help="health: findings as JSON")
    parser.add_argument("--all", action="store_true",
                        help=f"verify: try every wallet even when the first {GIVE_UP_AFTER} all refuse the "
                             "passphrase (by default verify stops there: the passphrase is wrong)")
    parser.add_argument("--no-passphrase-tries", action="store_true",
                        help="health: do not try the passphrases \"default\" and \"\" on the stores (the slow check)")


def _found(paths: DataPaths, with_public: bool) -> tuple[FoundKeys, SchemaKind | None]:
    """Every key store, and the public database's schema (None without one): the audit entry's shape."""
    public, schema = None, None
    if with_public and paths.db.exists():
        from .vault import _load

        records, schema = _load(paths)
        public = public_store(paths.db, records)
    return find_key_stores(paths.home, paths.bot_dir, backups_dir=paths.backups, public=public), schema


def _env_passphrases(specs: list[str]) -> tuple[dict[str, Secret], Secret | None]:
    named: dict[str, Secret] = {}
    shared: Secret | None = None
    for spec in specs:
        store, _, var = spec.rpartition("=")
        value = os.environ.get(var, "")
        if not var or not value:
            raise CommandError(f"--passphrase-env {spec}: the environment variable {var!r} is not set or empty",
                               EXIT_NO_PASSPHRASE)
        if store:
            named[store] = Secret(value)
        else:
            shared = Secret(value)
    return named, shared


def _candidates(found: FoundKeys, args: argparse.Namespace) -> dict[str, list[Secret]]:
    named, shared = _env_passphrases(args.passphrase_env)
    unknown = set(named) - {s.name for s in found.stores}
    if unknown:
        raise CommandError(f"--passphrase-env names no store called {', '.join(sorted(unknown))}", 2)
    encrypted = [s for s in found.stores if s.needs_passphrase]
    if shared is None and any(s.name not in named for s in encrypted):
        from .vault import read_passphrase

        shared = read_passphrase()
    return {s.name: [named[s.name]] if s.name in named else ([shared] if shared else []) for s in encrypted}


def _table(results: dict[str, UnlockResult], found: FoundKeys) -> list[str]:
    rows = [("STORE", "WALLET", "LABEL", "ADDRESS", "STATUS", "DETAIL")]
    labels = {(s.name, w.key): w.label for s in found.stores for w in s.wallets}
    for store in found.stores:
        for r in results[store.name].results:
            rows.append((r.store, r.key, labels.get((r.store, r.key), "") or "—", r.address or "—",
                         r.status.value, r.detail))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    return ["  ".join(c.ljust(w) for c, w in zip(row[:5], widths, strict=True)) + "  " + row[5] for row in rows]


def _summary(results: dict[str, UnlockResult], elapsed: float) -> str:
    counts: dict[WalletStatus, int] = {}
    for res in results.values():
        for r in res.results:
            counts[r.status] = counts.get(r.status, 0) + 1
    total = sum(counts.values())
    parts = ", ".join(f"{n} {s.value}" for s, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"{total} wallet{'s' if total != 1 else ''} in {len(results)} store(s): {parts or 'none'} ({elapsed:.1f} s)"


def run_verify(args: argparse.Namespace, paths: DataPaths) -> int:
    """Check every wallet of every store; exit 0 only when every encrypted wallet verifies."""
    found, schema = _found(paths, with_public=True)
    if not found.stores:
        raise CommandError(f"no key store found under {paths.home}"
                           + (f" or {paths.bot_dir}" if paths.bot_dir else " (no --bot-dir)"), 3)
    candidates = _candidates(found, args)
    cancel = threading.Event()
    from .vault import _Progress

    options = UnlockOptions(workers=args.workers, public_iterations=args.iterations,
                            give_up_after=None if args.all else GIVE_UP_AFTER)
    try:
        results = unlock_with_candidates(found.stores, candidates, cancel=cancel, progress=_Progress(sys.stderr),
                                         options=options)
    except KeyboardInterrupt:
        cancel.set()
        raise
    finally:
        for secrets in candidates.values():
            for s in secrets:
                s.wipe()
    elapsed = sum(r.elapsed_s for r in results.values())
    if not args.quiet:
        print("\n".join(_table(results, found)))
    print(_summary(results, elapsed), flush=True)
    _audit(paths, results, schema)
    encrypted = [r for s in found.stores if s.needs_passphrase for r in results[s.name].results]
    if encrypted and not any(r.opened for r in encrypted):
        tried = sum(1 for r in encrypted if r.status is not WalletStatus.NOT_CHECKED)
        gave_up = any(r.gave_up for r in results.values())
        tried_text = f"none of the {tried} wallets tried (--all tries every one)" if gave_up else "none of the wallets"
        print(f"the passphrase opened {tried_text}: it is wrong, or the keys were sealed with another "
              f"iteration count than {args.iterations:,} (--iterations)", file=sys.stderr)
        return EXIT_NOTHING_OPENED
    return 0 if all(r.status is WalletStatus.VERIFIED for r in encrypted) else EXIT_NOT_ALL_VERIFIED


def _audit(paths: DataPaths, results: dict[str, UnlockResult], schema: SchemaKind | None) -> None:
    """One audit entry with counts (never a secret); an unwritable log is a warning, not a lost result."""
    counts = {s.name.lower(): 0 for s in WalletStatus}
    for res in results.values():
        for r in res.results:
            counts[r.status.name.lower()] += 1
    path = audit_log_path(paths)
    try:
        AuditWriter(path, schema).log("vault_verify", via="cli", stores=len(results),
                              wallets=sum(len(r.results) for r in results.values()), **counts)
    except OSError as exc:
        print(f"warning: the audit entry could not be written to {path}: {exc.strerror or exc}", file=sys.stderr)


def run_health(args: argparse.Namespace, paths: DataPaths) -> int:
    """Report findings; exit 0 when nothing (beyond info) is found, 1 when something is."""
    found, schema = _found(paths, with_public=True)
    from .vault import _Progress

    cancel = threading.Event()
    try:
        report = check_health(found, paths.backups, try_weak=not args.no_passphrase_tries,
                              options=UnlockOptions(workers=args.workers), progress=_Progress(sys.stderr),
                              cancel=cancel)
    except KeyboardInterrupt:
        cancel.set()
        raise
    if args.json:
        stores = [{"name": s.name, "kind": s.kind.value, "path": str(s.path), "wallets": len(s.wallets),
                   "kdf": s.kdf.describe() if s.kdf else None} for s in found.stores]
        print(json.dumps({"stores": stores, "findings": [asdict(f) for f in report.findings],
                          "tried_default_and_empty": report.tried_weak}, indent=2))
    else:
        for s in found.stores:
            kind = "plaintext" if s.kind is StoreKind.PLAINTEXT else (s.kdf.describe() if s.kdf else "")
            print(f"store {s.name}: {len(s.wallets)} key(s), {kind}, {_short(s.path)}")
        for f in report.findings:
            print(f"\n[{f.severity.value}] {f.id}: {f.path}\n  {f.explanation}\n  fix: {f.fix}")
        n = len(report.problems)
        print(f"\n{n} problem(s), {len(report.findings) - n} note(s)"
              + ("" if report.tried_weak else "; \"default\" and empty passphrases not tried"))
    return 1 if report.problems else 0


def _short(path: Path) -> str:
    return str(path)
