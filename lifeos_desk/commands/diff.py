"""``lifeos-desk diff A [B]``: what changed between two archives, or an archive and the live home.

Exit codes: 0 identical, 1 differences found, 2 the diff could not run (an
archive refused or unreadable, a database that cannot be read). The work is
``core/archive/diff.py``; archives are extracted under the same rules as a
restore into a temporary folder that is always removed.
"""

from __future__ import annotations

import argparse
import json
import sqlite3

from ..core.archive import ArchiveError, Cancelled
from ..core.paths import DataPaths
from . import CommandError
from .archive_io import cancel_on_sigterm, resolve_archive

NAME = "diff"
HELP = "compare two archives, or an archive with the live home: rows, logs and state files that changed"
EXIT_SAME = 0
EXIT_DIFFERENT = 1
EXIT_FAILED = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """A, optional B, --json."""
    parser.add_argument("a", metavar="A", help="the older archive (a path, or a name in the backups folder)")
    parser.add_argument("b", metavar="B", nargs="?", default=None,
                        help="the newer archive; omitted: the live home (--home, --logs)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Compare and print; 0 identical, 1 differences, 2 could not run."""
    from ..core.archive.diff import diff_archives, summary_lines

    a = resolve_archive(args.a, paths)
    b = resolve_archive(args.b, paths) if args.b is not None else None
    try:
        report = diff_archives(a, b, paths, cancel_on_sigterm())
    except Cancelled:
        raise CommandError("cancelled", 130) from None
    except ArchiveError as exc:
        raise CommandError(str(exc), EXIT_FAILED) from None
    except sqlite3.Error as exc:
        raise CommandError(f"a database could not be read: {exc}", EXIT_FAILED) from None
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise CommandError(f"{exc.strerror or exc}{where}", EXIT_FAILED) from None
    if args.json:
        print(json.dumps(report.as_json(), indent=1))
    else:
        print("\n".join(summary_lines(report)))
    return EXIT_SAME if report.identical else EXIT_DIFFERENT
