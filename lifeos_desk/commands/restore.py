"""``lifeos-desk restore ARCHIVE``: check it all, preview, confirm, safety backup, restore.

Asks for confirmation unless ``--yes``. With ``--json-progress`` (the
window) the preview is one JSON line and the command waits for a line
``yes`` on stdin; anything else, or end of input, cancels with nothing
changed. The database is written through the backup API in this process,
so the window always runs this as a child process.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..core.archive import ArchiveError, RestorePlan, apply_restore, prepare_restore
from ..core.archive.livecopy import Locked
from ..core.paths import DataPaths
from ..db.errors import EXIT_CODES, DbProblem
from . import CommandError
from .archive_io import (
    EXIT_CANCELLED,
    add_check,
    add_json_progress,
    cancel_on_sigterm,
    emit,
    fail,
    finish,
    progress_for,
    resolve_archive,
)

NAME = "restore"
HELP = "restore an archive into the data home (preview, confirmation, automatic safety backup first)"
WARNING = "Stop the bot first: its writes between now and the end of the restore would be lost."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """ARCHIVE, --yes, --json-progress."""
    parser.add_argument("archive", metavar="ARCHIVE", help="the .tar.gz (a path, or a name in the backups folder)")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument("--accept-schema", action="store_true",
                        help="accept the archive's tables, indexes, views and triggers that differ from the live "
                             "database (listed in the preview); without it --yes refuses such a restore")
    parser.add_argument("--busy-timeout", type=int, default=30_000, metavar="MS",
                        help="how long to wait for the database's write lock (default 30000, as ADR-005); "
                             "the bot's writes then wait while the restore holds it")
    parser.add_argument("--only", nargs="+", metavar="PATH", default=None,
                        help="restore only these stores (live paths, or member names as the preview lists them, "
                             "e.g. home/fees.db); everything else is left as it is")
    parser.add_argument("--database-url", metavar="URL",
                        help="restore only the archive's PostgreSQL dump into this database with pg_restore, in "
                             "one transaction (passwords via ~/.pgpass, PGPASSWORD or a service file, never here)")
    parser.add_argument("--replace", action="store_true",
                        help="with --database-url: drop and restore tables the target already has (without it a "
                             "non-empty target is refused, exit 4)")
    add_check(parser)
    add_json_progress(parser)


def preview_text(preview: dict[str, Any]) -> str:
    """The preview as the terminal shows it."""
    lines = [f"Restore {preview['archive']} ({preview['origin']} archive of {preview['date']})",
             f"into {preview['database']} (schema now: {preview['schema_now']}, "
             f"in the archive: {preview['schema_archive']})", "", f"  {'table':<20} {'now':>12} {'archive':>12}"]
    for t in preview["tables"]:
        now = "-" if t["now"] is None else f"{t['now']:,}"
        arch = "-" if t["archive"] is None else f"{t['archive']:,}"
        lines.append(f"  {t['table']:<20} {now:>12} {arch:>12}")
    lines += ["", "state files:"] + [f"  {s['path']}: {s['action']}" for s in preview["state_files"]]
    stores = preview.get("stores") or []
    if stores:
        lines += ["", "other stores (whole-home archive):"]
        lines += [f"  [{'x' if s['selected'] else ' '}] {s['target'] or s['member']} ({s['kind']}): {s['action']}"
                  for s in stores]
    if preview.get("picked") is not None:
        lines += ["", "only these are restored: " + ", ".join(preview["picked"])]
    for dump in preview.get("postgresql") or []:
        lines += ["", f"PostgreSQL dump {dump['member']}: not restored by this command; use restore --database-url "
                  f"URL, or by hand: {dump['command']}"]
    lines += ["", "logs (never overwritten):"]
    for log in preview["logs"]:
        what = {"keep": "kept as is (it continues the archived log)",
                "beside": "archived copy written beside it as .restored-<DATE>.jsonl",
                "restore": "missing now: restored"}[log["action"]]
        lines.append(f"  {log['target']}: {what}")
    changes = preview.get("schema_changes") or []
    if changes:
        lines += ["", f"schema objects that differ from the live database ({len(changes)}; need acceptance):"]
        for c in changes:
            lines.append(f"  {c['change']:<8} {c['type']} {c['name']}")
            if c.get("sql_now"):
                lines.append(f"      now:     {c['sql_now']}")
            if c.get("sql_archive"):
                lines.append(f"      archive: {c['sql_archive']}")
    lines += ["", "A safety backup of the current database and state files is made first, under the database's "
              f"write lock: the bot's writes wait about {preview.get('lock_seconds', 0)} s (estimate).", WARNING]
    return "\n".join(lines)


def parse_answer(line: str) -> tuple[bool, bool, list[str] | None]:
    """The window's answer: ``yes [accept-schema] [only <JSON list of member names>]`` (anything else: no)."""
    head, sep, picks = line.strip().partition(" only ")
    words = head.lower().split()
    only: list[str] | None = None
    if sep:
        try:
            value = json.loads(picks)
        except ValueError:
            return False, False, None
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return False, False, None
        only = value
    return words[:1] == ["yes"], "accept-schema" in words[1:], only


