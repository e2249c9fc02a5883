"""``lifeos-desk vault verify``: check every wallet key headless, without printing a secret.

The passphrase comes from a no-echo prompt on a terminal, or from the first
line of standard input when it is not one (``... < file`` or a pipe from a
secret manager) — never from argv, where ``ps`` and shell history would show
it. Reads go through QtSql (db/wallets.py), the one SQLite library of this
process. Exit 0 only when every wallet verifies.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from ..core.keys import BOT_ITERATIONS
from ..core.paths import DataPaths
from ..core.schema import SchemaKind
from ..core.secrets import Secret
from ..core.vault import MAX_ITERATIONS, WalletRecord, default_workers
from . import CommandError, vault_keys

NAME = "vault"
HELP = ("wallet vault: 'verify' decrypts every wallet key of every store in memory and checks it against its "
        "address; 'health' reports plaintext keys, readable key files, weak passphrases and missing backups")

EXIT_NOT_ALL_VERIFIED = 1
EXIT_NO_PASSPHRASE = 2
EXIT_UNKNOWN_SCHEMA = 3
EXIT_NOTHING_OPENED = 4
#: A passphrase that is not UTF-8 text shares the "no usable passphrase" code.
EXIT_BAD_PASSPHRASE = EXIT_NO_PASSPHRASE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``verify`` with --iterations, --workers and --quiet."""
    # A positional action rather than nested subparsers, so the global options
    # (--home, --logs...) keep working after it: ``vault verify --home X``.
    parser.add_argument("action", choices=("verify", "health"),
                        help="verify: decrypt every wallet key in memory and check it against its address; "
                             "the passphrase is read from a no-echo prompt, or from standard input when it "
                             "is not a terminal, never from the command line; health: the secrets health check")
    parser.add_argument("--iterations", type=int, default=BOT_ITERATIONS,
                        help=f"PBKDF2 iterations the keys were sealed with (default {BOT_ITERATIONS:,}, the bot's)")
    parser.add_argument("--workers", type=int, default=None,
                        help=f"parallel derivations (default: every core, here {default_workers()})")
    parser.add_argument("--quiet", action="store_true", help="print only the summary line")
    vault_keys.add_arguments(parser)


def read_passphrase(stdin: TextIO | None = None) -> Secret:
    """The passphrase from a no-echo prompt (terminal) or stdin's first line (anything else)."""
    stream = stdin or sys.stdin
    try:
        if stream.isatty():
            try:
                text = getpass.getpass("Wallet passphrase: ")
            except EOFError:
                text = ""
        else:
            text = stream.readline().rstrip("\r\n")
        if not text:
            raise CommandError("no passphrase given (type it at the prompt, or pipe it on standard input)",
                               EXIT_NO_PASSPHRASE)
        return Secret(text)  # encodes to UTF-8: bytes read with surrogateescape fail here
    except UnicodeError:
        # The bot reads its passphrase as text and encodes it as UTF-8, so such bytes could never
        # have sealed a key. Nothing of the input is echoed.
        raise CommandError("the passphrase on standard input is not valid UTF-8 text; give it as UTF-8",
                           EXIT_BAD_PASSPHRASE) from None


def _load(paths: DataPaths) -> tuple[list[WalletRecord], SchemaKind]:
    from ..core.schema import domain_for
    from ..db.connection import Database
    from ..db.qtapp import ensure_core_app
    from ..db.wallets import load_wallets

    ensure_core_app()
    db = Database(paths.db, read_only=True)
    try:
        info = db.info(with_quick_check=False)
        domain = domain_for(info.schema)
        if domain is None:
            raise CommandError(f"{paths.db} has neither the ADR-005 nor the deployed bot's wallets table",
                               EXIT_UNKNOWN_SCHEMA)
        return load_wallets(db.connection(), domain), info.schema
    finally:
        db.close()


class _Progress:
    """'verified 120/1000' on stderr when it is a terminal (not in pipes or logs)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.enabled:
            self.stream.write(f"\rchecked {done}/{total}")
            if done == total:
                self.stream.write("\n")
            self.stream.flush()


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Verify every wallet and print the table and a summary."""
    if not 1 <= args.iterations <= MAX_ITERATIONS:
        raise CommandError(f"--iterations must be between 1 and {MAX_ITERATIONS:,}", 2)
    if args.workers is not None and args.workers < 1:
        raise CommandError("--workers must be at least 1", 2)
    # Every store, not only the public database (core/keystores; issue 13).
    return vault_keys.run_health(args, paths) if args.action == "health" else vault_keys.run_verify(args, paths)

