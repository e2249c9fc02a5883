"""``lifeos-desk restore ARCHIVE``: check it all, preview, confirm, safety backup, restore.

Asks for confirmation unless ``--yes``. With ``--json-progress`` (the
window) the preview is one JSON line and the command waits for a line
``yes`` on stdin; anything else, or end of input, cancels with nothing
changed. The database is written through the backup API in this process,
so the window always runs this as a child process.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..core.archive import ArchiveError, apply_restore, prepare_restore
from ..core.paths import DataPaths
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
    lines += ["", "logs (never overwritten):"]
    for log in preview["logs"]:
        what = {"keep": "kept as is (it continues the archived log)",
                "beside": "archived copy written beside it as .restored-<DATE>.jsonl",
                "restore": "missing now: restored"}[log["action"]]
        lines.append(f"  {log['target']}: {what}")
    lines += ["", "A safety backup of the current database and state files is made first.", WARNING]
    return "\n".join(lines)


def _confirmed(args: argparse.Namespace, preview: dict[str, Any]) -> bool:
    if args.json_progress:
        emit("preview", warning=WARNING, **preview)
        if args.yes:
            return True
        return sys.stdin.readline().strip().lower() == "yes"
    print(preview_text(preview))
    if args.yes:
        return True
    try:
        answer = input("Restore now? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Exit 0 only when the restore completed."""
    if getattr(args, "read_only", None):
        raise CommandError("--read-only was given: a restore writes the database", 2)
    archive = resolve_archive(args.archive, paths)
    progress = progress_for(args)
    cancel = cancel_on_sigterm()
    try:
        # With --yes the admin has confirmed already: the safety backup runs while the archive is read.
        with prepare_restore(archive, paths, progress=progress, cancel=cancel, check=args.check,
                             early_safety=args.yes) as plan:
            finish(progress)
            if not _confirmed(args, plan.preview()):
                if args.json_progress:
                    emit("error", message="not confirmed: nothing changed", cancelled=True)
                raise CommandError("not confirmed: nothing changed", EXIT_CANCELLED)
            result = apply_restore(plan, progress, cancel)
    except ArchiveError as exc:
        raise fail(args, exc) from None
    finally:
        finish(progress)
    if args.json_progress:
        emit("result", ok=True, **result.as_json())
        return 0
    print(f"restored {archive.name}; safety archive: {result.safety.path if result.safety else 'none needed'}")
    for log in result.logs:
        if log.written:
            print(f"  log written: {log.written}")
    return 0
