"""``lifeos-desk verify ARCHIVE``: read the whole archive and check every member and the database."""

from __future__ import annotations

import argparse

from ..core.archive import Cancelled, verify_archive
from ..core.paths import DataPaths
from . import CommandError
from .archive_io import (
    EXIT_FAILED,
    add_check,
    add_json_progress,
    cancel_on_sigterm,
    emit,
    fail,
    finish,
    progress_for,
    resolve_archive,
)

NAME = "verify"
HELP = "read an archive whole: gzip and tar integrity, every member against the manifest, integrity_check"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """ARCHIVE (a path, or a name in the backups folder) and --json-progress."""
    parser.add_argument("archive", metavar="ARCHIVE", help="the .tar.gz (a path, or a name in the backups folder)")
    add_check(parser)
    add_json_progress(parser)


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Exit 0 only when every check holds; the message names what failed."""
    archive = resolve_archive(args.archive, paths)
    progress = progress_for(args)
    try:
        # The result is remembered for the backups list only for archives in the backups folder.
        in_folder = archive.parent.resolve() == paths.backups.resolve()
        report = verify_archive(archive, progress=progress, cancel=cancel_on_sigterm(), record=in_folder,
                                check=args.check)
    except Cancelled as exc:
        raise fail(args, exc) from None
    finally:
        finish(progress)
    if args.json_progress:
        emit("result", **report.as_json())
        if not report.ok:
            raise CommandError(report.message, EXIT_FAILED)
        return 0
    if not report.ok:
        raise CommandError(f"{archive.name}: {report.message}", EXIT_FAILED)
    print(f"{archive.name}: {report.message} ({report.origin} archive, {report.seconds:.2f} s)")
    return 0
