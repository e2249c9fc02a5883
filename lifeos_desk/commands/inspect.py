"""``lifeos-desk inspect ID``: one trade's life across every store (core/checks/inspect.py).

The window's trade inspector runs this as a child process, because the
lifeline reads the bot's databases with Python's sqlite3 and the window's
process holds QtSql connections to them (docs/architecture.md, 'One SQLite
library per process'). ``--json`` prints one document on stdout; exit 0 when
any store knows the id, 1 when none does, 2 when it could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from ..core.checks import AuditContext, AuditError
from ..core.checks.inspect import lifeline
from ..core.paths import DataPaths
from . import CommandError

NAME = "inspect"
HELP = "show one trade, position or intent across every store (database rows, state, audit events, fee)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """ID, --json, --no-findings."""
    parser.add_argument("id", help="a treasury position id, exit intent id, transaction id, trade id or fee tx_id")
    parser.add_argument("--json", action="store_true", help="print the whole lifeline as one JSON document")
    parser.add_argument("--no-findings", action="store_true", help="do not run the audit checks for its findings")


def _summary(doc: dict[str, object]) -> list[str]:
    lines = [f"{doc['id']}: related ids {', '.join(map(str, doc['related_ids']))}"]  # type: ignore[call-overload]
    for key in ("rows", "positions", "intents", "fees", "events", "findings"):
        items = doc[key]
        assert isinstance(items, list)
        lines.append(f"  {key}: {len(items)}")
        for item in items[:20]:
            where = item.get("store", "")
            extra = f" line {item['line']}" if "line" in item else f" {item.get('table', '')}".rstrip()
            text = item.get("message") if key == "findings" else ""
            lines.append(f"    {where}{extra} {text or ''}".rstrip())
    return lines


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Gather and print the lifeline; exit 0 found, 1 unknown id, 2 could not run."""
    if not paths.home.is_dir():
        raise CommandError(f"no data home at {paths.home}", 2)
    bot_dir = getattr(args, "bot_dir", None) or getattr(paths, "bot_dir", None)
    ctx = AuditContext(home=paths.home, bot_dir=bot_dir, logs=paths.logs, backups=paths.backups,
                       now=datetime.now(UTC))
    print(f"inspect: gathering {args.id}", file=sys.stderr, flush=True)
    try:
        doc = lifeline(ctx, str(args.id), with_findings=not args.no_findings)
    except AuditError as exc:
        raise CommandError(str(exc), 2) from None
    if args.json:
        json.dump(doc, sys.stdout, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        print("\n".join(_summary(doc)))
    return 0 if doc["found"] else 1
