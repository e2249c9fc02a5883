"""``lifeos-desk audit``: reconcile the bot's stores and print what disagrees.

Exit 0 with no finding, 1 with any error-severity finding, 2 when the audit
could not run. ``--json`` prints one document ``{"findings": [...]}`` to
stdout; progress always goes to stderr so scripts can read stdout whole.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime

from ..core.checks import CHECK_IDS, AuditContext, AuditError, Severity, run_checks, select
from ..core.paths import DataPaths
from ..core.times import as_utc
from . import CommandError

NAME = "audit"
HELP = "cross-check the bot's databases, state files and logs; exit 1 on any error finding"


def _date(text: str) -> datetime:
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date: {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--json, --since DATE, --check ID (repeatable)."""
    parser.add_argument("--json", action="store_true", help="print the findings as one JSON document on stdout")
    parser.add_argument("--since", type=_date, metavar="DATE", help="only records at or after DATE (UTC if no zone)")
    parser.add_argument("--check", action="append", metavar="ID", help=f"run only these checks ({', '.join(CHECK_IDS)})"
                        "; a prefix such as 'state' selects a group; repeatable")


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Run the chosen checks and report; exit 0, 1 or 2."""
    try:
        checks = select(args.check)
    except ValueError as exc:
        raise CommandError(str(exc), 2) from None
    if not paths.home.is_dir():
        raise CommandError(f"no data home at {paths.home}", 2)
    bot_dir = getattr(args, "bot_dir", None) or getattr(paths, "bot_dir", None)
    ctx = AuditContext(home=paths.home, bot_dir=bot_dir, logs=paths.logs, backups=paths.backups,
                       now=datetime.now(UTC), since=args.since)
    t0 = time.perf_counter()
    try:
        findings = run_checks(ctx, checks, progress=lambda m: print(m, file=sys.stderr, flush=True))
    except AuditError as exc:
        raise CommandError(str(exc), 2) from None
    print(f"audit: {len(findings)} finding(s) in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    if args.json:
        json.dump({"findings": [f.as_json() for f in findings]}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for f in findings:
            ids = ", ".join(str(i) for i in f.ids)
            print(f"{f.severity.value.upper():7} {f.check} [{ids}] {f.message} expected {f.expected}; found {f.found}"
                  f" ({'; '.join(f.stores)})")
    return 1 if any(f.severity is Severity.ERROR for f in findings) else 0