def _confirmed(args: argparse.Namespace, plan: RestorePlan) -> tuple[bool, bool]:
    """(go ahead, schema changes accepted). The window answers as ``parse_answer`` reads; its picks apply."""
    preview = plan.preview()
    schema = bool(preview.get("schema_changes"))
    if args.json_progress:
        emit("preview", warning=WARNING, **preview)
        if args.yes:
            return True, args.accept_schema
        go, accepted, only = parse_answer(sys.stdin.readline())
        if go and only is not None:
            plan.pick(only)  # unknown names: refused, nothing changed
        return go, args.accept_schema or accepted
    print(preview_text(preview))
    if args.yes:
        return True, args.accept_schema
    try:
        answer = input("Restore now? [y/N] ").strip().lower() in ("y", "yes")
        if answer and schema and not args.accept_schema:
            accepted = input("Accept the schema changes listed above? [y/N] ").strip().lower() in ("y", "yes")
            return accepted, accepted
    except EOFError:
        return False, False
    return answer, args.accept_schema


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Exit 0 only when the restore completed."""
    if getattr(args, "read_only", None):
        raise CommandError("--read-only was given: a restore writes the database", 2)
    if args.database_url:
        from .restore_pg import run_pg

        return run_pg(args, paths)
    if args.replace:
        raise CommandError("--replace applies to --database-url only (a SQLite restore always replaces)", 2)
    archive = resolve_archive(args.archive, paths)
    progress = progress_for(args)
    cancel = cancel_on_sigterm()
    try:
        with prepare_restore(archive, paths, progress=progress, cancel=cancel, check=args.check) as plan:
            finish(progress)
            if args.only:
                plan.pick(args.only)
            go, accept_schema = _confirmed(args, plan)
            if not go:
                if args.json_progress:
                    emit("error", message="not confirmed: nothing changed", cancelled=True)
                raise CommandError("not confirmed: nothing changed", EXIT_CANCELLED)
            result = apply_restore(plan, progress, cancel, busy_timeout=args.busy_timeout / 1000,
                                   accept_schema=accept_schema)
    except Locked as exc:
        fail(args, exc)
        raise CommandError(str(exc), EXIT_CODES[DbProblem.LOCKED]) from None
    except ArchiveError as exc:
        raise fail(args, exc) from None
    finally:
        finish(progress)
    if args.json_progress:
        emit("result", ok=True, **result.as_json())
        return 0
    print(f"restored {archive.name}; safety archive: {result.safety.path if result.safety else 'none needed'}")
    for live, check in result.databases.items():
        print(f"  database written: {live} (quick_check: {check})")
    for log in result.logs:
        if log.written:
            print(f"  log written: {log.written}")
    for warning in result.warnings:
        print(f"warning: {warning}")
    return 0
