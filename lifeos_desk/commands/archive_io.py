"""What the backup, verify and restore commands share: progress output, cancel, errors.

Two audiences: a person at a terminal (one updating progress line on
stderr) and the window, which runs these commands as a child process with
``--json-progress`` (docs/architecture.md, 'One SQLite library per process': Python's sqlite3 must not run in
the GUI process) and reads one JSON object per stdout line::

    {"event": "progress", "stage": "compress", "done": 123, "total": 456, "detail": "..."}
    {"event": "preview", ...}          restore only; then it waits for "yes" on stdin
    {"event": "result", "ok": true, ...}
    {"event": "error", "message": "..."}

SIGTERM (QProcess.terminate) sets the cancel flag: the work stops at its
next chunk and removes its temporary files.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from ..core.archive import ArchiveError, CancelFlag, Cancelled, Progress, ProgressFn
from ..core.paths import DataPaths
from . import CommandError

EXIT_FAILED = 1
EXIT_CANCELLED = 3


def add_json_progress(parser: argparse.ArgumentParser) -> None:
    """The ``--json-progress`` flag (used by the window)."""
    parser.add_argument("--json-progress", action="store_true",
                        help="print progress and the result as JSON lines on stdout (for the window)")


def add_check(parser: argparse.ArgumentParser) -> None:
    """``--check full|quick``: the database check (integrity_check, or the ~7x faster quick_check)."""
    parser.add_argument("--check", choices=("full", "quick"), default="full",
                        help="database check: full = PRAGMA integrity_check (default), quick = PRAGMA quick_check "
                             "(about 7x faster on large databases; does not match indexes to rows)")


def emit(event: str, **fields: Any) -> None:
    """One JSON line on stdout, flushed at once (the window reads it as it comes)."""
    sys.stdout.write(json.dumps({"event": event, **fields}, default=str) + "\n")
    sys.stdout.flush()


class JsonProgress:
    """Progress as JSON lines."""

    def __call__(self, p: Progress) -> None:
        emit("progress", stage=p.stage, done=p.done, total=p.total, detail=p.detail)


class TextProgress:
    """Progress as one line on stderr, rewritten in place when stderr is a terminal."""

    def __init__(self) -> None:
        self._tty = sys.stderr.isatty()
        self._seen: set[str] = set()  # a log file names each stage once (restore --yes runs two at a time)

    def __call__(self, p: Progress) -> None:
        share = f" {100 * p.done // p.total:3d}%" if p.total else ""
        line = f"{p.stage}{share} {p.detail}"[:100]
        if self._tty:
            sys.stderr.write("\r" + line.ljust(100))
            sys.stderr.flush()
        elif p.stage not in self._seen:
            sys.stderr.write(f"{p.stage}...\n")
        self._seen.add(p.stage)

    def done(self) -> None:
        """End the in-place line."""
        if self._tty:
            sys.stderr.write("\r" + " " * 100 + "\r")
            sys.stderr.flush()


def progress_for(args: argparse.Namespace) -> ProgressFn:
    """JSON lines for the window, a status line for people."""
    return JsonProgress() if args.json_progress else TextProgress()


def finish(progress: ProgressFn) -> None:
    """Clear a terminal status line."""
    if isinstance(progress, TextProgress):
        progress.done()


def cancel_on_sigterm() -> CancelFlag:
    """A cancel flag that SIGTERM sets (the window's Cancel button terminates the child)."""
    flag = CancelFlag()

    def handler(_signum: int, _frame: FrameType | None) -> None:
        flag.set()

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, handler)
    return flag


def fail(args: argparse.Namespace, exc: ArchiveError) -> CommandError:
    """The CommandError for an archive failure (and the JSON error line for the window)."""
    code = EXIT_CANCELLED if isinstance(exc, Cancelled) else EXIT_FAILED
    if args.json_progress:
        emit("error", message=str(exc), cancelled=isinstance(exc, Cancelled))
    return CommandError(str(exc), code)


def resolve_archive(value: str, paths: DataPaths) -> Path:
    """ARCHIVE as given, or a name in the backups folder (``lifeos-desk verify 20260101_120000.tar.gz``)."""
    given = Path(value).expanduser()
    if given.exists() or given.is_absolute():
        return given.absolute()
    in_backups = paths.backups / value
    return in_backups if in_backups.exists() else given.absolute()

