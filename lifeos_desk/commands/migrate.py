"""``lifeos-desk migrate --to postgresql://USER@HOST:PORT/DB``: move the stores to PostgreSQL and prove it.

ADR-005's way out of SQLite (issue 16). Runs in its own process: it reads
the snapshot with Python's sqlite3 (docs/architecture.md, 'One SQLite library per process'), so the window
starts it as a child. The work is ``core.migrate``; this module parses the
options, prints per table the row counts and "verified"/"MISMATCH", and
maps failures to exit codes: 0 all verified, 1 a failure or a mismatch,
2 bad options (a password in the URL), 3 cancelled, 4 target not empty.

``--check-wallets`` adds the decrypt-and-address check of a sample of the
migrated wallets (core/migrate/wallet_sample.py): the passphrase is read as
``vault verify`` reads it (a no-echo prompt, or standard input's first line
when it is not a terminal — the window pipes it there), never from argv.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.archive import Cancelled
from ..core.paths import DataPaths
from . import CommandError
from .archive_io import add_json_progress, cancel_on_sigterm, emit, finish, progress_for

if TYPE_CHECKING:
    from ..core.migrate.wallet_sample import WalletSampleReport
    from ..core.secrets import Secret

NAME = "migrate"
HELP = "copy public_users.db (and --store files) into PostgreSQL in one transaction each, then verify every row"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--to, --store, --schema, --dry-run, --replace, --verify-only, --json-progress."""
    parser.add_argument("--to", required=True, metavar="URL",
                        help="postgresql://USER@HOST:PORT/DB (the database exists; passwords only through "
                             "~/.pgpass, PGPASSWORD or a service file, never in the URL)")
    parser.add_argument("--store", type=Path, action="append", default=[], metavar="PATH",
                        help="another SQLite store of the home to migrate as well; repeatable")
    parser.add_argument("--schema", default="public", metavar="NAME", help="target schema (default public)")
    parser.add_argument("--dry-run", action="store_true", help="print the DDL it would run and change nothing")
    parser.add_argument("--replace", action="store_true",
                        help="drop and reload tables that already exist in the target")
    parser.add_argument("--verify-only", action="store_true",
                        help="load nothing: check an already-migrated target against the stores")
    parser.add_argument("--check-wallets", action="store_true",
                        help="also decrypt a sample of the migrated wallets with the vault passphrase (asked at a "
                             "no-echo prompt, or read from standard input) and check each derives its address")
    parser.add_argument("--wallet-sample", type=int, default=20, metavar="N",
                        help="random wallets to check besides the first and the last (default 20)")
    add_json_progress(parser)


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Exit 0 only when every table's count and checksum match."""
    from ..core import migrate as m

    try:
        params = m.check_target(args.to)
    except m.MigrateError as exc:
        raise CommandError(str(exc), exc.exit_code) from None
    stores = [paths.db, *(p.expanduser().absolute() for p in args.store)]
    passphrase = _passphrase(args)
    try:
        return _run(args, m, params, stores, paths.db, passphrase)
    finally:
        if passphrase is not None:
            passphrase.wipe()  # also when the migration failed and no sample was taken


def _run(args: argparse.Namespace, m: Any, params: dict[str, str], stores: list[Path], db: Path,
         passphrase: Secret | None) -> int:
    progress = progress_for(args)
    try:
        if args.dry_run:
            report = m.plan_stores(stores, args.schema, args.replace, progress)
        elif args.verify_only:
            report = m.verify_target(args.to, stores, args.schema, progress, cancel_on_sigterm())
        else:
            report = m.migrate(args.to, stores, args.schema, args.replace, progress, cancel_on_sigterm())
    except Cancelled:
        raise _fail(args, "cancelled: the target is as it was before this store's load", m.EXIT_CANCELLED) from None
    except m.MigrateError as exc:
        raise _fail(args, str(exc), exc.exit_code) from None
    finally:
        finish(progress)
    wallets = _check_wallets(args, db, passphrase) if passphrase is not None else None
    return _print(args, report, m.describe(params), wallets)


def _passphrase(args: argparse.Namespace) -> Secret | None:
    """The vault passphrase for --check-wallets, read before any work (None without the flag)."""
    if not args.check_wallets:
        return None
    if args.dry_run:
        raise CommandError("--check-wallets needs wallets in the target: not with --dry-run", 2)
    if args.wallet_sample < 0:
        raise CommandError("--wallet-sample must be 0 or more", 2)
    from .vault import read_passphrase

    return read_passphrase()


def _check_wallets(args: argparse.Namespace, db: Path, passphrase: Secret) -> WalletSampleReport:
    """The sample check (the caller wipes the passphrase)."""
    from ..core import migrate as m
    from ..core.migrate.wallet_sample import check_wallet_sample

    try:
        return check_wallet_sample(args.to, db, passphrase, args.schema, args.wallet_sample)
    except m.MigrateError as exc:
        raise _fail(args, f"wallet check: {exc}", m.EXIT_FAILED) from None


def _fail(args: argparse.Namespace, message: str, code: int) -> CommandError:
    if args.json_progress:
        emit("error", message=message, cancelled=code == 3)
    return CommandError(message, code)


def _print(args: argparse.Namespace, report: object, target: str, wallets: WalletSampleReport | None = None) -> int:
    from ..core.migrate import MigrateReport

    assert isinstance(report, MigrateReport)
    wallets_ok = wallets is None or wallets.ok
    if args.json_progress:
        extra = {} if wallets is None else {"wallets": {
            "store": wallets.store, "total": wallets.total, "ok": wallets.ok,
            "checks": [vars(c) | {"ok": c.ok} for c in wallets.checks]}}
        emit("result", ok=(report.ok or args.dry_run) and wallets_ok, ddl=report.ddl, seconds=report.seconds,
             tables=[vars(t) | {"not_migrated": t.not_migrated} for t in report.tables], **extra)
        return 0 if (report.ok or args.dry_run) and wallets_ok else 1
    if args.dry_run:
        print(";\n\n".join(report.ddl) + ";")
        for t in report.tables:
            for note in t.notes:
                print(f"-- {t.store} {t.table}: {note}")
        return 0
    width = max((len(t.table) for t in report.tables), default=5)
    print(f"target {target}, schema {args.schema}")
    for t in report.tables:
        status = "verified" if t.verified else "MISMATCH"
        line = f"{t.store:<16} {t.table:<{width}} {t.source_rows:>10,} -> {t.target_rows or 0:>10,}  {status}"
        if t.not_migrated:
            line += f"  ({t.not_migrated:,} rows written after the snapshot not migrated)"
        print(line)
        if t.difference:
            print(f"    first difference: {t.difference}")
        for note in t.notes:
            print(f"    note: {note}")
    took = ", ".join(f"{k} {v:.2f} s" for k, v in report.seconds.items())
    print(("all tables verified" if report.ok else "verification FAILED") + (f" ({took})" if took else ""))
    if wallets is not None:
        _print_wallets(wallets)
    return 0 if report.ok and wallets_ok else 1


def _print_wallets(wallets: WalletSampleReport) -> None:
    """One line per sampled wallet, then the verdict."""
    print(f"wallet sample ({wallets.store}): {len(wallets.checks)} of {wallets.total:,} wallets")
    for c in wallets.checks:
        print(f"    wallet {c.wallet:<24} {c.address:<44} {'ok' if c.ok else 'MISMATCH: ' + c.status}")
    bad = wallets.failures
    print("wallet sample verified" if not bad else
          f"wallet sample FAILED: {len(bad)} wallet(s): {', '.join(c.wallet for c in bad)}")
