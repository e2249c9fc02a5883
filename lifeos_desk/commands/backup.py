"""``lifeos-desk backup``: a consistent tar.gz of the data home, as ADR-005's script lays it out."""

from __future__ import annotations

import argparse

from ..core.archive import ArchiveError, BackupOptions, make_backup
from ..core.paths import AppDirs, DataPaths
from ..core.settings import Settings
from ..core.units import human_size
from ..db.errors import DatabaseError, DbProblem
from .archive_io import (
    add_check,
    add_json_progress,
    cancel_on_sigterm,
    emit,
    fail,
    finish,
    progress_for,
)

NAME = "backup"
HELP = "make <backups>/<DATE>.tar.gz: database snapshot, trading state, logs, manifest; then apply retention"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--keep, --no-retention, --level, --json-progress."""
    parser.add_argument("--keep", type=int, metavar="N",
                        help="keep the newest N archives (default: the backup_keep setting, 20)")
    parser.add_argument("--no-retention", action="store_true", help="delete no old archive")
    parser.add_argument("--level", type=int, choices=(0, 1, 2, 3), default=1,
                        help="ISA-L level for logs and state files (default 1); the database is its own gzip "
                             "member at level 3, which keeps the archive within 10%% of gzip -6")
    add_check(parser)
    add_json_progress(parser)


def _keep(args: argparse.Namespace) -> int | None:
    if args.no_retention:
        return None
    if args.keep is not None:
        return max(1, int(args.keep))
    return int(Settings(AppDirs.default()).get("backup_keep"))


def _require_database(paths: DataPaths) -> None:
    """The documented exit codes, as ``info``: 10 no database (missing home too), 11 a folder in its place."""
    if paths.db.is_dir():
        raise DatabaseError(DbProblem.NOT_SQLITE, f"no database at {paths.db}: it is a folder", paths.db)
    if not paths.db.exists():
        where = "" if paths.home.is_dir() else f" (the data home {paths.home} does not exist)"
        raise DatabaseError(DbProblem.MISSING, f"no database at {paths.db}{where}", paths.db)


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Make the archive in this process (the CLI holds no QtSql connection to the file)."""
    _require_database(paths)
    progress = progress_for(args)
    options = BackupOptions(level=args.level, keep=_keep(args), check=args.check)
    try:
        result = make_backup(paths, options, progress, cancel_on_sigterm())
    except ArchiveError as exc:
        raise fail(args, exc) from None
    finally:
        finish(progress)
    if args.json_progress:
        emit("result", ok=True, **result.as_json())
        return 0
    print(f"backup: {result.path} ({human_size(result.size)} from {human_size(result.input_bytes)}, "
          f"{result.members} members, {result.seconds:.2f} s, {result.check} ok)")
    for path in result.deleted:
        print(f"retention: deleted {path.name}")
    for warning in result.warnings:
        print(f"warning: {warning}")
    return 0
